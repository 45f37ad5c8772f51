"""Domain adaptation through `core.fit`: a DANN run (its discriminator, the λ schedule, paired source/target sampling and the
annealed learning rate) interrupted mid-run resumes to exactly the weights of an uninterrupted run."""
import torch
import pytest

from tl_nb.adapt import fit_adaptation
from tl_nb.core import load_checkpoint
from tl_nb.data import ImageSet
from tl_nb.dann import DANN


class _CrashingDANN(DANN):
    def __init__(self, crash_at_step=None):
        super().__init__()
        self.crash_at_step = crash_at_step

    def loss(self, model, batch, at):
        if at.step == self.crash_at_step: raise KeyboardInterrupt('power cut')
        return super().loss(model, batch, at)


def _images(n, seed, shift=0):
    g = torch.Generator().manual_seed(seed)
    x = (torch.rand(n, 1, 28, 28, generator=g) * 200 + shift).clamp(0, 255).to(torch.uint8)
    return ImageSet(x, torch.arange(n) % 3, ['a', 'b', 'c'])


def _run(ckpt_dir=None, resume=False, crash_at_step=None):
    torch.manual_seed(0)
    strategy = _CrashingDANN(crash_at_step)
    model, hist = fit_adaptation(strategy, _images(30, 0), _images(20, 1, shift=40), steps=6, epochs=3, batch_size=8, seed=0,
                                 device='cpu', ckpt_dir=ckpt_dir, resume=resume, progress=False)
    return model, strategy, hist


def test_dann_resumes_exactly_after_a_crash(tmp_path):
    full_model, full_strategy, full_hist = _run()
    with pytest.raises(KeyboardInterrupt):
        _run(tmp_path, crash_at_step=3)                  # 2 steps per epoch: dies inside epoch 2
    assert load_checkpoint(tmp_path / 'last.pt')['epoch'] == 1
    model, strategy, hist = _run(tmp_path, resume=True)
    assert all(torch.equal(p, q) for p, q in zip(full_model.state_dict().values(), model.state_dict().values()))
    assert all(torch.equal(p, q) for p, q in zip(full_strategy.state_dict().values(), strategy.state_dict().values()))
    assert full_hist.column('train_lambda') == hist.column('train_lambda')
    assert full_hist.column('train_loss') == hist.column('train_loss')


def test_steps_must_divide_into_epochs():
    with pytest.raises(ValueError, match='multiple of epochs'):
        fit_adaptation(DANN(), _images(10, 0), _images(10, 1), steps=7, epochs=3)


def _crashing(cls):
    class Crashing(cls):
        crash_at_step = None
        def loss(self, model, batch, at):
            if at.step == self.crash_at_step: raise KeyboardInterrupt('power cut')
            return super().loss(model, batch, at)
    return Crashing


def _run_pixelda(ckpt_dir=None, resume=False, crash_at_step=None):
    from tl_nb.pixelda import PixelDA, adam
    torch.manual_seed(0)
    strategy = _crashing(PixelDA)(channels=1, width=4, blocks=1)
    strategy.crash_at_step = crash_at_step
    model, hist = fit_adaptation(strategy, _images(30, 0), _images(20, 1, shift=40), steps=6, epochs=3, batch_size=8, seed=0, lr=1e-3,
                                 optimizer=adam(), device='cpu', ckpt_dir=ckpt_dir, resume=resume, progress=False)
    return model, strategy, hist


def test_pixelda_resumes_exactly_after_a_crash(tmp_path):
    """Noise, dropout and Adam's moments all come back: the generator's random inputs are drawn from the checkpointed generator state."""
    full_model, full_strategy, full_hist = _run_pixelda()
    with pytest.raises(KeyboardInterrupt):
        _run_pixelda(tmp_path, crash_at_step=3)
    model, strategy, hist = _run_pixelda(tmp_path, resume=True)
    assert all(torch.equal(p, q) for p, q in zip(full_model.state_dict().values(), model.state_dict().values()))
    assert all(torch.equal(p, q) for p, q in zip(full_strategy.state_dict().values(), strategy.state_dict().values()))
    assert full_hist.column('train_gen') == hist.column('train_gen')
