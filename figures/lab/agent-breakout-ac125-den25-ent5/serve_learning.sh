# How serve_learning.jsonl was made (2026-12-07, 2 cores of an AMD EPYC with AVX-512 BF16, the run paused meanwhile):
# the second lever's seed 1 after its first epoch (its agent.pt copied then to /tmp/epoch1.pt; /tmp/epoch0.pt is the
# copy made before it, the shipped world model), fine-tuned on the run's 5,400 real steps at that point, 600 more
# denoiser updates at the profile's learning rate and at ten times it.
R=runs/agent-breakout-ac125-den25-ent5/seed1
for lr in 0.0001 0.001; do
  .venv/bin/python figures/lab/agent-breakout-ac125-den25-ent5/serve_learning.py --checkpoint /tmp/epoch1.pt \
      --config $R/config.json --data $R/dataset/train --updates 600 --every 150 --lr $lr \
      --out figures/lab/agent-breakout-ac125-den25-ent5/serve_learning.jsonl
done

# The longer try (serve_learning_long.jsonl): the shipped world model (what every run starts from) fine-tuned 2,500
# updates on 20,000 fresh random-player steps at 1e-3 (100 warm-up updates, the last 1,000 falling to 0), the serve
# checked on the waiting windows of 5 held-out random games, and 32 of their windows dreamt (paddle and ball kept).
.venv/bin/diamond collect --game Breakout --policy random --steps 20000 --out runs/serve-learning/random20k --seed 7
.venv/bin/diamond collect --game Breakout --policy random --episodes 5 --test --out runs/serve-learning/random-test5 \
    --seed 1007
.venv/bin/python figures/lab/agent-breakout-ac125-den25-ent5/serve_learning.py --checkpoint /tmp/epoch0.pt \
    --config $R/config.json --data runs/serve-learning/random20k --held-out runs/serve-learning/random-test5 \
    --updates 2500 --every 500 --lr 0.001 --cooldown 1000 \
    --out figures/lab/agent-breakout-ac125-den25-ent5/serve_learning_long.jsonl
