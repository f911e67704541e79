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
