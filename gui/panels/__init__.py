"""Panels that follow the cursor: activations, deltas, gradients, loss and the inspector, and
the weights panel, which follows the network.

Each panel is built as ``Panel(session, parent=None)``, observes the session's signals, and offers
``displayed()``: the numbers and labels it currently shows, for tests and for the reader's trust.

:mod:`.base` holds their common shape (rebuild per trace, then apply only the difference of a
small view state) and :mod:`.time_heatmaps` the hover and click of the units x time panels; what
they draw with comes from :mod:`gui.widgets`.
"""

from __future__ import annotations

from gui.panels.activations import ActivationsPanel
from gui.panels.deltas import DeltasPanel
from gui.panels.gradients import GradientsPanel
from gui.panels.inspector import InspectorPanel
from gui.panels.loss import LossPanel
from gui.panels.weights import WeightsPanel

__all__ = [
    "ActivationsPanel",
    "DeltasPanel",
    "GradientsPanel",
    "InspectorPanel",
    "LossPanel",
    "WeightsPanel",
]
