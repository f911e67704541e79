"""Replay the failing seed's unlearning, with and without a lever on the dream's ends. The first lever's seed 1 had
learned by epoch 4 (7.4 a test game) and lost it by epoch 6 (0.0), while its dream still paid the shipped agent twice a
uniform player's reward and its own policy learned to avoid the dream's ends. Here the epoch-4 policy trains on in
the world model kept after epoch 5 (frozen), `--updates` actor-critic updates with a fresh optimiser, and plays real
test games every `--every` updates, under one of two rules for a dreamed end:

- `terminate` (the paper): the λ-return stops at the end, as if nothing followed it;
- `bootstrap`: the end is treated as a truncation: the return goes on with the critic's value of the frame the dream
  ended on. A dreamed end then costs only what the critic thinks the state is worth: a lost ball (no ball, no more
  reward in the dream) is still worth little, an end the reward/end model reads off a still frame or a held action
  in the middle of play costs nothing, so the policy cannot earn by avoiding ends the game does not have.

If `terminate` loses the epoch-4 policy's score and `bootstrap` keeps it, the lever is worth a seed run. Run from the
repository root:

    .venv/bin/python figures/lab/agent-breakout-ac125-den25-endboot/unlearning_replay.py \\
        runs/agent-breakout-ac125-den25/seed1-rerun --policy-from SNAP/epoch4.pt --world-model-from SNAP/epoch5.pt \\
        --ends bootstrap --updates 250 --every 125 --out OUT.jsonl
"""

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).parents[1] / "agent-breakout-ac125-den25-ent5"))
from auto_serve_check import play  # noqa: E402

from diamond.actor_critic import AgentPolicy, DreamRollouts, actor_critic_loss  # noqa: E402
from diamond.checkpoints import load_agent  # noqa: E402
from diamond.data import EpisodeDataset  # noqa: E402
from diamond.imagination import WorldModelEnv  # noqa: E402
from diamond.optim import Trainer  # noqa: E402
from diamond.runs import derived_seed  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("run", help="the run folder whose dataset and config.json the dreams start from")
    p.add_argument("--policy-from", required=True, help="an agent.pt snapshot: the actor-critic that trains on")
    p.add_argument("--world-model-from", required=True, help="an agent.pt snapshot: the frozen denoiser, reward/end")
    p.add_argument("--ends", choices=("terminate", "bootstrap"), required=True)
    p.add_argument("--updates", type=int, default=250)
    p.add_argument("--every", type=int, default=125, help="play the test games every K updates")
    p.add_argument("--episodes", type=int, default=20)
    p.add_argument("--seed", type=int, default=1000, help="the test games' seed")
    p.add_argument("--train-seed", type=int, default=0, help="seeds the dreams' windows and noise and the actions")
    p.add_argument("--out", required=True, help="JSON lines: the dream's numbers per 25 updates, the test games")
    args = p.parse_args()
    torch.set_num_threads(2)
    config = Path(args.run) / "config.json"
    agent, cfg = load_agent(args.policy_from, config=config)
    world, _ = load_agent(args.world_model_from, config=config)
    ac = agent.actor_critic
    wm = WorldModelEnv(
        world.denoiser.eval(),
        world.rew_end_model.eval(),
        EpisodeDataset(Path(args.run) / "dataset" / "train"),
        cfg.sampler,
        cfg.world_model_env.batch_size,
        cfg.world_model_env.horizon,
        cfg.actor_critic_optim.sample_weights,
        seed=derived_seed(args.train_seed, 0, 10),
    )
    rollouts = DreamRollouts(ac, wm, seed=derived_seed(args.train_seed, 0, 11))
    loss_cfg = cfg.actor_critic_loss

    def loss_fn(_=None):
        r = rollouts.chunk(loss_cfg.backup_every)
        ends = r.end.float().sum(1).mean().item()
        if args.ends == "bootstrap":
            r = replace(r, end=torch.zeros_like(r.end), trunc=r.end | r.trunc)
        loss, logs = actor_critic_loss(r, loss_cfg)
        return loss, {**logs, "imagined_end": ends}

    tr = Trainer(ac, loss_fn, cfg.actor_critic_optim)
    out = open(args.out, "w")

    def write(row):
        out.write(json.dumps(row) + "\n")
        out.flush()
        print(json.dumps({k: v for k, v in row.items() if k != "returns"}), flush=True)

    def test(update):
        ac.eval()
        r = play(cfg.game, lambda env: AgentPolicy(ac, epsilon=0.0, seed=args.seed), args.episodes, args.seed)
        write({"update": update, "test": True, **r})
        ac.train()

    write({k.replace("_", "-"): v for k, v in vars(args).items()})
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
