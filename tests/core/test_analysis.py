"""State-space PCA and hierarchical clustering of hidden states (core.analysis).

References: numpy's SVD for the PCA, scipy.cluster.hierarchy for the clustering, a direct loop
over time steps for the per-symbol means, and Elman (1990)'s finding that the clustered hidden
states of the letters task separate vowels from consonants.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.cluster import hierarchy

from core.analysis import (
    CONTEXT_SEPARATOR,
    SEQUENCE_START,
    dendrogram,
    fit_pca,
    hidden_states,
    hidden_states_steps,
    mean_by_symbol,
    state_space,
)
from core.bptt import bptt
from core.data import Dataset, Sequence
from core.model import SRN
from core.tasks import CONSONANTS, TASKS, VOWELS, make_task
from core.training import train


@pytest.fixture(scope="module")
def letters() -> tuple[SRN, Dataset]:
    dataset = make_task("letters", seed=0, n_sequences=6, syllables=5)
    return TASKS["letters"].network(dataset, seed=0), dataset


def _unsymbolic(n: int = 3, seed: int = 0) -> Dataset:
    """Sequences of different lengths without symbols, 2 inputs and 1 output."""
    rng = np.random.default_rng(seed)
    seqs = [Sequence(rng.normal(size=(T, 2)), rng.normal(size=(T, 1))) for T in (4, 6, 4)[:n]]
    return Dataset("plain", tuple(seqs), ("x1", "x2"), ("y",))


# -- hidden states ------------------------------------------------------------------------------
def test_hidden_states_match_one_sequence_at_a_time(letters: tuple[SRN, Dataset]) -> None:
    net, dataset = letters
    states = hidden_states(net, dataset)
    assert len(states) == len(dataset)
    for seq, h in zip(dataset.sequences, states, strict=True):
        assert h.shape == (seq.T + 1, net.n_hidden)
        assert not h.flags.writeable
        np.testing.assert_allclose(h, bptt(net, seq.x, seq.d).h, rtol=0, atol=1e-12)


def test_hidden_states_reject_a_network_of_the_wrong_shape() -> None:
    dataset = _unsymbolic()
    with pytest.raises(ValueError, match="inputs"):
        hidden_states(SRN.init(3, 4, 1), dataset)


def test_hidden_states_in_batches_report_progress(
    monkeypatch: pytest.MonkeyPatch, letters: tuple[SRN, Dataset]
) -> None:
    """Small batches: one sequence each; the last item holds exactly hidden_states'."""
    import core.analysis

    net, dataset = letters
    whole = hidden_states(net, dataset)
    monkeypatch.setattr(core.analysis, "_BATCH_WORK", 1)
    items = list(hidden_states_steps(net, dataset))
    total = sum(seq.T for seq in dataset.sequences)
    assert len(items) == len(dataset)
    done = [p.done for p in items]
    assert done == sorted(set(done)) and done[-1] == total
    assert all(p.total == total for p in items)
    assert all(p.states is None for p in items[:-1])
    last = items[-1].states
    assert last is not None and len(last) == len(dataset)
    for h, want in zip(last, whole, strict=True):
        np.testing.assert_allclose(h, want, rtol=0, atol=1e-12)
        assert not h.flags.writeable


def test_analyses_accept_states_computed_once(letters: tuple[SRN, Dataset]) -> None:
    net, dataset = letters
    states = hidden_states(net, dataset)
    given, computed = state_space(net, dataset, 2, states=states), state_space(net, dataset, 2)
    np.testing.assert_array_equal(given.trajectory, computed.trajectory)
    np.testing.assert_array_equal(given.cloud, computed.cloud)
    for context in (0, 1):
        labels, means = mean_by_symbol(net, dataset, context, states=states)
        want_labels, want_means = mean_by_symbol(net, dataset, context)
        assert labels == want_labels
        np.testing.assert_array_equal(means, want_means)


