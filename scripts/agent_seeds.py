"""Every seed of one agent command in one figure (chapter 17's `plot_seed_curves`).

    .venv/bin/python scripts/agent_seeds.py --out figures/agent-breakout-small-agent-pretrained/seeds.png \\
        "seed 0=figures/agent-breakout-small-agent-pretrained/seed0" "seed 2=..." ...

Each LABEL=FOLDER names a run folder or a committed copy of one: its metrics.jsonl, and results.json when the run
finished. Prints each seed's final mean and 95% interval beside the random player's.
"""
import argparse
import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from diamond.runs import plot_seed_curves  # noqa: E402
from diamond.viz import save_figure  # noqa: E402


def read_seed(folder: Path) -> tuple[list[dict], dict | None]:
    metrics = folder / "metrics.jsonl"
    if not metrics.is_file():
        sys.exit(f"error: {folder} has no metrics.jsonl: give a run folder or a committed copy of one")
    results = folder / "results.json"
    lines = [json.loads(line) for line in metrics.read_text().splitlines() if line.strip()]
    return lines, (json.loads(results.read_text()) if results.is_file() else None)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("seeds", nargs="+", help="LABEL=FOLDER, one per seed, in the order to draw them")
    p.add_argument("--out", type=Path, required=True, help="the PNG to write")
    p.add_argument("--title", default=None)
    a = p.parse_args(argv)
    seeds = {}
    for spec in a.seeds:
        label, sep, folder = spec.partition("=")
        if not sep or not label or not folder:
            p.error(f"{spec!r}: give LABEL=FOLDER, e.g. 'seed 0=figures/agent-breakout-small-agent-pretrained/seed0'")
        seeds[label] = read_seed(Path(folder))
    for label, (metrics, results) in seeds.items():
        epochs = max(m["epoch"] for m in metrics)
        if results:
            lo, hi = results["final_return_ci95"]
            rlo, rhi = results["random_return_ci95"]
            print(f"{label}: {epochs} epochs, final {results['final_return_mean']:.2f} ({lo:.2f}-{hi:.2f}) over "
                  f"{results['final_episodes']} games; random {results['random_return_mean']:.2f} ({rlo:.2f}-{rhi:.2f})")
        else:
            print(f"{label}: {epochs} epochs so far, not finished")
    save_figure(plot_seed_curves(seeds, a.title), a.out)
    print(f"wrote {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
