"""Write README.md from nbs/index.ipynb without Quarto (nbdev-readme needs it).

Markdown cells are copied; links to notebooks become links to their pages on the
documentation site; hidden cells are skipped. `--check` exits 1 if README.md is stale.
"""
import json, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def doc_url() -> str:
    url = re.search(r'Documentation\s*=\s*"([^"]+)"', (ROOT / 'pyproject.toml').read_text()).group(1)
    return url.rstrip('/') + '/'


def page_name(nb: str) -> str:
    "nbdev's page for a notebook: the numeric prefix dropped, .html instead of .ipynb."
    return re.sub(r'^\d+[a-z]?_', '', Path(nb).stem) + '.html'


def render() -> str:
    nb = json.loads((ROOT / 'nbs' / 'index.ipynb').read_text())
    base, parts = doc_url(), []
    for cell in nb['cells']:
        src = ''.join(cell['source'])
        if cell['cell_type'] == 'markdown':
            src = re.sub(r'\]\(([\w-]+\.ipynb)\)', lambda m: f']({base}{page_name(m.group(1))})', src)
            src = src.replace('](images/', '](nbs/images/')       # the book's images, seen from the repository's root
            parts.append(src)
        elif cell['cell_type'] == 'code' and not src.lstrip().startswith('#| hide'):
            parts.append(f'```python\n{src}\n```')
    return '<!-- Generated from nbs/index.ipynb by tools/make_readme.py: edit the notebook, not this file. -->\n\n' \
        + '\n\n'.join(parts).strip() + '\n'


if __name__ == '__main__':
    text, readme = render(), ROOT / 'README.md'
    if '--check' in sys.argv:
        if not readme.exists() or readme.read_text() != text:
            sys.exit('README.md is out of step with nbs/index.ipynb: run python tools/make_readme.py')
    else:
        readme.write_text(text)
