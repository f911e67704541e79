"""In the real data, where does "FIRE pressed with no ball, and still no ball on the next frame" happen? Steps from
each such press to its life's end (a training episode ends with each lost life). Run from the repository root:

    .venv/bin/python figures/lab/agent-breakout-ac125-den25-ent5/fire_without_ball.py RUN_FOLDER/dataset/train
"""

import sys

import numpy as np

from diamond.data import EpisodeDataset
from diamond.world_model import breakout_objects

ds = EpisodeDataset(sys.argv[1])
to_end, served, total, steps = [], 0, 0, 0
for i in ds.ids:
    ep = ds[i]
    ball = breakout_objects(ep.obs)["ball_present"]
    steps += len(ball)
    for t in np.flatnonzero((ep.act == 1) & ~ball):
        if t + 1 < len(ball):
            total += 1
            if ball[t + 1]:
                served += 1
            else:
                to_end.append(len(ball) - 1 - t)
to_end = np.array(to_end)
print(f"{sys.argv[1]}: {steps} steps, {len(ds.ids)} lives")
print(f"FIRE on a frame without a ball: {total}; a ball on the next frame: {served}; none: {len(to_end)}")
print(f"of those without: within 10 steps of the life's end {(to_end <= 10).mean():.3f}; steps to the end, median")
print(f"{np.median(to_end):.0f}, 90th percentile {np.percentile(to_end, 90):.0f}, most {to_end.max()}")
