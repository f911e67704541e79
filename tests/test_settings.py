"settings.ini reaches the code; mistakes name the key and the file; DIAMOND_* variables override it."
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from diamond import config
from diamond.config import SettingsError, read_settings

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
        from diamond.config import settings, default_device, configure_torch, make_config
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
        config.find_settings_file({"DIAMOND_SETTINGS": str(tmp_path / "nope.ini")})


def test_a_bad_file_stops_the_kit_at_import_time_use(tmp_path):
    p = write(tmp_path, "[diamond]\ndevice = tpu\n")
    r = run_py("from diamond.config import default_device; default_device()", {"DIAMOND_SETTINGS": str(p)}, tmp_path)
    assert r.returncode != 0 and "device" in r.stderr and str(p) in r.stderr
