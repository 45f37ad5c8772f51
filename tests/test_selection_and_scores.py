"""Label-free model selection and transferability scores against references written independently of the library:
DEV's control variate as a least-squares fit, the estimate of `estimated_target_accuracy` rebuilt from its parts (which
features train the density ratio and which it weighs), and the shrunk H-score from Ledoit-Wolf's covariance."""
import numpy as np
import pytest
import torch

from tl_nb.adapt import lenet_classifier
from tl_nb.selection import density_ratio, dev_risk, estimated_target_accuracy
from tl_nb.data import ImageSet
from tl_nb.models import extract_features, predict_labels
from tl_nb.transferability import h_score


def test_dev_is_the_least_squares_line_through_weighted_losses_read_at_weight_one():
    # DEV: mean(w·l) + η(mean(w) − 1) with η = −cov(w·l, w)/var(w), the optimal control variate. That is the fitted value at
    # w = 1 of the least-squares line of w·l on w: the importance-weighted loss with the weights' sampling noise regressed out.
    rng = np.random.default_rng(0)
    for n in (5, 50, 500):
        w = rng.gamma(2.0, 0.5, n); losses = rng.random(n) * (1 + w)
        slope, intercept = np.polyfit(w, w * losses, 1)
        assert dev_risk(losses, w) == pytest.approx(slope + intercept, rel=1e-9)
    w = np.ones(20); losses = rng.random(20)
    assert dev_risk(losses, w) == pytest.approx(losses.mean())          # equal weights: plain validation loss


def _images(n, seed, invert=False):
    g = torch.Generator().manual_seed(seed)
    x = (torch.rand(n, 1, 28, 28, generator=g) ** 3 * 255).to(torch.uint8)
    return ImageSet(255 - x if invert else x, torch.arange(n) % 3, ['a', 'b', 'c'])


@pytest.mark.parametrize('rule', ['source', 'iwv', 'dev'])
def test_estimated_target_accuracy_from_its_parts(rule):
    torch.manual_seed(0)
    model = lenet_classifier(1, 3).eval()
    valid, train, target = _images(60, 0), _images(90, 1), _images(80, 2, invert=True)
    errors = (predict_labels(model, valid).cpu() != valid.labels).double().numpy()      # on the default device, as the function computes
    # the density ratio is trained on training-set features against the target's, and weighs the validation images
    f = {name: extract_features(model.body, ds)[0].numpy() for name, ds in (('valid', valid), ('train', train), ('target', target))}
    w = density_ratio(f['train'], f['target'])(f['valid'])
    expected = {'source': 1 - errors.mean(), 'iwv': 1 - (w * errors).mean(), 'dev': 1 - dev_risk(errors, w)}[rule]
    assert estimated_target_accuracy(model, valid, train, target, rule) == pytest.approx(expected, rel=1e-9)
    assert not np.allclose(w, w.mean())                                   # the weights are not flat: the rules differ here


def test_shrunk_h_score_shrinks_both_covariances_alike():
    from sklearn.covariance import ledoit_wolf
    rng = np.random.default_rng(0)
    y = np.arange(40) % 4
    F = rng.normal(size=(40, 60)) + np.eye(4, 60)[y] * 3                  # more features than images: the case shrinkage is for
    Fc = F - F.mean(0)
    cov, alpha = ledoit_wolf(Fc, assume_centered=True)                    # (1 − α)·S + α·(tr S / d)·I, and α
    means = np.stack([Fc[y == k].mean(0) for k in range(4)])[y]
    between = means.T @ means / len(F)
    expected = np.trace(np.linalg.pinv(cov) @ ((1 - alpha) * between))
    assert 0.05 < alpha < 0.95 and h_score(F, y) == pytest.approx(expected, rel=1e-6)
    # and without shrinkage: tr(S⁻¹ B) from the plain covariance (on well-conditioned features)
    G = rng.normal(size=(200, 5)) + np.eye(4, 5)[np.arange(200) % 4]
    Gc = G - G.mean(0); yy = np.arange(200) % 4
    m = np.stack([Gc[yy == k].mean(0) for k in range(4)])[yy]
    assert h_score(G, yy, shrinkage=False) == pytest.approx(np.trace(np.linalg.inv(Gc.T @ Gc / 200) @ (m.T @ m / 200)), rel=1e-6)


