"""The mutants of `tools/mutants.py` stay in step with the code: each applies to exactly one place, in an exported cell,
and names tests that exist. (Running them takes about a minute each: `python tools/mutants.py`, before an algorithm changes.)"""
import shutil, sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / 'tools'))
from mutants import MUTANTS, apply  # noqa: E402


def test_there_are_enough_mutants_and_their_names_are_unique():
    assert len(MUTANTS) >= 30
    assert len({m.name for m in MUTANTS}) == len(MUTANTS)


@pytest.mark.parametrize('mutant', MUTANTS, ids=lambda m: m.name)
def test_mutant_applies_once_to_exported_code(mutant, tmp_path):
    (tmp_path / 'nbs').mkdir()
    shutil.copy(ROOT / 'nbs' / f'{mutant.notebook}.ipynb', tmp_path / 'nbs')
    before = (tmp_path / 'nbs' / f'{mutant.notebook}.ipynb').read_text()
    apply(mutant, tmp_path)
    assert (tmp_path / 'nbs' / f'{mutant.notebook}.ipynb').read_text() != before
    for t in mutant.tests:
        assert (ROOT / t).exists() if t.startswith('tests/') else (ROOT / 'nbs' / f'{t}.ipynb').exists(), t


def test_a_mutant_that_no_longer_applies_is_an_error_not_a_survivor(tmp_path):
    (tmp_path / 'nbs').mkdir()
    m = MUTANTS[0]
    shutil.copy(ROOT / 'nbs' / f'{m.notebook}.ipynb', tmp_path / 'nbs')
    with pytest.raises(LookupError, match='appears 0 times'): apply(m._replace(old='no such code anywhere'), tmp_path)
    import json
    cells = [''.join(c['source']) for c in json.loads((tmp_path / 'nbs' / f'{m.notebook}.ipynb').read_text())['cells'] if c['cell_type'] == 'code']
    test_code = next(src.strip().splitlines()[-1] for src in cells if '#| export' not in src and sum(x.count(src.strip().splitlines()[-1]) for x in cells) == 1)
    with pytest.raises(LookupError, match='not exported'): apply(m._replace(old=test_code), tmp_path)   # a test, not the library
