"The agent: actor-critic, λ-returns, dream rollouts, the epoch loop, run folders, resume after SIGKILL, bad input."
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch

from diamond.actor_critic import ActorCritic, AgentPolicy, DreamRollouts, actor_critic_loss, lambda_returns
from diamond.config import ConfigError, make_config, save_config
from diamond.data import EpisodeDataset
from diamond.loop import AgentTrainer, collect_epochs
from diamond.profiles import SMOKE_OVERRIDES
from diamond.runs import CURVE_SLICES, RunError, RunFinished, RunFolder
from diamond.train import main as train_main
from diamond.unet import count_parameters

pytestmark = pytest.mark.integration      # whole runs, command lines in fresh interpreters: the integration tier

OFFICIAL = Path(__file__).parent / "data" / "official-state-dict.tsv"
ROOT = Path(__file__).resolve().parent.parent


def smoke_config(**kw):
    return make_config("tiny", {**SMOKE_OVERRIDES, **kw.pop("overrides", {})}, **kw)


# ---------------------------------------------------------------- the network
def test_actor_critic_matches_the_authors_checkpoint_layout():
    ac = ActorCritic(make_config("paper").actor_critic, num_actions=4)
    rows = [l.split("\t") for l in OFFICIAL.read_text().splitlines() if l.startswith("actor_critic.")]
    want = {k[len("actor_critic."):]: tuple(int(x) for x in s.strip("()").split(",") if x.strip()) for k, s, *_ in rows}
    assert {k: tuple(v.shape) for k, v in ac.state_dict().items()} == want
    assert count_parameters(ac) == 3_227_585 + 513 * 4
    assert count_parameters(ActorCritic(make_config("paper").actor_critic, num_actions=18)) == 3_227_585 + 513 * 18


def test_fresh_actor_critic_is_uniform_with_zero_value(gen):
    ac = ActorCritic(make_config("tiny").actor_critic, num_actions=6)
    x = torch.rand(7, 3, 64, 64, generator=gen) * 2 - 1
    with torch.no_grad():
        logits, value, _ = ac(x, ac.zero_state(7))
        logits2, value2, _ = ac(-x, ac.burn_in(x[:, None].expand(7, 3, 3, 64, 64)))
    for lg, v in ((logits, value), (logits2, value2)):
        assert torch.equal(torch.softmax(lg, -1), torch.full((7, 6), 1 / 6)) and torch.equal(v, torch.zeros(7))


# ---------------------------------------------------------------- λ-returns
def reference_returns(rew, end, trunc, val_next, gamma, lam):
    "The spec's recursion, written step by step with Python floats."
    B, T = rew.shape
    out = np.zeros((B, T))
    for b in range(B):
        g = float(val_next[b, -1])
        for t in reversed(range(T)):
            d, tau, v = float(end[b, t]), float(trunc[b, t]), float(val_next[b, t])
            if d: g = float(rew[b, t])                                          # an end: nothing after it
            elif tau: g = float(rew[b, t]) + gamma * v                           # truncation: the last generated frame's value
            else: g = float(rew[b, t]) + gamma * ((1 - lam) * v + lam * g)       # TD(λ)
            out[b, t] = g
    return out


def test_lambda_returns_by_hand():
    rew = torch.tensor([[1., 0, 1], [1, 0, 1], [1, 0, 1], [0, 0, 2]])
    end = torch.tensor([[0, 0, 0], [0, 1, 0], [0, 0, 0], [0, 0, 1]])
    trunc = torch.tensor([[0, 0, 0], [0, 0, 0], [1, 0, 0], [0, 0, 0]])
    val_next = torch.tensor([[2., 3, 4], [2, 3, 4], [2, 3, 4], [2, 3, 4]])
    G = lambda_returns(rew, end, trunc, val_next, gamma=0.9, lambda_=0.5)
    torch.testing.assert_close(G[0], torch.tensor([3.439, 3.42, 4.6]))                  # chunk end bootstraps from V̂_T
    torch.testing.assert_close(G[1], torch.tensor([1.9, 0.0, 4.6]))                     # end at step 1: G_1 = r_1
    torch.testing.assert_close(G[2, 0], torch.tensor(2.8))                              # truncation: r + γ V(final frame)
    torch.testing.assert_close(G[3, 2], torch.tensor(2.0))                              # an end at the chunk's last step ignores V̂_T


