"""Every seed of one agent command in one figure (chapter 17's `plot_seed_curves`).

    .venv/bin/python scripts/agent_seeds.py --out figures/agent-breakout-small-agent-pretrained/seeds.png \\
        "seed 0=figures/agent-breakout-small-agent-pretrained/seed0" "seed 2=..." ...

Each LABEL=FOLDER names a run folder or a committed copy of one: its metrics.jsonl, results.json when the run
finished, and config.json. Prints each seed's final mean and 95% interval beside the random player's, and where a
seed's configuration differs from the first seed's (besides the seed and speed-only fields; a key that an older
config.json lacks counts as the kit's default for it). `--same-config` refuses to draw seeds whose configurations
differ.
"""
import argparse
import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from diamond.cli import flat_config  # noqa: E402
from diamond.config import RESULT_NEUTRAL_FIELDS, ConfigError, load_config  # noqa: E402
from diamond.runs import plot_seed_curves  # noqa: E402
from diamond.viz import save_figure  # noqa: E402


def read_seed(folder: Path) -> tuple[list[dict], dict | None]:
    metrics = folder / "metrics.jsonl"
    if not metrics.is_file():
        sys.exit(f"error: {folder} has no metrics.jsonl: give a run folder or a committed copy of one")
    results = folder / "results.json"
    lines = [json.loads(line) for line in metrics.read_text().splitlines() if line.strip()]
    return lines, (json.loads(results.read_text()) if results.is_file() else None)


def config_differences(folders: dict[str, Path]) -> list[str]:
    """One line per seed whose configuration differs from the first seed's in more than its seed and speed-only fields:
    'seed 0: compute.rew_end_precision = '' (seed 2: 'float32')'. Folders without config.json are named as such."""
    configs, lines = {}, []
    for label, folder in folders.items():
        if not (folder / "config.json").is_file():
            lines.append(f"{label}: no config.json, its configuration cannot be compared")
            continue
        try:
            configs[label] = flat_config(load_config(folder / "config.json"))
        except ConfigError as e:
            sys.exit(f"error: {e}")
    if not configs:
        return lines
    first, ref = next(iter(configs.items()))
    for label, cfg in configs.items():
        keys = [k for k in sorted(cfg) if cfg[k] != ref[k] and k != "seed" and k not in RESULT_NEUTRAL_FIELDS]
        if keys:
            lines.append(f"{label}: " + "; ".join(f"{k} = {cfg[k]!r} ({first}: {ref[k]!r})" for k in keys))
    return lines


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("seeds", nargs="+", help="LABEL=FOLDER, one per seed, in the order to draw them")
    p.add_argument("--out", type=Path, required=True, help="the PNG to write")
    p.add_argument("--title", default=None)
    p.add_argument("--same-config", action="store_true",
                   help="refuse (exit 2, nothing written) when the seeds' configurations differ beyond seed and speed")
    a = p.parse_args(argv)
    seeds, folders = {}, {}
    for spec in a.seeds:
        label, sep, folder = spec.partition("=")
        if not sep or not label or not folder:
            p.error(f"{spec!r}: give LABEL=FOLDER, e.g. 'seed 0=figures/agent-breakout-small-agent-pretrained/seed0'")
        seeds[label], folders[label] = read_seed(Path(folder)), Path(folder)
    differences = config_differences(folders)
    if differences and a.same_config:
        p.exit(2, "error: the seeds' configurations differ (--same-config):\n  " + "\n  ".join(differences) +
               "\nfix: draw only seeds of one command, or leave out --same-config to draw them side by side\n")
    for label, (metrics, results) in seeds.items():
        epochs = max(m["epoch"] for m in metrics)
        if results:
            lo, hi = results["final_return_ci95"]
            rlo, rhi = results["random_return_ci95"]
            print(f"{label}: {epochs} epochs, final {results['final_return_mean']:.2f} ({lo:.2f}-{hi:.2f}) over "
                  f"{results['final_episodes']} games; random {results['random_return_mean']:.2f} ({rlo:.2f}-{rhi:.2f})")
        else:
            print(f"{label}: {epochs} epochs so far, not finished")
    if differences:
        print("configurations that differ from the first seed's:\n  " + "\n  ".join(differences))
    save_figure(plot_seed_curves(seeds, a.title), a.out)
    print(f"wrote {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
