.venv/bin/python -m diamond.train --profile small-agent-pretrained --game Breakout --run-dir runs/agent-breakout-pretrained
.venv/bin/python -m diamond.train --run-dir runs/agent-breakout-pretrained --resume        # continues it (finished after 20 epochs; it was stopped after epoch 11 and resumed)
.venv/bin/python -m diamond.probe runs/agent-breakout-pretrained --actions --dreams 128     # the final checkpoint: actions-final.json