# LogME of the authors' code (github.com/thuml/LogME at 56551ca, `LogME().fit(f, y)`, its fixed-point solver) on the features
# of `_logme_case`: where images outnumber features the two agree to 1e-7. Where features outnumber images (the third case) the
# official fixed point leaves out the (d − n)·log α term of log|αI + βFᵀF| (FᵀF has n non-zero eigenvalues, not d) and scores
# 6.226; tl_nb's -0.678 is the exact evidence, checked against SciPy's Gaussian density below.
OFFICIAL_LOGME = {(200, 16, 4, 0): -0.4824576563587841, (500, 64, 10, 1): -0.1814639025203752, (40, 128, 4, 2): 6.226175794974811}


def _logme_case(n, d, c, seed):
    rng = np.random.default_rng(seed)
    y = np.arange(n) % c
    return rng.normal(size=(n, d)) + 2 * np.eye(c, d)[y], y


@pytest.mark.parametrize('case', [k for k in OFFICIAL_LOGME if k[0] > k[1]], ids=str)
def test_logme_equals_the_official_code_when_images_outnumber_features(case):
    from tl_nb.transferability import logme
    assert logme(*_logme_case(*case)) == pytest.approx(OFFICIAL_LOGME[case], rel=1e-6)


def test_logme_with_more_features_than_images_is_the_exact_evidence():
    from scipy.stats import multivariate_normal
    from tl_nb.transferability import log_evidence, logme, max_evidence
    F, y = _logme_case(40, 128, 4, 2)
    per_class = []
    for k in range(4):
        t = (y == k).astype(float)
        ev, alpha, beta = max_evidence(F, t)
        exact = multivariate_normal(np.zeros(40), F @ F.T / alpha + np.eye(40) / beta).logpdf(t)   # y = Fw + ε, w ~ N(0, I/α), ε ~ N(0, I/β)
        assert ev == pytest.approx(exact, rel=1e-6) and log_evidence(F, t, alpha, beta) == pytest.approx(exact, rel=1e-6)
        per_class.append(ev / 40)
    assert logme(F, y) == pytest.approx(np.mean(per_class), rel=1e-6)
    assert abs(logme(F, y) - OFFICIAL_LOGME[(40, 128, 4, 2)]) > 5          # not the official code's value here, on purpose


def test_density_ratio_is_one_without_a_shift_and_averages_one_over_the_source():
    rng = np.random.default_rng(0)
    same_s, same_t = rng.normal(size=(900, 3)), rng.normal(size=(300, 3))       # no shift, three times more source images
    w = density_ratio(same_s, same_t)(same_s)
    assert np.median(w) == pytest.approx(1.0, abs=0.1)                          # the sizes of the samples are not a shift
    shifted = rng.normal(size=(300, 3)) + [0.7, 0, 0]
    assert np.mean(density_ratio(same_s, shifted)(same_s)) == pytest.approx(1.0, abs=0.15)   # E_source[p_T/p_S] = 1


def test_self_training_learns_only_from_confident_pseudo_labels_after_its_warmup():
    from torch import nn
    from tl_nb.adapt import SelfTraining
    from tl_nb.core import Progress
    from tl_nb.models import Classifier
    torch.manual_seed(0)
    model = Classifier(nn.Flatten(), nn.Linear(4, 3))
    xs, ys = torch.randn(6, 4), torch.randint(3, (6,))
    xt = torch.cat([torch.randn(5, 4) * 0.01, torch.randn(5, 4) * 20])         # five unsure target images, five confident ones
    batch = ((xs, ys), (xt, torch.full((10,), -1)))
    logits_t = model.head(xt)
    p, pseudo = logits_t.softmax(1).max(1)
    keep = (p >= 0.9).float()
    assert 0 < keep.sum() < 10                                                   # the threshold separates them
    expected_pseudo = (torch.nn.functional.cross_entropy(logits_t, pseudo, reduction='none') * keep).mean()
    source = torch.nn.functional.cross_entropy(model.head(xs), ys)
    st = SelfTraining(threshold=0.9, weight=2.0, warmup=0.5)
    early, late = st.loss(model, batch, Progress(0, 1, 10)), st.loss(model, batch, Progress(0, 8, 10))
    torch.testing.assert_close(early['pseudo'], expected_pseudo); torch.testing.assert_close(early['kept'], keep.mean())
    torch.testing.assert_close(early['loss'], source)                            # before the warmup ends: the source loss only
    torch.testing.assert_close(late['loss'], source + 2.0 * expected_pseudo)


def test_kliep_weights_average_one_over_the_source():
    from tl_nb.importance import kliep
    rng = np.random.default_rng(0)
    source, target = rng.normal(size=(400, 2)), rng.normal(size=(300, 2)) * 0.7 + [0.5, 0]
    w = kliep(source, target, seed=0)(source)
    assert w.mean() == pytest.approx(1.0, abs=1e-3) and w.std() > 0.1           # KLIEP's constraint: the mean weight on the source is 1
