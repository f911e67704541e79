"""The play chapter in a real browser: JupyterLab on 127.0.0.1, headless Chromium driven by Playwright.

Runs the chapter (with a 10-step tiny world model), presses an action button and a key, and checks
that the frame changed and the step counter advanced; saves a screenshot (in the test's temporary
folder, and in $PLAY_SCREENSHOT_DIR when set). Chromium comes from the system's packages
(`scripts/setup_browser.sh`, run by the test script); Playwright never downloads a browser.
"""
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.integration      # whole runs, command lines in fresh interpreters: the integration tier

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def play_notebook(dest: Path, **params) -> Path:
    "The play chapter with its parameters cell extended, as papermill does."
    nb = nbformat.read(ROOT / "nbs" / "13_play.ipynb", as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    cell.source += "\n" + "\n".join(f"{k} = {v!r}" for k, v in params.items())
    nbformat.write(nb, dest)
    return dest


@pytest.fixture
def lab(tmp_path):
    "A JupyterLab server on 127.0.0.1 serving tmp_path, with the app exposed to the page; yields (url, token)."
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run 'bash scripts/setup_browser.sh' (Debian's chromium package)")
    port, token = free_port(), secrets.token_hex(16)
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp_path / ".jupyter-config"), "JUPYTER_RUNTIME_DIR": str(tmp_path / ".jupyter-runtime"),
           "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / ".lab-settings"), "DIAMOND_DATA_DIR": str(tmp_path / "data")}
    news = tmp_path / ".lab-settings" / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    news.parent.mkdir(parents=True)
    news.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))       # no pop-up over the page
    log = open(tmp_path / "lab.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
                             f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={tmp_path}", "--LabApp.expose_app_in_browser=True",
                             "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
                             "--ServerApp.port_retries=0"] + (["--allow-root"] if os.geteuid() == 0 else []), cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        up = False
        for _ in range(120):
            try:
                with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2) as r:
                    up = r.status == 200
                if up: break
            except OSError:
                if proc.poll() is not None: break          # the server gave up: its log says why
                time.sleep(0.5)
        if not up:
            pytest.fail(f"JupyterLab did not start: {(tmp_path / 'lab.log').read_text()[-2000:]}")
        yield url, token
    finally:
        proc.terminate()
        try: proc.wait(20)
        except subprocess.TimeoutExpired: proc.kill()
        log.close()


KERNEL_READY = """() => {
  const app = window.jupyterapp; if (!app) return false;
  const w = app.shell.currentWidget; if (!w || !w.sessionContext) return false;
  const k = w.sessionContext.session && w.sessionContext.session.kernel;
  return !!k && k.connectionStatus === 'connected' && k.status === 'idle';
}"""


