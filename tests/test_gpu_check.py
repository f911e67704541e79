"The GPU check (chapter 15): its CPU mode runs through scripts/gpu_check.sh; on a CUDA machine its GPU parts run too."
import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from diamond.gpu_check import precisions_on

pytestmark = pytest.mark.integration      # whole runs, command lines in fresh interpreters: the integration tier

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow   # two minutes on 2 cores; chapter 15 checks the same parts under nbdev-test, the slow tier the script
def test_gpu_check_script_runs_in_cpu_mode_and_says_what_it_left_out(tmp_path):
    r = subprocess.run(["bash", "scripts/gpu_check.sh", "--device", "cpu", "--quick", "--out", str(tmp_path)],
                       cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    rep = json.loads((tmp_path / "gpu_check.json").read_text())
    md = (tmp_path / "gpu_check.md").read_text()
    assert rep["ok"] and rep["machine"]["device"] == "cpu" and rep["profile"] == "tiny"
    cpu = precisions_on("cpu")                      # bfloat16 only where this CPU multiplies it in hardware (chapter 14)
    assert {c["precision"] for c in rep["checks"]} == set(cpu) and all(c["ok"] for c in rep["checks"])
    assert any("float16" in x and "this is a CPU" in x for x in rep["left_out"]) and "Left out" in md
    assert ("bfloat16" in cpu) != any(x.startswith("bfloat16: this CPU would emulate it") for x in rep["left_out"])
    assert [b["precision"] for b in rep["benchmarks"]] == cpu[-1:] and rep["benchmarks"][0]["denoiser_step_s"] > 0   # quick: one precision
    assert rep["projection_best"]["epochs"] > 0 and rep["projection_best"]["total_hours"] > 0
    assert rep["real_run"]["ok"] and rep["real_run"]["stopped_at_limit"]
    assert "# GPU check: passed" in md and "## A whole Atari 100k run" in md


def test_gpu_check_refuses_cuda_without_a_gpu(tmp_path):
    if torch.cuda.is_available(): pytest.skip("this machine has a CUDA GPU")
    r = subprocess.run([sys.executable, "-m", "diamond.gpu_check", "--device", "cuda", "--out", str(tmp_path)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "sees no CUDA GPU" in r.stderr and not (tmp_path / "gpu_check.json").exists()


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU (scripts/gpu_check.sh runs it where there is one)")
def test_cuda_agrees_with_the_cpu_in_every_precision():
    from diamond.gpu_check import agreement, breakout_windows, compiled_agreement, precisions_on
    from diamond.imagination import load_world_model
    den, _, cfg = load_world_model()
    obs, act = breakout_windows(4, 16)
    for p in precisions_on("cuda"):
        r = agreement(den, "cuda", p, obs, act, cfg.sampler)
        assert r["ok"], r
    half = "bfloat16" if "bfloat16" in precisions_on("cuda") else "float16"
    for graphs in (False, True):
        r = compiled_agreement(den, "cuda", obs, act, half, graphs)
        assert r["ok"], r
