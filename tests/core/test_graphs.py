"""The folded and unfolded graphs: counts, deterministic positions, edge semantics."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from core.graphs import (
    COLUMN_OFFSET,
    EDGE_KINDS,
    count_unfolded_edges,
    count_window_edges,
    edge_weights,
    folded_arrays,
    folded_graph,
    graph_arrays,
    unfolded_arrays,
    unfolded_graph,
    unfolded_window,
)
from core.model import SRN

ROOT = Path(__file__).resolve().parents[2]
SHAPES = [(1, 1, 1, 1), (4, 5, 3, 6), (2, 3, 4, 7), (3, 8, 2, 2)]
IDS = [f"I{i}-H{h}-O{o}-T{t}" for i, h, o, t in SHAPES]


def _net(I: int, H: int, O: int) -> SRN:
    return SRN.init(I, H, O, seed=7)


@pytest.mark.parametrize(("I", "H", "O", "T"), SHAPES, ids=IDS)
def test_unfolded_counts(I: int, H: int, O: int, T: int) -> None:
    G = unfolded_graph(_net(I, H, O), T)
    assert G.number_of_nodes() == T * I + (T + 1) * H + T * O + T
    assert G.number_of_edges() == T * (H * I + H * H + O * H + O)
    assert G.number_of_edges() == count_unfolded_edges(I, H, O, T)
    params = [d["param"] for _, _, d in G.edges(data=True)]
    assert params.count("U") == T * H * I
    assert params.count("W") == T * H * H
    assert params.count("V") == T * O * H
    assert params.count("loss") == T * O


@pytest.mark.parametrize(("I", "H", "O"), [(1, 1, 1), (4, 5, 3), (3, 2, 6)], ids=str)
@pytest.mark.parametrize("context", [False, True], ids=["hidden-loops", "elman-context"])
def test_folded_counts(I: int, H: int, O: int, context: bool) -> None:
    G = folded_graph(_net(I, H, O), elman_context=context)
    assert G.number_of_nodes() == I + H + O + (H if context else 0)
    assert G.number_of_edges() == H * I + H * H + O * H + (H if context else 0)
    layers = [d["layer"] for _, d in G.nodes(data=True)]
    assert layers.count("c") == (H if context else 0)


def test_folded_recurrent_edges_are_loops_and_hidden_pairs() -> None:
    net = _net(4, 5, 3)
    G = folded_graph(net)
    w_edges = [(s, r, d) for s, r, d in G.edges(data=True) if d["param"] == "W"]
    assert all(s[0] == "h" and r[0] == "h" for s, r, _ in w_edges)
    loops = [(s, r) for s, r, _ in w_edges if s == r]
    assert len(loops) == 5
    for s, r, d in w_edges:
        # W[j, k] is the edge h_k -> h_j
        assert (d["row"], d["col"]) == (r[2], s[2])
        assert d["weight"] == net.W[d["row"], d["col"]]


def test_elman_context_copies_with_weight_one() -> None:
    net = _net(3, 4, 2)
    G = folded_graph(net, elman_context=True)
    copies = [(s, r, d) for s, r, d in G.edges(data=True) if d["param"] == "copy"]
    assert len(copies) == 4
    for s, r, d in copies:
        assert s == ("h", 0, s[2]) and r == ("c", -1, s[2])
        assert d["weight"] == 1.0
    w_edges = [(s, r, d) for s, r, d in G.edges(data=True) if d["param"] == "W"]
    assert len(w_edges) == 16
    assert all(s[0] == "c" and r[0] == "h" for s, r, _ in w_edges)
    assert not any(s == r for s, r, _ in w_edges)
    for s, r, d in w_edges:
        assert d["weight"] == net.W[r[2], s[2]]
    # Elman's drawing: context units on the input row, to the left of the inputs
    cx = [G.nodes[n]["pos"] for n in G if n[0] == "c"]
    xx = [G.nodes[n]["pos"] for n in G if n[0] == "x"]
    assert {p[1] for p in cx} == {p[1] for p in xx}
    assert max(p[0] for p in cx) < min(p[0] for p in xx)


def test_unfolded_edges_follow_the_equations() -> None:
    net = _net(2, 3, 2)
    G = unfolded_graph(net, 4)
    for s, r, d in G.edges(data=True):
        t, row, col = d["t"], d["row"], d["col"]
        if d["param"] == "U":  # a(t) += U x(t)
            assert (s, r) == (("x", t, col), ("h", t, row))
            assert d["weight"] == net.U[row, col]
        elif d["param"] == "W":  # a(t) += W h(t-1)
            assert (s, r) == (("h", t - 1, col), ("h", t, row))
            assert d["weight"] == net.W[row, col]
        elif d["param"] == "V":  # o(t) = c + V h(t)
            assert (s, r) == (("h", t, col), ("y", t, row))
            assert d["weight"] == net.V[row, col]
        else:
            assert d["param"] == "loss"
            assert (s, r) == (("y", t, col), ("L", t, 0))
    assert G.nodes[("h", 0, 2)]["t"] == 0
    assert ("x", 0, 0) not in G and ("L", 0, 0) not in G


def test_every_node_has_layer_t_unit_pos() -> None:
    G = unfolded_graph(_net(2, 3, 2), 3)
    for n, d in G.nodes(data=True):
        assert (d["layer"], d["t"], d["unit"]) == n
        assert len(d["pos"]) == 2


@pytest.mark.parametrize(("I", "H", "O", "T"), SHAPES, ids=IDS)
def test_unfolded_positions_are_ordered_columns(I: int, H: int, O: int, T: int) -> None:
    G = unfolded_graph(_net(I, H, O), T)
    for _, d in G.nodes(data=True):
        assert d["pos"][0] == pytest.approx(d["t"] + COLUMN_OFFSET[d["layer"]])
    # layer bands bottom to top x < h < y < L; unit 0 on top of its band
    extent = {}
    for layer in ("x", "h", "y", "L"):
        ys = [d["pos"][1] for n, d in G.nodes(data=True) if n[0] == layer and n[1] == 1]
        assert ys == sorted(ys, reverse=True)
        extent[layer] = (min(ys), max(ys))
    assert extent["x"][1] < extent["h"][0] <= extent["h"][1] < extent["y"][0]
    assert extent["y"][1] < extent["L"][0]


def test_positions_are_deterministic_across_calls_and_processes() -> None:
    net = _net(4, 5, 3)
    a = graph_arrays(unfolded_graph(net, 6))
    unfolded_arrays.cache_clear()
    b = graph_arrays(unfolded_graph(net, 6))
    assert a.node_ids == b.node_ids
    np.testing.assert_array_equal(a.pos, b.pos)
    np.testing.assert_array_equal(a.edges, b.edges)
    # a different hash seed must not change the layout
    code = (
        "from core.graphs import unfolded_arrays, folded_arrays\n"
        "a = unfolded_arrays(4, 5, 3, 6); f = folded_arrays(4, 5, 3, True)\n"
        "print(a.pos.tobytes().hex()[:400], a.edges.sum(), f.pos.tobytes().hex())\n"
    )
    outs = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert out.returncode == 0, out.stderr
        outs.add(out.stdout)
    assert len(outs) == 1


@pytest.mark.parametrize(("I", "H", "O", "T"), SHAPES, ids=IDS)
def test_graph_arrays_match_the_numpy_builder(I: int, H: int, O: int, T: int) -> None:
    net = _net(I, H, O)
    a = graph_arrays(unfolded_graph(net, T))
    b = unfolded_arrays(I, H, O, T)
    assert a.node_ids == b.node_ids
    for name in ("pos", "edges", "edge_kind", "edge_row", "edge_col", "edge_t", "node_t"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    assert dict(a.bands) == dict(b.bands)
    for context in (False, True):
        fa = graph_arrays(folded_graph(net, context))
        fb = folded_arrays(I, H, O, context)
        assert fa.node_ids == fb.node_ids
        np.testing.assert_array_equal(fa.edges, fb.edges)
        np.testing.assert_array_equal(fa.pos, fb.pos)


def test_arrays_are_read_only_and_shape_only() -> None:
    a = unfolded_arrays(2, 3, 2, 5)
    with pytest.raises(ValueError):
        a.pos[0, 0] = 1.0
    assert unfolded_arrays(2, 3, 2, 5) is a  # cached by shape
    # weights come as a per-edge array on top of the shared geometry
    n1, n2 = SRN.init(2, 3, 2, seed=1), SRN.init(2, 3, 2, seed=2)
    w1, w2 = edge_weights(a, n1), edge_weights(a, n2)
    assert w1.shape == w2.shape == (a.n_edges,)
    assert not np.array_equal(w1, w2)
    w_rows = a.edge_kind == EDGE_KINDS.index("W")
    np.testing.assert_array_equal(w1[w_rows], n1.W[a.edge_row[w_rows], a.edge_col[w_rows]])
    assert np.all(w1[a.edge_kind == EDGE_KINDS.index("loss")] == 1.0)


def test_large_unfolded_geometry_without_edges() -> None:
    a = unfolded_arrays(4, 64, 3, 1000, with_edges=False)
    assert a.n_nodes == 1000 * 4 + 1001 * 64 + 1000 * 3 + 1000
    assert a.n_edges == 0
    h = a.layer_slice("h")
    assert a.node_ids[h.start] == ("h", 0, 0)
    assert a.node_ids[h.stop - 1] == ("h", 1000, 63)
    assert a.index[("h", 500, 7)] == h.start + 500 * 64 + 7


def test_rejects_empty_shapes() -> None:
    with pytest.raises(ValueError, match="T >= 1"):
        unfolded_arrays(1, 1, 1, 0)


# -- Jordan networks: W edges leave the outputs ------------------------------------------------
@pytest.mark.parametrize("context", ["output", "target"])
def test_unfolded_jordan_graph_feeds_y_of_the_previous_step(context: str) -> None:
    I, H, O, T = 2, 3, 4, 5
    net = SRN.init(I, H, O, seed=7, context=context)
    G = unfolded_graph(net, T)
    assert G.number_of_nodes() == T * I + T * H + (T + 1) * O + T
    assert G.number_of_edges() == count_unfolded_edges(I, H, O, T, context)
    assert sorted(n for n in G.nodes if n[1] == 0) == [("y", 0, k) for k in range(O)]
    w_edges = [(s, r, d) for s, r, d in G.edges(data=True) if d["param"] == "W"]
    assert len(w_edges) == T * H * O
    for s, r, d in w_edges:
        assert s == ("y", r[1] - 1, d["col"]) and r == ("h", d["t"], d["row"])
        assert d["weight"] == net.W[d["row"], d["col"]]
    a = graph_arrays(G)
    b = unfolded_arrays(I, H, O, T, context=context)
    assert a.node_ids == b.node_ids and np.array_equal(a.edges, b.edges)


@pytest.mark.parametrize("drawn", [False, True], ids=["loops", "context-layer"])
def test_folded_jordan_graph(drawn: bool) -> None:
    I, H, O = 2, 3, 4
    net = SRN.init(I, H, O, seed=7, context="output")
    G = folded_graph(net, elman_context=drawn)
    sender = "c" if drawn else "y"
    w_edges = [(s, r, d) for s, r, d in G.edges(data=True) if d["param"] == "W"]
    assert len(w_edges) == H * O
    assert all(
        s[0] == sender and s[2] == d["col"] and r == ("h", 0, d["row"]) for s, r, d in w_edges
    )
    copies = [(s, r) for s, r, d in G.edges(data=True) if d["param"] == "copy"]
    assert copies == ([(("y", 0, k), ("c", -1, k)) for k in range(O)] if drawn else [])
    forced = folded_graph(SRN.init(I, H, O, seed=7, context="target"))
    assert sum(1 for _, d in forced.nodes(data=True) if d["layer"] == "c") == O  # always drawn
    assert not [1 for *_, d in forced.edges(data=True) if d["param"] == "copy"]  # data, not y


@pytest.mark.parametrize(
    ("context", "window"), [("hidden", 0), ("output", 0), ("none", 0), ("none", 2)]
)
@pytest.mark.parametrize(("first", "last"), [(0, 9), (0, 3), (1, 9), (4, 7), (9, 9), (0, 0)])
def test_a_window_of_columns_is_that_part_of_the_whole_graph(
    context: str, window: int, first: int, last: int
) -> None:
    """A long sequence's view builds only the columns it shows: the same nodes in the same order
    and places, and the edges among them (W edges into the first column have no sender, nor
    have a tapped delay line's edges from inputs before it)."""
    I, H, O, T = 2, 3, 2, 9
    whole = unfolded_arrays(I, H, O, T, context=context, window=window)
    part = unfolded_window(I, H, O, T, first, last, context=context, window=window)
    ids = [n for n in whole.node_ids if first <= n[1] <= last]
    assert part.node_ids == tuple(ids)
    assert len(part.index) == len(ids) and list(part.index) == ids
    assert all(part.index[n] == i for i, n in enumerate(ids))
    assert ("x", last + 1, 0) not in part.index and ("h", first, H) not in part.index
    rows = [whole.index[n] for n in ids]
    np.testing.assert_array_equal(part.pos, whole.pos[rows])
    inside = [
        (whole.node_ids[s], whole.node_ids[r])
        for s, r in whole.edges
        if first <= whole.node_t[s] and whole.node_t[r] <= last
    ]
    assert [(part.node_ids[s], part.node_ids[r]) for s, r in part.edges] == inside
    assert part.n_edges == count_window_edges(I, H, O, first, last, context, window)
    whole_count = count_unfolded_edges(I, H, O, T, context, window)
    assert count_window_edges(I, H, O, 0, T, context, window) == whole_count
    for name in ("edge_kind", "edge_row", "edge_col", "edge_t"):
        keep = (whole.node_t[whole.edges[:, 0]] >= first) & (
            whole.node_t[whole.edges[:, 1]] <= last
        )
        np.testing.assert_array_equal(getattr(part, name), getattr(whole, name)[keep], name)
    with pytest.raises(ValueError, match="inside"):
        unfolded_window(I, H, O, T, 3, T + 1, context=context)
