"""Is serving all that a failed seed lacks? Whole test games (the paper's protocol, the kit's `play_test_games`) played
by each agent and by a uniform-random player as they are, and again with FIRE pressed for them whenever the ball has
waited four frames (no ball on this frame nor the three before, read by chapter 07's object reader; the policy still
sees every frame, so its memory runs as usual). All players meet the same games (one seed). If a policy that stopped
serving scores well above the random player once the ball is served for it, it had learnt to play and lacked only the
serve, which its dream never shows (`serve_dream_check.py`). Run from the repository root:

    .venv/bin/python figures/lab/agent-breakout-ac125-den25-ent5/auto_serve_check.py --episodes 40 --seed 1000 \\
        --out OUT.json "LABEL=CHECKPOINT_OR_RUN_FOLDER" ...

LABEL=shipped plays the kit's shipped agent; LABEL=shipped:FILE an actor-critic kept the same way
(`checkpoints.save_shipped_agent`), e.g. seed1/actor_critic.pt.
"""

import argparse
import json
import tempfile
from collections import deque

import numpy as np
import torch

from diamond.actor_critic import AgentPolicy
from diamond.agent import mean_interval, play_test_games
from diamond.atari import make_policy
from diamond.checkpoints import load_agent, load_shipped_agent
from diamond.data import EpisodeDataset, frames_to_chw
from diamond.world_model import breakout_objects

FIRE = 1


class AutoServe:
    "Wraps a policy: FIRE whenever no ball has been seen on this frame and the three before, the policy's choice else."

    def __init__(self, inner):
        self.inner, self.seen, self.serves = inner, deque(maxlen=4), 0

    def reset(self):
        if hasattr(self.inner, "reset"):
            self.inner.reset()
        self.seen.clear()

    def __call__(self, obs, info=None) -> int:
        action = int(self.inner(obs, info))  # called every step, so the policy's memory sees every frame
        self.seen.append(bool(breakout_objects(frames_to_chw(obs)[None])["ball_present"][0]))
        if len(self.seen) == 4 and not any(self.seen):
            self.serves += 1
            return FIRE
        return action


def play(game: str, make, episodes: int, seed: int) -> dict:
    "Test games of the policy `make(env)` builds: returns, mean, 95% interval, FIRE share, presses made for it."
    made = {}

    def policy_for(env):
        made["p"] = make(env)
        return made["p"]

    with tempfile.TemporaryDirectory() as tmp:
        ds = EpisodeDataset(tmp)
        r = play_test_games(game, policy_for, ds, episodes, seed, progress=False)
        acts = np.concatenate([ds[i].act for i in ds.ids])
    lo, hi = mean_interval(r["returns"])
    p = made["p"]
    return {
        "return_mean": round(r["return_mean"], 3),
        "interval_95": [round(lo, 3), round(hi, 3)],
        "games": r["episodes"],
        "steps": r["steps"],
        "fire_share": round(float((acts == FIRE).mean()), 4),
        "serves_pressed_for_it": p.serves if isinstance(p, AutoServe) else 0,
        "returns": r["returns"],
    }


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--episodes", type=int, default=40)
    p.add_argument("--seed", type=int, default=1000)
    p.add_argument("--out", help="write the results as JSON here")
    p.add_argument("agents", nargs="+", help="LABEL=CHECKPOINT_OR_RUN_FOLDER, shipped or shipped:FILE")
    args = p.parse_args()
    torch.set_num_threads(2)
    players, game = {}, "Breakout"
    for spec in args.agents:
        label, _, path = spec.partition("=")
        if path.startswith("shipped:"):
            agent, cfg = load_shipped_agent(path=path.removeprefix("shipped:"))
        else:
            agent, cfg = load_agent(None if path in ("", "shipped") else path)
        assert cfg.game == game, f"{label} plays {cfg.game}"
        ac = agent.actor_critic.eval()
        players[label] = lambda env, ac=ac: AgentPolicy(ac, epsilon=0.0, seed=args.seed)
    players["random player"] = lambda env: make_policy("random", env, game, args.seed)
    results = {"game": game, "episodes": args.episodes, "seed": args.seed}
    for label, make in players.items():
        for served, build in (("as it plays", make), ("FIRE pressed for it", lambda env, m=make: AutoServe(m(env)))):
            r = play(game, build, args.episodes, args.seed)
            results[f"{label}, {served}"] = r
            print(
                f"{label}, {served}: {r['return_mean']:.2f} ({r['interval_95'][0]:.2f}-{r['interval_95'][1]:.2f}) "
                f"over {r['games']} games, {r['steps']} steps, FIRE {r['fire_share']:.3f}, "
                f"pressed for it {r['serves_pressed_for_it']}",
                flush=True,
            )
    if args.out:
        with open(args.out, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
