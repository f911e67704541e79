"The episode dataset: round trips, crash safety (SIGKILL), damaged files, extension, sampling, collection."
import hashlib
import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest
import torch

from diamond.atari import RandomPolicy, make_env, make_policy
from diamond.data import (Collector, Episode, EpisodeDataset, EpisodeFileError, SegmentSampler, collect, frames_to_float,
                          make_batch, read_episode, write_episode)


def random_episode(T, rng, ended=True, trunc=False):
    return Episode(rng.integers(0, 256, (T, 3, 64, 64), dtype=np.uint8), rng.integers(0, 4, T), rng.choice([-1.0, 0.0, 3.0], T),
                   (np.arange(T) == T - 1) & ended & (not trunc), (np.arange(T) == T - 1) & trunc,
                   rng.integers(0, 256, (3, 64, 64), dtype=np.uint8))


def same(a: Episode, b: Episode) -> bool:
    return all(np.array_equal(getattr(a, k), getattr(b, k)) and getattr(a, k).dtype == getattr(b, k).dtype
               for k in ("obs", "act", "rew", "end", "trunc", "final_obs"))


def test_round_trip(tmp_path):
    rng = np.random.default_rng(0)
    ds = EpisodeDataset(tmp_path / "d")
    eps = [random_episode(T, rng) for T in (1, 7, 30)] + [random_episode(4, rng, trunc=True)]
    assert [ds.add(e) for e in eps] == [0, 1, 2, 3]
    again = EpisodeDataset(tmp_path / "d")
    assert again.ids == [0, 1, 2, 3] and again.num_steps == 42
    assert all(same(again[i], e) for i, e in enumerate(eps))
    assert again[0].obs.dtype == np.uint8 and again[3].trunc[-1] and not again[3].end[-1]
    r = np.concatenate([e.rew for e in eps])
    assert again.reward_sign_counts() == {-1: int((r < 0).sum()), 0: int((r == 0).sum()), 1: int((r > 0).sum())}


def test_episode_validation():
    rng = np.random.default_rng(0)
    e = random_episode(5, rng)
    with pytest.raises(ValueError, match="disagree"):
        Episode(e.obs, e.act[:4], e.rew, e.end, e.trunc, e.final_obs)
    with pytest.raises(ValueError, match="last step"):
        Episode(e.obs, e.act, e.rew, np.array([1, 0, 0, 0, 1], bool), e.trunc, e.final_obs)
    with pytest.raises(ValueError, match="already ended"):
        e.extend(random_episode(2, rng))


