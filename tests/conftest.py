"Shared pytest setup: one torch thread per test process (settings.ini `test_threads`), a CPU generator fixture."
import pytest
import torch

from diamond.config import configure_torch, settings


def pytest_configure(config):
    configure_torch(settings().test_threads)   # PYTEST_CURRENT_TEST is not set yet here, so name the thread count


@pytest.fixture
def gen():
    return torch.Generator().manual_seed(0)
