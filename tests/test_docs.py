"""Docs processing (what Quarto's build starts from) works offline for every notebook, and the sidebar lists them all."""
import re, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p.name for p in (ROOT / 'nbs').glob('*.ipynb') if not p.name.startswith(('_', '.')))


def test_sidebar_lists_every_notebook_once():
    listed = re.findall(r'([\w-]+\.ipynb)', (ROOT / 'nbs' / 'sidebar.yml').read_text())
    assert sorted(listed) == NOTEBOOKS


def test_every_notebook_processes_and_previews():
    res = subprocess.run([sys.executable, str(ROOT / 'tools' / 'docs_preview.py')], capture_output=True, text=True, timeout=900)
    assert res.returncode == 0, res.stderr[-3000:]
    for nb in NOTEBOOKS:
        assert (ROOT / '_proc' / nb).exists(), f'{nb} was not processed'
        page = ROOT / '_preview' / (re.sub(r'^\d+[a-z]?_', '', Path(nb).stem) + '.html')
        assert page.exists(), f'no preview page for {nb}'
    core = (ROOT / '_preview' / 'core.html').read_text()
    assert 'save_atomic' in core and '<img' in core   # show_doc entries and saved figures reach the page
