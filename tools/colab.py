"""Colab-ready chapters: an "Open in Colab" badge under each chapter's title and a first code cell that installs tl_nb in
Colab and does nothing elsewhere, both made from one setting, the `Repository` URL in pyproject.toml.

    python tools/colab.py            # add or refresh the two cells in every notebook of nbs/
    python tools/colab.py --check    # exit 1 when a notebook lacks them or they differ from the setting (tests/test_colab.py)

The badge image is shipped with the book (`nbs/images/colab-badge.svg`), so the site needs no third-party request. The
install cell's saved output is nothing, so `tools/chapter_stamps.py` leaves it out of a chapter's code hash.
"""
import argparse, re, sys, tomllib
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
INSTALL_MARK = '# In Colab, this installs tl_nb first; anywhere else it does nothing.'
BADGE_MARK = 'colab-badge.svg'
BRANCH = 'main'


def repository() -> str:
    "`owner/name` on GitHub, from `[project.urls] Repository` in pyproject.toml: the one setting the badges and install cells use."
    url = tomllib.loads((ROOT / 'pyproject.toml').read_text())['project']['urls']['Repository']
    m = re.fullmatch(r'https://github\.com/([\w.-]+/[\w.-]+?)/?', url)
    if not m: raise SystemExit(f'pyproject.toml: Repository {url!r} is not https://github.com/OWNER/NAME')
    return m.group(1)


def install_cell(repo: str) -> str:
    return ('#| hide\n' + INSTALL_MARK + '\n'
            'import sys\n'
            "if 'google.colab' in sys.modules:\n"
            '    import subprocess\n'
            f"    subprocess.run([sys.executable, '-m', 'pip', 'install', '-q', 'tl_nb[hubs] @ git+https://github.com/{repo}'], check=True)")


def badge_cell(repo: str, notebook: str) -> str:
    return (f'[![Open in Colab](images/{BADGE_MARK})](https://colab.research.google.com/github/{repo}/blob/{BRANCH}/nbs/{notebook})'
            ': run this notebook on a free GPU; its first cell installs tl_nb there.')


def is_install_cell(src: str) -> bool: return INSTALL_MARK in src.splitlines()[:3]


def is_badge_cell(src: str) -> bool: return BADGE_MARK in src and 'colab.research.google.com' in src


def notebooks() -> list:
    return sorted(p for p in (ROOT / 'nbs').glob('*.ipynb') if not p.name.startswith(('_', '.')))


def refreshed(nb, name: str, repo: str):
    "`nb` with its badge (right after the title cell) and install cell (the first code cell) as the setting says."
    cells = [c for c in nb.cells if not (c.cell_type == 'markdown' and is_badge_cell(c.source))
             and not (c.cell_type == 'code' and is_install_cell(c.source))]
    old = {('md' if is_badge_cell(c.source) else 'code'): c for c in nb.cells
           if (c.cell_type == 'markdown' and is_badge_cell(c.source)) or (c.cell_type == 'code' and is_install_cell(c.source))}
    badge, install = old.get('md') or nbformat.v4.new_markdown_cell(), old.get('code') or nbformat.v4.new_code_cell()
    badge.source, install.source = badge_cell(repo, name), install_cell(repo)     # keep the cells' ids: no churn in git
    install.outputs, install.execution_count = [], None
    nb.cells = cells[:1] + [badge, install] + cells[1:]
    return nb


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--check', action='store_true', help='change nothing; exit 1 if a notebook is not up to date')
    args, repo, stale = p.parse_args(argv), repository(), []
    for path in notebooks():
        nb = nbformat.read(path, as_version=4)
        before = [(c.cell_type, c.source) for c in nb.cells]
        nb = refreshed(nb, path.name, repo)
        if [(c.cell_type, c.source) for c in nb.cells] == before: continue
        stale.append(path.name)
        if not args.check: nbformat.write(nb, path)
    if args.check and stale:
        print(f'Not Colab-ready (run python tools/colab.py): {", ".join(stale)}', file=sys.stderr)
        return 1
    if stale and not args.check: print(f'updated {len(stale)} notebooks')
    return 0


if __name__ == '__main__': sys.exit(main())
