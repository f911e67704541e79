#!/usr/bin/env bash
# Set up the kit: a virtual environment in .venv with the exact, locked set of packages
# (requirements.lock) and the kit itself in editable mode with its dev extras. Safe to run
# again: it reinstalls only when pyproject.toml or requirements.lock changed since the last
# successful install.
#   Python 3.11, 3.12 or 3.13: `python3` when it is one of them, else the first of python3.11,
#   python3.12, python3.13 found; PYTHON=/path/to/python3.X bash scripts/setup.sh to choose.
#   On 3.12 and 3.13 pip downloads torch from PyPI (on Linux the CUDA build: about 0.5 GB plus
#   several GB of CUDA libraries); on the kit's CPU machines 3.11 takes a local CPU wheel.
set -euo pipefail
cd "$(dirname "$0")/.."

SUPPORTED="3.11 3.12 3.13"
py_version() { "$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null; }
supported() { local v; v=$(py_version "$1") && [[ " $SUPPORTED " == *" $v "* ]]; }

find_python() {
  if [ -n "${PYTHON:-}" ]; then
    if ! command -v "$PYTHON" >/dev/null 2>&1; then
      echo "error: PYTHON=$PYTHON is not a program on this machine; give the path of a Python $SUPPORTED" >&2; return 1
    fi
    local v
    if ! v=$(py_version "$PYTHON"); then
      echo "error: PYTHON=$PYTHON does not run as a Python (a pyenv shim of a version not selected?); give the interpreter's path" >&2; return 1
    fi
    if ! supported "$PYTHON"; then
      echo "error: PYTHON=$PYTHON is Python $v; the kit supports $SUPPORTED" >&2; return 1
    fi
    echo "$PYTHON"; return 0
  fi
  for c in python3 python3.11 python3.12 python3.13; do
    if command -v "$c" >/dev/null 2>&1 && supported "$c"; then echo "$c"; return 0; fi
  done
  echo "error: no Python $SUPPORTED found; install one or set PYTHON=/path/to/python3.X" >&2
  return 1
}

if [ ! -x .venv/bin/python ]; then
  PY=$(find_python) || exit 1
  echo "setup: creating .venv with $PY (Python $(py_version "$PY"))"
  "$PY" -m venv .venv
elif ! supported .venv/bin/python; then
  echo "error: .venv holds Python $(py_version .venv/bin/python); the kit supports $SUPPORTED: remove .venv and run again" >&2
  exit 1
fi

stamp=.venv/.diamond-install-stamp
want=$(cat pyproject.toml requirements.lock | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: installing the locked set (requirements.lock: torch==2.13.0, ...) and the kit into .venv (Python $(py_version .venv/bin/python))"
  # the kit's distribution was named "diamond" until it took "diamond-kit": drop that old editable install of this checkout
  if .venv/bin/python -m pip show diamond 2>/dev/null | grep -qx "Editable project location: $PWD"; then
    echo "setup: removing this checkout's install under its old distribution name, diamond"
    .venv/bin/python -m pip uninstall --quiet --yes diamond
  fi
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.lock -e ".[dev]"
  echo "$want" > "$stamp"
fi
