#!/usr/bin/env bash
# Does the loop's fine-tuning wear the catch down? replay_catch.py on the world model kept after each epoch N of seed 1
# (checkpoints/agent_epoch<N>.pt, epoch 0 = the shipped world model), on the same two recordings every time: the
# scripted expert's play (seed 5, as in README.md) and the run's own data after its last epoch; one JSON per reading in
# replay_epochs/. Usage, from the repository root, after the run: bash THIS_FILE [EPOCH ...] (default 0 2 4 ... 20).
set -euo pipefail
here=figures/lab/agent-breakout-ac125-den100-ballstarts
run=runs/agent-breakout-ac125-den100-ballstarts/seed1
expert=${EXPERT:-/tmp/expert5}   # .venv/bin/diamond collect --game Breakout --policy expert --steps 3000 --out /tmp/expert5 --seed 5
epochs=("$@")
[ ${#epochs[@]} -gt 0 ] || epochs=(0 2 4 6 8 10 12 14 16 18 20)
mkdir -p $here/replay_epochs
for e in "${epochs[@]}"; do
  ck=$run/checkpoints/agent_epoch$e.pt
  for data in expert own; do
    out=$here/replay_epochs/epoch${e}_$data.json
    [ -e "$out" ] && continue
    ds=$expert
    [ $data = own ] && ds=$run/dataset/train
    .venv/bin/python $here/replay_catch.py $ck --config $run/config.json --dataset $ds --lead 4 \
      --label "seed 1's world model after epoch $e, on $data play, lead 4" --out "$out" | tail -1
  done
done
