"The main job: chapters executed by papermill into a run folder, failures reported with their cell."
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from diamond.config import ConfigError
from diamond.main import ChapterFailed, MAIN_CHAPTERS, run_chapters
from diamond.runs import RunError

pytestmark = pytest.mark.integration      # whole runs, command lines in fresh interpreters: the integration tier

ROOT = Path(__file__).resolve().parent.parent
FIGURES = {"edm_conditioners.png", "edm_sigma_histogram.png", "unet_parameters.png", "sampler_schedules.png",
           "sampler_trajectory.png", "world_model_loss.png", "world_model_real_vs_imagined.png", "world_model_drift.png",
           "reward_end_confusion.png", "imagination_dreams.png", "actor_critic_dream.png"}
AGENT_FIGURES = {"learning_curves.png", "agent_dream.png"}
# The real main job trains for minutes and checks that the models learned; here every chapter runs
# with a few steps only, so the learning checks are switched off (their numbers are in the chapters).
QUICK = ["07_world_model.collect_steps=400", "07_world_model.test_episodes=1", "07_world_model.denoiser_steps=3",
         "07_world_model.drift_horizon=4", "07_world_model.drift_trajectories=2", "07_world_model.assert_learning=false",
         "08_reward_end.collect_steps=400", "08_reward_end.test_episodes=1", "08_reward_end.rew_end_steps=3",
         "08_reward_end.assert_learning=false", "09_imagination.dream_steps=4", "10_actor_critic.ac_steps=1",
         "11_agent.smoke=true"]


#: The test command's cheaper twin of the main job: one plain chapter and the agent's (its own run folder, agent/);
#: the whole job, every chapter of MAIN_CHAPTERS, runs in `bash scripts/test.sh --full` (nbdev-test runs each chapter
#: on its own in both).
TWIN_CHAPTERS = ("01_edm", "11_agent")
TWIN_FIGURES = {"edm_conditioners.png", "edm_sigma_histogram.png"}


@pytest.mark.parametrize("chapters", [TWIN_CHAPTERS, pytest.param(MAIN_CHAPTERS, marks=pytest.mark.slow)],
                         ids=["twin", "whole-job"])
def test_main_job_runs_chapters_into_a_run_folder(tmp_path, chapters):
    run = tmp_path / "run"
    which = [] if chapters == MAIN_CHAPTERS else ["--chapters", *chapters]
    r = subprocess.run([sys.executable, "-m", "diamond.main", "--profile", "tiny", "--seed", "1", "--run-dir", str(run), *which,
                        "--param", *[q for q in QUICK if q.split(".")[0] in chapters]],
                       cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    status = json.loads((run / "status.json").read_text())
    assert status["finished"] and list(status["chapters"]) == list(chapters)
    assert all(status["chapters"][c]["state"] == "done" for c in chapters)
    assert json.loads((run / "config.json").read_text())["profile"] == "tiny"
    for ch in chapters:
        nb = nbformat.read(run / f"{ch}.ipynb", as_version=4)
        injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
        assert injected and "seed = 1" in injected[0].source
        if ch == "07_world_model": assert "denoiser_steps = 3" in injected[0].source
        assert not any(o.get("output_type") == "error" for c in nb.cells for o in c.get("outputs", []))
    assert (FIGURES if chapters == MAIN_CHAPTERS else TWIN_FIGURES) <= {p.name for p in (run / "figures").iterdir()}
    assert AGENT_FIGURES <= {p.name for p in (run / "agent" / "figures").iterdir()}
    assert (run / "agent" / "run_is_over").exists() and json.loads((run / "agent" / "results.json").read_text())["env_steps"] == 300
    assert "run folder" in r.stdout
    assert "without encryption" not in r.stderr and "KeyboardInterrupt caught" not in r.stderr, r.stderr[-2000:]   # a quiet terminal


def test_a_failing_chapter_is_reported_with_its_cell(tmp_path):
    nbs = tmp_path / "nbs"; nbs.mkdir()
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("profile = 'tiny'\nseed = 0\noverrides = {}\nrun_dir = None", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("x = 1"),
        nbformat.v4.new_code_cell("raise RuntimeError('the chapter broke')"),
    ])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "python3", "language": "python"}
    nbformat.write(nb, nbs / "bad.ipynb")
    run = tmp_path / "run"
    with pytest.raises(ChapterFailed, match=r"bad.ipynb failed in cell \[4\] `raise RuntimeError\(.the chapter broke.\)` \(RuntimeError: the chapter broke\)"):
        run_chapters(run, ["bad"], profile="tiny", nbs_dir=nbs, progress=False)
    status = json.loads((run / "status.json").read_text())
    assert status["chapters"]["bad"]["state"] == "failed" and not status["finished"]
    assert (run / "bad.ipynb").exists()          # the executed notebook keeps the traceback


def test_bad_arguments_fail_before_anything_is_written(tmp_path):
    with pytest.raises(ConfigError, match="sampler.steps"):
        run_chapters(tmp_path / "run", profile="tiny", overrides={"sampler.steps": 3})
    with pytest.raises(FileNotFoundError, match="nope"):
        run_chapters(tmp_path / "run", ["nope"], profile="tiny")
    with pytest.raises(ConfigError, match="07_world_model"):
        run_chapters(tmp_path / "run", ["01_edm"], profile="tiny", chapter_params={"07_world_model": {"denoiser_steps": 1}})
    assert not (tmp_path / "run").exists()
    r = subprocess.run([sys.executable, "-m", "diamond.main", "--profile", "huge", "--run-dir", str(tmp_path / "r2")],
                       cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 2 and "'huge' is not a profile" in r.stderr and not (tmp_path / "r2").exists()


def test_a_run_folder_of_another_config_is_refused(tmp_path):
    run = tmp_path / "run"
    run_chapters(run, ["01_edm"], profile="tiny", progress=False)
    before = sorted((p.name, p.stat().st_mtime_ns) for p in run.iterdir())
    with pytest.raises(RunError, match="another config.*seed"):
        run_chapters(run, ["01_edm"], profile="tiny", seed=5, progress=False)
    assert sorted((p.name, p.stat().st_mtime_ns) for p in run.iterdir()) == before
