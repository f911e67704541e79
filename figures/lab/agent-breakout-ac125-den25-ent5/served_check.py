"""The agent's final critic and policy on its own last 40 lives of real play, split into the steps before a
life's first FIRE (no ball served yet) and the steps after it (ball in play): does the critic value a ball in
play, and how likely is FIRE while the ball waits? Run from the repository root with the runs' folders (their
datasets and checkpoints):

    .venv/bin/python figures/lab/agent-breakout-ac125-den25-ent5/served_check.py "LABEL=RUN_FOLDER" ...
"""

import sys

import numpy as np
import torch

from diamond.checkpoints import load_agent
from diamond.data import EpisodeDataset, frames_to_float

torch.set_num_threads(1)
for spec in sys.argv[1:]:
    label, run = spec.split("=")
    agent, cfg = load_agent(run)
    ac = agent.actor_critic.eval()
    ds = EpisodeDataset(f"{run}/dataset/train")
    ids = ds.ids
    # the agent's own steps: the last 40 episodes (lives) of the dataset
    vals = {"unserved": [], "in play": []}
    pf = {"unserved": [], "in play": []}
    n = {"unserved": 0, "in play": 0}
    for i in ids[-40:]:
        ep = ds[i]
        obs = frames_to_float(torch.from_numpy(ep.obs))
        fired = np.cumsum(ep.act == 1) > 0  # True from the step FIRE is pressed on
        served = np.concatenate([[False], fired[:-1]])  # in play from the step after the first FIRE
        with torch.no_grad():
            hx = ac.zero_state(1)
            for t in range(len(ep.act)):
                logits, v, hx = ac(obs[t : t + 1], hx)
                k = "in play" if served[t] else "unserved"
                vals[k].append(float(v[0]))
                pf[k].append(float(torch.softmax(logits[0], -1)[1]))
                n[k] += 1
    print(
        f"{label}: last 40 lives; "
        + "; ".join(
            f"{k}: {n[k]} steps, value {np.mean(vals[k]):.3f}, P(FIRE) {np.mean(pf[k]):.3f}" for k in vals if n[k]
        )
    )
