"The benchmark script runs and reports what it promises (speed itself is measured, not tested)."
import json
import subprocess
import sys

from diamond.bench import run_benchmarks, time_it
import pytest

pytestmark = pytest.mark.integration      # whole runs, command lines in fresh interpreters: the integration tier


def test_time_it_counts_repeats():
    calls = []
    r = time_it(lambda: calls.append(1), warmup=2, repeats=3)
    assert len(calls) == 5 and r["repeats"] == 3 and r["min_s"] <= r["mean_s"] <= r["max_s"] and r["warmup_s"] >= 0


def test_bench_cli_writes_json(tmp_path):
    out = tmp_path / "bench.json"
    r = subprocess.run([sys.executable, "-m", "diamond.bench", "--profile", "tiny", "--batch-size", "2", "--warmup", "0",
                        "--repeats", "1", "--out", str(out)], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    res = json.loads(out.read_text())
    assert res == json.loads(r.stdout)
    assert res["profile"] == "tiny" and res["denoiser_train_step"]["window"] == 6
    assert res["compute"] == {"precision": "float32", "channels_last": True, "compile": False, "cuda_graphs": False, "rew_end_precision": "float32"}
    for k in ("denoiser_train_step", "generate_b2", "generate_b1"):
        assert res[k]["mean_s"] > 0 and res[k]["flops"] > 0 and res[k]["flop_per_s"] > 0
    assert res["generate_b2"]["steps"] == 3
    assert res["rew_end_train_step"]["window"] == 19 and res["rew_end_train_step"]["flops"] > 0
    ac = res["actor_critic_update"]
    assert ac["imagined_steps"] == 15 and ac["mean_s"] > 0 and ac["wm_env_batched_steps_per_s"] > 0
    assert set(ac["parts_s"]) == {"denoiser", "rew_end", "actor_critic", "rest", "total"}   # where an update's time goes
    assert ac["calls_per_update"]["denoiser"] == 15 * 3 and ac["parts_s"]["denoiser"] > 0
    assert res["env"]["steps_per_s"] > 0
    assert res["play"]["fps_1_steps"] > 0 and res["play"]["fps_3_steps"] > 0
    ref = res["reference_rates"]                       # the machine's own rates, and each part's share of the float32 convolution's
    assert ref["conv3x3"]["float32"] > 0 and ref["matmul"]["float32"] > 0
    assert ("bfloat16" in ref["conv3x3"]) == (res["native_bfloat16"] is not False)   # an emulated bfloat16 is not measured (a minute per product)
    if "bfloat16" in ref["conv3x3"]: assert ref["conv3x3"]["bfloat16"] > 0
    for k in ("denoiser_train_step", "generate_b2", "rew_end_train_step", "actor_critic_update"):
        assert res[k]["share_of_conv"] == res[k]["flop_per_s"] / ref["conv3x3"]["float32"] > 0
    assert "| actor_critic_update |" in r.stderr       # the table of shares
