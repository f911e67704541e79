"Style: the chapters are formatted (ruff format) and no hand-written line of the package is over 120 characters."
import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUFF = Path(sys.executable).parent / "ruff"


def generated(path: Path, line: int) -> bool:
    "A line nbdev writes itself: the module docstring (the chapter's one-line summary) and the `__all__` list."
    tree = ast.parse(path.read_text())
    if line == 1 and tree.body and isinstance(tree.body[0], ast.Expr): return True
    return any(isinstance(n, ast.Assign) and any(getattr(t, "id", None) == "__all__" for t in n.targets)
               and n.lineno <= line <= n.end_lineno for n in tree.body)


def test_the_package_has_no_long_lines_or_joined_statements():
    assert RUFF.exists(), "ruff is not installed: run scripts/setup.sh (the dev extras)"
    r = subprocess.run([str(RUFF), "check", "--output-format", "json", "--no-cache", "diamond"], cwd=ROOT,
                       capture_output=True, text=True, timeout=120)
    found = [d for d in json.loads(r.stdout) if not generated(Path(d["filename"]), d["location"]["row"])]
    where = [f"{Path(d['filename']).name}:{d['location']['row']} {d['code']} {d['message']}" for d in found]
    assert not where, "fix these in the chapters (nbs/), then nbdev-export:\n" + "\n".join(where)


def test_the_chapters_are_formatted():
    r = subprocess.run([str(RUFF), "format", "--check", "--no-cache", "nbs"], cwd=ROOT, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, f"run `ruff format nbs/`, then nbdev-export:\n{r.stdout[-2000:]}{r.stderr[-2000:]}"
