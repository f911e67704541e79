"""Does the world model draw the catch when it is given the real game's own actions? For every time the ball reaches
the paddle in a run's real data (its lowest sighting at row 42 or below) and is then caught (it goes up again) or lost
(missing 4 frames), a dream starts `--lead` steps before that frame from the real context and is driven by the actions
the player really took; chapter 07's object reader then reads what the dream did with the same ball. Unlike
`../agent-breakout-ac125-den25-afterserve/dream_losses.py`, whose dreams and game chunks start from different states
and are played by a policy, this compares the dream with the very game it replays, event for event. Run from the
repository root:

    .venv/bin/python figures/lab/agent-breakout-ac125-den100-ballstarts/replay_catch.py CHECKPOINT --dataset D \
        [--config C] [--lead 4] [--max-events 300] [--denoising-steps N] [--label NAME] [--out OUT.json]
"""

import argparse
import json
import time

import numpy as np
import torch

from diamond.checkpoints import load_agent
from diamond.data import EpisodeDataset, frames_to_float
from diamond.world_model import breakout_objects, rollout

p = argparse.ArgumentParser()
p.add_argument("checkpoint")
p.add_argument("--dataset", required=True)
p.add_argument("--config", help="the run's config.json (default: found beside the checkpoint)")
p.add_argument("--lead", type=int, default=4, help="real steps between the dream's start and the ball at the paddle")
p.add_argument("--after", type=int, default=6, help="steps dreamed past that frame (4 are needed to call a loss)")
p.add_argument("--max-events", type=int, default=300, help="at most this many caught and this many lost events")
p.add_argument("--denoising-steps", type=int, help="network steps a dreamed frame (default: the run's)")
p.add_argument("--seed", type=int, default=0)
p.add_argument("--label", default="")
p.add_argument("--out")
a = p.parse_args()
agent, cfg = load_agent(a.checkpoint, config=a.config)
agent.eval()
if a.denoising_steps is not None:
    cfg.sampler.num_steps_denoising = a.denoising_steps
den, ds = agent.denoiser, EpisodeDataset(a.dataset)
L, H = den.cfg.unet.num_steps_conditioning, a.lead + a.after + 1
LOWEST = 42  # as dream_losses.py: a lowest sighting at this row or below, the ball is at the paddle by the next frame


def first_event(o: dict, start: int):
    """The first lowest sighting at or after frame `start` of one sequence's objects `o` (each (T,)): ('caught' | 'lost',
    frame, paddle distance), or ('vanished', frame, nan) if the ball goes missing 4 frames without being seen that low,
    or ('none', -1, nan)."""
    present, x, y, pad = (o[k] for k in ("ball_present", "ball_x", "ball_y", "paddle_x"))
    T = len(present)
    for t in range(start, T):
        if present[t] and y[t] >= LOWEST and not np.isnan(pad[t]):
            later = [u for u in range(t + 1, min(t + 7, T)) if present[u]]
            if later and y[later[0]] >= y[t]:
                continue  # still coming down
            if later and y[later[0]] < y[t] - 2:
                return "caught", t, abs(x[t] - pad[t])
            if t + 4 < T and not present[t + 1 : t + 5].any():
                return "lost", t, abs(x[t] - pad[t])
        if t >= start + 3 and not present[t - 3 : t + 1].any() and present[: t - 3].any():
            return "vanished", t, float("nan")
    return "none", -1, float("nan")


# the real events: every episode read once
events = {"caught": [], "lost": []}
for i in ds.ids:
    ep = ds[i]
    o = breakout_objects(ep.obs)
    t = 0
    while t < len(ep.obs):
        kind, at, dist = first_event(o, t)
        if at < 0:
            break
        start = at - a.lead - L  # the window: L real frames, then H dreamed ones, the event `lead` steps in
        if kind in events and start >= 0 and start + L + H <= len(ep.obs):
            events[kind].append((i, start, dist))
        t = at + 1
rng = np.random.default_rng(a.seed)
chosen = {k: [v[j] for j in sorted(rng.permutation(len(v))[: a.max_events])] for k, v in events.items()}

t0, rows = time.time(), {}
gen = torch.Generator().manual_seed(a.seed)
for kind, evs in chosen.items():
    obs = np.stack([ds[i].obs[s : s + L + H] for i, s, _ in evs])  # (n, L+H, ...) uint8
    act = np.stack([ds[i].act[s : s + L + H] for i, s, _ in evs])
    dreams = []
    for s in range(0, len(evs), 32):
        o_, a_ = frames_to_float(torch.from_numpy(obs[s : s + 32])), torch.from_numpy(act[s : s + 32])
        with torch.no_grad():
            dreams.append(rollout(den, o_.to(den.device), a_.to(den.device), cfg.sampler, H, gen).float().cpu())
    dreams = torch.cat(dreams)  # (n, H, ...): frames L .. L+H-1 of each window
    seq = torch.cat([frames_to_float(torch.from_numpy(obs[:, :L])), dreams], 1)
    od, orl = breakout_objects(seq), breakout_objects(obs)
    out, near_out, real_out, dream_near = [], [], [], []
    for b, (_, _, dist) in enumerate(evs):
        real = first_event({k: v[b] for k, v in orl.items()}, L)  # the same event, read in the window
        dream = first_event({k: v[b] for k, v in od.items()}, L)
        out.append(dream[0])
        real_out.append(real[0])
        if dist <= 4:
            near_out.append(dream[0])
        if dream[0] in ("caught", "lost") and dream[2] <= 4:
            dream_near.append(dream[0])  # the dream's own paddle within 4 columns of its own ball
    count = lambda xs: {k: round(xs.count(k) / max(1, len(xs)), 3) for k in ("caught", "lost", "vanished", "none")}
    rows[kind] = {"events": len(evs), "of": len(events[kind]), "real_window": count(real_out), "dream": count(out),
                  "paddle_near": {"events": len(near_out), "dream": count(near_out)},
                  "dream_paddle_near": {"events": len(dream_near), "dream": count(dream_near)}}
    print(kind, json.dumps(rows[kind]), flush=True)
res = {
    "label": a.label,
    "checkpoint": a.checkpoint,
    "dataset": a.dataset,
    "lead": a.lead,
    "after": a.after,
    "denoising_steps": cfg.sampler.num_steps_denoising,
    "seconds": round(time.time() - t0, 1),
    "real": rows,
}
print(json.dumps({k: res[k] for k in ("label", "lead", "denoising_steps", "seconds")}))
if a.out:
    with open(a.out, "w") as f:
        json.dump(res, f, indent=1)
