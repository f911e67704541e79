"""`python -m diamond.train` with a fault hook that kills the process with SIGKILL at one named point of the run.

    python tests/killable_train.py POINT:EPOCH [diamond.train arguments]

POINT is one of the fault points of chapter 17 (first, collect, train:denoiser, train:rew_end, train:actor_critic,
checkpoint-write, checkpoint-swap, metrics); `-` runs without a fault."""
import os
import signal
import sys

from diamond.train import main


def fault_at(target: str):
    def fault(point: str, epoch: int) -> None:
        if f"{point}:{epoch}" == target: os.kill(os.getpid(), signal.SIGKILL)
    return fault


if __name__ == "__main__":
    sys.exit(main(sys.argv[2:], fault=fault_at(sys.argv[1])))
