"""Where a lost ball goes in a dream: does the world model lose it, and does the reward/end model end the dream? Per
constant action (and a uniform player, and any `--policies`), dreams of one chunk from the run's starts, their frames
read by chapter 07's object reader: the share of chunks whose ball goes missing for 4 or more frames in a row before
any end, last seen low (row 48 or below: lost past the paddle, as the denoiser draws it), the share of those whose ball
shows again (drawn faint for a while, not lost), the share that end (the reward/end model's call) and the share of
lost-ball chunks that end. Also, whether the paddle decides the catch: each time the ball is seen at its lowest (row 42
or below) before it goes up again (caught) or goes missing 4+ frames (lost), the paddle centre's distance from it, and
the share lost with the paddle near (4 columns or less) and far (8 or more). The same read of the real game's frames
under the same held actions (each chunk after 0-60 steps of a uniform player, as `diamond probe --actions`), and of
the game as each `--policies` policy plays it, gives the game's rates. Run from the repository root:

    .venv/bin/python figures/lab/agent-breakout-ac125-den25-afterserve/dream_losses.py CHECKPOINT --dataset D \
        [--config C] [--dreams 128] [--held NAME ...] [--policies LABEL=SOURCE ...] [--real-chunks 200] \
        [--denoising-steps N] [--out OUT.json]
"""

import argparse
import json

import numpy as np
import torch

from diamond.actor_critic import AgentPolicy, DreamRollouts
from diamond.atari import action_names, make_env, make_policy
from diamond.checkpoints import load_agent
from diamond.data import EpisodeDataset, frames_to_chw
from diamond.imagination import WorldModelEnv
from diamond.probe import constant_policy, labelled_policy, load_policy
from diamond.world_model import breakout_objects

p = argparse.ArgumentParser()
p.add_argument("checkpoint")
p.add_argument("--dataset", required=True)
p.add_argument("--config", help="the run's config.json (default: found beside the checkpoint)")
p.add_argument("--dreams", type=int, default=128)
p.add_argument("--seed", type=int, default=0)
p.add_argument("--real-chunks", type=int, default=200)
p.add_argument("--held", nargs="*", help="the constant actions to measure, by name (default: all, and uniform)")
p.add_argument(
    "--policies", nargs="*", default=[], help="LABEL=SOURCE (shipped, or an agent checkpoint) to measure too"
)
p.add_argument("--denoising-steps", type=int, help="network steps a dreamed frame (default: the run's)")
p.add_argument("--out")
a = p.parse_args()
agent, cfg = load_agent(a.checkpoint, config=a.config)
agent.eval()
if a.denoising_steps is not None:
    cfg.sampler.num_steps_denoising = a.denoising_steps
ds, names, H = EpisodeDataset(a.dataset), action_names(cfg.game), cfg.world_model_env.horizon
LOW = 48  # a ball last seen at this row or below and then missing went past the paddle
LOWEST = 42  # a lowest sighting at this row or below: the ball is at the paddle (rows 57-58) by the next frame


def outcomes(ball: np.ndarray, ball_y: np.ndarray, end: np.ndarray) -> dict:
    """Per chunk (rows of `ball`, `ball_y` (n, H+1) and `end` (n, H)): lost (missing 4+ frames in a row after being seen
    low, before the first end), of those the share whose ball shows again before the chunk or its first end is over,
    and ended."""
    n = len(end)
    lost, back, ended = np.zeros(n, bool), np.zeros(n, bool), end.any(1)
    for b in range(n):
        stop = int(np.argmax(end[b])) + 1 if ended[b] else end.shape[1] + 1  # frames up to the first end
        run, low = 0, False
        for present, y in zip(ball[b, :stop], ball_y[b, :stop]):
            back[b] |= lost[b] and present
            run, low = (0, y >= LOW) if present else (run + 1, low)
            lost[b] |= run >= 4 and low
    return {
        "lost_then_back": float(back[lost].mean()) if lost.any() else float("nan"),
        "chunks": n,
        "ball_lost": float(lost.mean()),
        "ended": float(ended.mean()),
        "ended_if_lost": float(ended[lost].mean()) if lost.any() else float("nan"),
        "ended_if_kept": float(ended[~lost].mean()) if (~lost).any() else float("nan"),
    }


