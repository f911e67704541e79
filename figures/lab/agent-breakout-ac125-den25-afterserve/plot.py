"""The folder's figure from its JSON files: per player, the share of 15-step chunks whose ball is lost in the dream and
in the game, and the share that end; then the dream's loss rate per player for the world models after epochs 0, 10
and 20. Run from the repository root: .venv/bin/python figures/lab/agent-breakout-ac125-den25-afterserve/plot.py"""

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

here = Path(__file__).parent
rows = json.loads((here / "dream_losses_any.json").read_text())["rows"]
fig, (ax, bx) = plt.subplots(1, 2, figsize=(12, 4.2))
names, x, w = [r["action"] for r in rows], np.arange(len(rows)), 0.2
for i, (key, place, label, colour) in enumerate(
    [
        ("ball_lost", "dream", "ball lost, dream", "tab:red"),
        ("ball_lost", "real", "ball lost, game", "tab:blue"),
        ("ended", "dream", "ended, dream", "salmon"),
        ("ended", "real", "ended, game", "lightblue"),
    ]
):
    ax.bar(x + (i - 1.5) * w, [r[place][key] for r in rows], w, label=label, color=colour)
ax.set_xticks(x, names)
ax.set_ylabel("share of 15-step chunks")
ax.set_title("held actions: the dream loses the ball twice as often\nand seldom ends for it (final world model)")
ax.set_ylim(0, 1)
ax.legend(fontsize=8, ncol=2, loc="upper center")
players = ["LEFT", "uniform", "shipped"]
for j, e in enumerate((0, 10, 20)):
    r = {q["action"]: q["dream"]["ball_lost"] for q in json.loads((here / f"losses_epoch{e}.json").read_text())["rows"]}
    bx.bar(np.arange(3) + (j - 1) * 0.25, [r[p] for p in players], 0.25, label=f"world model after epoch {e}")
game = {r["action"]: r["real"]["ball_lost"] for r in rows}
bx.hlines([game["LEFT"], game["uniform"]], [-0.4, 0.6], [0.4, 1.4], colors="k", linestyles="--", label="the game")
bx.set_xticks(np.arange(3), ["held LEFT", "uniform", "shipped agent\n(3.35 a game; random 1.35)"])
bx.set_ylabel("dream chunks with the ball lost")
bx.set_ylim(0, 1)
bx.set_title("whoever plays, the dream loses the ball as often")
bx.legend(fontsize=8)
fig.suptitle(
    "Breakout, small-agent-pretrained + first and fourth levers, seed 1: where a dreamed ball goes", fontsize=10
)
fig.tight_layout()
fig.savefig(here / "dream_losses.png", dpi=110)
