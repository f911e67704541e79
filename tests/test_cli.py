"The `diamond` command (chapter 89): one entry point, bad input refused across every subcommand, CLIs on top of the import graph."
import ast
import io
import json
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from diamond import cli
from diamond.chapters import chapter_parameters, notebooks_dir
from diamond.config import make_config
from diamond.profiles import CHAPTER_PARAMETERS, MAIN_PROFILES, PROFILES

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "diamond"


def run(*args) -> tuple[int, str, str]:
    "`diamond ARGS` in this process: exit status, stdout, stderr."
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try: code = cli.main([str(a) for a in args])
        except SystemExit as e: code = e.code
    return code, out.getvalue(), err.getvalue()


def tree(d: Path) -> list:
    return sorted((str(p.relative_to(d)), p.stat().st_size if p.is_file() else -1) for p in d.rglob("*"))


@pytest.mark.integration
def test_the_console_script_lists_every_subcommand():
    exe = Path(sys.executable).parent / "diamond"
    assert exe.exists(), "the `diamond` console script is not installed: run scripts/setup.sh (pyproject.toml [project.scripts])"
    r = subprocess.run([str(exe), "--help"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0
    for name in ("main", "collect", "train", "train-world-model", "evaluate", "probe", "reproduce", "report", "bench",
                 "gpu-check", "profiles"):
        assert f"  {name} " in r.stdout, name
    r = subprocess.run([str(exe)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "usage: diamond" in r.stderr


@pytest.mark.parametrize("name", list(cli.COMMANDS))
def test_every_subcommand_has_help(name, monkeypatch):
    monkeypatch.setenv("COLUMNS", "400")                                 # argparse wraps help at the terminal's width
    code, out, err = run(name, "--help")
    assert code == 0, err
    assert out.startswith(f"usage: diamond {name}"), out[:200]
    if "--profile" in out:                                               # help from the real profile list
        assert all(p in out for p in (MAIN_PROFILES if name == "main" else PROFILES)), (name, out)


@pytest.mark.integration
def test_python_m_runs_the_same_command():
    r = subprocess.run([sys.executable, "-m", "diamond.train", "--help"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and r.stdout.startswith("usage: diamond train")
    r = subprocess.run([sys.executable, "-m", "diamond.bench", "--batch-size", "0"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "below 1" in r.stderr


def bad_inputs(d: Path) -> list[tuple[list, str]]:
    "Bad invocations of every subcommand and a word the refusal must say; `d` holds a file `f`, an empty folder `e`."
    f, e, missing = d / "f", d / "e", d / "missing"
    tiny = ["--profile", "tiny"]
    return [
        (["trian"], "did you mean 'train'"),
        (["train", "--run-dir", f, *tiny], "is a file"),
        (["train", "--run-dir", f / "x", *tiny], "under a file"),
        (["train", "--run-dir", e / "r", "--profile", "huge"], "not a profile"),
        (["train", "--run-dir", e / "r", *tiny, "--game", "Breakout2"], "unknown game"),
        (["train", "--run-dir", e / "r", *tiny, "--seed", "-1"], "below 0"),
        (["train", "--run-dir", e / "r", *tiny, "--game", "Pong", "--game", "Boxing"], "given twice"),
        (["train", "--run-dir", e / "r", *tiny, "--set", "seed=1", "--set", "seed=2"], "twice"),
        (["train", "--run-dir", e / "r", *tiny, "--set", "training.nope=1"], "training.nope"),
        (["train", "--run-dir", e / "r", *tiny, "--set", "training.num_steps_total=-1"], "num_steps_total"),
        (["train", "--run-dir", e / "r", *tiny, "--set", "seed"], "KEY=VALUE"),
        (["train", "--run-dir", e / "r", "--resume"], "nothing to resume"),
        (["train-world-model", "--run-dir", f, *tiny], "is a file"),
        (["train-world-model", "--run-dir", e / "r", *tiny, "--set", "world_model_run.nope=1"], "world_model_run.nope"),
        (["train-world-model", "--run-dir", e / "r", "--resume"], "nothing to resume"),
        (["collect", "--game", "Breakout", "--steps", "-3", "--out", e / "c"], "below 1"),
        (["collect", "--game", "Breakout", "--steps", "0", "--out", e / "c"], "below 1"),
        (["collect", "--game", "Breakout", "--steps", "3", "--out", f], "is a file"),
        (["collect", "--game", "Breakout", "--steps", "3", "--episodes", "2", "--out", e / "c"], "not allowed with"),
        (["collect", "--game", "Pacman", "--steps", "3", "--out", e / "c"], "unknown game"),
        (["collect", "--game", "Breakout", "--policy", "best", "--steps", "3", "--out", e / "c"], "invalid choice"),
        (["evaluate", "--checkpoint", missing, "--episodes", "1"], "does not exist"),
        (["evaluate", "--random", "--game", "Breakout", "--episodes", "0"], "below 1"),
        (["evaluate", "--random", "--episodes", "1"], "needs --game"),
        (["evaluate", "--random", "--game", "Breakout", "--episodes", "1", "--out", e], "is a folder"),
        (["evaluate", "--random", "--game", "Breakout", "--episodes", "1", "--episodes", "2"], "given twice"),
        (["evaluate", "--random", "--game", "Breakout", "--device", "tpu"], "not a device"),
        (["evaluate", "--shipped", "--game", "Pong"], "brings its own game"),
        (["evaluate", "--shipped", "--episodes", "1"], "at least 2 games"),
        (["evaluate", "--shipped", "--random", "--game", "Breakout"], "not allowed with"),
        (["probe", missing], "does not exist"),
        (["probe", f, "--updates", "0"], "below 1"),
        (["probe", f, "--test-games", "-1"], "below 0"),
        (["probe", f, "--out", f], "is a file"),
        (["main", "--profile", "tiny", "--run-dir", e / "m", "--param", "01_edm.nope=1"], "no parameter nope"),
        (["main", "--profile", "tiny", "--run-dir", e / "m", "--param", "05_atari.x=1"], "not in this run"),
        (["main", "--profile", "tiny", "--run-dir", e / "m", "--set", "seed=1", "--set", "seed=2"], "twice"),
        (["main", "--profile", "small-agent", "--run-dir", e / "m"], "diamond train"),
        (["main", "--profile", "tiny", "--run-dir", e / "m", "--chapters", "99_nope"], "no notebook"),
        (["main", "--profile", "tiny", "--run-dir", f], "is a file"),
        (["reproduce", "atari1m"], "invalid choice"),
        (["reproduce", "atari100k", "--jobs", "0", "--out", e / "b"], "below 1"),
        (["reproduce", "atari100k", "--seeds", "0", "0", "--out", e / "b"], "distinct"),
        (["reproduce", "atari100k", "--games", "Breakout2", "--out", e / "b"], "unknown game"),
        (["reproduce", "compounding_error", "--param", "horizn=5", "--out", e / "b"], "no parameter horizn"),
        (["reproduce", "atari100k", "--set", "seed=1", "--set", "seed=2", "--out", e / "b"], "twice"),
        (["report", missing], "does not exist"),
        (["report", f], "is a file"),
        (["report", e], "no finished agent run"),
        (["bench", "--batch-size", "0"], "below 1"),
        (["bench", "--profile", "huge"], "not a profile"),
        (["bench", "--profile", "tiny", "--precision", "float16"], "float16"),
        (["bench", "--out", e], "is a folder"),
        (["gpu-check", "--out", f], "is a file"),
        (["gpu-check", "--out", e / "g", "--run-seconds", "0"], "time > 0"),
        (["gpu-check", "--out", e / "g", "--device", "cuda"], "no CUDA"),
        (["profiles", "huge"], "not a profile"),
        (["profiles", "tiny", "tiny"], "named twice"),
    ]


def test_bad_input_to_every_subcommand_is_refused_cleanly(tmp_path):
    (tmp_path / "f").write_text("a file\n")
    (tmp_path / "e").mkdir()
    before = tree(tmp_path)
    cases = bad_inputs(tmp_path)
    assert {c[0][0] for c in cases} >= set(cli.COMMANDS)                 # every subcommand is swept
    for args, says in cases:
        code, out, err = run(*args)
        assert code == 2, (args, code, err[-500:])
        assert says in err, (args, err[-500:])
        assert "Traceback" not in err, (args, err)
        assert tree(tmp_path) == before, (args, "wrote something")


def test_exit_status_of_a_finished_run_is_0(tmp_path):
    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "run_is_over").write_text("finished\n")
    code, out, err = run("train", "--run-dir", tmp_path, "--resume")
    assert code == 0 and "nothing to do" in out


def test_profiles_resolve_and_print():
    for name in PROFILES: make_config(name)
    code, out, _ = run("profiles")
    assert code == 0 and all(n in out for n in PROFILES)
    code, out, _ = run("profiles", "small-agent-pretrained")
    lines = {l.split()[1]: l for l in out.splitlines()[1:] if l.startswith("*")}
    assert "training.init_world_model" in lines and '"shipped"' in lines["training.init_world_model"]
    code, out, _ = run("profiles", "small", "small-agent-pretrained")
    assert code == 0 and "denoiser_optim.lr " in out and "denoiser.unet.channels" not in out   # equal rows are left out


def test_every_chapter_parameter_exists_for_every_profile_main_accepts():
    assert set(CHAPTER_PARAMETERS) == set(MAIN_PROFILES)
    for profile in MAIN_PROFILES:
        for chapter, params in CHAPTER_PARAMETERS[profile].items():
            known = chapter_parameters(notebooks_dir() / f"{chapter}.ipynb")
            assert set(params) <= set(known), (profile, chapter, set(params) - set(known))


#: Modules whose job is a command line (a `main(argv)`); every other module is a library.
COMMAND_MODULES = {"cli", "main", "collect", "train", "train_world_model", "evaluate", "probe", "reproduce", "gpu_check"}


def module_imports(path: Path) -> set[str]:
    "The kit's modules that `path` imports at module level (imports under `if __name__ == '__main__'` are the command's entry)."
    out = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
            out.add(node.module.split(".")[0])
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("diamond."):
            out.add(node.module.split(".")[1])
    return out


def test_libraries_never_import_a_command_module():
    for path in sorted(PACKAGE.glob("*.py")):
        name = path.stem
        if name.startswith("_"): continue
        imported = module_imports(path)
        if name in COMMAND_MODULES:
            assert not (imported & COMMAND_MODULES) - {"cli"}, (name, imported & COMMAND_MODULES)
        else:
            assert not imported & COMMAND_MODULES, (name, imported & COMMAND_MODULES)


@pytest.mark.integration
def test_evaluating_and_playing_do_not_import_the_training_loop():
    code = ("import sys, diamond.evaluate, diamond.play, diamond.checkpoints, diamond.probe, diamond.agent; "
            "print(sorted(m for m in sys.modules if m == 'diamond.loop'))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout.strip().replace("'", '"')) == []
