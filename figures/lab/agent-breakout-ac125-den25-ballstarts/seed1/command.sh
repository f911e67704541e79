# A fourth lever of the small-agent-pretrained profile on Breakout (issue: an agent that learns every time), on top of
# the first (25 denoiser and 125 actor-critic updates an epoch after the first epoch): dreams start only from windows
# whose last frame shows the ball (world_model_env.starts=ball_in_play, chapter 09). Why: the small world model never
# serves, so a dream that starts on a waiting ball stays without one; in the dreams of the third lever's seed 1 after
# epoch 5 the reward per chunk doubled (0.020-0.031 -> 0.051-0.059) and the ends halved (0.34-0.59 -> 0.18-0.27)
# under this rule (../screen_epoch5_*.json). Seed 1 first: it failed under the profile and the three earlier levers.
# Started 2026-12-07 on 2 cores of an AMD EPYC with AVX-512 BF16.
.venv/bin/diamond train --profile small-agent-pretrained --game Breakout --seed 1 \
    --set denoiser_optim.steps_per_epoch=25 actor_critic_optim.steps_per_epoch=125 world_model_env.starts=ball_in_play \
    --run-dir runs/agent-breakout-ac125-den25-ballstarts/seed1 --no-progress
# after a stop or a kill (the run folder must be the same one):
.venv/bin/diamond train --run-dir runs/agent-breakout-ac125-den25-ballstarts/seed1 --resume --no-progress
