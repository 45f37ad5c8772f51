"""Failure paths of the training loop that are clearer here than in a chapter: a failed write, a crash mid-run."""
import torch
from torch import nn
from torch.utils.data import DataLoader

import pytest
import tl_nb.core as core
from tl_nb.core import fit, load_checkpoint, save_atomic, seed_everything, toy_blobs


def test_failed_write_keeps_old_checkpoint_and_leaves_no_partial_file(tmp_path, monkeypatch):
    target = tmp_path / 'last.pt'
    save_atomic({'epoch': 1}, target)

    def torch_save_dies_halfway(obj, f):
        f.write(b'PK\x03\x04 half a checkpoint')
        raise OSError('disk full')

    monkeypatch.setattr(core.torch, 'save', torch_save_dies_halfway)
    with pytest.raises(OSError, match='disk full'):
        save_atomic({'epoch': 2}, target)
    monkeypatch.undo()
    assert load_checkpoint(target) == {'epoch': 1}
    assert [p.name for p in tmp_path.iterdir()] == ['last.pt']


def test_failed_first_write_leaves_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(core.torch, 'save', lambda obj, f: (_ for _ in ()).throw(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        save_atomic({'epoch': 1}, tmp_path / 'new.pt')
    assert list(tmp_path.iterdir()) == []


def _run(epochs, ckpt_dir=None, resume=False, crash_at_step=None):
    seed_everything(3)
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Dropout(0.2), nn.Linear(16, 3))
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs)
    dl = DataLoader(toy_blobs(n_per_class=60), batch_size=16, shuffle=True, generator=torch.Generator().manual_seed(5))
    steps = [0]

    def loss_that_may_crash(m, batch):
        steps[0] += 1
        if steps[0] == crash_at_step: raise KeyboardInterrupt('power cut')
        return core.classification_loss(m, batch)

    hist = fit(model, dl, epochs, opt, sched=sched, batch_loss=loss_that_may_crash, device='cpu',
               ckpt_dir=ckpt_dir, resume=resume, progress=False)
    return model, hist


def test_crash_mid_epoch_then_resume_matches_uninterrupted(tmp_path):
    full, full_hist = _run(6)
    with pytest.raises(KeyboardInterrupt):
        _run(6, ckpt_dir=tmp_path, crash_at_step=3 * 12 + 5)   # 12 batches per epoch: dies inside epoch 4
    assert load_checkpoint(tmp_path / 'last.pt')['epoch'] == 3
    resumed, res_hist = _run(6, ckpt_dir=tmp_path, resume=True)
    assert all(torch.equal(p, q) for p, q in zip(full.parameters(), resumed.parameters()))
    assert full_hist.column('train_loss') == res_hist.column('train_loss')


def test_resume_needs_a_folder():
    with pytest.raises(ValueError, match='ckpt_dir'):
        fit(nn.Linear(2, 3), DataLoader(toy_blobs(), batch_size=8), 1, torch.optim.SGD(nn.Linear(2, 3).parameters(), 0.1),
            resume=True, progress=False)


def test_empty_loader_is_named():
    empty = torch.utils.data.TensorDataset(torch.zeros(0, 2), torch.zeros(0, dtype=torch.long))
    model = nn.Linear(2, 3)
    with pytest.raises(ValueError, match='no batches'):
        fit(model, DataLoader(empty, batch_size=8), 1, torch.optim.SGD(model.parameters(), 0.1), device='cpu', progress=False)