# -- PCA ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(50, 6), (4, 9)], ids=["N>H", "N<H"])
@pytest.mark.parametrize("k", [2, 3])
def test_pca_against_numpy_svd(shape: tuple[int, int], k: int) -> None:
    rng = np.random.default_rng(3)
    X = rng.normal(size=shape) * np.linspace(3, 0.5, shape[1]) + 7.0
    pca = fit_pca(X, k)
    assert pca.components.shape == (k, shape[1]) and pca.mean.shape == (shape[1],)
    np.testing.assert_allclose(pca.mean, X.mean(axis=0))
    _, s, Vt = np.linalg.svd(X - X.mean(axis=0), full_matrices=False)
    for c, v in zip(pca.components, Vt[:k], strict=True):  # the same direction up to sign
        np.testing.assert_allclose(abs(c @ v), 1.0, atol=1e-10)
    np.testing.assert_allclose(pca.components @ pca.components.T, np.eye(k), atol=1e-12)
    ratio = pca.explained_variance_ratio
    np.testing.assert_allclose(ratio, (s[:k] ** 2) / np.sum(s**2))
    assert np.all(np.diff(ratio) <= 0) and 0 < ratio.sum() <= 1 + 1e-12
    np.testing.assert_allclose(pca.project(pca.mean), np.zeros(k), atol=1e-12)
    p = pca.project(X)
    assert p.shape == (shape[0], k)
    np.testing.assert_allclose(p.var(axis=0) * shape[0], s[:k] ** 2, rtol=1e-10)
    assert pca.project(X[None]).shape == (1, shape[0], k)  # any leading axes
    for arr in (pca.mean, pca.components, pca.explained_variance_ratio):
        assert not arr.flags.writeable


def test_pca_sign_convention_is_deterministic() -> None:
    rng = np.random.default_rng(5)
    X = rng.normal(size=(30, 5)) * [4, 2, 1, 0.5, 0.1]
    pca = fit_pca(X, 3)
    biggest = pca.components[np.arange(3), np.argmax(np.abs(pca.components), axis=1)]
    assert np.all(biggest > 0)
    for Y in (-X, X[::-1], X + 10.0):  # mirrored, reordered, shifted: the same axes
        np.testing.assert_allclose(fit_pca(Y, 3).components, pca.components, atol=1e-10)


@pytest.mark.parametrize(
    "X",
    [np.array([[0.3, -0.2, 0.9]]), np.full((7, 3), 0.25), np.zeros((2, 3))],
    ids=["one point", "constant", "zeros"],
)
def test_pca_of_states_that_do_not_vary(X: np.ndarray) -> None:
    pca = fit_pca(X, 2)  # filterwarnings=error: no division-by-zero warning either
    assert np.isfinite(pca.components).all()
    np.testing.assert_allclose(pca.components @ pca.components.T, np.eye(2), atol=1e-12)
    np.testing.assert_array_equal(pca.explained_variance_ratio, [0.0, 0.0])
    np.testing.assert_allclose(pca.project(X), np.zeros((len(X), 2)), atol=1e-12)


def test_pca_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="n_components"):
        fit_pca(np.zeros((5, 2)), 3)
    with pytest.raises(ValueError, match="N >= 1"):
        fit_pca(np.zeros((0, 2)), 1)
    with pytest.raises(ValueError, match="non-finite"):
        fit_pca(np.array([[0.0, np.nan]]), 1)
    with pytest.raises(ValueError, match="expected"):
        fit_pca(np.eye(3), 2).project(np.zeros(2))


# -- state space --------------------------------------------------------------------------------
@pytest.mark.parametrize("k", [2, 3])
def test_state_space_of_the_letters_task(letters: tuple[SRN, Dataset], k: int) -> None:
    net, dataset = letters
    space = state_space(net, dataset, 2, n_components=k)
    seq = dataset.sequences[2]
    assert space.trajectory.shape == (seq.T + 1, k)
    assert space.labels == seq.symbols and len(space.labels) == seq.T
    states = hidden_states(net, dataset)
    cloud = np.concatenate([h[1:] for h in states])  # steps 1..T, h0 left out
    np.testing.assert_allclose(space.pca.mean, cloud.mean(axis=0))
    np.testing.assert_allclose(space.trajectory, space.pca.project(states[2]))
    np.testing.assert_allclose(space.cloud, space.pca.project(cloud))
    assert space.sequence_index == 2 and not space.trajectory.flags.writeable


def test_state_space_labels_steps_without_symbols() -> None:
    dataset = _unsymbolic()
    net = SRN.init(2, 3, 1, output="linear", seed=1)
    space = state_space(net, dataset, 1)
    assert space.trajectory.shape == (7, 2)
    assert space.labels == ("t=1", "t=2", "t=3", "t=4", "t=5", "t=6")
    assert space.cloud.shape == (14, 2)
    with pytest.raises(IndexError):
        state_space(net, dataset, 3)


