import sys, json, torch, numpy as np
from diamond.checkpoints import load_agent
from diamond.data import EpisodeDataset
from diamond.probe import dream_chunk_outcomes, real_chunk_outcomes, constant_policy
from diamond.runs import mean_sem
torch.set_num_threads(2)
run, sd = sys.argv[1], sys.argv[2]; real_chunks = int(sys.argv[3]) if len(sys.argv) > 3 else 100
agent, cfg = load_agent(run); agent.eval()
if sd != "-": agent.rew_end_model.load_state_dict(torch.load(sd)); agent.rew_end_model.eval()
ds = EpisodeDataset(f"{run}/dataset/train")
f = lambda x: "%.3f±%.3f" % mean_sem(x)
for k in (None, 0, 1, 2, 3):
    d_rew, d_end = dream_chunk_outcomes(constant_policy(agent.actor_critic, k), agent.denoiser, agent.rew_end_model, ds, cfg, 64, 2, 0)
    out = real_chunk_outcomes(cfg.game, k, real_chunks, 15, 0, 60, agent.rew_end_model) if real_chunks else {}
    print(k, "dream rew", f(d_rew), "ends", f(d_end), *(f"{key} {f(v)}" for key, v in out.items()), flush=True)
