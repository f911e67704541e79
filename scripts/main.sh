#!/usr/bin/env bash
# The main job: set up .venv, then run the kit's chapters as papermill batch jobs into a
# run folder (default runs/main-<profile>-s<seed>/). Extra arguments go to
# `python -m diamond.main` (for example --profile paper --seed 1 --set sampler.num_steps_denoising=10).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python -m diamond.main "$@"
