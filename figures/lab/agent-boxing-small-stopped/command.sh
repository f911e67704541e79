.venv/bin/python -m diamond.train --profile small-agent --game Boxing --run-dir runs/agent-boxing-small
.venv/bin/python -m diamond.train --run-dir runs/agent-boxing-small --resume     # after a kill (it spans sessions)
.venv/bin/python -m diamond.probe runs/agent-boxing-small --actions             # after epoch 1: actions-epoch1.json
