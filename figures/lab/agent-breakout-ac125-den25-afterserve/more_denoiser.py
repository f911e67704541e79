"""Does more training of the world model's denoiser on the run's own data keep the dreamed ball in play longer? A run's
agent checkpoint, its denoiser trained N more updates on the run's data (its optimiser settings, a fresh AdamW), saved
as a run-like folder (config.json, checkpoints/agent.pt) that `dream_losses.py` and `diamond probe` open. Run from the
repository root:

    .venv/bin/python figures/lab/agent-breakout-ac125-den25-afterserve/more_denoiser.py CHECKPOINT --config C \\
        --dataset D --updates 500 --out FOLDER
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch

from diamond.checkpoints import load_agent, save_official
from diamond.config import config_to_dict
from diamond.data import EpisodeDataset
from diamond.world_model import denoiser_loss_fn, denoiser_sampler
from diamond.optim import Trainer

p = argparse.ArgumentParser()
p.add_argument("checkpoint")
p.add_argument("--config", required=True)
p.add_argument("--dataset", required=True)
p.add_argument("--updates", type=int, default=500)
p.add_argument("--seed", type=int, default=0)
p.add_argument("--out", required=True)
a = p.parse_args()
out = Path(a.out)
if out.exists() and any(out.iterdir()):
    raise SystemExit(f"error: {out} is not empty: give a new folder")
agent, cfg = load_agent(a.checkpoint, config=a.config)
ds = EpisodeDataset(a.dataset)
torch.manual_seed(a.seed)
den = agent.denoiser.train()
t0 = time.time()
logs = Trainer(den, denoiser_loss_fn(den), cfg.denoiser_optim, total_steps=a.updates).train(
    denoiser_sampler(ds, cfg, seed=a.seed), a.updates, desc="denoiser"
)
(out / "checkpoints").mkdir(parents=True)
(out / "config.json").write_text(json.dumps(config_to_dict(cfg), indent=1))
save_official(agent, out / "checkpoints" / "agent.pt")
loss = [float(np.mean([l["loss"] for l in logs[:50]])), float(np.mean([l["loss"] for l in logs[-50:]]))]
summary = {"checkpoint": a.checkpoint, "updates": a.updates, "loss_first_last_50": loss, "seconds": time.time() - t0}
(out / "more_denoiser.json").write_text(json.dumps(summary, indent=1))
print(json.dumps(summary))
