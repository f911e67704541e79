"""Screen of the fifth lever (the reward/end model learns from each life only after its serve; `AfterServe` below):
a run's world model, its reward/end model trained further for N updates on the run's own data, once from every window
(the paper) and once from the serve on, both from the same weights and seed; then what a held action pays and how often
it ends a chunk, in the dream and in the real game (`diamond probe --actions`). Also, in the run's data, how many frames
without a ball come before each lost life. Run from the repository root:

    .venv/bin/python figures/lab/agent-breakout-ac125-den25-afterserve/screen.py RUN --updates 300 --out OUT
"""

import argparse
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import torch

from diamond.checkpoints import load_agent, save_official
from diamond.data import Episode, EpisodeDataset
from diamond.optim import Trainer
from diamond.reward_end import rew_end_loss_fn, rew_end_sampler
from diamond.world_model import breakout_objects


def first_ball(ep: Episode, chunk: int = 256) -> int:
    "Index of the first frame of `ep` showing the Breakout ball (chapter 07's object reader); `len(ep)` if none does."
    for s in range(0, len(ep), chunk):
        present = breakout_objects(ep.obs[s : s + chunk])["ball_present"]
        if present.any():
            return s + int(present.argmax())
    return len(ep)


class AfterServe:
    """`dataset` seen from each life's first frame with the Breakout ball in play: the steps of a ball waiting to be
    served left out, the lives that never served dropped (what `SegmentSampler` and `make_batch` read of a dataset)."""

    def __init__(self, dataset: EpisodeDataset):
        self.dataset, self.path = dataset, dataset.path
        self.cut = {i: first_ball(dataset[i]) for i in dataset.ids}
        self.ids = [i for i in dataset.ids if self.cut[i] < len(dataset[i])]
        self.lengths = np.array([len(dataset[i]) - self.cut[i] for i in self.ids], dtype=np.int64)

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, episode_id: int) -> Episode:
        ep, c = self.dataset[episode_id], self.cut[episode_id]
        return Episode(ep.obs[c:], ep.act[c:], ep.rew[c:], ep.end[c:], ep.trunc[c:], ep.final_obs)


p = argparse.ArgumentParser()
p.add_argument("run")
p.add_argument("--updates", type=int, default=300)
p.add_argument("--dreams", type=int, default=256)
p.add_argument("--seed", type=int, default=0)
p.add_argument("--out", required=True)
a = p.parse_args()
run, out = Path(a.run), Path(a.out)
out.mkdir(parents=True, exist_ok=True)
ds = EpisodeDataset(run / "dataset" / "train")

# frames without a ball before each lost life, and the steps waiting for a serve
gaps, waits = [], []
for i in ds.ids:
    ep = ds[i]
    waits.append(first_ball(ep))
    if ep.end[-1]:
        ball = breakout_objects(ep.obs)["ball_present"]
        seen = np.flatnonzero(ball)
        gaps.append(len(ep) - 1 - seen[-1] if len(seen) else len(ep))
gaps = np.array(gaps)
facts = {
    "steps": ds.num_steps,
    "lives": len(ds),
    "waiting_steps": int(sum(waits)),
    "lost_lives": len(gaps),
    "no_ball_steps_before_end_quantiles_10_50_90": np.quantile(gaps, [0.1, 0.5, 0.9]).tolist(),
}
print(json.dumps(facts))

rows = {}
for windows in ("any", "after_serve"):
    agent, cfg = load_agent(run)
    torch.manual_seed(a.seed)
    model = agent.rew_end_model.train()
    tr = Trainer(model, rew_end_loss_fn(model), cfg.rew_end_optim, total_steps=a.updates)
    data = AfterServe(ds) if windows == "after_serve" else ds
    logs = tr.train(rew_end_sampler(data, cfg, seed=a.seed), a.updates, desc=f"reward/end {windows}")
    folder = out / windows
    (folder / "checkpoints").mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text((run / "config.json").read_text())
    save_official(agent, folder / "checkpoints" / "agent.pt")
    loss = [np.mean([l["loss"] for l in logs[:20]]), np.mean([l["loss"] for l in logs[-20:]])]
    print(f"{windows}: loss {loss[0]:.3f} -> {loss[1]:.3f}", flush=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "diamond.probe",
            str(folder),
            "--dataset",
            str(run / "dataset" / "train"),
            "--actions",
            "--dreams",
            str(a.dreams),
            "--seed",
            str(a.seed),
            "--out",
            str(folder / "probe"),
            "--no-progress",
        ],
        check=True,
    )
    rows[windows] = {"loss_first_last_20": loss, "actions": json.loads((folder / "probe" / "actions.json").read_text())}
(out / "screen.json").write_text(json.dumps({"run": str(run), "updates": a.updates, **facts, **rows}, indent=1))
