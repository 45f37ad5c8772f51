"""The tl-nb command as a user runs it: a real subprocess, real arguments."""
import json, shutil, subprocess, sys

import pytest
from pathlib import Path

# the console script pip installed beside this interpreter (a venv's bin/), else the one on PATH
EXE = Path(sys.executable).with_name('tl-nb')
EXE = str(EXE) if EXE.exists() else shutil.which('tl-nb')


def tl_nb(*args, check=True, cwd=None):
    assert EXE, 'the tl-nb command is not installed: pip install -e .'
    return subprocess.run([EXE, *args], capture_output=True, text=True, check=check, timeout=600, cwd=cwd)


def test_compare_json_on_your_own_folder(tmp_path):
    data = _write_folder(tmp_path / 'mine', ['bar_left', 'bar_mid', 'bar_right'], n=10)
    figure = tmp_path / 'compare.png'
    report = json.loads(tl_nb('compare', '--data', str(data), '--quick', '--steps', '3', '--seeds', '0', '1', '--figure', str(figure), '--json',
                              cwd=tmp_path).stdout)
    task, = report['tasks']
    assert report['figure'] == str(figure) and figure.stat().st_size > 1000 and not (tmp_path / 'tl-nb-compare.png').exists()
    assert task['family'] == 'transfer with few labels' and task['task'] == 'mine (your images)'
    rows = {r['strategy']: r for r in task['results']}
    assert set(rows) == {'pixels', 'scratch', 'SimpleShot', 'probe', 'finetune'}
    for r in rows.values():     # SimpleShot alone has no setting to choose
        assert len(r['test_accs']) == 2 and r['test_acc_ci95'] is not None and r['seconds'] >= 0 and (r['setting'] or r['strategy'] == 'SimpleShot')
    assert set(rows['probe']['minus_scratch']) == {'mean', 'ci95', 'indistinguishable'}
    assert task['lesson'].startswith('Transfer') and 'mine' in task['conclusion']


@pytest.mark.parametrize('args, match', [(['--tasks', 'magic'], 'invalid choice'), (['--steps', '0'], '--steps must be at least 1'),
                                         (['--figure', '/proc/nowhere/f.png'], 'cannot write')])
def test_compare_rejects_bad_input(args, match):
    res = tl_nb('compare', *args, check=False)
    assert res.returncode == 2 and match in res.stderr and 'Traceback' not in res.stderr


def test_help_lists_the_commands():
    res = tl_nb('--help')
    assert all(cmd in res.stdout for cmd in ('compare', 'fit', 'predict', 'fewshot', 'adapt', 'rank'))


def _write_folder(root, classes, n=6, dark_on_light=True, rgb=False):
    """Tiny ImageFolder: class i is a bar at a different place; images of varied sizes."""
    import numpy as np
    from PIL import Image
    for c, name in enumerate(classes):
        (root / name).mkdir(parents=True, exist_ok=True)
        for i in range(n):
            a = np.zeros((30 + i, 34), np.uint8)
            a[5:25, 4 + 8 * c: 10 + 8 * c] = 255
            if dark_on_light: a = 255 - a
            im = Image.fromarray(a)
            (im.convert('RGB') if rgb else im).save(root / name / f'{i}.png')
    return root


def test_fit_on_a_tiny_folder_json(tmp_path):
    data = _write_folder(tmp_path / 'train', ['bar_left', 'bar_mid', 'bar_right'], rgb=True)
    valid = _write_folder(tmp_path / 'valid', ['bar_left', 'bar_mid', 'bar_right'], n=3, dark_on_light=False)
    out = tmp_path / 'model.pt'
    res = tl_nb('fit', '--data', str(data), '--valid', str(valid), '--strategy', 'probe', '--steps', '30', '--out', str(out), '--json')
    summary = json.loads(res.stdout)
    assert summary['strategy'] == 'probe' and summary['classes'] == ['bar_left', 'bar_mid', 'bar_right']
    assert summary['train_images'] == 15 and summary['valid_images'] == 9 and summary['test_images'] == 3 and summary['seconds'] > 0
    assert summary['valid_acc'] >= 2 / 3 and summary['test_acc'] >= 2 / 3     # three easy classes, either ink polarity
    import torch
    saved = torch.load(out, weights_only=True)
    assert saved['classes'] == summary['classes'] and 'head.1.weight' in saved['model']


