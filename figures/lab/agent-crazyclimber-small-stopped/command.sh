.venv/bin/python -m diamond.train --profile small-agent --game CrazyClimber --run-dir runs/agent-crazyclimber-small
.venv/bin/python -m diamond.train --run-dir runs/agent-crazyclimber-small --resume     # after a kill (it spans sessions)
# the analysis, after epoch 8 (epoch 6's checkpoints/agent.pt and epoch 5's state.pt.bk copied aside when they were the latest):
.venv/bin/python -m diamond.probe runs/agent-crazyclimber-small --actions                              # actions-epoch8.json
.venv/bin/python -m diamond.probe agent6.pt --swap state5.pt --config runs/agent-crazyclimber-small/config.json \
    --dataset runs/agent-crazyclimber-small/dataset/train                                             # swap-epochs6-5.json