# -- means by symbol ----------------------------------------------------------------------------
@pytest.mark.parametrize("context", [0, 1, 2])
def test_mean_by_symbol_against_a_direct_loop(letters: tuple[SRN, Dataset], context: int) -> None:
    net, dataset = letters
    labels, means = mean_by_symbol(net, dataset, context=context)
    groups: dict[str, list[np.ndarray]] = {}
    for seq in dataset.sequences:
        h = bptt(net, seq.x, seq.d).h
        for t in range(1, seq.T + 1):
            previous = [
                seq.symbols[s - 1] if s >= 1 else SEQUENCE_START for s in range(t - context, t)
            ]
            label = CONTEXT_SEPARATOR.join([*previous, seq.symbols[t - 1]])
            groups.setdefault(label, []).append(h[t])
    assert labels == tuple(sorted(groups))
    assert means.shape == (len(labels), net.n_hidden) and not means.flags.writeable
    for label, mean in zip(labels, means, strict=True):
        np.testing.assert_allclose(mean, np.mean(groups[label], axis=0), atol=1e-12)
    if context == 0:
        assert labels == ("a", "b", "d", "g", "i", "u")
    if context == 1:
        assert {"b a", "d i", "i i", "g u", "u u", "^ b"} <= set(labels)


def test_mean_by_symbol_needs_symbols() -> None:
    with pytest.raises(ValueError, match="no input symbols"):
        mean_by_symbol(SRN.init(2, 3, 1, output="linear"), _unsymbolic())


# -- dendrogram ---------------------------------------------------------------------------------
METHODS = [
    ("single", "euclidean"),
    ("complete", "cityblock"),
    ("average", "euclidean"),
    ("average", "sqeuclidean"),
    ("weighted", "euclidean"),
    ("ward", "euclidean"),
]


@pytest.mark.parametrize(("method", "metric"), METHODS, ids=[f"{m}-{d}" for m, d in METHODS])
def test_dendrogram_against_scipy(method: str, metric: str) -> None:
    rng = np.random.default_rng(11)
    X = rng.normal(size=(12, 5))
    labels = tuple("abcdefghijkl")
    tree = dendrogram(labels, X, method=method, metric=metric)
    Z = hierarchy.linkage(X, method=method, metric=metric)
    np.testing.assert_allclose(tree.linkage, Z, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(tree.leaves, hierarchy.leaves_list(Z))
    # the structure: K-1 merges, leaves a permutation, sizes add up, heights do not decrease
    assert tree.linkage.shape == (11, 4) and tree.heights.shape == (11,)
    assert sorted(tree.leaves.tolist()) == list(range(12))
    assert tree.linkage[-1, 3] == 12
    assert np.all(np.diff(tree.heights) >= 0)
    # drawing coordinates against scipy's own (x = 5 + 10 * position there, 0-based here)
    drawn = hierarchy.dendrogram(Z, no_plot=True)
    ours = sorted(
        (xa, xb, ha, h, hb)
        for (xa, xb), (ha, hb), h in zip(tree.x, tree.child_heights, tree.heights, strict=True)
    )
    theirs = sorted(
        ((ic[0] - 5) / 10, (ic[2] - 5) / 10, dc[0], dc[1], dc[3])
        for ic, dc in zip(drawn["icoord"], drawn["dcoord"], strict=True)
    )
    np.testing.assert_allclose(ours, theirs, atol=1e-12)
    assert tree.leaf_labels == tuple(labels[i] for i in drawn["leaves"])


def test_dendrogram_segments_draw_every_bracket() -> None:
    tree = dendrogram(("p", "q", "r"), np.array([[0.0], [1.0], [5.0]]))
    # p and q merge at 1 (positions 0 and 1, midpoint 0.5), then r joins at mean(5, 4) = 4.5
    np.testing.assert_allclose(tree.linkage, [[0, 1, 1.0, 2], [2, 3, 4.5, 3]])
    assert tree.leaf_labels == ("r", "p", "q")  # r (id 2) is listed before the pair (id 3)
    expected = [
        [[1, 0], [1, 1]], [[1, 1], [2, 1]], [[2, 1], [2, 0]],
        [[0, 0], [0, 4.5]], [[0, 4.5], [1.5, 4.5]], [[1.5, 4.5], [1.5, 1]],
    ]  # fmt: skip
    np.testing.assert_allclose(tree.segments(), expected)


def test_dendrogram_two_obvious_groups_merge_last() -> None:
    rng = np.random.default_rng(2)
    left = rng.normal(size=(4, 3)) * 0.1
    right = rng.normal(size=(3, 3)) * 0.1 + 10.0
    labels = ("l1", "r1", "l2", "l3", "r2", "l4", "r3")
    X = np.empty((7, 3))
    X[[0, 2, 3, 5]], X[[1, 4, 6]] = left, right
    tree = dendrogram(labels, X)
    assert {frozenset(c) for c in tree.clusters(2)} == {
        frozenset({"l1", "l2", "l3", "l4"}),
        frozenset({"r1", "r2", "r3"}),
    }
    assert tree.heights[-1] > 9.0 > tree.heights[-2]
    assert tree.clusters(1) == [tree.leaf_labels]
    assert [len(c) for c in tree.clusters(7)] == [1] * 7


def test_dendrogram_ties_and_small_cases_are_deterministic() -> None:
    square = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])  # equal distances
    first = dendrogram(tuple("abcd"), square)
    for _ in range(3):
        again = dendrogram(tuple("abcd"), square.copy())
        np.testing.assert_array_equal(again.linkage, first.linkage)
        np.testing.assert_array_equal(again.leaves, first.leaves)
    single = dendrogram(("only",), np.ones((1, 4)))
    assert single.linkage.shape == (0, 4) and single.leaves.tolist() == [0]
    assert single.segments().shape == (0, 2, 2)
    with pytest.raises(ValueError, match="labels"):
        dendrogram(("a",), np.zeros((2, 2)))
    with pytest.raises(ValueError, match="method"):
        dendrogram(("a", "b"), np.eye(2), method="centroid")
    with pytest.raises(ValueError, match="euclidean"):
        dendrogram(("a", "b"), np.eye(2), method="ward", metric="cityblock")


