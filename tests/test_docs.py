"""Docs processing (what Quarto's build starts from) works offline for every notebook, the sidebar lists them all, and the
preview's pages pass a real browser's inspection (tools/site_check.py: chromium driven by Playwright)."""
import os, re, subprocess, sys, warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / 'tools'))
import site_check  # noqa: E402
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
    # and in a browser: every page loads cleanly, links and images resolve, equations are drawn, no traceback shows
    if not site_check.chromium():
        assert not os.environ.get('TL_NB_REQUIRE_BROWSER'), 'chromium is not installed (apt-get install chromium), and CI requires the browser check'
        warnings.warn('chromium is not installed (apt-get install chromium): the preview was not checked in a browser')
        return
    problems = site_check.check(ROOT / '_preview', ROOT / '_preview' / 'screenshots')
    assert not problems, '\n'.join(problems[:40])
    assert all((ROOT / '_preview' / 'screenshots' / f'{p}.png').stat().st_size > 10_000 for p in site_check.SCREENSHOTS)


@pytest.mark.skipif(not site_check.chromium(), reason='chromium is not installed (apt-get install chromium)')
def test_the_browser_check_finds_what_it_looks_for(tmp_path):
    (tmp_path / 'good.html').write_text('<html><head><title>ok</title></head><body><p>fine <math><mi>x</mi></math></p>'
                                         '<pre>cost = $5 and \\frac in code is fine</pre><a href="good.html">self</a><h2 id="here">here</h2>'
                                         '<a href="#here">up</a><a href="good.html#here">there</a></body></html>')
    (tmp_path / 'bad.html').write_text('<html><head><title>bad</title></head><body><p>raw $x^2$ and \\frac{a}{b}</p>'
                                        '<a href="missing.html">gone</a><a href="good.html#nowhere">no such section</a><img src="nothing.png"><div>Traceback (most recent call last):</div>'
                                        '<math><mi>\\foo</mi></math><script>undefined_function()</script></body></html>')
    found = site_check.check(tmp_path)
    assert not [p for p in found if p.startswith('good.html')], found
    bad = '\n'.join(p for p in found if p.startswith('bad.html'))
    for what in ('raw LaTeX', 'broken link missing.html', 'broken anchor good.html#nowhere', 'image not shown', 'traceback', 'script error', 'equation not converted'):
        assert what in bad, (what, bad)
