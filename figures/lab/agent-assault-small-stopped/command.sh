# The small-agent profile as it was then (2,500 / 200 / 100 denoiser, 1,000 / 100 reward-end updates; config.json has
# every number); stopped by hand after epoch 4, when its test games had fallen far below a random player's.
.venv/bin/python -m diamond.train --profile small-agent --game Assault --run-dir runs/agent-assault-small \
  --set denoiser_optim.steps_first_epoch=2500 denoiser_optim.steps_per_epoch=200 rew_end_optim.steps_per_epoch=100
