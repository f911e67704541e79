"World model: the shared optimiser recipe, paper-size training steps, rollouts and drift, reward/end model, imagination."
import csv
import math
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import torch
import torch.nn as nn

from diamond.config import make_config
from diamond.data import Episode, EpisodeDataset, SegmentSampler, make_batch
from diamond.edm import Denoiser
from diamond.imagination import WorldModelEnv
from diamond.optim import init_lstm
from diamond.reward_end import RewEndModel, class_metrics, confusion, episode_chunks, evaluate_rew_end, rew_end_loss
from diamond.unet import count_parameters
from diamond.optim import Trainer, load_state, param_groups, save_state, warmup
from diamond.world_model import (denoiser_loss_fn, denoiser_sampler, drift_curve, one_step_errors, pixel_error, rollout, sample_trajectories)

OFFICIAL = Path(__file__).parent / "data" / "official-state-dict.tsv"


def toy_dataset(path, lengths, seed=0, rewards=True):
    rng = np.random.default_rng(seed)
    ds = EpisodeDataset(path)
    for T in lengths:
        ds.add(Episode(rng.integers(0, 256, (T, 3, 64, 64), dtype=np.uint8), rng.integers(0, 4, T),
                       rng.choice([0.0, 1.0], T) if rewards else np.zeros(T), np.arange(T) == T - 1, np.zeros(T, bool),
                       rng.integers(0, 256, (3, 64, 64), dtype=np.uint8)))
    return ds


def test_weight_decay_only_on_linear_conv_lstm_weights():
    model = nn.Sequential(nn.Linear(3, 4), nn.Conv2d(2, 2, 3), nn.LSTM(4, 5), nn.LSTMCell(4, 5), nn.Embedding(3, 4), nn.GroupNorm(1, 2))
    decay, rest = param_groups(model, 0.01)
    names = {id(p): n for n, p in model.named_parameters()}
    assert sorted(names[id(p)] for p in decay["params"]) == sorted(
        ["0.weight", "1.weight", "2.weight_ih_l0", "2.weight_hh_l0", "3.weight_ih", "3.weight_hh"])
    assert len(decay["params"]) + len(rest["params"]) == len(list(model.parameters()))
    assert decay["weight_decay"] == 0.01 and rest["weight_decay"] == 0.0


def test_warmup_makes_the_first_update_a_no_op_then_reaches_the_learning_rate():
    assert [warmup(10)(s) for s in (0, 5, 10, 50)] == [0.0, 0.5, 1.0, 1.0]
    model = nn.Linear(4, 1)
    cfg = make_config("tiny").denoiser_optim
    tr = Trainer(model, lambda b: ((model(b) ** 2).mean(), {}), cfg)
    before = [p.clone() for p in model.parameters()]
    logs = tr.step(torch.randn(8, 4))
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters())) and logs["lr"] == cfg.lr / cfg.lr_warmup_steps
    for _ in range(cfg.lr_warmup_steps): logs = tr.step(torch.randn(8, 4))
    assert logs["lr"] == pytest.approx(cfg.lr)


def test_gradients_are_clipped_to_the_configured_norm():
    model = nn.Linear(4, 1)
    cfg = make_config("tiny", {"denoiser_optim.max_grad_norm": 0.5}).denoiser_optim
    tr = Trainer(model, lambda b: ((model(b) * 1000).pow(2).mean(), {}), cfg)
    logs = tr.step(torch.randn(8, 4))                          # the gradients stay on the parameters after the step
    clipped = math.sqrt(sum(p.grad.pow(2).sum().item() for p in model.parameters()))
    assert logs["grad_norm"] > 0.5 and clipped == pytest.approx(0.5, rel=1e-4)


@pytest.mark.integration
def test_paper_size_models_train_a_few_steps_on_cpu(tmp_path):
    cfg = make_config("paper", {"denoiser_optim.batch_size": 2, "rew_end_optim.batch_size": 2})
    ds = toy_dataset(tmp_path, [30, 25])
    den = Denoiser(cfg.denoiser, 4)
    logs = Trainer(den, denoiser_loss_fn(den), cfg.denoiser_optim).train(denoiser_sampler(ds, cfg, seed=0), 2, progress=False)
    assert all(math.isfinite(l["loss"]) for l in logs)
    rew = RewEndModel(cfg.rew_end, 4)
    sampler = SegmentSampler(ds, cfg.rew_end.seq_len, 2, can_sample_beyond_end=True, seed=0)
    logs = Trainer(rew, lambda b: rew_end_loss(rew, b), cfg.rew_end_optim).train(sampler, 2, progress=False)
    assert all(math.isfinite(l["loss"]) for l in logs)


class CopyLast:
    "A stand-in world model that predicts the last context frame."
    def __init__(self, L=4):
        self.cfg = SimpleNamespace(unet=SimpleNamespace(num_steps_conditioning=L)); self.device = torch.device("cpu")
    def denoise(self, x, sigma, obs, act): return obs[:, -1]


