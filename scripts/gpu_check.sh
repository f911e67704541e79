#!/usr/bin/env bash
# The GPU check (chapter 15_gpu_check): agreement of the GPU with the CPU in every precision, compiled
# against eager, CUDA graphs, the benchmark in each precision, a projected Atari 100k run, peak memory,
# two minutes of a real paper-profile run; gpu_check.json and gpu_check.md in the output folder.
# About 6-8 minutes on one GPU. On a CPU it runs what needs no CUDA and says what it left out.
#   bash scripts/gpu_check.sh                            # in .venv (scripts/setup.sh); report in runs/gpu-check/
#   PYTHON=python3 bash scripts/gpu_check.sh             # in an environment that already holds torch and the kit's dependencies
#   bash scripts/gpu_check.sh --out DIR --quick ...      # arguments go to python -m diamond.gpu_check (--help lists them)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "${PYTHON:-}" ]; then
  PY=$PYTHON
  export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"     # the kit from this checkout, without installing it
  "$PY" -c 'import torch, gymnasium, ale_py' 2>/dev/null || {
    echo "error: $PY lacks torch, gymnasium or ale-py; install them (pip install -e .) or leave PYTHON unset to use .venv" >&2; exit 1; }
else
  bash scripts/setup.sh
  PY=.venv/bin/python
fi
args=("$@")
[[ " $* " == *" --out "* || " $* " == *" --out="* || " $* " == *" -h "* || " $* " == *" --help "* ]] || args+=(--out runs/gpu-check)
export PYTHONUNBUFFERED=1
exec "$PY" -m diamond.gpu_check "${args[@]}"
