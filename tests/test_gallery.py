"figures/README.md, the gallery: short, its links alive, every folder listed, and its numbers those of the results files."
import json
import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from diamond.agent import against_random

FIGURES = Path(__file__).resolve().parent.parent / "figures"
GALLERY = (FIGURES / "README.md").read_text()
# the profile's seeds, and the lever's (whose seed 2 is the shipped agent)
PROFILE_SEEDS, LEVER_SEEDS = "agent-breakout-small-agent-pretrained", "lab/agent-breakout-ac125-den25"


def test_the_gallery_is_short_and_its_links_live():
    assert len(GALLERY.split()) <= 1000, len(GALLERY.split())
    for line in GALLERY.splitlines():
        if line.startswith("|") and not line.startswith("|---"):
            assert all(len(c.strip()) <= 300 for c in line.strip("|").split(" | ")), line[:120]
    for target in re.findall(r"\]\(([^)]+)\)", GALLERY):
        assert (FIGURES / target).exists(), target
    listed = {p.name for p in FIGURES.iterdir() if p.is_dir() and p.name != "lab"}
    assert all(f"{name}/" in GALLERY for name in listed), listed


def half_up(x: float, places: int = 2) -> str:
    "`x` rounded half up from its shortest decimal form, as the text writes it (5.175 -> 5.18, where `:.2f` gives 5.17)."
    return str(Decimal(str(x)).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP))


def quoted() -> list[str]:
    "The numbers the gallery and the website's Results page quote, as they write them, read from the results files."
    wm = json.loads((FIGURES / "world-model-breakout-small" / "results.json").read_text())
    ce = json.loads((FIGURES / "compounding_error-small" / "compounding_error.json").read_text())
    bx = json.loads((FIGURES / "boxing-small" / "boxing_multimodality.json").read_text())["sharpness"]
    agent = json.loads((FIGURES / PROFILE_SEEDS / "seed0" / "results.json").read_text())
    hns = json.loads((FIGURES / "atari100k" / "aggregates.json").read_text())["aggregates"]["DIAMOND"]
    c = against_random(agent)
    quoted = [
        f"ball in {wm['ball_present']:.1%}", f"recall {wm['reward_recall']:.2f}", f"{wm['denoiser_updates']:,} denoiser",
        f"{ce['first_step_error']['edm_n1']:.2f} levels of error at step 1", f"{ce['final_error']['edm_n1']:.1f} at step 100",
        f"({ce['first_step_error']['ddpm_n10']:.2f} at step 1)", f"{ce['train_steps']:,} updates each",
        f"blurred (sharpness {bx['1']['opponent'][0]:.2f} ± {bx['1']['opponent'][1]:.2f})",
        f"sharper ({bx['1']['player'][0]:.2f} ± {bx['1']['player'][1]:.2f})", f"({bx['3']['player'][0]:.2f}, {bx['3']['opponent'][0]:.2f})",
        f"scored {agent['final_return_mean']:.2f} over {agent['final_episodes']} test games (95% interval "
        f"{half_up(c['agent'][0])}-{half_up(c['agent'][1])})",
        f"random player's {agent['random_return_mean']:.2f} ({half_up(c['random'][0])}-{half_up(c['random'][1])})",
        f"mean {hns['mean'][0]:.3f}, median {hns['median'][0]:.3f}, IQM {hns['IQM'][0]:.3f}",
        *seed_quotes(1),
        *seed_quotes(2),
        *seed_quotes(2, LEVER_SEEDS),  # the shipped agent's run
        *seed_quotes(1, LEVER_SEEDS),
    ]
    return quoted


def seed_quotes(seed: int, folder: str = PROFILE_SEEDS) -> list[str]:
    "A finished seed's final mean and interval, and the random player's, as the pages write them: '2.48 (1.45-3.65)'."
    r = json.loads((FIGURES / folder / f"seed{seed}" / "results.json").read_text())
    c = against_random(r)
    return [f"{r['final_return_mean']:.2f} ({half_up(c['agent'][0])}-{half_up(c['agent'][1])})",
            f"{r['random_return_mean']:.2f} ({half_up(c['random'][0])}-{half_up(c['random'][1])})"]