@pytest.mark.parametrize('case, match', [
    ('missing', 'one sub-folder per class'),
    ('one_class', 'at least two class'),
    ('valid_mismatch', 'same class sub-folders'),
    ('bad_strategy', 'invalid choice'),
])
def test_fit_bad_input_gives_a_clear_error(tmp_path, case, match):
    data = _write_folder(tmp_path / 'train', ['a', 'b'])
    args = {'missing': ['--data', str(tmp_path / 'nowhere')],
            'one_class': ['--data', str(_write_folder(tmp_path / 'single', ['only']))],
            'valid_mismatch': ['--data', str(data), '--valid', str(_write_folder(tmp_path / 'v', ['a', 'c']))],
            'bad_strategy': ['--data', str(data), '--strategy', 'magic']}[case]
    res = tl_nb('fit', *args, '--out', str(tmp_path / 'm.pt'), check=False)
    assert res.returncode == 2 and match in res.stderr and 'Traceback' not in res.stderr
    assert not (tmp_path / 'm.pt').exists()


def test_help_does_not_import_torch():
    code = ("import sys\nfrom tl_nb.cli import main\ntry: main(['--help'])\nexcept SystemExit: pass\n"
            "print('torch' in sys.modules)")
    res = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True)
    assert res.stdout.strip().endswith('False') and 'predict' in res.stdout


@pytest.mark.parametrize('args, match', [
    (['--epochs', '-3'], '--epochs must be at least 1'),
    (['--steps', '0'], '--steps must be at least 1'),
    (['--labels-per-class', '-1'], '--labels-per-class must be 0'),
])
def test_fit_rejects_bad_numbers_before_any_work(tmp_path, args, match):
    res = tl_nb('fit', *args, '--out', str(tmp_path / 'm.pt'), check=False)
    assert res.returncode == 2 and match in res.stderr and 'Traceback' not in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1 and not (tmp_path / 'm.pt').exists()


def test_fit_rejects_an_unwritable_out_before_training(tmp_path):
    blocker = tmp_path / 'a-file'
    blocker.write_text('')
    res = tl_nb('fit', '--out', str(blocker / 'model.pt'), check=False)
    assert res.returncode == 2 and 'cannot write --out' in res.stderr and 'Traceback' not in res.stderr
    res = tl_nb('fit', '--out', str(tmp_path), check=False)
    assert res.returncode == 2 and 'is a folder' in res.stderr


def test_predict_round_trips_a_model_saved_by_fit(tmp_path):
    classes = ['bar_left', 'bar_mid', 'bar_right']
    data = _write_folder(tmp_path / 'train', classes)
    out = tmp_path / 'model.pt'
    tl_nb('fit', '--data', str(data), '--strategy', 'probe', '--steps', '30', '--out', str(out), '--json')
    new = _write_folder(tmp_path / 'new', classes, n=2, rgb=True)     # unseen images, in colour this time
    res = tl_nb('predict', '--model', str(out), str(new), str(data / 'bar_mid' / '0.png'), '--json')
    result = json.loads(res.stdout)
    preds = result['predictions']
    assert len(preds) == 3 * 2 + 1 and result['model'] == str(out)
    assert all(p['class'] in classes and 0 < p['probability'] <= 1 for p in preds)
    assert sum(p['class'] == Path(p['path']).parent.name for p in preds) >= 5     # three easy classes
    lines = tl_nb('predict', '--model', str(out), str(data / 'bar_left' / '1.png')).stdout.strip().split('\t')
    assert lines[0].endswith('1.png') and lines[1] in classes


@pytest.mark.parametrize('case, match', [('missing_model', 'No checkpoint'), ('not_a_model', 'not a model saved by'),
                                         ('missing_image', 'No file or folder')])
def test_predict_bad_input_gives_one_line(tmp_path, case, match):
    import torch
    torch.save({'weights': torch.ones(2)}, tmp_path / 'weights.pt')
    model = {'missing_model': tmp_path / 'nope.pt', 'not_a_model': tmp_path / 'weights.pt', 'missing_image': tmp_path / 'weights.pt'}[case]
    image = tmp_path / ('nowhere.png' if case == 'missing_image' else '')
    if case == 'missing_image':   # a real model, so the image check is what fails
        data = _write_folder(tmp_path / 'train', ['a', 'b'])
        tl_nb('fit', '--data', str(data), '--strategy', 'probe', '--steps', '5', '--out', str(tmp_path / 'm.pt'))
        model = tmp_path / 'm.pt'
    res = tl_nb('predict', '--model', str(model), str(image), check=False)
    assert res.returncode == 2 and match in res.stderr and 'Traceback' not in res.stderr


