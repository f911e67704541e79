# How serve_learning.jsonl was made (2026-12-07, 2 cores of an AMD EPYC with AVX-512 BF16, the run paused meanwhile):
# the second lever's seed 1 after its first epoch (its agent.pt copied then), fine-tuned on the run's 5,400 real steps
# at that point, 600 more denoiser updates at the profile's learning rate and at ten times it.
R=runs/agent-breakout-ac125-den25-ent5/seed1
for lr in 0.0001 0.001; do
  .venv/bin/python figures/lab/agent-breakout-ac125-den25-ent5/serve_learning.py --checkpoint /tmp/epoch1.pt \
      --config $R/config.json --data $R/dataset/train --updates 600 --every 150 --lr $lr \
      --out figures/lab/agent-breakout-ac125-den25-ent5/serve_learning.jsonl
done
