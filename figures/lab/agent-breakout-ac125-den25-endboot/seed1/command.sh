# A third lever of the small-agent-pretrained profile on Breakout (issue: an agent that learns every time), on top of
# the first (25 denoiser and 125 actor-critic updates an epoch after the first epoch): a dreamed end no longer stops
# the λ-return; the return goes on with the critic's value of the frame the dream ended on
# (actor_critic_loss.dream_ends=bootstrap, chapter 10). Why: in every world model measured, the dream's ends fell on
# play the game does not end (a still next frame, a held action, a ball waiting to be served) and each run's own
# policy learned to meet the fewest of them, not to keep the ball in play (../../agent-breakout-ac125-den25-ent5/
# dream_teacher_check*.json). Seed 1 first: it failed under the profile, the first lever and the entropy lever.
# Started 2026-12-07 on 2 cores of an AMD EPYC with AVX-512 BF16.
.venv/bin/diamond train --profile small-agent-pretrained --game Breakout --seed 1 \
    --set denoiser_optim.steps_per_epoch=25 actor_critic_optim.steps_per_epoch=125 actor_critic_loss.dream_ends=bootstrap \
    --run-dir runs/agent-breakout-ac125-den25-endboot/seed1 --no-progress
# after a stop or a kill (the run folder must be the same one):
.venv/bin/diamond train --run-dir runs/agent-breakout-ac125-den25-endboot/seed1 --resume --no-progress
