#!/usr/bin/env bash
# The wheels a GPU machine without internet needs to run the kit: the kit's runtime dependencies
# (pyproject.toml) and theirs, at requirements.lock's versions, for the target's Python (CPython,
# manylinux x86_64, wheels only), less what the target already has. The wheels and a requirements.txt
# of their pins go to wheelhouse/ (git ignores it); copy that folder to the GPU machine, then there:
#   bash scripts/gpu_check.sh --wheels wheelhouse ...   (installs them beside its torch, runs the check)
# Safe to run again: wheels already in the folder are reused, those of an earlier bundle removed.
#   bash scripts/gpu_bundle.sh                       # for Python 3.12 on a CUDA PyTorch image that has torch,
#                                                    # numpy, scipy, pandas, statsmodels, opencv-python-headless,
#                                                    # matplotlib and pillow (110 wheels, 58 MiB; never torch or nvidia-*)
#   bash scripts/gpu_bundle.sh --python 3.11 --have freeze.txt --out DIR   # freeze.txt: the target's `pip freeze`
# Needs PyPI. The work is done by scripts/gpu_bundle.py, run by .venv's Python (scripts/setup.sh), else python3.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)          # no cd: relative --have and --out paths are the caller's
if [ -x "$root/.venv/bin/python" ]; then PY=$root/.venv/bin/python; else PY=python3; fi
exec "$PY" "$root/scripts/gpu_bundle.py" "$@"
