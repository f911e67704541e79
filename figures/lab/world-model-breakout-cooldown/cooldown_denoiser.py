"""Does the shipped Breakout world model draw the catch more often if its training goes on with a cooldown of its own?
Its record stopped while the ball metrics were still rising (learning rate cooling to 0 over its last 4,000 of 11,500
updates); continuations at a constant 1e-4 moved the replayed catch up and down (see
`../agent-breakout-ac125-den100-ballstarts/README.md`). This one trains the denoiser of an agent checkpoint (the shipped
world model: any `small-agent-pretrained` run's `agent_epoch0.pt`) `--updates` more updates on recorded play, the
learning rate warming up over 100 updates to `--lr` and falling linearly to 0 over the last `--cooldown` updates (every
window of the recording alike, unless `--sample-weights` says otherwise), with
the kit's checkpoint engine (`diamond.runs.train_phase`: a kill loses at most `--checkpoint-every` updates; run the same
command again to go on). Every `--eval-every` updates it saves the agent (`checkpoints/agent_step<N>.pt`) and reads
chapter 07's object metrics on held-out play (`--held-out`, 3 network steps a frame as the world model's own training
checks) into `metrics.jsonl`. At the end it writes `checkpoints/world_model.pt` as chapter 99 does, so that an agent's
run can start from it (`diamond train ... --set training.init_world_model=RUN_FOLDER`). Run from the repository root:

    .venv/bin/python figures/lab/world-model-breakout-cooldown/cooldown_denoiser.py CHECKPOINT --config C \\
        --dataset TRAIN --held-out TEST --updates 4000 --lr 1e-4 --cooldown 4000 --out RUN_FOLDER
"""

import argparse
import dataclasses
import json
from pathlib import Path

import torch

from diamond.checkpoints import load_agent, save_official
from diamond.config import config_to_dict
from diamond.data import EpisodeDataset
from diamond.optim import Trainer, save_state
from diamond.runs import derived_seed, train_phase
from diamond.world_model import dream_objects, denoiser_loss_fn, denoiser_sampler

p = argparse.ArgumentParser()
p.add_argument("checkpoint")
p.add_argument("--config", required=True)
p.add_argument("--dataset", required=True, help="episodes to train on")
p.add_argument("--held-out", required=True, help="episodes the object metrics are read on")
p.add_argument("--updates", type=int, default=4000)
p.add_argument("--lr", type=float, default=1e-4)
p.add_argument("--cooldown", type=int, default=4000, help="updates over which the learning rate falls to 0")
p.add_argument(
    "--sample-weights",
    type=float,
    nargs="+",
    default=[1.0],
    help="chapter 06's recency weights over the training episodes (default 1: every window alike, as for a fixed "
    "recording; the agent's loop uses 0.1 0.1 0.1 0.7)",
)
p.add_argument("--eval-every", type=int, default=1000)
p.add_argument("--eval-starts", type=int, default=256)
p.add_argument("--checkpoint-every", type=int, default=250)
p.add_argument("--seed", type=int, default=0)
p.add_argument("--out", required=True)
a = p.parse_args()
if a.cooldown > a.updates or a.eval_every <= 0 or a.updates % a.eval_every:
    raise SystemExit("error: --cooldown at most --updates, and --updates a multiple of --eval-every")
out = Path(a.out)
args_file = out / "args.json"
args = vars(a)
if out.exists() and any(out.iterdir()):
    if not args_file.exists() or json.loads(args_file.read_text()) != args:
        raise SystemExit(f"error: {out} holds something else than this continuation: give a new folder")
    print(f"resuming in {out}")
else:
    (out / "checkpoints").mkdir(parents=True, exist_ok=True)
    args_file.write_text(json.dumps(args, indent=1))

agent, cfg = load_agent(a.checkpoint, config=a.config)
cfg.denoiser_optim = dataclasses.replace(
    cfg.denoiser_optim,
    lr=a.lr,
    lr_cooldown_steps=a.cooldown,
    sample_weights=list(a.sample_weights),
    steps_first_epoch=a.updates,  # one training of known length, as chapter 99's (a cooldown must fit in it)
)
(out / "config.json").write_text(json.dumps(config_to_dict(cfg), indent=1))
train, test = EpisodeDataset(a.dataset), EpisodeDataset(a.held_out)
sampler3 = dataclasses.replace(cfg.sampler, num_steps_denoising=3)
den = agent.denoiser
torch.manual_seed(a.seed)
tr = Trainer(den, denoiser_loss_fn(den), cfg.denoiser_optim, total_steps=a.updates)


def on_eval(step: int) -> dict:
    "Save the agent at this step; chapter 07's object metrics of 15-step dreams on the held-out play."
    save_official(agent, out / "checkpoints" / f"agent_step{step}.pt")
    den.eval()
    m, _, _ = dream_objects(den, test, sampler3, a.eval_starts, 15, seed=derived_seed(a.seed, 5))
    den.train()
    return {k: v for k, v in m.items() if not isinstance(v, list)}


if not (out / "checkpoints" / "agent_step0.pt").exists():
    line = {"model": "denoiser", "step": 0, **on_eval(0)}
    with open(out / "metrics.jsonl", "a") as f:
        f.write(json.dumps(line) + "\n")
run = train_phase(
    out,
    "denoiser",
    tr,
    lambda s: denoiser_sampler(train, cfg, seed=derived_seed(a.seed, 4, s)),
    a.updates,
    a.checkpoint_every,
    a.eval_every,
    on_eval,
)
save_official(agent, out / "checkpoints" / "agent.pt")
# the world model as chapter 99 saves one, so that an agent's run can start from it:
# diamond train ... --set training.init_world_model=<this folder>
wm = {"denoiser": den.state_dict(), "rew_end": agent.rew_end_model.state_dict(), "config": config_to_dict(cfg)}
save_state(wm, out / "checkpoints" / "world_model.pt")
print(json.dumps(run))