def test_rollout_drift_and_one_step_plumbing_with_a_copying_model(tmp_path):
    ds = toy_dataset(tmp_path, [40, 50])
    obs, act = sample_trajectories(ds, 4 + 6, 5, seed=0)
    assert obs.shape == (5, 10, 3, 64, 64) and act.shape == (5, 10) and obs.min() >= -1
    cfg = make_config("tiny").sampler
    dreams = rollout(CopyLast(), obs, act, cfg, 6)
    assert torch.allclose(dreams, obs[:, 3:4].expand(-1, 6, -1, -1, -1), atol=1e-5)
    errs, _ = drift_curve(CopyLast(), obs, act, cfg, 6)
    torch.testing.assert_close(errs, pixel_error(obs[:, 3:4], obs[:, 4:10]), atol=1e-3, rtol=1e-4)
    one = one_step_errors(CopyLast(), obs[:, :5], act[:, :5], cfg)
    assert one["model"] == pytest.approx(one["copy_last"], abs=1e-3) and 0 < one["changed_fraction"] <= 1
    with pytest.raises(ValueError, match="no episode"):
        sample_trajectories(ds, 60, 2)
    with pytest.raises(ValueError, match="cannot drive"):
        rollout(CopyLast(), obs, act[:, :5], cfg, 6)


def test_rollout_follows_the_recorded_actions(tmp_path):
    cfg = make_config("tiny")
    den = Denoiser(cfg.denoiser, 4).eval()
    for p in den.parameters():
        if p.dim() > 1: nn.init.normal_(p, std=0.05)
    obs = torch.rand(1, 4, 3, 64, 64) * 2 - 1
    a = rollout(den, obs, torch.zeros(1, 6, dtype=torch.long), cfg.sampler, 3, torch.Generator().manual_seed(0))
    b = rollout(den, obs, torch.full((1, 6), 3), cfg.sampler, 3, torch.Generator().manual_seed(0))
    assert a.shape == (1, 3, 3, 64, 64) and not torch.equal(a, b)


def official_shapes(prefix, A=4):
    rows = [r for r in csv.reader((l for l in OFFICIAL.open() if not l.startswith("#")), delimiter="\t")][1:]
    return {k[len(prefix):]: tuple([A] + [int(d) for d in s.strip("()").split(",") if d.strip()][1:]) if "A-dependent" in kind
            else tuple(int(d) for d in s.strip("()").split(",") if d.strip()) for k, s, _, kind in rows if k.startswith(prefix)}


@pytest.mark.parametrize("A", [3, 4, 18])
def test_reward_end_model_matches_the_authors(A):
    m = RewEndModel(make_config("paper").rew_end, A)
    assert count_parameters(m) == 5_900_352 + 128 * A
    assert {k: tuple(v.shape) for k, v in m.state_dict().items()} == official_shapes("rew_end_model.", A)


def test_lstm_init():
    lstm = nn.LSTM(6, 4); init_lstm(lstm)
    assert torch.equal(lstm.bias_ih_l0, torch.tensor([0.0] * 4 + [1.0] * 4 + [0.0] * 8)) and not lstm.bias_hh_l0.any()
    q = lstm.weight_hh_l0
    torch.testing.assert_close(q.T @ q, torch.eye(4), atol=1e-5, rtol=1e-5)   # orthogonal columns


def test_reward_loss_ignores_padding_and_metrics_are_right(tmp_path):
    cfg = make_config("tiny")
    m = RewEndModel(cfg.rew_end, 4)
    ds = toy_dataset(tmp_path, [5, 30])
    b = make_batch(ds, [(0, -10), (1, 3)], 19)                 # the first window is mostly padding
    loss, logs = rew_end_loss(m, b)
    n_real = int(b.mask_padding[:, :-1].sum())
    assert logs["confusion_rew"].sum() == n_real == logs["confusion_end"].sum()
    # padded steps carry no targets; frames after the final one are never seen by a real transition
    # (left padding does feed the LSTM before the first real step, as in the authors' model)
    b2 = make_batch(ds, [(0, -10), (1, 3)], 19); b2.obs[0, 16:] = 0.7; b2.rew[~b2.mask_padding] = 5.0; b2.end[~b2.mask_padding] = True
    assert rew_end_loss(m, b2)[0].item() == pytest.approx(loss.item(), rel=1e-6)
    conf = confusion(torch.tensor([[0.0, 1, 0], [0, 0, 1], [1, 0, 0]]), torch.tensor([1, 2, 1]), 3)
    assert conf.tolist() == [[0, 0, 0], [1, 1, 0], [0, 0, 1]]
    m_ = class_metrics(conf)
    assert m_["recall"][1] == 0.5 and m_["precision"][2] == 1.0 and m_["support"] == [0, 2, 1]
    ev = evaluate_rew_end(m, ds, 19, 4)
    assert sum(ev["reward"]["support"]) == 5 + 30            # every transition of both episodes, once (windows overlap by a frame)
    assert sum(ev["end"]["support"]) == 5 + 30 and ev["end"]["support"][1] == sum(ds[i].end[-1] for i in ds.ids)
    w = ev["reward_sampled_within_one"]                       # within one step finds at least what the step itself finds
    for k in (0, 2):
        if w["support"][k]: assert w["recall"][k] >= ev["reward_sampled"]["recall"][k] - 1e-9
    with pytest.raises(ValueError, match="seq_len"):
        next(episode_chunks(ds, 1, 4))


