"EDM preconditioning with offset noise, training noise levels, noise, target, loss and quantisation."
import math

import pytest
import torch

from diamond.config import DenoiserConfig, UNetConfig, make_config
from diamond.edm import (Denoiser, add_noise, denoiser_window_loss, denoising_loss, precondition, quantize,
                         sample_sigma, training_target)

SIGMAS = torch.logspace(-4, 2.5, 400, dtype=torch.float64)


@pytest.mark.parametrize("sigma_data, off", [(0.5, 0.0), (0.5, 0.3), (1.0, 0.1), (0.25, 2.0)])
def test_conditioners_match_their_closed_forms(sigma_data, off):
    c = precondition(SIGMAS, sigma_data, off)
    s = torch.sqrt(SIGMAS**2 + off**2).double()
    expected = {
        "c_in": 1 / torch.sqrt(s**2 + sigma_data**2),
        "c_skip": sigma_data**2 / (s**2 + sigma_data**2),
        "c_out": s * sigma_data / torch.sqrt(s**2 + sigma_data**2),
        "c_noise": torch.log(s) / 4,
    }
    for name, ref in expected.items():
        torch.testing.assert_close(getattr(c, name).double(), ref, rtol=2e-6, atol=1e-7, msg=name)


def test_c_skip_at_sigma_data_without_offset_noise_is_one_half():
    assert precondition(torch.tensor(0.5), 0.5, 0.0).c_skip.item() == pytest.approx(0.5, abs=1e-7)
    assert precondition(torch.tensor(0.5), 0.5, 0.3).c_skip.item() < 0.5     # offset noise counts as noise


def test_offset_noise_floors_the_effective_sigma():
    c = precondition(torch.tensor([0.0, 1e-6]), 0.5, 0.3)
    torch.testing.assert_close(c.c_noise, torch.full((2,), math.log(0.3) / 4))


@pytest.mark.parametrize("sigma", [0.002, 0.1, 0.67, 3.0, 20.0])
@pytest.mark.parametrize("off", [0.0, 0.3])
def test_scaled_noisy_input_and_target_have_unit_variance(sigma, off, gen):
    x = torch.randn(4096, 3, 8, 8, generator=gen) * 0.5          # data variance sigma_data**2
    sig = torch.full((4096,), sigma)
    y = add_noise(x, sig, off, generator=gen)
    c = precondition(sig, 0.5, off)
    assert (y * c.c_in.view(-1, 1, 1, 1)).var().item() == pytest.approx(1.0, abs=0.03)
    assert training_target(x, y, c).var().item() == pytest.approx(1.0, abs=0.03)


def test_offset_noise_is_one_scalar_per_sample_and_channel(gen):
    x = torch.zeros(64, 3, 16, 16)
    y = add_noise(x, torch.zeros(64), 0.3, generator=gen)          # sigma = 0: only offset noise
    assert torch.equal(y, y[:, :, :1, :1].expand_as(y))
    assert y[:, :, 0, 0].std().item() == pytest.approx(0.3, rel=0.15)


def test_sample_sigma_median_clipping_and_reproducibility():
    g = torch.Generator().manual_seed(0)
    s = sample_sigma(400_000, -0.4, 1.2, 2e-3, 20.0, generator=g)
    assert s.median().item() == pytest.approx(math.exp(-0.4), rel=0.01)
    assert s.min().item() >= 2e-3 and s.max().item() == 20.0
    assert (s == 20.0).float().mean().item() == pytest.approx(0.002, abs=0.001)    # ~0.2% hit the upper clip
    tight = sample_sigma(10_000, 0.0, 3.0, 0.5, 2.0, generator=g)
    assert tight.min().item() == 0.5 and tight.max().item() == 2.0
    a = sample_sigma(100, generator=torch.Generator().manual_seed(5))
    b = sample_sigma(100, generator=torch.Generator().manual_seed(5))
    assert torch.equal(a, b) and not torch.equal(a, sample_sigma(100, generator=torch.Generator().manual_seed(6)))


def test_quantize_truncates_like_a_uint8_cast():
    x = torch.linspace(-1.2, 1.2, 10_001)
    ref = x.clamp(-1, 1).add(1).div(2).mul(255).to(torch.uint8).float().div(255).mul(2).sub(1)  # the authors' chain
    torch.testing.assert_close(quantize(x, "truncate"), ref, rtol=0, atol=1e-6)
    levels = torch.arange(256.0) / 255 * 2 - 1
    torch.testing.assert_close(quantize(levels, "round"), levels, rtol=0, atol=1e-6)
    assert torch.equal(quantize(x, "none"), x)


def test_masked_loss_ignores_padding_and_never_returns_nan():
    out, tgt = torch.zeros(4, 3, 2, 2, requires_grad=True), torch.ones(4, 3, 2, 2)
    tgt[2:] = 100.0
    assert denoising_loss(out, tgt, torch.tensor([True, True, False, False])).item() == 1.0
    empty = denoising_loss(out, tgt, torch.zeros(4, dtype=torch.bool))
    assert empty.item() == 0.0
    empty.backward()                                           # the graph survives


def test_window_loss_chains_the_autoregressive_step(gen):
    cfg = make_config("tiny").denoiser
    den = Denoiser(cfg, num_actions=3)
    torch.nn.init.normal_(den.inner_model.conv_out.weight, std=0.01)
    obs = torch.rand(2, 6, 3, 64, 64, generator=gen) * 2 - 1
    act = torch.randint(0, 3, (2, 6), generator=gen)
    before = obs.clone()
    calls = []
    orig = den.forward
    den.forward = lambda noisy, sigma, oh, ah: (calls.append(oh.clone()), orig(noisy, sigma, oh, ah))[1]
    loss = denoiser_window_loss(den, obs, act, torch.ones(2, 6, dtype=torch.bool), generator=gen)
    assert torch.isfinite(loss) and len(calls) == 2
    assert torch.equal(calls[0], obs[:, 0:4]) and torch.equal(calls[1][:, :3], obs[:, 1:4])
    est = calls[1][:, 3]                                      # frame 4 as step 1 saw it: step 0's estimate
    assert not torch.equal(est, obs[:, 4])
    levels = (est + 1) * 127.5                                # quantised: on the 256-level grid
    assert (levels - levels.round()).abs().max().item() < 1e-3
    assert torch.equal(obs, before)                           # the caller's windows are not modified


def test_window_too_short_is_explained():
    den = Denoiser(make_config("tiny").denoiser, num_actions=3)
    with pytest.raises(ValueError, match="too short"):
        denoiser_window_loss(den, torch.zeros(1, 4, 3, 64, 64), torch.zeros(1, 4, dtype=torch.long))
