"""Does the dream serve the ball? An agent's world model dreaming from real windows where the ball waits to be served
(four frames from a life's start, before its first ball, chapter 07's object reader), driven by three forced action
plans: FIRE then NOOP, NOOP held, FIRE held. Per plan: the share of dreams with a ball by each step; what the
reward/end model expects over the 15 steps (reward signs +1); the probability of an end at step 1 and of one by step
15. The game's own answer from the same data: after a FIRE pressed with no ball in play, the share of cases with a
ball k steps later. One Euler step a frame, as in the runs; the reward/end model's LSTM burned in on the window, as
in the runs. Run from the repository root:

    .venv/bin/python figures/lab/agent-breakout-ac125-den25-ent5/serve_dream_check.py \\
        --data RUN_FOLDER/dataset/train "LABEL=CHECKPOINT_OR_RUN_FOLDER[@CONFIG]" ...
"""

import argparse
import json
from dataclasses import replace

import numpy as np
import torch

from diamond.checkpoints import load_agent
from diamond.data import EpisodeDataset, frames_to_float
from diamond.sampler import generate_next_obs
from diamond.world_model import breakout_objects

NOOP, FIRE = 0, 1
SHOWN = 2  # dreams per model kept for the figure
PLANS = {"FIRE then NOOP": [FIRE] + [NOOP] * 14, "NOOP held": [NOOP] * 15, "FIRE held": [FIRE] * 15}


def serve_presses(ds: EpisodeDataset):
    "Each FIRE pressed on a frame with no ball, nor one on the three before: (episode id, episode, objects, step)."
    for i in ds.ids:
        ep = ds[i]
        objects = breakout_objects(ep.obs)
        ball = objects["ball_present"]
        for t in np.flatnonzero((ep.act == FIRE) & ~ball):
            if not ball[max(0, t - 3) : t + 1].any():
                yield i, ep, objects, t


def real_serves(ds: EpisodeDataset, k_max: int = 15) -> dict:
    """After a FIRE pressed with the ball waiting (`serve_presses`, k_max steps left), the share of cases with a ball on
    the frame k steps later, and where across (px) the served ball is on the next frame."""
    hits, cases, xs = np.zeros(k_max + 1), 0, []
    for _, ep, objects, t in serve_presses(ds):
        ball = objects["ball_present"]
        if t + k_max < len(ball):
            cases += 1
            hits += np.maximum.accumulate(ball[t : t + k_max + 1])
            xs.append(objects["ball_x"][t + 1])
    counts, edges = np.histogram([x for x in xs if not np.isnan(x)], bins=8, range=(4, 60))
    return {
        "cases": cases,
        "ball_by_step": (hits / max(cases, 1)).round(3).tolist(),
        "served_ball_x_histogram": {f"{a:.0f}-{b:.0f}": int(c) for a, b, c in zip(edges, edges[1:], counts)},
    }


def real_serve_examples(ds: EpisodeDataset, n: int):
    "n real serves, one an episode at most: the four frames up to the FIRE (n,4,...) and the six after (n,6,...)."
    before, after, used = [], [], set()
    for i, ep, _, t in serve_presses(ds):
        if i in used or t < 3 or t + 6 >= len(ep.act):
            continue
        used.add(i)
        before.append(frames_to_float(torch.from_numpy(ep.obs[t - 3 : t + 1])))
        after.append(frames_to_float(torch.from_numpy(ep.obs[t + 1 : t + 7])))
        if len(before) == n:
            break
    return torch.stack(before), torch.stack(after)


def waiting_windows(ds: EpisodeDataset, n: int, seed: int = 0):
    """Up to n windows of four real frames from the start of a life, before its first ball (the ball waits for FIRE):
    obs (n,4,...) in [-1,1] and actions (n,4), drawn evenly from every such window of `ds`."""
    cands = []
    for i in ds.ids:
        ball = breakout_objects(ds[i].obs)["ball_present"]
        first = int(np.argmax(ball)) if ball.any() else len(ball)
        cands += [(i, t) for t in range(3, first)]
    rng = np.random.default_rng(seed)
    picked = [cands[k] for k in sorted(rng.choice(len(cands), size=min(n, len(cands)), replace=False))]
    obs = np.stack([ds[i].obs[t - 3 : t + 1] for i, t in picked])
    act = np.stack([ds[i].act[t - 3 : t + 1] for i, t in picked])
    return frames_to_float(torch.from_numpy(obs)), torch.from_numpy(act), len(cands)


