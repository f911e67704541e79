"The install path: pyproject.toml and environment.yml install exactly the same pinned packages."
import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def pyproject_requirements() -> set[str]:
    proj = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(proj["dependencies"]) + [r for extra in proj["optional-dependencies"].values() for r in extra]
    return {r.split(";")[0].replace(" ", "") for r in reqs}


def environment_yml():
    return yaml.safe_load((ROOT / "environment.yml").read_text())


def environment_pip_requirements() -> tuple[set[str], list[str]]:
    deps = environment_yml()["dependencies"]
    pip = next(d["pip"] for d in deps if isinstance(d, dict) and "pip" in d)
    pins = {p.replace(" ", "") for p in pip if not p.startswith("-")}
    return pins, [p for p in pip if p.startswith("-")]


def test_every_requirement_is_pinned_exactly():
    for r in pyproject_requirements():
        assert re.fullmatch(r"[A-Za-z0-9_.\-]+==[0-9][0-9A-Za-z.+]*", r), f"{r} is not pinned with =="


def test_torch_is_pinned_to_the_local_cpu_wheel_version():
    assert "torch==2.13.0" in pyproject_requirements()


def test_environment_yml_installs_what_pip_installs():
    pins, options = environment_pip_requirements()
    assert pins == pyproject_requirements(), (
        f"only in environment.yml: {sorted(pins - pyproject_requirements())}; "
        f"only in pyproject.toml: {sorted(pyproject_requirements() - pins)}")
    assert options == ["-e .[dev]"], options      # the kit itself, editable, with the dev extras


def test_environment_yml_uses_python_311():
    deps = environment_yml()["dependencies"]
    assert "python=3.11" in deps and "pip" in deps


def test_readme_commands_are_the_scripts_ci_runs():
    readme = (ROOT / "README.md").read_text()
    assert "bash scripts/main.sh" in readme and "bash scripts/test.sh" in readme
    assert "bash scripts/test.sh" in (ROOT / ".ci" / "run").read_text()
