# ad hoc: fine-tune the run's reward/end model with the end position's next frame = the last frame repeated (no final frame with the lives counter)
import sys, copy, time, json, torch
from diamond.checkpoints import load_agent
from diamond.data import EpisodeDataset
from diamond.reward_end import rew_end_loss_fn, rew_end_sampler
from diamond.optim import Trainer
torch.set_num_threads(2)
run, mode, n_up, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
agent, cfg = load_agent(run)
m = copy.deepcopy(agent.rew_end_model).train()
ds = EpisodeDataset(f"{run}/dataset/train")
def batches():
    for b in rew_end_sampler(ds, cfg, seed=1):
        if mode == "repeat":
            bi, ti = torch.nonzero(b.end, as_tuple=True)
            for i, t in zip(bi.tolist(), ti.tolist()):
                if t + 1 < b.obs.shape[1]: b.obs[i, t + 1] = b.obs[i, t]
        yield b
tr = Trainer(m, rew_end_loss_fn(m), cfg.rew_end_optim, total_steps=n_up); it = batches(); t0 = time.time()
for n in range(1, n_up + 1):
    logs = tr.step(next(it))
    if n % 50 == 0: print(n, round(time.time() - t0), {k: round(float(v), 4) for k, v in logs.items() if getattr(v, "numel", lambda: 1)() == 1 and not isinstance(v, (list, dict))}, flush=True)
torch.save(m.state_dict(), out)
