"""Analysing what a trained network represents: its hidden state space, by PCA and by clustering.

Bodén (2001, section 6) calls the analysis of learned internal representations crucial for
understanding what and how these networks process, and names the two methods used here:
principal components analysis (PCA) and hierarchical cluster analysis (HCA).

State space.  Every hidden vector h(t) of every sequence is a point in R^H. PCA finds the
orthonormal directions of largest variance of the points h_n(t), n over the sequences and
t = 1..T_n. With the centred points stacked as the rows of X (N, H) and the singular value
decomposition X = S_1 Sigma S_2^T, the principal components are the rows of S_2^T, the share of
variance along component i is sigma_i^2 / sum_j sigma_j^2, and a state projects to

    p(t) = C (h(t) - mean)          C (k, H): the first k components

so a sequence becomes a trajectory p(0), p(1), ..., p(T) through a 2-d or 3-d picture.

Baseline (Kolen 1994, "Fool's gold: extracting finite state machines from recurrent network
dynamics", NIPS 6). An untrained recurrent network already clusters its states: with small
weights each input symbol moves the state by its own contractive map, so the state after a
symbol depends mostly on the last few symbols, whatever the weights. So a cluster found in a
trained network means something only beside the clusters of the same network before training.
:func:`baseline_space` projects the states of another network (the untrained one) on the same
data in the same principal axes.

Clustering (Elman 1990, Finding structure in time, sec. 4 and Fig. 7).  The mean hidden vector
after each input symbol, grouped by the symbol alone or by the symbol in its context, is clustered
bottom-up: start with one cluster per symbol and repeatedly merge the two closest clusters, the
distance between clusters following the Lance-Williams update of the chosen method. Elman found
that the tree of word means separates nouns from verbs; on the letters task it separates vowels
from consonants. The linkage matrix has scipy's layout (``scipy.cluster.hierarchy.linkage``,
which the tests use as the reference), computed here in numpy so that scipy is not needed at run
time.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from core.bptt import bptt
from core.data import Dataset
from core.model import SRN, frozen
from core.tdl import TDL

Array = NDArray[np.floating]

#: the label of the missing previous symbol at the start of a sequence (``mean_by_symbol``)
SEQUENCE_START = "^"
#: separates the symbols of a symbol-in-context label, e.g. ``"b a"``
CONTEXT_SEPARATOR = " "
LINKAGE_METHODS = ("single", "complete", "average", "weighted", "ward")
METRICS = ("euclidean", "sqeuclidean", "cityblock")
#: most multiply-adds of one batch of forward sweeps in :func:`hidden_states_steps`
_BATCH_WORK = 1 << 22


# -- hidden states ------------------------------------------------------------------------------
def hidden_states(net: SRN | TDL, dataset: Dataset) -> list[Array]:
    """The hidden states of the network on every sequence (the forward sweep only).

    Sequences of equal length share batched :func:`core.bptt.bptt` calls; the BPTT(1)
    backward sweep it also runs is the cheapest there is and its results are not used.

    Returns
    -------
    One read-only (T_n + 1, H) array per sequence, in data set order: row t holds h(t)
    (Eqs. 1-2 of Unfold's Help > Equations page), row 0 the initial state h0.

    Raises
    ------
    ValueError
        When the network does not fit the data set, or a hidden state is not finite (a network
        with unbounded activations that diverged).
    """
    *_, last = hidden_states_steps(net, dataset)
    assert last.states is not None
    return list(last.states)


@dataclass(frozen=True, slots=True, eq=False)
class StatesProgress:
    """How far :func:`hidden_states_steps` has got.

    done, total : hidden states h_n(t), t = 1..T_n, computed so far and in all (sum of T_n).
    states : every sequence's read-only (T_n + 1, H) states, as :func:`hidden_states` returns
        them, in the last item; None before.
    """

    done: int
    total: int
    states: tuple[Array, ...] | None


def hidden_states_steps(net: SRN | TDL, dataset: Dataset) -> Iterator[StatesProgress]:
    """:func:`hidden_states` a batch of sequences at a time (sequences of equal length, at most
    about ``_BATCH_WORK`` multiply-adds per batch), yielding the progress after each batch.

    The last item holds the states. The fit of network and data is checked before the first
    item; a non-finite state raises ValueError when its batch is reached.
    """
    if net.n_in != dataset.n_in or net.n_out != dataset.n_out:
        raise ValueError(
            f"the network has {net.n_in} inputs and {net.n_out} outputs but data set "
            f"“{dataset.name}” has {dataset.n_in} inputs and {dataset.n_out} outputs"
        )
    by_length: dict[int, list[int]] = defaultdict(list)
    for i, seq in enumerate(dataset.sequences):
        by_length[seq.T].append(i)
    total = sum(seq.T for seq in dataset.sequences)
    per_step = net.n_hidden * (net.n_hidden + net.n_in + net.n_out)
    states: list[Array] = [np.empty(0)] * len(dataset)
    done = 0
    for T in sorted(by_length):
        same = by_length[T]
        batch = max(1, _BATCH_WORK // max(1, T * per_step))
        for first in range(0, len(same), batch):
            index = same[first : first + batch]
            x = np.stack([dataset.sequences[i].x for i in index])  # (B, T, I)
            d = np.stack([dataset.sequences[i].d for i in index])  # (B, T, O)
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                trace = bptt(net, x, d, truncation=1)
            for row, i in enumerate(index):
                h = trace.h[row]  # (T+1, H)
                if not np.isfinite(h).all():
                    raise ValueError(f"the hidden states of sequence {i} are not finite")
                states[i] = frozen(h)
            done += T * len(index)
            if done < total:
                yield StatesProgress(done, total, None)
    yield StatesProgress(total, total, tuple(states))


# -- principal components -----------------------------------------------------------------------
@dataclass(frozen=True, slots=True, eq=False)  # arrays: compare with np.array_equal
class PCA:
    """Principal components of a cloud of hidden states, read-only.

    Attributes
    ----------
    mean : (H,) the mean state, subtracted before projecting.
    components : (k, H) orthonormal rows, in order of decreasing variance; each row's entry of
        largest magnitude is positive (the first such entry on ties), so the picture does not
        flip between runs.
    explained_variance_ratio : (k,) sigma_i^2 / sum_j sigma_j^2, the share of the total variance
        along each component; sums to at most 1, and is all 0 when the states do not vary.
    """

    mean: Array
    components: Array
    explained_variance_ratio: Array

    @property
    def n_components(self) -> int:
        return int(self.components.shape[0])

    def project(self, h: Array) -> Array:
        """p = C (h - mean) for states h (.., H); returns (.., k)."""
        h = np.asarray(h, dtype=np.float64)
        if h.shape[-1:] != self.mean.shape:
            raise ValueError(f"states have shape {h.shape}, expected (..., {self.mean.shape[0]})")
        return (h - self.mean) @ self.components.T


def fit_pca(states: Array, n_components: int = 2) -> PCA:
    """Principal components of the rows of ``states`` (N, H), by singular value decomposition.

    With X = states - mean and X = S_1 Sigma S_2^T, the components are the first k rows of S_2^T.
    When there are fewer points than hidden units, the complete SVD supplies an orthonormal
    basis, so k components exist for any N >= 1 (those beyond the rank of X explain no variance).

    Parameters
    ----------
    states : (N, H) one state per row, N >= 1.
    n_components : k, 1 <= k <= H (2 or 3 for a picture).
    """
    X = np.asarray(states, dtype=np.float64)
    if X.ndim != 2 or X.shape[0] < 1:
        raise ValueError(f"states must be an (N, H) array with N >= 1, got shape {X.shape}")
    N, H = X.shape
    k = int(n_components)
    if not 1 <= k <= H:
        raise ValueError(f"n_components must be in 1..{H} (the number of hidden units), got {k}")
    if not np.isfinite(X).all():
        raise ValueError("states hold a non-finite value")
    mean = X.mean(axis=0)
    X = X - mean
    # S_2^T is (H, H) either way: complete when N < H, and min(N, H) = H rows otherwise
    _, sigma, Vt = np.linalg.svd(X, full_matrices=N < H)
    components = Vt[:k].copy()
    # sign convention: the entry of largest magnitude in each component is positive
    biggest = np.argmax(np.abs(components), axis=1)
    signs = np.where(components[np.arange(k), biggest] < 0, -1.0, 1.0)
    components *= signs[:, None]
    variance = np.zeros(k)
    variance[: min(k, sigma.size)] = sigma[:k] ** 2
    total = float(np.sum(sigma**2))
    ratio = variance / total if total > 0 else np.zeros(k)
    return PCA(frozen(mean), frozen(components), frozen(ratio))


@dataclass(frozen=True, slots=True, eq=False)  # arrays: compare with np.array_equal
class StateSpace:
    """One sequence's path through the hidden state space of a whole data set, read-only.

    Attributes
    ----------
    pca : the PCA fitted to h_n(t), t = 1..T_n, of every sequence n (h0 is left out, so that a
        fixed initial state does not pull the mean).
    sequence_index : which sequence ``trajectory`` follows.
    trajectory : (T+1, k) p(t) = C (h(t) - mean) of that sequence; row 0 projects h0.
    labels : (T,) strings; ``labels[t-1]`` names the input x(t) that led to ``trajectory[t]``:
        the symbol from ``Sequence.symbols``, or ``"t=<t>"`` when the sequence has none.
    cloud : (N, k) the projections of all N = sum_n T_n states the PCA was fitted to, sequence
        by sequence.
    """

    pca: PCA
    sequence_index: int
    trajectory: Array
    labels: tuple[str, ...]
    cloud: Array


def state_space(
    net: SRN | TDL,
    dataset: Dataset,
    sequence_index: int,
    n_components: int = 2,
    states: Sequence[Array] | None = None,
) -> StateSpace:
    """The PCA of the data set's hidden states and one sequence's trajectory in it.

    (Bodén 2001, section 6: PCA of the internal representations.) ``n_components`` is k,
    1 <= k <= H. ``states`` are :func:`hidden_states` of the network on the data set, when
    already computed.
    """
    if not 0 <= sequence_index < len(dataset):
        raise IndexError(f"sequence {sequence_index} is outside 0..{len(dataset) - 1}")
    if states is None:
        states = hidden_states(net, dataset)
    cloud = np.concatenate([h[1:] for h in states])  # (N, H), steps 1..T of every sequence
    pca = fit_pca(cloud, n_components)
    seq = dataset.sequences[sequence_index]
    labels = seq.symbols or tuple(f"t={t}" for t in range(1, seq.T + 1))
    return StateSpace(
        pca=pca,
        sequence_index=sequence_index,
        trajectory=frozen(pca.project(states[sequence_index])),
        labels=labels,
        cloud=frozen(pca.project(cloud)),
    )


@dataclass(frozen=True, slots=True, eq=False)  # arrays: compare with np.array_equal
class Baseline:
    """Another network's hidden states in a :class:`StateSpace`'s axes, read-only.

    Attributes
    ----------
    cloud : (N, k) p = C (h'_n(t) - mean) for every state h'_n(t), t = 1..T_n, of the other
        network on the same data set, sequence by sequence (as ``StateSpace.cloud``).
    trajectory : (T+1, k) the same for the sequence ``StateSpace.sequence_index``; row 0 h'0.
    """

    cloud: Array
    trajectory: Array


def baseline_space(space: StateSpace, states: Sequence[Array]) -> Baseline:
    """Project the hidden states ``states`` of another network on the same data set (one
    (T_n + 1, H) array per sequence, as :func:`hidden_states` gives them) with ``space``'s
    PCA: the mean and components fitted to the first network are kept, so both clouds are
    seen in the same axes (Kolen 1994; see the module docstring).

    Raises
    ------
    ValueError
        When ``states`` do not have the PCA's H or are not finite.
    """
    if not states:
        raise ValueError("no hidden states to project")
    if not all(np.isfinite(h).all() for h in states):
        raise ValueError("the baseline's hidden states are not all finite")
    if not 0 <= space.sequence_index < len(states):
        raise IndexError(f"sequence {space.sequence_index} is outside 0..{len(states) - 1}")
    cloud = np.concatenate([h[1:] for h in states])  # (N, H), steps 1..T of every sequence
    return Baseline(
        cloud=frozen(space.pca.project(cloud)),
        trajectory=frozen(space.pca.project(states[space.sequence_index])),
    )


# -- hierarchical clustering --------------------------------------------------------------------
def mean_by_symbol(
    net: SRN | TDL, dataset: Dataset, context: int = 0, states: Sequence[Array] | None = None
) -> tuple[tuple[str, ...], Array]:
    """The mean hidden state h(t) after each input symbol (Elman 1990, sec. 4).

    With ``context=0`` the states are grouped by the symbol x(t) just read; with ``context=c``
    by that symbol and the c symbols before it, labelled by the symbols joined with
    ``CONTEXT_SEPARATOR`` (``"b a"``: an ``a`` read after a ``b``), with ``SEQUENCE_START``
    standing for the symbols before the first step. ``states`` are :func:`hidden_states` of
    the network on the data set, when already computed.

    Returns
    -------
    labels : the K group labels, sorted.
    means : (K, H) read-only; row i is the mean of h(t) over the steps labelled ``labels[i]``.

    Raises
    ------
    ValueError
        When a sequence has no symbols (e.g. the sine task) or ``context`` is negative.
    """
    if context < 0:
        raise ValueError(f"context must be >= 0, got {context}")
    if states is None:
        states = hidden_states(net, dataset)
    sums: dict[str, Array] = {}
    counts: dict[str, int] = defaultdict(int)
    for n, (seq, h) in enumerate(zip(dataset.sequences, states, strict=True)):
        if not seq.symbols:
            raise ValueError(f"sequence {n} has no input symbols to group its hidden states by")
        padded = (SEQUENCE_START,) * context + seq.symbols
        for t in range(1, seq.T + 1):
            label = CONTEXT_SEPARATOR.join(padded[t - 1 : t + context])
            sums[label] = sums[label] + h[t] if label in sums else h[t].copy()
            counts[label] += 1
    labels = tuple(sorted(sums))
    means = np.array([sums[label] / counts[label] for label in labels])
    return labels, frozen(means)


@dataclass(frozen=True, slots=True, eq=False)  # arrays: compare with np.array_equal
class Dendrogram:
    """A hierarchical clustering of K labelled vectors, with coordinates for drawing it.

    Merge i (0-based) creates cluster K + i; clusters 0..K-1 are the single vectors.

    Attributes
    ----------
    labels : (K,) the label of each vector.
    linkage : (K-1, 4) read-only, scipy's layout: row i holds the two merged cluster ids (smaller
        first), the distance between them (the merge height) and the size of the new cluster.
    leaves : (K,) the vector indices in drawing order, left to right (scipy's ``leaves_list``:
        the first-listed cluster of a merge is drawn on the left).
    x : (K-1, 2) the x of the two merged clusters, in the order of ``linkage[:, :2]``. The i-th
        leaf in drawing order is at x = i; a merged cluster at the mean x of its two parts.
    child_heights : (K-1, 2) the heights of the two merged clusters (0 for a single vector).
    heights : (K-1,) the merge heights, ``linkage[:, 2]``.
    method, metric : as given to :func:`dendrogram`.
    """

    labels: tuple[str, ...]
    linkage: Array
    leaves: NDArray[np.intp]
    x: Array
    child_heights: Array
    heights: Array
    method: str
    metric: str

    @property
    def leaf_labels(self) -> tuple[str, ...]:
        """The labels in drawing order."""
        return tuple(self.labels[i] for i in self.leaves)

    def segments(self) -> Array:
        """(3 (K-1), 2, 2) the line segments ((x0, y0), (x1, y1)) that draw the tree.

        Each merge is a bracket: a vertical line up from each child to the merge height and
        a horizontal line between them; y is the height.
        """
        xa, xb = self.x[:, 0], self.x[:, 1]
        ha, hb, h = self.child_heights[:, 0], self.child_heights[:, 1], self.heights
        left = np.stack([np.stack([xa, ha], -1), np.stack([xa, h], -1)], 1)
        top = np.stack([np.stack([xa, h], -1), np.stack([xb, h], -1)], 1)
        right = np.stack([np.stack([xb, h], -1), np.stack([xb, hb], -1)], 1)
        return np.stack([left, top, right], 1).reshape(-1, 2, 2)

    def clusters(self, n: int) -> list[tuple[str, ...]]:
        """The labels of the n clusters left before the last n-1 merges, in drawing order."""
        K = len(self.labels)
        if not 1 <= n <= K:
            raise ValueError(f"n must be in 1..{K}, got {n}")
        members: list[list[int]] = [[i] for i in range(K)]
        for a, b in self.linkage[: K - n, :2].astype(np.intp):
            members.append(members[a] + members[b])
        alive = set(range(K + K - n)) - {int(c) for c in self.linkage[: K - n, :2].ravel()}
        position = {int(leaf): p for p, leaf in enumerate(self.leaves)}
        groups = sorted(
            (sorted(members[c], key=lambda i: position[i]) for c in alive),
            key=lambda g: position[g[0]],
        )
        return [tuple(self.labels[i] for i in g) for g in groups]


def pairwise_distances(points: Array, metric: str = "euclidean") -> Array:
    """(K, K) distances between the rows of ``points`` (K, H): euclidean, sqeuclidean or
    cityblock (as ``scipy.spatial.distance``); exactly symmetric with a zero diagonal."""
    if metric not in METRICS:
        raise ValueError(f"metric {metric!r} is not one of {METRICS}")
    P = np.asarray(points, dtype=np.float64)
    D = np.empty((P.shape[0], P.shape[0]))
    for i, p in enumerate(P):  # one row at a time: K H memory, not K K H
        diff = P - p
        if metric == "cityblock":
            D[i] = np.abs(diff).sum(axis=1)
        else:
            D[i] = np.einsum("kh,kh->k", diff, diff)
    D = np.minimum(D, D.T)  # exact symmetry
    np.fill_diagonal(D, 0.0)
    return np.sqrt(D) if metric == "euclidean" else D


def _lance_williams(
    method: str, d_ki: Array, d_kj: Array, d_ij: float, n_k: Array, n_i: float, n_j: float
) -> Array:
    """The distance from clusters k to the union of clusters i and j (Lance & Williams 1967)."""
    if method == "single":
        return np.minimum(d_ki, d_kj)
    if method == "complete":
        return np.maximum(d_ki, d_kj)
    if method == "average":  # UPGMA: the mean distance between members
        return (n_i * d_ki + n_j * d_kj) / (n_i + n_j)
    if method == "weighted":  # WPGMA
        return 0.5 * (d_ki + d_kj)
    # ward: the increase in within-cluster variance (in scipy's scale)
    total = n_k + n_i + n_j
    square = ((n_k + n_i) * d_ki**2 + (n_k + n_j) * d_kj**2 - n_k * d_ij**2) / total
    return np.sqrt(np.maximum(square, 0.0))


def _agglomerate(D: Array, method: str) -> Array:
    """The (K-1, 4) linkage matrix of the (K, K) distance matrix D, merging the closest pair first.

    Ties go to the pair that comes first in row-major order of the working matrix, so the result
    is a function of the input alone. O(K^3), fine for the tens of symbols clustered here.
    """
    K = D.shape[0]
    work = D.astype(np.float64, copy=True)
    np.fill_diagonal(work, np.inf)
    ids = np.arange(K)  # the cluster id in each slot
    sizes = np.ones(K)
    active = np.ones(K, dtype=bool)
    Z = np.empty((K - 1, 4))
    for step in range(K - 1):
        i, j = divmod(int(np.argmin(work)), K)  # i < j: the matrix is symmetric
        d_ij = float(work[i, j])
        a, b = sorted((int(ids[i]), int(ids[j])))
        Z[step] = a, b, d_ij, sizes[i] + sizes[j]
        active[i] = active[j] = False
        others = np.flatnonzero(active)
        new = np.full(K, np.inf)
        new[others] = _lance_williams(
            method, work[others, i], work[others, j], d_ij, sizes[others], sizes[i], sizes[j]
        )
        work[i, :], work[:, i] = new, new  # slot i holds the union
        work[j, :], work[:, j] = np.inf, np.inf  # slot j is retired
        active[i] = True
        sizes[i] += sizes[j]
        ids[i] = K + step
    return Z


def _leaf_order(Z: Array, K: int) -> NDArray[np.intp]:
    """The leaves left to right: depth first from the root, first-listed child first."""
    if K == 1:
        return np.zeros(1, dtype=np.intp)
    order: list[int] = []
    stack = [2 * K - 2]
    while stack:
        c = stack.pop()
        if c < K:
            order.append(c)
        else:
            a, b = Z[c - K, :2].astype(np.intp)
            stack.extend((int(b), int(a)))  # a is popped (drawn) first
    return np.array(order, dtype=np.intp)


def dendrogram(
    labels: tuple[str, ...] | list[str],
    means: Array,
    method: str = "average",
    metric: str = "euclidean",
) -> Dendrogram:
    """Agglomerative hierarchical clustering of the rows of ``means`` (K, H) (Elman 1990, Fig. 7;
    Bodén 2001, section 6).

    Parameters
    ----------
    labels : K names, one per row of ``means`` (e.g. from :func:`mean_by_symbol`).
    means : (K, H) the vectors to cluster, K >= 1.
    method : how the distance between clusters follows from the distances between members:
        ``"single"`` (closest members), ``"complete"`` (farthest), ``"average"`` (mean over
        all pairs, UPGMA; Elman's choice of a tree of average distances), ``"weighted"``
        (WPGMA) or ``"ward"`` (needs ``metric="euclidean"``).
    metric : ``"euclidean"``, ``"sqeuclidean"`` or ``"cityblock"``.

    The result equals ``scipy.cluster.hierarchy.linkage(means, method, metric)`` when no two
    distances tie, and is deterministic when they do. All methods here give non-decreasing
    merge heights.
    """
    if method not in LINKAGE_METHODS:
        raise ValueError(f"method {method!r} is not one of {LINKAGE_METHODS}")
    if method == "ward" and metric != "euclidean":
        raise ValueError(f"ward linkage needs the euclidean metric, got {metric!r}")
    X = np.asarray(means, dtype=np.float64)
    labels = tuple(str(s) for s in labels)
    if X.ndim != 2 or X.shape[0] < 1:
        raise ValueError(f"means must be a (K, H) array with K >= 1, got shape {X.shape}")
    K = X.shape[0]
    if len(labels) != K:
        raise ValueError(f"{len(labels)} labels for {K} vectors")
    if not np.isfinite(X).all():
        raise ValueError("means hold a non-finite value")
    Z = _agglomerate(pairwise_distances(X, metric), method)
    leaves = _leaf_order(Z, K)
    node_x = np.empty(2 * K - 1)
    node_h = np.zeros(2 * K - 1)
    node_x[leaves] = np.arange(K, dtype=np.float64)
    children = Z[:, :2].astype(np.intp)
    for step, (a, b) in enumerate(children):  # children are always created before parents
        node_x[K + step] = 0.5 * (node_x[a] + node_x[b])
        node_h[K + step] = Z[step, 2]
    return Dendrogram(
        labels=labels,
        linkage=frozen(Z),
        leaves=frozen(leaves),
        x=frozen(node_x[children].reshape(K - 1, 2)),
        child_heights=frozen(node_h[children].reshape(K - 1, 2)),
        heights=frozen(Z[:, 2]),
        method=method,
        metric=metric,
    )
