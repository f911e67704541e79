"""Is the dream's missing serve a blur? One step of one Euler denoising step from sigma_max is close to the mean of what
may come next; a ball served at one of four places would then be four faint balls, each below the object reader's
threshold (20 levels of red excess a pixel). This reads the red excess with no threshold in the open rows of the frame
dreamt after FIRE from up to 64 windows where the ball waits (`serve_dream_check.waiting_windows`), at 1, 3 and 10
denoising steps, beside the real frame after each FIRE that served (`serve_dream_check.serve_presses`, 15 steps left
in the life). Run from the repository root:

    .venv/bin/python figures/lab/agent-breakout-ac125-den25-ent5/serve_blur_check.py RUN_FOLDER/dataset/train \\
        "LABEL=CHECKPOINT_OR_RUN_FOLDER[@CONFIG]" ...
"""

import sys
from pathlib import Path
from dataclasses import replace
import numpy as np, torch

sys.path.insert(0, str(Path(__file__).parent))
from serve_dream_check import waiting_windows, serve_presses, FIRE
from diamond.checkpoints import load_agent
from diamond.data import EpisodeDataset, frames_to_float
from diamond.sampler import generate_next_obs
from diamond.world_model import _red_excess, BREAKOUT_OPEN_ROWS, BREAKOUT_COLS

torch.set_num_threads(2)
ds = EpisodeDataset(sys.argv[1])


def region(frames):  # (n,3,64,64) float [-1,1] -> red excess (n, rows, cols), no threshold, clipped at 0
    r = _red_excess(frames, -1e9)
    return np.clip(r[:, BREAKOUT_OPEN_ROWS][:, :, BREAKOUT_COLS], 0, None)


real = [  # the frame after each serve
    frames_to_float(torch.from_numpy(ep.obs[t + 1])) for _, ep, _, t in serve_presses(ds) if t + 15 < len(ep.obs)
][:128]
rr = region(torch.stack(real))


def show(name, r):
    m = r.mean(0)
    mx = r.max((1, 2))
    row, col = BREAKOUT_OPEN_ROWS[m.argmax() // m.shape[1]], BREAKOUT_COLS[m.argmax() % m.shape[1]]
    print(
        f"{name}: n {len(r)}; per-frame max red excess: median {np.median(mx):.1f}, p90 {np.percentile(mx, 90):.1f}; "
        f"mean map max {m.max():.1f} at row {row} col {col}; "
        f"mass per frame (sum) median {np.median(r.sum((1, 2))):.1f}"
    )
    prof = m.sum(0)
    top = np.argsort(prof)[-6:][::-1]
    print("   columns with most mean red:", [(int(BREAKOUT_COLS[c]), round(float(prof[c]), 1)) for c in top])


show("real frame after a FIRE that served", rr)
obs, act, total = waiting_windows(ds, 64)
show("last context frame", region(obs[:, -1]))
for spec in sys.argv[2:]:
    label, rest = spec.split("=", 1)
    path, _, config = rest.partition("@")
    agent, cfg = load_agent(path, config=config or None)
    for steps in (1, 3, 10):
        c = replace(cfg.sampler, num_steps_denoising=steps)
        a = act.clone()
        a[:, -1] = FIRE
        g = torch.Generator().manual_seed(0)
        with torch.no_grad():
            nxt = generate_next_obs(agent.denoiser.eval(), obs, a, c, g).float()
        show(f"{label}, {steps} steps, after FIRE", region(nxt))
