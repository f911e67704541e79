"The Karras schedule, Euler/Heun/churn sampling, network-call counts, convergence, callback, determinism."
import pytest
import torch

from diamond.config import SamplerConfig, make_config
from diamond.edm import Denoiser
from diamond.sampler import generate_next_obs, initial_noise, karras_sigmas, sample

MU, S = 0.3, 0.5


def gaussian_denoiser(y, sigma):
    return MU + S**2 / (S**2 + sigma**2) * (y - MU)


def gaussian_samples(n, order, sigma_max=5.0, n_samples=200_000):
    g = torch.Generator().manual_seed(0)
    x = MU + (S**2 + sigma_max**2) ** 0.5 * torch.randn(n_samples, generator=g)   # the exact noisy marginal
    return sample(gaussian_denoiser, x, karras_sigmas(n, 2e-3, sigma_max, 7), order=order)


@pytest.mark.parametrize("n, expected", [
    (1, [5.0, 0.0]),
    (3, [5.0, 0.2831, 0.002, 0.0]),
    (10, [5.0, 2.90, 1.61, 0.845, 0.415, 0.189, 0.0774, 0.0279, 0.00845, 0.002, 0.0]),
])
def test_schedule_values(n, expected):
    s = karras_sigmas(n)
    assert len(s) == n + 1 and s[-1].item() == 0.0
    torch.testing.assert_close(s, torch.tensor(expected), rtol=3e-3, atol=1e-5)


def test_schedule_rejects_zero_steps():
    with pytest.raises(ValueError, match="at least one"):
        karras_sigmas(0)


@pytest.mark.parametrize("n", [1, 2, 3, 10])
@pytest.mark.parametrize("order", [1, 2])
def test_network_calls_and_callback(n, order):
    calls, seen = [], []
    def den(x, sigma):
        calls.append(float(sigma)); return gaussian_denoiser(x, sigma)
    sig = karras_sigmas(n)
    sample(den, torch.randn(8), sig, order=order, callback=lambda d: seen.append(d))
    assert len(calls) == (n if order == 1 else 2 * n - 1)
    assert [d["i"] for d in seen] == list(range(n))
    assert [float(d["sigma"]) for d in seen] == [float(s) for s in sig[:-1]]
    assert all({"x", "i", "sigma", "denoised"} <= set(d) for d in seen)


def test_samples_converge_to_the_data_and_heun_beats_euler():
    err = {}
    for n in (3, 5, 10, 20, 40):
        e, h = gaussian_samples(n, 1), gaussian_samples(n, 2)
        for x in (e, h):
            assert x.mean().item() == pytest.approx(MU, abs=0.01)
        err[n] = (abs(e.var().item() - S**2), abs(h.var().item() - S**2))
    euler, heun = [err[n][0] for n in (3, 5, 10, 20, 40)], [err[n][1] for n in (10, 20, 40)]
    assert euler == sorted(euler, reverse=True) and euler[-1] < 0.03
    assert heun == sorted(heun, reverse=True) and heun[-1] < 0.005
    assert all(err[n][1] < err[n][0] for n in (10, 20, 40))


def test_unit_start_is_the_default_and_sigma_max_start_is_scaled():
    assert SamplerConfig().initial_noise == "unit"
    sig = karras_sigmas(3)
    u = initial_noise((100_000,), sig, "unit", torch.Generator().manual_seed(0))
    t = initial_noise((100_000,), sig, "sigma_max", torch.Generator().manual_seed(0))
    assert u.std().item() == pytest.approx(1.0, abs=0.02)
    torch.testing.assert_close(t, u * 5.0)
    with pytest.raises(ValueError, match="initial_noise"):
        initial_noise((3,), sig, "big")


def test_churn_adds_noise_only_inside_its_window():
    sig = karras_sigmas(5)
    x0 = torch.randn(1000, generator=torch.Generator().manual_seed(0))
    plain = sample(gaussian_denoiser, x0, sig)
    outside = sample(gaussian_denoiser, x0, sig, s_churn=5.0, s_tmin=10.0, s_tmax=20.0, generator=torch.Generator().manual_seed(1))
    inside = sample(gaussian_denoiser, x0, sig, s_churn=5.0, generator=torch.Generator().manual_seed(1))
    assert torch.equal(plain, outside) and not torch.allclose(plain, inside)


def test_same_seed_same_frames_with_the_world_model_denoiser(gen):
    cfg = make_config("tiny", {"sampler.s_churn": 1.0})
    den = Denoiser(cfg.denoiser, 4).eval()
    torch.nn.init.normal_(den.inner_model.conv_out.weight, std=0.05)
    hist = torch.rand(2, 4, 3, 64, 64, generator=gen) * 2 - 1
    act = torch.randint(0, 4, (2, 4), generator=gen)
    a = generate_next_obs(den, hist, act, cfg.sampler, torch.Generator().manual_seed(3))
    b = generate_next_obs(den, hist, act, cfg.sampler, torch.Generator().manual_seed(3))
    c = generate_next_obs(den, hist, act, cfg.sampler, torch.Generator().manual_seed(4))
    assert torch.equal(a, b) and not torch.equal(a, c)
    assert a.shape == (2, 3, 64, 64) and a.min() >= -1 and a.max() <= 1


def test_generated_frames_lie_on_the_256_level_grid(gen):
    cfg = make_config("tiny")
    den = Denoiser(cfg.denoiser, 4).eval()
    torch.nn.init.normal_(den.inner_model.conv_out.weight, std=0.05)
    x = generate_next_obs(den, torch.zeros(3, 4, 3, 64, 64), torch.zeros(3, 4, dtype=torch.long), cfg.sampler, gen)
    levels = (x + 1) * 127.5
    assert (levels - levels.round()).abs().max().item() < 1e-3
