.venv/bin/python -m diamond.train --profile small-agent --game CrazyClimber --run-dir runs/agent-crazyclimber-small
.venv/bin/python -m diamond.train --run-dir runs/agent-crazyclimber-small --resume     # after a kill (it spans sessions)
