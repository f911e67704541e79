.venv/bin/python -m diamond.train --profile small-agent-pretrained --game Breakout --run-dir runs/agent-breakout-warm --set denoiser_optim.steps_first_epoch=1500 --set rew_end_optim.steps_first_epoch=1000
# stopped after epoch 13 of 20 (the test games had fallen to 0.4); this continues it:
.venv/bin/python -m diamond.train --run-dir runs/agent-breakout-warm --resume
