"python -m diamond.probe: an actor-critic trained in a frozen world model, with its log, summary and figure; bad input exits 2 and touches nothing."
import json
import subprocess
import sys
from pathlib import Path

from diamond.bench import random_dataset
from diamond.checkpoints import save_official
from diamond.config import make_config, save_config
from diamond.probe import main as probe_main, summarise
from diamond.agent import Agent
import pytest

pytestmark = pytest.mark.integration      # whole runs, command lines in fresh interpreters: the integration tier

ROOT = Path(__file__).resolve().parent.parent
SMALL = {"world_model_env.batch_size": 2, "actor_critic_optim.batch_size": 2, "world_model_env.horizon": 3,
         "actor_critic_loss.backup_every": 3, "sampler.num_steps_denoising": 1}


def run_cli(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "diamond.probe", *args], cwd=cwd, capture_output=True, text=True, timeout=600)


def fake_run(tmp_path, *extra_checkpoints):
    "A kit run folder with a fresh tiny agent (and copies of it under `extra_checkpoints` names) and a few random episodes."
    run = tmp_path / "run"
    cfg = make_config("tiny", SMALL)
    save_config(cfg, run / "config.json")
    for name in ("agent.pt", *extra_checkpoints): save_official(Agent(cfg, 4), run / "checkpoints" / name)
    random_dataset(run / "dataset" / "train", 4, episodes=3, length=30)
    return run


def test_summary_compares_first_and_last_fifth():
    logs = [{"imagined_reward": float(i < 5)} for i in range(25)]
    s = summarise(logs)
    assert (s["window"], s["first_mean"], s["last_mean"], s["change"]) == (5, 1.0, 0.0, -1.0)


def test_probe_cli_on_a_run(tmp_path, refused, monkeypatch):
    run = fake_run(tmp_path)
    p = run_cli(str(run), "--updates", "4", "--no-progress")
    assert p.returncode == 0, p.stderr
    out = run / "probe-seed0"
    assert len((out / "probe.jsonl").read_text().splitlines()) == 4 and (out / "probe.png").exists()
    assert json.loads((out / "summary.json").read_text())["game"] == "Breakout" and "imagined reward" in p.stdout
    before = sorted((q, q.stat().st_mtime_ns) for q in out.rglob("*"))
    for bad, why in [(["--updates", "0"], "below 1"), ([], "is not empty"), (["--game", "Pong", "--out", str(tmp_path / "o")], "not Pong"),
                     (["--dataset", str(tmp_path / "none"), "--out", str(tmp_path / "o")], "does not exist")]:
        err = refused(probe_main, run, *bad)
        assert why in err, (bad, err)
    assert sorted((q, q.stat().st_mtime_ns) for q in out.rglob("*")) == before
    assert not (tmp_path / "o").exists()
    # a checkpoint outside a kit run (the authors' layout) needs its game and episodes (and here its config); the probe goes to ./probe-seed<S>
    lone, here = tmp_path / "lone" / "Breakout.pt", tmp_path / "here"
    lone.parent.mkdir(); here.mkdir()
    lone.write_bytes((run / "checkpoints" / "agent.pt").read_bytes())
    monkeypatch.chdir(here)
    assert "--dataset DIR" in refused(probe_main, lone, "--updates", "1", "--no-progress")
    monkeypatch.undo()
    p = run_cli(str(lone), "--game", "Breakout", "--dataset", str(run / "dataset" / "train"), "--config", str(run / "config.json"),
                "--updates", "1", "--no-progress", cwd=here)
    assert p.returncode == 0, p.stderr
    assert len((here / "probe-seed0" / "probe.jsonl").read_text().splitlines()) == 1


def test_probe_cli_swaps_parts_and_sets_policies_side_by_side(tmp_path, refused):
    run = fake_run(tmp_path, "state.pt.bk")          # state.pt.bk stands in for the epoch before
    p = run_cli(str(run), "--swap", str(run / "checkpoints" / "state.pt.bk"), "--dreams", "2", "--no-progress")
    assert p.returncode == 0, p.stderr
    rows = json.loads((run / "swap-seed0" / "swap.json").read_text())
    assert len(rows) == 8 and {r["denoiser"] for r in rows} == {"this", "other"} and "reward/end" in p.stdout
    assert "is not empty" in refused(probe_main, run, "--swap", run / "checkpoints" / "state.pt.bk", "--dreams", "2")   # the first result stays
    refused(probe_main, run, "--swap", tmp_path / "missing.pt", "--out", tmp_path / "o")
    assert not (tmp_path / "o").exists()
    # named policies side by side in the run's dream (here in this process: no interpreter to start)
    assert probe_main([str(run), "--policies", f"old={run / 'checkpoints' / 'state.pt.bk'}", "--dreams", "2", "--no-progress"]) == 0
    rows = json.loads((run / "policies-seed0" / "policies.json").read_text())
    assert [(r["policy"], r["chunks"]) for r in rows] == [("this", 4), ("old", 4), ("uniform", 4)]
    for bad, why in [(["--policies", "old"], "is not LABEL=SOURCE"), (["--policies", "a=shipped", "a=shipped"], "given twice"),
                     (["--policies", "this=shipped"], "own rows"), (["--policies", f"a={tmp_path / 'missing.pt'}"], "does not exist"),
                     (["--policies", "a=shipped", "--actions"], "give one of them")]:
        assert why in refused(probe_main, run, *bad, "--out", tmp_path / "p"), bad
    assert not (tmp_path / "p").exists()


def test_probe_cli_sets_each_action_in_the_dream_beside_the_real_game(tmp_path, refused):
    run = fake_run(tmp_path)
    p = run_cli(str(run), "--actions", "--dreams", "2", "--real-chunks", "50", "--no-progress")
    assert p.returncode == 0, p.stderr
    rows = json.loads((run / "actions-seed0" / "actions.json").read_text())
    assert [r["action"] for r in rows] == ["NOOP", "FIRE", "RIGHT", "LEFT", "uniform"] and "dream" in p.stdout and "±" in p.stdout
    assert all(r["dream_chunks"] == 4 and r["real_chunks"] == 50 and r["real_sem"] >= 0 for r in rows)
    assert rows[-1]["real"] > 0                  # from a uniform player's states, a uniform player scores within 15 steps
    assert "below 1" in refused(probe_main, run, "--actions", "--real-chunks", "0", "--out", tmp_path / "o")
    assert "below 1" in refused(probe_main, run, "--actions", "--denoising-steps", "0", "--out", tmp_path / "o")
    assert not (tmp_path / "o").exists()
