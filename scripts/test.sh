#!/usr/bin/env bash
# All tests: set up .venv; check that nbdev-clean and nbdev-export change nothing (notebooks
# clean, package in sync with them); run every notebook with nbdev-test; run pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/setup_browser.sh   # Chromium for the play chapter's browser test
export PATH="$PWD/.venv/bin:$PATH"
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

echo "== nbdev-test: every chapter runs (cells flagged slow or gpu are skipped)"
nbdev-test --n-workers 2

echo "== pytest: the test files side by side, one process per core (at most 4), one thread each (settings.ini test_threads); tests marked slow are left out (pytest -m slow runs them)"
python -m pytest tests/ -q -p no:cacheprovider -n auto --maxprocesses 4 --dist loadfile -m "not slow"