# -- Elman (1990): vowels and consonants ---------------------------------------------------------
@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_trained_letters_network_separates_vowels_from_consonants(seed: int) -> None:
    """After the task's recommended training, the average-linkage tree of the mean hidden state
    after each letter has a vowel and a consonant branch: the last merge joins {a, i, u} and
    {b, d, g}. (Before training this holds for some seeds only: the input features already
    mark vowels, so the untrained states partly separate them too.)"""
    spec = TASKS["letters"]
    dataset = make_task("letters", seed=seed)
    *_, record = train(spec.network(dataset, seed=seed), dataset, spec.train_config())
    assert record.diverged is None and record.score == 1.0
    tree = dendrogram(*mean_by_symbol(record.net, dataset), method="average")
    assert set(tree.labels) == set(VOWELS) | set(CONSONANTS)
    assert {frozenset(c) for c in tree.clusters(2)} == {frozenset(VOWELS), frozenset(CONSONANTS)}


# -- the untrained baseline (Kolen 1994) ---------------------------------------------------------
def test_baseline_projects_another_networks_states_in_the_same_axes():
    from core.analysis import baseline_space, hidden_states, state_space
    from core.model import SRN
    from core.tasks import TASKS, make_task

    data = make_task("letters")
    trained = TASKS["letters"].network(data)
    other = SRN.init(trained.n_in, trained.n_hidden, trained.n_out, seed=99)
    space = state_space(trained, data, 2)
    states = hidden_states(other, data)
    base = baseline_space(space, states)
    # independent definition: centre by the trained states' mean, dot with the components
    all_states = np.concatenate([h[1:] for h in states])
    expected = (all_states - space.pca.mean) @ space.pca.components.T
    np.testing.assert_allclose(base.cloud, expected, atol=1e-12)
    np.testing.assert_allclose(
        base.trajectory, (states[2] - space.pca.mean) @ space.pca.components.T, atol=1e-12
    )
    assert not base.cloud.flags.writeable and not base.trajectory.flags.writeable
    # the network itself as its own baseline is the space's own cloud and trajectory
    own = baseline_space(space, hidden_states(trained, data))
    np.testing.assert_allclose(own.cloud, space.cloud, atol=1e-12)
    np.testing.assert_allclose(own.trajectory, space.trajectory, atol=1e-12)


def test_baseline_refuses_states_that_do_not_fit():
    from core.analysis import baseline_space, hidden_states, state_space
    from core.tasks import TASKS, make_task

    data = make_task("letters")
    net = TASKS["letters"].network(data)
    space = state_space(net, data, 0)
    states = hidden_states(net, data)
    with pytest.raises(ValueError, match="states have shape"):
        baseline_space(space, [h[:, :2] for h in states])
    bad = [np.array(h) for h in states]
    bad[0][1, 0] = np.nan
    with pytest.raises(ValueError, match="not all finite"):
        baseline_space(space, bad)
