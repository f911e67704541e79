# seed 2 of the small-agent-pretrained profile on Breakout (2026-12-06, 2 cores of an AMD EPYC with AVX-512 BF16);
# the run was stopped twice at a session's end and continued both times with
#   .venv/bin/diamond train --run-dir runs/agent-breakout-small-agent-pretrained/seed2 --resume --no-progress
.venv/bin/diamond train --profile small-agent-pretrained --game Breakout --seed 2 \
    --run-dir runs/agent-breakout-small-agent-pretrained/seed2 --no-progress
