"""Colab-ready chapters (tools/colab.py): every notebook carries the badge and the install cell the one setting gives, the
install cell installs tl_nb in Colab and does nothing elsewhere, and the badge points at the notebook itself."""
import json, subprocess, sys, types
from pathlib import Path
from unittest import mock

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / 'tools'))
import chapter_stamps  # noqa: E402
import colab  # noqa: E402


def test_every_notebook_is_up_to_date_with_the_setting():
    assert colab.main(['--check']) == 0, 'run python tools/colab.py'


@pytest.mark.parametrize('path', colab.notebooks(), ids=lambda p: p.stem)
def test_badge_and_install_cell(path):
    cells = nbformat.read(path, as_version=4).cells
    badge = [c for c in cells if c.cell_type == 'markdown' and colab.is_badge_cell(c.source)]
    install = [i for i, c in enumerate(cells) if c.cell_type == 'code' and colab.is_install_cell(c.source)]
    assert len(badge) == 1 and f'/blob/main/nbs/{path.name})' in badge[0].source and cells[1] is badge[0]
    assert install == [min(i for i, c in enumerate(cells) if c.cell_type == 'code')], 'the install cell is the first code cell'
    assert (ROOT / 'nbs' / 'images' / colab.BADGE_MARK).is_file()


def _run_install_cell(in_colab: bool) -> list:
    calls, src = [], colab.install_cell(colab.repository())
    with mock.patch.object(subprocess, 'run', lambda *a, **k: calls.append((a, k))), \
         mock.patch.dict(sys.modules, {'google.colab': types.ModuleType('google.colab')} if in_colab else {}):
        if not in_colab: sys.modules.pop('google.colab', None)
        exec(compile(src, 'install-cell', 'exec'), {})
    return calls


def test_install_cell_does_nothing_outside_colab():
    assert _run_install_cell(False) == []


def test_install_cell_installs_from_the_repository_in_colab():
    (args, kwargs), = _run_install_cell(True)
    cmd = args[0]
    assert cmd[1:5] == ['-m', 'pip', 'install', '-q'] and cmd[-1] == 'tl_nb[hubs] @ git+https://github.com/tl-nb/tl_nb' and kwargs == {'check': True}


def test_repository_comes_from_pyproject(monkeypatch, tmp_path):
    (tmp_path / 'pyproject.toml').write_text('[project.urls]\nRepository = "https://github.com/someone/fork"\n')
    monkeypatch.setattr(colab, 'ROOT', tmp_path)
    assert colab.repository() == 'someone/fork'
    assert 'github/someone/fork/blob/main/nbs/31_dann.ipynb' in colab.badge_cell(colab.repository(), '31_dann.ipynb')
    (tmp_path / 'pyproject.toml').write_text('[project.urls]\nRepository = "https://gitlab.com/someone/fork"\n')
    with pytest.raises(SystemExit, match='not https://github.com'): colab.repository()


def test_install_and_gpu_cells_do_not_change_a_chapters_code_hash():
    "Neither has a measured output: the install cell does nothing outside Colab, and a gpu cell's saved output is its skip line."
    nb = json.loads((ROOT / 'nbs' / '31_dann.ipynb').read_text())
    before = chapter_stamps.code_hash(nb)
    for c in nb['cells']:
        src = ''.join(c['source']) if isinstance(c['source'], list) else c['source']
        if c['cell_type'] == 'code' and (colab.is_install_cell(src) or '#| gpu' in src): c['source'] = src + '\nprint("changed")'
    assert chapter_stamps.code_hash(nb) == before
    nb['cells'].append({'cell_type': 'code', 'source': 'print(1)', 'metadata': {}, 'outputs': [], 'execution_count': None})
    assert chapter_stamps.code_hash(nb) != before
