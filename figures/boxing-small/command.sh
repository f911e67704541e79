# The small Boxing figure: one EDM world model trained 3,000 updates (bfloat16) on 20,000 steps of a random
# player's Boxing games, then n = 1 and n = 3 samples from 16 held-out contexts. Lands in figures/boxing-small/.
.venv/bin/python -m diamond.reproduce boxing --profile small --out runs/boxing-random-small \
    --param collect_steps=20000 train_steps=3000 contexts=16 samples=4 policy='"random"'
# The expert-data comparison in figures/README.md: the same with policy '"expert"' and train_steps=4500, stopped at 2,500.
