"""Build the kit's website from the committed chapters and their saved outputs, without executing them.

    bash scripts/docs.sh                  # into _docs/ (open _docs/index.html, or:)
    bash scripts/docs.sh --serve          # build, then serve it on http://127.0.0.1:8000
    bash scripts/docs.sh --out DIR        # somewhere else (the browser test builds into a temporary folder)

The pages come from `nbs/*.ipynb` (every chapter, in the order of `SECTIONS`), `docs/*.md` (Start, Course, Results)
and the pictures in `figures/`. They are staged into a temporary folder, where each chapter is given the API of the
module it exports and loses what only nbdev reads (`#|` directives, `#| hide` cells); an exercise's solution cell
(tag `solution`) is folded. Nothing is fetched while reading the site: MathJax comes from sphinx-mathjax-offline and
mermaid from its npm tarball, downloaded once into a cache and checked against its published sha512 integrity."""

import argparse
import base64
import functools
import hashlib
import http.server
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NBS, DOCS, FIGURES = ROOT / "nbs", ROOT / "docs", ROOT / "figures"

# The sidebar: one caption a part, the chapters in reading order (file stems in nbs/).
SECTIONS = {
    "The diffusion model": ["01_edm", "02_unet", "03_sampler", "04_ddpm"],
    "Atari and the world model": ["05_atari", "06_data", "07_world_model", "08_reward_end", "09_imagination"],
    "The agent": ["10_actor_critic", "11_agent", "11a_agent", "12_checkpoints", "13_play"],
    "Runs you can trust": ["14_compute", "15_gpu_check", "16_optim", "17_runs"],
    "The paper's figures": ["20_fig_compounding_error", "21_fig_boxing_multimodality", "22_atari100k_report"],
    "Reference: profiles, settings and command lines": [
        "18_profiles", "19_chapters", "88_settings", "89_cli", "90_config", "91_viz", "92_main", "93_bench", "94_collect", "95_train",
        "96_evaluate", "97_reproduce", "98_probe", "99_train_world_model",
    ],
}
PAGES = ["course", "results", "guide"]  # docs/<name>.md beside the Start page (docs/index.md)

MERMAID = {  # the npm registry's tarball of mermaid and its published integrity (`npm view mermaid@V dist.integrity`)
    "version": "12.4.0",
    "url": "https://registry.npmjs.org/mermaid/-/mermaid-12.4.0.tgz",
    "sha512": "j2gvsGUFeS/53WdYLl9H5G2YtMZX9G/PlCvV3E5Pf4j5XSnK19DwazU6wki7OTcKeYKed7+qujRDLhy8NV2zBg==",
}
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "diamond-kit"


def chapters() -> list[str]:
    "Every chapter in `nbs/` except the README's notebook, checked against `SECTIONS` (a new chapter must be placed)."
    found = {p.stem for p in NBS.glob("*.ipynb")} - {"index"}
    listed = [c for part in SECTIONS.values() for c in part]
    if missing := sorted(found - set(listed)):
        sys.exit(f"docs: chapters not in scripts/docs.py SECTIONS: {missing}; add each to a part of the sidebar")
    if gone := sorted(set(listed) - found):
        sys.exit(f"docs: SECTIONS names chapters that nbs/ does not have: {gone}")
    return listed


def mermaid_tarball() -> Path:
    "The pinned mermaid tarball, from the cache or the npm registry, refused unless its sha512 is the published one."
    path = CACHE / f"mermaid-{MERMAID['version']}.tgz"

    def intact(data: bytes) -> bool:
        return base64.b64encode(hashlib.sha512(data).digest()).decode() == MERMAID["sha512"]

    if path.exists() and intact(path.read_bytes()):
        return path
    print(f"docs: fetching mermaid {MERMAID['version']} from the npm registry (once; cached in {CACHE})")
    try:
        data = urllib.request.urlopen(MERMAID["url"], timeout=120).read()
    except OSError as e:
        sys.exit(f"docs: could not fetch {MERMAID['url']} ({e}); the first build needs the npm registry")
    if not intact(data):
        sys.exit(f"docs: {MERMAID['url']} does not match its published sha512; refusing it")
    CACHE.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return path


