"Atari 100k envs: all 26 games, DIAMOND's preprocessing (frame skip, max-pool, no-ops, life loss), experts."
import gymnasium as gym
import numpy as np
import pytest

from diamond.atari import (ATARI_100K_GAMES, AtariEnv, RandomPolicy, action_names, check_game, make_env, make_policy)

MINIMAL_ACTIONS = {
    "Alien": 18, "Amidar": 10, "Assault": 7, "Asterix": 9, "BankHeist": 18, "BattleZone": 18, "Boxing": 18, "Breakout": 4,
    "ChopperCommand": 18, "CrazyClimber": 9, "DemonAttack": 6, "Freeway": 3, "Frostbite": 18, "Gopher": 8, "Hero": 18,
    "Jamesbond": 18, "Kangaroo": 18, "Krull": 18, "KungFuMaster": 14, "MsPacman": 9, "Pong": 6, "PrivateEye": 18,
    "Qbert": 6, "RoadRunner": 18, "Seaquest": 18, "UpNDown": 6,
}


def test_the_26_games():
    assert set(ATARI_100K_GAMES) == set(MINIMAL_ACTIONS) and len(ATARI_100K_GAMES) == 26


@pytest.mark.parametrize("game", ATARI_100K_GAMES)
def test_every_game_gives_64x64_rgb_uint8_and_its_minimal_action_set(game):
    env = make_env(game, seed=0)
    assert env.action_space.n == MINIMAL_ACTIONS[game] == len(action_names(game))
    assert action_names(game)[0] == "NOOP"
    obs, info = env.reset()
    for a in (0, 1 % env.action_space.n, env.action_space.n - 1):
        obs, r, term, trunc, info = env.step(a)
        assert obs.shape == (64, 64, 3) and obs.dtype == np.uint8 and isinstance(r, float)
    assert env.render().shape == (210, 160, 3)


def test_unknown_game_lists_the_valid_names():
    with pytest.raises(ValueError) as e:
        make_env("Breakot")
    assert "Did you mean 'Breakout'" in str(e.value) and "MsPacman" in str(e.value)


class FakeAtari(gym.Env):
    "A stand-in emulator: frame k has value k at pixel (0, k % 160), reward k, lives drop at `life_losses`, game over at `end_at`."
    def __init__(self, end_at=10_000, life_losses=(), lives=3):
        self.action_space, self.end_at, self.life_losses, self.lives0 = gym.spaces.Discrete(4), end_at, set(life_losses), lives
        self.noops_seen = []

    def frame(self):
        f = np.zeros((210, 160, 3), np.uint8); f[0, self.k % 160] = self.k % 256; return f

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed); self.k, self.lives, self.since_reset = 0, self.lives0, 0
        return self.frame(), {"lives": self.lives}

    def step(self, a):
        self.k += 1; self.since_reset += 1
        if self.k in self.life_losses: self.lives -= 1
        return self.frame(), float(self.k), self.k >= self.end_at, False, {"lives": self.lives}


def test_frame_skip_sums_rewards_and_max_pools_the_last_two_frames():
    base = FakeAtari()
    env = AtariEnv(base, seed=0, noop_max=1)                    # exactly one no-op: frame 1
    env.reset()
    obs, r, term, trunc, info = env.step(2)                     # frames 2, 3, 4, 5
    assert r == 2 + 3 + 4 + 5
    pooled = env.render()
    assert pooled[0, 4, 0] == 4 and pooled[0, 5, 0] == 5         # the max of frames 4 and 5 ...
    assert pooled[0, 3, 0] == 0 and pooled[0, 2, 0] == 0         # ... and of nothing earlier


def test_a_game_ending_mid_skip_returns_its_true_last_frame():
    env = AtariEnv(FakeAtari(end_at=7), seed=0, noop_max=1)
    env.reset()
    env.step(0)                                                  # frames 2..5
    obs, r, term, trunc, info = env.step(0)                     # frames 6, 7: the game ends at 7
    assert term and r == 6 + 7
    assert env.render()[0, 7, 0] == 7 and env.render()[0, 6, 0] == 6
    with pytest.raises(RuntimeError, match="reset"):
        env.step(0)


def test_noop_counts_stay_in_1_to_30():
    env = AtariEnv(FakeAtari(), train=False, seed=0)           # test env: every reset restarts the game
    counts = [env.reset()[1]["noops"] for _ in range(3000)]
    assert min(counts) == 1 and max(counts) == 30


def test_life_loss_ends_training_episodes_but_not_test_episodes():
    base_train, base_test = FakeAtari(life_losses=(10,)), FakeAtari(life_losses=(10,))
    train, test = AtariEnv(base_train, train=True, seed=0, noop_max=1), AtariEnv(base_test, train=False, seed=0, noop_max=1)
    for env in (train, test): env.reset()
    for _ in range(3):
        _, _, term_train, _, info = train.step(0)
        _, _, term_test, _, _ = test.step(0)
    assert term_train and info["life_loss"] and not term_test   # frame 10 fell in the 3rd step
    obs, info = train.reset()
    assert info["new_game"] is False and base_train.k == 13     # the game was not reset


def test_breakout_life_loss_real_emulator():
    rng = np.random.default_rng(0)
    def play(env):
        env.reset(); n = 0
        while True:
            _, _, term, trunc, info = env.step(int(rng.integers(4))); n += 1
            if term or trunc: return n, info
    n_train, info_train = play(make_env("Breakout", train=True, seed=3))
    n_test, info_test = play(make_env("Breakout", train=False, seed=3))
    assert info_train["life_loss"] and info_train["lives"] == 4 and not info_train["game_over"]
    assert info_test["game_over"] and info_test["lives"] == 0 and n_test > n_train


def play_game(game, kind, seed):
    env = make_env(game, train=False, seed=seed)
    policy = make_policy(kind, env, game, seed=seed)
    env.reset(); ret = 0.0
    while True:
        _, r, term, trunc, _ = env.step(policy(None, None)); ret += r
        if term or trunc: return ret


@pytest.mark.integration
def test_experts_beat_random_by_a_wide_margin():
    assert play_game("Breakout", "expert", 7) >= 20 > play_game("Breakout", "random", 7) + 10
    assert play_game("Boxing", "expert", 7) >= play_game("Boxing", "random", 7) + 8


def test_policies_by_name():
    env = make_env("Pong", seed=0)
    assert isinstance(make_policy("random", env, "Pong", seed=0), RandomPolicy)
    with pytest.raises(ValueError, match="no scripted expert for Pong"):
        make_policy("expert", env, "Pong")
    with pytest.raises(ValueError, match="unknown policy"):
        make_policy("greedy", env, "Pong")
