"The action-conditioned U-Net: exact parameter counts, the authors' state-dict layout, zero inits, shapes."
import csv
import math
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from diamond.config import UNetConfig, make_config
from diamond.edm import Denoiser, precondition, quantize
from diamond.unet import InnerModel, SelfAttention2d, count_parameters

OFFICIAL = Path(__file__).parent / "data" / "official-state-dict.tsv"


def official_denoiser_shapes(num_actions: int = 4) -> dict[str, tuple]:
    rows = [r for r in csv.reader((l for l in OFFICIAL.open() if not l.startswith("#")), delimiter="\t")][1:]
    out = {}
    for key, shape, dtype, kind in rows:
        if key.startswith("denoiser."):
            dims = tuple(int(d) for d in shape.strip("()").split(",") if d.strip())
            if "A-dependent" in kind: dims = (num_actions,) + dims[1:]
            out[key] = dims
    return out


@pytest.mark.parametrize("A", [3, 4, 6, 18])
def test_paper_parameter_count(A):
    assert count_parameters(InnerModel(UNetConfig(), A)) == 4_405_699 + 64 * A
    assert count_parameters(Denoiser(make_config("paper").denoiser, A)) == 4_405_699 + 64 * A


@pytest.mark.parametrize("A", [4, 18])
def test_state_dict_matches_the_authors_checkpoint_layout(A):
    ours = {f"denoiser.{k}": tuple(v.shape) for k, v in Denoiser(make_config("paper").denoiser, A).state_dict().items()}
    theirs = official_denoiser_shapes(A)
    assert set(ours) == set(theirs), (sorted(set(ours) - set(theirs))[:5], sorted(set(theirs) - set(ours))[:5])
    assert ours == theirs


def test_fourier_weights_are_a_saved_untrained_buffer(gen):
    den = Denoiser(make_config("tiny").denoiser, 4)
    w = den.inner_model.noise_emb.weight
    assert "inner_model.noise_emb.weight" in den.state_dict()
    assert all(p is not w for p in den.parameters()) and not w.requires_grad
    opt = torch.optim.AdamW(den.parameters(), lr=1e-2)
    before = w.clone()
    torch.nn.init.normal_(den.inner_model.conv_out.weight, std=0.1)
    out = den(torch.randn(2, 3, 64, 64, generator=gen), torch.tensor([0.5, 1.0]), torch.zeros(2, 4, 3, 64, 64),
              torch.zeros(2, 4, dtype=torch.long))
    out.square().mean().backward(); opt.step()
    assert torch.equal(w, before)


@pytest.mark.parametrize("profile", ["tiny", "paper"])
def test_output_shape_and_initial_denoiser_is_c_skip_times_input(profile, gen):
    cfg = make_config(profile).denoiser
    den = Denoiser(cfg, 6)
    B = 2
    noisy = torch.randn(B, 3, 64, 64, generator=gen) * 3
    obs = torch.rand(B, 4, 3, 64, 64, generator=gen) * 2 - 1
    act = torch.randint(0, 6, (B, 4), generator=gen)
    sigma = torch.tensor([0.01, 4.0])
    assert den(noisy, sigma, obs, act).shape == (B, 3, 64, 64)
    c_skip = precondition(sigma, cfg.sigma_data, cfg.sigma_offset_noise).c_skip.view(-1, 1, 1, 1)
    assert torch.equal(den.denoise(noisy, sigma, obs, act), quantize(c_skip * noisy))


def test_sizes_that_are_not_multiples_of_eight_are_padded_and_cropped(gen):
    net = InnerModel(make_config("tiny").denoiser.unet, 3)
    torch.nn.init.normal_(net.conv_out.weight, std=0.1)
    out = net(torch.randn(1, 3, 60, 52, generator=gen), torch.zeros(1), torch.zeros(1, 12, 60, 52), torch.zeros(1, 4, dtype=torch.long))
    assert out.shape == (1, 3, 60, 52)


def test_wrong_number_of_past_actions_is_explained():
    net = InnerModel(make_config("tiny").denoiser.unet, 3)
    with pytest.raises(ValueError, match="conditioned on 4"):
        net(torch.zeros(1, 3, 64, 64), torch.zeros(1), torch.zeros(1, 12, 64, 64), torch.zeros(1, 3, dtype=torch.long))


def test_attention_equals_the_explicit_formula_and_adds_to_the_normalised_input(gen):
    att = SelfAttention2d(64)
    torch.nn.init.normal_(att.out_proj.weight, std=0.1)
    x = torch.randn(2, 64, 8, 8, generator=gen) * 2 + 1
    n = att.norm(x)
    qkv = att.qkv_proj(n).view(2, 8 * 3, 8, 64).transpose(2, 3)
    q, k, v = qkv.chunk(3, dim=1)
    y = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(8), dim=-1) @ v
    ref = n + att.out_proj(y.transpose(2, 3).reshape(2, 64, 8, 8))
    torch.testing.assert_close(att(x), ref, rtol=1e-4, atol=1e-5)
    torch.nn.init.zeros_(att.out_proj.weight); torch.nn.init.zeros_(att.out_proj.bias)
    torch.testing.assert_close(att(x), n)            # residual onto GN(x), not x


def test_actions_change_the_output_once_trained(gen):
    net = InnerModel(make_config("tiny").denoiser.unet, 4)
    for p in net.parameters():
        if p.dim() > 1 and p.abs().sum() == 0: torch.nn.init.normal_(p, std=0.05)
    args = (torch.randn(1, 3, 64, 64, generator=gen), torch.zeros(1), torch.zeros(1, 12, 64, 64))
    a = net(*args, torch.tensor([[0, 0, 0, 0]]))
    b = net(*args, torch.tensor([[0, 0, 0, 3]]))
    assert not torch.allclose(a, b)
