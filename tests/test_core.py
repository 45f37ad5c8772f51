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

    hist = fit(model, dl, epochs, opt, sched=sched, strategy=loss_that_may_crash, device='cpu',
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


class _Adversarial(core.Strategy):
    """Owns a discriminator and a step-dependent weight; crashes at a chosen step."""
    def __init__(self, crash_at_step=None):
        super().__init__()
        self.disc = nn.Linear(16, 1)
        self.crash_at_step = crash_at_step

    def loss(self, model, batch, at):
        if at.step == self.crash_at_step: raise KeyboardInterrupt('power cut')
        (xs, ys), (xt, _) = batch
        feats = model[:2](torch.cat([xs, xt]))
        weight = at.fraction ** 2
        dom = torch.nn.functional.binary_cross_entropy_with_logits(
            self.disc(feats).squeeze(1), torch.cat([torch.zeros(len(xs)), torch.ones(len(xt))]))
        return {'loss': torch.nn.functional.cross_entropy(model[2:](feats[:len(xs)]), ys) + weight * dom, 'weight': weight}


def _paired_run(tmp_path=None, resume=False, crash_at_step=None):
    seed_everything(0)
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 3))
    strategy = _Adversarial(crash_at_step)
    opt = torch.optim.Adam([*model.parameters(), *strategy.parameters()], lr=1e-2)
    target = torch.utils.data.TensorDataset(toy_blobs(n_per_class=30, seed=1).tensors[0] + 1, torch.zeros(90, dtype=torch.long))
    pairs = core.PairedLoader(DataLoader(toy_blobs(n_per_class=60), batch_size=16, shuffle=True, generator=torch.Generator().manual_seed(1)),
                              DataLoader(target, batch_size=16, shuffle=True, generator=torch.Generator().manual_seed(2)))
    hist = fit(model, pairs, 5, opt, strategy=strategy, device='cpu', ckpt_dir=tmp_path, resume=resume, progress=False)
    return model, strategy, hist


def test_strategy_with_parameters_and_schedule_resumes_exactly_on_paired_loaders(tmp_path):
    full_model, full_strategy, full_hist = _paired_run()
    with pytest.raises(KeyboardInterrupt):
        _paired_run(tmp_path, crash_at_step=2 * 12 + 5)          # 12 pairs per epoch: dies inside epoch 3
    assert load_checkpoint(tmp_path / 'last.pt')['epoch'] == 2
    model, strategy, hist = _paired_run(tmp_path, resume=True)
    assert all(torch.equal(p, q) for p, q in zip(full_model.parameters(), model.parameters()))
    assert all(torch.equal(p, q) for p, q in zip(full_strategy.parameters(), strategy.parameters()))
    assert full_hist.column('train_weight') == hist.column('train_weight')
    assert full_hist.column('train_loss') == hist.column('train_loss')


class _NearestPrototype(core.Strategy):
    """Episodic training and validation: classify queries by distance to the support's class means."""
    def logits(self, model, ep):
        protos = model(ep.support).unflatten(0, (-1, len(ep.support) // (int(ep.support_labels.max()) + 1))).mean(1)
        return -torch.cdist(model(ep.query), protos) ** 2

    def loss(self, model, ep, at):
        return torch.nn.functional.cross_entropy(self.logits(model, ep), ep.query_labels)

    @torch.no_grad()
    def evaluate(self, model, dl, device=None, amp=True):
        model.eval()
        accs = [(self.logits(model, core.to_device(ep, device)).argmax(1) == ep.query_labels.to(device)).float().mean().item() for ep in dl]
        return {'acc': sum(accs) / len(accs), 'episodes': len(accs)}


def test_episodic_training_and_validation_through_fit():
    from tl_nb.episodes import episode_loader
    x, y = toy_blobs(n_per_class=40, n_classes=6, spread=0.3).tensors
    ds = torch.utils.data.TensorDataset(x, y)
    ds.labels = y
    seed_everything(0)
    model = nn.Sequential(nn.Linear(2, 32), nn.ReLU(), nn.Linear(32, 16))
    hist = fit(model, episode_loader(ds, 3, 2, 5, episodes=20), 3, torch.optim.Adam(model.parameters(), lr=1e-2),
               strategy=_NearestPrototype(), valid_dl=episode_loader(ds, 3, 1, 5, episodes=30, seed=0), device='cpu', progress=False)
    assert hist.column('valid_episodes') == [30, 30, 30]
    assert hist[-1]['valid_acc'] > 0.9          # six well-separated blobs: easy 3-way episodes


def test_dict_loss_without_a_loss_entry_is_named():
    model = nn.Linear(2, 3)
    with pytest.raises(ValueError, match="'loss' entry"):
        fit(model, DataLoader(toy_blobs(), batch_size=32), 1, torch.optim.SGD(model.parameters(), 0.1),
            strategy=lambda m, b: {'ce': core.classification_loss(m, b)}, device='cpu', progress=False)


def test_after_step_stops_the_run_mid_epoch():
    class StopAt(core.Strategy):
        def after_step(self, at, terms): return at.step == 6
    model = nn.Linear(2, 3)
    hist = fit(model, DataLoader(toy_blobs(), batch_size=32), 10, torch.optim.SGD(model.parameters(), 0.1),
               strategy=StopAt(), device='cpu', progress=False)
    assert len(hist) == 1                       # stopped inside the first epoch (19 batches)


def test_frozen_bn_keeps_running_statistics():
    model = nn.Sequential(nn.Linear(2, 8), nn.BatchNorm1d(8), nn.Linear(8, 3))
    before = model[1].running_mean.clone()
    fit(model, DataLoader(toy_blobs(), batch_size=32), 1, torch.optim.SGD(model.parameters(), 0.1),
        strategy=core.Strategy(frozen_bn=True), device='cpu', progress=False)
    assert torch.equal(model[1].running_mean, before)
    fit(model, DataLoader(toy_blobs(), batch_size=32), 1, torch.optim.SGD(model.parameters(), 0.1), device='cpu', progress=False)
    assert not torch.equal(model[1].running_mean, before)


def test_load_best_without_a_folder_keeps_the_best_epoch_in_memory():
    seed_everything(0)
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 3))
    valid = DataLoader(toy_blobs(n_per_class=50, spread=1.5, seed=1), batch_size=150)
    snapshots = []

    class Snapshot(core.Strategy):
        def after_epoch(self, at, row):
            snapshots.append((row['valid_acc'], {k: v.clone() for k, v in model.state_dict().items()}))
            return False

    # a learning rate that makes validation accuracy jump around, so the last epoch is rarely the best
    hist = fit(model, DataLoader(toy_blobs(spread=1.5), batch_size=16, shuffle=True), 8, torch.optim.SGD(model.parameters(), lr=0.5),
               strategy=Snapshot(), valid_dl=valid, load_best=True, device='cpu', progress=False)
    best_acc = max(a for a, _ in snapshots)
    best_weights = next(w for a, w in snapshots if a == best_acc)
    assert all(torch.equal(v, best_weights[k]) for k, v in model.state_dict().items())
    assert hist.best('valid_acc') == best_acc
