"""The wheel, installed as a user installs it: not editable, in a fresh virtual environment, with only the dependencies it
declares. It must run `tl-nb --help`, a quick compare task and `tl-nb fewshot` on a tiny folder, offline.

torch and torchvision (several GB) are not unpacked again: their installed files are linked into the new environment,
with what they require and nothing else, so pip sees them installed and resolves every other dependency itself."""
import importlib.metadata as md
import json, os, re, shutil, subprocess, sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
PROVIDED = ('torch', 'torchvision')


def _requirements(name: str, seen: set) -> set:
    "`name` and every distribution it requires on this machine, recursively (extras left out)."
    key = re.sub(r'[-_.]+', '-', name).lower()
    if key in seen: return seen
    try: dist = md.distribution(name)
    except md.PackageNotFoundError: return seen            # an optional or platform-specific requirement not installed here
    seen.add(key)
    for req in dist.requires or []:
        if 'extra ==' in req: continue
        spec, _, marker = req.partition(';')
        if marker.strip() and not _marker_holds(marker): continue
        _requirements(re.match(r'[A-Za-z0-9_.\-]+', spec.strip()).group(0), seen)
    return seen


def _marker_holds(marker: str) -> bool:
    from packaging.markers import Marker
    return Marker(marker.strip()).evaluate()


def _link_installed(names, into: Path):
    "Symlink the installed files of these distributions (their packages, modules and metadata) into `into`."
    into.mkdir()
    for name in names:
        dist = md.distribution(name)
        base = Path(dist.locate_file(''))
        for top in {Path(f).parts[0] for f in dist.files or [] if not str(f).startswith('..')}:
            src, dst = base / top, into / top
            if src.exists() and not dst.exists() and top != '__pycache__': dst.symlink_to(src)


def _folder(root: Path, classes, n: int) -> Path:
    rng = np.random.default_rng(0)
    for i, c in enumerate(classes):
        (root / c).mkdir(parents=True)
        for k in range(n):
            img = np.full((28, 28), 255, np.uint8); img[4:24, 3 + 6 * i:7 + 6 * i] = rng.integers(0, 60)   # a dark bar per class
            Image.fromarray(img).save(root / c / f'{k}.png')
    return root


def test_the_wheel_installs_in_a_fresh_venv_and_runs_offline(tmp_path):
    # built from a copy of the sources: setuptools writes build/ and *.egg-info next to them, which must not race with other tests
    src = tmp_path / 'src'
    top = lambda d, names: [n for n in names if Path(d) == ROOT and (n.startswith(('.', '_')) or n in ('nbs', 'tests', 'build') or n.endswith('.egg-info'))]
    shutil.copytree(ROOT, src, ignore=top)
    subprocess.run([sys.executable, '-m', 'pip', 'wheel', '--no-deps', '--no-build-isolation', '-q', '-w', str(tmp_path / 'dist'), str(src)],
                   check=True, capture_output=True)
    wheel, = (tmp_path / 'dist').glob('tl_nb-*.whl')
    venv = tmp_path / 'venv'
    subprocess.run([sys.executable, '-m', 'venv', str(venv)], check=True)
    py = venv / 'bin' / 'python'
    site = Path(subprocess.run([str(py), '-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'], capture_output=True, text=True, check=True).stdout.strip())
    _link_installed(sorted(set().union(*(_requirements(n, set()) for n in PROVIDED))), tmp_path / 'provided')
    (site / 'provided.pth').write_text(str(tmp_path / 'provided') + '\n')
    env = {k: v for k, v in os.environ.items() if k not in ('PYTHONPATH', 'VIRTUAL_ENV')}
    res = subprocess.run([str(py), '-m', 'pip', 'install', '-q', '--no-compile', str(wheel)], capture_output=True, text=True, env=env)
    if res.returncode and re.search(r'No matching distribution|Could not find a version|NewConnectionError|Network is unreachable', res.stderr):
        pytest.skip(f'no package index to install the dependencies from: {res.stderr.strip().splitlines()[-1][:200]}')
    assert res.returncode == 0, res.stderr[-2000:]
    # installed, not editable, and without the development tools
    where = subprocess.run([str(py), '-c', 'import tl_nb, importlib.util as u; print(tl_nb.__file__); print(u.find_spec("nbdev"), u.find_spec("pytest"))'],
                           capture_output=True, text=True, env=env, cwd=tmp_path)
    assert where.returncode == 0, where.stderr[-2000:]
    assert str(site) in where.stdout and 'None None' in where.stdout, where.stdout
    tl_nb = lambda *args: subprocess.run([str(venv / 'bin' / 'tl-nb'), *args], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600)
    res = tl_nb('--help')
    assert res.returncode == 0 and 'compare' in res.stdout and 'fewshot' in res.stdout
    res = tl_nb('compare', '--tasks', 'characters-5-way', '--episodes', '20', '--json', '--figure', str(tmp_path / 'compare.png'))
    assert res.returncode == 0, res.stderr[-2000:]
    tables = json.loads(res.stdout)['tasks']
    assert [r['strategy'] for r in tables[0]['results']] == ['pixels', 'supervised Conv-4', 'ProtoNet', 'SimpleShot', 'transductive SimpleShot'] and (tmp_path / 'compare.png').stat().st_size > 0
    res = tl_nb('fewshot', '--data', str(_folder(tmp_path / 'bars', ['a', 'b', 'c'], 4)), '--ways', '3', '--queries', '2', '--episodes', '5', '--json')
    assert res.returncode == 0, res.stderr[-2000:]
    assert json.loads(res.stdout)['accuracy'] > 0.5                       # three bars: the shipped ProtoNet tells them apart
