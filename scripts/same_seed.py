"""Same seed, same numbers: a run folder's fingerprint, and two fingerprints compared.

A refactor must not change what a seed computes. This reads what a run wrote (its metrics
without the wall-time fields, its results, every episode of its datasets and every tensor
of its agent checkpoint) into one JSON of digests; `compare` names what differs.

    python scripts/same_seed.py fingerprint RUN_DIR [RUN_DIR ...] > before.json
    python scripts/same_seed.py compare before.json after.json     # exit 1 when they differ
"""
import hashlib
import json
import sys
from pathlib import Path


def _digest(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()[:16]


def _no_times(x):
    "The value without wall-time fields (`time/...`, `*_s`, `seconds`), which a faster machine changes."
    if isinstance(x, dict):
        return {k: _no_times(v) for k, v in x.items()
                if not (k.startswith("time/") or k.endswith("_s") or k in ("seconds", "elapsed"))}
    if isinstance(x, list):
        return [_no_times(v) for v in x]
    return x


def fingerprint(run_dir: Path) -> dict:
    import numpy as np
    import torch

    fp = {}
    metrics = run_dir / "metrics.jsonl"
    if metrics.exists():
        for i, line in enumerate(l for l in metrics.read_text().splitlines() if l.strip()):
            fp[f"metrics[{i}]"] = _digest(json.dumps(_no_times(json.loads(line)), sort_keys=True).encode())
    if (run_dir / "results.json").exists():
        res = _no_times(json.loads((run_dir / "results.json").read_text()))
        fp["results"] = _digest(json.dumps(res, sort_keys=True).encode())
    for ep in sorted((run_dir / "dataset").rglob("*.npz")):
        with np.load(ep) as z:
            fp[f"dataset/{ep.relative_to(run_dir / 'dataset')}"] = _digest(
                b"".join(k.encode() + z[k].tobytes() for k in sorted(z.files)))
    agent = run_dir / "checkpoints" / "agent.pt"
    if agent.exists():
        sd = torch.load(agent, map_location="cpu", weights_only=True)
        fp["agent.pt"] = _digest(b"".join(k.encode() + v.float().numpy().tobytes() for k, v in sorted(sd.items())))
    if not fp:
        raise SystemExit(f"error: {run_dir} holds no run (no metrics.jsonl, results.json, dataset or agent.pt)")
    return fp


def main(argv: list[str]) -> int:
    if len(argv) >= 2 and argv[0] == "fingerprint":
        print(json.dumps({str(Path(d).name): fingerprint(Path(d)) for d in argv[1:]}, indent=1, sort_keys=True))
        return 0
    if len(argv) == 3 and argv[0] == "compare":
        a, b = (json.loads(Path(p).read_text()) for p in argv[1:])
        diff = [f"{run}/{k}" for run in sorted(set(a) | set(b))
                for k in sorted(set(a.get(run, {})) | set(b.get(run, {}))) if a.get(run, {}).get(k) != b.get(run, {}).get(k)]
        n = sum(len(v) for v in a.values())
        print(f"{n} digests over {len(a)} runs; {len(diff)} differ" + (": " + ", ".join(diff[:20]) if diff else ""))
        return 1 if diff else 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
