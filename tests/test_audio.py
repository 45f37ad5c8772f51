"""tl_nb.audio against librosa (the reference implementation of the mel filterbank and the log-mel spectrogram), and the
shipped spoken-word dataset against the script that builds it."""
import os, shutil, sys
from pathlib import Path

import numpy as np
import pytest
import torch

from tl_nb.audio import SPOKEN_VOCABULARY, SPOKEN_WORDS, DATASETS_DIR, log_mel, mel_filterbank, spectrogram_image

ROOT = Path(__file__).resolve().parents[1]
librosa = pytest.importorskip('librosa')   # in the dev extra: CI always has it


@pytest.mark.parametrize('sr, n_fft, n_mels, fmin, fmax', [(16000, 512, 40, 0.0, None), (22050, 1024, 64, 20.0, 8000.0),
                                                           (16000, 400, 32, 0.0, None), (8000, 256, 20, 100.0, 3000.0), (16000, 401, 32, 0.0, None)])   # an odd n_fft too
def test_mel_filterbank_is_librosas(sr, n_fft, n_mels, fmin, fmax):
    ref = librosa.filters.mel(sr=sr, n_fft=n_fft, n_mels=n_mels, fmin=fmin, fmax=fmax)     # Slaney scale and area norm, librosa's defaults
    np.testing.assert_allclose(mel_filterbank(sr, n_fft, n_mels, fmin, fmax).numpy(), ref, rtol=1e-5, atol=1e-9)


@pytest.mark.parametrize('n_mels, n_fft, hop, top_db', [(40, 512, 160, 80.0), (32, 400, 100, 60.0)])
def test_log_mel_is_librosas(n_mels, n_fft, hop, top_db):
    g = np.random.default_rng(0)
    t = np.arange(12000) / 16000
    x = (0.4 * np.sin(2 * np.pi * (150 + 2000 * t) * t) * np.exp(-3 * t) + 0.01 * g.standard_normal(len(t))).astype(np.float32)
    ref = librosa.power_to_db(librosa.feature.melspectrogram(y=x, sr=16000, n_fft=n_fft, hop_length=hop, n_mels=n_mels),
                              ref=np.max, top_db=top_db)
    ours = log_mel(torch.from_numpy(x), 16000, n_mels=n_mels, n_fft=n_fft, hop=hop, top_db=top_db).numpy()
    assert ours.shape == ref.shape
    np.testing.assert_allclose(ours, ref, atol=0.01)           # hundredths of a dB: float32 against librosa's float32


def test_a_louder_copy_gives_the_same_image():
    x = torch.sin(2 * np.pi * 440 * torch.arange(16000) / 16000) * torch.linspace(0, 1, 16000)
    for quiet in (0.1, 1e-2, 1e-4):     # a whisper: its decibels are relative to its own loudest bin, not to an absolute floor
        assert (spectrogram_image(quiet * x, 16000).int() - spectrogram_image(0.9 * x, 16000).int()).abs().max() <= 1, quiet


def _make_speech():
    sys.path.insert(0, str(ROOT / 'tools'))
    import make_speech
    return make_speech


@pytest.mark.parametrize('vocabulary', [False, True], ids=['words', 'vocabulary'])
def test_the_shipped_file_is_the_scripts_plan(vocabulary):
    "Every clip's word, accent, voice, split, rate and pitch are those tools/make_speech.py draws (without espeak-ng)."
    ms = _make_speech()
    plan, words = (ms.plan_vocabulary(), ms.VOCABULARY) if vocabulary else (ms.plan(), ms.WORDS)
    with np.load(DATASETS_DIR / (SPOKEN_VOCABULARY if vocabulary else SPOKEN_WORDS)['file']) as d:
        accents, variants = list(d['accents']), list(d['variants'])
        assert list(d['words']) == list(words) and len(d['images']) == len(plan)
        assert [accents[a] for a in d['accent']] == [c['accent'] for c in plan]
        assert [variants[v] for v in d['variant']] == [c['variant'] for c in plan]
        assert d['word'].tolist() == [c['word'] for c in plan] and d['rate'].tolist() == [c['rate'] for c in plan]
        assert d['pitch'].tolist() == [c['pitch'] for c in plan] and d['test'].tolist() == [c['split'] == 'test' for c in plan]
        assert d['foreign'].tolist() == [c['domain'] == 'foreign' for c in plan]


@pytest.mark.parametrize('vocabulary', [False, True], ids=['words', 'vocabulary'])
def test_the_shipped_clips_rebuild_from_the_script(vocabulary):
    if not shutil.which('espeak-ng'):
        assert not os.environ.get('TL_NB_REQUIRE_ESPEAK'), 'espeak-ng is not installed (apt-get install espeak-ng), and CI requires this check'
        pytest.skip('espeak-ng is not installed (apt-get install espeak-ng)')
    assert _make_speech().check(every=97, vocabulary=vocabulary) == 0