@torch.no_grad()
def dream_plans(agent, cfg, obs, act, seed: int = 0, plans: dict = PLANS) -> tuple[dict, dict]:
    out, shown = {}, {}
    den, rew_end = agent.denoiser.eval(), agent.rew_end_model.eval()
    for name, plan in plans.items():
        gen = torch.Generator().manual_seed(seed)
        o, a = obs.clone(), act.clone()
        _, _, hx = rew_end(o[:, :-1], a[:, :-1], o[:, 1:])
        balls, masses, frames, p_rew, p_end = [], [], [], [], []
        for t, action in enumerate(plan):
            a[:, -1] = action
            nxt = generate_next_obs(den, o, a, cfg.sampler, gen)
            lr, le, hx = rew_end(o[:, -1:], a[:, -1:], nxt[:, None], hx)
            p_rew.append(torch.softmax(lr[:, 0].float(), -1)[:, 2])
            p_end.append(torch.softmax(le[:, 0].float(), -1)[:, 1])
            objects = breakout_objects(nxt.float())
            balls.append(objects["ball_present"])
            masses.append(objects["ball_mass"])
            frames.append(nxt[:SHOWN].float())
            o = torch.cat([o[:, 1:], nxt[:, None]], 1)
            a = torch.cat([a[:, 1:], torch.zeros_like(a[:, :1])], 1)
        ball = np.maximum.accumulate(np.stack(balls, 1), axis=1)  # (n, 15): a ball by step t
        out[name] = {
            "ball_by_step": ball.mean(0).round(3).tolist(),
            "expected_rewards_15": round(float(torch.stack(p_rew, 1).sum(1).mean()), 4),
            "p_end_step_1": round(float(p_end[0].mean()), 4),
            "p_ended_by_step_15": round(float((1 - torch.stack(p_end, 1)).prod(1).mean().neg().add(1)), 4),
            "ball_mass_max": round(float(np.max(masses)), 1),
            "ball_mass_p99": round(float(np.percentile(masses, 99)), 1),
        }
        shown[name] = torch.stack(frames, 1)
    return out, shown


def figure(path: str, real_windows, real_after, dreams: dict, title: str):
    "Rows: the real game after FIRE (top), then each model's dream under FIRE held; columns: last frame, steps 1-6."
    import matplotlib.pyplot as plt

    rows = [("real game, FIRE", real_windows, real_after)] + [(k, real_windows, v) for k, v in dreams.items()]
    fig, axes = plt.subplots(len(rows) * 2, 7, figsize=(7 * 1.3, len(rows) * 2 * 1.4))
    for r, (label, ctx, after) in enumerate(rows):
        for j in range(2):  # two examples per row
            for c in range(7):
                ax = axes[2 * r + j, c]
                img = ctx[j, -1] if c == 0 else after[j, c - 1]
                ax.imshow(((img.float().clamp(-1, 1) + 1) / 2).permute(1, 2, 0).numpy())
                ax.set_xticks([]), ax.set_yticks([])
                if 2 * r + j == 0:
                    ax.set_title("last real frame" if c == 0 else f"step {c}", fontsize=8)
                if c == 0 and j == 0:
                    ax.set_ylabel(label, fontsize=7)
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", required=True, help="an episode folder (a run's dataset/train)")
    p.add_argument("--starts", type=int, default=64, help="dreams per plan")
    p.add_argument("--out", help="write the results as JSON here")
    p.add_argument("--figure", help="draw the real serve and each model's dream under FIRE held into this PNG")
    p.add_argument("--denoising-steps", type=int, help="denoising steps a frame (default: the run's)")
    p.add_argument("models", nargs="+", help="LABEL=CHECKPOINT_OR_RUN_FOLDER[@CONFIG]")
    args = p.parse_args()
    torch.set_num_threads(2)
    ds = EpisodeDataset(args.data)
    results = {"data": args.data, "real": real_serves(ds)}
    print(f"real game, {args.data}: {results['real']}")
    obs, act, total = waiting_windows(ds, args.starts)
    results["waiting_windows"] = {"used": len(obs), "of": total}
    print(f"{len(obs)} of {total} windows at a life's start, before its first ball")
    dreams = {}
    for spec in args.models:
        label, rest = spec.split("=", 1)
        path, _, config = rest.partition("@")
        agent, cfg = load_agent(path, config=config or None)
        if args.denoising_steps:
            cfg = replace(cfg, sampler=replace(cfg.sampler, num_steps_denoising=args.denoising_steps))
        results[label], shown = dream_plans(agent, cfg, obs, act)
        dreams[label] = shown["FIRE held"]
        for plan, r in results[label].items():
            print(f"{label} / {plan}: {r}")
    if args.figure:
        real_windows, real_after = real_serve_examples(ds, SHOWN)
        title = "Breakout, FIRE pressed while the ball waits: the game (top rows), each world model's dream (FIRE held)"
        figure(args.figure, real_windows, real_after, dreams, title)
    if args.out:
        with open(args.out, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