def test_lambda_returns_match_the_recursion_on_random_chunks():
    rng = np.random.default_rng(0)
    rew, val = rng.choice([-1.0, 0, 1], (16, 15)), rng.normal(size=(16, 15))
    end, trunc = rng.random((16, 15)) < 0.1, rng.random((16, 15)) < 0.1
    trunc &= ~end
    G = lambda_returns(*(torch.tensor(a) for a in (rew, end, trunc, val)), gamma=0.985, lambda_=0.95)
    np.testing.assert_allclose(G.numpy(), reference_returns(rew, end, trunc, val, 0.985, 0.95), rtol=1e-5, atol=1e-5)


# ---------------------------------------------------------------- dreams
class ScriptedDreams:
    "A stand-in `WorldModelEnv`: frames are constants t/10, ends and truncations at scripted steps."
    def __init__(self, B, events):
        self.num_envs, self.events, self.t = B, events, 0
    def frame(self, v): return torch.full((self.num_envs, 3, 64, 64), v)
    def reset(self): return self.frame(0.0), {}
    def step(self, act):
        self.t += 1
        end = torch.tensor([self.events.get((b, self.t)) == "end" for b in range(self.num_envs)])
        trunc = torch.tensor([self.events.get((b, self.t)) == "trunc" for b in range(self.num_envs)])
        done = end | trunc
        info = {"final_obs": self.frame(self.t / 10), "burnin_obs": self.frame(-0.5)[:, None].expand(-1, 3, -1, -1, -1)}
        obs = torch.where(done[:, None, None, None], self.frame(-0.5), self.frame(self.t / 10))
        return obs, torch.ones(self.num_envs), end, trunc, info


def test_dream_rollouts_bootstrap_from_the_final_frame_with_the_pre_reset_memory(gen):
    torch.manual_seed(0)
    ac = ActorCritic(make_config("tiny").actor_critic, num_actions=3)
    torch.nn.init.normal_(ac.critic_linear.weight, std=1.0)                      # a critic that is not constant
    env = ScriptedDreams(2, {(0, 2): "trunc", (1, 3): "end"})
    r = DreamRollouts(ac, env, seed=0).chunk(4)
    # replay by hand: the value of each step's next state
    with torch.no_grad():
        hx = ac.zero_state(2); vals, vnext = [], []
        obs = env.frame(0.0)
        for t in range(1, 5):
            _, v, hx = ac(obs, hx); vals.append(v)
            final = torch.full((2, 3, 64, 64), t / 10)
            v_final = ac(final, hx)[1]                                          # pre-reset memory, last generated frame
            vnext.append(v_final)
            done = torch.tensor([(0, t) in env.events, (1, t) in env.events])
            if done.any():
                h0, c0 = ac.burn_in(torch.full((int(done.sum()), 3, 3, 64, 64), -0.5))
                hx = (torch.where(done[:, None], torch.zeros_like(hx[0]).index_put((done.nonzero()[:, 0],), h0), hx[0]),
                      torch.where(done[:, None], torch.zeros_like(hx[1]).index_put((done.nonzero()[:, 0],), c0), hx[1]))
            obs = torch.where(done[:, None, None, None], torch.full_like(final, -0.5), final)
    torch.testing.assert_close(r.value.detach(), torch.stack(vals, 1))
    assert r.trunc[0, 1] and r.end[1, 2]
    torch.testing.assert_close(r.val_next[0, 1], vnext[1][0])                   # truncated: V(final frame), pre-reset memory
    torch.testing.assert_close(r.val_next[0, 0], r.value[0, 1].detach())        # otherwise: the next step's value
    torch.testing.assert_close(r.val_next[0, 2], r.value[0, 3].detach())        # after the re-seed (burned-in memory)
    loss, logs = actor_critic_loss(r, make_config("tiny").actor_critic_loss)
    loss.backward()
    assert torch.isfinite(loss) and ac.actor_linear.weight.grad is not None


def test_agent_policy_state_round_trip():
    ac = ActorCritic(make_config("tiny").actor_critic, num_actions=4)
    frames = np.random.default_rng(0).integers(0, 256, (40, 64, 64, 3), dtype=np.uint8)
    a = AgentPolicy(ac, epsilon=0.3, seed=1)
    for f in frames[:20]: a(f)
    state = a.state_dict()
    first = [a(f) for f in frames[20:]]
    b = AgentPolicy(ac, epsilon=0.3, seed=99); b.load_state_dict(state)
    assert [b(f) for f in frames[20:]] == first


