"The authors' checkpoints: synthetic files built from their key table load exactly, bad files fail naming the key, evaluation CLI."
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from diamond.checkpoints import (CheckpointError, download_official, load_agent, load_official, read_state_dict, save_official,
                                 state_problems)
from diamond.config import make_config, save_config
from diamond.data import EpisodeDataset
from diamond.agent import Agent, human_normalised, reference_scores

OFFICIAL = Path(__file__).parent / "data" / "official-state-dict.tsv"
ROOT = Path(__file__).resolve().parent.parent
A_DEPENDENT = "A-dependent"


def official_table(num_actions: int = 4) -> list[tuple[str, tuple, str]]:
    "(key, shape, dtype) of the authors' checkpoint in file order, the action count put in the A-dependent rows."
    rows = []
    for line in OFFICIAL.read_text().splitlines():
        if line.startswith("#") or line.startswith("key\t"): continue
        key, shape, dtype, kind = line.split("\t")
        dims = [int(x) for x in shape.strip("()").split(",") if x.strip()]
        if A_DEPENDENT in kind:
            assert dims[0] == 4, key
            dims[0] = num_actions
        rows.append((key, tuple(dims), dtype))
    return rows


def synthetic_official(num_actions: int = 4, seed: int = 0) -> dict[str, torch.Tensor]:
    "A checkpoint in the authors' format built from their key table alone, with random values."
    g = torch.Generator().manual_seed(seed)
    return {k: torch.randn(shape, generator=g, dtype=getattr(torch, dtype)) for k, shape, dtype in official_table(num_actions)}


@pytest.mark.parametrize("game,num_actions", [("Breakout", 4), ("Pong", 6), ("Alien", 18)])
def test_synthetic_official_checkpoint_loads_and_saves_back_bit_for_bit(tmp_path, game, num_actions):
    state = synthetic_official(num_actions)
    f = tmp_path / f"{game}.pt"
    torch.save(state, f)
    agent = load_official(f, game)
    assert not agent.training
    assert all(torch.equal(agent.state_dict()[k], v) for k, v in state.items())
    out = save_official(agent, tmp_path / "out" / f"{game}.pt")
    back = torch.load(out, weights_only=True)
    assert list(back) == list(state)                                       # same keys, in the authors' order
    for k, v in state.items():
        assert back[k].dtype == v.dtype and back[k].shape == v.shape and torch.equal(back[k], v), k
    assert out.read_bytes() != b"" and not list((tmp_path / "out").glob(".*.tmp"))


def test_the_kit_agent_is_the_authors_table():
    assert state_problems(synthetic_official(4), Agent(make_config("paper"), 4)) == []
    assert state_problems(synthetic_official(18), Agent(make_config("paper"), 18)) == []


def error_of(*args, **kw) -> str:
    with pytest.raises(CheckpointError) as e:
        load_official(*args, **kw)
    return str(e.value)


def test_missing_extra_wrong_shape_wrong_dtype_wrong_game_name_the_key():
    state = synthetic_official(4)
    missing = dict(state); del missing["rew_end_model.lstm.weight_hh_l0"]
    assert "missing key rew_end_model.lstm.weight_hh_l0" in error_of(missing, "Breakout")
    extra = {**state, "actor_critic.extra_head.weight": torch.zeros(3, 3)}
    assert "unexpected key actor_critic.extra_head.weight" in error_of(extra, "Breakout")
    shape = {**state, "denoiser.inner_model.conv_out.bias": torch.zeros(4)}
    assert "wrong shape for denoiser.inner_model.conv_out.bias: (4,) in the file, (3,) in the kit" in error_of(shape, "Breakout")
    dtype = {**state, "actor_critic.critic_linear.bias": torch.zeros(1, dtype=torch.float64)}
    assert "wrong dtype for actor_critic.critic_linear.bias" in error_of(dtype, "Breakout")
    msg = error_of(synthetic_official(18), "Breakout")
    assert "18 actions but Breakout has 4" in msg and "Alien" in msg
    msg = error_of(state, "Pong")
    assert "4 actions but Pong has 6" in msg
    # an action embedding of another size while the policy layer fits: the key is named
    odd = {**state, "rew_end_model.act_emb.weight": torch.zeros(6, 128)}
    assert "wrong shape for rew_end_model.act_emb.weight" in error_of(odd, "Breakout")


