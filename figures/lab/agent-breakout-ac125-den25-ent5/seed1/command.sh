# A second lever of the small-agent-pretrained profile on Breakout, on top of the first (denoiser 25,
# actor-critic 125 updates an epoch): the entropy weight of the actor-critic's loss 0.005 instead of 0.001.
# Why: every run of seed 1 (the profile's twice, the first lever's once) stopped serving the ball: FIRE on
# 16-18% of its real steps over its first 900 steps after the random ones, then 3-6%, while the runs of
# seed 2 kept pressing it on 7-15%. Without a ball in play no life is lost, in the game or in the dream,
# and the dream's ends per chunk fell from 0.54 to 0.1-0.2 by epoch 4-6 (the runs that learned: 0.4-0.7)
# as the policy's entropy fell to 0.90-0.98 nats. A larger entropy weight holds the policy nearer uniform
# until the dream's rewards, not its missing ends, pull it away. Seed 1 first: it failed under the profile
# (1.75 vs random 1.52) and the first lever (1.25 vs 1.52).
# Started 2026-12-06 on 2 cores of an AMD EPYC with AVX-512 BF16.
.venv/bin/diamond train --profile small-agent-pretrained --game Breakout --seed 1 \
    --set denoiser_optim.steps_per_epoch=25 actor_critic_optim.steps_per_epoch=125 actor_critic_loss.weight_entropy_loss=0.005 \
    --run-dir runs/agent-breakout-ac125-den25-ent5/seed1 --no-progress
# after a stop or a kill (the run folder must be the same one):
.venv/bin/diamond train --run-dir runs/agent-breakout-ac125-den25-ent5/seed1 --resume --no-progress