def vendor_mathjax(static: Path) -> None:
    "MathJax 3's TeX-to-HTML component, its fonts and the parts its menu loads, from sphinx-mathjax-offline's copy."
    spec = importlib.util.find_spec("sphinx-mathjax-offline")
    if spec is None:
        sys.exit("docs: sphinx-mathjax-offline is missing: bash scripts/docs.sh installs the website's packages")
    mathjax = Path(spec.submodule_search_locations[0]) / "static" / "mathjax"
    for part in ["tex-chtml.js", "output/chtml", "input/tex/extensions", "ui", "a11y", "sre", "adaptors"]:
        src, out = mathjax / part, static / "mathjax" / part
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(src, out) if src.is_dir() else shutil.copy(src, out)


def vendor_mermaid(static: Path) -> None:
    "mermaid's ES module build (the entry and its chunks, no source maps) into `_static/mermaid/`."
    with tarfile.open(mermaid_tarball()) as tar:
        for m in tar.getmembers():
            name = m.name.removeprefix("package/dist/")
            wanted = name == "mermaid.esm.min.mjs" or name.startswith("chunks/mermaid.esm.min/")
            if m.isfile() and wanted and not name.endswith(".map"):
                out = static / "mermaid" / name
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(tar.extractfile(m).read())


DIRECTIVE = re.compile(r"^\s*#\s*\|\s*(.*)$")


def directives(source: str) -> list[str]:
    return [m.group(1).strip() for line in source.splitlines() if (m := DIRECTIVE.match(line))]


def exported_module(nb) -> str | None:
    for c in nb.cells:
        for d in directives(c.source) if c.cell_type == "code" else []:
            if d.startswith("default_exp"):
                return d.split()[1]
    return None


def stage_chapter(path: Path, out: Path) -> None:
    "A chapter as the website shows it: no nbdev directives or hidden cells, solutions folded, its API at the end."
    nb = nbformat.read(path, as_version=4)
    module = exported_module(nb)
    cells = []
    for c in nb.cells:
        if c.cell_type == "code":
            ds = directives(c.source)
            if "hide" in ds or any(d.startswith("default_exp") for d in ds):
                continue
            c.source = "\n".join(line for line in c.source.splitlines() if not DIRECTIVE.match(line)).strip("\n")
            if not c.source.strip():
                continue
            tags = c.metadata.get("tags", [])
            if "solution" in tags:
                c.metadata["tags"] = [*tags, "hide-input"]
        elif c.get("attachments"):  # images pasted into a markdown cell: files beside the page (myst-nb reads no attachment:)
            for name, data in c.pop("attachments").items():
                kind, b64 = next(iter(data.items()))
                f = out.parent / "attachments" / f"{path.stem}-{name}"
                f.parent.mkdir(exist_ok=True)
                f.write_bytes(base64.b64decode(b64))
                c.source = c.source.replace(f"attachment:{name}", f"attachments/{f.name}")
        cells.append(c)
    if module:
        api = f"## API: `diamond.{module}`\n\nWhat this chapter exports (`from diamond.{module} import ...`).\n\n"
        cells.append(nbformat.v4.new_markdown_cell(api + f"```{{eval-rst}}\n.. automodule:: diamond.{module}\n```"))
    nb.cells = cells
    nb.metadata.pop("widgets", None)
    # Each cell's first line as if the chapter were one text file. Without it myst-nb numbers cell i's lines from
    # (i + 1) * 10000, and myst-parser pads an eval-rst block with that many blank lines before docutils reads it:
    # the API cell at the end of a chapter cost 300,000-600,000 blank lines, two thirds of the site's build time.
    starts = [0]
    for c in cells[:-1]:
        starts.append(starts[-1] + len(c.source.splitlines()) + 1)
    nb.metadata["source_map"] = starts
    nbformat.write(nb, out)


def chapter_times() -> dict:
    path = DOCS / "chapter_times.json"
    return json.loads(path.read_text()) if path.exists() else {"chapters": {}}


