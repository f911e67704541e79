"settings.ini reaches the code; mistakes name the key and the file; DIAMOND_* variables override it."
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from diamond import settings as config_settings
from diamond.settings import SettingsError, read_settings

ROOT = Path(__file__).resolve().parent.parent


def write(tmp_path, body: str) -> Path:
    p = tmp_path / "settings.ini"
    p.write_text(textwrap.dedent(body))
    return p


def run_py(code: str, env_extra: dict, cwd) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("DIAMOND_") and k not in ("PYTEST_CURRENT_TEST", "IN_TEST")}
    env.update(env_extra)
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=cwd, env=env, capture_output=True, text=True)


def test_the_repository_file_is_valid_and_read_by_default():
    s = read_settings(environ={})
    assert s.source == ROOT / "settings.ini"
    assert s.runs_dir == ROOT / "runs" and s.figures_dir == ROOT / "figures" and s.data_dir == ROOT / "data"
    assert (s.device, s.threads, s.test_threads, s.game, s.profile) == ("auto", 0, 1, "Breakout", "tiny")


def test_values_reach_the_code(tmp_path):
    p = write(tmp_path, """
        [diamond]
        runs_dir = my_runs
        device = cpu
        threads = 2
        game = Boxing
        profile = paper
    """)
    r = run_py("""
        import torch
        from diamond.config import make_config
        from diamond.settings import settings, default_device, configure_torch
        from diamond.main import parse_args
        s = settings()
        dev = configure_torch()
        cfg = make_config()
        print(s.runs_dir, dev, torch.get_num_threads(), cfg.profile, cfg.game, parse_args([]).profile)
    """, {"DIAMOND_SETTINGS": str(p)}, tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == [str(tmp_path / "my_runs"), "cpu", "2", "paper", "Boxing", "paper"]


def test_environment_variables_override_the_file(tmp_path):
    p = write(tmp_path, "[diamond]\ndevice = cpu\nprofile = paper\n")
    s = read_settings(p, environ={"DIAMOND_PROFILE": "tiny", "DIAMOND_RUNS_DIR": "/scratch/runs"})
    assert (s.device, s.profile, s.runs_dir) == ("cpu", "tiny", Path("/scratch/runs"))


@pytest.mark.parametrize("body, key", [
    ("[diamond]\ndevce = cpu\n", "devce"),
    ("[diamond]\nthreads = two\n", "threads"),
    ("[diamond]\nthreads = -1\n", "threads"),
    ("[diamond]\ntest_threads = 0\n", "test_threads"),
    ("[diamond]\ndevice = gpu\n", "device"),
    ("[diamond]\nprofile = huge\n", "profile"),
    ("[diamond]\ngame = breakout!\n", "game"),
    ("[diamond]\nruns_dir =\n", "runs_dir"),
])
def test_bad_key_or_value_names_key_and_file(tmp_path, body, key):
    p = write(tmp_path, body)
    with pytest.raises(SettingsError) as e:
        read_settings(p, environ={})
    assert key in str(e.value) and str(p) in str(e.value)


def test_bad_environment_value_names_the_variable(tmp_path):
    p = write(tmp_path, "[diamond]\n")
    with pytest.raises(SettingsError, match="DIAMOND_THREADS"):
        read_settings(p, environ={"DIAMOND_THREADS": "many"})


def test_missing_section_and_missing_file_are_explained(tmp_path):
    p = write(tmp_path, "device = cpu\n")
    with pytest.raises(SettingsError, match=r"\[diamond\]"):
        read_settings(p, environ={})
    with pytest.raises(SettingsError, match="DIAMOND_SETTINGS"):
        config_settings.find_settings_file({"DIAMOND_SETTINGS": str(tmp_path / "nope.ini")})


def test_a_bad_file_stops_the_kit_at_import_time_use(tmp_path):
    p = write(tmp_path, "[diamond]\ndevice = tpu\n")
    r = run_py("from diamond.settings import default_device; default_device()", {"DIAMOND_SETTINGS": str(p)}, tmp_path)
    assert r.returncode != 0 and "device" in r.stderr and str(p) in r.stderr


KEEP_FREED_PROBE = """
import json, resource, torch
import diamond.settings as c
from diamond.config import make_config
from diamond.settings import configure_torch, settings
configure_torch(1)
from diamond.edm import Denoiser, denoiser_window_loss
cfg = make_config("tiny")
torch.manual_seed(0)
den = Denoiser(cfg.denoiser, 4)
g = torch.Generator().manual_seed(1)
obs, act = torch.rand(8, 6, 3, 64, 64, generator=g) * 2 - 1, torch.randint(0, 4, (8, 6), generator=g)
losses = []
for _ in range(3):
    loss = denoiser_window_loss(den, obs, act, generator=torch.Generator().manual_seed(2)); loss.backward(); losses.append(loss.item())
# what the setting is for: large buffers (a paper-size step's activations, over glibc's 32 MB mmap ceiling) freed and
# allocated again. Without it each comes from a fresh mmap, every page faulted in again; with it the heap keeps them.
torch.empty(16 << 20).fill_(1.0)                      # 64 MB, once, outside the count
f0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(4): torch.empty(16 << 20).fill_(1.0)
print(json.dumps([settings().keep_freed_memory, c._MALLOC_TUNED, losses, resource.getrusage(resource.RUSAGE_SELF).ru_minflt - f0]))
"""


@pytest.mark.integration
def test_keep_freed_memory_changes_page_faults_not_numbers():
    out = {}
    for flag in ("false", "true"):
        r = subprocess.run([sys.executable, "-c", KEEP_FREED_PROBE], capture_output=True, text=True, timeout=300,
                           env={**os.environ, "DIAMOND_KEEP_FREED_MEMORY": flag})
        assert r.returncode == 0, r.stderr
        out[flag] = json.loads(r.stdout.strip().splitlines()[-1])
    assert out["false"][:2] == [False, False] and out["true"][:2] == [True, True]
    assert out["false"][2] == out["true"][2]                        # bit-identical losses
    assert out["true"][3] < 0.5 * out["false"][3], (out["true"][3], out["false"][3])   # fewer page faults (4x here)


def test_auto_device_says_once_which_it_took(tmp_path):
    p = write(tmp_path, "[diamond]\ndevice = auto\n")
    r = run_py("from diamond.settings import default_device; print(default_device(), default_device())", {"DIAMOND_SETTINGS": str(p)}, tmp_path)
    assert r.returncode == 0, r.stderr
    import torch
    took = "cuda" if torch.cuda.is_available() else "cpu"       # this test machine has no MPS
    assert r.stdout.split() == [took, took] and r.stderr.count(f"diamond: device = auto took {took} (") == 1, r.stderr
    p = write(tmp_path, "[diamond]\ndevice = cpu\n")
    r = run_py("from diamond.settings import default_device; default_device()", {"DIAMOND_SETTINGS": str(p)}, tmp_path)
    assert "device = auto" not in r.stderr                        # a device named in the settings needs no word
