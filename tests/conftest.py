"Shared pytest setup: one torch thread per test process (settings.ini `test_threads`), a CPU generator fixture."
import pytest
import torch

from diamond.config import configure_torch


def pytest_configure(config):
    configure_torch()          # under pytest: settings().test_threads threads


@pytest.fixture
def gen():
    return torch.Generator().manual_seed(0)
