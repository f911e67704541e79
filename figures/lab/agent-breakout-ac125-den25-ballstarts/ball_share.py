"""Share of a run's training frames that show the Breakout ball (chapter 07's object reader), the random player's first
5,000 steps apart from the agent's. Run from the repository root: ball_share.py RUN [RUN ...]"""

import sys

import numpy as np

from diamond.data import EpisodeDataset
from diamond.world_model import breakout_objects

for run in sys.argv[1:]:
    ds = EpisodeDataset(run + "/dataset/train")
    parts, n = {"random player (first 5,000 steps)": [], "agent": []}, 0
    for i in sorted(ds.ids):
        present = breakout_objects(ds[i].obs)["ball_present"]
        parts["random player (first 5,000 steps)" if n < 5000 else "agent"].append(present)
        n += len(present)
    for who, v in parts.items():
        if v:
            v = np.concatenate(v)
            print(f"{run}: {who}: {len(v)} frames, ball on {v.mean():.3f}, none on {1 - v.mean():.3f}")