def reading_order() -> str:
    "The Start page's reading order: every lesson chapter, its summary line, minutes to read and seconds to run."
    times = chapter_times()
    rows = ["| part | chapter | what it builds | read | run |", "|---|---|---|---|---|"]
    for part, names in SECTIONS.items():
        if part.startswith("Reference"):
            continue
        for name in names:
            nb = nbformat.read(NBS / f"{name}.ipynb", as_version=4)
            title, summary = "", ""
            for line in nb.cells[0].source.splitlines():
                if line.startswith("# "):
                    title = line[2:].strip()
                elif line.startswith("> "):
                    summary = line[2:].strip()
            words = sum(len(c.source.split()) for c in nb.cells if c.cell_type == "markdown")
            words += sum(len(c.source.split()) for c in nb.cells if c.cell_type == "code") // 2  # code reads slower
            run = times["chapters"].get(name)
            run_text = "not run yet" if run is None else f"{run:.0f} s" if run < 90 else f"{run / 60:.0f} min"
            rows.append(f"| {part} | [{title}](chapters/{name}.ipynb) | {summary} | {max(1, round(words / 150))} min | {run_text} |")
    processor = times.get("processor", "")
    rows.append("")
    rows.append(
        f"*read*: the prose at 150 words a minute and the code at half that. *run*: the chapter's own `tiny` exercise, "
        f"executed top to bottom, one chapter at a time ({processor})."
        if processor
        else "*read*: the prose at 150 words a minute and the code at half that."
    )
    return "\n".join(rows) + "\n"


def stage(src: Path) -> None:
    for p in DOCS.glob("*"):
        if p.suffix in (".md", ".py"):
            shutil.copy(p, src / p.name)
    toc = ["", "```{toctree}", ":hidden:", ":caption: Start here", "", *PAGES, "```"]  # Start itself heads the sidebar
    for part, names in SECTIONS.items():
        toc += ["", "```{toctree}", ":hidden:", f":caption: {part}", "", *[f"chapters/{n}" for n in names], "```"]
    (src / "index.md").write_text((src / "index.md").read_text() + "\n".join(toc) + "\n")
    (src / "reading_order.md").write_text(reading_order())
    (src / "chapters").mkdir()
    for name in chapters():
        stage_chapter(NBS / f"{name}.ipynb", src / "chapters" / f"{name}.ipynb")
    pages = "".join(p.read_text() for p in src.glob("*.md"))
    for rel in sorted(set(re.findall(r"figures/([^\s)\"'`]+\.png)", pages))):  # only the figures the pages show
        png = FIGURES / rel
        if not png.is_file():
            raise SystemExit(f"error: a page shows figures/{rel}, which does not exist: fix the page or make the figure")
        out = src / "figures" / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(png, out)
    vendor_mathjax(src / "_static")
    vendor_mermaid(src / "_static")


def build(out: Path, quiet: bool = True) -> float:
    "Stage and build the site into `out` (replaced); the seconds it took."
    t0 = time.time()
    with tempfile.TemporaryDirectory(prefix="diamond-docs-") as tmp:
        src = Path(tmp) / "src"
        src.mkdir()
        stage(src)
        cmd = [sys.executable, "-m", "sphinx", "-b", "html", "-d", str(Path(tmp) / "doctrees")]
        cmd += ["-q"] if quiet else []
        new = Path(tmp) / "html"
        r = subprocess.run([*cmd, str(src), str(new)], cwd=ROOT)
        if r.returncode:
            sys.exit(f"docs: sphinx-build failed (exit {r.returncode}); the messages above name the page")
        if out.exists():
            shutil.rmtree(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(new), out)
    return time.time() - t0


def size(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def serve(out: Path, port: int) -> None:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(out))
    with http.server.ThreadingHTTPServer(("127.0.0.1", port), handler) as httpd:
        print(f"docs: serving {out} on http://127.0.0.1:{port}/ (Ctrl-C stops)")
        try:
            httpd.serve_forever()
        except KeyboardInterrupt:
            pass


def main(argv=None) -> None:
    p = argparse.ArgumentParser(prog="bash scripts/docs.sh", description=__doc__.split("\n\n")[0])
    p.add_argument("--out", type=Path, default=ROOT / "_docs", help="where the site goes (default _docs/, replaced)")
    p.add_argument("--serve", action="store_true", help="serve the site on 127.0.0.1 after building it")
    p.add_argument("--port", type=int, default=8000, help="the port --serve listens on (default 8000)")
    p.add_argument("--verbose", action="store_true", help="show sphinx's progress, not only its warnings")
    args = p.parse_args(argv)
    seconds = build(args.out.resolve(), quiet=not args.verbose)
    print(f"docs: built {args.out} in {seconds:.0f} s ({size(args.out):.1f} MB); open {args.out / 'index.html'}")
    if args.serve:
        serve(args.out.resolve(), args.port)


if __name__ == "__main__":
    main()