def test_checkpoints_are_atomic_and_refuse_pickled_code(tmp_path):
    p = save_state({"model": {"w": torch.ones(2)}, "steps": 3}, tmp_path / "c.pt")
    assert load_state(p)["steps"] == 3 and not list(tmp_path.glob(".*.tmp"))
    torch.save({"evil": SimpleNamespace(a=1)}, tmp_path / "bad.pt")
    with pytest.raises(Exception):
        load_state(tmp_path / "bad.pt")


def make_wm(tmp_path, batch=4, horizon=3, seed=0):
    cfg = make_config("tiny")
    torch.manual_seed(0)                                      # the same models in every call: only the env's seed varies
    den, rew = Denoiser(cfg.denoiser, 4).eval(), RewEndModel(cfg.rew_end, 4).eval()
    ds = toy_dataset(tmp_path, [3, 20, 40])
    return WorldModelEnv(den, rew, ds, cfg.sampler, batch_size=batch, horizon=horizon, seed=seed)


def test_world_model_env_contract(tmp_path):
    wm = make_wm(tmp_path)
    with pytest.raises(RuntimeError, match="reset"):
        wm.step(torch.zeros(4, dtype=torch.long))
    obs, info = wm.reset()
    assert obs.shape == (4, 3, 64, 64) and obs.dtype == torch.float32 and info == {}
    clock = torch.zeros(4, dtype=torch.long)
    for _ in range(8):
        obs, rew, term, trunc, info = wm.step(torch.randint(0, 4, (4,)))
        assert obs.shape == (4, 3, 64, 64) and rew.shape == (4,) and rew.dtype == torch.float32
        assert term.dtype == trunc.dtype == torch.bool and set(rew.tolist()) <= {-1.0, 0.0, 1.0}
        clock += 1
        assert torch.equal(trunc, clock >= 3)
        done = term | trunc
        assert torch.equal(info["_final_obs"], done) and info["final_obs"].shape == (4, 3, 64, 64)
        assert info["burnin_obs"].shape == (4, 3, 3, 64, 64)
        if done.any():                                       # re-seeded: the new window's frames
            assert torch.equal(obs[done], wm.obs[done, -1]) and torch.equal(info["burnin_obs"][done], wm.obs[done, :-1])
        clock[done] = 0
        assert torch.equal(wm.t, clock)


def test_world_model_env_is_deterministic_under_a_seed(tmp_path):
    runs = iter(range(10))
    def run(seed):
        wm = make_wm(tmp_path / f"run{next(runs)}", seed=seed)    # same data (toy_dataset is seeded), fresh folder
        out = [wm.reset()[0]]
        for _ in range(5):
            o, r, te, tr, _ = wm.step(torch.ones(4, dtype=torch.long)); out += [o, r, te.float()]
        return out
    a, b, c = run(1), run(1), run(2)
    assert all(torch.equal(x, y) for x, y in zip(a, b)) and not all(torch.equal(x, y) for x, y in zip(a, c))


def test_each_model_draws_its_windows_with_its_configured_recency_weights(tmp_path):
    "denoiser_optim / rew_end_optim.sample_weights reach their samplers (newest or oldest quarter of 8 episodes alone)."
    from diamond.bench import random_dataset
    from diamond.reward_end import rew_end_sampler
    ds = random_dataset(tmp_path / "ds", 4, episodes=8, length=30)
    cfg = make_config("tiny", {"denoiser_optim.sample_weights": [0, 0, 0, 1], "rew_end_optim.sample_weights": [1, 0, 0, 0]})
    assert {i for i, _ in denoiser_sampler(ds, cfg, seed=0).sample_windows(64)} == {6, 7}
    assert {i for i, _ in rew_end_sampler(ds, cfg, seed=0).sample_windows(64)} == {0, 1}
    paper = make_config("tiny")                                                  # DIAMOND's weights: every episode, the newest most
    drawn = [i for i, _ in denoiser_sampler(ds, paper, seed=0).sample_windows(400)]
    assert set(drawn) == set(range(8)) and sum(i >= 6 for i in drawn) > 200
