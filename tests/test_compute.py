"Compute options (chapter 14): float32 stays exact with channels-last, bfloat16 computes in bfloat16 and hands back float32, resume accepts speed-only changes."
import json
import os
import subprocess
import sys

import pytest
import torch

from diamond.actor_critic import DreamRollouts, actor_critic_loss_fn
from diamond.bench import random_dataset
from diamond.compute import apply_compute, autocast, computing_in
from diamond.config import ComputeConfig, ConfigError, make_config, save_config
from diamond.edm import denoiser_window_loss
from diamond.imagination import WorldModelEnv
from diamond.reward_end import RewEndModel
from diamond.sampler import generate_next_obs
from diamond.agent import Agent
from diamond.loop import AgentTrainer
from diamond.runs import RunError, RunFolder
from diamond.optim import Trainer


def _agents(**compute):
    "Two tiny agents with the same weights: NCHW float32 and `compute`; the denoiser's output layer made non-zero."
    torch.manual_seed(0)
    ref = Agent(make_config("tiny", {"compute.channels_last": False}), 4)
    with torch.no_grad():
        for p in (ref.denoiser.inner_model.conv_out.weight, ref.actor_critic.actor_linear.weight, ref.actor_critic.critic_linear.weight):
            p.normal_(0, 0.05)
    other = Agent(make_config("tiny", {f"compute.{k}": v for k, v in compute.items()}), 4)
    other.load_state_dict(ref.state_dict())
    return ref.eval(), other.eval()


def _inputs(g):
    obs = torch.rand(4, 6, 3, 64, 64, generator=g) * 2 - 1
    return obs, torch.randint(0, 4, (4, 6), generator=g)


def test_bad_compute_options_are_named():
    with pytest.raises(ConfigError, match="compute.precision='half'"): make_config("tiny", {"compute.precision": "half"})
    with pytest.raises(ConfigError, match="needs compute.compile=True"): ComputeConfig(cuda_graphs=True)
    with pytest.raises(ConfigError, match="expected one of float32, bfloat16, float16"): autocast("half", "cpu")


def test_float16_is_refused_on_a_cpu_with_the_alternative_named(tmp_path):
    cfg = make_config("tiny", {"compute.precision": "float16"})      # a valid config: a GPU run may use it
    with pytest.raises(ConfigError, match="float16 needs a GPU.*bfloat16"): autocast("float16", "cpu")
    agent = Agent(make_config("tiny", {"compute.precision": "float16", "compute.rew_end_precision": ""}), 4)   # all three in float16
    for model in (agent.denoiser, agent.rew_end_model, agent.actor_critic):   # all three trainings refuse it before a step
        with pytest.raises(ConfigError, match="float16 needs a GPU"): Trainer(model, None, cfg.denoiser_optim)
    from diamond.train_world_model import train_world_model
    for start in (lambda d: AgentTrainer(cfg, d, progress=False, device="cpu"),
                  lambda d: train_world_model(d, cfg, progress=False, device="cpu")):
        with pytest.raises(ConfigError, match="float16 needs a GPU"): start(tmp_path / "run")
        assert not (tmp_path / "run").exists()                             # refused before anything was written


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_float16_trains_with_loss_scaling_on_cuda(gen):
    "GPU only (scripts/gpu_check.sh): a float16 denoiser computes in float16, its Trainer scales the loss, and learns."
    cfg = make_config("tiny", {"compute.precision": "float16"})
    torch.manual_seed(0)
    a = Agent(cfg, 4).to("cuda")
    tr = Trainer(a.denoiser, None, cfg.denoiser_optim)
    assert tr.scaler.is_enabled() and tr.scaler.get_scale() > 1
    obs, act = (t.cuda() for t in _inputs(gen))
    tr.loss_fn = lambda b: (denoiser_window_loss(a.denoiser, obs, act), {})
    losses = [tr.step(None)["loss"] for _ in range(30)]
    assert all(l == l for l in losses) and losses[-1] < losses[0]
    assert all(p.dtype == torch.float32 for p in a.denoiser.parameters())


def test_float32_channels_last_gives_the_same_numbers(gen):
    ref, cl = _agents(channels_last=True)
    assert cl.denoiser.inner_model.conv_in.weight.is_contiguous(memory_format=torch.channels_last)
    assert not ref.denoiser.inner_model.conv_in.weight.is_contiguous(memory_format=torch.channels_last)
    obs, act = _inputs(gen)
    l = [denoiser_window_loss(a.denoiser, obs, act, generator=torch.Generator().manual_seed(1)).item() for a in (ref, cl)]
    assert l[0] == pytest.approx(l[1], rel=1e-5) and l[0] > 0
    f = [generate_next_obs(a.denoiser, obs[:, :4], act[:, :4], make_config("tiny").sampler, torch.Generator().manual_seed(2)) for a in (ref, cl)]
    assert (f[0] != f[1]).float().mean() < 1e-3 and (f[0] - f[1]).abs().max() <= 1 / 127.5 + 1e-6
    r = [a.rew_end_model(obs[:, :-1], act[:, :-1], obs[:, 1:]) for a in (ref, cl)]
    torch.testing.assert_close(r[0][0], r[1][0], rtol=1e-4, atol=1e-5)
    h = [a.actor_critic(obs[:, 0], a.actor_critic.zero_state(4)) for a in (ref, cl)]
    torch.testing.assert_close(h[0][0], h[1][0], rtol=1e-4, atol=1e-5)


