"The DDPM baseline: diffusers' schedule values, the leading timesteps, the sampler on an exact Gaussian denoiser, the model and loss."
import math

import numpy as np
import pytest
import torch

from diamond.config import ConfigError, DDPMConfig, make_config
from diamond.ddpm import (DDPMDenoiser, alphas_cumprod, ddpm_loss, ddpm_sample, ddpm_timesteps, ddpm_window_loss, gaussian_eps,
                          gaussian_sampler_moments, generate_next_obs_ddpm)
from diamond.edm import Denoiser
from diamond.unet import count_parameters


def test_schedule_matches_the_closed_form():
    c = DDPMConfig()
    ab = alphas_cumprod(c)
    betas = np.linspace(1e-4, 0.02, 1000)                               # float64 reference
    ref = np.cumprod(1 - betas)
    assert ab.dtype == torch.float32 and ab.shape == (1000,)
    assert np.allclose(ab.numpy(), ref, rtol=2e-4, atol=1e-7)
    assert ab[500].item() == pytest.approx(0.0778, abs=1e-4)
    assert ab[999].item() == pytest.approx(ref[999], rel=1e-3) and ab[999].item() < 5e-5
    assert (ab[1:] < ab[:-1]).all()


@pytest.mark.parametrize("n,want", [(1, [500]), (2, [500, 0]), (3, [666, 333, 0]), (10, [900, 800, 700, 600, 500, 400, 300, 200, 100, 0])])
def test_leading_timesteps(n, want):
    assert ddpm_timesteps(n, DDPMConfig()) == want


def test_bad_step_counts_and_configs_are_refused():
    with pytest.raises(ValueError, match="expected 1 to 1000"):
        ddpm_timesteps(0, DDPMConfig())
    with pytest.raises(ConfigError, match="one_step_t"):
        DDPMConfig(one_step_t=1000)
    with pytest.raises(ConfigError, match="beta_start < beta_end"):
        DDPMConfig(beta_start=0.1, beta_end=0.01)


@pytest.mark.parametrize("n", [1, 2, 3, 10, 1000])
def test_sampler_on_an_exact_gaussian_denoiser(n):
    c = DDPMConfig()
    ab, ts = alphas_cumprod(c), ddpm_timesteps(n, c)
    g = torch.Generator().manual_seed(n)
    mu, s = -0.2, 0.35
    x = torch.randn(1_000_000, generator=g)
    out = ddpm_sample(gaussian_eps(mu, s, ab), x, ab, ts, c.num_train_timesteps, clip_sample=False, generator=g)
    m, v = gaussian_sampler_moments(mu, s, ab, ts, c.num_train_timesteps)
    assert out.mean().item() == pytest.approx(m, abs=0.004)
    assert out.std().item() == pytest.approx(math.sqrt(v), abs=0.004)
    if n == 1:      # one step is the deterministic x0 estimate at t = 500
        a = ab[500]
        want = (x - (1 - a).sqrt() * gaussian_eps(mu, s, ab)(x, 500)) / a.sqrt()
        assert torch.allclose(out, want)
    if n == 1000:   # every step: the data distribution, up to the "fixed small" variance's known shortfall (about 1% here)
        assert m == pytest.approx(mu, abs=1e-3) and math.sqrt(v) == pytest.approx(s, rel=0.02) and math.sqrt(v) < s


def test_one_step_is_a_single_evaluation_at_t_500():
    c, seen = DDPMConfig(), []
    ab = alphas_cumprod(c)
    def eps(x, t): seen.append(t); return torch.zeros_like(x)
    out = ddpm_sample(eps, torch.full((4,), 0.1), ab, ddpm_timesteps(1, c), 1000)
    assert seen == [500] and torch.allclose(out, torch.full((4,), 0.1) / ab[500].sqrt())


def test_model_has_the_edm_denoisers_parameters_and_trains(gen):
    cfg = make_config("tiny")
    m = DDPMDenoiser(cfg.ddpm, cfg.denoiser.unet, 4)
    assert count_parameters(m) == count_parameters(Denoiser(cfg.denoiser, 4))
    assert list(m.state_dict()) == ["noise_model." + k[len("inner_model."):] for k in Denoiser(cfg.denoiser, 4).state_dict()]
    L = m.num_steps_conditioning
    obs, act = torch.rand(3, L + 1, 3, 64, 64, generator=gen) * 2 - 1, torch.randint(0, 4, (3, L + 1), generator=gen)
    loss = ddpm_window_loss(m, obs, act, torch.tensor([[True] * (L + 1)] * 3), torch.Generator().manual_seed(0))
    loss.backward()
    assert loss.item() > 0 and all(p.grad is not None for p in m.parameters() if p.requires_grad)
    with pytest.raises(ValueError, match="L \\+ 1"):
        ddpm_window_loss(m, obs[:, :L], act[:, :L])
    # masked-out targets contribute nothing
    zero = ddpm_loss(m, obs[:, L], obs[:, :L], act[:, :L], torch.zeros(3, dtype=torch.bool), torch.Generator().manual_seed(0))
    assert zero.item() == 0.0
    frames = generate_next_obs_ddpm(m.eval(), obs[:, :L], act[:, :L], 3, torch.Generator().manual_seed(0))
    assert frames.shape == (3, 3, 64, 64) and frames.abs().max() <= 1
    levels = (frames + 1) * 127.5
    assert torch.allclose(levels, levels.round(), atol=1e-3)                # on the 256-level grid
    again = generate_next_obs_ddpm(m, obs[:, :L], act[:, :L], 3, torch.Generator().manual_seed(0))
    assert torch.equal(frames, again)
