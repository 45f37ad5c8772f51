"""The rows `tl-nb compare` adds beside the trained strategies, checked against a computation from scratch."""
import torch
import torch.nn.functional as F

from tl_nb.cli import _simpleshot_candidate
from tl_nb.models import extract_features, pretrained
from tl_nb.protocol import digits_task


def test_simpleshot_row_is_the_nearest_class_mean_of_l2_normalised_features():
    task = digits_task(5)
    train, valid = task.draw(0)
    predict = _simpleshot_candidate().train(train, valid, 0)
    body = pretrained('conv4-glyphs', train.shape[0]).eval()
    features = lambda ds: extract_features(body, ds)[0]
    unit = lambda ds: F.normalize(features(ds), dim=1)
    means = torch.stack([unit(train)[train.labels == c].mean(0) for c in range(len(train.classes))])
    by_hand = torch.tensor([min(range(len(means)), key=lambda c: (z - means[c]).norm().item()) for z in unit(task.test)])   # one image at a time
    got = torch.as_tensor(predict(task.test))
    assert torch.equal(got, by_hand)
    raw_means = torch.stack([features(train)[train.labels == c].mean(0) for c in range(len(train.classes))])
    assert not torch.equal(got, torch.cdist(features(task.test), raw_means).argmin(1))   # normalising changes some decisions: it is not skipped
