"""The notebooks are the single source: exporting and cleaning them must change nothing that is committed."""
import shutil, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _bin(name):
    exe = Path(sys.executable).with_name(name)
    return str(exe) if exe.exists() else shutil.which(name)


def _snapshot(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for sub in ('nbs', 'tl_nb') for p in (folder / sub).rglob('*')
            if p.is_file() and '__pycache__' not in p.parts and '.ipynb_checkpoints' not in p.parts} \
        | {'pyproject.toml': (folder / 'pyproject.toml').read_bytes()}


def test_export_and_clean_change_nothing(tmp_path):
    work = tmp_path / 'repo'
    work.mkdir()
    for name in ('nbs', 'tl_nb'): shutil.copytree(ROOT / name, work / name, ignore=shutil.ignore_patterns('__pycache__'))
    shutil.copy(ROOT / 'pyproject.toml', work)
    before = _snapshot(work)
    for cmd in ('nbdev-export', 'nbdev-clean'):
        subprocess.run([_bin(cmd)], cwd=work, check=True, capture_output=True)
    after = _snapshot(work)
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    assert not changed, f'run nbdev-export and nbdev-clean, then commit: they change {changed}'


def test_readme_is_generated_from_index():
    res = subprocess.run([sys.executable, str(ROOT / 'tools' / 'make_readme.py'), '--check'], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr


def test_ci_runs_the_readme_test_command():
    readme, ci = (ROOT / 'README.md').read_text(), (ROOT / '.ci' / 'run').read_text()
    test_command = '.venv/bin/python -m pytest'
    assert f'```bash\n{test_command}\n```' in readme
    assert any(line.strip().startswith(test_command) for line in ci.splitlines())
