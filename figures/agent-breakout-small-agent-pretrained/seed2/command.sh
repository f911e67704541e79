# seed 2 of the small-agent-pretrained profile on Breakout (started 2026-12-06 on 2 cores of an AMD EPYC with AVX-512 BF16)
.venv/bin/diamond train --profile small-agent-pretrained --game Breakout --seed 2 \
    --run-dir runs/agent-breakout-small-agent-pretrained/seed2 --no-progress
# the session ended during its run: continue it (the run folder must be the same one) with
.venv/bin/diamond train --run-dir runs/agent-breakout-small-agent-pretrained/seed2 --resume --no-progress
