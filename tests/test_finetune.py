"""Every registered transfer strategy, run through `transfer` with validation, keeps the weights of its best validation
(what `tl-nb fit --strategy NAME` relies on), gradual unfreezing included."""
import pytest
import torch
from torch.utils.data import DataLoader

from tl_nb.core import best_epoch, evaluate
from tl_nb.data import digits, k_per_class, split_per_class
from tl_nb.finetune import STRATEGIES, transfer
from tl_nb.models import prepare_for


@pytest.mark.parametrize('name', [n for n in STRATEGIES if n not in ('probe',)])
def test_transfer_keeps_the_best_validation_epoch(name):
    train, valid = split_per_class(prepare_for('conv4-glyphs', k_per_class(digits('train'), 8, seed=0)), valid_fraction=0.5, seed=0)
    model, history = transfer(name, train, valid, steps=60, eval_every=10, patience=1000, seed=0, device='cpu')
    assert 'valid_acc' in history[0] and len(history) >= 3
    assert evaluate(model, DataLoader(valid, batch_size=512), device='cpu')['acc'] == pytest.approx(history[best_epoch(history)]['valid_acc'])
