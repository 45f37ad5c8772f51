"""The advisor's rules at the values its documentation states (a domain classifier right on 75% of held-out images, at
most 5 labels and 20 classes for an episode, fewer than 20 labels as few, a 2-point feature gain), checked on both sides
of each threshold with literal numbers, so that moving a threshold is a change a test notices."""
import pytest

from tl_nb.advise import Signals, recommend


def signals(**kw):
    base = dict(classes=10, labels_per_class=50, backbone='conv4-glyphs', logme={'conv4-glyphs': 0.5},
                feature_loo=0.90, pixel_loo=0.80, gain_se=0.01)
    return Signals(**{**base, **kw})


def a_distance(accuracy: float) -> float: return 2 * (1 - 2 * (1 - accuracy))     # from the domain classifier's accuracy


@pytest.mark.parametrize('accuracy, adapt', [(0.70, False), (0.76, True), (0.85, True)])
def test_rule_1_a_shift_is_a_domain_classifier_right_on_75_percent(accuracy, adapt):
    advice = recommend(signals(a_distance=a_distance(accuracy)))
    assert (advice.family == 'domain adaptation') == adapt
    if adapt: assert advice.strategy == 'adabn' and recommend(signals(a_distance=a_distance(accuracy), has_batchnorm=False)).strategy == 'coral'


@pytest.mark.parametrize('k, classes, episode', [(5, 20, True), (6, 20, False), (5, 21, False), (1, 5, True)])
def test_rule_2_an_episode_is_at_most_5_labels_of_at_most_20_classes(k, classes, episode):
    assert (recommend(signals(labels_per_class=k, classes=classes)).family == 'few-shot') == episode


@pytest.mark.parametrize('gain, se, transfers', [(0.025, 0.005, True), (0.015, 0.001, False), (0.05, 0.03, False)])
def test_features_transfer_with_a_2_point_gain_beyond_two_standard_errors(gain, se, transfers):
    assert signals(feature_loo=0.8 + gain, pixel_loo=0.8, gain_se=se).transfers is transfers


@pytest.mark.parametrize('k, few', [(19, True), (20, False)])
def test_rules_3_and_4_fewer_than_20_labels_is_few(k, few):
    assert recommend(signals(labels_per_class=k, classes=30)).rule.startswith('3') == few


def test_an_episode_and_one_label_a_class_get_simpleshot_by_different_rules():
    unmeasured = dict(feature_loo=None, pixel_loo=None, gain_se=None)       # one label a class: leave-one-out cannot run
    episode, many_classes = recommend(signals(labels_per_class=1, classes=5, **unmeasured)), recommend(signals(labels_per_class=1, classes=30, **unmeasured))
    assert (episode.strategy, episode.rule) == ('simpleshot', '2: episode')
    assert (many_classes.strategy, many_classes.rule, many_classes.family) == ('simpleshot', '3: few labels', 'feature extraction')


def test_a_positive_gain_below_the_bar_is_not_called_a_loss_to_pixels():
    # 5 points ahead of pixels, but within two standard errors: the advice says which bar it missed and prints the gain with its
    # uncertainty, rather than "the features do not beat pixels", which the numbers beside it would contradict
    why = recommend(signals(labels_per_class=5, classes=30, feature_loo=0.55, pixel_loo=0.50, gain_se=0.03)).why
    assert 'do not clear the bar' in why and 'not beat' not in why
    assert '+5.0 ± 6.0 points' in why and 'at least 2 points and two standard errors' in why


def test_the_label_count_is_the_smallest_class_s():
    # labels_per_class is the count of the smallest class: the advice must not say every class has exactly that many
    assert 'at least 7 labels per class' in recommend(signals(labels_per_class=7, classes=30)).why