class _Boom:
    def __reduce__(self):
        return (os.system, (f"touch {os.environ['BOOM_MARKER']}",))


def test_loading_never_runs_pickled_code(tmp_path, monkeypatch):
    marker = tmp_path / "ran"
    monkeypatch.setenv("BOOM_MARKER", str(marker))
    f = tmp_path / "evil.pt"
    torch.save({**synthetic_official(4), "payload": _Boom()}, f)
    with pytest.raises(CheckpointError, match="weights_only"):
        load_official(f, "Breakout")
    assert not marker.exists()
    (tmp_path / "cut.pt").write_bytes(f.read_bytes()[:1000])
    with pytest.raises(CheckpointError, match="cannot be read"):
        read_state_dict(tmp_path / "cut.pt")
    with pytest.raises(CheckpointError, match="no checkpoint"):
        read_state_dict(tmp_path / "nope.pt")


def tiny_run(tmp_path, game="Breakout") -> Path:
    "A kit run folder holding a fresh tiny agent: config.json, checkpoints/agent.pt and a trainer-style state.pt."
    run = tmp_path / "run"
    cfg = make_config("tiny", game=game)
    save_config(cfg, run / "config.json")
    agent = Agent(cfg, 4)
    save_official(agent, run / "checkpoints" / "agent.pt")
    torch.save({"version": 1, "epoch": 3, "agent": agent.state_dict()}, run / "checkpoints" / "state.pt")
    return run


def test_load_agent_finds_the_runs_config(tmp_path):
    run = tiny_run(tmp_path)
    want = torch.load(run / "checkpoints" / "agent.pt", weights_only=True)
    for p in (run, run / "checkpoints" / "agent.pt", run / "checkpoints" / "state.pt"):
        agent, cfg = load_agent(p)
        assert cfg.profile == "tiny" and cfg.game == "Breakout"
        assert all(torch.equal(agent.state_dict()[k], v) for k, v in want.items())
    with pytest.raises(CheckpointError, match="trained on Breakout, not Pong"):
        load_agent(run, "Pong")
    lone = tmp_path / "lone.pt"
    lone.write_bytes((run / "checkpoints" / "agent.pt").read_bytes())
    with pytest.raises(CheckpointError, match="say which game"):
        load_agent(lone)
    with pytest.raises(CheckpointError, match="another configuration"):       # a tiny file read as the paper's
        load_agent(lone, "Breakout")
    agent, _ = load_agent(lone, "Breakout", run / "config.json")


def test_download_official_writes_once_and_leaves_nothing_on_failure(tmp_path):
    src = tmp_path / "hub" / "Breakout.pt"
    src.parent.mkdir()
    torch.save(synthetic_official(4), src)
    dest = tmp_path / "cache" / "Breakout.pt"
    got = download_official("Breakout", dest, url=(tmp_path / "hub").as_uri() + "/{game}.pt", progress=False)
    assert got == dest and dest.read_bytes() == src.read_bytes()
    src.unlink()
    assert download_official("Breakout", dest, url=(tmp_path / "hub").as_uri() + "/{game}.pt", progress=False) == dest   # reused
    with pytest.raises(CheckpointError, match="download it by hand"):
        download_official("Pong", tmp_path / "cache" / "Pong.pt", url=(tmp_path / "hub").as_uri() + "/{game}.pt", progress=False)
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == ["Breakout.pt"]


def test_reference_scores_and_human_normalisation():
    assert human_normalised("Breakout", 30.5) == pytest.approx(1.0)
    assert human_normalised("Pong", reference_scores("RANDOM")["Pong"][0]) == pytest.approx(0.0)
    with pytest.raises(ValueError, match="choose one of"):
        reference_scores("MuZero")


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "diamond.evaluate", *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


