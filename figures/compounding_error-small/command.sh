# The small compounding-error figure: EDM and DDPM, 6,000 updates each (bfloat16) on 20,000 expert Breakout steps,
# 8 held-out starts dreamt 100 steps with n = 1, 2, 3, 5, 10. The figures land in figures/compounding_error-small/.
# About 3 h 10 min on 2 CPU cores (EDM 121 min at 1.21 s per update, DDPM 64 min at 0.64 s, then the rollouts);
# interrupted, the same command continues it from the last of its checkpoints (every 500 updates).
.venv/bin/python -m diamond.reproduce compounding_error --profile small --out runs/compounding_error-small \
    --param collect_steps=20000 train_steps=6000 horizon=100 trajectories=8
