# A policy with the trained agent's action frequencies but blind to the screen: does 3.9 come from looking?
import sys, tempfile, numpy as np
from diamond.agent import play_test_games, mean_interval
from diamond.data import EpisodeDataset
p = np.array([float(x) for x in sys.argv[1].split(",")]); p /= p.sum()
class Blind:
    def __init__(self, seed): self.rng = np.random.default_rng(seed)
    def __call__(self, obs, info=None): return int(self.rng.choice(len(p), p=p))
with tempfile.TemporaryDirectory() as d:
    r = play_test_games("Breakout", lambda env: Blind(int(sys.argv[2])), EpisodeDataset(d), 40, int(sys.argv[2]), progress=False)
print(sys.argv[1], "mean", r["return_mean"], "ci", mean_interval(r["returns"]), "steps", r["steps"])
