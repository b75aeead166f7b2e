"""The folded and the unfolded network, drawn from ``core.graphs`` and coloured by the cursor."""

from __future__ import annotations

from gui.graph_views.folded import FoldedGraphView
from gui.graph_views.unfolded import UnfoldedDisplay, UnfoldedGraphView

__all__ = ["FoldedGraphView", "UnfoldedDisplay", "UnfoldedGraphView"]
