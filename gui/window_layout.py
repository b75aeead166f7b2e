"""Where the docks start, how large the window opens, and which saved layouts are restored.

The folded and unfolded graphs in the centre are what Unfold is about, so the default layout
gives them the largest area at every window size from 1280 x 800 up: the docks share three
places around them as tabs - the inspector and the forms on the left, the over-time panels on
the right above the loss, the gradients, training and the analyses below the graphs - and each
place takes a fixed share of the window (``LEFT``, ``RIGHT``, ``BOTTOM``), whatever its size.

No dock is squeezed below the size its panel needs to be read (``DockSpec.min_size``), nor the
graphs below ``MIN_GRAPHS``. The window opens inside its screen's available area, and a saved
layout is restored only if it still fits there with every dock at least that size: a layout
from a larger screen is dropped for the default rather than opened wider than the screen or
squeezed.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow

from gui.docks.registry import DOCKS, DockId

#: the dock groups of the default layout, each a tab group with its first dock raised
GROUPS: tuple[tuple[DockId, ...], ...] = (
    (DockId.INSPECTOR, DockId.TASK, DockId.NETWORK),  # left
    (DockId.ACTIVATIONS, DockId.DELTAS, DockId.STATE_SPACE, DockId.SPECTRAL),  # right, top
    (DockId.LOSS,),  # right, under them
    # below
    (DockId.GRADIENTS, DockId.TRAINING, DockId.WEIGHTS, DockId.GRADCHECK, DockId.FLOW, DockId.RTRL),
)
#: the default widths of the left and right columns and the height of the bottom docks, as
#: shares of the window; the graphs in the centre get the rest
LEFT, RIGHT, BOTTOM = 0.18, 0.26, 0.3
#: the share of the right column's height that goes to the activations (the loss has the rest)
RIGHT_TOP = 0.6
#: the size the window opens at on a large screen (it grows to 80 % of a larger one)
PREFERRED = QSize(1400, 900)
#: room left around the window for the frame and title bar the window manager adds, which are
#: unknown until the window is shown
FRAME = QSize(16, 40)
#: the smallest area of the graphs and the time bar under them
MIN_GRAPHS = QSize(480, 300)


def arrange(window: QMainWindow, docks: Mapping[DockId, QDockWidget]) -> None:
    """Group the docks (already added to their areas) into the tab groups of ``GROUPS``: the
    docks below the graphs reach to the window's left edge (their matrices and plots are wide),
    the right column to its bottom edge."""
    window.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.BottomDockWidgetArea)
    window.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
    for first, *others in GROUPS:
        for dock_id in others:
            window.tabifyDockWidget(docks[first], docks[dock_id])
        docks[first].raise_()
    needs(window)  # the minimum size of the grouped docks, not of a pass before


def raise_together(window: QMainWindow, docks: Mapping[DockId, QDockWidget]) -> None:
    """Whenever a dock with a ``DockSpec.companion`` comes into view, raise the companion too
    (the spectrum of W is read beside the gradient flow), unless the two share a tab group,
    where raising one would hide the other."""
    for dock_id, spec in DOCKS.items():
        if spec.companion is None:
            continue
        dock, companion = docks[dock_id], docks[spec.companion]

        def follow(visible: bool, dock: QDockWidget = dock, companion: QDockWidget = companion):
            if (
                visible
                and not companion.isHidden()
                and companion not in window.tabifiedDockWidgets(dock)
            ):
                companion.raise_()

        dock.visibilityChanged.connect(follow)


def size_docks(window: QMainWindow, docks: Mapping[DockId, QDockWidget]) -> None:
    """Give the dock groups their default share of the window's current size."""
    size = window.size()
    left, right = round(LEFT * size.width()), round(RIGHT * size.width())
    columns = [docks[DockId.INSPECTOR], docks[DockId.ACTIVATIONS]]
    window.resizeDocks(columns, [left, right], Qt.Orientation.Horizontal)
    top = round(RIGHT_TOP * size.height())
    window.resizeDocks(
        [docks[DockId.ACTIVATIONS], docks[DockId.LOSS], docks[DockId.GRADIENTS]],
        [top, size.height() - top, round(BOTTOM * size.height())],
        Qt.Orientation.Vertical,
    )


def opening_geometry(available: QRect) -> tuple[QPoint, QSize]:
    """Where a window without a saved geometry opens: the top-left corner of its frame and its
    size, ``PREFERRED`` (or 80 % of a screen larger than that) bounded by ``available`` less the
    frame, centred in ``available``."""
    room = available.size() - FRAME
    most = QSize(round(0.8 * room.width()), round(0.8 * room.height()))
    size = PREFERRED.expandedTo(most).boundedTo(room)
    frame = QRect(QPoint(0, 0), size + FRAME)
    frame.moveCenter(available.center())
    return frame.topLeft(), size


def set_minimum_sizes(window: QMainWindow, docks: Mapping[DockId, QDockWidget]) -> None:
    """Keep every dock at least its ``DockSpec.min_size`` and the graphs at least
    ``MIN_GRAPHS``: the window grows, or a saved layout is dropped, rather than squeeze them."""
    for dock_id, dock in docks.items():
        dock.setMinimumSize(QSize(*DOCKS[dock_id].min_size).expandedTo(dock.minimumSize()))
    central = window.centralWidget()
    if central is not None:
        central.setMinimumSize(MIN_GRAPHS.expandedTo(central.minimumSizeHint()))


def needs(window: QMainWindow) -> QSize:
    """The least size of the window with its docks where they are now (each dock and the graphs
    at their minimum), once the dock layout has settled."""
    layout = window.layout()
    if layout is not None:
        # tabifying and restoring lay the docks out in passes, each with its own minimum size;
        # the last pass is the one that counts
        layout.activate()
    return window.minimumSizeHint()


def fits(need: QSize, room: QSize) -> bool:
    """Whether a window needing ``need`` fits in ``room``."""
    return need.width() <= room.width() and need.height() <= room.height()
