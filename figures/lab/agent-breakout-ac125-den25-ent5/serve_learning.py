"""How many denoiser updates does a world model need before its dream serves the ball? Fine-tunes an agent's denoiser on
a run's episodes exactly as the agent's loop does (the run's optimiser settings; `--lr` to try another), and every
`--every` updates dreams from 64 real windows where the ball waits to be served under FIRE held (one Euler step a
frame, as in the runs): the share of dreams with a ball by step 1 and by step 15 (`serve_dream_check.py`). Writes one
JSON line per check. Run from the repository root, e.g.

    .venv/bin/python figures/lab/agent-breakout-ac125-den25-ent5/serve_learning.py \\
        --checkpoint /tmp/epoch1.pt --config RUN/config.json --data RUN/dataset/train \\
        --updates 600 --every 100 --out serve_learning.jsonl
"""

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).parent))
from serve_dream_check import PLANS, dream_plans, waiting_windows  # noqa: E402

from diamond.checkpoints import load_agent  # noqa: E402
from diamond.data import EpisodeDataset  # noqa: E402
from diamond.optim import Trainer  # noqa: E402
from diamond.world_model import denoiser_loss_fn, denoiser_sampler, dream_objects  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--checkpoint", required=True)
    p.add_argument("--config", required=True)
    p.add_argument("--data", required=True)
    p.add_argument("--updates", type=int, default=600)
    p.add_argument("--every", type=int, default=100)
    p.add_argument("--lr", type=float, help="the denoiser's learning rate (default: the run's)")
    p.add_argument("--cooldown", type=int, default=0, help="the last N updates bring the rate linearly to 0")
    p.add_argument("--held-out", help="held-out games: the serve checked on them, 32 of their windows dreamt")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", required=True)
    args = p.parse_args()
    torch.set_num_threads(2)
    torch.manual_seed(args.seed)
    agent, cfg = load_agent(args.checkpoint, config=args.config)
    if args.lr:
        cfg = replace(cfg, denoiser_optim=replace(cfg.denoiser_optim, lr=args.lr))
    optim = replace(cfg.denoiser_optim, steps_first_epoch=args.updates, lr_cooldown_steps=args.cooldown)
    cfg = replace(cfg, denoiser_optim=optim)  # the Trainer's schedule: warm-up, then the cool-down at the end
    held_out = EpisodeDataset(args.held_out) if args.held_out else None
    ds = EpisodeDataset(args.data)
    obs, act, total = waiting_windows(held_out if held_out is not None else ds, 64)  # held-out games when given
    print(f"{len(obs)} of {total} waiting windows", flush=True)
    trainer = Trainer(agent.denoiser, denoiser_loss_fn(agent.denoiser), cfg.denoiser_optim, total_steps=args.updates)
    batches = iter(denoiser_sampler(ds, cfg, seed=args.seed))
    plans = {"FIRE held": PLANS["FIRE held"]}
    with open(args.out, "a") as f:
        done, t0, loss = 0, time.time(), None
        while True:
            agent.denoiser.eval()
            r, _ = dream_plans(agent, cfg, obs, act, plans=plans)
            row = {
                "updates": done,
                "lr": cfg.denoiser_optim.lr,
                "ball_by_step_1": r["FIRE held"]["ball_by_step"][0],
                "ball_by_step_15": r["FIRE held"]["ball_by_step"][-1],
                "denoiser_loss_last_updates": loss,
                "lr_now": trainer.sched.get_last_lr()[0],
                "seconds": round(time.time() - t0, 1),
            }
            if held_out is not None:
                m, _, _ = dream_objects(agent.denoiser, held_out, cfg.sampler, 32, 15, seed=0, batch_size=32)
                row |= {k: round(m[k], 3) for k in ("paddle_within", "ball_present", "ball_within")}
            print(row, flush=True)
            f.write(json.dumps(row) + "\n")
            f.flush()
            if done >= args.updates:
                break
            logs = trainer.train(batches, args.every, progress=False)
            loss = round(float(np.mean([log["loss"] for log in logs])), 6)
            done += args.every


if __name__ == "__main__":
    main()
