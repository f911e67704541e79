"""Each run's final world model dreaming 15 steps from 128 windows of one set of held-out games (an agent's 40 final
test games, which no world model trained on), driven by the real actions, one Euler step a frame as in the runs: how
often the dream keeps the paddle and the ball where the game has them (chapter 07's object reader). Run from the
repository root with the runs' folders:

    HELD_OUT=runs/agent-breakout-ac125-den25/seed2/dataset/test \\
        .venv/bin/python figures/lab/agent-breakout-ac125-den25-ent5/dream_ball_check.py "LABEL=RUN_FOLDER" ...
"""

import os
import sys

import torch

from diamond.checkpoints import load_agent
from diamond.data import EpisodeDataset
from diamond.world_model import dream_objects

torch.set_num_threads(2)
held_out = EpisodeDataset(os.environ["HELD_OUT"])
print(f"held-out games: {os.environ['HELD_OUT']} ({len(held_out)} games)")
for spec in sys.argv[1:]:
    label, run = spec.split("=")
    agent, cfg = load_agent(run)
    m, _, _ = dream_objects(agent.denoiser.eval(), held_out, cfg.sampler, 128, 15, seed=0, batch_size=32)
    print(
        f"{label}: paddle within 2 px {m['paddle_within']:.3f}, ball drawn {m['ball_present']:.3f}, "
        f"ball within 3 px {m['ball_within']:.3f} (of {m['real_ball_frames']} real frames with a ball)"
    )
