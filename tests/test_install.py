"""The install path: pyproject.toml declares ranges, requirements.lock the exact set that scripts/setup.sh and
environment.yml install, and the three agree; setup.sh takes the Pythons the kit supports."""
import os
import re
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent


def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


LOCKS = {"requirements.lock": None, "requirements-docs.lock": "docs"}   # the lock of the kit, and of an extra set up apart


def declared(extra: str | None = None) -> list[Requirement]:
    "What pyproject.toml declares for the kit (its dependencies and the extras setup.sh installs), or for one extra."
    proj = project()
    if extra:
        return [Requirement(r) for r in proj["optional-dependencies"][extra]]
    apart = set(LOCKS.values()) - {None}
    reqs = list(proj["dependencies"]) + [r for x, rs in proj["optional-dependencies"].items() if x not in apart for r in rs]
    return [Requirement(r) for r in reqs]


def lock(file: str = "requirements.lock") -> dict[str, str]:
    pins = {}
    for line in (ROOT / file).read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"): continue
        m = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([0-9][0-9A-Za-z.]*)", line)
        assert m, f"{file}: {line!r} is not an exact pin name==version"
        name = canonicalize_name(m[1])
        assert name not in pins, f"{file} pins {name} twice"
        pins[name] = m[2]
    return pins


def test_distribution_name_is_not_the_other_diamond():
    assert project()["name"] == "diamond-kit"      # "diamond" on PyPI is a metrics collector
    assert (ROOT / "diamond" / "__init__.py").exists()


def test_declared_dependencies_are_ranges_not_pins():
    for r in declared():
        assert not any(s.operator in ("==", "===") for s in r.specifier), f"{r}: declare a range; exact pins go in requirements.lock"
        assert any(s.operator == ">=" for s in r.specifier), f"{r}: declare the lowest version the kit needs (>=)"


@pytest.mark.parametrize("file", LOCKS)
def test_every_declared_dependency_is_locked_inside_its_range(file):
    pins = lock(file)
    for r in declared(LOCKS[file]):
        name = canonicalize_name(r.name)
        assert name in pins, f"{r.name} is declared in pyproject.toml but not pinned in {file}"
        assert r.specifier.contains(pins[name], prereleases=True), f"{file} pins {name}=={pins[name]}, outside {r}"


def test_the_docs_lock_leaves_the_kits_packages_alone():
    "scripts/docs.sh installs requirements-docs.lock beside requirements.lock: no package may be pinned in both."
    both = set(lock()) & set(lock("requirements-docs.lock"))
    assert not both, f"pinned in requirements.lock and requirements-docs.lock: {sorted(both)}"
    text = (ROOT / "scripts" / "docs.sh").read_text()
    assert "-c requirements.lock -r requirements-docs.lock" in text


def test_lock_pins_torch_to_the_local_cpu_wheel_version():
    assert lock()["torch"] == "2.13.0"


def test_lock_is_what_the_venv_holds():
    "The lock was frozen from a working install: every locked package is installed here at its locked version."
    from importlib.metadata import PackageNotFoundError, version
    for name, v in lock().items():
        try: got = version(name)
        except PackageNotFoundError: pytest.fail(f"{name}=={v} is locked but not installed: run bash scripts/setup.sh")
        assert got.split("+")[0] == v, f"{name}: installed {got}, locked {v}"


def test_environment_yml_installs_the_lock():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    deps = env["dependencies"]
    pip = next(d["pip"] for d in deps if isinstance(d, dict) and "pip" in d)
    assert pip == ["-r requirements.lock", "-e .[dev]"], pip
    assert "python=3.11" in deps and "pip" in deps


def test_setup_sh_installs_the_lock():
    text = (ROOT / "scripts" / "setup.sh").read_text()
    assert "-r requirements.lock" in text and "requirements.lock" in text.split("want=")[1].splitlines()[0]


def run_find_python(tmp_path, programs: dict[str, str], python: str | None = None):
    "Run setup.sh's `find_python` with a PATH holding only fake interpreters that print the given versions."
    bin_ = tmp_path / "bin"; bin_.mkdir()
    for name, ver in programs.items():
        f = bin_ / name
        f.write_text(f"#!/bin/sh\n{ver}\n" if ver.startswith("exit") else f"#!/bin/sh\necho {ver}\n"); f.chmod(0o755)
    script = (ROOT / "scripts" / "setup.sh").read_text().split("if [ ! -x .venv/bin/python ]")[0]
    script = script.replace('cd "$(dirname "$0")/.."', "")
    env = {"PATH": str(bin_)} | ({"PYTHON": python} if python else {})
    return subprocess.run(["/bin/bash", "-c", script + "\nfind_python"], capture_output=True, text=True, env=env)


@pytest.mark.parametrize("programs, python, expected", [
    ({"python3": "3.12", "python3.11": "3.11"}, None, "python3"),          # python3 first when supported
    ({"python3": "3.10", "python3.13": "3.13"}, None, "python3.13"),       # else the first supported python3.X
    ({"python3": "3.14", "python3.11": "3.11", "python3.12": "3.12"}, None, "python3.11"),
    ({"python3": "3.12", "mypy3": "3.13"}, "mypy3", "mypy3"),               # PYTHON= wins
])
def test_setup_finds_a_supported_python(tmp_path, programs, python, expected):
    r = run_find_python(tmp_path, programs, python)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == expected


@pytest.mark.parametrize("programs, python, message", [
    ({"python3": "3.10", "python3.9": "3.9"}, None, "no Python 3.11 3.12 3.13 found"),
    ({"python3": "3.12", "old": "3.10"}, "old", "PYTHON=old is Python 3.10"),
    ({"python3": "3.12"}, "nowhere", "PYTHON=nowhere is not a program"),
    ({"python3": "3.12", "shim": "exit 127;"}, "shim", "PYTHON=shim does not run as a Python"),
])
def test_setup_refuses_other_pythons_and_says_why(tmp_path, programs, python, message):
    r = run_find_python(tmp_path, programs, python)
    assert r.returncode != 0 and message in r.stderr, r.stderr


def test_readme_commands_are_the_scripts_ci_runs():
    readme = (ROOT / "README.md").read_text()
    assert "bash scripts/main.sh" in readme and "bash scripts/test.sh" in readme
    assert "bash scripts/test.sh" in (ROOT / ".ci" / "run").read_text()
