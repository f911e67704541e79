"""The website in a real browser: built into a temporary folder by scripts/docs.py, served on 127.0.0.1, read by
headless Chromium through Playwright (the system's Chromium, as the play test; nothing is downloaded).

Every page loads with no request leaving 127.0.0.1 (no CDN: scripts, fonts, MathJax and mermaid are the site's own),
every image shows, every internal link and anchor lands, equations and diagrams are rendered, every chapter is in the
sidebar, and the site's search finds "preconditioning". Screenshots of the Start page and chapter 09 go to the test's
temporary folder, and to $DOCS_SCREENSHOT_DIR when set."""

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlparse

import nbformat
import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
BUILD_LIMIT_S = 180  # the website's budget on 2 cores


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    try:
        import myst_nb, sphinx  # noqa: F401
    except ImportError:
        pytest.fail("the website's packages are missing: run 'bash scripts/docs.sh --setup-only'")
    out = tmp_path_factory.mktemp("docs") / "site"
    t0 = time.time()
    r = subprocess.run([sys.executable, "scripts/docs.py", "--out", str(out)], cwd=ROOT, capture_output=True, text=True)
    seconds = time.time() - t0
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert "WARNING" not in r.stderr, "sphinx warned:\n" + r.stderr[-3000:]
    print(f"docs: built in {seconds:.0f} s, {sum(p.stat().st_size for p in out.rglob('*') if p.is_file()) / 1e6:.1f} MB")
    assert seconds < BUILD_LIMIT_S, f"the website took {seconds:.0f} s to build, over its {BUILD_LIMIT_S} s budget"
    handler = functools.partial(QuietHandler, directory=str(out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield out, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run 'bash scripts/setup_browser.sh' (Debian's chromium package)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        yield b
        b.close()


def chapter_titles() -> dict[str, str]:
    sys.path.insert(0, str(ROOT / "scripts"))
    from docs import chapters

    titles = {}
    for name in chapters():
        first = nbformat.read(ROOT / "nbs" / f"{name}.ipynb", as_version=4).cells[0].source
        titles[name] = next(line[2:].strip() for line in first.splitlines() if line.startswith("# "))
    return titles


def open_page(page, url: str, outside: list) -> None:
    "Load `url` with every request that would leave the site refused and recorded."

    def route(r):
        host = urlparse(r.request.url)
        if host.scheme in ("data", "blob") or host.hostname == "127.0.0.1":
            r.continue_()
        else:
            outside.append((url, r.request.url))
            r.abort()

    page.route("**/*", route)
    page.goto(url, wait_until="load")  # scripts, styles, fonts and images requested by then; MathJax and mermaid are awaited where checked


def test_every_page_loads_offline_with_its_images_and_links(site, browser):
    out, base = site
    pages = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html") if "_static" not in p.parts)
    outside, failed, broken_images, broken_links = [], [], [], []
    anchors: dict[str, set] = {}
    links = images = 0
    ctx = browser.new_context()
    page = ctx.new_page()
    page.on("response", lambda r: failed.append((r.url, r.status)) if r.status >= 400 else None)
    for rel in pages:
        open_page(page, base + rel, outside)
        images += page.locator("img").count()
        broken_images += [(rel, s) for s in page.eval_on_selector_all("img", "els => els.filter(e => !(e.complete && e.naturalWidth > 0)).map(e => e.src)")]
        anchors[rel] = set(page.eval_on_selector_all("[id]", "els => els.map(e => e.id)"))
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            if urlparse(href).hostname != "127.0.0.1":
                continue
            links += 1
            target, frag = urldefrag(href)
            path = urlparse(target).path.lstrip("/") or "index.html"
            if path.endswith("/"):
                path += "index.html"
            if not (out / path).exists():
                broken_links.append((rel, href))
            elif frag and path.endswith(".html"):
                broken_links.append((rel, href, path, frag))  # resolved below, once every page's ids are known
    ctx.close()
    broken_links = [b for b in broken_links if len(b) == 2 or b[3] not in anchors.get(b[2], set())]
    print(f"docs: {len(pages)} pages, {links} internal links and {images} images checked")
    assert len(pages) >= 35, pages
    assert not outside, f"requests leaving the site (the site must read offline): {outside[:10]}"
    assert not failed, f"requests that failed: {failed[:10]}"
    assert not broken_images, f"images that do not show: {broken_images[:10]}"
    assert not broken_links, f"internal links that land nowhere: {broken_links[:10]}"


def test_equations_diagrams_sidebar_and_search(site, browser, tmp_path):
    out, base = site
    shots = [tmp_path] + ([Path(os.environ["DOCS_SCREENSHOT_DIR"])] if os.environ.get("DOCS_SCREENSHOT_DIR") else [])
    outside = []
    page = browser.new_page(viewport={"width": 1280, "height": 900})

    open_page(page, base + "index.html", outside)
    sidebar = page.locator("nav.bd-docs-nav").inner_text().replace("\u2019", "'")  # Sphinx curls apostrophes
    missing = [t for t in chapter_titles().values() if t.replace("`", "") not in sidebar]
    assert not missing, f"chapters missing from the sidebar: {missing}"
    for d in shots:
        d.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(d / "docs-start.png"), full_page=True)

    open_page(page, base + "chapters/01_edm.html", outside)
    page.wait_for_selector("mjx-container", timeout=30_000)
    assert page.locator("mjx-container").count() >= 10, "chapter 01's equations are not rendered by MathJax"
    assert "$" not in page.locator("mjx-container").first.inner_text()

    open_page(page, base + "chapters/09_imagination.html", outside)
    page.wait_for_selector(".mermaid svg", timeout=30_000)
    for d in shots:
        page.screenshot(path=str(d / "docs-chapter-09.png"), full_page=True)

    open_page(page, base + "search.html?q=preconditioning", outside)
    page.wait_for_selector("#search-results li", timeout=30_000)
    hits = page.locator("#search-results li a").evaluate_all("els => els.map(e => e.href)")
    assert any("01_edm" in h for h in hits), hits
    assert not outside, outside
    page.close()
