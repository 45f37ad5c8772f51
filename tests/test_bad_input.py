"""Hard edges, as a user meets them: bad folders, files, checkpoints and arguments across the seven commands and the Python API.
Each gets one line on stderr that names the problem, exit status 2, no traceback, and no output file; a `tl-nb fit` killed with
SIGKILL mid-training and resumed ends with the weights of an uninterrupted run; every command runs with the network blocked.
(tests/test_cli.py holds more: missing and one-class folders, bad numbers, unwritable --out, checkpoint files that are not ones.)"""
import json, os, signal, subprocess, sys, textwrap, time
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
    lenet_state = root / 'lenet_state'                          # fit's training state of another network
    subprocess.run([EXE, 'fit', '--data', str(root / 'ok'), '--strategy', 'scratch', '--backbone', 'lenet', '--steps', '5',
                    '--checkpoints', str(lenet_state), '--out', str(root / 'lenet.pt')], check=True, capture_output=True)
    (root / 'truncated_state').mkdir()
    state = (lenet_state / 'last.pt').read_bytes()
    (root / 'truncated_state' / 'last.pt').write_bytes(state[:len(state) // 2])
    (root / 'other_state').mkdir()                              # the same state without the run's record: only its shapes can tell
    (root / 'other_state' / 'last.pt').write_bytes(state)
    return root


CASES = [   # (name, command line with {d} for the inputs' folder, what the one line must say)
    ('fit: empty folder', 'fit --data {d}/empty', 'has no class sub-folders'),
    ('fit: class folders without images', 'fit --data {d}/no_images', 'Class folders with no images'),
    ('fit: a corrupt image', 'fit --data {d}/corrupt', 'Cannot read image'),
    ('fit: --data is a file', 'fit --data {d}/a_file', 'No folder'),
    ('fit: images but no class folders', 'fit --data {d}/flat', 'has no class sub-folders'),
    ('fit: unknown backbone', 'fit --data {d}/ok --backbone vit-huge', "Unknown backbone 'vit-huge'"),
    ('fit: --resume without --checkpoints', 'fit --data {d}/ok --resume', '--resume needs --checkpoints'),
    ('fit: --resume from a folder without a state', 'fit --data {d}/ok --resume --checkpoints {d}/no_state', 'holds no last.pt'),
    ('fit: --checkpoints is a file', 'fit --data {d}/ok --checkpoints {d}/a_file', 'is a file; give a folder'),
    ('fit: --checkpoints under a file', 'fit --data {d}/ok --checkpoints {d}/a_file/runs', 'cannot write --checkpoints'),
    ('fit: --checkpoints for the probe', 'fit --data {d}/ok --strategy probe --checkpoints {d}/probe_state', 'saves no state'),
    ('fit: --resume with another seed', 'fit --data {d}/ok --strategy scratch --backbone lenet --resume --checkpoints {d}/lenet_state --seed 1',
     '--seed is 1, the interrupted run used 0'),
    ('fit: --resume with another backbone', 'fit --data {d}/ok --strategy scratch --resume --checkpoints {d}/lenet_state',
     '--backbone is conv4-glyphs, the interrupted run used lenet'),
    ('fit: --resume on other data', 'fit --data {d}/corrupt --strategy scratch --backbone lenet --resume --checkpoints {d}/lenet_state',
     'the interrupted run used'),
    ('fit: --resume from a truncated state', 'fit --data {d}/ok --resume --checkpoints {d}/truncated_state', 'is truncated'),
    ('fit: --resume from another network\'s state', 'fit --data {d}/ok --strategy scratch --resume --checkpoints {d}/other_state',
     'saved by another model or run'),
    ('predict: a folder without images', 'predict --model {d}/model.pt {d}/empty', 'No images'),
    ('predict: --model is a folder', 'predict --model {d}/ok {d}/ok', 'No checkpoint at'),
    ('predict: a corrupt image', 'predict --model {d}/model.pt {d}/corrupt/a/broken.png', 'Cannot read image'),
    ('predict: a tampered model', 'predict --model {d}/tampered.pt {d}/ok', 'do not fit the lenet model'),
    ('predict: a training state, not a model', 'predict --model {d}/lenet_state/last.pt {d}/ok', 'not a model saved by'),
    ('fewshot: missing folder', 'fewshot --data {d}/nowhere', 'No folder'),
    ('fewshot: one way', 'fewshot --data {d}/ok --ways 1', '--ways must be at least 2'),
    ('fewshot: more ways than classes', 'fewshot --data {d}/ok --ways 5', 'fewer than --ways 5'),
    ('fewshot: more shots than images', 'fewshot --data {d}/ok --ways 3 --shots 5 --queries 15', 'fewer than --shots + --queries'),
    ('fewshot: a missing --train folder', 'fewshot --data {d}/ok --method protonet --ways 3 --shots 1 --queries 2 --train {d}/nowhere', 'No folder'),
    ('fewshot: unknown method', 'fewshot --data {d}/ok --method matching-nets', 'invalid choice'),
    ('fewshot: no episodes', 'fewshot --data {d}/ok --ways 3 --shots 1 --queries 2 --episodes 0', 'must be at least 1'),
    ('adapt: the target is the source', 'adapt --source {d}/ok --target {d}/ok', '--target is --source'),
    ('adapt: the target inside the source', 'adapt --source {d}/ok --target {d}/ok/a', 'one inside the other'),
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
    ('compare: no class folders', 'compare --data {d}/flat --quick', 'has no class sub-folders'),
    ('compare: one episode', 'compare --episodes 1 --quick', '--episodes must be at least 2'),
    ('compare: no steps', 'compare --steps 0 --quick', '--steps must be at least 1'),
    ('compare: a figure that is no image', 'compare --figure {d}/report.txt --quick', 'give a .png'),
    ('compare: --tasks with --data', 'compare --data {d}/ok --tasks characters-5', '--data runs the transfer family'),
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


def _state_dict(path) -> dict: return torch.load(path, weights_only=True)['model']


def test_fit_killed_mid_training_and_resumed_ends_as_an_uninterrupted_run(tmp_path):
    data = _write_folder(tmp_path / 'data', ['a', 'b', 'c'], n=12)
    base = [EXE, 'fit', '--data', str(data), '--strategy', 'scratch', '--backbone', 'lenet', '--steps', '400']
    subprocess.run(base + ['--checkpoints', str(tmp_path / 'whole'), '--out', str(tmp_path / 'whole.pt')], check=True, capture_output=True, timeout=600)
    state = tmp_path / 'broken' / 'last.pt'
    run = subprocess.Popen(base + ['--checkpoints', str(state.parent), '--out', str(tmp_path / 'resumed.pt')], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline, saved = time.time() + 300, None
    while run.poll() is None and time.time() < deadline:           # until two epochs are saved: then kill it inside a later one
        try: saved = torch.load(state, weights_only=True)
        except (FileNotFoundError, RuntimeError, EOFError): saved = None
        if saved is not None and saved['epoch'] >= 2: break
        time.sleep(0.05)
    assert run.poll() is None, 'the run ended before it could be killed: give it more steps'
    os.kill(run.pid, signal.SIGKILL); run.wait()
    at_kill = torch.load(state, weights_only=True)
    assert at_kill['epoch'] >= 2 and not at_kill['stopped'], 'killed mid-training, not after its last epoch'
    assert not (tmp_path / 'resumed.pt').exists()
    subprocess.run(base + ['--checkpoints', str(state.parent), '--resume', '--out', str(tmp_path / 'resumed.pt')], check=True, capture_output=True, timeout=600)
    after = torch.load(state, weights_only=True)
    assert after['history'][:at_kill['epoch']] == at_kill['history'], 'the resumed run trained its first epochs again'   # their seconds too
    whole, resumed = _state_dict(tmp_path / 'whole.pt'), _state_dict(tmp_path / 'resumed.pt')
    assert whole.keys() == resumed.keys() and all(torch.equal(whole[k], resumed[k]) for k in whole)


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
