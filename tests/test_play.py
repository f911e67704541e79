"The play session without a browser: the authors' checkpoint format in the player, the agent's view, recordings, bad input."
import numpy as np
import pytest
import torch

from diamond.actor_critic import ActorCritic
from diamond.atari import RandomPolicy, action_names, make_env
from diamond.config import make_config
from diamond.data import Collector, EpisodeDataset
from diamond.edm import Denoiser
from diamond.play import PlaySession, action_for_keys, entropy_bits, load_play_models
from diamond.reward_end import RewEndModel
from diamond.agent import Agent
from test_checkpoints import synthetic_official


@pytest.fixture(scope="module")
def official_session(tmp_path_factory):
    "A paper-size session built from a synthetic checkpoint in the authors' format (random values), as the play chapter opens one."
    d = tmp_path_factory.mktemp("official")
    # the table's random N(0, 1) values would overflow a forward pass: take an initialised agent's values, perturbed, in the authors' layout
    torch.manual_seed(0)
    state = {k: v + 0.01 * torch.randn_like(v) if v.is_floating_point() else v for k, v in Agent(make_config("paper"), 4).state_dict().items()}
    assert [(k, tuple(v.shape)) for k, v in state.items()] == [(k, tuple(v.shape)) for k, v in synthetic_official(4).items()]
    f = d / "Breakout.pt"
    torch.save(state, f)
    den, rew_end, ac, spawn, cfg = load_play_models(f, "Breakout", spawn_steps=40, spawn_root=d / "spawn")
    assert cfg.profile == "paper" and spawn.num_steps >= 40
    assert torch.equal(ac.state_dict()["lstm.weight_hh"], state["actor_critic.lstm.weight_hh"])
    s = PlaySession("Breakout", den, rew_end, spawn, cfg.sampler, actor_critic=ac, horizon=50, seed=0, record_root=d / "rec")
    s.set_sampler(num_steps=1)                               # paper size on a CPU: one denoising step keeps the test short
    return s, state


def test_the_authors_agent_plays_in_the_dream_and_the_real_game(official_session):
    s, _ = official_session
    for mode in ("dream", "real"):
        s.set_mode(mode)
        s.set_controller("agent")
        for _ in range(2):
            if s.over is not None: s.reset()
            want = s.agent_action
            st = s.step()
            assert st["action"] == want                                       # the agent's sampled action is taken
            assert s.frame.shape == (64, 64, 3) and s.frame.dtype == np.uint8
            p = s.agent_view["probs"]
            assert p.shape == (4,) and abs(float(p.sum()) - 1) < 1e-5 and 0 <= entropy_bits(p) <= 2
            assert np.isfinite(s.agent_view["value"])
        s.set_controller("human")
    assert s.names == action_names("Breakout")


def test_recorded_real_play_is_an_episode_of_what_was_shown(tmp_path):
    cfg = make_config("tiny")
    A = 4
    den, rew_end, ac = Denoiser(cfg.denoiser, A), RewEndModel(cfg.rew_end, A), ActorCritic(cfg.actor_critic, A)
    spawn = EpisodeDataset(tmp_path / "spawn")
    Collector(make_env("Breakout", seed=0), RandomPolicy(A, seed=0), spawn).collect(60, progress=False)
    s = PlaySession("Breakout", den, rew_end, spawn, cfg.sampler, actor_critic=ac, seed=3, record_root=tmp_path / "rec")
    s.set_mode("real"); s.set_recording(True)
    shown, acts = [], [1, 2, 2, 3, 0, 1]
    for a in acts:
        shown.append(s.frame.copy()); s.step(a)
    last = s.frame.copy()
    s.reset()                                                                # cut by the player: saved, truncated
    ds = EpisodeDataset(tmp_path / "rec" / "Breakout_rec_real_H")
    (ep,) = ds.episodes.values()
    assert ep.act.tolist() == acts and ep.trunc[-1] and not ep.end.any()
    assert np.array_equal(ep.obs, np.stack([f.transpose(2, 0, 1) for f in shown]))
    assert np.array_equal(ep.final_obs, last.transpose(2, 0, 1))
    # dreams are recorded apart from real games
    s.set_mode("dream"); s.set_recording(True)
    for _ in range(3):
        if s.over is not None: break
        s.step(1)
    s.set_recording(False)
    assert len(EpisodeDataset(tmp_path / "rec" / "Breakout_rec_dream_H")) == 1 and len(ds) == 1
    # switching worlds while recording saves what was played under the world it was played in
    s.set_mode("real"); s.set_recording(True)
    s.step(1); s.step(2)
    s.set_mode("dream")
    assert len(EpisodeDataset(tmp_path / "rec" / "Breakout_rec_real_H")) == 2
    assert len(EpisodeDataset(tmp_path / "rec" / "Breakout_rec_dream_H")) == 1


def test_bad_input_is_refused_with_the_reason(tmp_path):
    cfg = make_config("tiny")
    den, rew_end = Denoiser(cfg.denoiser, 4), RewEndModel(cfg.rew_end, 4)
    with pytest.raises(ValueError, match="spawn dataset is empty"):
        PlaySession("Breakout", den, rew_end, EpisodeDataset(tmp_path / "empty"), cfg.sampler)
    spawn = EpisodeDataset(tmp_path / "spawn")
    Collector(make_env("Breakout", seed=0), RandomPolicy(4, seed=0), spawn).collect(30, progress=False)
    s = PlaySession("Breakout", den, rew_end, spawn, cfg.sampler, record_root=tmp_path / "rec")
    with pytest.raises(ValueError, match="no agent loaded"): s.set_controller("agent")
    with pytest.raises(ValueError, match="not one of Breakout's 4 actions"): s.step(7)
    with pytest.raises(ValueError, match="expected 'dream' or 'real'"): s.set_mode("space")
    with pytest.raises(ValueError, match="at least one step"): s.set_horizon(0)
    assert s.agent_view is None and s.t == 0


def test_keys_map_to_actions_by_name():
    alien = action_names("Alien")
    assert alien[action_for_keys(alien, ["arrowdown", "a", " "])] == "DOWNLEFTFIRE"
    assert alien[action_for_keys(alien, ["q"])] == "NOOP"


def test_a_kit_run_folder_opens_in_the_player_with_its_own_data(tmp_path):
    from test_checkpoints import tiny_run
    run = tiny_run(tmp_path)
    Collector(make_env("Breakout", seed=0), RandomPolicy(4, seed=0), EpisodeDataset(run / "dataset" / "train")).collect(50, progress=False)
    den, rew_end, ac, spawn, cfg = load_play_models(run, spawn_root=tmp_path / "spawn")
    assert cfg.profile == "tiny" and spawn.path == run / "dataset" / "train" and not (tmp_path / "spawn").exists()
    s = PlaySession(cfg.game, den, rew_end, spawn, cfg.sampler, actor_critic=ac, record_root=tmp_path / "rec")
    s.set_controller("agent"); st = s.step()
    assert st["t"] == 1 and s.agent_view is not None
