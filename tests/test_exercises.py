"""Every lesson chapter ends with a summary and 2-3 exercises, each followed by a folded solution and a cell that checks
the answer. nbdev-test runs the chapters, so every check passes with its solution there; here, the layout."""

import re
from pathlib import Path

import nbformat
import pytest

NBS = Path(__file__).resolve().parent.parent / "nbs"
LESSONS = sorted(p.stem for p in NBS.glob("*.ipynb") if re.match(r"(0\d|1[0-7]|2[0-2])[a-z]?_", p.stem))


def test_the_lessons_are_the_chapters_a_reader_opens():
    assert len(LESSONS) == 21 and "11a_agent" in LESSONS and "18_profiles" not in LESSONS, LESSONS


@pytest.mark.parametrize("name", LESSONS)
def test_a_lesson_ends_with_a_summary_and_checkable_exercises(name):
    cells = nbformat.read(NBS / f"{name}.ipynb", as_version=4).cells
    heads = [i for i, c in enumerate(cells) if c.cell_type == "markdown" and c.source.startswith("## Exercises")]
    assert len(heads) == 1, f"{name}: one markdown cell starting '## Exercises', found {len(heads)}"
    ex = heads[0]
    assert any(c.cell_type == "markdown" and "## Summary" in c.source for c in cells[:ex]), f"{name}: no ## Summary"
    numbered = re.findall(r"^(\d)\. ", cells[ex].source, re.M)
    assert 2 <= len(numbered) <= 3 and numbered == [str(k) for k in range(1, len(numbered) + 1)], (name, numbered)
    rest = cells[ex + 1 :]
    assert len(rest) == 2 * len(numbered), f"{name}: after ## Exercises, a solution and a check per exercise and nothing else"
    for k, (solution, check) in enumerate(zip(rest[::2], rest[1::2]), start=1):
        assert f"answer_{k}" in cells[ex].source, f"{name}: exercise {k} does not name answer_{k}"
        assert solution.cell_type == "code" and "solution" in solution.metadata.get("tags", []), (name, k)
        assert solution.metadata.get("jupyter", {}).get("source_hidden"), f"{name}: solution {k} is not folded"
        assert solution.source.startswith(f"# Solution to exercise {k}") and f"answer_{k}" in solution.source, (name, k)
        assert check.cell_type == "code" and "check" in check.metadata.get("tags", []), (name, k)
        assert check.source.startswith(f"# Check exercise {k}") and f"answer_{k}" in check.source, (name, k)
        assert re.search(r"\bassert\b|test_eq|test_close|test_ne|test_fail", check.source), f"{name}: check {k} checks nothing"
        assert all(o.output_type != "error" for o in solution.outputs + check.outputs), (name, k)
