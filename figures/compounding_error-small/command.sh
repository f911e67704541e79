# The small compounding-error figure: EDM and DDPM, 3,000 updates each (bfloat16) on 20,000 expert Breakout steps,
# 8 held-out starts dreamt 100 steps with n = 1, 2, 3, 5, 10. The figures land in figures/compounding_error-small/.
.venv/bin/python -m diamond.reproduce compounding_error --profile small --out runs/compounding_error-small \
    --param collect_steps=20000 train_steps=3000 horizon=100 trajectories=8
