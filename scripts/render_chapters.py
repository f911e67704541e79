"""Execute the lesson chapters and keep their outputs in `nbs/`, small, so that a reader sees each chapter's results before
running it (on the web, or on opening it).

    .venv/bin/python scripts/render_chapters.py                 # every lesson chapter (01-17 with 11a, 20-22), one at a time
    .venv/bin/python scripts/render_chapters.py 07_world_model  # some of them

Each chapter runs as `nbdev-test` runs it (its `tiny` defaults, `IN_TEST=1`: nothing is written outside temporary folders;
cells flagged `#| slow` or `#| gpu` are skipped and keep no output). Then outputs are made small: progress bars, widgets
(and their state) and stderr are dropped, long text keeps its first and last lines, images are scaled to at most MAX_WIDTH pixels. Sources
are never changed; run `nbdev-clean` afterwards (the script does) and commit the notebooks.

Each chapter's wall time is kept in docs/chapter_times.json with the processor it ran on (the website's reading order
quotes it): run on a quiet machine, one chapter at a time, so that the times are a reader's."""
import base64
import io
import json
import platform
import time
import os
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
NBS = ROOT / "nbs"
LESSONS = [p.stem for p in sorted(NBS.glob("[012][0-9]*_*.ipynb")) if p.stem[:2] <= "17" or p.stem[:2] >= "20"]
TIMES = ROOT / "docs" / "chapter_times.json"
SKIP_FLAGS = ("slow", "gpu")          # the flags nbdev-test skips (pyproject.toml: tst_flags)
MAX_WIDTH, MAX_LINES, MAX_IMAGES = 720, 40, 6
DROP = ("application/vnd.jupyter.widget-view+json", "application/vnd.jupyter.widget-state+json")


def skipped(cell) -> bool:
    first = [l.strip() for l in cell.source.splitlines() if l.strip().startswith("#|")]
    return any(l.replace("#|", "").strip() in SKIP_FLAGS for l in first)


def small_png(b64: str) -> str:
    im = Image.open(io.BytesIO(base64.b64decode(b64)))
    if im.width > MAX_WIDTH: im = im.resize((MAX_WIDTH, round(im.height * MAX_WIDTH / im.width)), Image.LANCZOS)
    buf = io.BytesIO(); im.convert("RGB").quantize(colors=128).save(buf, format="PNG", optimize=True)
    return base64.b64encode(buf.getvalue()).decode()


def short(text: str) -> str:
    lines = text.splitlines(keepends=True)
    if len(lines) <= MAX_LINES: return text
    half = MAX_LINES // 2
    return "".join(lines[:half]) + f"... ({len(lines) - MAX_LINES} lines cut)\n" + "".join(lines[-half:])


def shrink(outputs: list) -> list:
    kept, images = [], 0
    for o in outputs:
        if o.output_type == "stream":
            if o.name == "stderr": continue                                  # progress bars, warnings of the run
            o.text = short(o.text)
        elif o.output_type in ("display_data", "execute_result"):
            data = {k: v for k, v in o.data.items() if k not in DROP}
            if not data or set(data) == {"text/plain"} and o.output_type == "display_data" and "Output(" in str(data["text/plain"]): continue
            if "image/png" in data:
                if images == MAX_IMAGES: continue
                data["image/png"] = small_png(data["image/png"]); images += 1
                data.pop("text/plain", None)                                 # "<Figure size ...>"
            elif "text/plain" in data: data["text/plain"] = short(data["text/plain"])
            o.data = data; o.metadata = {}
        elif o.output_type == "error": raise RuntimeError("a chapter failed while rendering")
        kept.append(o)
    return kept


def render(name: str) -> tuple[str, int, float]:
    path = NBS / f"{name}.ipynb"
    t0 = time.time()
    nb = nbformat.read(path, as_version=4)
    sources = [c.source for c in nb.cells]
    for c in nb.cells:
        if c.cell_type == "code" and skipped(c): c.source = "pass"        # not run, as in nbdev-test
    NotebookClient(nb, timeout=3600, kernel_name="python3", resources={"metadata": {"path": str(NBS)}},
                   extra_arguments=["--IPKernelApp.log_level=CRITICAL"]).execute()
    seconds = time.time() - t0
    nb.metadata.pop("widgets", None)                                          # the progress bars' widget state
    for c, s in zip(nb.cells, sources):
        c.source = s
        if c.cell_type == "code":
            c.outputs = [] if skipped(c) else shrink(c.outputs)
    nbformat.write(nb, path)
    return name, path.stat().st_size, seconds


def processor() -> str:
    "The CPU's name and whether it multiplies bfloat16 in hardware (chapter 14), as the times depend on both."
    import torch

    from diamond.compute import native_bfloat16

    name = torch.cpu.get_capabilities().get("cpu_name") or platform.processor() or platform.machine()
    return f"{os.cpu_count()} cores of an {name}, {'with' if native_bfloat16('cpu') else 'without'} bfloat16 instructions"


def main(names: list[str]) -> int:
    names = names or LESSONS
    unknown = [n for n in names if not (NBS / f"{n}.ipynb").exists()]
    if unknown: print(f"error: no chapter {', '.join(unknown)} in {NBS}", file=sys.stderr); return 2
    os.environ["IN_TEST"] = "1"
    os.environ.setdefault("DIAMOND_TEST_THREADS", str(os.cpu_count()))        # one chapter at a time: every core, as a reader has
    times = json.loads(TIMES.read_text()) if TIMES.exists() else {"chapters": {}}
    if times.get("processor") not in (None, processor()):
        times = {"chapters": {}}                                              # times from another machine: start over
    times["processor"] = processor()
    with ProcessPoolExecutor(1) as pool:
        for name, size, seconds in pool.map(render, names):
            print(f"{name}: {size / 1e3:.0f} kB, {seconds:.0f} s")
            times["chapters"][name] = round(seconds, 1)
            times["chapters"] = dict(sorted(times["chapters"].items()))
            TIMES.write_text(json.dumps(times, indent=1) + "\n")
    subprocess.run([str(Path(sys.executable).parent / "nbdev-clean")], cwd=ROOT, check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
