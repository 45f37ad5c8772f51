"""nbdev's docs processing without Quarto, then an offline preview of the site.

Quarto cannot be installed everywhere (it is a binary download); the real site is built
by Quarto in the deploy workflow. This script does the part nbdev does in Python:
refresh nbdev.yml, rebuild the symbol index, process every notebook into _proc/
(show_doc, doc links, hidden cells, front matter). Then smalldocs renders _proc/ as a
Quarto-like site in _preview/, and the equations are converted to MathML at build time, which
browsers draw natively, so the preview shows them offline (smalldocs, like Quarto, would load
KaTeX from a CDN). Warnings from nbdev's processors are errors here: a cell
that mixes imports with other code is re-executed by docs processing, which is slow.

    python tools/docs_preview.py            # process and render the preview
    python tools/docs_preview.py --no-render
"""
import html, re, shutil, subprocess, sys, warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC_URL = re.search(r'Documentation\s*=\s*"([^"]+)"', (ROOT / 'pyproject.toml').read_text()).group(1).rstrip('/') + '/'


def process() -> Path:
    from nbdev.doclinks import _build_modidx
    from nbdev.quarto import refresh_quarto_yml
    from nbdev.serve import proc_nbs
    refresh_quarto_yml()
    _build_modidx()
    with warnings.catch_warnings():
        warnings.filterwarnings('error', module='nbdev')
        return Path(proc_nbs(str(ROOT / 'nbs'), n_workers=0, force=True))


def page_name(nb: str) -> str:
    return re.sub(r'^\d+[a-z]?_', '', Path(nb).stem)


MATH = re.compile(r'<span class="math (inline|display)">\\[\(\[](.*?)\\[\)\]]</span>', re.S)   # smalldocs' \(...\) and \[...\]
CDN_MATH = re.compile(r'<(?:link|script)[^>]*cdn[^>]*katex[^>]*>(?:</script>)?')


def mathml(page: str) -> str:
    "A rendered page with its LaTeX spans as MathML and without the CDN's KaTeX (offline it fails to load, and nothing is left for it to do)."
    from latex2mathml.converter import convert
    page = CDN_MATH.sub('', page)
    tex = lambda m: html.unescape(m.group(2)).replace('\\|', '‖')      # norm bars: latex2mathml knows the character, not the macro
    return MATH.sub(lambda m: convert(tex(m), display='block' if m.group(1) == 'display' else 'inline'), page)


def render(proc: Path) -> Path:
    "Render _proc with smalldocs into _preview, naming pages as nbdev/Quarto do (00_core.ipynb -> core.html)."
    site = ROOT / '_preview_src'
    shutil.rmtree(site, ignore_errors=True)
    shutil.copytree(proc, site)
    renames = {nb.name: page_name(nb.name) + '.ipynb' for nb in site.glob('*.ipynb') if page_name(nb.name) != nb.stem}
    for old, new in renames.items(): (site / old).rename(site / new)
    for f in list(site.glob('*.yml')) + list(site.glob('*.ipynb')):
        text = f.read_text()
        for old, new in renames.items(): text = text.replace(old, new)
        text = text.replace('output-dir: _docs', 'output-dir: ../_preview')
        if f.suffix == '.ipynb': text = text.replace(DOC_URL, '')  # doc links stay inside the preview
        f.write_text(text)
    shutil.rmtree(ROOT / '_preview', ignore_errors=True)
    subprocess.run([sys.executable, '-m', 'smalldocs.cli', 'render', '--quiet', str(site)], check=True)
    for page in (ROOT / '_preview').glob('*.html'): page.write_text(mathml(page.read_text()))
    return ROOT / '_preview'


if __name__ == '__main__':
    proc = process()
    print(f'processed notebooks in {proc}')
    if '--no-render' not in sys.argv:
        out = render(proc)
        print(f'preview: {out / "index.html"}')