def fresh_quotes(report: Path) -> list[list[str]]:
    "The agent's and the random player's means and intervals in a `diamond evaluate` report; either form of each."
    r = json.loads(report.read_text())
    agent, rand = r["return_ci95"], r["random_return_ci95"]
    mean = f"{r['return_mean']:.2f}"
    return [[f"{mean} ({agent[0]:.2f}-{agent[1]:.2f})", f"{mean} (95% interval {agent[0]:.2f}-{agent[1]:.2f})"],
            [f"{r['random_return_mean']:.2f} ({rand[0]:.2f}-{rand[1]:.2f})"]]


@pytest.mark.parametrize("folder", [PROFILE_SEEDS, LEVER_SEEDS])
def test_a_seeds_readme_quotes_every_finished_seed_and_its_shipped_agents_fresh_games(folder):
    text = (FIGURES / folder / "README.md").read_text()
    flat = " ".join(text.split())
    finished = sorted(int(p.parent.name[4:]) for p in (FIGURES / folder).glob("seed*/results.json"))
    assert finished, "no finished seed"
    missing = [q for s in finished for q in seed_quotes(s, folder) if q not in flat]
    for forms in fresh_quotes(FIGURES / folder / "seed2" / "shipped_30_fresh_games.json"):
        missing += [] if any(f in flat for f in forms) else [forms[0]]
    assert not missing, missing


@pytest.mark.parametrize("page", ["figures/README.md", "docs/results.md"])
def test_the_gallery_and_the_results_page_quote_the_results_files(page):
    "A rerun that changes a result fails here until the gallery and the Results page say the new number."
    text = (FIGURES.parent / page).read_text()
    missing = [q for q in quoted() if q not in text]
    assert not missing, missing


def test_the_results_page_quotes_the_shipped_agents_fresh_games():
    r = json.loads((FIGURES / LEVER_SEEDS / "seed2" / "shipped_30_fresh_games.json").read_text())
    said = f"{r['return_mean']:.2f} against the random player's {r['random_return_mean']:.2f}"
    assert said in (FIGURES.parent / "docs" / "results.md").read_text(), said


def test_the_results_page_shows_pictures_that_exist():
    text = (FIGURES.parent / "docs" / "results.md").read_text()
    pictures = re.findall(r"\{image\} (\S+)", text)
    assert len(pictures) >= 5 and all((FIGURES.parent / p).exists() for p in pictures), pictures


def test_the_results_shipped_in_the_package_are_the_committed_ones():
    "Lessons show copies of committed results from inside the package (diamond/assets/results/): a rerun must update both."
    from diamond.viz import SHIPPED_RESULTS, shipped_result

    for folder, names in SHIPPED_RESULTS.items():
        for name in names:
            shipped, committed = shipped_result(folder, name), FIGURES / folder / name
            assert shipped.read_bytes() == committed.read_bytes(), f"cp figures/{folder}/{name} {shipped}"
    root = FIGURES.parent / "diamond" / "assets" / "results"
    extra = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
    extra -= {f"{folder}/{n}" for folder, names in SHIPPED_RESULTS.items() for n in names}
    assert not extra, f"files in diamond/assets/results/ that SHIPPED_RESULTS does not list: {sorted(extra)}"


