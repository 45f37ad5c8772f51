"""Property-based tests of the episode sampler's invariants."""
import torch
import pytest
from hypothesis import given, settings, strategies as st

from tl_nb.episodes import EpisodeCollate, EpisodeSampler


@st.composite
def labelled_requests(draw):
    n_classes = draw(st.integers(2, 12))
    k, q = draw(st.integers(1, 4)), draw(st.integers(0, 4))
    sizes = draw(st.lists(st.integers(k + q, k + q + 6), min_size=n_classes, max_size=n_classes))
    labels = torch.tensor([c for c, n in enumerate(sizes) for _ in range(n)])
    labels = labels[torch.randperm(len(labels), generator=torch.Generator().manual_seed(draw(st.integers(0, 99))))]
    return labels, draw(st.integers(1, n_classes)), k, q


@settings(max_examples=60, deadline=None)
@given(labelled_requests(), st.integers(0, 2**31))
def test_episode_invariants(req, seed):
    labels, n, k, q = req
    for idx in EpisodeSampler(labels, n, k, q, episodes=5, seed=seed):
        assert len(idx) == len(set(idx)) == n * (k + q)             # no index twice
        blocks = torch.tensor(idx).view(n, k + q)
        block_labels = labels[blocks]
        assert (block_labels == block_labels[:, :1]).all()           # each block is one class
        assert len(set(block_labels[:, 0].tolist())) == n            # n distinct classes


@settings(max_examples=30, deadline=None)
@given(labelled_requests(), st.integers(0, 2**31))
def test_seed_fixes_episodes_and_no_seed_follows_global_rng(req, seed):
    labels, n, k, q = req
    assert list(EpisodeSampler(labels, n, k, q, 4, seed)) == list(EpisodeSampler(labels, n, k, q, 4, seed))
    torch.manual_seed(seed); a = list(EpisodeSampler(labels, n, k, q, 4))
    torch.manual_seed(seed); b = list(EpisodeSampler(labels, n, k, q, 4))
    assert a == b


def test_collate_relabels_and_splits():
    items = [(torch.full((1, 2, 2), float(c * 10 + i)), torch.tensor(c + 40)) for c in range(3) for i in range(4)]
    ep = EpisodeCollate(3, 1, 3)(items)
    assert ep.support.shape == (3, 1, 2, 2) and ep.query.shape == (9, 1, 2, 2)
    assert ep.support_labels.tolist() == [0, 1, 2]
    assert ep.query_labels.tolist() == [0, 0, 0, 1, 1, 1, 2, 2, 2]
    assert ep.support[:, 0, 0, 0].tolist() == [0, 10, 20]            # the first item of each class is support


@pytest.mark.parametrize('n, k, q, match', [(4, 1, 1, 'Lower n_way'), (2, 3, 3, 'fewer than'), (0, 1, 1, 'n_way')])
def test_bad_requests_name_the_problem(n, k, q, match):
    labels = torch.tensor([0] * 5 + [1] * 5 + [2] * 4)
    with pytest.raises(ValueError, match=match):
        EpisodeSampler(labels, n, k, q)


@settings(max_examples=30, deadline=None)
@given(labelled_requests(), st.integers(1, 4), st.integers(0, 2**31))
def test_a_batch_of_tasks_is_the_same_episodes_stacked(req, tasks, seed):
    labels, n, k, q = req
    stacked = list(EpisodeSampler(labels, n, k, q, episodes=2, seed=seed, tasks=tasks))
    single = list(EpisodeSampler(labels, n, k, q, episodes=2 * tasks, seed=seed))
    assert [i for batch in stacked for i in batch] == [i for ep in single for i in ep]    # same random stream, grouped
    items = [(torch.full((1, 2, 2), float(i)), labels[i]) for i in stacked[0]]
    batch = EpisodeCollate(n, k, q, tasks=tasks)(items)
    assert batch.support.shape == (tasks, n * k, 1, 2, 2) and batch.query_labels.shape == (tasks, n * q)
    for t in range(tasks):                                                             # each task is the episode alone
        ep = EpisodeCollate(n, k, q)(items[t * n * (k + q):(t + 1) * n * (k + q)])
        assert torch.equal(batch.support[t], ep.support) and torch.equal(batch.query_labels[t], ep.query_labels)


def test_collate_takes_a_stacked_pair_from_getitems():
    x, y = torch.arange(6.).view(6, 1, 1, 1), torch.tensor([5, 5, 7, 7, 9, 9])
    a = EpisodeCollate(3, 1, 1)((x, y))
    b = EpisodeCollate(3, 1, 1)(list(zip(x, y)))
    assert all(torch.equal(u, v) for u, v in zip(a, b))
