"Shared pytest setup: one torch thread per test process (settings.ini `test_threads`), a CPU generator fixture."
import pytest
import torch

from diamond.settings import configure_torch, settings


def pytest_configure(config):
    configure_torch(settings().test_threads)   # PYTEST_CURRENT_TEST is not set yet here, so name the thread count


@pytest.fixture
def gen():
    return torch.Generator().manual_seed(0)


@pytest.fixture
def refused(capsys):
    "`refused(main, *args)`: a command's `main(argv)` called in this process on input it must refuse (no interpreter start); asserts exit code 2 (its own check or argparse's), returns its stderr."
    def call(main, *args) -> str:
        try: code = main([str(a) for a in args])
        except SystemExit as e: code = e.code
        err = capsys.readouterr().err
        assert code == 2, (args, err)
        return err
    return call


#: The test files that run longest in the test command, longest first (from `--durations`; two cores with bfloat16
#: instructions). pytest-xdist hands whole files to its workers (`--dist loadfile`) in collection order when
#: `--no-loadscope-reorder` is given (its default order puts the files with the most tests first, which sent these last
#: and left a core idle at the end); the files not listed follow in their usual order.
LONGEST_FIRST = (
    "test_reproduce.py",
    "test_trainer.py",
    "test_docs_site.py",
    "test_chapter_twins.py",
    "test_main.py",
    "test_resume_commands.py",
    "test_probe.py",
    "test_bench.py",
    "test_play_browser.py",
    "test_checkpoints.py",
)


def pytest_collection_modifyitems(items):
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))   # stable: each file keeps its own order
