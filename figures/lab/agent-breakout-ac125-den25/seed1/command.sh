# A lever of the small-agent-pretrained profile on Breakout (issue: an agent that learns every time):
# the same compute per epoch moved from the world model to the agent. After the first epoch the denoiser
# takes 25 updates an epoch instead of 100 and the actor-critic 125 instead of 100 (the first epoch is the
# profile's: 300 of each): 2,675 actor-critic updates in the run instead of 2,200, 775 denoiser updates
# instead of 2,200. Seed 1: under the profile itself it ended at 1.75 (1.10-2.50), not above the random
# player's 1.52 (1.10-1.98) on the same 40 games.
# Started 2026-12-06 on 2 cores of an AMD EPYC with AVX-512 BF16.
.venv/bin/diamond train --profile small-agent-pretrained --game Breakout --seed 1 \
    --set denoiser_optim.steps_per_epoch=25 actor_critic_optim.steps_per_epoch=125 \
    --run-dir runs/agent-breakout-ac125-den25/seed1 --no-progress
# after a stop or a kill (the run folder must be the same one):
.venv/bin/diamond train --run-dir runs/agent-breakout-ac125-den25/seed1 --resume --no-progress
