"""What the folded and the unfolded view share: toolbar, plot, legend, session wiring, pointer.

A view observes the session: ``traceChanged`` (new trace: geometry when the shape changed, then
the state), ``cursorChanged`` (state only) and ``notationChanged`` (labels). Subclasses compute a
frozen state with a pure function and apply only the fields that changed. Hover shows
``tooltip_at``; a left click sends ``selection_at`` to ``Session.select``. During a paced change
(``Session.paced``: a training run's network) the view redraws in a later turn of the event
loop, through the session's pacer, instead of in the slot.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np
import pyqtgraph as pg
from numpy.typing import NDArray
from PySide6.QtCore import QEvent, QPointF, Qt, SignalInstance
from PySide6.QtGui import QAction, QCursor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QSizePolicy,
    QToolBar,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from core.selection import Selection
from gui.graph_views.legend import Legend
from gui.graph_views.theme import Theme, theme_from_palette
from gui.session import Session
from gui.widgets.canvas import bounding_updates
from gui.widgets.text_line import TextLine

Slot = Callable[..., Any]


def _disconnect(pairs: list[tuple[SignalInstance, Slot]]) -> None:
    """Undo the view's session connections (the view is being destroyed)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for signal, slot in pairs:
            with contextlib.suppress(RuntimeError, TypeError, SystemError):
                signal.disconnect(slot)


def segment_distance(
    px: float, py: float, a: NDArray[np.float64], b: NDArray[np.float64], sx: float, sy: float
) -> NDArray[np.float64]:
    """Distance in pixels from point (px, py) to segments a[i] -> b[i] (data coordinates).

    ``sx``, ``sy`` are the data units per pixel along x and y (``ViewBox.viewPixelSize``).
    """
    ax, ay = (a[:, 0] - px) / sx, (a[:, 1] - py) / sy
    bx, by = (b[:, 0] - px) / sx, (b[:, 1] - py) / sy
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    with np.errstate(invalid="ignore", divide="ignore"):
        u = np.where(length2 > 0, -(ax * dx + ay * dy) / length2, 0.0)
    u = np.clip(u, 0.0, 1.0)
    return np.hypot(ax + u * dx, ay + u * dy)


