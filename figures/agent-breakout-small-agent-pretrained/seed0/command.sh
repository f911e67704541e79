.venv/bin/python -m diamond.train --profile small-agent-pretrained --game Breakout --run-dir runs/agent-breakout-endrepeat --no-progress
# stopped at a session's end during epoch 18 and continued with the same command and --resume:
.venv/bin/python -m diamond.train --profile small-agent-pretrained --game Breakout --run-dir runs/agent-breakout-endrepeat --resume --no-progress
# the probe (the run paused with SIGSTOP while it ran, after epoch 1):
.venv/bin/python -m diamond.probe runs/agent-breakout-endrepeat --actions --dreams 128 --out PROBE_DIR   # actions-epoch1.json
# a blind player with the trained agent's action frequencies in its 40 final games (NOOP/FIRE/RIGHT/LEFT), 40 test games:
.venv/bin/python figures/agent-breakout-small-agent-pretrained/seed0/blind_policy_check.py 0.137,0.072,0.275,0.516 0   # mean 1.25, 95% interval (0.73, 1.83)