def test_bfloat16_computes_in_bfloat16_and_returns_float32(gen):
    ref, low = _agents(precision="bfloat16")
    obs, act = _inputs(gen)
    seen = []
    hook = low.denoiser.inner_model.conv_in.register_forward_hook(lambda m, i, o: seen.append(o.dtype))
    out = low.denoiser(obs[:, 4], torch.full((4,), 0.5), obs[:, :4], act[:, :4])
    hook.remove()
    assert seen == [torch.bfloat16] and out.dtype == torch.float32
    out_ref = ref.denoiser(obs[:, 4], torch.full((4,), 0.5), obs[:, :4], act[:, :4])
    assert 0 < (out - out_ref).abs().max() < 0.05 * out_ref.abs().max()          # close, but not the float32 numbers
    rew, end, (h, c) = low.rew_end_model(obs[:, :-1], act[:, :-1], obs[:, 1:])
    assert rew.dtype == end.dtype == h.dtype == c.dtype == torch.float32
    logits, value, (h, c) = low.actor_critic(obs[:, 0], low.actor_critic.zero_state(4))
    assert logits.dtype == value.dtype == h.dtype == torch.float32
    with computing_in(low, "float32"):                                         # the temporary switch restores the setting
        assert low.denoiser.precision == "float32"
        torch.testing.assert_close(low.denoiser(obs[:, 4], torch.full((4,), 0.5), obs[:, :4], act[:, :4]), out_ref, rtol=1e-4, atol=1e-5)
    assert low.denoiser.precision == "bfloat16"


@pytest.mark.integration
def test_bfloat16_actor_critic_update_keeps_float32_weights(tmp_path):
    # short: bfloat16 is emulated on CPUs without its instructions (AVX2 alone: 21 s for two updates of 15 imagined
    # steps in 4 dreams at 3 network steps a frame; these are 4 steps in 2 dreams at 1)
    cfg = make_config("tiny", {"compute.precision": "bfloat16", "actor_critic_loss.backup_every": 4,
                               "sampler.num_steps_denoising": 1})
    agent = Agent(cfg, 4)
    ds = random_dataset(tmp_path / "ds", 4, episodes=3, length=30)
    wm = WorldModelEnv(agent.denoiser.eval(), agent.rew_end_model.eval(), ds, cfg.sampler, 2, 3, seed=0)
    tr = Trainer(agent.actor_critic, actor_critic_loss_fn(DreamRollouts(agent.actor_critic, wm, seed=0), cfg.actor_critic_loss),
                 cfg.actor_critic_optim)
    logs = [tr.step(None) for _ in range(2)]          # a second update starts from the first one's weights
    assert all(torch.isfinite(torch.tensor(l["loss"])) for l in logs)
    assert all(p.dtype == torch.float32 for p in agent.parameters())


def test_resume_accepts_speed_options_but_not_another_precision(tmp_path):
    cfg = make_config("tiny")
    save_config(cfg, tmp_path / "config.json")
    RunFolder(tmp_path).check(make_config("tiny", {"compute.channels_last": False, "compute.compile": True}), resume=True)
    with pytest.raises(RunError, match="compute.precision"):
        RunFolder(tmp_path).check(make_config("tiny", {"compute.precision": "bfloat16"}), resume=True)


def test_compile_keeps_parameter_names():
    ref, comp = Agent(make_config("tiny"), 4), Agent(make_config("tiny", {"compute.compile": True}), 4)
    assert list(ref.state_dict()) == list(comp.state_dict())


@pytest.mark.integration
def test_bench_cli_precision(tmp_path):
    r = subprocess.run([sys.executable, "-m", "diamond.bench", "--profile", "tiny", "--precision", "float16"], capture_output=True, text=True)
    assert r.returncode == 2 and "float16" in r.stderr


def test_kernels_restricted_to_avx2_count_as_a_cpu_without_bfloat16():
    "`bash scripts/test.sh --emulate-avx2` measures the test command as on an older CPU: the kit must then see no bfloat16."
    if torch.cpu.get_capabilities().get("architecture") != "x86_64":
        pytest.skip("ATEN_CPU_CAPABILITY=avx2 restricts x86 kernels only")
    code = ("import torch; from diamond.compute import native_bfloat16; "
            "print(torch.backends.cpu.get_cpu_capability(), native_bfloat16('cpu'))")
    env = {**os.environ, "ATEN_CPU_CAPABILITY": "avx2", "ONEDNN_MAX_CPU_ISA": "AVX2"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout.split()
    assert out == ["AVX2", "False"], out
