# seed 1 of the small-agent-pretrained profile on Breakout, run again under the current code (started 2026-12-06
# 11:45 UTC, finished 15:36 on 2 cores of an AMD EPYC with AVX-512 BF16; stopped once at a session's end and
# continued with --resume; the first run of seed 1, under older code, is in figures/lab/agent-breakout-small-seed1-stopped/)
.venv/bin/diamond train --profile small-agent-pretrained --game Breakout --seed 1 \
    --run-dir runs/agent-breakout-small-agent-pretrained/seed1 --no-progress
# after a stop or a kill (the run folder must be the same one):
.venv/bin/diamond train --run-dir runs/agent-breakout-small-agent-pretrained/seed1 --resume --no-progress
