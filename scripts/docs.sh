#!/usr/bin/env bash
# The kit's website: the chapters with their saved outputs (never executed here), the Start, Course and
# Results pages, and each module's API, built by Sphinx (myst-nb, the book theme) into _docs/.
#   bash scripts/docs.sh                 build into _docs/ (open _docs/index.html)
#   bash scripts/docs.sh --serve         build, then serve it on http://127.0.0.1:8000 (--port N for another)
#   bash scripts/docs.sh --out DIR       build somewhere else
#   bash scripts/docs.sh --setup-only    install the website's packages, build nothing
# Sets up .venv first (scripts/setup.sh), then installs the `docs` extra's locked set
# (requirements-docs.lock) beside the kit's, once. The main job does not need these packages.
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in -h|--help) sed -n '2,9p' "$0"; exit 0 ;; esac
bash scripts/setup.sh
stamp=.venv/.diamond-docs-stamp
want=$(cat pyproject.toml requirements.lock requirements-docs.lock | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "docs: installing the website's locked packages (requirements-docs.lock: sphinx, myst-nb, ...) into .venv"
  # -c requirements.lock: the kit's own packages keep their locked versions
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -r requirements-docs.lock
  echo "$want" > "$stamp"
fi
if [ "${1:-}" = --setup-only ]; then exit 0; fi
exec .venv/bin/python scripts/docs.py "$@"
