"""Does the dream tell good play from bad? Each policy (the shipped agent, which learned; seed 1's final policy, which
did not; a uniform-random player) dreams in each world model (seed 1's final one, and the shipped one the run started
from), from the same windows of seed 1's real data with the same noise: reward and ends per 15-step chunk. In the real
game (`auto_serve_check.json`, 40 games) the shipped agent scores 3.02, seed 1 1.45, random 1.25. If the dream pays
the shipped agent clearly more than the others, it can teach what that agent learned and a seed that fails lacks
optimisation, not a teacher; if it pays them alike, the world model is what a failing seed lacks. Run from the
repository root:

    .venv/bin/python figures/lab/agent-breakout-ac125-den25-ent5/dream_teacher_check.py RUN_FOLDER --dreams 128 \\
        --out OUT.json

`--checkpoint FILE` reads the world model and the policy from a copy of the run's `checkpoints/agent.pt` kept after
some epoch, of this run or of another with the same networks (its world model then dreams from RUN_FOLDER's data,
built with RUN_FOLDER's config.json, as for the first lever's snapshots); `--label` names them in the output.
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch

from diamond.checkpoints import load_agent, load_shipped_agent
from diamond.data import EpisodeDataset
from diamond.probe import constant_policy, dream_chunk_outcomes


def chunk_outcomes(policy, denoiser, rew_end_model, ds, cfg, dreams: int, chunks: int, seeds) -> tuple:
    "Reward and ends of every chunk `policy` dreams, over the noise `seeds` (same windows and noise for any policy)."
    rew, end = zip(
        *[dream_chunk_outcomes(policy, denoiser, rew_end_model, ds, cfg, dreams, chunks, seed=s) for s in seeds]
    )
    return np.concatenate(rew), np.concatenate(end)


def sem(x: np.ndarray) -> float:
    "Standard error of the mean."
    return float(x.std(ddof=1) / np.sqrt(len(x)))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("run", help="a finished kit run folder (its final world model, policy and dataset)")
    p.add_argument("--dreams", type=int, default=128)
    p.add_argument("--chunks", type=int, default=2)
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    p.add_argument("--checkpoint", help="an agent.pt of the run (default: its final one)")
    p.add_argument("--label", default="seed 1 final", help="the run's world model and policy in the output")
    p.add_argument("--only-run", action="store_true", help="leave out the shipped world model's rows")
    p.add_argument("--out", required=True)
    a = p.parse_args()
    torch.set_num_threads(2)
    if a.checkpoint:
        run_agent, cfg = load_agent(a.checkpoint, config=Path(a.run) / "config.json")
    else:
        run_agent, cfg = load_agent(a.run)
    shipped, _ = load_shipped_agent()
    ds = EpisodeDataset(Path(a.run) / "dataset" / "train")
    policies = {
        "shipped agent": shipped.actor_critic,
        a.label: run_agent.actor_critic,
        "uniform": constant_policy(run_agent.actor_critic, None),
    }
    models = {a.label: run_agent} if a.only_run else {a.label: run_agent, "shipped": shipped}
    rows = []
    for wm_name, wm in models.items():
        for pol_name, pol in policies.items():
            t0 = time.time()
            rew, end = chunk_outcomes(pol.eval(), wm.denoiser, wm.rew_end_model, ds, cfg, a.dreams, a.chunks, a.seeds)
            row = {
                "world_model": wm_name,
                "policy": pol_name,
                "chunks": len(rew),
                "reward_per_chunk": float(rew.mean()),
                "reward_sem": sem(rew),
                "ends_per_chunk": float(end.mean()),
                "ends_sem": sem(end),
                "seconds": round(time.time() - t0, 1),
            }
            rows.append(row)
            print(json.dumps(row), flush=True)
    Path(a.out).write_text(
        json.dumps(
            {"run": a.run, "checkpoint": a.checkpoint, "dreams": a.dreams, "seeds": a.seeds, "rows": rows}, indent=1
        )
    )


if __name__ == "__main__":
    main()
