"""ImageSet and ImageFolder errors: every bad input names the problem and the fix."""
import numpy as np
import pytest
import torch
from PIL import Image

from tl_nb.data import ImageSet, cached, image_folder, k_per_class


def test_imageset_rejects_bad_shapes_and_labels():
    with pytest.raises(ValueError, match=r'uint8 images shaped \[N, C, H, W\]'):
        ImageSet(torch.zeros(2, 28, 28, dtype=torch.uint8), torch.zeros(2), ['a'])
    with pytest.raises(ValueError, match='uint8'):
        ImageSet(torch.zeros(2, 1, 28, 28), torch.zeros(2), ['a'])
    with pytest.raises(ValueError, match='one label per image'):
        ImageSet(torch.zeros(2, 1, 4, 4, dtype=torch.uint8), torch.zeros(3), ['a'])
    with pytest.raises(ValueError, match=r'Labels must lie in 0..1'):
        ImageSet(torch.zeros(2, 1, 4, 4, dtype=torch.uint8), torch.tensor([0, 2]), ['a', 'b'])


def test_imageset_items_are_floats_in_unit_range_and_pickle():
    import pickle
    ds = ImageSet(torch.full((3, 1, 4, 4), 255, dtype=torch.uint8), torch.tensor([0, 1, 1]), ['a', 'b'])
    x, y = ds[1]
    assert x.dtype == torch.float32 and x.max() == 1 and y == 1
    assert torch.equal(pickle.loads(pickle.dumps(ds)).images, ds.images)   # DataLoader workers need this


def test_k_per_class_names_the_short_classes():
    ds = ImageSet(torch.zeros(5, 1, 2, 2, dtype=torch.uint8), torch.tensor([0, 0, 0, 1, 1]), ['big', 'small'])
    with pytest.raises(ValueError, match=r"\['small'\]"):
        k_per_class(ds, 3)


def _folder(root, spec):
    for cls, n in spec.items():
        (root / cls).mkdir(parents=True)
        for i in range(n):
            Image.fromarray(np.full((10, 12), 40 * i, np.uint8)).save(root / cls / f'{i}.png')
    return root


def test_image_folder_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match='one sub-folder per class'):
        image_folder(tmp_path / 'missing')
    (tmp_path / 'empty').mkdir()
    with pytest.raises(ValueError, match='no class sub-folders'):
        image_folder(tmp_path / 'empty')
    root = _folder(tmp_path / 'ok', {'a': 2, 'b': 0})
    with pytest.raises(ValueError, match='no images'):
        image_folder(root)
    (root / 'b' / 'x.jpg').write_text('not really a jpeg')
    with pytest.raises(ValueError, match='x.jpg'):
        image_folder(root)


def test_image_folder_greyscale_and_class_order(tmp_path):
    root = _folder(tmp_path / 'g', {'zeta': 2, 'alpha': 3})
    ds = image_folder(root, size=8)
    assert ds.classes == ['alpha', 'zeta'] and ds.shape == (1, 8, 8) and ds.counts().tolist() == [3, 2]
    ds2 = image_folder(root, size=8, classes=['zeta', 'alpha'])
    assert ds2.classes == ['zeta', 'alpha'] and ds2.counts().tolist() == [2, 3]


def test_cache_rebuilds_a_corrupt_file(tmp_path, monkeypatch):
    monkeypatch.setenv('TL_NB_CACHE', str(tmp_path))
    calls = []

    def build(n):
        calls.append(n)
        return ImageSet(torch.zeros(n, 1, 2, 2, dtype=torch.uint8), torch.zeros(n), ['only'])

    assert len(cached('toy', {'n': 3}, build)) == 3
    assert len(cached('toy', {'n': 3}, build)) == 3 and calls == [3]      # second call read the cache
    f, = tmp_path.glob('toy-*.pt')
    f.write_bytes(b'garbage')
    with pytest.warns(UserWarning, match='rebuilding'):
        assert len(cached('toy', {'n': 3}, build)) == 3
    assert calls == [3, 3]
