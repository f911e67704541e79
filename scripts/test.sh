#!/usr/bin/env bash
# The tests, in tiers:
#   bash scripts/test.sh           the test command (CI): notebooks and package in sync, every chapter runs
#                                  (cells flagged slow or gpu skipped; the figure chapters 20 and 21 through
#                                  their --smoke twins in pytest), then pytest without the slow checks
#   bash scripts/test.sh --unit    the unit tier alone: pytest without integration and slow tests (about a minute)
#   bash scripts/test.sh --full    everything: the test command, then the chapters' slow cells and the slow tests
#   --emulate-avx2 (with any of the above): torch's and oneDNN's kernels restricted to AVX2, so that a CPU with
#                                  bfloat16 instructions computes as one without them (chapter 14): how the test
#                                  command's time on such a CPU is measured where none is at hand
# Each sets up .venv first (scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
tier=default
for arg in "$@"; do
  case "$arg" in
    --unit) tier=unit ;;
    --full) tier=full ;;
    --emulate-avx2) export ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "error: unknown option '$arg'; give --unit, --full, --emulate-avx2 or nothing (--help says what each runs)" >&2
       exit 2 ;;
  esac
done
bash scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"
PYTEST=(python -m pytest tests/ -q -p no:cacheprovider -n auto --maxprocesses 4 --dist loadfile --no-loadscope-reorder --durations 15)

if [ "$tier" = unit ]; then
  echo "== pytest, unit tier: tests not marked integration or slow, one process per core"
  "${PYTEST[@]}" -m "not integration and not slow"
  exit 0
fi

bash scripts/setup_browser.sh   # Chromium for the play chapter's browser test
bash scripts/docs.sh --setup-only   # the website's packages, for its browser test (tests/test_docs_site.py)
unset IN_TEST   # nbdev-export does nothing when IN_TEST is set

echo "== nbdev-clean, nbdev-export: notebooks and package must already be in sync"
nbdev-clean
nbdev-export
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  changed=$(git status --porcelain -- nbs diamond)
  if [ -n "$changed" ]; then
    echo "error: nbdev-clean / nbdev-export changed these files:" >&2
    echo "$changed" >&2
    git --no-pager diff --stat -- nbs diamond >&2 || true
    echo "fix: run 'nbdev-export && nbdev-clean' and commit the notebooks and the package together" >&2
    exit 1
  fi
else
  echo "warning: not a git checkout, the sync check is skipped" >&2
fi

# Chapters with cheaper twins in pytest, run at lesson size in --full: the figure chapters (107 s and 50 s under
# nbdev-test on two cores) through `diamond reproduce <experiment> --smoke` (tests/test_reproduce.py), and chapter 14
# (165-176 s; its twin trains smaller world models: tests/test_chapter_twins.py, which checks that this list names
# exactly those chapters).
TWINNED_CHAPTERS='^(14_compute|20_fig_compounding_error|21_fig_boxing_multimodality)[.]ipynb$'

echo "== nbdev-test: every chapter runs (cells flagged slow or gpu skipped; chapters 14, 20, 21 as pytest twins)"
nbdev-test --n-workers 2 --skip-file-re "^[_.]|$TWINNED_CHAPTERS"

echo "== pytest: unit and integration tiers, test files side by side, one process per core (at most 4), one thread each (settings.ini test_threads); slow tests left out"
"${PYTEST[@]}" -m "not slow"

if [ "$tier" = full ]; then
  echo "== the slow checks: every chapter with its #| slow cells (chapters 20 and 21 at lesson size), then pytest -m slow"
  nbdev-test --n-workers 2 --flags slow
  "${PYTEST[@]}" -m slow
fi