def test_the_seeds_figure_is_drawn_from_the_committed_seed_folders(tmp_path, capsys):
    import importlib.util
    spec = importlib.util.spec_from_file_location("agent_seeds", FIGURES.parent / "scripts" / "agent_seeds.py")
    agent_seeds = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(agent_seeds)
    folder = FIGURES / "agent-breakout-small-agent-pretrained"
    out = tmp_path / "seeds.png"
    assert agent_seeds.main(["--out", str(out), f"seed 0={folder / 'seed0'}", f"seed 2={folder / 'seed2'}",
                             f"stopped={FIGURES / 'lab' / 'agent-breakout-small-seed1-stopped'}"]) == 0
    printed = capsys.readouterr().out
    assert out.stat().st_size > 20_000 and "stopped: 15 epochs so far, not finished" in printed
    assert all(q in printed for q in seed_quotes(2)), printed
    # seed 0 ran before the reward/end model had its own precision field: its config.json lacks the key (the default,
    # '', computes it in the run's bfloat16), which the script reports, and --same-config refuses
    assert "seed 2: compute.rew_end_precision = 'float32' (seed 0: '')" in printed, printed
    refused = tmp_path / "refused.png"
    with pytest.raises(SystemExit) as e:
        agent_seeds.main(["--out", str(refused), "--same-config", f"seed 0={folder / 'seed0'}", f"seed 2={folder / 'seed2'}"])
    assert e.value.code == 2 and not refused.exists() and "compute.rew_end_precision" in capsys.readouterr().err
    # a key added to the config after a run (the recency weights) counts as its default: the lever's seeds are one command
    lever = FIGURES / LEVER_SEEDS
    assert agent_seeds.main(["--out", str(refused), "--same-config", f"2={lever / 'seed2'}", f"1={lever / 'seed1'}"]) == 0
    assert "differ" not in capsys.readouterr().out
    with pytest.raises(SystemExit):
        agent_seeds.main(["--out", str(out), "no-equals-sign"])
    with pytest.raises(SystemExit, match="no metrics.jsonl"):
        agent_seeds.main(["--out", str(out), f"empty={tmp_path}"])


def test_action_shares_counts_the_agents_own_steps_window_by_window(tmp_path, capsys):
    import importlib.util
    from diamond.config import make_config, save_config
    import numpy as np
    from diamond.data import Episode, EpisodeDataset
    spec = importlib.util.spec_from_file_location("action_shares", FIGURES.parent / "scripts" / "action_shares.py")
    action_shares = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(action_shares)
    run = tmp_path / "run"
    ds = EpisodeDataset(run / "dataset" / "train")
    # 10 random steps (all NOOP here), then the agent's 12: FIRE x4 with 1 reward, LEFT x8 with an end at the last
    for act, rew, end in (([0] * 10, [0] * 10, 9), ([1] * 4, [0, 1, 0, 0], 3), ([3] * 8, [0] * 8, 7)):
        n = len(act)
        ds.add(Episode(np.zeros((n, 3, 64, 64), np.uint8), np.array(act), np.array(rew, float), np.arange(n) == end,
                       np.zeros(n, bool), np.zeros((3, 64, 64), np.uint8)))
    (run / "metrics.jsonl").write_text(json.dumps({"epoch": 0, "env_steps": 10}) + "\n")
    save_config(make_config("tiny", game="Breakout"), run / "config.json")
    out = tmp_path / "shares.json"
    assert action_shares.main(["--window", "8", "--out", str(out), f"run={run}"]) == 0
    res = json.loads(out.read_text())["run"]
    assert res["random_steps"] == 10 and res["agent_steps"] == 12
    first, second = res["windows"]
    assert first["steps"] == [10, 18] and first["share"] == {"NOOP": 0.0, "FIRE": 0.5, "RIGHT": 0.0, "LEFT": 0.5}
    assert (first["rewards"], first["ends"], second["ends"]) == (1, 1, 1) and second["share"]["LEFT"] == 1.0
    assert "run: steps 10-18: NOOP 0.00, FIRE 0.50" in capsys.readouterr().out
    with pytest.raises(SystemExit, match="no dataset/train"):
        action_shares.main([f"empty={tmp_path}"])
    with pytest.raises(SystemExit):
        action_shares.main(["--window", "0", f"run={run}"])
