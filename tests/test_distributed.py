"""`fit` under torchrun, two CPU processes, with everything that can go wrong between replicas: BatchNorm buffers, a strategy
with parameters of its own, validation that chooses the kept epoch (`load_best`, `patience`), and a crash then a resume.
The replicas must stay identical, every process must take the same decisions, and the resumed run must end exactly where
the uninterrupted one does."""
import json, subprocess, sys
from pathlib import Path

import pytest
import torch

from tl_nb.core import best_epoch

SCRIPT = r'''
import json, sys
import torch
from torch import nn
from torch.utils.data import DataLoader
from tl_nb.core import Strategy, distributed_loader, fit, init_distributed, seed_everything, toy_blobs, world

out, crash_at, resume = sys.argv[1], int(sys.argv[2]), sys.argv[3] == 'resume'

class Tempered(Strategy):
    "Cross-entropy at a learned temperature: a strategy whose own parameter DDP must keep in step."
    def __init__(self):
        super().__init__()
        self.log_t = nn.Parameter(torch.zeros(()))
    def loss(self, model, batch, at):
        if at.step == crash_at: raise KeyboardInterrupt('power cut')
        x, y = batch
        return nn.functional.cross_entropy(model(x) / self.log_t.exp(), y)

device = init_distributed()
rank, size = world()
seed_everything(0)
model = nn.Sequential(nn.Linear(2, 32), nn.BatchNorm1d(32), nn.ReLU(), nn.Linear(32, 3))
strategy = Tempered()
opt = torch.optim.SGD([*model.parameters(), *strategy.parameters()], lr=0.2, momentum=0.9)
train = distributed_loader(toy_blobs(spread=1.5), batch_size=40, seed=0)
valid = DataLoader(toy_blobs(n_per_class=30, spread=1.5, seed=1), batch_size=90)
try:
    history = fit(model, train, 6, opt, strategy=strategy, valid_dl=valid, device=device, ckpt_dir=f'{out}/ckpt', resume=resume,
                  load_best=True, patience=3, progress=False, amp=False)
except KeyboardInterrupt:
    sys.exit(3)
state = {**{k: v.tolist() for k, v in model.state_dict().items()}, 'log_t': strategy.log_t.item()}
json.dump({'state': state, 'history': [{k: v for k, v in row.items() if k != 'seconds'} for row in history]}, open(f'{out}/rank{rank}.json', 'w'))
'''


def _torchrun(tmp, out, crash_at=-1, resume=False):
    script = tmp / 'train.py'
    script.write_text(SCRIPT)
    return subprocess.run([sys.executable, '-m', 'torch.distributed.run', '--standalone', '--nproc_per_node=2', str(script), str(out), str(crash_at),
                           'resume' if resume else 'fresh'], capture_output=True, text=True, timeout=600)


def _read(out):
    return [json.loads((out / f'rank{r}.json').read_text()) for r in (0, 1)]


def test_two_processes_agree_keep_the_best_epoch_and_resume_exactly(tmp_path):
    whole = tmp_path / 'whole'; whole.mkdir()
    res = _torchrun(tmp_path, whole)
    assert res.returncode == 0, res.stderr[-3000:]
    r0, r1 = _read(whole)
    assert r0 == r1                                              # identical replicas (weights, BatchNorm buffers, the strategy's parameter) and decisions
    history = r0['history']
    assert r0['state']['log_t'] != 0.0                           # the strategy's parameter trained
    assert len(history) >= 3
    best = best_epoch(history)                                   # the best validation accuracy, ties to the lower validation loss
    kept = torch.load(whole / 'ckpt' / 'best.pt', weights_only=True)
    assert kept['epoch'] == best + 1                                                 # load_best: the weights of that epoch, on both processes
    assert all(torch.tensor(r0['state'][k]).equal(v.cpu().to(torch.tensor(r0['state'][k]).dtype)) for k, v in kept['model'].items())
    assert kept['strategy']['log_t'].item() == pytest.approx(r0['state']['log_t'])
    # a crash in the middle of the third epoch (15 steps an epoch) on both processes, then a resume from the last checkpoint
    cut = tmp_path / 'cut'; cut.mkdir()
    crashed = _torchrun(tmp_path, cut, crash_at=37)
    assert crashed.returncode != 0 and not (cut / 'rank0.json').exists()
    resumed = _torchrun(tmp_path, cut, resume=True)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    c0, c1 = _read(cut)
    assert c0 == c1 and c0['state'] == r0['state'] and c0['history'] == history      # exactly the uninterrupted run
