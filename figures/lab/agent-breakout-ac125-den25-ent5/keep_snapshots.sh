#!/usr/bin/env bash
# Keep a copy of a running agent run's checkpoints/agent.pt after every epoch, as RUN-snapshots/epochN.pt (N: the
# epochs in its metrics.jsonl, 0 = the random steps); start it after the run has written its folder. Usage: keep_snapshots.sh RUN
R=$1; S=$R-snapshots; mkdir -p $S; last=""
while true; do
  f=$R/checkpoints/agent.pt
  if [ -f $f ]; then
    m=$(stat -c %Y $f)
    if [ "$m" != "$last" ]; then
      sleep 20; n=$(($(wc -l < $R/metrics.jsonl) - 1)); cp $f $S/epoch$n.pt; last=$m
      echo "$(date +%T) epoch $n saved"
    fi
  fi
  [ -f $R/run_is_over ] && break
  sleep 30
done
