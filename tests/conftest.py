import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault('MPLBACKEND', 'Agg')  # notebooks draw figures; no display in CI


@pytest.fixture
def root() -> Path:
    return ROOT
