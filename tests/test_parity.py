"""The switches that make the kit behave as the authors' code where the two differ (`parity.*`, chapter 12): each is off by
default, and each is shown to change what it names on a hand-made case."""
import numpy as np
import pytest
import torch

from diamond.actor_critic import ActorCritic, DreamRollouts
from diamond.atari import make_env
from diamond.bench import random_dataset
from diamond.config import PARITY_AUTHORS, ConfigError, make_config
from diamond.edm import Denoiser
from diamond.imagination import WorldModelEnv
from diamond.reward_end import RewEndModel
from diamond.loop import AgentTrainer, diamond_loop
from diamond.profiles import SMOKE_OVERRIDES

BREAKOUT_LIVES_RAM = 57      # the emulator's RAM byte that holds Breakout's lives (found by diffing RAM at each life lost)


def test_parity_is_off_by_default_and_checked():
    p = make_config("tiny").parity
    assert (p.lives_drop_only, p.burn_in_grad, p.preload_batches, p.dream_stream, p.tf32) == (False, False, 0, False, False)
    a = make_config("tiny", PARITY_AUTHORS).parity
    assert (a.lives_drop_only, a.burn_in_grad, a.preload_batches, a.dream_stream, a.tf32) == (True, True, 256, True, True)
    with pytest.raises(ConfigError, match="parity.preload_batches=-1"): make_config("tiny", {"parity.preload_batches": -1})


def ends_with_a_bonus_life(lives_drop_only: bool) -> tuple[int, list[int]]:
    "Training-episode ends over one whole game of Breakout with random actions, given one extra life (RAM) at step 10."
    env = make_env("Breakout", train=True, seed=0, lives_drop_only=lives_drop_only)
    env.reset(); rng = np.random.default_rng(0)
    ends, lives = 0, []
    for t in range(20_000):
        if t == 10:
            ale = env.base.unwrapped.ale
            ale.setRAM(BREAKOUT_LIVES_RAM, ale.lives() + 1)          # a bonus life
        _, _, term, trunc, info = env.step(int(rng.integers(env.action_space.n)))
        lives.append(info["lives"])
        if term or trunc:
            ends += 1
            if info["game_over"] or trunc: return ends, lives
            env.reset()
    raise AssertionError("the game did not end")


def test_lives_drop_only_misses_the_loss_after_a_bonus_life():
    kit_ends, kit_lives = ends_with_a_bonus_life(False)
    authors_ends, authors_lives = ends_with_a_bonus_life(True)
    assert kit_lives == authors_lives and max(kit_lives) == 6               # the same game: 5 lives, 6 after the bonus, down to 0
    assert (kit_ends, authors_ends) == (6, 5)                               # the authors' rule misses the loss 6 -> 5


class ScriptedDreams:
    "Two dreams of constant frames; dream 0 ends at step 1 and is re-seeded from other frames (a forced mid-chunk end)."
    num_envs = 2
    def __init__(self): self.t, g = 0, torch.Generator().manual_seed(0); self.frames = torch.rand(6, 3, 64, 64, generator=g) * 2 - 1
    def reset(self): return self.frames[:2].clone(), {}
    def step(self, act):
        end = torch.tensor([self.t == 1, False]); self.t += 1
        info = {"final_obs": self.frames[:2].clone(), "_final_obs": end, "burnin_obs": torch.zeros(2, 3, 3, 64, 64)}
        info["burnin_obs"][0] = self.frames[3:6]
        return self.frames[:2].clone(), torch.zeros(2), end, torch.zeros(2, dtype=torch.bool), info


def chunk_grads(burn_in_grad: bool):
    torch.manual_seed(0)
    ac = ActorCritic(make_config("tiny").actor_critic, 4)
    with torch.no_grad():
        for p in ac.parameters(): p.add_(0.05 * torch.randn_like(p))        # heads not at zero: values depend on the memory
    r = DreamRollouts(ac, ScriptedDreams(), seed=0, burn_in_grad=burn_in_grad).chunk(4)
    r.value[0, 2:].sum().backward()                                        # the re-seeded dream's values after the end
    return r.value.detach(), {n: p.grad.clone() for n, p in ac.named_parameters() if p.grad is not None}


def test_burn_in_grad_lets_later_steps_reach_back_into_the_burn_in():
    (v_kit, g_kit), (v_authors, g_authors) = chunk_grads(False), chunk_grads(True)
    torch.testing.assert_close(v_kit, v_authors)                           # the same forward pass
    assert any(not torch.allclose(g_kit[n], g_authors[n]) for n in g_kit)  # but the gradient flows into the burn-in frames


def preload_env(tmp_path, preload_batches: int):
    cfg = make_config("tiny")
    torch.manual_seed(0)
    den, rew = Denoiser(cfg.denoiser, 4).eval(), RewEndModel(cfg.rew_end, 4).eval()
    wm = WorldModelEnv(den, rew, random_dataset(tmp_path / f"ds{preload_batches}", 4), cfg.sampler, batch_size=2, seed=0,
                       preload_batches=preload_batches)
    return wm, rew


def test_preloaded_starts_come_in_order_with_the_memory_of_preload_time(tmp_path):
    wm, rew = preload_env(tmp_path, 3)
    wm.reset()
    pool_obs, _, (pool_h, _) = wm._preloaded
    assert len(pool_obs) == 6 and wm._next == 2 and torch.equal(wm.obs, pool_obs[:2])
    with torch.no_grad():
        for p in rew.parameters(): p.add_(0.1)                               # the model moves on after the preload
    obs, _, (h, _) = wm._windows(2)
    assert torch.equal(obs, pool_obs[2:4]) and torch.equal(h, pool_h[:, 2:4])   # handed out in order, memory as at preload
    wm._windows(2); obs, _, _ = wm._windows(2)                               # the pool is spent: a new preload
    assert wm._next == 2 and torch.equal(obs, wm._preloaded[0][:2])
    kit, rew_k = preload_env(tmp_path, 0)
    kit.reset(); assert kit._preloaded is None                               # the kit: a fresh window, warmed now, at every re-seed


@pytest.mark.integration
def test_dream_stream_keeps_one_stream_of_dreams_across_epochs(tmp_path):
    seen = {}
    for stream in (False, True):
        cfg = make_config("tiny", {**SMOKE_OVERRIDES, "parity.dream_stream": stream})
        tr = AgentTrainer(cfg, tmp_path / f"run{stream}", progress=False)
        diamond_loop(tr, until=1); first = tr.dreams; diamond_loop(tr, until=2)
        seen[stream] = tr.dreams is first
    assert seen == {False: False, True: True}


def test_tf32_is_switched_on_only_when_asked_and_only_on_cuda(tmp_path):
    from diamond.compute import allow_tf32
    before = (torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32)
    try:
        torch.backends.cuda.matmul.allow_tf32 = False
        AgentTrainer(make_config("tiny", {**SMOKE_OVERRIDES, "parity.tf32": True}), tmp_path / "cpu", progress=False, device="cpu")
        assert torch.backends.cuda.matmul.allow_tf32 is False                  # a CPU run leaves CUDA's settings alone
        assert allow_tf32() == {"matmul": True, "cudnn": True}
    finally:
        torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = before