def test_play_chapter_in_jupyterlab_with_chromium(lab, tmp_path):
    from playwright.sync_api import sync_playwright
    url, token = lab
    play_notebook(tmp_path / "play.ipynb", train_steps=10)
    shots = [tmp_path / "play.png"] + ([Path(os.environ["PLAY_SCREENSHOT_DIR"]) / "play.png"] if os.environ.get("PLAY_SCREENSHOT_DIR") else [])
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        console: list[str] = []
        page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
        try:
            page.goto(f"{url}/lab/tree/play.ipynb?token={token}")
            # the known trap: "run all" before the kernel is connected and idle can lose queued cells
            page.wait_for_function(KERNEL_READY, timeout=120_000)
            page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
            page.wait_for_selector(".diamond-player", timeout=300_000)
            page.get_by_text("frames/s at 3 denoising steps").wait_for(timeout=300_000)      # the last cell ran
            page.wait_for_function(KERNEL_READY, timeout=60_000)
            player = page.locator(".diamond-player")
            player.scroll_into_view_if_needed()
            counter, frame, header = player.locator(".diamond-step"), player.locator(".diamond-frame"), player.locator(".diamond-header")

            def state() -> str: return f"counter {counter.inner_text()!r}, header {header.inner_text()!r}"

            def wait_for(text: str, what: str):
                try: page.wait_for_function(f"() => document.querySelector('.diamond-player .diamond-step').innerText.trim() === {text!r}", timeout=60_000)
                except Exception: raise AssertionError(f"after {what}, expected the counter to read {text!r}; {state()}") from None

            # in the dream: a button press generates a new frame
            player.locator(".diamond-reset").click()                          # the chapter's last cells may have ended a dream
            wait_for("step 0", "reset")
            shot0 = frame.screenshot()
            player.locator(".diamond-action-FIRE").click()
            page.wait_for_function("() => document.querySelector('.diamond-player .diamond-header').innerText.includes('action FIRE')", timeout=60_000)
            page.wait_for_timeout(300)
            assert frame.screenshot() != shot0, "the dream frame did not change after FIRE"
            # in the real game (no sampled ends: the counter is exact): a button, then a key
            player.get_by_role("button", name="real game").click()
            wait_for("step 0", "switching to the real game")
            shot1 = frame.screenshot()
            player.locator(".diamond-action-FIRE").click()
            wait_for("step 1", "pressing FIRE")
            page.wait_for_timeout(300)
            shot2 = frame.screenshot()
            assert shot2 != shot1, "the frame did not change after FIRE"
            assert "action FIRE" in header.inner_text(), state()
            frame.hover()                                                      # ipyevents listens while the mouse is over the frame
            page.keyboard.down("d"); page.wait_for_timeout(50); page.keyboard.up("d")      # RIGHT
            wait_for("step 2", "pressing the key D")
            page.wait_for_timeout(300)
            assert frame.screenshot() != shot2, "the frame did not change after the key"
            assert "action RIGHT" in header.inner_text(), state()
            assert "entropy" in player.locator(".diamond-agent").inner_text()   # the agent's view is shown
            # play runs on the kernel's event loop; pause stops it
            play = player.locator(".diamond-play")
            play.click()
            page.wait_for_function("() => +document.querySelector('.diamond-player .diamond-step').innerText.split(' ')[1] >= 6", timeout=60_000)
            play.click()
            page.wait_for_timeout(1000)
            paused = counter.inner_text()
            page.wait_for_timeout(1000)
            assert counter.inner_text() == paused, f"still stepping after pause: {paused} then {counter.inner_text()}"
            player.scroll_into_view_if_needed()
            for s in shots: s.parent.mkdir(parents=True, exist_ok=True); player.screenshot(path=str(s.with_name("play_player.png")))
            # the agent in the real game and in its dream side by side: reset, play until both have stepped, pause
            watch = page.locator(".diamond-watch")
            watch.scroll_into_view_if_needed()
            page.locator(".diamond-watch-reset").click()
            steps = "(w) => { const m = document.querySelector('.diamond-watch-' + w).innerText.match(/step (\\d+)/); return m ? +m[1] : -1; }"
            page.wait_for_function(f"() => ({steps})('real') === 0 && ({steps})('dream') === 0", timeout=60_000)
            page.locator(".diamond-watch-play").click()
            page.wait_for_function(f"() => ({steps})('real') >= 3 && ({steps})('dream') >= 3", timeout=60_000)
            page.locator(".diamond-watch-play").click()
            assert "agent" in page.locator(".diamond-watch-real").inner_text(), page.locator(".diamond-watch-real").inner_text()
            for s in shots: watch.screenshot(path=str(s.with_name("play_watch.png")))
            for s in shots:
                s.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(s), full_page=False)
        except Exception as e:
            page.screenshot(path=str(tmp_path / "failure.png"))
            raise AssertionError(f"{e}\nscreenshot: {tmp_path / 'failure.png'}\nbrowser console (last 30):\n" + "\n".join(console[-30:])) from e
        finally:
            browser.close()
    assert shots[0].stat().st_size > 10_000