def test_fewshot_on_a_tiny_folder_json(tmp_path):
    data = _write_folder(tmp_path / 'new_classes', [f'bar_{i}' for i in range(4)], n=5)
    out = tl_nb('fewshot', '--data', str(data), '--ways', '3', '--shots', '1', '--queries', '2', '--episodes', '20', '--json').stdout
    r = json.loads(out)
    assert (r['method'], r['ways'], r['shots'], r['episodes'], r['classes']) == ('simpleshot', 3, 1, 20, 4)   # the default learner
    assert 0 <= r['accuracy'] <= 1 and r['ci95'] is not None and r['ci95'] >= 0
    assert r['accuracy'] > 0.6       # bars at different places are easy for the shipped embedding


def test_fewshot_meta_trains_first_with_train(tmp_path):
    data = _write_folder(tmp_path / 'new_classes', [f'bar_{i}' for i in range(3)], n=4)
    train = _write_folder(tmp_path / 'other_classes', [f'other_{i}' for i in range(4)], n=4, dark_on_light=False)
    r = json.loads(tl_nb('fewshot', '--data', str(data), '--method', 'protonet', '--train', str(train), '--train-episodes', '2', '--ways', '3',
                         '--queries', '2', '--episodes', '5', '--json').stdout)
    assert r['trained_on'] == str(train) and r['ways'] == 3
    # and it meta-trains, once, on --train's classes (not on --data's) before it tests: the call seen from inside
    from unittest import mock
    import tl_nb.fewshot as fewshot
    from tl_nb.cli import fewshot_folder
    with mock.patch.object(fewshot, 'meta_fit', wraps=fewshot.meta_fit) as spy:
        fewshot_folder(data, ways=3, queries=2, episodes=5, method='protonet', train=train, train_episodes=2)
    assert spy.call_count == 1 and spy.call_args.args[2].classes == [f'other_{i}' for i in range(4)] and spy.call_args.args[6] == 2


def test_fewshot_simpleshot_runs_and_has_nothing_to_meta_train(tmp_path):
    data = _write_folder(tmp_path / 'new_classes', [f'bar_{i}' for i in range(4)], n=5)
    r = json.loads(tl_nb('fewshot', '--data', str(data), '--method', 'simpleshot', '--ways', '3', '--queries', '2', '--episodes', '20', '--json').stdout)
    assert r['method'] == 'simpleshot' and r['accuracy'] > 0.6
    res = tl_nb('fewshot', '--data', str(data), '--method', 'simpleshot', '--ways', '3', '--queries', '2', '--train', str(data), check=False)
    assert res.returncode == 2 and 'nothing to meta-train' in res.stderr and 'Traceback' not in res.stderr and len(res.stderr.strip().splitlines()) == 1


