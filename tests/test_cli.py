"""The tl-nb command as a user runs it: a real subprocess, real arguments."""
import json, shutil, subprocess, sys
from pathlib import Path

# the console script pip installed beside this interpreter (a venv's bin/), else the one on PATH
EXE = Path(sys.executable).with_name('tl-nb')
EXE = str(EXE) if EXE.exists() else shutil.which('tl-nb')


def tl_nb(*args, check=True):
    assert EXE, 'the tl-nb command is not installed: pip install -e .'
    return subprocess.run([EXE, *args], capture_output=True, text=True, check=check, timeout=600)


def test_compare_json():
    out = tl_nb('compare', '--epochs', '3', '--seeds', '0', '--json').stdout
    result = json.loads(out)
    assert result['task'] == 'digits'
    rows = {r['strategy']: r for r in result['results']}
    assert set(rows) == {'pixels-logreg', 'scratch'}
    assert rows['pixels-logreg']['test_acc'] > 0.8     # a linear model on pixels is strong on digits
    for r in rows.values():
        assert 0 <= r['test_acc'] <= 1 and r['seconds'] > 0 and r['labels_per_class'] == 10


def test_compare_table():
    out = tl_nb('compare', '--strategies', 'pixels-logreg', '--seeds', '0', '1').stdout
    assert out.splitlines()[0].startswith('| strategy |') and 'pixels-logreg' in out


def test_unknown_strategy_is_rejected_with_the_choices():
    res = tl_nb('compare', '--strategies', 'magic', check=False)
    assert res.returncode == 2 and 'pixels-logreg' in res.stderr


def test_help_lists_the_commands():
    res = tl_nb('--help')
    assert 'compare' in res.stdout
