"""File > Export view: which views can be saved as a picture, and the picture of each.

A view's picture is what it draws, not the controls around it: the graph views give their plot
and legend (no toolbar, no time bar), a dock gives its panel. Several widgets of a picture are
stacked top to bottom, in a PNG at the screen's resolution or in an SVG drawing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QPoint, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QPainter, QPixmap, QRegion
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QDockWidget, QGraphicsView, QWidget

from gui.graph_views.base import GraphView


@dataclass(frozen=True, slots=True)
class ExportView:
    """A view the user can export: its name in the chooser and the widgets of its picture."""

    label: str
    parts: tuple[QWidget, ...]


def export_views(
    graphs: Sequence[tuple[str, GraphView]], docks: Sequence[QDockWidget]
) -> list[ExportView]:
    """The views on screen, graphs first (in the given order), then each visible dock's panel
    (a dock tabbed away is not on screen: Qt keeps it "visible" but out of sight)."""
    views = [ExportView(label, view.picture()) for label, view in graphs if _on_screen(view)]
    views += [
        ExportView(dock.toggleViewAction().text(), (dock.widget(),))  # whole title, not the tab's
        for dock in docks
        if dock.widget() is not None and _on_screen(dock.widget())
    ]
    return views


def _on_screen(widget: QWidget) -> bool:
    return widget.isVisible() and not widget.visibleRegion().isEmpty()


def picture_size(parts: Sequence[QWidget]) -> QSize:
    """The size of the stacked picture in device-independent pixels."""
    return QSize(max(p.width() for p in parts), sum(p.height() for p in parts))


def save_picture(parts: Sequence[QWidget], path: str) -> bool:
    """Write the stacked picture of ``parts`` to ``path`` (.png or .svg); False when it fails.

    Raises ValueError for another extension.
    """
    suffix = Path(path).suffix.lower()
    if suffix == ".png":
        return picture(parts).save(path, "PNG")
    if suffix == ".svg":
        return _render_svg(parts, path)
    raise ValueError("use a .png or .svg file name")


def picture(parts: Sequence[QWidget]) -> QPixmap:
    """The parts' pictures stacked top to bottom, at the screen's resolution."""
    if len(parts) == 1:
        return parts[0].grab()
    grabs = [p.grab() for p in parts]
    ratio = max(g.devicePixelRatio() for g in grabs)
    size = picture_size(parts)
    out = QPixmap(size * ratio)
    out.setDevicePixelRatio(ratio)
    out.fill(Qt.GlobalColor.white)
    painter = QPainter(out)
    y = 0
    for part, grab in zip(parts, grabs, strict=True):
        painter.drawPixmap(QPoint(0, y), grab)
        y += part.height()
    painter.end()
    return out


def _render_svg(parts: Sequence[QWidget], path: str) -> bool:
    size = picture_size(parts)
    generator = QSvgGenerator()
    generator.setFileName(path)
    generator.setSize(size)
    generator.setViewBox(QRect(QPoint(0, 0), size))
    generator.setTitle("Unfold")
    painter = QPainter()
    if not painter.begin(generator):
        return False
    try:
        y = 0
        for part in parts:
            if isinstance(part, QGraphicsView):  # the scene as drawn, in vectors
                target = QRectF(0, y, part.width(), part.height())
                part.render(painter, target, part.viewport().rect())
            else:
                QWidget.render(part, painter, QPoint(0, y), QRegion(part.rect()))
            y += part.height()
    finally:
        painter.end()
    return Path(path).is_file() and Path(path).stat().st_size > 0
