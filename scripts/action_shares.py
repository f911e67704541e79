"""What an agent pressed in the real game while it trained: each action's share of its steps, window by window.

    .venv/bin/python scripts/action_shares.py --window 900 --out shares.json \\
        "lever, seed 1=runs/agent-breakout-ac125-den25/seed1" "lever, seed 2=runs/agent-breakout-ac125-den25/seed2"

Each LABEL=FOLDER names an agent's run folder with its dataset (`dataset/train`, the episodes in collection order).
The first epoch's steps (a uniform-random player's, as many as `metrics.jsonl` says epoch 0 collected) are left out;
the agent's own steps after them are cut into windows of `--window` steps. Per window: each action's share, the
rewards and the training-episode ends (lost lives). A Breakout agent that stops pressing FIRE stops serving the ball:
no life is lost, in the game or in the dream, and nothing is scored.
"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from diamond.atari import action_names
from diamond.config import load_config
from diamond.data import EpisodeDataset
from diamond.runs import RunFolder


def shares(folder: Path, window: int) -> dict:
    "Action shares, rewards and ends of the agent's collected steps in `folder`, per window of `window` steps."
    if not (folder / "dataset" / "train").is_dir() or not (folder / "metrics.jsonl").is_file():
        sys.exit(f"error: {folder} has no dataset/train or metrics.jsonl: give an agent's run folder")
    random_steps = next(m["env_steps"] for m in RunFolder(folder).read_metrics() if m["epoch"] == 0)
    ds = EpisodeDataset(folder / "dataset" / "train")
    eps = [ds[i] for i in ds.ids]
    act, rew, end = (np.concatenate([np.asarray(getattr(e, k)) for e in eps]) for k in ("act", "rew", "end"))
    names = action_names(load_config(folder / "config.json").game)
    rows = []
    for start in range(random_steps, len(act), window):
        a, r, e = act[start : start + window], rew[start : start + window], end[start : start + window]
        rows.append(
            {
                "steps": [int(start), int(start + len(a))],
                "share": {n: round(float((a == i).mean()), 3) for i, n in enumerate(names)},
                "rewards": int((r > 0).sum()),
                "ends": int(e.sum()),
            }
        )
    return {"random_steps": int(random_steps), "agent_steps": int(len(act) - random_steps), "windows": rows}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("runs", nargs="+", help="LABEL=FOLDER, one per run")
    p.add_argument("--window", type=int, default=900, help="agent steps per window (default 900)")
    p.add_argument("--out", type=Path, default=None, help="also write the JSON here")
    a = p.parse_args(argv)
    if a.window < 1:
        p.error(f"--window {a.window}: give a positive number of steps")
    out = {}
    for spec in a.runs:
        label, sep, folder = spec.partition("=")
        if not sep or not label or not folder:
            p.error(f"{spec!r}: give LABEL=FOLDER, e.g. 'seed 1=runs/agent-breakout-ac125-den25/seed1'")
        out[label] = shares(Path(folder), a.window)
        for w in out[label]["windows"]:
            s = ", ".join(f"{n} {v:.2f}" for n, v in w["share"].items())
            print(f"{label}: steps {w['steps'][0]}-{w['steps'][1]}: {s}; {w['rewards']} rewards, {w['ends']} ends")
    if a.out:
        a.out.write_text(json.dumps(out, indent=1) + "\n")
        print(f"wrote {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