# ---------------------------------------------------------------- the loop
def test_collect_epochs_meets_the_budget_exactly():
    t = make_config("paper").training
    assert collect_epochs(5_000, t) == 950 and collect_epochs(10_000, t) == 900 and collect_epochs(5_050, t) == 950


def strip_times(lines):
    return [{k: v for k, v in m.items() if not k.startswith("time/")} for m in lines]


def dataset_arrays(path):
    ds = EpisodeDataset(path)
    return {i: {k: getattr(ds[i], k) for k in ("obs", "act", "rew", "end", "trunc", "final_obs")} for i in ds.ids}


def same_datasets(a, b):
    da, db = dataset_arrays(a), dataset_arrays(b)
    return list(da) == list(db) and all(np.array_equal(da[i][k], db[i][k]) for i in da for k in da[i])


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    "One uninterrupted smoke run (300 real steps, 4 epochs)."
    folder = tmp_path_factory.mktemp("baseline") / "run"
    t0 = time.time()
    res = AgentTrainer(smoke_config(seed=3), folder, progress=False).run()
    return folder, {**res, "wall_s": time.time() - t0}


def test_run_folder_contents(baseline):
    folder, res = baseline
    cfg = smoke_config(seed=3)
    assert res["env_steps"] == cfg.training.num_steps_total == EpisodeDataset(folder / "dataset" / "train").num_steps
    assert res["random_episodes"] == cfg.training.random_eval_episodes == 1 and res["random_return_std"] >= 0   # the baseline, beside the agent
    assert len(res["random_returns"]) == 1 and res["random_return_mean"] == res["random_returns"][0]
    lines = RunFolder(folder).read_metrics()
    assert [m["epoch"] for m in lines] == list(range(res["epochs"] + 1))
    assert any("test/return_mean" in m for m in lines)
    for m in lines[1:]:   # every epoch trains the actor-critic and keeps its per-update curves
        assert m["actor_critic/updates"] == (cfg.actor_critic_optim.steps_first_epoch if m["epoch"] == 1 else cfg.actor_critic_optim.steps_per_epoch)
        assert len(m["actor_critic/imagined_reward_slices"]) == min(m["actor_critic/updates"], CURVE_SLICES)
        assert np.mean(m["actor_critic/imagined_reward_slices"]) == pytest.approx(m["actor_critic/imagined_reward"])
    for m in (m for m in lines if "test/return_mean" in m):   # Breakout pays no negative rewards: a real reward rate iff a score
        assert 0 <= m["test/reward_per_chunk"] <= cfg.world_model_env.horizon
        assert (m["test/reward_per_chunk"] > 0) == (m["test/return_mean"] > 0)
    for f in ("config.json", "results.json", "run_is_over", "checkpoints/state.pt", "checkpoints/agent.pt",
              "figures/learning_curves.png", "figures/agent_dream.png"):
        assert (folder / f).exists(), f
    agent = torch.load(folder / "checkpoints" / "agent.pt", weights_only=True)
    assert {k.split(".")[0] for k in agent} == {"denoiser", "rew_end_model", "actor_critic"}
    starts = json.loads((folder / "provenance.json").read_text())   # what made the run: one start, here
    assert len(starts) == 1 and starts[0]["resumed"] is False and starts[0]["torch"] == torch.__version__


def test_same_seed_same_run(baseline, tmp_path):
    "The same seed gives the same run, also when it keeps its agent every 2 epochs (training.keep_agent_every)."
    folder, res = baseline
    res2 = AgentTrainer(smoke_config(seed=3, overrides={"training.keep_agent_every": 2}), tmp_path / "again",
                        progress=False).run()
    assert strip_times(RunFolder(tmp_path / "again").read_metrics()) == strip_times(RunFolder(folder).read_metrics())
    assert res2["final_returns"] == res["final_returns"]
    assert same_datasets(folder / "dataset" / "train", tmp_path / "again" / "dataset" / "train")
    kept = sorted(p.name for p in (tmp_path / "again" / "checkpoints").glob("agent_epoch*.pt"))
    assert res2["epochs"] == 4 and kept == ["agent_epoch0.pt", "agent_epoch2.pt", "agent_epoch4.pt"]   # 0: before any training
    assert not list((folder / "checkpoints").glob("agent_epoch*.pt"))          # the default keeps only the latest
    last, final = (torch.load(tmp_path / "again" / "checkpoints" / f, weights_only=True) for f in ("agent_epoch4.pt", "agent.pt"))
    assert last.keys() == final.keys() and all(torch.equal(last[k], final[k]) for k in last)


