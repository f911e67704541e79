"""In a run's own data (the agent's steps after the random player's first 5,000): of the steps taken with no ball on the
frame, under each action, the share whose life ends within the next K steps (a ball just lost) against the rest (a
ball waiting to be served). Run from the repository root: no_ball_ends.py RUN [K]"""

import sys

import numpy as np

from diamond.data import EpisodeDataset
from diamond.world_model import breakout_objects

run, k = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 5
ds = EpisodeDataset(run + "/dataset/train")
names, n, rows = ("NOOP", "FIRE", "RIGHT", "LEFT"), 0, []
for i in sorted(ds.ids):
    ep = ds[i]
    if n >= 5000:
        ball = breakout_objects(ep.obs)["ball_present"]
        T = len(ep.act)
        end_soon = np.array([bool(ep.end[t : t + k].any()) for t in range(T)])
        rows.append((ep.act, ball, end_soon))
    n += len(ep.act)
act, ball, soon = (np.concatenate(x) for x in zip(*rows))
print(f"{run}: {len(act)} agent steps; {(~ball).sum()} with no ball on the frame")
for a, name in enumerate(names):
    m = (act == a) & ~ball
    if m.sum():
        print(
            f"  {name:5s}: {m.sum():4d} with no ball, a life ends within {k} steps after {soon[m].mean():.2f} of them"
        )
