# A sixth lever of the small-agent-pretrained profile on Breakout (issue: an agent that learns every time): the first
# lever's 125 actor-critic updates an epoch and the fourth's dreams started on a ball in play, with the profile's 100
# denoiser updates an epoch kept (the first lever had cut them to 25). Why: in the fourth lever's dreams a paddle under
# the ball saved it 17-29% of the time against 92-95% in the game, and 500 more denoiser updates on that run's data
# raised it (lost with the paddle near: held LEFT 0.71 -> 0.32, shipped agent 0.74 -> 0.59;
# ../../agent-breakout-ac125-den25-afterserve/README.md). Seed 1 first: it failed under the profile and five levers.
# The agent (with its world model) after every epoch is kept, for the catch measure on each.
# Started 2026-12-07 on 2 cores of an AMD EPYC with AVX-512 BF16.
.venv/bin/diamond train --profile small-agent-pretrained --game Breakout --seed 1 \
    --set actor_critic_optim.steps_per_epoch=125 world_model_env.starts=ball_in_play training.keep_agent_every=1 \
    --run-dir runs/agent-breakout-ac125-den100-ballstarts/seed1 --no-progress
# after a stop or a kill (the run folder must be the same one):
.venv/bin/diamond train --run-dir runs/agent-breakout-ac125-den100-ballstarts/seed1 --resume --no-progress
