"""Saved outputs belong to the code that made them. `tools/run_chapters.py` stamps each chapter it runs top to bottom with a
hash of its code cells and of the tl_nb modules it uses: a chapter whose code changed since fails here, and a chapter whose
modules changed since is named in a warning (re-run it to refresh its numbers)."""
import json, sys, warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / 'tools'))
from chapter_stamps import chapters, code_hash, staleness  # noqa: E402


@pytest.mark.parametrize('path', chapters(), ids=lambda p: p.stem)
def test_saved_outputs_come_from_the_current_code(path):
    changed, modules = staleness(path)
    assert not changed, (f'{path.name}: its code changed after its outputs were saved (or it was never run top to bottom); '
                         f'run python tools/run_chapters.py nbs/{path.name}')
    if modules: warnings.warn(f'{path.name}: tl_nb modules {", ".join(modules)} changed since its outputs were saved; re-run it', stacklevel=1)


def test_a_code_change_is_noticed():
    nb = json.loads(chapters()[0].read_text())
    before = code_hash(nb)
    cell = next(c for c in nb['cells'] if c['cell_type'] == 'code')
    cell['source'] = (''.join(cell['source']) if isinstance(cell['source'], list) else cell['source']) + '\n1 + 1'
    assert code_hash(nb) != before


@pytest.mark.parametrize('path', chapters(), ids=lambda p: p.stem)
def test_generated_prose_is_never_empty(path):
    "A cell that ends by writing Markdown (a conclusion, a table) must carry its output: a reader would see an empty heading."
    nb = json.loads(path.read_text())
    for i, c in enumerate(nb['cells']):
        if c['cell_type'] != 'code': continue
        src = ''.join(c['source']) if isinstance(c['source'], list) else c['source']
        if any(line.startswith('Markdown(') for line in src.splitlines()):       # a top-level Markdown(...) expression
            text = ''.join(''.join(o.get('data', {}).get('text/markdown', '')) for o in c.get('outputs', []))
            assert text.strip(), f'{path.name}, cell {i}: its generated Markdown has no saved output'
