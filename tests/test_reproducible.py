"""The same seed gives the same numbers on the CPU however a chapter is run: in this process, on the worker thread
nbdev-test runs cells on, in a Jupyter kernel, and from the command line."""
import json, os, shutil, subprocess, sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

CODE = """import json
from tl_nb.cli import compare
print('RESULT', json.dumps({r.name: r.test for r in compare(tasks=('digits',), quick=True, seeds=(0,), steps=3, progress=False)[0].results}))"""
EXE = Path(sys.executable).with_name('tl-nb')
EXE = str(EXE) if EXE.exists() else shutil.which('tl-nb')


def _result(text: str) -> dict:
    return json.loads(next(line for line in text.splitlines() if line.startswith('RESULT '))[len('RESULT '):])


def test_same_seed_same_numbers_in_process_nbdev_kernel_and_cli(tmp_path):
    from tl_nb.cli import compare, format_report
    comparisons = compare(tasks=('digits',), quick=True, seeds=(0,), steps=3, progress=False)
    in_process = {r.name: r.test for r in comparisons[0].results}
    table = format_report(comparisons)              # what `tl-nb compare` prints without --json (one seed: no interval)
    assert table.startswith('## Transfer with few labels\n\n### digits') and '| strategy |' in table
    assert '(one run)' in table and '± 0.0' not in table and 'nan' not in table

    from execnb.shell import CaptureShell            # what nbdev-test runs cells with, on its own thread
    shell = CaptureShell()
    outputs = shell.run(CODE)
    under_nbdev = _result(''.join(''.join(o.get('text', '')) for o in outputs))

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(CODE)])
    NotebookClient(nb, timeout=600, kernel_name='python3', resources={'metadata': {'path': str(tmp_path)}}).execute()
    in_kernel = _result(''.join(o.get('text', '') for o in nb.cells[0].outputs))

    cli = json.loads(subprocess.run([EXE, 'compare', '--quick', '--tasks', 'digits', '--seeds', '0', '--steps', '3', '--figure', '', '--json'],
                                    capture_output=True, text=True, check=True).stdout)
    from_cli = {r['strategy']: r['test_accs'] for r in cli['tasks'][0]['results']}

    assert set(in_process) == {'pixels', 'scratch', 'SimpleShot', 'probe', 'finetune'}
    assert in_process == under_nbdev == in_kernel == from_cli