def catches(o: dict, end: np.ndarray) -> dict:
    "Lost or caught at each lowest sighting of the ball, by the paddle's distance from it (`o`: the object reader's)."
    events = []
    for b in range(len(end)):
        stop = int(np.argmax(end[b])) + 1 if end[b].any() else end.shape[1] + 1
        present, x, y, pad = (o[k][b, :stop] for k in ("ball_present", "ball_x", "ball_y", "paddle_x"))
        for t in range(len(present)):
            if not (present[t] and y[t] >= LOWEST and not np.isnan(pad[t])):
                continue
            later = [u for u in range(t + 1, min(t + 7, len(present))) if present[u]]
            if later and y[later[0]] >= y[t]:
                continue  # still coming down: its lowest sighting is later
            if later and y[later[0]] < y[t] - 2:
                events.append((abs(x[t] - pad[t]), False))  # went up again: caught
            elif not present[t + 1 : t + 5].any() and t + 4 < len(present):
                events.append((abs(x[t] - pad[t]), True))  # missing 4 frames: lost
    d = np.array([e[0] for e in events])
    lost = np.array([e[1] for e in events], bool)
    share = lambda m: float(lost[m].mean()) if m.any() else float("nan")
    return {
        "events": len(events),
        "lost_near": share(d <= 4) if len(d) else float("nan"),
        "near": int((d <= 4).sum()),
        "lost_far": share(d >= 8) if len(d) else float("nan"),
        "far": int((d >= 8).sum()),
    }


def real_chunks(action, chunks: int, seed: int) -> dict:
    """The same read of real chunks in the training env under `action`: a constant action or None (uniform), each chunk
    after 0-60 uniform steps; or a policy (an `AgentPolicy`), which also plays the 0-60 steps before each chunk."""
    env, rng = make_env(cfg.game, train=True, seed=seed), np.random.default_rng(seed)
    uniform = make_policy("random", env, cfg.game, seed)
    policy = action if isinstance(action, AgentPolicy) else None
    lead = policy or uniform
    play = lead if action is None or policy is not None else (lambda obs, info=None: action)
    obs, info = env.reset(seed=seed)
    frames, ends = [], []

    def step(player):
        nonlocal obs, info
        obs, _, term, trunc, info = env.step(player(obs, info))
        if term or trunc:
            obs, info = env.reset()
            if policy is not None:
                policy.reset()  # a lost life: the policy's memory starts afresh, as in training
        return term

    for _ in range(chunks):
        for _ in range(int(rng.integers(61))):
            step(lead)
        f, e = [frames_to_chw(obs)], []
        for _ in range(H):
            e.append(step(play))
            f.append(frames_to_chw(obs))
        frames.append(np.stack(f))
        ends.append(e)
    env.close()
    o, ends = breakout_objects(np.stack(frames)), np.array(ends, bool)
    return outcomes(o["ball_present"], o["ball_y"], ends) | {"catch": catches(o, ends)}


held = [*range(len(names)), None] if a.held is None else [None if n == "uniform" else names.index(n) for n in a.held]
players = [(names[k] if k is not None else "uniform", constant_policy(agent.actor_critic, k), k) for k in held]
for label, source in map(labelled_policy, a.policies):
    players.append((label, load_policy(source, cfg.game, cfg), "policy"))
rows = []
for label, policy, k in players:
    torch.manual_seed(a.seed)
    wm = WorldModelEnv(
        agent.denoiser,
        agent.rew_end_model,
        ds,
        cfg.sampler,
        a.dreams,
        H,
        cfg.actor_critic_optim.sample_weights,
        seed=a.seed,
        starts=cfg.world_model_env.starts,
        end_on_ball_lost=cfg.world_model_env.end_on_ball_lost,
    )
    with torch.no_grad():
        r = DreamRollouts(policy, wm, seed=a.seed).chunk(H, record=True)
    o = breakout_objects(r.frames.float().cpu())  # (B, H+1): the frame before each step, then the last
    end = r.end.cpu().numpy().astype(bool)
    row = {"action": label, "dream": outcomes(o["ball_present"], o["ball_y"], end) | {"catch": catches(o, end)}}
    if a.real_chunks:
        row["real"] = real_chunks(AgentPolicy(policy, seed=a.seed) if k == "policy" else k, a.real_chunks, a.seed)
    rows.append(row)
    print(json.dumps(row), flush=True)
if a.out:
    with open(a.out, "w") as f:
        json.dump(
            {
                "checkpoint": a.checkpoint,
                "dataset": a.dataset,
                "denoising_steps": cfg.sampler.num_steps_denoising,
                "low_row": LOW,
                "rows": rows,
            },
            f,
            indent=1,
        )
