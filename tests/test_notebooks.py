"""Every notebook in nbs/ runs as a test, through nbdev's own runner (cells flagged slow or gpu are skipped)."""
from pathlib import Path

import pytest
from nbdev.config import get_config
from nbdev.test import test_nb as run_notebook  # renamed so pytest does not collect it

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p for p in (ROOT / 'nbs').glob('*.ipynb') if not p.name.startswith(('_', '.')))


def test_found_notebooks():
    assert {'index.ipynb', '00_core.ipynb', '01_data.ipynb', '02_models.ipynb'} <= {p.name for p in NOTEBOOKS}


@pytest.mark.parametrize('nb', NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook(nb):
    skip = get_config(ROOT).tst_flags.split()
    ok, seconds = run_notebook(nb, skip_flags=skip, basepath=ROOT)
    assert ok, f'{nb.name} failed (traceback above); reproduce with: nbdev-test {nb.relative_to(ROOT)}'