class GraphView(QWidget):
    """Base of the graph views: a toolbar, a pyqtgraph plot and a legend over a session."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._theme: Theme = theme_from_palette(self.palette())
        self._last_tip = ""
        self._auto_fit = True  # refit on resize until the user zooms or pans
        self._paced_trace = False  # a paced new trace waits in the session's pacer
        self._paced_state = False  # a paced change (trace, cursor or notation) waits

        self._toolbar = QToolBar(self)
        self._toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        # right-aligned, empty rather than clipped; a new text repaints it without a relayout
        self._status = TextLine(Qt.AlignmentFlag.AlignRight, parent=self)
        # the status gives way to the toolbar in a narrow view
        self._status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self._fit_action = QAction("Fit", self)
        self._fit_action.setToolTip("Show the whole network (also: double-click the background)")
        self._fit_action.triggered.connect(self._on_fit_triggered)
        self._plot = pg.PlotWidget(parent=self, background=self._theme.background)
        bounding_updates(self._plot)
        self._plot_item: pg.PlotItem = self._plot.getPlotItem()
        self._plot_item.hideButtons()
        self._plot_item.setMenuEnabled(False)
        self._view_box: pg.ViewBox = self._plot_item.getViewBox()
        self._legend = Legend(self)

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 6, 0)
        top.addWidget(self._toolbar)
        top.addWidget(self._status, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(top)
        layout.addWidget(self._plot, 1)
        layout.addWidget(self._legend)

        self._view_box.sigRangeChangedManually.connect(self._on_view_range_changed_manually)
        self._view_box.sigResized.connect(self._on_view_resized)
        scene = self._plot.scene()
        scene.sigMouseMoved.connect(self._on_scene_mouse_moved)
        scene.sigMouseClicked.connect(self._on_scene_mouse_clicked)
        self._connections: list[tuple[SignalInstance, Slot]] = [
            (session.traceChanged, self._on_session_trace_changed),
            (session.cursorChanged, self._on_session_cursor_changed),
            (session.notationChanged, self._on_session_notation_changed),
        ]
        for signal, slot in self._connections:
            signal.connect(slot)
        self.destroyed.connect(partial(_disconnect, list(self._connections)))

    # -- to implement -------------------------------------------------------------------------
    def selection_at(self, x: float, y: float) -> Selection | None:
        """What a click at data coordinates (x, y) selects."""
        raise NotImplementedError

    def tooltip_at(self, x: float, y: float) -> str:
        """The hover text at data coordinates (x, y) ("" for nothing)."""
        raise NotImplementedError

    def fit(self) -> None:
        """Show the whole graph."""
        raise NotImplementedError

    def _redraw(self, *, force: bool) -> None:
        """Recompute the state and apply what changed (everything when ``force``)."""
        raise NotImplementedError

    def _rebuild(self) -> None:
        """Rebuild the geometry if the trace's shape changed."""
        raise NotImplementedError

    # -- shared -------------------------------------------------------------------------------
    def data_point(self, x: float, y: float) -> QPointF:
        """Widget coordinates (of ``plot_widget()``'s viewport) of data point (x, y)."""
        scene = self._view_box.mapViewToScene(QPointF(x, y))
        return self._plot.mapFromScene(scene)

    def plot_widget(self) -> pg.PlotWidget:
        return self._plot

    def picture(self) -> tuple[QWidget, ...]:
        """The widgets that make the view's picture, top to bottom: the graph and its legend,
        without the view's buttons (what File > Export view saves)."""
        return (self._plot, self._legend) if self._legend.isVisible() else (self._plot,)

    def disconnect_session(self) -> None:
        """Stop observing the session (also done when the view is destroyed)."""
        _disconnect(self._connections)
        self._connections = []

    def _pixel_size(self) -> tuple[float, float]:
        sx, sy = self._view_box.viewPixelSize()
        return max(float(sx), 1e-12), max(float(sy), 1e-12)

    def _apply_theme(self) -> None:
        self._theme = theme_from_palette(self.palette())
        self._plot.setBackground(self._theme.background)
        self._redraw(force=True)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            self._apply_theme()
        super().changeEvent(event)

    def _follow_trace(self) -> None:
        """Draw a new trace: geometry when its shape changed, then the state."""
        self._rebuild()
        self._redraw(force=False)

    def _follow_state(self) -> None:
        """Draw the state at a new cursor position or in a new notation."""
        self._redraw(force=False)

    def _catch_up(self) -> None:
        """Draw the changes that a paced change left to a later turn."""
        self._session.pacer.cancel(self)
        retrace, self._paced_trace, self._paced_state = self._paced_trace, False, False
        if retrace:
            self._follow_trace()
        else:
            self._follow_state()

    def _defer(self, *, trace: bool) -> bool:
        """During a paced change, note what to redraw and leave it to the session's pacer;
        False when the change is to be drawn now."""
        if not self._session.paced:
            return False
        self._paced_trace |= trace
        self._paced_state = True
        self._session.pacer.post(self, self._catch_up)
        return True

    # -- slots --------------------------------------------------------------------------------
    def _on_session_trace_changed(self) -> None:
        if self._defer(trace=True):
            return
        self._paced_trace = self._paced_state = False
        self._session.pacer.cancel(self)
        self._follow_trace()

    def _on_session_cursor_changed(self, position: int) -> None:
        self._on_state_changed()

    def _on_session_notation_changed(self) -> None:
        self._on_state_changed()

    def _on_state_changed(self) -> None:
        if self._defer(trace=False):
            return
        if self._paced_state:  # a paced change waits: draw it (and this one) now
            self._catch_up()
        else:
            self._follow_state()

    def _on_fit_triggered(self) -> None:
        self._auto_fit = True
        self.fit()

    def _on_view_range_changed_manually(self, *args: object) -> None:
        self._auto_fit = False

    def _on_view_resized(self, *args: object) -> None:
        if self._auto_fit:
            self.fit()

    def _on_scene_mouse_moved(self, scene_pos: QPointF) -> None:
        if not self._view_box.sceneBoundingRect().contains(scene_pos):
            text = ""
        else:
            p = self._view_box.mapSceneToView(scene_pos)
            text = self.tooltip_at(p.x(), p.y())
        if text == self._last_tip:
            return
        self._last_tip = text
        if text:
            QToolTip.showText(QCursor.pos(), text, self._plot)
        else:
            QToolTip.hideText()

    def _on_scene_mouse_clicked(self, event: Any) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        if event.double():
            self._on_fit_triggered()
            return
        if not self._view_box.sceneBoundingRect().contains(event.scenePos()):
            return
        p = self._view_box.mapSceneToView(event.scenePos())
        selection = self.selection_at(p.x(), p.y())
        if selection is not None:
            self._session.select(selection)
