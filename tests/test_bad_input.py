"""Hard edges, as a user meets them: bad folders, files, checkpoints and arguments across the seven commands and the Python API.
Each gets one line on stderr that names the problem, exit status 2, no traceback, and no output file; and
every command runs with the network blocked.
(tests/test_cli.py holds more: missing and one-class folders, bad numbers, unwritable --out, checkpoint files that are not ones.)"""
import json, subprocess, sys, textwrap
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from test_cli import EXE, _write_folder

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope='module')
def d(tmp_path_factory):
    "Folders and files every case draws from."
    root = tmp_path_factory.mktemp('inputs')
    _write_folder(root / 'ok', ['a', 'b', 'c'], n=8)
    (root / 'empty').mkdir()
    for c in 'ab': (root / 'no_images' / c).mkdir(parents=True)
    _write_folder(root / 'corrupt', ['a', 'b'])
    (root / 'corrupt' / 'a' / 'broken.png').write_bytes(b'\x89PNG\r\n\x1a\n not really')
    (root / 'flat').mkdir()
    for i in range(4): Image.fromarray(np.full((20, 20), 60 * i, np.uint8)).save(root / 'flat' / f'{i}.png')
    (root / 'a_file').write_text('not a folder')
    (root / 'no_state').mkdir()
    model = root / 'model.pt'
    subprocess.run([EXE, 'fit', '--data', str(root / 'ok'), '--strategy', 'probe', '--steps', '5', '--out', str(model)], check=True, capture_output=True)
    tampered = torch.load(model, weights_only=True)
    tampered['arch'] = 'lenet'                                  # another architecture's name over these weights
    torch.save(tampered, root / 'tampered.pt')
    from torch.utils.data import DataLoader
    from tl_nb.core import fit, toy_blobs
    net = torch.nn.Linear(2, 3)                                  # fit's training state (last.pt), which is not a model
    fit(net, DataLoader(toy_blobs(), batch_size=32), 1, torch.optim.SGD(net.parameters(), lr=0.1), device='cpu', ckpt_dir=root / 'a_state', progress=False)
    return root


CASES = [   # (name, command line with {d} for the inputs' folder, what the one line must say)
    ('fit: empty folder', 'fit --data {d}/empty', 'has no class sub-folders'),
    ('fit: class folders without images', 'fit --data {d}/no_images', 'Class folders with no images'),
    ('fit: a corrupt image', 'fit --data {d}/corrupt', 'Cannot read image'),
    ('fit: --data is a file', 'fit --data {d}/a_file', 'No folder'),
    ('fit: images but no class folders', 'fit --data {d}/flat', 'has no class sub-folders'),
    ('fit: unknown backbone', 'fit --data {d}/ok --backbone vit-huge', "Unknown backbone 'vit-huge'"),
    ('predict: a folder without images', 'predict --model {d}/model.pt {d}/empty', 'No images'),
    ('predict: --model is a folder', 'predict --model {d}/ok {d}/ok', 'No checkpoint at'),
    ('predict: a corrupt image', 'predict --model {d}/model.pt {d}/corrupt/a/broken.png', 'Cannot read image'),
    ('predict: a tampered model', 'predict --model {d}/tampered.pt {d}/ok', 'do not fit the lenet model'),
    ('predict: a training state, not a model', 'predict --model {d}/a_state/last.pt {d}/ok', 'not a model saved by'),
    ('fewshot: missing folder', 'fewshot --data {d}/nowhere', 'No folder'),
    ('fewshot: one way', 'fewshot --data {d}/ok --ways 1', '--ways must be at least 2'),
    ('fewshot: more ways than classes', 'fewshot --data {d}/ok --ways 5', 'fewer than --ways 5'),
    ('fewshot: more shots than images', 'fewshot --data {d}/ok --ways 3 --shots 5 --queries 15', 'fewer than --shots + --queries'),
    ('fewshot: a missing --train folder', 'fewshot --data {d}/ok --ways 3 --shots 1 --queries 2 --train {d}/nowhere', 'No folder'),
    ('fewshot: unknown method', 'fewshot --data {d}/ok --method matching-nets', 'invalid choice'),
    ('fewshot: no episodes', 'fewshot --data {d}/ok --ways 3 --shots 1 --queries 2 --episodes 0', 'must be at least 1'),
    ('adapt: an empty target', 'adapt --source {d}/ok --target {d}/empty', 'No images'),
    ('adapt: a corrupt target image', 'adapt --source {d}/ok --target {d}/corrupt', 'Cannot read image'),
    ('adapt: unknown method', 'adapt --source {d}/ok --target {d}/flat --method cycada', 'invalid choice'),
    ('adapt: too few steps', 'adapt --source {d}/ok --target {d}/flat --steps 5', '--steps must be at least 10'),
    ('adapt: unwritable --out', 'adapt --source {d}/ok --target {d}/flat --out {d}/a_file/model.pt', 'cannot write --out'),
    ('rank: unknown backbone', 'rank --data {d}/ok --backbones conv4 vit-huge', "Unknown backbone 'vit-huge'"),
    ('rank: an empty folder', 'rank --data {d}/empty', 'has no class sub-folders'),
    ('rank: no class folders', 'rank --data {d}/flat', 'has no class sub-folders'),
    ('rank: negative labels per class', 'rank --data {d}/ok --labels-per-class -1', 'must be 0 (all) or more'),
    ('advise: no class folders', 'advise --data {d}/flat', 'has no class sub-folders'),
    ('advise: missing folder', 'advise --data {d}/nowhere', 'No folder'),
    ('advise: an empty target', 'advise --data {d}/ok --target {d}/empty', 'No images'),
    ('advise: class folders without images', 'advise --data {d}/no_images', 'Class folders with no images'),
    ('compare: a figure that is no image', 'compare --figure {d}/report.txt --quick', 'give a .png'),
]


