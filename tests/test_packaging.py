"""What pip installs: the wheel carries the package, its symbol index and the console script; the metadata is sane."""
import subprocess, sys, zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_contents(tmp_path):
    subprocess.run([sys.executable, '-m', 'pip', 'wheel', '--no-deps', '--no-build-isolation', '-q', '-w', str(tmp_path), str(ROOT)],
                   check=True, capture_output=True)
    wheel, = tmp_path.glob('tl_nb-*.whl')
    names = zipfile.ZipFile(wheel).namelist()
    for mod in ('core', 'data', 'models', 'glyphs', 'episodes', 'online', 'fewshot', 'protonets', 'maml', 'reptile', 'simpleshot', 'transductive', 'adapt', 'dann', 'importance', 'pixelda', 'mcc', 'fixmatch', 'shot', 'transferability', 'audio', 'selection', 'label_free', 'cli', '_modidx'):
        assert f'tl_nb/{mod}.py' in names
    assert {'tl_nb/weights/conv4-glyphs.pt', 'tl_nb/weights/conv4-128-glyphs.pt'} <= set(names)   # the shipped pretrained backbones (the wide one: SimpleShot's)
    assert {'tl_nb/datasets/spoken_words.npz', 'tl_nb/datasets/spoken_vocabulary.npz'} <= set(names)   # and the spoken words
    for method in ('protonet', 'maml', 'reptile'):           # and the meta-trained models tl-nb fewshot evaluates
        assert f'tl_nb/weights/conv4-{method}-glyphs.pt' in names
    meta = next(n for n in names if n.endswith('entry_points.txt'))
    entry_points = zipfile.ZipFile(wheel).read(meta).decode()
    assert 'tl-nb = tl_nb.cli:main' in entry_points and 'tl_nb = tl_nb._modidx:d' in entry_points
    assert not any(n.startswith(('nbs/', 'tests/')) for n in names)


def test_metadata_has_no_upper_pin_on_torch():
    text = (ROOT / 'pyproject.toml').read_text()
    assert 'requires-python = ">=3.10"' in text
    assert '"torch>=' in text and '"torch<' not in text and 'torch==' not in text


def test_version_is_exported():
    import tl_nb
    assert tl_nb.__version__.count('.') == 2
