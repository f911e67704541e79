"The Atari 100k report: the paper's aggregates from the reference scores (rliable), the kit's runs collected from a batch folder."
import json

import numpy as np
import pytest

from diamond.agent import human_normalised, reference_scores
from diamond.report import aggregates, collect_runs, hns_matrix, kit_matrix, per_game_table


def test_published_aggregates_are_the_papers():
    published = {k: hns_matrix(reference_scores(k)) for k in ("DIAMOND", "IRIS", "SimPLe")}
    agg = aggregates(published, reps=500, seed=1)
    for name, mean, iqm in (("DIAMOND", 1.459, 0.641), ("IRIS", 1.046, 0.501), ("SimPLe", 0.332, 0.130)):
        assert agg[name]["mean"][0] == pytest.approx(mean, abs=1e-3) and agg[name]["IQM"][0] == pytest.approx(iqm, abs=1e-3)
        for point, lo, hi in agg[name].values():
            assert lo <= point <= hi
    assert agg["DIAMOND"]["mean"][1] > agg["IRIS"]["mean"][0]      # DIAMOND's interval sits above IRIS's mean
    assert aggregates(published, reps=500, seed=1) == agg              # seeded bootstrap: the same intervals


def test_matrices_need_the_same_runs_per_game():
    with pytest.raises(ValueError, match="same number of runs"):
        hns_matrix({"Pong": [1.0, 2.0], "Breakout": [3.0]}, ["Pong", "Breakout"])


def fake_run(root, name, game, seed, score, finished=True):
    d = root / name / "agent"
    d.mkdir(parents=True)
    if finished:
        (d / "run_is_over").write_text("finished\n")
        (d / "results.json").write_text(json.dumps({"game": game, "seed": seed, "profile": "tiny", "final_return_mean": score}))


def test_collect_runs_takes_finished_runs_only(tmp_path):
    fake_run(tmp_path, "Breakout-s0", "Breakout", 0, 3.0)
    fake_run(tmp_path, "Breakout-s1", "Breakout", 1, 5.0)
    fake_run(tmp_path, "Pong-s0", "Pong", 0, -20.0)
    fake_run(tmp_path, "Pong-s1", "Pong", 1, 0.0, finished=False)
    scores, rows = collect_runs(tmp_path)
    assert scores == {"Breakout": [3.0, 5.0], "Pong": [-20.0]}
    assert [r["finished"] for r in rows] == [True, True, True, False]
    with pytest.warns(UserWarning, match="different numbers of runs"):
        m, games = kit_matrix(scores)
    assert games == ["Breakout", "Pong"] and m.shape == (1, 2)
    assert m[0, 0] == pytest.approx(human_normalised("Breakout", 3.0))
    table = per_game_table(scores, "kit")
    assert "| Breakout | 1.7 | 30.5 |" in table and "4.0 ± 1.0 (2)" in table and "| Alien |" in table