@pytest.mark.integration
def test_evaluate_cli_plays_a_kit_checkpoint(tmp_path):
    run = tiny_run(tmp_path)
    kept = tmp_path / "kept"
    p = run_cli("--checkpoint", str(run / "checkpoints" / "agent.pt"), "--episodes", "3", "--seed", "1", "--out", str(tmp_path / "r.json"),
                "--save-episodes", str(kept), "--no-progress")
    assert p.returncode == 0, p.stderr
    rep = json.loads((tmp_path / "r.json").read_text())
    assert rep["episodes"] == 3 and len(rep["returns"]) == 3 and rep["game"] == "Breakout"
    assert rep["hns"] == pytest.approx(human_normalised("Breakout", rep["return_mean"]))
    assert "human-normalised" in p.stdout and "Breakout: return" in p.stdout
    ds = EpisodeDataset(kept)
    assert len(ds) == 3 and ds.num_steps == rep["steps"]
    before = sorted(q.relative_to(kept) for q in kept.rglob("*"))
    # a folder with episodes is refused and left as it was; so are bad arguments
    p = run_cli("--checkpoint", str(run), "--episodes", "1", "--save-episodes", str(kept))
    assert p.returncode == 2 and "already holds 3 episodes" in p.stderr
    assert sorted(q.relative_to(kept) for q in kept.rglob("*")) == before
    for bad, why in [(["--game", "Breakout2"], "Breakout2"), (["--episodes", "0"], "below 1"), (["--game", "Pong"], "not Pong")]:
        p = run_cli("--checkpoint", str(run), *bad)
        assert p.returncode == 2 and why in p.stderr, (bad, p.stderr)


def test_the_shipped_agent_opens_without_pickled_code_and_carries_its_evidence():
    from diamond.checkpoints import SHIPPED_AGENT, shipped_agent_card
    assert SHIPPED_AGENT.is_file(), "the shipped agent is missing from diamond/assets/"
    size = SHIPPED_AGENT.stat().st_size
    assert size < 10e6, f"the shipped agent is {size / 1e6:.1f} MB (at most 10)"
    state = torch.load(SHIPPED_AGENT, weights_only=True)
    assert set(state) == {"actor_critic", "config", "results", "command"}
    agent, cfg = load_agent()
    assert cfg.game == "Breakout" and cfg.profile == "small-agent-pretrained"
    ac = agent.actor_critic.state_dict()
    for k, v in state["actor_critic"].items():  # the file's weights, in the precision the agent computes in
        assert torch.equal(ac[k], v.to(ac[k].dtype)), k
    card = shipped_agent_card()
    assert len(card["final_returns"]) >= 30 and len(card["random_returns"]) >= 30
    # the run's committed results (a seed folder under figures/, or figures/lab/ for a lever's run) say the same
    runs = [json.loads(p.read_text()) for p in (ROOT / "figures").rglob(f"seed{card['seed']}/results.json")]
    committed = [r for r in runs if r.get("final_returns") == card["final_returns"]]
    assert len(committed) == 1, f"{len(committed)} committed results.json hold the shipped agent's final games"
    assert {k: committed[0][k] for k in card if k in committed[0]} == {k: card[k] for k in card if k in committed[0]}
    assert card["beats_random"] == (card["final_return_ci95"][0] > card["random_return_ci95"][1])
    assert "diamond train" in card["command"] and "--seed" in card["command"]
    with pytest.raises(CheckpointError, match="plays Breakout"):
        load_agent(game="Pong")
    with pytest.raises(CheckpointError, match="own configuration"):
        load_agent(config=make_config("tiny"))


def test_an_unfinished_run_is_not_shipped(tmp_path):
    from diamond.checkpoints import save_shipped_agent
    run = tiny_run(tmp_path)
    with pytest.raises(CheckpointError, match="no results.json"):
        save_shipped_agent(run, tmp_path / "agent.pt")
    assert not (tmp_path / "agent.pt").exists()


@pytest.mark.integration
def test_evaluate_shipped_plays_the_agent_and_a_random_player_on_the_same_games(tmp_path):
    p = run_cli("--shipped", "--episodes", "3", "--seed", "7", "--out", str(tmp_path / "r.json"), "--no-progress")
    assert p.returncode == 0, p.stderr
    rep = json.loads((tmp_path / "r.json").read_text())
    assert rep["checkpoint"] == "shipped" and rep["game"] == "Breakout"
    assert len(rep["returns"]) == 3 and len(rep["random_returns"]) == 3
    lo, hi = rep["return_ci95"]
    assert lo <= rep["return_mean"] <= hi and isinstance(rep["beats_random"], bool)
    assert "the shipped agent: return" in p.stdout and "random player on the same games" in p.stdout
