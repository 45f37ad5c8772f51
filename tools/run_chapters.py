"""Run chapters top to bottom in a fresh Jupyter kernel, as a reader does (`slow` and `gpu` cells included), and save their outputs.

    python tools/run_chapters.py                 # every notebook in nbs/
    python tools/run_chapters.py nbs/11_finetune.ipynb nbs/07_pretrain.ipynb

Each notebook runs in its own kernel with nbs/ as the working directory; on success its outputs are written back, the
notebook is stamped with the hashes of its code and of the tl_nb modules it uses (`tools/chapter_stamps.py`: a test fails
when the code changes after the outputs were saved), and `nbdev-clean` strips the rest of the metadata. A failing cell
stops that notebook (its file is left as it was) and the command exits non-zero. `gpu` cells print one line and move on
where there is no GPU or no internet.
"""
import argparse, os, re, subprocess, sys, time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

sys.path.insert(0, str(Path(__file__).resolve().parent))
from chapter_stamps import stamp

ROOT = Path(__file__).resolve().parents[1]


def runs(cell) -> bool:
    "False for a code cell marked `#| eval: false` (shown in the book, never run), as nbdev's own runner does."
    return not any(re.match(r'#\|\s*eval:\s*false\s*$', line.strip()) for line in cell.source.splitlines() if line.startswith('#|'))


def run(path: Path, timeout: int) -> float:
    nb = nbformat.read(path, as_version=4)
    skipped = [c for c in nb.cells if c.cell_type == 'code' and not runs(c)]
    nb.cells = [c for c in nb.cells if c.cell_type != 'code' or runs(c)]
    t0 = time.perf_counter()
    NotebookClient(nb, timeout=timeout, kernel_name='python3', resources={'metadata': {'path': str(path.parent)}}).execute()
    original = nbformat.read(path, as_version=4)      # put the executed cells back in place, the skipped ones untouched
    executed = {c.id: c for c in nb.cells}
    original.cells = [executed.get(c.id, c) for c in original.cells]
    nbformat.write(original, path)
    stamp(path)
    return time.perf_counter() - t0


def main(argv=None) -> int:
    os.environ['IN_TEST'] = '1'    # the kernels inherit it: no progress bars in the saved outputs (as under nbdev-test)
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('notebooks', nargs='*', type=Path, help='notebooks to run (default: every one in nbs/)')
    p.add_argument('--timeout', type=int, default=3600, help='seconds per cell')
    args = p.parse_args(argv)
    paths = args.notebooks or sorted(p for p in (ROOT / 'nbs').glob('*.ipynb') if not p.name.startswith(('_', '.')))
    failed = []
    for path in paths:
        print(f'{path.name} ...', end=' ', flush=True)
        try: print(f'{run(path.resolve(), args.timeout):.0f} s', flush=True)
        except Exception as e:
            print(f'FAILED: {type(e).__name__}: {str(e).strip().splitlines()[-1] if str(e).strip() else ""}', flush=True)
            failed.append(path.name)
    clean = Path(sys.executable).with_name('nbdev-clean')   # the one beside this interpreter (a venv's bin/), else PATH's
    subprocess.run([str(clean) if clean.exists() else 'nbdev-clean'], cwd=ROOT, check=False)
    if failed: print('failed:', ', '.join(failed), file=sys.stderr)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
