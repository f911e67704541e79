.venv/bin/python -m diamond.train --profile small-agent-pretrained --game Breakout --run-dir runs/agent-breakout-rew32 --no-progress
# the probes (the run paused with SIGSTOP while they ran, after epochs 2 and 14, and after the run):
.venv/bin/python -m diamond.probe runs/agent-breakout-rew32 --actions --dreams 128 --out PROBE_DIR   # actions-epoch2.json (rewards only: before ends were counted), actions-epoch14.json, actions-final.json
.venv/bin/python -m diamond.probe runs/agent-breakout-rew32 --actions --dreams 128 --denoising-steps 3 --out PROBE_DIR   # actions-final-3steps.json
