"""DataLoaders with worker processes: every dataset, sampler and collate function a chapter or the CLI hands to a DataLoader
pickles (macOS and Windows start workers by spawning, which pickles them; Linux forks), and loading with workers gives the
same batches as loading without."""
import pickle

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader

from tl_nb.adapt import Unlabelled, paired_loader
from tl_nb.data import digits, digits_m, k_per_class
from tl_nb.episodes import episode_loader
from tl_nb.glyphs import glyphs, syn_digits
from tl_nb.importance import WeightedSet


@pytest.mark.parametrize('make', [lambda: digits('train'), lambda: digits('train').with_channels(3), lambda: k_per_class(digits('train'), 2),
                                  lambda: digits_m('test'), lambda: syn_digits('test'), lambda: glyphs('evaluation'),
                                  lambda: Unlabelled(digits('test')), lambda: WeightedSet(digits('test'), np.ones(len(digits('test'))))],
                         ids=['digits', 'rgb', 'subset', 'digits_m', 'syn_digits', 'glyphs', 'unlabelled', 'weighted'])
def test_datasets_pickle(make):
    ds = make()
    back = pickle.loads(pickle.dumps(ds))
    assert all(torch.equal(torch.as_tensor(a), torch.as_tensor(b)) for a, b in zip(back[3], ds[3]))   # (image, label[, weight])


def test_samplers_and_collate_functions_pickle():
    el = episode_loader(glyphs('evaluation'), 5, 1, 2, 3, seed=0)
    for part in (el.collate_fn, el.batch_sampler, paired_loader(digits('test'), digits('test'), 8, 4, 0).first.sampler):
        pickle.loads(pickle.dumps(part))


def test_workers_give_the_same_batches():
    ds = digits('test')
    spawned = DataLoader(ds, batch_size=100, num_workers=2, multiprocessing_context='spawn')
    assert len(list(spawned)) == len(DataLoader(ds, batch_size=100)) > 1
    assert all(torch.equal(a, b) and torch.equal(ya, yb) for (a, ya), (b, yb) in zip(spawned, DataLoader(ds, batch_size=100)))
    alone, workers = (list(episode_loader(glyphs('evaluation'), 5, 1, 2, 3, seed=0, num_workers=n)) for n in (0, 2))
    assert len(alone) == len(workers) == 3
    assert all(torch.equal(a.support, b.support) and torch.equal(a.query_labels, b.query_labels) for a, b in zip(alone, workers))
