"""Does the reward/end model read an end off a still frame, and does teaching it otherwise give the dream ends that tell
good play from bad? With `rew_end.final_obs_at_end=false` the model is trained, at every end step, on the frame before
repeated as the next frame: a transition where nothing moves. Measured on a finished run: (1) its reward/end model's
end probability at ordinary steps with the true next frame and with the current frame repeated, and at real end
steps; (2) the same after fine-tuning it on the run's episodes (the run's optimiser settings, fresh AdamW) for
`--updates` updates as the run does (control) or with "still negatives": a share `--share` of the real non-end steps of
each training window get the current frame repeated as their next frame, labelled "no end", reward loss left out
there; (3) for each reward/end model, the dream's reward and ends per 15-step chunk for the shipped agent, the run's
final policy and a uniform-random player, in the run's denoiser from the same windows with the same noise
(`dream_teacher_check.py`). Run from the repository root:

    .venv/bin/python figures/lab/agent-breakout-ac125-den25-ent5/still_negatives_check.py RUN_FOLDER \\
        --updates 300 --share 0.1 --out OUT.json
"""

import argparse
import copy
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).parent))
from dream_teacher_check import chunk_outcomes, sem  # noqa: E402

from diamond.checkpoints import load_agent, load_shipped_agent  # noqa: E402
from diamond.data import EpisodeDataset, SegmentSampler, make_batch  # noqa: E402
from diamond.optim import Trainer  # noqa: E402
from diamond.probe import constant_policy  # noqa: E402
from diamond.reward_end import end_next_frames, rew_end_loss_from_logits, rew_end_sampler  # noqa: E402


def still_loss_fn(model, share: float, seed: int):
    "The run's reward/end loss, with a `share` of each window's real non-end steps given a still next frame."
    gen = torch.Generator().manual_seed(seed)

    def loss(batch):
        obs, act = batch.obs[:, :-1], batch.act[:, :-1]
        nxt = end_next_frames(batch, model.cfg.final_obs_at_end)
        real, end = batch.mask_padding[:, :-1], batch.end[:, :-1].bool()
        pick = (torch.rand(real.shape, generator=gen) < share) & real & ~end
        nxt = torch.where(pick[..., None, None, None], obs, nxt)
        lr, le, _ = model(obs, act, nxt)
        tr, te = batch.rew[:, :-1].sign().long() + 1, batch.end[:, :-1].long()
        keep = real & ~pick  # rewards: not taught from a frame that hides the score
        loss_all, logs = rew_end_loss_from_logits(lr[keep], le[keep], tr[keep], te[keep])
        loss_still = torch.nn.functional.cross_entropy(le[pick], te[pick]) if pick.any() else 0.0 * loss_all
        n_keep, n_pick = int(keep.sum()), int(pick.sum())
        # ends over every real step (kept and still ones alike), rewards over the kept ones
        return loss_all + loss_still * n_pick / max(n_keep + n_pick, 1), logs

    return loss


@torch.no_grad()
def still_signature(model, ds, seq_len, windows=512, seed=0) -> dict:
    "End probability at each window's last real non-end step with the true next frame and the current one repeated."
    model.eval()
    s = SegmentSampler(ds, seq_len, 64, None, can_sample_beyond_end=True, seed=seed)
    true_p, rep_p, end_p = [], [], []
    while len(true_p) < windows:
        b = make_batch(ds, s.sample_windows(), seq_len)
        obs, act = b.obs[:, :-1], b.act[:, :-1]
        nxt = end_next_frames(b, False).clone()
        real, end = b.mask_padding[:, :-1], b.end[:, :-1].bool()
        end_p.append(model(obs, act, nxt)[1].softmax(-1)[..., 1][real & end].numpy())
        ok = real & ~end
        for i in range(len(obs)):
            ks = torch.nonzero(ok[i]).flatten()
            if len(ks) == 0 or (real[i] & end[i]).any() or (nxt[i, ks[-1]] - obs[i, ks[-1]]).abs().max() < 0.05:
                continue  # windows whose last real step moved something, away from an end
            k = int(ks[-1])
            o, a, n = obs[i : i + 1, : k + 1], act[i : i + 1, : k + 1], nxt[i : i + 1, : k + 1].clone()
            true_p.append(model(o, a, n)[1].softmax(-1)[0, k, 1].item())
            n[0, k] = o[0, k]
            rep_p.append(model(o, a, n)[1].softmax(-1)[0, k, 1].item())
    end_p = np.concatenate(end_p)
    return {
        "moving_steps": len(true_p),
        "end_prob_true_next": float(np.mean(true_p)),
        "end_prob_still_next": float(np.mean(rep_p)),
        "still_read_as_end": float(np.mean(np.array(rep_p) > 0.5)),
        "end_steps": len(end_p),
        "end_prob_at_real_ends": float(end_p.mean()),
        "real_ends_found": float((end_p > 0.5).mean()),
    }


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("run", help="a finished kit run folder")
    p.add_argument("--updates", type=int, default=300)
    p.add_argument("--share", type=float, default=0.1)
    p.add_argument("--dreams", type=int, default=128)
    p.add_argument("--out", required=True)
    a = p.parse_args()
    torch.set_num_threads(2)
    agent, cfg = load_agent(a.run)
    shipped, _ = load_shipped_agent()
    ds = EpisodeDataset(Path(a.run) / "dataset" / "train")
    policies = {
        "shipped agent": shipped.actor_critic.eval(),
        "run's final": agent.actor_critic.eval(),
        "uniform": constant_policy(agent.actor_critic, None).eval(),
    }
    rows = []

    def measure(name, model, seconds=None):
        row = {"reward_end": name, "train_seconds": seconds, **still_signature(model, ds, cfg.rew_end.seq_len)}
        for pol_name, pol in policies.items():
            r, e = chunk_outcomes(pol, agent.denoiser, model, ds, cfg, a.dreams, 2, (0, 1))
            row[pol_name] = {
                "reward": float(r.mean()),
                "reward_sem": sem(r),
                "ends": float(e.mean()),
                "ends_sem": sem(e),
            }
        rows.append(row)
        print(json.dumps(row), flush=True)
        Path(a.out).write_text(
            json.dumps({"run": a.run, "updates": a.updates, "share": a.share, "rows": rows}, indent=1)
        )

    measure("run's final", agent.rew_end_model)
    for name, share in (
        ("control: fine-tuned as the run does", 0.0),
        (f"still negatives {a.share:g}", a.share),
    ):
        model = copy.deepcopy(agent.rew_end_model)
        torch.manual_seed(0)
        trainer = Trainer(model, still_loss_fn(model, share, seed=0), cfg.rew_end_optim)
        batches = iter(rew_end_sampler(ds, cfg, seed=0))
        t0 = time.time()
        for _ in range(a.updates):
            trainer.step(next(batches))
        measure(name, model, round(time.time() - t0, 1))


if __name__ == "__main__":
    main()
