"""How a run's reward/end model finds the real ends of its data: its probability of an end at the last step of each
lost life (or the step before), (1) on windows of the real frames that start 4 to 28 transitions before the end (how
much history it needs), (2) on the same windows with each frame after the first 4 replaced by the denoiser's one-step
prediction from the 4 real frames before it (teacher-forced: does its reading survive the denoiser's drawing?).
Run from the repository root:

    .venv/bin/python figures/lab/agent-breakout-ac125-den25-afterserve/end_reading.py CHECKPOINT --dataset D \\
        [--lives 96] [--out OUT.json]
"""

import argparse
import json

import numpy as np
import torch

from diamond.checkpoints import load_agent
from diamond.data import Batch, EpisodeDataset, make_batch
from diamond.reward_end import end_next_frames
from diamond.sampler import generate_next_obs

p = argparse.ArgumentParser()
p.add_argument("checkpoint")
p.add_argument("--dataset", required=True)
p.add_argument("--lives", type=int, default=96)
p.add_argument("--seed", type=int, default=0)
p.add_argument("--out")
a = p.parse_args()
ds = EpisodeDataset(a.dataset)
ends = [i for i in ds.ids if ds[i].end[-1] and len(ds[i]) >= 30][: a.lives]
agent, cfg = load_agent(a.checkpoint)
agent.eval()
model, den, L = agent.rew_end_model, agent.denoiser, cfg.denoiser.unet.num_steps_conditioning
gen = torch.Generator().manual_seed(a.seed)


@torch.no_grad()
def p_end(b: Batch, obs: torch.Tensor) -> np.ndarray:
    "Per window: the model's largest end probability over the end step and the step before, on frames `obs`."
    b = Batch(obs, b.act, b.rew, b.end, b.trunc, b.mask_padding, b.episode_ids, b.starts)
    _, logits_end, _ = model(obs[:, :-1], b.act[:, :-1], end_next_frames(b, cfg.rew_end.final_obs_at_end))
    S = obs.shape[1]
    return torch.softmax(logits_end.float(), -1)[:, S - 3 : S - 1, 1].max(1).values.numpy()


out = {"checkpoint": a.checkpoint, "dataset": a.dataset, "lives": len(ends), "real_by_history": {}}
for S in (6, 8, 10, 12, 16, 19, 30):
    wins = [(i, len(ds[i]) - S + 1) for i in ends]
    pe = np.concatenate(
        [p_end(b, b.obs) for b in (make_batch(ds, wins[k : k + 32], S) for k in range(0, len(wins), 32))]
    )
    out["real_by_history"][S - 2] = {"p_end": float(pe.mean()), "found": float((pe > 0.5).mean())}
    print(
        f"real frames, {S - 2} transitions of history: p(end) {pe.mean():.2f}, found {(pe > 0.5).mean():.2f}",
        flush=True,
    )
S, real, drawn = 16, [], []
wins = [(i, len(ds[i]) - S + 1) for i in ends]
for k in range(0, len(wins), 32):
    b = make_batch(ds, wins[k : k + 32], S)
    obs = b.obs.clone()
    with torch.no_grad():
        for t in range(L, S - 1):  # the last frame is the one after the end (padding or the final observation)
            obs[:, t] = generate_next_obs(den, b.obs[:, t - L : t], b.act[:, t - L : t], cfg.sampler, gen)
    real.append(p_end(b, b.obs))
    drawn.append(p_end(b, obs))
real, drawn = np.concatenate(real), np.concatenate(drawn)
out["teacher_forced"] = {
    "history": S - 2,
    "denoising_steps": cfg.sampler.num_steps_denoising,
    "real": {"p_end": float(real.mean()), "found": float((real > 0.5).mean())},
    "denoiser_frames": {"p_end": float(drawn.mean()), "found": float((drawn > 0.5).mean())},
}
print(json.dumps(out["teacher_forced"]))
if a.out:
    with open(a.out, "w") as f:
        json.dump(out, f, indent=1)
