"""The torchvision wrappers, on tiny files written in each dataset's real on-disk format (no download).

torchvision checks the MD5 of the real SVHN, Omniglot and Flowers102 archives, which no fake file can pass,
so those tests bypass only that check (`_check_integrity`); everything after it (parsing, our conversion) runs.
"""
import bz2, struct

import numpy as np
import pytest
import torch
import torchvision.datasets as tvd
from PIL import Image

from tl_nb.online import torchvision_set


def write_idx(path, array, magic):
    path.write_bytes(struct.pack('>I', magic) + b''.join(struct.pack('>I', d) for d in array.shape) + array.astype(np.uint8).tobytes())


def test_mnist_idx_files(tmp_path):
    raw = tmp_path / 'MNIST' / 'raw'
    raw.mkdir(parents=True)
    imgs = np.zeros((6, 28, 28), np.uint8); imgs[:, 10:18, 12:16] = 255
    labels = np.array([3, 1, 4, 1, 5, 9])
    for prefix in ('train', 't10k'):
        write_idx(raw / f'{prefix}-images-idx3-ubyte', imgs, 0x803)
        write_idx(raw / f'{prefix}-labels-idx1-ubyte', labels, 0x801)
    ds = torchvision_set('mnist', root=tmp_path, split='test')
    assert ds.shape == (1, 28, 28) and ds.labels.tolist() == labels.tolist() and ds.classes[9] == '9'
    assert ds.images.max() == 255 and ds.name == 'mnist-test'
    assert torchvision_set('mnist', root=tmp_path, size=32).shape == (1, 32, 32)


def test_usps_bz2_libsvm(tmp_path):
    lines = []
    for label in (1, 10, 3):   # USPS stores digit d as label d + 1
        pixels = np.full(256, -1.0); pixels[100:140] = 1.0
        lines.append(f'{label} ' + ' '.join(f'{i + 1}:{v:.4f}' for i, v in enumerate(pixels)))
    (tmp_path / 'usps.bz2').write_bytes(bz2.compress('\n'.join(lines).encode() + b'\n'))
    ds = torchvision_set('usps', root=tmp_path)
    assert ds.shape == (1, 28, 28) and ds.labels.tolist() == [0, 9, 2]
    assert ds.images[:, :, :4].max() == 0 and ds.images.max() > 200    # MNIST layout: an empty 4-pixel border


def test_svhn_mat(tmp_path, monkeypatch):
    from scipy.io import savemat
    X = np.random.default_rng(0).integers(0, 255, (32, 32, 3, 4), dtype=np.uint8)
    savemat(tmp_path / 'test_32x32.mat', {'X': X, 'y': np.array([[10], [1], [2], [10]])})
    monkeypatch.setattr(tvd.SVHN, '_check_integrity', lambda self: True)
    ds = torchvision_set('svhn', root=tmp_path, split='test')
    assert ds.shape == (3, 32, 32) and ds.labels.tolist() == [0, 1, 2, 0]   # SVHN's 10 means digit 0
    assert torch.equal(ds.images[1], torch.from_numpy(X[..., 1]).permute(2, 0, 1))


def test_omniglot_folders_are_inverted(tmp_path, monkeypatch):
    base = tmp_path / 'omniglot-py' / 'images_evaluation'
    for a in ('Atlantean', 'Bengali'):
        for c in ('character01', 'character02'):
            (base / a / c).mkdir(parents=True)
            for i in range(3):
                im = Image.new('1', (105, 105), 1)                 # Omniglot: black strokes on white
                im.paste(0, (40, 20, 60, 90))
                im.save(base / a / c / f'0{i}01_0{i}.png')
    monkeypatch.setattr(tvd.Omniglot, '_check_integrity', lambda self: True)
    ds = torchvision_set('omniglot', root=tmp_path, split='evaluation')
    assert len(ds) == 12 and len(ds.classes) == 4 and ds.classes[0].startswith('Atlantean')
    assert ds.counts().tolist() == [3, 3, 3, 3]
    img = ds.images[0, 0]
    assert img[0, 0] == 0 and img[14, 14] > 200                # now white ink on black, like Glyphs


def test_flowers102_jpgs_and_mats(tmp_path, monkeypatch):
    from scipy.io import savemat
    folder = tmp_path / 'flowers-102'
    (folder / 'jpg').mkdir(parents=True)
    for i in range(1, 7): Image.new('RGB', (80 + i, 60), (40 * i, 10, 200)).save(folder / 'jpg' / f'image_{i:05d}.jpg')
    savemat(folder / 'imagelabels.mat', {'labels': np.array([[1, 1, 2, 2, 3, 3]])})
    savemat(folder / 'setid.mat', {'trnid': np.array([[1, 3, 5]]), 'valid': np.array([[2, 4]]), 'tstid': np.array([[6]])})
    monkeypatch.setattr(tvd.Flowers102, '_check_integrity', lambda self: True)
    ds = torchvision_set('flowers102', root=tmp_path, split='train', size=32)
    assert ds.shape == (3, 32, 32) and ds.labels.tolist() == [0, 1, 2] and len(ds.classes) == 102


def test_missing_files_say_how_to_get_them(tmp_path):
    with pytest.raises(FileNotFoundError, match='download=True'):
        torchvision_set('usps', root=tmp_path)
