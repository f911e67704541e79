.venv/bin/python -m diamond.train --profile small-agent-pretrained --game Breakout --seed 1 --run-dir runs/agent-breakout-small-seed1 --no-progress
# to finish it (the session ended during its run):
.venv/bin/python -m diamond.train --profile small-agent-pretrained --game Breakout --seed 1 --run-dir runs/agent-breakout-small-seed1 --resume --no-progress
