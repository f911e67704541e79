"""The wheel bundle for a GPU machine without internet (scripts/gpu_bundle.sh runs this file).

Downloads, for the target's Python (CPython, manylinux x86_64, wheels only), the kit's runtime
dependencies (pyproject.toml's `dependencies`) and their dependencies that the target lacks, at
requirements.lock's versions where the lock pins them (the tested set), and writes beside them a
requirements.txt with the exact pins bundled. The target's packages are a have-list: its
`pip freeze` (--have FILE) or, by default, a CUDA PyTorch image (DEFAULT_HAVE). Resolution stops
at the packages the target has: their own dependencies are the target's business. torch, triton
and nvidia-* are never downloaded. The install side: scripts/gpu_check.sh --wheels DIR.

How: pip resolves (install --dry-run --report, for the target's tags) the dependencies that the
target lacks with the lock's pins and the target's versions as constraints; this file walks the
resolved graph from the kit's dependencies with the markers evaluated for the target's Python (pip
evaluates them for the Python that runs it), leaving out what the target has; pip download fetches
the wheels. A lock pin that has no wheel for the target: a pure-Python wheel is built from its
sdist where that works (rliable 1.2.0 is published as an sdist only), else the pin is dropped and
pip's choice for the target's Python is bundled (and reported).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path
from urllib.parse import unquote, urlparse

try:
    from packaging.markers import default_environment
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name, parse_wheel_filename
except ImportError:                                  # a Python without packaging: pip's own copy
    from pip._vendor.packaging.markers import default_environment
    from pip._vendor.packaging.requirements import Requirement
    from pip._vendor.packaging.utils import canonicalize_name, parse_wheel_filename

ROOT = Path(__file__).resolve().parent.parent
PYTHONS = ("3.11", "3.12", "3.13")                    # the kit's Pythons (pyproject.toml's classifiers)
BUDGET_MB = 60                                       # the bundle for the default have-list must fit this (10^6 bytes)
# JupyterLab is where a reader opens the chapters in a browser; a GPU machine runs them as batch jobs
# (papermill) and the check, and needs no browser front end: it and what only it needs (17 + 11 MB of
# jupyterlab and babel) stay out unless --with-jupyterlab.
HEADLESS_SKIP = {"jupyterlab"}
# The default target: a CUDA PyTorch image. torch and its dependencies; numpy, scipy, pandas,
# statsmodels, opencv-python-headless, matplotlib, pillow and their dependencies. Not six: python-dateutil
# 4 no longer needs it, so an image at the lock's versions lacks it (rfc3339-validator needs it: 11 kB bundled).
DEFAULT_HAVE = """torch triton sympy mpmath networkx jinja2 markupsafe filelock fsspec typing-extensions setuptools
numpy scipy pandas python-dateutil pytz tzdata statsmodels patsy packaging opencv-python-headless
matplotlib contourpy cycler fonttools kiwisolver pyparsing pillow""".split()
NEVER = {"torch", "triton"}                           # and nvidia-*: never downloaded, the target keeps its own
IMPLIED = {"pip", "setuptools", "wheel"}             # pip freeze leaves these out; pip is there (it installs the
                                                     # bundle), setuptools wherever torch is (torch needs it on 3.12+)
MANYLINUX = [f"manylinux_2_{m}_x86_64" for m in range(28, 4, -1)] + [
    "manylinux2014_x86_64", "manylinux2010_x86_64", "manylinux1_x86_64"]   # glibc >= 2.28, as torch >= 2.6 needs
USAGE = """usage: bash scripts/gpu_bundle.sh [--python 3.12] [--have FILE] [--out DIR] [--with-jupyterlab]
  --python X.Y[.Z]  the target's Python, 3.11, 3.12 or 3.13 (default 3.12; X.Y means its newest patch release)
  --have FILE       the target's `pip freeze` output (default: a CUDA PyTorch image with torch, numpy, scipy,
                    pandas, statsmodels, opencv-python-headless, matplotlib, pillow and their dependencies)
  --out DIR         where the wheels and requirements.txt go (default: wheelhouse/ in the checkout)
  --with-jupyterlab also JupyterLab, to read the chapters in a browser there (about 30 MB more)"""


class Refused(Exception):
    "Bad input: one line naming the problem and the fix; exit code 2, nothing written."


class Failed(Exception):
    "Something went wrong after the input was accepted (the index, pip); exit code 1."


def say(*a):
    print("gpu_bundle:", *a, flush=True)


# ---------------------------------------------------------------------------------------------- input

def parse_args(argv: list[str]) -> dict:
    opts = {"python": "3.12", "have": None, "out": str(ROOT / "wheelhouse"), "help": False, "jupyterlab": False}
    flags = {"--python": "python", "--have": "have", "--out": "out"}
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ("-h", "--help"):
            opts["help"] = True; i += 1; continue
        if a == "--with-jupyterlab":
            opts["jupyterlab"] = True; i += 1; continue
        key, eq, val = a.partition("=")
        if key not in flags:
            raise Refused(f"unknown argument {a!r}; the options are --python X.Y, --have FILE, --out DIR, --with-jupyterlab "
                          "(--help explains them)")
        if not eq:
            if i + 1 >= len(argv) or argv[i + 1].startswith("--"):
                raise Refused(f"{key} needs a value; give it as {key} {USAGE_VALUE[key]}")
            val = argv[i + 1]; i += 1
        if not val:
            raise Refused(f"{key} is empty; give it as {key} {USAGE_VALUE[key]}")
        opts[flags[key]] = val; i += 1
    if opts["help"]: return opts
    m = re.fullmatch(r"(3\.\d+)(\.\d+)?", opts["python"])
    if not m or m[1] not in PYTHONS:
        raise Refused(f"--python {opts['python']!r} is not a Python the kit supports; give the target's version as one of {', '.join(PYTHONS)} (or X.Y.Z)")
    if opts["have"] is not None:
        h = Path(opts["have"])
        if not h.is_file():
            raise Refused(f"--have {opts['have']}: no such file; save the target's packages with `python -m pip freeze > FILE` there and give that file")
        try: h.read_text()
        except (OSError, UnicodeDecodeError) as e:
            raise Refused(f"--have {opts['have']}: cannot be read as text ({e.__class__.__name__}); give the output of `pip freeze`")
    out = Path(opts["out"])
    if out.exists() and not out.is_dir():
        raise Refused(f"--out {opts['out']} is a file, not a folder; give a folder (it is created if missing)")
    return opts


USAGE_VALUE = {"--python": "3.12", "--have": "FILE (the target's pip freeze)", "--out": "DIR"}


def parse_have(text: str) -> dict[str, str | None]:
    """The packages named in `pip freeze` (or `pip list --format=freeze`) output: canonical name -> version
    (None where the line gives none: `name @ URL`, `-e ...#egg=name`). Comments, options and blank lines are skipped."""
    have = {}
    for line in text.splitlines():
        line = line.split(" #", 1)[0].strip()
        if not line or line.startswith("#"): continue
        if line.startswith(("-e ", "--editable")):
            m = re.search(r"[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)", line)
            if m: have[canonicalize_name(m[1])] = None
            continue
        if line.startswith("-"): continue                       # -i, --index-url, -f ...
        m = re.match(r"([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(===?\s*([^\s;]+)|@|$|[<>!~;])", line)
        if not m: continue
        have[canonicalize_name(m[1])] = m[3] if m[3] else None
    return have


def is_have(name: str, have) -> bool:
    n = canonicalize_name(name)
    return n in have or n in NEVER or n in IMPLIED or n.startswith("nvidia-")


def read_lock() -> dict[str, tuple[str, str]]:
    "requirements.lock: canonical name -> (name as written, version)."
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"): continue
        name, _, v = line.partition("==")
        pins[canonicalize_name(name)] = (name, v)
    return pins


def runtime_deps() -> list[str]:
    return list(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"])


def target_env(python: str) -> dict:
    "The marker environment of the target: CPython `python` (X.Y: its newest patch release) on Linux x86_64."
    full = python if python.count(".") == 2 else python + ".99"
    env = dict(default_environment())
    env.update(python_version=".".join(full.split(".")[:2]), python_full_version=full, implementation_name="cpython",
               implementation_version=full, platform_python_implementation="CPython", sys_platform="linux",
               platform_system="Linux", os_name="posix", platform_machine="x86_64", platform_release="", platform_version="")
    return env


# ------------------------------------------------------------------------------------------- the walk

def closure(installs: dict[str, dict], top: list[str], have, env: dict) -> tuple[dict[str, dict], list[Requirement]]:
    """The packages to bundle: the graph that pip resolved (`installs`: canonical name -> {"name", "version",
    "requires_dist"}) walked from the requirements `top`, markers evaluated in `env` (the target's), not entering
    what the target has. Also the requirements that apply to the target but that pip did not resolve (it
    evaluated markers for its own Python): they need another resolution."""
    seen: dict[str, set[str]] = {}
    missing: list[Requirement] = []
    stack = [Requirement(r) for r in top]
    while stack:
        req = stack.pop()
        name = canonicalize_name(req.name)
        if is_have(name, have): continue
        if name not in installs:
            missing.append(req); continue
        extras = {""} | {canonicalize_name(e) for e in req.extras}
        new = extras - seen.setdefault(name, set())
        if not new: continue
        seen[name] |= new
        for rs in installs[name].get("requires_dist") or []:
            r = Requirement(rs)
            if any((e == "" if r.marker is None else r.marker.evaluate({**env, "extra": e})) for e in new):
                stack.append(r)
    return {n: installs[n] for n in seen}, missing


# ---------------------------------------------------------------------------------------------- pip

def pip(args: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pip", "--disable-pip-version-check", *args],
                          capture_output=True, text=True)


def target_opts(python: str) -> list[str]:
    full = python if python.count(".") == 2 else python + ".99"      # X.Y: its newest patch release (Requires-Python >=3.11.5)
    opts = ["--only-binary=:all:", "--implementation", "cp", "--python-version", full]
    for p in MANYLINUX: opts += ["--platform", p]
    return opts


def pip_error(out: str, n=25) -> str:
    lines = [l for l in out.splitlines() if l.strip() and "is ignored: it is neither a file nor a directory" not in l]
    return "\n".join(lines[-n:])


NETWORK = r"NewConnectionError|ConnectTimeoutError|ReadTimeoutError|Could not fetch URL|Max retries exceeded|Temporary failure in name resolution|ProxyError|SSLError"


def resolve(top: list[str], constraints: dict[str, str], python: str, links: Path, tmp: Path):
    "pip's resolution for the target: (ok, pip's output, {canonical name: install entry of the report})."
    (tmp / "top.txt").write_text("\n".join(top) + "\n")
    (tmp / "constraints.txt").write_text("".join(f"{n}=={v}\n" for n, v in sorted(constraints.items())))
    report = tmp / "report.json"
    r = pip(["install", "--dry-run", "--ignore-installed", "--report", str(report), "--target", str(tmp / "target"),
             *target_opts(python), "--find-links", str(links), "-r", str(tmp / "top.txt"), "-c", str(tmp / "constraints.txt")])
    if r.returncode != 0: return False, r.stdout + r.stderr, {}
    installs = {}
    for item in json.loads(report.read_text())["install"]:
        md = item["metadata"]
        installs[canonicalize_name(md["name"])] = {
            "name": md["name"], "version": md["version"], "requires_dist": md.get("requires_dist", []),
            "file": unquote(Path(urlparse(item["download_info"]["url"]).path).name)}
    return True, "", installs


def build_pure_wheel(spec: str, out: Path, tmp: Path) -> str | None:
    "A pure-Python wheel (py3-none-any) built here from `spec`'s sdist into `out`; its file name, or None."
    d = tmp / "build"
    shutil.rmtree(d, ignore_errors=True)
    r = pip(["wheel", "--no-deps", "--no-binary=:all:", "-w", str(d), spec])
    wheels = list(d.glob("*.whl")) if r.returncode == 0 else []
    if len(wheels) != 1: return None
    _, _, _, tags = parse_wheel_filename(wheels[0].name)
    if not all(t.abi == "none" and t.platform == "any" and t.interpreter.startswith("py") for t in tags): return None
    shutil.move(str(wheels[0]), out / wheels[0].name)
    return wheels[0].name


# --------------------------------------------------------------------------------------------- main

def bundle(python: str, have: dict[str, str | None], default_have: bool, out: Path, jupyterlab: bool = False) -> int:
    t0 = time.monotonic()
    import pip as _pip
    if tuple(int(x) for x in re.findall(r"\d+", _pip.__version__)[:2]) < (22, 2):
        raise Failed(f"pip {_pip.__version__} is too old for its --dry-run --report (22.2 or newer): {sys.executable} -m pip install -U pip")
    lock = read_lock()
    skip = set() if jupyterlab else HEADLESS_SKIP
    top = [r for r in runtime_deps() if not is_have(Requirement(r).name, have) and canonicalize_name(Requirement(r).name) not in skip]
    # constraints: the lock's pins for what we bundle; the target's versions for what it has (the default
    # have-list: the lock's versions, the tested set). torch and nvidia-* are never resolved (nothing here needs them).
    pins = {n: v for n, (_, v) in lock.items() if not is_have(n, have)}
    fixed = {}
    for n in have:
        if n in NEVER or n.startswith("nvidia-"): continue
        v = (lock[n][1] if n in lock else None) if default_have else have[n]
        if v: fixed[n] = v.split("+")[0]                        # 2.4.1+local -> 2.4.1 (a local build of that release)
    out.mkdir(parents=True, exist_ok=True)
    notes, tried = [], set()
    with tempfile.TemporaryDirectory(prefix="gpu_bundle-") as t:
        tmp = Path(t)
        for attempt in range(40):
            say(f"resolving for CPython {python}, manylinux x86_64 ({len(top)} requirements, attempt {attempt + 1})")
            ok, log, installs = resolve(top, {**pins, **fixed}, python, out, tmp)
            if ok:
                need, missing = closure(installs, top, have, target_env(python))
                if not missing: break
                for r in missing:                              # needed on the target's Python only: resolve them too
                    r.marker = None
                    top.append(str(r))
                    say(f"{r} applies on Python {python}: added")
                continue
            if re.search(NETWORK, log):
                raise Failed(f"cannot reach the package index; this needs PyPI (pip's output:)\n{pip_error(log)}")
            progress = False
            for name, v in re.findall(r"The user requested \(constraint\) ([A-Za-z0-9._-]+)==(\S+)", log):
                n = canonicalize_name(name)
                if n not in pins: continue                     # the target's own version: kept
                if n not in tried:                             # no wheel of this pin for the target? its sdist may build one
                    tried.add(n)
                    f = build_pure_wheel(f"{lock[n][0]}=={v}", out, tmp)
                    if f:
                        notes.append(f"{lock[n][0]}=={v} has no wheel on the index: built {f} from its sdist")
                        progress = True; continue
                del pins[n]
                notes.append(f"requirements.lock's {lock[n][0]}=={v} does not fit CPython {python} (no wheel, or a conflict): pip's choice is bundled")
                progress = True
            if not progress:                                   # a conflict that names no pin as a constraint: free the
                for name, v in re.findall(r"^\s+([A-Za-z0-9._-]+) (\S+) depends on ", log, re.M):   # pinned packages pip names
                    n = canonicalize_name(name)
                    if n in pins and pins[n] == v:
                        del pins[n]; progress = True
                        notes.append(f"requirements.lock's {lock[n][0]}=={v} conflicts with the target's packages: pip's choice is bundled")
            for spec in re.findall(r"No matching distribution found for (\S+)", log):
                n = canonicalize_name(Requirement(spec).name)
                if n in pins or n in tried or is_have(n, have): continue
                tried.add(n)
                f = build_pure_wheel(spec, out, tmp)
                if f: notes.append(f"{spec} has no wheel on the index: built {f} from its sdist"); progress = True
            if not progress:                                   # last: a version of the target's that the index lacks for it
                for name, v in re.findall(r"The user requested \(constraint\) ([A-Za-z0-9._-]+)==(\S+)", log):
                    n = canonicalize_name(name)
                    if n in fixed:
                        del fixed[n]; progress = True
                        notes.append(f"the target's {name}=={v} has no wheel on the index for CPython {python} (or conflicts): "
                                     "the bundle was not checked against it")
            if not progress:
                raise Failed(f"pip cannot resolve the bundle for CPython {python}:\n{pip_error(log)}")
        else:
            raise Failed("the resolution did not settle in 40 attempts")

    bad = sorted(n for n in need if n in NEVER or n.startswith("nvidia-"))
    assert not bad, bad                                       # is_have keeps them out
    files = {n: need[n]["file"] for n in need}
    reqs = sorted(f"{need[n]['name']}=={need[n]['version']}" for n in need)
    say(f"{len(reqs)} packages to bundle; downloading the ones not already in {out}")
    with tempfile.NamedTemporaryFile("w", suffix=".txt") as f:
        f.write("\n".join(reqs) + "\n"); f.flush()
        r = pip(["download", "--no-deps", *target_opts(python), "--find-links", str(out), "-d", str(out), "-r", f.name])
    if r.returncode != 0:
        raise Failed(f"pip download failed:\n{pip_error(r.stdout + r.stderr)}")
    fetched = len(re.findall(r"^Saved ", r.stdout, re.M))
    absent = sorted(fn for fn in files.values() if not (out / fn).is_file())
    if absent:
        raise Failed(f"pip download did not leave these wheels in {out}: {', '.join(absent)}")
    keep = set(files.values())
    stale = [p for p in out.glob("*.whl") if p.name not in keep]
    for p in stale: p.unlink()                                # an earlier bundle's (another Python, other pins)
    have_desc = "the default have-list (a CUDA PyTorch image)" if default_have else f"a have-list of {len(have)} packages"
    header = [f"# The wheels in this folder, for CPython {python} on manylinux x86_64 (glibc >= 2.28), made by",
              f"# scripts/gpu_bundle.sh --python {python} for {have_desc}. Install them where there is no",
              "# internet, beside the environment's torch: bash scripts/gpu_check.sh --wheels THIS_FOLDER",
              f"# python: {'.'.join(python.split('.')[:2])}"]
    (out / "requirements.txt").write_text("\n".join(header + reqs) + "\n")
    size = sum((out / fn).stat().st_size for fn in keep)
    for n in notes: say("note:", n)
    if stale: say(f"removed {len(stale)} wheels of an earlier bundle from {out}")
    say(f"{fetched} wheels downloaded, {len(keep) - fetched} reused, in {time.monotonic() - t0:.0f} s")
    say(f"bundle: {len(keep)} wheels, {size / 2**20:.1f} MiB ({size / 1e6:.1f} MB) in {out}, for CPython {python}; requirements.txt lists them")
    if default_have and not jupyterlab and size > BUDGET_MB * 1e6:
        print(f"error: the bundle is {size / 1e6:.1f} MB, over its {BUDGET_MB} MB budget: look at what new pins in requirements.lock pulled in", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        opts = parse_args(argv)
    except Refused as e:
        print(f"error: {e}", file=sys.stderr); return 2
    if opts["help"]:
        print(__doc__.split("\n\n")[0] + "\n\n" + USAGE); return 0
    if opts["have"] is None: have, default_have = {canonicalize_name(n): None for n in DEFAULT_HAVE}, True
    else: have, default_have = parse_have(Path(opts["have"]).read_text()), False
    try:
        return bundle(opts["python"], have, default_have, Path(opts["out"]).resolve(), opts["jupyterlab"])
    except Failed as e:
        print(f"error: {e}", file=sys.stderr); return 1


if __name__ == "__main__":
    sys.exit(main())
