"Kill and resume: `diamond train-world-model` and `diamond main`, killed with SIGKILL mid-run, finish when started again."
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration  # whole runs in fresh interpreters

ROOT = Path(__file__).resolve().parent.parent
MINI_WM = {
    "world_model_run.train_steps": 300, "world_model_run.test_episodes": 1, "world_model_run.eval_every": 4,
    "world_model_run.eval_starts": 2, "world_model_run.final_eval_starts": 3, "world_model_run.checkpoint_every": 4,
    "denoiser_optim.steps_first_epoch": 16, "denoiser_optim.lr_cooldown_steps": 4, "rew_end_optim.steps_first_epoch": 4,
    "denoiser_optim.batch_size": 2, "rew_end_optim.batch_size": 2, "world_model_env.horizon": 3,
    "sampler.num_steps_denoising": 1,
}


def diamond(*args, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "diamond.cli", *map(str, args)], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kw)


def kill_when(p: subprocess.Popen, ready, timeout: float = 600) -> None:
    "SIGKILL `p` as soon as `ready()` holds (it must hold before `p` ends on its own)."
    t0 = time.time()
    while not ready():
        assert p.poll() is None, f"the run ended before the kill: {p.stderr.read()[-2000:]}"
        assert time.time() - t0 < timeout, "the kill point never came"
        time.sleep(0.05)
    p.send_signal(signal.SIGKILL)
    p.wait()
    assert p.returncode == -signal.SIGKILL


def test_train_world_model_killed_after_a_denoiser_checkpoint_resumes(tmp_path):
    run = tmp_path / "wm"
    sets = [f"{k}={json.dumps(v)}" for k, v in MINI_WM.items()]
    p = diamond("train-world-model", "--run-dir", run, "--game", "Breakout", "--profile", "tiny", "--no-progress",
                "--set", *sets)
    kill_when(p, lambda: (run / "checkpoints" / "denoiser.pt").exists())
    assert not (run / "run_is_over").exists()
    r = diamond("train-world-model", "--run-dir", run, "--resume", "--no-progress")
    out, err = r.communicate(timeout=600)
    assert r.returncode == 0, err[-3000:]
    res = json.loads((run / "results.json").read_text())
    assert (res["denoiser_updates"], res["rew_end_updates"]) == (16, 4) and (run / "run_is_over").exists()
    lines = [json.loads(l) for l in (run / "metrics.jsonl").read_text().splitlines()]
    for model in ("rew_end", "denoiser"):                                   # one line per check, none repeated
        steps = [l["step"] for l in lines if l["model"] == model]
        assert steps == sorted(set(steps)), (model, steps)
    assert [l["step"] for l in lines if l["model"] == "denoiser"] == [4, 8, 12, 16]
    again = diamond("train-world-model", "--run-dir", run, "--resume")      # finished: nothing to do
    out, _ = again.communicate(timeout=300)
    assert again.returncode == 0 and "nothing to do" in out


def test_main_job_killed_in_a_chapter_finishes_when_started_again(tmp_path):
    run = tmp_path / "main"
    args = ["main", "--profile", "tiny", "--run-dir", run, "--chapters", "01_edm", "02_unet"]

    def in_second_chapter():
        st = run / "status.json"
        try: return json.loads(st.read_text())["chapters"].get("02_unet", {}).get("state") == "running"
        except (FileNotFoundError, json.JSONDecodeError): return False

    kill_when(diamond(*args), in_second_chapter)
    assert not json.loads((run / "status.json").read_text())["finished"]
    r = diamond(*args)                                                      # the same command goes on in its folder
    out, err = r.communicate(timeout=900)
    assert r.returncode == 0, err[-3000:]
    status = json.loads((run / "status.json").read_text())
    assert status["finished"] and [s["state"] for s in status["chapters"].values()] == ["done", "done"]
    r = diamond("main", "--profile", "tiny", "--seed", "3", "--run-dir", run, "--chapters", "01_edm")
    _, err = r.communicate(timeout=300)                                     # another config: refused, nothing touched
    assert r.returncode == 2 and "another config" in err
