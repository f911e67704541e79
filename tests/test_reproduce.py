"The batch driver: a killed tiny batch of two games resumes without redoing the finished run (local, then submitit's local executor), failures name their cell, bad parameters stop everything; the figure experiments' --smoke runs are the test command's twins of chapters 20 and 21 (tests/test_chapter_twins.py checks the list)."
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from diamond.reproduce import BatchError, RunSpec, plan, run_batch, run_one, write_summary

pytestmark = pytest.mark.integration      # whole runs, command lines in fresh interpreters: the integration tier

ROOT = Path(__file__).resolve().parent.parent


def cli(*args):
    return [sys.executable, "-m", "diamond.reproduce", *args]


def test_killed_batch_resumes_without_redoing_finished_runs(tmp_path):
    out, figures = tmp_path / "batch", tmp_path / "figures"
    env = {**os.environ, "DIAMOND_FIGURES_DIR": str(figures), "DIAMOND_DATA_DIR": str(tmp_path / "data")}
    args = cli("atari100k", "--games", "Breakout", "Pong", "--seeds", "0", "--profile", "tiny", "--smoke", "--out", str(out),
               "--reps", "200", "--no-progress")
    # first invocation: killed (with its kernels) once Breakout has finished and Pong's run has started
    p = subprocess.Popen(args, cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    done, started = out / "Breakout-s0" / "agent" / "run_is_over", out / "Pong-s0" / "agent" / "config.json"
    t0 = time.time()
    while not (done.exists() and started.exists()):
        assert p.poll() is None, f"the batch ended early: {p.stderr.read().decode()[-2000:]}"
        assert time.time() - t0 < 600, "the batch did not get to the second run in 10 minutes"
        time.sleep(0.2)
    os.killpg(p.pid, signal.SIGKILL); p.wait()
    first_nb = out / "Breakout-s0" / "11_agent.ipynb"
    stamp, results = first_nb.stat().st_mtime_ns, (out / "Breakout-s0" / "agent" / "results.json").read_bytes()
    assert not (out / "Pong-s0" / "agent" / "run_is_over").exists()
    assert json.loads((out / "summary.json").read_text())[1]["status"] in ("pending",)
    # second invocation, through submitit's local executor (the Slurm code path): Breakout skipped, Pong resumed to the end
    r = subprocess.run(cli(*args[3:], "--executor", "submitit-local"), cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    summary = {row["run"]: row for row in json.loads((out / "summary.json").read_text())}
    assert summary["Breakout-s0"]["status"] == "skipped" and summary["Pong-s0"]["status"] == "finished"
    assert first_nb.stat().st_mtime_ns == stamp and (out / "Breakout-s0" / "agent" / "results.json").read_bytes() == results
    for run in ("Breakout-s0", "Pong-s0"):
        res = json.loads((out / run / "agent" / "results.json").read_text())
        assert res["env_steps"] == 300 and summary[run]["final_return"] == res["final_return_mean"]
        nb = nbformat.read(out / run / "11_agent.ipynb", as_version=4)
        assert all(o.get("output_type") != "error" for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
        assert any("of the lesson left out here" in c.source for c in nb.cells)  # the shipped agent's cells: not replayed
    assert "| Pong-s0 | finished |" in (out / "summary.md").read_text()
    assert (out / "22_atari100k_report.ipynb").exists()
    assert (figures / "atari100k-tiny" / "aggregates.png").exists() and (figures / "atari100k-tiny" / "performance_profile.png").exists()
    agg = json.loads((figures / "atari100k-tiny" / "aggregates.json").read_text())
    assert "this kit (tiny)" in agg["aggregates"] and len(agg["runs"]) == 2


def smoke_figure(tmp_path, experiment: str):
    "Run `diamond reproduce EXPERIMENT --smoke` (tiny) into tmp_path; returns (its command, env, batch folder, figures)."
    out, figures = tmp_path / "batch", tmp_path / "figures"
    env = {**os.environ, "DIAMOND_FIGURES_DIR": str(figures), "DIAMOND_DATA_DIR": str(tmp_path / "data")}
    args = cli(experiment, "--profile", "tiny", "--smoke", "--out", str(out), "--no-progress")
    r = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    return args, env, out, figures


def assert_every_cell_ran(notebook: Path):
    "The test command's twin of a figure chapter (nbdev-test runs it at lesson size only in --full) ran all of it."
    nb = nbformat.read(notebook, as_version=4)
    assert all(c.get("execution_count") for c in nb.cells if c.cell_type == "code"), f"a cell of {notebook.name} did not run"


def test_figure_experiment_runs_once_and_writes_its_figures(tmp_path):
    args, env, out, figures = smoke_figure(tmp_path, "compounding_error")
    fig = figures / "compounding_error-tiny"
    assert (fig / "compounding_error_frames.png").exists() and (fig / "compounding_error_drift.png").exists()
    res = json.loads((fig / "compounding_error.json").read_text())
    assert res["horizon"] == 5 and set(res["mean_error"]) == {"edm_n1", "edm_n2", "ddpm_n1", "ddpm_n2"}
    assert json.loads((out / "summary.json").read_text())[0]["status"] == "finished"
    assert_every_cell_ran(out / "Breakout-s0" / "20_fig_compounding_error.ipynb")
    stamp = (out / "Breakout-s0" / "20_fig_compounding_error.ipynb").stat().st_mtime_ns
    r = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0 and json.loads((out / "summary.json").read_text())[0]["status"] == "skipped"
    assert (out / "Breakout-s0" / "20_fig_compounding_error.ipynb").stat().st_mtime_ns == stamp


def test_boxing_experiment_runs_every_cell_of_its_chapter(tmp_path):
    _, _, out, figures = smoke_figure(tmp_path, "boxing")
    res = json.loads((figures / "boxing-tiny" / "boxing_multimodality.json").read_text())
    assert res["train_steps"] == 10 and res["contexts"] == 2 and set(res["sharpness"]) == {"1", "3"}
    assert (figures / "boxing-tiny" / "boxing_multimodality.png").exists()
    assert_every_cell_ran(out / "Boxing-s0" / "21_fig_boxing_multimodality.ipynb")


def failing_notebooks(folder: Path) -> Path:
    "A stand-in for the agent notebook whose second cell fails."
    folder.mkdir()
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("game = None", metadata={"tags": ["parameters"]}),
                                         nbformat.v4.new_code_cell("raise RuntimeError(f'no agent for {game}')")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "python3", "language": "python"}
    nbformat.write(nb, folder / "11_agent.ipynb")
    return folder


def test_a_failed_run_is_reported_with_its_cell_and_the_batch_goes_on(tmp_path):
    nbs = failing_notebooks(tmp_path / "nbs")
    specs = [RunSpec("atari100k", g, 0, "tiny", str(tmp_path / "batch" / f"{g}-s0"), nbs_dir=str(nbs)) for g in ("Breakout", "Pong")]
    results = run_batch(specs, progress=False)
    assert [results[s.name]["status"] for s in specs] == ["failed", "failed"]                  # the first failure did not stop the second
    err = results["Pong-s0"]["error"]
    assert "failed in cell [" in err and "raise RuntimeError" in err and "no agent for Pong" in err and "11_agent.ipynb" in err
    assert json.loads((tmp_path / "batch" / "Pong-s0" / "status.json").read_text())["status"] == "failed"
    assert "| Breakout-s0 | failed |" in (tmp_path / "batch" / "summary.md").read_text()


@pytest.mark.parametrize("bad,why", [
    (["--games", "Breakout", "Tetris"], "unknown game(s) Tetris"),
    (["--seeds", "0", "-3"], "non-negative"),
    (["--seeds", "1", "1"], "distinct"),
    (["--seeds", "one"], "integers"),
    (["--profile", "huge"], "not a profile"),
    (["--set", "training.num_steps_total=-1"], "num_steps_total"),
    (["--param", "horizon=5"], "11_agent has no parameter horizon"),
])
def test_invalid_parameters_fail_before_any_run(tmp_path, bad, why):
    out = tmp_path / "batch"
    r = subprocess.run(cli("atari100k", "--out", str(out), *bad), cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and why in r.stderr, r.stderr
    assert not out.exists()


def test_plan_all_games_and_names(tmp_path):
    specs = plan("atari100k", ["all"], [0, 1], "paper", tmp_path)
    assert len(specs) == 52 and specs[0].name == "Alien-s0" and specs[1].name == "Alien-s1"
    assert {Path(s.run_dir).parent for s in specs} == {tmp_path}
    with pytest.raises(BatchError, match="unknown experiment"):
        plan("atari1m", ["Pong"], [0], "tiny", tmp_path)
    write_summary(specs[:2], {})
    assert "| Alien-s0 | pending |" in (tmp_path / "summary.md").read_text()
    assert run_one.__module__ == "diamond.reproduce"           # what submitit pickles by reference