def test_fewshot_transductive_refines_with_each_episodes_queries(tmp_path):
    """`--method simpleshot-transductive` refines with the chapter's chosen setting, reading each episode's queries together (a spy on
    `soft_kmeans`); its accuracy is the rule's on the shipped body's features of the folder, recomputed by hand; nothing to meta-train."""
    from unittest import mock
    import torch
    import tl_nb.transductive as td
    from tl_nb.cli import fewshot_folder
    from tl_nb.data import image_folder
    from tl_nb.episodes import episode_loader
    from tl_nb.fewshot import embed, episode_accuracies, meta_trained
    from tl_nb.models import input_spec, prepare_for
    data = _write_folder(tmp_path / 'new_classes', [f'bar_{i}' for i in range(4)], n=6)
    with mock.patch.object(td, 'soft_kmeans', wraps=td.soft_kmeans) as spy:
        r = fewshot_folder(data, ways=3, shots=1, queries=4, episodes=20, method='simpleshot-transductive', progress=False)
    assert spy.call_count == 20 and {c.args[3:] for c in spy.call_args_list} == {(td.CHOSEN['temperature'], td.CHOSEN['iterations'])}
    width = meta_trained('simpleshot-transductive').out_features
    assert {tuple(c.args[2].shape) for c in spy.call_args_list} == {(3 * 4, width)}      # every query of the episode at once, as the body's feature vectors
    spec = input_spec('conv4-glyphs')
    features = embed(meta_trained('simpleshot-transductive'), prepare_for('conv4-glyphs', image_folder(data, size=spec['size'], channels=spec['in_channels'])))
    rule = td.TransductiveSimpleShot(**td.CHOSEN)
    by_hand = episode_accuracies(lambda ep: rule.predict(torch.nn.Identity(), ep), episode_loader(features, 3, 1, 4, 20, seed=0)).mean()
    assert r['method'] == 'simpleshot-transductive' and r['accuracy'] == pytest.approx(by_hand, abs=1e-6)
    res = tl_nb('fewshot', '--data', str(data), '--method', 'simpleshot-transductive', '--ways', '3', '--queries', '2', '--train', str(data), check=False)
    assert res.returncode == 2 and 'nothing to meta-train' in res.stderr and 'Traceback' not in res.stderr and len(res.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize('args, match', [
    (['--ways', '5'], 'fewer than --ways 5'),
    (['--ways', '3', '--shots', '3', '--queries', '3'], 'fewer than --shots + --queries = 6'),
    (['--method', 'maml', '--ways', '3'], '--train DIR'),
    (['--episodes', '0'], 'must be at least 1'),
    (['--method', 'magic'], 'invalid choice')])
def test_fewshot_bad_input_gives_one_line(tmp_path, args, match):
    data = _write_folder(tmp_path / 'new_classes', [f'bar_{i}' for i in range(4)], n=5)
    res = tl_nb('fewshot', '--data', str(data), *args, check=False)
    assert res.returncode == 2 and match in res.stderr and 'Traceback' not in res.stderr and len(res.stderr.strip().splitlines()) == 1


def test_adapt_grey_source_to_colour_target_json(tmp_path):
    source = _write_folder(tmp_path / 'source', ['a', 'b'], n=12)
    target = tmp_path / 'target'; target.mkdir()             # unlabelled: one flat folder of colour images
    from PIL import Image
    for i in range(16): Image.new('RGB', (20, 20), (40 * (i % 5), 200, 90)).save(target / f'{i}.png')
    out = tmp_path / 'adapted.pt'
    r = json.loads(tl_nb('adapt', '--source', str(source), '--target', str(target), '--method', 'dann', '--steps', '10',
                         '--out', str(out), '--json').stdout)
    assert (r['method'], r['channels'], r['target_images'], r['source_images'], r['target_acc']) == ('dann', 3, 16, 24, None)
    assert r['seconds'] > 0 and out.exists()
    preds = json.loads(tl_nb('predict', '--model', str(out), str(target / '0.png'), '--json').stdout)['predictions']
    assert preds[0]['class'] in ('a', 'b')                    # the adapted model is a normal tl-nb model


@pytest.mark.parametrize('method', ['iw', 'pixelda'])
def test_adapt_importance_weighting_and_pixelda_report_target_accuracy(tmp_path, method):
    source = _write_folder(tmp_path / 'source', ['a', 'b'], n=12)
    target = _write_folder(tmp_path / 'target', ['a', 'b'], n=8, dark_on_light=False)   # its class folders are ignored: unlabelled
    test = _write_folder(tmp_path / 'test', ['a', 'b'], n=4, dark_on_light=False)
    r = json.loads(tl_nb('adapt', '--source', str(source), '--target', str(target), '--target-test', str(test), '--method', method,
                         '--steps', '10', '--out', str(tmp_path / 'adapted.pt'), '--json').stdout)
    assert r['method'] == method and r['target_images'] == 16 and r['seconds'] > 0
    # the accuracy it reports is the saved model's on the test folder, as tl-nb predict measures it
    predicted = json.loads(tl_nb('predict', '--model', str(tmp_path / 'adapted.pt'), str(test), '--json').stdout)['predictions']
    hits = [Path(p['path']).parent.name == p['class'] for p in predicted]
    assert len(hits) == 8 and r['target_acc'] == pytest.approx(sum(hits) / len(hits))


@pytest.mark.parametrize('case, match', [('one_class', 'at least 2'), ('no_target', 'No file or folder'),
                                         ('test_classes', 'differ from the expected ones'), ('steps', '--steps must be at least 10')])
def test_adapt_bad_input_gives_one_line(tmp_path, case, match):
    source = _write_folder(tmp_path / 'source', ['a'] if case == 'one_class' else ['a', 'b'], n=6)
    target = _write_folder(tmp_path / 'target', ['x'], n=4)
    args = ['--source', str(source), '--target', str(tmp_path / 'nowhere' if case == 'no_target' else target)]
    if case == 'test_classes': args += ['--target-test', str(_write_folder(tmp_path / 'test', ['a', 'c'], n=3))]
    if case == 'steps': args += ['--steps', '5']
    res = tl_nb('adapt', *args, '--steps', '10', check=False) if case != 'steps' else tl_nb('adapt', *args, check=False)
    assert res.returncode == 2 and match in res.stderr and 'Traceback' not in res.stderr and len(res.stderr.strip().splitlines()) == 1


def test_rank_on_a_tiny_folder_json(tmp_path):
    data = _write_folder(tmp_path / 'train', ['bar_left', 'bar_mid', 'bar_right'], n=8)
    r = json.loads(tl_nb('rank', '--data', str(data), '--backbones', 'conv4-glyphs', 'conv4', '--json').stdout)
    assert r['images'] == 24 and r['classes'] == 3
    assert sorted(row['backbone'] for row in r['ranking']) == ['conv4', 'conv4-glyphs']
    assert r['ranking'][0]['LogME'] >= r['ranking'][1]['LogME'] and all(row['seconds'] >= 0 for row in r['ranking'])
    # the shipped backbone's scores are LogME and the H-score of its features on these images, computed here from scratch
    from tl_nb.data import image_folder
    from tl_nb.models import extract_features, input_spec, prepare_for, pretrained
    from tl_nb.transferability import h_score, logme
    spec = input_spec('conv4-glyphs')
    f, y = extract_features(pretrained('conv4-glyphs'), prepare_for('conv4-glyphs', image_folder(data, size=spec['size'], channels=spec['in_channels'])), device='cpu')
    row = next(row for row in r['ranking'] if row['backbone'] == 'conv4-glyphs')
    assert row['LogME'] == pytest.approx(logme(f, y), abs=1e-3) and row['H-score'] == pytest.approx(h_score(f, y), abs=1e-2)


def test_rank_rejects_an_unknown_backbone(tmp_path):
    data = _write_folder(tmp_path / 'train', ['a', 'b'])
    res = tl_nb('rank', '--data', str(data), '--backbones', 'conv4', 'vit-huge', check=False)
    assert res.returncode == 2 and "Unknown backbone 'vit-huge'" in res.stderr and len(res.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize('content, says', [(b'', 'is empty'), (b'class,probability\n', 'not a file torch.save wrote'), ('half', 'is truncated')])
def test_predict_with_a_model_file_that_is_no_checkpoint_gives_one_line(tmp_path, content, says):
    data = _write_folder(tmp_path / 'images', ['a'], n=1)
    weights = Path(__file__).resolve().parents[1] / 'tl_nb' / 'weights' / 'conv4-glyphs.pt'
    bad = tmp_path / 'model.pt'
    bad.write_bytes(weights.read_bytes()[:weights.stat().st_size // 2] if content == 'half' else content)
    res = tl_nb('predict', '--model', str(bad), str(data), check=False)
    assert res.returncode == 2 and says in res.stderr and 'Traceback' not in res.stderr and len(res.stderr.strip().splitlines()) == 1


def test_predict_with_a_hub_model(tmp_path):
    "A model built on a hub body (here timm's, random weights, no download) is saved by save_model and read back by tl-nb predict, which lets the body apply its own input contract."
    pytest.importorskip('timm')
    import torch
    from torch import nn
    from tl_nb.hubs import from_hub
    from tl_nb.models import Classifier, save_model
    torch.manual_seed(0)
    hub = from_hub('timm:resnet18', pretrained=False, size=32)
    model = Classifier(hub.body, nn.Linear(hub.body.out_features, 2)).eval()
    save_model(model, tmp_path / 'hub.pt', 'timm:resnet18', ['left', 'right'])
    data = _write_folder(tmp_path / 'images', ['left', 'right'], n=2, rgb=True)
    preds = json.loads(tl_nb('predict', '--model', str(tmp_path / 'hub.pt'), str(data), '--json').stdout)['predictions']
    from tl_nb.data import image_files, load_images
    files = image_files([data])
    x = load_images(files, 32, 3).float() / 255
    with torch.no_grad(): expected = model(x).softmax(1)
    assert [p['class'] for p in preds] == [['left', 'right'][i] for i in expected.argmax(1).tolist()]
    assert all(abs(p['probability'] - round(v, 4)) < 2e-3 for p, v in zip(preds, expected.max(1).values.tolist()))


def test_a_fresh_run_clears_an_older_state_and_records_its_settings(tmp_path):
    "What a --resume can continue is this run's state only: a fresh start removes whatever an older run left, then writes run.json."
    from tl_nb.cli import RUN_FILE, _check_resumable, _start_checkpoints
    for name in ('last.pt', 'best.pt'): (tmp_path / name).write_bytes(b'an older run')
    settings = {'data': '/a', 'valid': None, 'test': None, 'strategy': 'finetune', 'backbone': 'conv4-glyphs', 'steps': 10, 'epochs': None,
                'labels_per_class': 0, 'seed': 0}
    _start_checkpoints(tmp_path, settings)
    assert sorted(p.name for p in tmp_path.iterdir()) == [RUN_FILE]
    assert json.loads((tmp_path / RUN_FILE).read_text()) == settings
    (tmp_path / 'last.pt').write_bytes(b'this run')
    _check_resumable(tmp_path, settings)                                   # the same settings: accepted
    with pytest.raises(ValueError, match='--steps is 20, the interrupted run used 10'): _check_resumable(tmp_path, {**settings, 'steps': 20})


def _write_clips(root, n=8, seed=0):
    "Three sounds any spectrogram tells apart, as 16-bit .wav files at two sample rates: a low hum, a high whistle, an upward chirp."
    import numpy as np
    from scipy.io import wavfile
    rng = np.random.default_rng(seed)
    for kind in ('hum', 'whistle', 'chirp'):
        (root / kind).mkdir(parents=True)
        for i in range(n):
            sr = int(rng.choice([8000, 16000]))
            t = np.arange(int(sr * rng.uniform(0.6, 1.2))) / sr
            f = {'hum': rng.uniform(60, 100), 'whistle': rng.uniform(2000, 3000), 'chirp': None}[kind]
            x = np.sin(2 * np.pi * f * t) if f else np.sin(2 * np.pi * (300 * t + 2500 * t ** 2 / (2 * t[-1])))
            wavfile.write(root / kind / f'{i}.wav', sr, (rng.uniform(0.2, 0.8) * x * 32767).astype(np.int16))
    return root


def test_fit_and_predict_on_a_folder_of_wav_files(tmp_path):
    clips = _write_clips(tmp_path / 'clips')
    out = tmp_path / 'sounds.pt'
    summary = json.loads(tl_nb('fit', '--data', str(clips), '--strategy', 'finetune', '--steps', '60', '--out', str(out), '--json').stdout)
    assert summary['inputs'] == 'sound' and summary['classes'] == ['chirp', 'hum', 'whistle']
    assert summary['train_images'] + summary['valid_images'] + summary['test_images'] == 24
    assert summary['test_acc'] >= 2 / 3, summary              # chance is 1/3
    new = _write_clips(tmp_path / 'new', n=3, seed=1)         # unseen clips
    preds = json.loads(tl_nb('predict', '--model', str(out), str(new), '--json').stdout)['predictions']
    assert len(preds) == 9 and sum(p['class'] == Path(p['path']).parent.name for p in preds) >= 6, preds
    res = tl_nb('fit', '--data', str(clips), '--strategy', 'probe', '--steps', '5', '--out', str(out)).stdout
    assert 'clips' in res and 'images' not in res


def test_wav_and_images_in_one_folder_or_the_wrong_kind_give_one_line(tmp_path):
    clips = _write_clips(tmp_path / 'clips', n=3)
    _write_folder(tmp_path / 'pictures', ['hum'], n=1)
    shutil.copy(tmp_path / 'pictures' / 'hum' / '0.png', clips / 'hum' / 'extra.png')
    res = tl_nb('fit', '--data', str(clips), '--out', str(tmp_path / 'm.pt'), check=False)
    assert res.returncode == 2 and 'both images and .wav files' in res.stderr and 'Traceback' not in res.stderr
    (clips / 'hum' / 'extra.png').unlink()
    tl_nb('fit', '--data', str(clips), '--strategy', 'probe', '--steps', '5', '--out', str(tmp_path / 'm.pt'))
    res = tl_nb('predict', '--model', str(tmp_path / 'm.pt'), str(tmp_path / 'pictures' / 'hum' / '0.png'), check=False)
    assert res.returncode == 2 and 'trained on sound' in res.stderr and 'Traceback' not in res.stderr
