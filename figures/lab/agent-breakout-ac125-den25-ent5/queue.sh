#!/usr/bin/env bash
# The second lever's seeds one after another (seed 1, then 2, then 0), each started or resumed: run from the
# repository root, in the background, e.g. `nohup bash figures/lab/agent-breakout-ac125-den25-ent5/queue.sh &`.
# A finished seed (its run folder holds run_is_over) is skipped; a stopped one resumes.
set -u
cd "$(dirname "$0")/../../.."
for seed in 1 2 0; do
  dir=runs/agent-breakout-ac125-den25-ent5/seed$seed
  if [ -e "$dir/run_is_over" ]; then continue; fi
  if [ -e "$dir/config.json" ]; then
    .venv/bin/diamond train --run-dir "$dir" --resume --no-progress >> "$dir.log" 2>&1 || exit 1
  else
    mkdir -p "$(dirname "$dir")"
    .venv/bin/diamond train --profile small-agent-pretrained --game Breakout --seed "$seed" \
      --set denoiser_optim.steps_per_epoch=25 actor_critic_optim.steps_per_epoch=125 \
            actor_critic_loss.weight_entropy_loss=0.005 \
      --run-dir "$dir" --no-progress >> "$dir.log" 2>&1 || exit 1
  fi
done
