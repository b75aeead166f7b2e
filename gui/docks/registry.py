"""Every dock of the main window: its id, title, panel, default area and what it needs.

The window builds its docks from :data:`DOCKS`, in this order (the View menu lists them so), and
names each dock widget ``DockId.object_name`` - ``"dock_<value>"`` - which is what a saved window
layout refers to: renaming a value loses the layouts users saved (bump ``LAYOUT_VERSION`` in
``gui/main_window.py`` when the docks change).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from gui.analysis.gradient_check import GradCheckPanel
from gui.analysis.gradient_flow import GradientFlowPanel
from gui.analysis.rtrl_compare import RTRLComparePanel
from gui.analysis.spectral import SpectralPanel
from gui.analysis.state_space import StateSpacePanel
from gui.docks.network import NetworkPanel
from gui.docks.task import TaskPanel
from gui.lessons.panel import LessonPanel
from gui.panels import (
    ActivationsPanel,
    DeltasPanel,
    GradientsPanel,
    InspectorPanel,
    LossPanel,
    WeightsPanel,
)
from gui.training.panel import TrainingPanel


class DockId(enum.Enum):
    """The docks of the main window; the value names the dock in saved layouts."""

    ACTIVATIONS = "activations"
    DELTAS = "deltas"
    GRADIENTS = "gradients"
    LOSS = "loss"
    INSPECTOR = "inspector"
    TASK = "task"
    NETWORK = "network"
    TRAINING = "training"
    STATE_SPACE = "state_space"
    FLOW = "flow"
    GRADCHECK = "gradcheck"
    WEIGHTS = "weights"
    LESSON = "lesson"
    RTRL = "rtrl"
    SPECTRAL = "spectral"

    @property
    def object_name(self) -> str:
        """The dock widget's Qt object name, by which ``QMainWindow.restoreState`` finds it."""
        return f"dock_{self.value}"


@dataclass(frozen=True, slots=True)
class DockSpec:
    """How to build one dock.

    title : the dock's title (and its entry in the View menu).
    factory : builds the panel, ``factory(session)``, or ``factory(session, controller)`` when
        ``needs_controller``.
    area : where the dock starts.
    needs_controller : whether the panel takes the training controller too.
    tooltip : what the dock shows, for the View menu's entry.
    tab : the short title on the dock's tab and title bar, where the tabs of a group share the
        width of a column ("" for ``title``; the tab's tooltip gives the whole title).
    min_size : (width, height) in pixels below which the panel cannot be read; a saved layout
        that leaves a dock less is not restored.
    scrolls : whether the panel is a form that scrolls rather than widen its column.
    companion : a dock in another place that is raised with this one, because the two are read
        together (None for none).
    """

    title: str
    factory: Callable[..., QWidget]
    area: Qt.DockWidgetArea
    needs_controller: bool
    tooltip: str
    tab: str = ""
    min_size: tuple[int, int] = (240, 160)
    scrolls: bool = False
    companion: DockId | None = None

    @property
    def tab_title(self) -> str:
        """The title on the dock's tab and title bar."""
        return self.tab or self.title


_Area = Qt.DockWidgetArea
_LEFT, _RIGHT, _BOTTOM = (
    _Area.LeftDockWidgetArea,
    _Area.RightDockWidgetArea,
    _Area.BottomDockWidgetArea,
)

#: the docks in the order they are built
DOCKS: Mapping[DockId, DockSpec] = MappingProxyType(
    {
        DockId.ACTIVATIONS: DockSpec(
            "Activations over time", ActivationsPanel, _RIGHT, False,
            "Hidden activations, outputs and targets of every step, filled in going forward",
            tab="Activations", min_size=(260, 220),
        ),
        DockId.DELTAS: DockSpec(
            "Deltas over time", DeltasPanel, _RIGHT, False,
            "Output and hidden deltas of every step, filled in going backward",
            tab="Deltas", min_size=(260, 220),
        ),
        DockId.GRADIENTS: DockSpec(
            "Gradients", GradientsPanel, _BOTTOM, False,
            "This step's gradient terms beside the gradient accumulated so far",
            min_size=(420, 180),
        ),
        DockId.LOSS: DockSpec(
            "Loss per time step", LossPanel, _RIGHT, False,
            "The loss of each time step of the sequence",
            tab="Loss", min_size=(260, 150),
        ),
        DockId.INSPECTOR: DockSpec(
            "Inspector", InspectorPanel, _LEFT, False,
            "The equation of the selected node, edge or gradient cell, with its numbers",
            min_size=(220, 200),
        ),
        DockId.TASK: DockSpec(
            "Task and data", TaskPanel, _LEFT, True,
            "Generate a built-in task's sequences or open a sequence file",
            tab="Task", min_size=(220, 150), scrolls=True,
        ),
        DockId.NETWORK: DockSpec(
            "Network", NetworkPanel, _LEFT, True,
            "Shape a new Elman or Jordan network for the data",
            min_size=(220, 150), scrolls=True,
        ),
        DockId.TRAINING: DockSpec(
            "Training", TrainingPanel, _BOTTOM, True,
            "Train the network with live plots, then replay the run",
            min_size=(420, 180),
        ),
        DockId.STATE_SPACE: DockSpec(
            "State space", StateSpacePanel, _RIGHT, False,
            "Hidden states in principal-component space and their clusters",
            min_size=(260, 220),
        ),
        DockId.FLOW: DockSpec(
            "Gradient flow", GradientFlowPanel, _BOTTOM, False,
            "How far back each loss term's gradient reaches",
            min_size=(320, 180),
        ),
        DockId.GRADCHECK: DockSpec(
            "Gradient check", GradCheckPanel, _BOTTOM, False,
            "BPTT's gradients against finite differences, per parameter",
            min_size=(320, 180),
        ),
        DockId.WEIGHTS: DockSpec(
            "Weights", WeightsPanel, _BOTTOM, False,
            "The network's parameters as Hinton diagrams",
            min_size=(320, 160),
        ),
        DockId.LESSON: DockSpec(
            "Lesson and predictions", LessonPanel, _LEFT, True,
            "A guided lesson: its step's text with live numbers; Back and Next move the window. "
            "Predict mode asks for each step's number first",
            tab="Lesson", min_size=(240, 200), scrolls=True,
        ),
        DockId.RTRL: DockSpec(
            "RTRL vs BPTT", RTRLComparePanel, _BOTTOM, False,
            "Real-time recurrent learning's gradient, accumulated forward, beside BPTT's, "
            "accumulated backward, with the work and memory each one counts",
            tab="RTRL", min_size=(420, 200),
        ),
        DockId.SPECTRAL: DockSpec(
            "Spectrum of W", SpectralPanel, _RIGHT, False,
            "W's eigenvalues and singular values, and how the Jacobian product grows or fades "
            "with the lag, beside the gradient flow; rescale W to a chosen spectral radius",
            tab="Spectrum", min_size=(300, 320), companion=DockId.FLOW,
        ),
    }
)  # fmt: skip
