# A seventh lever of the small-agent-pretrained profile on Breakout (issue: an agent that learns every time): the sixth
# lever (125 actor-critic updates an epoch, dreams started on a ball in play) with the denoiser frozen: no denoiser
# updates in the loop, so the dreams keep the shipped world model's catch. Why: replaying the expert's real catches
# (lead 4) on the sixth lever's world models, the shipped one draws 0.42 of them as catches, its epoch-2 one 0.13,
# and epochs 4-20 0.06-0.16: the loop's fine-tuning on the agent's own play erases the catch within two epochs
# (../../agent-breakout-ac125-den100-ballstarts/replay_epochs/). The reward/end model and the actor-critic train as
# before. Seed 1 first: it failed under the profile and six levers.
# Started 2026-12-08 on 2 cores of an AMD EPYC with AVX-512 BF16.
.venv/bin/diamond train --profile small-agent-pretrained --game Breakout --seed 1 \
    --set actor_critic_optim.steps_per_epoch=125 world_model_env.starts=ball_in_play \
    denoiser_optim.steps_first_epoch=0 denoiser_optim.steps_per_epoch=0 \
    --run-dir runs/agent-breakout-ac125-den0-ballstarts/seed1 --no-progress
# after a stop or a kill (the run folder must be the same one):
.venv/bin/diamond train --run-dir runs/agent-breakout-ac125-den0-ballstarts/seed1 --resume --no-progress