def test_extending_an_unfinished_episode(tmp_path):
    rng = np.random.default_rng(1)
    ds = EpisodeDataset(tmp_path)
    head = random_episode(6, rng, ended=False)
    i = ds.add(head)
    tail = random_episode(4, rng)
    ds.update(i, ds[i].extend(tail))
    got = EpisodeDataset(tmp_path)[i]
    assert len(got) == 10 and got.ended and np.array_equal(got.obs[:6], head.obs) and np.array_equal(got.final_obs, tail.final_obs)
    with pytest.raises(KeyError):
        ds.update(99, tail)


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty", "missing_array"])
def test_damaged_file_is_named_not_skipped(tmp_path, damage):
    rng = np.random.default_rng(2)
    ds = EpisodeDataset(tmp_path)
    for T in (3, 4, 5): ds.add(random_episode(T, rng))
    f = ds.file(1)
    if damage == "truncate": f.write_bytes(f.read_bytes()[: f.stat().st_size // 2])
    if damage == "garbage": f.write_bytes(os.urandom(5000))
    if damage == "empty": f.write_bytes(b"")
    if damage == "missing_array": np.savez(f, obs=np.zeros((3, 3, 64, 64), np.uint8))
    with pytest.raises(EpisodeFileError, match="ep_000001.npz"):
        EpisodeDataset(tmp_path)


def test_pickled_objects_are_refused(tmp_path):
    f = tmp_path / "ep_000000.npz"
    np.savez(f, obs=np.array([object()], dtype=object), act=0, rew=0, end=0, trunc=0, final_obs=0)
    with pytest.raises(EpisodeFileError, match="ep_000000.npz"):
        read_episode(f)


WRITER = textwrap.dedent("""
    import hashlib, sys, numpy as np
    from diamond.data import Episode, EpisodeDataset
    ds = EpisodeDataset(sys.argv[1]); rng = np.random.default_rng(0)
    while True:
        T = int(rng.integers(50, 400))
        ep = Episode(rng.integers(0, 256, (T, 3, 64, 64), dtype=np.uint8), rng.integers(0, 4, T), rng.random(T),
                     np.arange(T) == T - 1, np.zeros(T, bool), rng.integers(0, 256, (3, 64, 64), dtype=np.uint8))
        i = ds.add(ep)
        print(i, hashlib.sha1(ep.obs.tobytes() + ep.rew.tobytes()).hexdigest(), flush=True)
""")


@pytest.mark.integration
def test_sigkill_mid_write_loses_at_most_the_episode_being_written(tmp_path):
    d = tmp_path / "ds"
    p = subprocess.Popen([sys.executable, "-c", WRITER, str(d)], stdout=subprocess.PIPE, text=True)
    saved = {}
    while len(saved) < 12:
        i, h = p.stdout.readline().split(); saved[int(i)] = h
    time.sleep(0.013)                                             # land somewhere inside the next write
    p.send_signal(signal.SIGKILL); p.wait()
    ds = EpisodeDataset(d)                                        # opens: no damaged file, temp files removed
    assert not list(d.glob(".*.tmp"))
    assert set(saved) <= set(ds.ids) and len(ds) <= len(saved) + 1
    for i, h in saved.items():
        ep = ds[i]
        assert hashlib.sha1(ep.obs.tobytes() + ep.rew.tobytes()).hexdigest() == h


def toy_dataset(path, lengths, seed=0):
    rng = np.random.default_rng(seed)
    ds = EpisodeDataset(path)
    for T in lengths: ds.add(random_episode(T, rng))
    return ds


def test_bucket_frequencies_match_the_weights(tmp_path):
    ds = toy_dataset(tmp_path, [30, 5, 12, 40, 8, 25, 3, 17, 9, 33, 14, 21, 2, 11, 6, 19])    # 4 buckets of 4
    ids = np.array([i for i, _ in SegmentSampler(ds, 6, 20_000, seed=0).sample_windows()])
    np.testing.assert_allclose(np.bincount(ids // 4) / len(ids), [0.1, 0.1, 0.1, 0.7], atol=0.01)
    per_episode = np.bincount(ids, minlength=16)[12:] / len(ids)                           # equal inside a bucket
    np.testing.assert_allclose(per_episode, 0.7 / 4, atol=0.01)
    few = toy_dataset(tmp_path / "few", [10, 30])                                           # fewer than 4 episodes
    ids = np.array([i for i, _ in SegmentSampler(few, 6, 20_000, seed=0).sample_windows()])
    assert abs((ids == 1).mean() - 0.75) < 0.01


def test_masks_mark_exactly_the_padded_steps(tmp_path):
    ds = toy_dataset(tmp_path, [3, 8, 20])
    s = SegmentSampler(ds, 6, 256, seed=1)
    b = next(iter(s))
    for k, (i, start) in enumerate(zip(b.episode_ids, b.starts)):
        n = len(ds[i])
        real = [(0 <= start + j < n) for j in range(6)]
        assert b.mask_padding[k].tolist() == real and real[-1]          # denoiser windows end on a real step
        for j in range(6):
            if real[j]:
                assert torch.equal(b.obs[k, j], frames_to_float(torch.from_numpy(ds[i].obs[start + j])))
            else:
                assert (b.obs[k, j] == 0).all() and b.act[k, j] == 0 and b.rew[k, j] == 0


def test_reward_windows_place_terminal_steps_mid_window_with_the_final_frame_after(tmp_path):
    ds = toy_dataset(tmp_path, [5, 40, 12, 7])
    b = next(iter(SegmentSampler(ds, 19, 512, can_sample_beyond_end=True, seed=3)))
    positions = [(k, j) for k, j in (b.end & b.mask_padding).nonzero().tolist()]
    assert any(0 < j < 17 for _, j in positions)
    for k, j in positions:
        if j + 1 < 19:
            ep = ds[b.episode_ids[k]]
            assert torch.equal(b.obs[k, j + 1], frames_to_float(torch.from_numpy(ep.final_obs)))
            assert not b.mask_padding[k, j + 1]
    assert (~b.mask_padding[:, 0]).any() and (~b.mask_padding[:, -1]).any()   # padding on both sides


def test_sampling_is_seeded(tmp_path):
    ds = toy_dataset(tmp_path, [10, 20, 30, 40, 50])
    a = SegmentSampler(ds, 6, 64, seed=7).sample_windows()
    assert a == SegmentSampler(ds, 6, 64, seed=7).sample_windows() != SegmentSampler(ds, 6, 64, seed=8).sample_windows()


def test_collector_keeps_the_life_in_progress_across_calls(tmp_path):
    ds = EpisodeDataset(tmp_path)
    env = make_env("Breakout", train=True, seed=0)
    col = Collector(env, make_policy("random", env, "Breakout", seed=0), ds)
    total = {-1: 0, 0: 0, 1: 0}
    for _ in range(5):
        st = col.collect(num_steps=80, progress=False)
        for k in total: total[k] += st.reward_signs[k]
    assert ds.num_steps == 400 and ds.reward_sign_counts() == total
    ended = [ds[i].ended for i in ds.ids]
    assert all(ended[:-1]) and len(ds) >= 3                          # random play loses lives: one episode per life
    for i in ds.ids[:-1]:
        if i % 5 != 4:                                               # Breakout: 5 lives a game, then a new game
            assert np.array_equal(ds[i].final_obs, ds[i + 1].obs[0])   # the next life starts from the last frame
    assert EpisodeDataset(tmp_path).lengths.tolist() == ds.lengths.tolist()


def test_collect_counts_whole_test_episodes(tmp_path):
    ds = EpisodeDataset(tmp_path)
    env = make_env("Breakout", train=False, seed=0)
    st = collect(env, make_policy("random", env, "Breakout", seed=0), num_episodes=2, dataset=ds, progress=False)
    assert st.episodes == 2 and len(st.returns) == 2
    assert [ds[i].ended for i in ds.ids][:2] == [True, True]
    with pytest.raises(ValueError, match="exactly one"):
        collect(env, None, dataset=ds)


@pytest.mark.integration
def test_collect_cli(tmp_path):
    out = tmp_path / "ds"
    r = subprocess.run([sys.executable, "-m", "diamond.collect", "--game", "Breakout", "--policy", "expert", "--steps", "120",
                        "--out", str(out)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert EpisodeDataset(out).num_steps == 120
    bad = subprocess.run([sys.executable, "-m", "diamond.collect", "--game", "Pacman", "--steps", "5", "--out", str(out)],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "MsPacman" in bad.stderr and EpisodeDataset(out).num_steps == 120


def test_rollback_returns_to_a_snapshot(tmp_path):
    rng = np.random.default_rng(1)
    ds = EpisodeDataset(tmp_path)
    ds.add(random_episode(10, rng)); part = random_episode(6, rng, ended=False); i = ds.add(part)
    snap = ds.snapshot()
    more = random_episode(5, rng); more.obs[0] = part.final_obs      # it goes on from the frame after its last step
    ds.update(i, part.extend(more))                                  # the life in progress went on and ended
    ds.add(random_episode(7, rng)); ds.add(random_episode(3, rng, ended=False))
    assert ds.rollback(snap) == 5 + 7 + 3
    again = EpisodeDataset(tmp_path)
    assert again.snapshot() == snap == {0: 10, 1: 6}
    assert same(again[1], part) and not again[1].ended                # cut back: unfinished, with the frame after step 6
    assert ds.rollback(snap) == 0                                     # idempotent (a crash during a rollback is harmless)
    with pytest.raises(EpisodeFileError, match="cannot be rolled back"):
        ds.rollback({0: 10, 1: 6, 2: 4})


def test_collector_state_continues_the_same_game(tmp_path):
    def start(path, seed=None):
        env = make_env("Breakout", train=True, seed=seed)
        return Collector(env, make_policy("random", env, "Breakout", seed=seed), EpisodeDataset(path))
    a = start(tmp_path / "a", seed=2); a.collect(num_steps=120, progress=False)
    snap, state = a.dataset.snapshot(), a.state_dict()
    torch.save(state, tmp_path / "state.pt")
    a.collect(num_steps=200, progress=False)
    b = start(tmp_path / "b", seed=2); b.collect(num_steps=150, progress=False)
    b = start(tmp_path / "b")
    b.dataset.rollback(snap)
    b.load_state_dict(torch.load(tmp_path / "state.pt", weights_only=True))     # no pickled code needed
    b.collect(num_steps=200, progress=False)
    assert list(a.dataset.ids) == list(b.dataset.ids)
    assert all(same(a.dataset[i], b.dataset[i]) for i in a.dataset.ids)


def test_expert_data_adds_a_random_players_steps_after_the_experts(tmp_path):
    from diamond.data import expert_data
    train, _ = expert_data(tmp_path, "Breakout", 60, 0, seed=3, progress=False, random_steps=40)
    assert train.num_steps == 100
    acts = np.concatenate([train[i].act for i in train.ids])
    random_player = RandomPolicy(4, seed=3 + 2000)
    assert acts[60:].tolist() == [random_player(None) for _ in range(40)]   # after the expert's 60 steps, a random player's 40
    assert acts[:60].tolist() != [random_player(None) for _ in range(60)]
    again, _ = expert_data(tmp_path, "Breakout", 60, 0, seed=3, progress=False, random_steps=40)
    assert again.num_steps == 100                            # a folder that holds them is reused
    more, _ = expert_data(tmp_path, "Breakout", 60, 0, seed=3, progress=False, random_steps=70)
    assert more.num_steps == 130                             # and topped up
