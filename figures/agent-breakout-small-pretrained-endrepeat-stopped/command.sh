.venv/bin/python -m diamond.train --profile small-agent-pretrained --game Breakout --run-dir runs/agent-breakout-endrepeat --no-progress
# the probe (the run paused with SIGSTOP while it ran, after epoch 1):
.venv/bin/python -m diamond.probe runs/agent-breakout-endrepeat --actions --dreams 128 --out PROBE_DIR   # actions-epoch1.json
