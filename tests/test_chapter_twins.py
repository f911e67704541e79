"""The test command's twins of its longest lesson chapters: every cell that nbdev-test runs (slow and gpu cells left
out), with the chapter's own assertions, at a smaller size set after its parameters cell. nbdev-test runs these
chapters at lesson size in `bash scripts/test.sh --full`; scripts/test.sh leaves them out of its default nbdev-test."""
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from diamond.chapters import check_chapter_parameters
from diamond.reproduce import EXPERIMENTS

pytestmark = pytest.mark.integration      # whole chapters in a fresh interpreter: the integration tier

ROOT = Path(__file__).resolve().parent.parent

#: Lesson chapters with a twin here, and the parameters their twin sets. Chapter 14 trains three float32 world models
#: of 120 updates for its lesson (165-176 s of the test command's nbdev-test on two cores with bfloat16 instructions,
#: longer without them, where its bfloat16 cells are emulated); its twin trains two of 20 (as many as the quick form
#: of check 3 compares with its bfloat16 twin, whose loss halves only after 15-16) on less data and dreams shorter.
CHAPTER_TWINS = {
    "14_compute": dict(collect_steps=1_500, train_steps=20, seeds=2, horizon=12, trajectories=4),
}

RUN_AS_NBDEV_TEST = """
import sys
from nbdev.config import get_config
from nbdev.test import test_nb
skip = get_config(sys.argv[2]).tst_flags.split()    # the flags nbdev-test skips (pyproject.toml)
ok, _ = test_nb(sys.argv[1], skip_flags=skip, basepath=sys.argv[2], profile=False)
sys.exit(0 if ok else 1)
"""


def run_twin(name: str, tmp_path: Path, **parameters) -> Path:
    """Run chapter `name` as nbdev-test runs it, in a fresh interpreter, with `parameters` assigned in a cell after its
    parameters cell (as papermill injects them); returns its run folder."""
    nb = nbformat.read(ROOT / "nbs" / f"{name}.ipynb", as_version=4)
    at = [i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])]
    assert len(at) == 1, f"{name} needs exactly one cell tagged `parameters`"
    check_chapter_parameters({name: parameters}, [name], ROOT / "nbs")    # the main job's check of a chapter's names
    run_dir = tmp_path / "run"
    source = "\n".join(f"{k} = {v!r}" for k, v in {**parameters, "run_dir": str(run_dir)}.items())
    nb.cells.insert(at[0] + 1, nbformat.v4.new_code_cell(source))
    nbformat.write(nb, tmp_path / f"{name}.ipynb")
    env = {k: v for k, v in os.environ.items() if k != "IN_TEST"}
    r = subprocess.run([sys.executable, "-c", RUN_AS_NBDEV_TEST, str(tmp_path / f"{name}.ipynb"), str(ROOT)],
                       cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900)
    if r.returncode != 0:
        pytest.fail(f"{name}'s twin failed:\n{r.stderr[-4000:]}", pytrace=False)
    return run_dir


@pytest.mark.parametrize("name", CHAPTER_TWINS)
def test_chapter_twin_runs_every_check(tmp_path, name):
    run = run_twin(name, tmp_path, **CHAPTER_TWINS[name])
    assert list((run / "figures").glob("*.png")), f"{name}'s twin drew no figure into its run folder"


def test_the_test_command_twins_exactly_these_chapters_and_the_figure_chapters():
    # scripts/test.sh leaves out of nbdev-test the chapters whose twins run in pytest: the figure chapters (through
    # `diamond reproduce --smoke`, tests/test_reproduce.py) and the lesson chapters of CHAPTER_TWINS (above)
    m = re.search(r"^TWINNED_CHAPTERS='(.+)'$", (ROOT / "scripts" / "test.sh").read_text(), re.M)
    assert m, "scripts/test.sh lost its TWINNED_CHAPTERS line"
    twinned = {f.stem for f in (ROOT / "nbs").glob("*.ipynb") if re.search(m.group(1), f.name)}
    figures = {e.notebook for e in EXPERIMENTS.values() if e.game is not None}
    assert figures == {"20_fig_compounding_error", "21_fig_boxing_multimodality"}
    assert twinned == figures | set(CHAPTER_TWINS)
    assert all(EXPERIMENTS[k].smoke for k in ("compounding_error", "boxing"))
