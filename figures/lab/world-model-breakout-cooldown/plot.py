"""cooldown.png: chapter 07's ball metrics and the replayed catch of the shipped world model against the updates of its
cooled continuation (`metrics.jsonl`, `replay/`). Run from the repository root:
.venv/bin/python figures/lab/world-model-breakout-cooldown/plot.py"""

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

here = Path(__file__).parent
m = [json.loads(line) for line in (here / "metrics.jsonl").read_text().splitlines()]
m = [x for x in m if "ball_within" in x]
steps = [x["step"] for x in m]
fig, (a, b) = plt.subplots(1, 2, figsize=(10, 3.6))
for k, label in (("ball_present", "ball present"), ("ball_within", "ball within 3 px"), ("paddle_within", "paddle")):
    a.plot(steps, [x[k] for x in m], "o-", label=label)
a.set(xlabel="updates after the shipped world model", ylabel="share of real ball frames (paddle: of frames)")
a.set_title("15-step dreams, 256 held-out expert starts, 3 steps a frame", fontsize=9)
a.legend(fontsize=8)
for data, label in (("expert", "expert's catches (210)"), ("agentdata", "an agent's catches (29)")):
    rows = [json.loads((here / "replay" / f"step{s}_{data}.json").read_text())["real"]["caught"] for s in steps]
    p = np.array([r["dream"]["caught"] for r in rows])
    n = np.array([r["events"] for r in rows])
    b.errorbar(steps, p, yerr=np.sqrt(p * (1 - p) / n), marker="o", capsize=3, label=label)
b.set(xlabel="updates after the shipped world model", ylabel="drawn as a catch", ylim=(0, 1))
b.set_title("real catches replayed from 4 steps before, real actions, 1 step a frame", fontsize=9)
b.legend(fontsize=8)
fig.suptitle(
    "the shipped Breakout world model trained 4,000 more updates on 20,000 expert steps, lr 1e-4 cooling to 0",
    fontsize=10,
)
fig.tight_layout()
fig.savefig(here / "cooldown.png", dpi=110)
print(here / "cooldown.png")