KILLABLE = Path(__file__).parent / "killable_train.py"


def assert_same_run(run, baseline):
    "The run in folder `run` is the baseline's uninterrupted run: the same metrics (but times), training data and final returns."
    folder, res = baseline
    assert strip_times(RunFolder(run).read_metrics()) == strip_times(RunFolder(folder).read_metrics()), run
    assert same_datasets(folder / "dataset" / "train", run / "dataset" / "train"), run      # nothing lost, nothing twice
    assert json.loads((run / "results.json").read_text())["final_returns"] == res["final_returns"], run


def train_cli(run_dir, *extra, crash=None):
    "`python -m diamond.train` (through tests/killable_train.py: `crash`, POINT:EPOCH, kills it with SIGKILL at that fault point)."
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    args = ["--run-dir", str(run_dir), "--no-progress", *extra]
    return subprocess.run([sys.executable, str(KILLABLE), crash or "-", *args], env=env, capture_output=True, text=True, timeout=600)


def smoke_args(seed=3):
    return ["--profile", "tiny", "--seed", str(seed), "--game", "Breakout"] + [f"--set={k}={json.dumps(v)}" for k, v in SMOKE_OVERRIDES.items()]


#: Every fault point of chapter 17 in the order a run meets them (`bash scripts/test.sh --full`), and the test command's
#: cheaper twin: one kill in each state the disk can be left in (no checkpoint yet, mid-collection, an epoch collected
#: but not saved, a half-written checkpoint, a checkpoint mid-swap, an epoch saved without its metrics line). The two
#: left out are the same states at a later epoch.
ALL_POINTS = ("first:0", "collect:1", "train:denoiser:2", "checkpoint-write:2", "collect:3", "train:actor_critic:3",
              "checkpoint-swap:3", "metrics:3")
TWIN_POINTS = tuple(p for p in ALL_POINTS if p not in ("collect:3", "train:actor_critic:3"))


@pytest.mark.parametrize("points", [TWIN_POINTS, pytest.param(ALL_POINTS, marks=pytest.mark.slow)], ids=["twin", "all"])
def test_resume_after_sigkill_at_many_points_gives_the_uninterrupted_run(baseline, tmp_path, points):
    folder, res = baseline
    run = tmp_path / "killed"
    p = train_cli(run, *smoke_args(), crash=points[0])
    assert p.returncode == -9, p.stderr[-2000:]
    for point in points[1:]:
        p = train_cli(run, "--resume", crash=point)
        assert p.returncode == -9, (point, p.stdout[-1000:], p.stderr[-2000:])
    p = train_cli(run, "--resume")
    assert p.returncode == 0, p.stderr[-2000:]
    assert_same_run(run, baseline)
    starts = json.loads((run / "provenance.json").read_text())       # every start and resume of it, with its command
    assert len(starts) == len(points) + 1 and [s["resumed"] for s in starts] == [False] + [True] * len(points)
    assert all("--run-dir" in s["command"] for s in starts)
    again = train_cli(run, "--resume")                                                  # finished: not run again
    assert again.returncode == 0 and "nothing to do" in again.stdout
    assert strip_times(RunFolder(run).read_metrics()) == strip_times(RunFolder(folder).read_metrics())