@pytest.mark.parametrize('cmd, says', [(c, s) for _, c, s in CASES], ids=[n for n, _, _ in CASES])
def test_bad_input_gets_one_line_and_exit_2(d, tmp_path, cmd, says):
    out = tmp_path / 'out.pt'
    args = cmd.format(d=d).split()
    if args[0] == 'fit': args += ['--out', str(out), '--steps', '5']
    res = subprocess.run([EXE, *args], capture_output=True, text=True, timeout=600, cwd=tmp_path)
    lines = res.stderr.strip().splitlines()
    assert res.returncode == 2 and len(lines) == 1 and says in lines[0] and 'Traceback' not in res.stderr, res.stderr[-2000:]
    assert not out.exists() and not (tmp_path / 'tl-nb-model.pt').exists(), 'nothing half-written'


def test_at_least_thirty_kinds_across_every_command():
    commands = {c.split()[0] for _, c, _ in CASES}
    assert len(CASES) >= 30 and commands == {'fit', 'predict', 'fewshot', 'adapt', 'rank', 'advise', 'compare'}


def test_mixed_image_modes_and_a_huge_image_are_read(tmp_path):
    "Not errors: grey, RGB, RGBA, palette, 16-bit, 1-bit, CMYK and grey+alpha files in one folder, and a 4000×3000 photo, all train."
    for c, name in enumerate(['a', 'b']):
        (tmp_path / 'mixed' / name).mkdir(parents=True)
        for i, mode in enumerate(['L', 'RGB', 'RGBA', 'P', 'I;16', '1', 'CMYK', 'LA']):
            a = np.full((30, 34), 255, np.uint8); a[5:25, 4 + 12 * c: 12 + 12 * c] = 0
            Image.fromarray(a).convert('RGB' if mode == 'CMYK' else 'L').convert(mode).save(tmp_path / 'mixed' / name / f'{i}.{"jpg" if mode == "CMYK" else "png"}')
    Image.new('RGB', (4000, 3000), (250, 250, 250)).save(tmp_path / 'mixed' / 'a' / 'huge.png')
    res = subprocess.run([EXE, 'fit', '--data', str(tmp_path / 'mixed'), '--strategy', 'probe', '--steps', '5', '--out', str(tmp_path / 'm.pt'), '--json'],
                         capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr[-2000:]
    assert json.loads(res.stdout)['train_images'] + json.loads(res.stdout)['valid_images'] + json.loads(res.stdout)['test_images'] == 17


def test_python_api_bad_input_is_named():
    from tl_nb.data import ImageSet, digits
    from tl_nb.episodes import episode_loader
    from tl_nb.finetune import transfer
    from tl_nb.models import pretrained
    few = digits('train')
    with pytest.raises(ValueError, match='Conv4 expects images shaped'): pretrained('conv4-glyphs')(torch.rand(2, 3, 28, 28))     # colour into a grey body
    with pytest.raises(ValueError, match='Unknown strategy'): transfer('magic', few)
    with pytest.raises(ValueError, match='wants uint8 images'): ImageSet(torch.full((20, 1, 8, 8), float('nan')), torch.arange(20) % 2, ['a', 'b'])
    from torch.utils.data import DataLoader, TensorDataset
    from tl_nb.core import fit
    net = torch.nn.Linear(4, 2)                                   # NaN features through the plain-tensor path: the loop stops and says where
    nan = DataLoader(TensorDataset(torch.full((8, 4), float('nan')), torch.arange(8) % 2), batch_size=4)
    with pytest.raises(FloatingPointError, match='epoch 1, step 1'): fit(net, nan, 1, torch.optim.SGD(net.parameters(), lr=0.1), device='cpu', progress=False)
    with pytest.raises(ValueError): next(iter(episode_loader(few, 20, 5, 5, 1)))                    # 20 ways from 10 classes


GUARD = textwrap.dedent('''
    import socket, sys
    def refuse(*args, **kwargs): raise RuntimeError(f'network access attempted: {args[:2]}')
    socket.socket.connect = socket.socket.connect_ex = refuse
    socket.create_connection = socket.getaddrinfo = refuse
    from tl_nb.cli import main
    sys.exit(main(sys.argv[1:]))
''')


def test_every_command_runs_with_the_network_blocked(d, tmp_path):
    data, out = d / 'ok', tmp_path / 'm.pt'
    commands = [['fit', '--data', data, '--strategy', 'probe', '--steps', '5', '--out', out],
                ['predict', '--model', out, data],
                ['fewshot', '--data', data, '--ways', '3', '--shots', '1', '--queries', '2', '--episodes', '5'],
                ['adapt', '--source', data, '--target', d / 'flat', '--method', 'source-only', '--steps', '10'],
                ['rank', '--data', data],
                ['advise', '--data', data, '--target', d / 'flat'],
                ['compare', '--data', data, '--quick', '--steps', '3', '--seeds', '0', '--figure', tmp_path / 'c.png']]
    for cmd in commands:
        res = subprocess.run([sys.executable, '-c', GUARD, *map(str, cmd)], capture_output=True, text=True, timeout=600, cwd=tmp_path)
        assert res.returncode == 0, f'{cmd[0]}: {res.stderr[-1500:]}'
