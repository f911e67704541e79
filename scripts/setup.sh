#!/usr/bin/env bash
# Set up the kit: a virtual environment in .venv (Python 3.11) with the kit installed in
# editable mode and its pinned dependencies (pyproject.toml). Safe to run again: it
# reinstalls only when pyproject.toml changed since the last successful install.
#   PYTHON=/path/to/python3.11 bash scripts/setup.sh   # to choose the interpreter
set -euo pipefail
cd "$(dirname "$0")/.."

find_python() {
  for c in ${PYTHON:-} python3.11 python3 python; do
    if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
      echo "$c"; return 0
    fi
  done
  return 1
}

if [ ! -x .venv/bin/python ]; then
  PY=$(find_python) || { echo "error: no Python 3.11 found; install it or set PYTHON=/path/to/python3.11" >&2; exit 1; }
  echo "setup: creating .venv with $($PY --version)"
  "$PY" -m venv .venv
fi

stamp=.venv/.diamond-install-stamp
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: installing diamond and its pinned dependencies into .venv (torch==2.13.0, CPU wheel where available)"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
  echo "$want" > "$stamp"
fi
