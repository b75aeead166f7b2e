"""The folded view keeps the line segments of its shown edges between networks of the same
shape, and draws new ones when a weight change changes which edges are shown."""

from __future__ import annotations

import numpy as np

from core.model import SRN
from gui.graph_views import FoldedGraphView
from gui.graph_views.curves import pen_groups
from gui.graph_views.folded import EDGE_LIMIT
from gui.session import Session


def test_the_lines_follow_the_shown_edges_when_the_weights_change(qtbot) -> None:
    session = Session()
    view = FoldedGraphView(session)
    qtbot.addWidget(view)
    view.resize(900, 500)
    view.show()
    qtbot.waitExposed(view)
    session.set_network(SRN.init(4, 64, 3, seed=2))  # more weights than EDGE_LIMIT
    net = session.net
    edges = view.displayed_values()["edges"]
    assert len(edges) == EDGE_LIMIT
    hidden = next((r, c) for (r, c), _ in np.ndenumerate(net.W) if ("W", r, c) not in edges)
    # the same shown edges with other colours: the lines stay where they were
    x, y = view.edge_midpoint("W", *next(k[1:] for k in edges if k[0] == "W"))
    session.set_network(net.with_params(V=-net.V))
    assert view.tooltip_at(x, y).startswith("W[")
    # a hidden weight becomes the strongest: it is drawn, and found where it is drawn
    W = net.W.copy()
    W[hidden] = 50.0
    session.set_network(net.with_params(W=W))
    assert ("W", *hidden) in view.displayed_values()["edges"]
    x, y = view.edge_midpoint("W", *hidden)
    assert view.tooltip_at(x, y).startswith(f"W[{hidden[0] + 1},{hidden[1] + 1}] = 50.000")


def test_pen_groups_are_the_drawn_edges_of_each_key_in_edge_order() -> None:
    rng = np.random.default_rng(0)
    keys = rng.integers(0, 40, 5000)
    drawn = rng.random(5000) < 0.8
    groups = pen_groups(keys, drawn)
    expected = {int(k): np.flatnonzero((keys == k) & drawn) for k in np.unique(keys[drawn])}
    assert groups.keys() == expected.keys()
    for k, members in expected.items():
        np.testing.assert_array_equal(groups[k], members)
