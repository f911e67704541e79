# seed 1 of the small-agent-pretrained profile on Breakout, run again under the current code (started 2026-12-06
# 11:45 UTC on 2 cores of an AMD EPYC with AVX-512 BF16; the first run of seed 1, under older code, is in
# figures/lab/agent-breakout-small-seed1-stopped/)
.venv/bin/diamond train --profile small-agent-pretrained --game Breakout --seed 1 \
    --run-dir runs/agent-breakout-small-agent-pretrained/seed1 --no-progress
# the session ended during its run: continue it (the run folder must be the same one) with
.venv/bin/diamond train --run-dir runs/agent-breakout-small-agent-pretrained/seed1 --resume --no-progress
