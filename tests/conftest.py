import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault('MPLBACKEND', 'Agg')  # notebooks draw figures; no display in CI

# Under pytest-xdist every worker (and every Jupyter kernel or CLI process it starts, which inherit the environment)
# gets an equal share of the cores: two torch processes each spinning up one thread per core would fight over them.
# This runs before any test module imports torch, so torch reads it at import.
if os.environ.get('PYTEST_XDIST_WORKER_COUNT'):
    share = max(1, (os.cpu_count() or 1) // int(os.environ['PYTEST_XDIST_WORKER_COUNT']))
    os.environ.setdefault('OMP_NUM_THREADS', str(share))


def pytest_xdist_auto_num_workers(config):
    "`-n auto`: one worker per core, at most four (each holds a Jupyter kernel with torch loaded, about 1 GB)."
    return max(1, min(4, os.cpu_count() or 1))


@pytest.fixture
def root() -> Path:
    return ROOT