@pytest.mark.parametrize("n_kills", [3, pytest.param(20, marks=pytest.mark.slow)])   # 3: the test command's cheaper twin
def test_sigkills_at_random_moments_then_resume_give_the_uninterrupted_run(baseline, tmp_path, n_kills):
    "SIGKILL from outside at `n_kills` seeded random moments (mid-write, mid-update, mid-start: wherever the run is), a resume after each (20: `bash scripts/test.sh --full`)."
    # a moment is the process's start plus a random point in one of `n_kills` equal parts of the uninterrupted run's wall time
    _, res = baseline
    rng, env = np.random.default_rng(n_kills), {**os.environ, "PYTHONPATH": str(ROOT)}
    t0 = time.time(); subprocess.run([sys.executable, "-c", "import diamond.train"], env=env, check=True)
    start = time.time() - t0                                              # a process's start (imports) on this machine
    slots = rng.permutation(n_kills)           # try k falls in the slots[k % n_kills]-th of n_kills equal parts of a run's length: all along it
    runs, kills, landed = [tmp_path / "r0"], 0, []
    for attempt in range(50 * n_kills):
        run = runs[-1]
        args = ["--resume"] if (run / "config.json").exists() else smoke_args()
        p = subprocess.Popen([sys.executable, "-m", "diamond.train", "--run-dir", str(run), "--no-progress", *args],
                             env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if kills == n_kills:                                              # the last resume runs to the end
            assert p.wait(timeout=600) == 0, p.stderr.read()[-2000:]
            break
        try:
            code = p.wait(timeout=start + (slots[attempt % n_kills] + float(rng.uniform())) / n_kills * res["wall_s"])
            assert code == 0, p.stderr.read()[-2000:]                     # finished before its moment: start another
            runs.append(tmp_path / f"r{len(runs)}")
        except subprocess.TimeoutExpired:
            p.kill(); p.wait(); kills += 1
            try: landed.append(torch.load(RunFolder(run).checkpoint, weights_only=True)["epoch"])   # the epoch it had finished
            except Exception: landed.append(None)                                                 # none yet (or mid-swap)
        p.stderr.close()
    assert kills == n_kills, f"{kills} kills in {attempt + 1} tries: the runs ended before their moments"
    for run in runs: assert_same_run(run, baseline)
    # the kills fell all along the run, not only at its start: after 1 (3 kills), 2 (6) or 3 (20 kills) different epochs
    # (resumes from the last epoch often take several, as its final test games outlast their moments)
    assert len({e for e in landed if e is not None}) >= min(3, n_kills // 3), landed


def test_damaged_latest_checkpoint_falls_back_to_the_backup(tmp_path):
    rf = RunFolder(tmp_path); rf.checkpoint.parent.mkdir(parents=True)
    rf.write_checkpoint({"epoch": 4}, 4); rf.write_checkpoint({"epoch": 5}, 5)
    rf.checkpoint.write_bytes(b"not a checkpoint")
    with pytest.warns(UserWarning, match="backup"):
        assert rf.read_checkpoint()["epoch"] == 4
    rf.backup.write_bytes(b"neither")
    with pytest.warns(UserWarning), pytest.raises(RunError, match="damaged"):
        rf.read_checkpoint()


def listing(path):
    return sorted((str(p.relative_to(path)), p.stat().st_size, p.stat().st_mtime_ns) for p in path.rglob("*")) if path.exists() else None


@pytest.mark.parametrize("args, message", [
    (["--game", "Breakoutt", "--profile", "tiny"], "unknown game"),
    (["--profile", "huge"], "profile"),
    (["--profile", "tiny", "--set", "training.num_steps_total=-100"], "num_steps_total"),
    (["--profile", "tiny", "--set", "training.first_epoch_min_steps=-1"], "first_epoch_min_steps"),
])
def test_bad_arguments_write_nothing(tmp_path, refused, args, message):
    err = refused(train_main, "--run-dir", tmp_path / "new", *args)
    assert message in err, err
    assert not (tmp_path / "new").exists()


def test_a_folder_of_another_run_is_refused_untouched(tmp_path, refused):
    run = tmp_path / "run"
    save_config(smoke_config(seed=3), run / "config.json")
    (run / "dataset" / "train").mkdir(parents=True)
    before = listing(run)
    err = refused(train_main, "--run-dir", run, "--resume", *smoke_args(seed=4))       # another seed
    assert "another config" in err and "seed" in err
    assert "already holds a run" in refused(train_main, "--run-dir", run, *smoke_args(seed=3))   # not a resume: refuses to overwrite
    assert listing(run) == before
    (tmp_path / "junk").mkdir(); (tmp_path / "junk" / "notes.txt").write_text("mine")
    with pytest.raises(RunError, match="not empty"): AgentTrainer(smoke_config(), tmp_path / "junk")
    assert listing(tmp_path / "junk") is not None and (tmp_path / "junk" / "notes.txt").read_text() == "mine"


def test_finished_run_is_not_rerun(baseline):
    folder, _ = baseline
    with pytest.raises(RunFinished): AgentTrainer(smoke_config(seed=3), folder, resume=True)


@pytest.mark.parametrize("key, value", [("training.final_eval_episodes", 0), ("training.eval_episodes", 0),
                                        ("training.num_steps_total", 0), ("training.epsilon", 1.5)])
def test_training_config_refuses_what_cannot_run(key, value):
    with pytest.raises(ConfigError, match=key.split(".")[1]):
        make_config("tiny", {key: value})
