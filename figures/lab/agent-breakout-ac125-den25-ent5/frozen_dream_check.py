"""Did the entropy weight keep seed 1 from using its dream? The finished run's actor-critic trained on in the run's
final world model, frozen (as `diamond probe --continue-policy` does), with another entropy weight, and played on
the real game every K updates: 40 whole test games as it plays and 40 with FIRE pressed for it whenever the ball has
waited four frames (`auto_serve_check.py`), the same games (seed 1000) as that check's. If the served score rises
above the served random player's (1.65, 1.25-2.05), the world model had what it takes and the weight kept the policy
from it. Run from the repository root:

    .venv/bin/python figures/lab/agent-breakout-ac125-den25-ent5/frozen_dream_check.py RUN_FOLDER \\
        --entropy 0.001 --updates 500 --every 250 --out OUT.jsonl
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
from auto_serve_check import AutoServe, play  # noqa: E402

from diamond.actor_critic import AgentPolicy, DreamRollouts, actor_critic_loss_fn  # noqa: E402
from diamond.checkpoints import load_agent  # noqa: E402
from diamond.data import EpisodeDataset  # noqa: E402
from diamond.imagination import WorldModelEnv  # noqa: E402
from diamond.optim import Trainer  # noqa: E402
from diamond.runs import derived_seed  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("run", help="a finished kit run folder")
    p.add_argument("--entropy", type=float, default=0.001, help="the entropy weight of the further updates")
    p.add_argument("--updates", type=int, default=500)
    p.add_argument("--every", type=int, default=250, help="play the test games every K updates")
    p.add_argument("--episodes", type=int, default=40)
    p.add_argument("--seed", type=int, default=1000, help="the test games' seed")
    p.add_argument("--out", required=True, help="JSON lines: the dream's numbers per 25 updates, the test games")
    args = p.parse_args()
    torch.set_num_threads(2)
    agent, cfg = load_agent(args.run)
    agent.eval()
    ac = agent.actor_critic
    loss_cfg = replace(cfg.actor_critic_loss, weight_entropy_loss=args.entropy)
    wm = WorldModelEnv(
        agent.denoiser,
        agent.rew_end_model,
        EpisodeDataset(Path(args.run) / "dataset" / "train"),
        cfg.sampler,
        cfg.world_model_env.batch_size,
        cfg.world_model_env.horizon,
        cfg.actor_critic_optim.sample_weights,
        seed=derived_seed(0, 0, 10),
    )
    tr = Trainer(
        ac, actor_critic_loss_fn(DreamRollouts(ac, wm, seed=derived_seed(0, 0, 11)), loss_cfg), cfg.actor_critic_optim
    )
    out = open(args.out, "w")

    def write(row):
        out.write(json.dumps(row) + "\n")
        out.flush()
        print(json.dumps({k: v for k, v in row.items() if k != "returns"}), flush=True)

    def test(update):
        ac.eval()
        for served in (False, True):
            policy = lambda env: AgentPolicy(ac, epsilon=0.0, seed=args.seed)  # noqa: E731
            build = (lambda env: AutoServe(policy(env))) if served else policy
            r = play(cfg.game, build, args.episodes, args.seed)
            write({"update": update, "served": served, **r})
        ac.train()

    write({"run": args.run, "entropy": args.entropy, "updates": args.updates, "seed": args.seed})
    test(0)
    logs, t0 = [], time.time()
    for i in range(1, args.updates + 1):
        l = tr.step(None)
        logs.append([float(l[k]) for k in ("imagined_reward", "imagined_end", "entropy")])
        if i % 25 == 0:
            m = np.mean(logs[-25:], axis=0)
            write(
                {
                    "update": i,
                    "imagined_reward": round(m[0], 4),
                    "imagined_end": round(m[1], 4),
                    "entropy": round(m[2], 4),
                    "wall_s": round(time.time() - t0),
                }
            )
        if i % args.every == 0:
            test(i)


if __name__ == "__main__":
    main()
