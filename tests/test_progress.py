"""Progress bars as a reader sees them: a widget in a Jupyter kernel (JupyterLab, Colab), plain text in a terminal or a script.

`fit` and the protocol draw their bars with `tqdm.auto`, which picks the widget when it runs in a kernel with ipywidgets. The test
runs `fit` in a real kernel (ipykernel, through nbclient, as JupyterLab runs a cell) and in a plain process, and reads what each shows."""
import os
import subprocess
import sys

import nbformat
import pytest
from nbclient import NotebookClient

FIT = """
import torch
from torch.utils.data import DataLoader, TensorDataset
from tl_nb.core import fit
torch.manual_seed(0)
ds = TensorDataset(torch.randn(64, 4), torch.randint(0, 2, (64,)))
model = torch.nn.Linear(4, 2)
history = fit(model, DataLoader(ds, batch_size=16), 3, torch.optim.SGD(model.parameters(), lr=0.1), progress=True)
print('epochs', len(history))
"""


def _clean_env() -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ('IN_TEST', 'CI')}   # a reader's machine: bars are on by default
    return {**env, 'OMP_NUM_THREADS': '1'}


def test_a_kernel_shows_a_widget():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(FIT)])
    env = _clean_env()
    old = dict(os.environ)
    os.environ.clear(); os.environ.update(env)          # the kernel inherits this process's environment
    try: NotebookClient(nb, timeout=300, kernel_name='python3').execute()
    finally: os.environ.clear(); os.environ.update(old)
    outputs = nb.cells[0].outputs
    widgets = [o for o in outputs if o.output_type == 'display_data' and 'application/vnd.jupyter.widget-view+json' in o.data]
    assert widgets, f"fit's progress bar is not a widget in a kernel: {[o.output_type for o in outputs]}"
    text = ''.join(o.get('text', '') for o in outputs if o.output_type == 'stream')
    assert 'epochs 3' in text
    assert 'it/s' not in text and 'epoch/s' not in text and '%|' not in text, f"a text bar was printed as well: {text!r}"


def test_a_terminal_shows_text():
    r = subprocess.run([sys.executable, '-c', FIT], capture_output=True, text=True, env=_clean_env(), timeout=300)
    assert r.returncode == 0, r.stderr
    assert 'epochs 3' in r.stdout
    assert '3/3' in r.stderr and '|' in r.stderr, f"no text bar on stderr: {r.stderr!r}"


def test_tests_and_ci_show_no_bar():
    r = subprocess.run([sys.executable, '-c', FIT.replace('progress=True', 'progress=None')], capture_output=True, text=True,
                       env={**_clean_env(), 'CI': '1'}, timeout=300)
    assert r.returncode == 0, r.stderr
    assert '3/3' not in r.stderr, f"a bar under CI: {r.stderr!r}"
