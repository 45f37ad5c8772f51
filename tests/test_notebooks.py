"""Every notebook in nbs/ runs as a test in a real Jupyter kernel, top to bottom as a reader runs it, with the `slow` cells
left out (`python tools/run_chapters.py` runs those too and refreshes the outputs) and the `gpu` cells run in smoke mode
(`TL_NB_SMOKE=1`, `tl_nb.core.smoke_mode`): their real code at toy size, on stand-in files and random weights."""
import os, re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbdev.config import get_config

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p for p in (ROOT / 'nbs').glob('*.ipynb') if not p.name.startswith(('_', '.')))
SKIP = (set(get_config(ROOT).tst_flags.split()) - {'gpu'}) | {'eval:false'}     # gpu cells run, in smoke mode


def flags(cell) -> set:
    "The `#| flag` directives at the top of a code cell; `#| eval: false` counts as the flag 'eval:false'."
    out = set()
    for line in cell.source.splitlines():
        if not line.startswith('#|'): break
        m = re.match(r'#\|\s*([\w-]+)\s*$', line.strip())
        if m: out.add(m.group(1))
        elif re.match(r'#\|\s*eval:\s*false\s*$', line.strip()): out.add('eval:false')
    return out


def test_found_notebooks():
    assert {'index.ipynb', '00_core.ipynb', '01_data.ipynb', '02_models.ipynb'} <= {p.name for p in NOTEBOOKS}


def test_flags_are_read_from_the_first_lines():
    cell = nbformat.v4.new_code_cell('#| slow\n#| export\nx = 1  #| gpu')
    assert flags(cell) == {'slow', 'export'}
    assert flags(nbformat.v4.new_code_cell('#| eval: false\nx = 1')) == {'eval:false'}


def _run(nb_path):
    nb = nbformat.read(nb_path, as_version=4)
    nb.cells = [c for c in nb.cells if c.cell_type != 'code' or not flags(c) & SKIP]
    client = NotebookClient(nb, timeout=900, kernel_name='python3', resources={'metadata': {'path': str(nb_path.parent)}})
    try: client.execute()
    except CellExecutionError as e:
        pytest.fail(f'{nb_path.name} failed in a Jupyter kernel:\n{str(e)[-3000:]}', pytrace=False)


@pytest.mark.parametrize('nb_path', NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook(nb_path, monkeypatch):
    monkeypatch.setenv('IN_TEST', '1')        # no progress bars in the outputs, as under nbdev-test
    monkeypatch.setenv('TL_NB_SMOKE', '1')    # every gpu cell: the real code path at toy size
    _run(nb_path)


def test_every_gpu_cell_runs_in_smoke_mode():
    "The notebooks' gpu cells are not skipped by the run above: each must start by asking can_scale_up(), which says yes in smoke mode."
    gpu = [(p.name, c.source) for p in NOTEBOOKS for c in nbformat.read(p, as_version=4).cells if c.cell_type == 'code' and 'gpu' in flags(c)]
    assert len(gpu) >= 14 and 'gpu' not in SKIP
    assert all('can_scale_up()' in src or 'import' in src.split('if ')[0] and 'if ' not in src for _, src in gpu), \
        [name for name, src in gpu if 'can_scale_up()' not in src]


# Chapters whose tests compare float32 gradients with references: their tolerances must hold at any thread count (the
# order of a sum changes with the threads), and the run above gives each kernel a share of the cores (conftest.py).
THREAD_SENSITIVE = ('21_maml', '08_fewshot')


@pytest.mark.parametrize('stem', THREAD_SENSITIVE)
def test_notebook_at_the_default_thread_count(stem, monkeypatch):
    "As a reader's Jupyter kernel runs it: torch on every core (the run above shares the cores out when pytest-xdist runs the tests)."
    if not os.environ.get('PYTEST_XDIST_WORKER_COUNT'): pytest.skip('without pytest-xdist, test_notebook already ran it at the default thread count')
    monkeypatch.setenv('IN_TEST', '1')
    monkeypatch.setenv('TL_NB_SMOKE', '1')
    monkeypatch.delenv('OMP_NUM_THREADS', raising=False)
    _run(ROOT / 'nbs' / f'{stem}.ipynb')
