#!/usr/bin/env bash
# The GPU check (chapter 15_gpu_check): agreement of the GPU with the CPU in every precision, compiled
# against eager, CUDA graphs, the benchmark in each precision, a projected Atari 100k run, peak memory,
# two minutes of a real paper-profile run; gpu_check.json and gpu_check.md in the output folder.
# About 6-8 minutes on one GPU. On a CPU it runs what needs no CUDA and says what it left out.
#   bash scripts/gpu_check.sh                            # in .venv (scripts/setup.sh); report in runs/gpu-check/
#   PYTHON=python3 bash scripts/gpu_check.sh             # in an environment that already holds torch and the kit's dependencies
#   bash scripts/gpu_check.sh --wheels DIR ...           # no internet: first install the wheels of scripts/gpu_bundle.sh from DIR
#                                                        # into $PYTHON's environment (python3 if unset; never .venv), beside its torch
#   bash scripts/gpu_check.sh --out DIR --quick ...      # arguments go to python -m diamond.gpu_check (--help lists them)
set -euo pipefail
caller=$PWD
wheels=""
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --wheels|--wheels=*)
      if [ "$1" = --wheels ]; then
        [ $# -ge 2 ] && [ -n "$2" ] && [[ "$2" != --* ]] || {
          echo "error: --wheels needs a folder; give it as --wheels DIR, the folder scripts/gpu_bundle.sh wrote (wheelhouse/ by default)" >&2; exit 2; }
        wheels=$2; shift 2
      else
        wheels=${1#--wheels=}; shift
        [ -n "$wheels" ] || { echo "error: --wheels= is empty; give it as --wheels DIR, the folder scripts/gpu_bundle.sh wrote" >&2; exit 2; }
      fi ;;
    *) args+=("$1"); shift ;;
  esac
done
cd "$(dirname "$0")/.."

if [ -n "$wheels" ]; then
  [[ "$wheels" == /* ]] || wheels=$caller/$wheels
  [ -d "$wheels" ] || { echo "error: --wheels $wheels: no such folder; copy the folder that scripts/gpu_bundle.sh wrote (wheelhouse/) here and give its path" >&2; exit 2; }
  [ -f "$wheels/requirements.txt" ] || {
    echo "error: --wheels $wheels has no requirements.txt; it is not a bundle of scripts/gpu_bundle.sh: run that (where there is internet) and copy its folder here" >&2; exit 2; }
  PY=${PYTHON:-python3}
  command -v "$PY" >/dev/null 2>&1 || { echo "error: PYTHON=$PY is not a program on this machine; give the path of the Python that has torch" >&2; exit 2; }
  tv=$("$PY" -c 'from importlib.metadata import version; print(version("torch"))' 2>/dev/null) || {
    echo "error: $PY has no torch; --wheels installs the kit's other dependencies beside an environment's torch: set PYTHON to the Python of the GPU image (the one where 'import torch' works)" >&2; exit 2; }
  pv=$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
  bv=$(sed -n 's/^# python: *//p' "$wheels/requirements.txt" | head -1)
  [ -z "$bv" ] || [ "$bv" = "$pv" ] || {
    echo "error: the bundle in $wheels is for Python $bv, $PY is Python $pv; make one for it: bash scripts/gpu_bundle.sh --python $pv" >&2; exit 2; }
  echo "gpu_check: installing the bundle in $wheels into $PY (Python $pv), keeping its torch $tv"
  t0=$SECONDS
  keep=$(mktemp)
  echo "torch==$tv" > "$keep"                  # the install may not replace the environment's torch
  "$PY" -m pip install --disable-pip-version-check --no-index --find-links "$wheels" -r "$wheels/requirements.txt" -c "$keep" || {
    rm -f "$keep"; echo "error: installing the bundle failed (above); where pip names a package the bundle left out, the bundle assumed the target has it: make the bundle with the target's own list, bash scripts/gpu_bundle.sh --python $pv --have FILE (FILE: the output of '$PY -m pip freeze' here)" >&2; exit 1; }
  rm -f "$keep"
  tv2=$("$PY" -c 'from importlib.metadata import version; print(version("torch"))')
  [ "$tv2" = "$tv" ] || { echo "error: the install changed torch from $tv to $tv2" >&2; exit 1; }
  echo "gpu_check: the bundle installed in $((SECONDS - t0)) s; torch $tv unchanged"
  PYTHON=$PY
fi

if [ -n "${PYTHON:-}" ]; then
  PY=$PYTHON
  export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"     # the kit from this checkout, without installing it
  "$PY" -c 'import torch, gymnasium, ale_py' 2>/dev/null || {
    echo "error: $PY lacks torch, gymnasium or ale-py; install them (pip install -e .) or leave PYTHON unset to use .venv" >&2; exit 1; }
else
  bash scripts/setup.sh
  PY=.venv/bin/python
fi
[[ " ${args[*]-} " == *" --out "* || " ${args[*]-} " == *" --out="* || " ${args[*]-} " == *" -h "* || " ${args[*]-} " == *" --help "* ]] || args+=(--out runs/gpu-check)
export PYTHONUNBUFFERED=1
exec "$PY" -m diamond.gpu_check "${args[@]}"
