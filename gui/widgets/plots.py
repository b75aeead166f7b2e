"""Light plot frames for panels with many small heatmaps.

``pyqtgraph.PlotItem`` (and ``ColorBarItem``, which is one) builds two context menus and an options
dialog per plot, about 40 ms each; the weights panel needs half a dozen plots and the heatmap
panels several, rebuilt when the network's shape changes. :class:`LitePlot` is the part of a
PlotItem a heatmap needs - a title, a left and a bottom axis around a ViewBox - and
:class:`ColorScale` a colour bar drawn as one gradient image beside (or under) an axis.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pyqtgraph as pg
import shiboken6
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QFont, QFontMetricsF, QPainter
from PySide6.QtWidgets import (
    QGraphicsGridLayout,
    QGraphicsItem,
    QGraphicsSimpleTextItem,
    QGraphicsTextItem,
    QGraphicsWidget,
    QSizePolicy,
)

from gui.encoding import Encoding
from gui.widgets.colormaps import INK
from gui.widgets.ticks import GAP, Tick, readable_ticks

#: how far a tick label may reach past the ends of a pyqtgraph axis (``AxisItem.boundingRect``)
SLACK = 14.0


def apart(texts: list[tuple[QRectF, Any, str]]) -> list[tuple[QRectF, Any, str]]:
    """Of an axis's tick labels (rectangle, flags, text), in pyqtgraph's order (major ticks
    first), those that do not overlap a label kept before them."""
    kept: list[tuple[QRectF, Any, str]] = []
    for rect, flags, text in texts:
        padded = rect.adjusted(-GAP / 2, -GAP / 2, GAP / 2, GAP / 2)
        if not any(padded.intersects(other) for other, _, _ in kept):
            kept.append((rect, flags, text))
    return kept


class ReadableAxis(pg.AxisItem):
    """An axis whose tick labels never overlap: of the ticks given to ``setTicks``, it draws the
    readable subset for its length (:func:`gui.widgets.ticks.readable_ticks`: every label where
    they fit, else every second, fifth, ...), chosen again whenever the axis is drawn; of
    automatic ticks (a log axis's minor ones crowd), the labels clear of those before them."""

    def __init__(self, orientation: str, **kwargs: Any) -> None:
        self._given: list[list[Tick]] | None = None
        self._label_choices: tuple[tuple[str, ...], dict[str, Any]] | None = None
        super().__init__(orientation, **kwargs)

    def set_label_choices(self, *texts: str, **style: Any) -> None:
        """Label the axis with the first of ``texts`` (longest first) that fits its length, the
        last one where none does: "PC2 (26% of variance)" on a tall plot, "PC2" on a short one.
        ``style`` as for ``setLabel`` (``color``)."""
        self._label_choices = (texts, style)
        self._fit_label()

    def resizeEvent(self, ev: Any = None) -> None:  # pyqtgraph override
        super().resizeEvent(ev)
        self._fit_label()

    def _fit_label(self) -> None:
        if not self._label_choices:
            return
        texts, style = self._label_choices
        metrics = QFontMetricsF(self.label.font())
        length = self.width() if self.orientation in ("top", "bottom") else self.height()
        text = next((t for t in texts if metrics.horizontalAdvance(t) + 8 <= length), texts[-1])
        if text != self.labelText or not self.label.isVisible():
            self.setLabel(text, **style)

    def setTicks(self, ticks: Any) -> None:  # pyqtgraph override
        self._given = None if ticks is None else [list(level) for level in ticks]
        super().setTicks(ticks)

    def shown_ticks(self) -> list[Tick]:
        """The labelled ticks as last drawn (all given ones before the first drawing)."""
        levels = self._tickLevels or [[]]
        return list(levels[0])

    def generateDrawSpecs(self, p: QPainter) -> Any:  # pyqtgraph override
        if self._given and self.range[0] != self.range[1]:
            font = self.style["tickFont"] or p.font()
            metrics = QFontMetricsF(font)
            lo, hi = sorted(self.range)  # an inverted view gives it high to low
            horizontal = self.orientation in ("top", "bottom")
            length = self.width() if horizontal else self.height()
            pixels = length / (hi - lo)
            extent = metrics.horizontalAdvance if horizontal else (lambda _text: metrics.height())
            # pyqtgraph leaves out a label reaching more than its margin past the axis's ends
            half, middle = (hi - lo) * pixels / 2 + SLACK, (lo + hi) / 2
            inside = [
                (x, text)
                for x, text in self._given[0]
                if abs(x - middle) * pixels + extent(text) / 2 <= half
            ]
            self._tickLevels = [readable_ticks(inside, pixels, extent), *self._given[1:]]
        specs = super().generateDrawSpecs(p)
        if specs is None:
            return None
        axis, ticks, texts = specs
        return axis, ticks, apart(texts)


def _axis(side: str) -> pg.AxisItem:
    axis = ReadableAxis(side)
    axis.setPen(INK)
    axis.setTextPen(INK)
    axis.enableAutoSIPrefix(False)
    # ticks and labels are fixed per trace: a cursor step repaints them from a pixmap
    axis.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
    return axis


class LiteViewBox(pg.ViewBox):
    """A ViewBox whose bounds are Qt's own (its rectangle), asked for without calling Python.

    Qt asks every item in a scene for its bounds while painting; pyqtgraph answers in Python
    (``ViewBox`` and ``GraphicsWidget`` override ``boundingRect``), which for a canvas of a dozen
    small plots is a few hundred Python calls per repaint. These plots draw no border, so the
    rectangle is the whole bound. :class:`LitePlot`, :class:`ColorScale` and the labels do the
    same.
    """

    boundingRect = QGraphicsWidget.boundingRect
    shape = QGraphicsWidget.shape


class SteadyLabel(pg.LabelItem):
    """A plain-text ``LabelItem`` that asks its layout for a new layout only when its size changes.

    ``LabelItem.setText`` asks for a new layout after every text; a canvas of a dozen plots then
    lays itself out again at every cursor step although "t = 10" takes the room of "t = 11".
    Here the label's minimum and preferred size follow its text as before, and the layout is
    invalidated only when they change.

    The text is plain (no HTML) and drawn by a ``QGraphicsSimpleTextItem``: ``LabelItem`` wraps
    it in HTML for a ``QGraphicsTextItem``, which parses it and lays out a rich-text document at
    every ``setText`` - about half a millisecond per label and cursor step in a full canvas.
    Style arguments are those of ``LabelItem.setText``: ``color``, ``size`` ("9pt"), ``bold``,
    ``italic`` and ``family``.
    """

    item: QGraphicsSimpleTextItem  # type: ignore[assignment]
    boundingRect = QGraphicsWidget.boundingRect  # Qt's own: see LiteViewBox
    shape = QGraphicsWidget.shape

    def __init__(self, text: str = " ", parent: Any = None, angle: int = 0, **args: Any) -> None:
        super().__init__("", parent, angle, **args)
        rich = self.item
        if isinstance(rich, QGraphicsTextItem):
            rich.setParentItem(None)  # type: ignore[arg-type]  # None detaches; stubs omit it
            shiboken6.delete(rich)
        self.item = QGraphicsSimpleTextItem(self)
        self._style: tuple[object, ...] | None = None
        self.setAngle(angle)
        self.setText(text)

    def updateMin(self) -> None:
        bounds = self.itemRect()
        w, h = bounds.width(), bounds.height()
        hint = {
            Qt.SizeHint.MinimumSize: (w, h),
            Qt.SizeHint.PreferredSize: (w, h),
            Qt.SizeHint.MaximumSize: (-1, -1),
            Qt.SizeHint.MinimumDescent: (0, 0),
        }
        self._grown = hint != getattr(self, "_sizeHint", None)
        if self._grown:
            self.setMinimumWidth(w)
            self.setMinimumHeight(h)
            self._sizeHint = hint
            self.updateGeometry()

    def setText(self, text: str, **args: Any) -> None:
        if not isinstance(self.item, QGraphicsSimpleTextItem):  # LabelItem.__init__'s own item
            pg.LabelItem.setText(self, text, **args)
            return
        self.text = text
        self.opts.update(args)
        self._apply_style()
        self._in_text = True
        try:
            self.item.setText(text)
            self.updateMin()
            self.resizeEvent(None)
            self.updateGeometry()
        finally:
            self._in_text = False

    def _apply_style(self) -> None:
        """Give the text item the font and colour of the style options (when they change)."""
        o = self.opts
        style = (o.get("color"), o.get("size"), o.get("bold"), o.get("italic"), o.get("family"))
        if style == getattr(self, "_style", None):
            return
        self._style = style
        color = o.get("color")
        self.item.setBrush(
            QBrush(pg.mkColor(pg.getConfigOption("foreground") if color is None else color))
        )
        font = QFont(self.item.font())
        if o.get("family"):
            font.setFamily(str(o["family"]))
        size = str(o.get("size") or "")
        if size.endswith("pt"):
            font.setPointSizeF(float(size[:-2]))
        elif size.endswith("px"):
            font.setPixelSize(round(float(size[:-2])))
        if o.get("bold") in (True, False):
            font.setBold(bool(o["bold"]))
        if o.get("italic") in (True, False):
            font.setItalic(bool(o["italic"]))
        self.item.setFont(font)

    def updateGeometry(self) -> None:
        # LabelItem.setText asks for a new layout after every text: only when the size changed
        if getattr(self, "_in_text", False) and not getattr(self, "_grown", True):
            return
        super().updateGeometry()


class LitePlot(pg.GraphicsWidget):
    """A title, left and bottom axes and a menu-less, mouse-less ViewBox (a PlotItem's subset).

    Offers the PlotItem methods the panels use: ``getViewBox``, ``getAxis``, ``addItem``,
    ``setTitle`` / ``titleLabel``, ``setLabel``, ``setXRange``, ``setYRange``, ``setXLink``,
    ``hideButtons`` and ``setMenuEnabled`` (both no-ops).
    """

    boundingRect = QGraphicsWidget.boundingRect  # Qt's own: see LiteViewBox
    shape = QGraphicsWidget.shape

    def __init__(self) -> None:
        super().__init__()
        grid = QGraphicsGridLayout()
        grid.setContentsMargins(1, 1, 1, 1)
        grid.setHorizontalSpacing(0)
        grid.setVerticalSpacing(0)
        self.setLayout(grid)
        self._grid = grid
        policy = QSizePolicy.Policy.Expanding
        self.setSizePolicy(policy, policy)
        self.vb = LiteViewBox(enableMenu=False, enableMouse=False)
        self.axes = {"left": _axis("left"), "bottom": _axis("bottom")}
        self.titleLabel = SteadyLabel("", size="10pt", color=INK)
        self.titleLabel.item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        grid.addItem(self.titleLabel, 0, 1)
        grid.addItem(self.axes["left"], 1, 0)
        grid.addItem(self.vb, 1, 1)
        grid.addItem(self.axes["bottom"], 2, 1)
        for axis in self.axes.values():
            axis.linkToView(self.vb)
        grid.setRowStretchFactor(1, 100)
        grid.setColumnStretchFactor(1, 100)
        self.setTitle(None)

    def getViewBox(self) -> pg.ViewBox:
        return self.vb

    def getAxis(self, side: str) -> pg.AxisItem:
        return self.axes[side]

    def addItem(self, item: Any, ignoreBounds: bool = False) -> None:
        self.vb.addItem(item, ignoreBounds=ignoreBounds)

    def setTitle(self, title: str | None = None, **args: Any) -> None:
        """Show ``title`` above the plot (None hides the title row)."""
        if title is None:
            self.titleLabel.setText("")
            self.titleLabel.setVisible(False)
            self._grid.setRowFixedHeight(0, 0)
        else:
            self.titleLabel.setVisible(True)
            self._grid.setRowFixedHeight(0, 22)
            self.titleLabel.setText(title, **{"color": INK, **args})

    def setLabel(self, side: str, text: str) -> None:
        self.axes[side].setLabel(text, color=INK)

    def setXRange(self, lo: float, hi: float, padding: float = 0.0) -> None:
        self.vb.setXRange(lo, hi, padding=padding)

    def setYRange(self, lo: float, hi: float, padding: float = 0.0) -> None:
        self.vb.setYRange(lo, hi, padding=padding)

    def setXLink(self, other: LitePlot) -> None:
        self.vb.setXLink(other.vb)

    def hideButtons(self) -> None:
        """LitePlot has no auto-range button."""

    def setMenuEnabled(self, enable: bool = True) -> None:
        """LitePlot has no context menu."""


class ColorScale(pg.GraphicsWidget):
    """A colour bar: an encoding's bar (:meth:`gui.encoding.Encoding.bar`) as an image along an
    axis showing its levels.

    Mirrors the parts of ``pyqtgraph.ColorBarItem`` the panels use: ``setImageItem`` and
    ``levels``, with :meth:`set_encoding` for the colour map and levels; the images it controls
    (:class:`gui.widgets.heatmap.LutImage`) get its encoding.
    """

    boundingRect = QGraphicsWidget.boundingRect  # Qt's own: see LiteViewBox
    shape = QGraphicsWidget.shape

    def __init__(self, encoding: Encoding, horizontal: bool = False) -> None:
        super().__init__()
        self.horizontal = horizontal
        grid = QGraphicsGridLayout()
        grid.setContentsMargins(6, 0, 10, 0) if horizontal else grid.setContentsMargins(0, 8, 0, 8)
        grid.setSpacing(0)
        self.setLayout(grid)
        self.vb = LiteViewBox(enableMenu=False, enableMouse=False, defaultPadding=0.0)
        self.axis = _axis("bottom" if horizontal else "right")
        self.axis.linkToView(self.vb)
        self.bar = pg.ImageItem(axisOrder="row-major")
        self.bar.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.vb.addItem(self.bar)
        if horizontal:
            self.vb.setFixedHeight(12)
            grid.addItem(self.vb, 0, 0)
            grid.addItem(self.axis, 1, 0)
        else:
            self.vb.setFixedWidth(12)
            grid.addItem(self.vb, 0, 0)
            grid.addItem(self.axis, 0, 1)
        self._images: list[Any] = []
        self.encoding = encoding
        self._levels = encoding.levels
        self.set_encoding(encoding)

    def setImageItem(self, images: pg.ImageItem | Iterable[pg.ImageItem]) -> None:
        self._images = [images] if isinstance(images, pg.ImageItem) else list(images)
        self._update_images()

    def set_encoding(self, encoding: Encoding) -> None:
        """The bar of ``encoding`` over its levels; the controlled images take it too."""
        self.encoding = encoding
        self._levels = encoding.levels
        rgba = np.ascontiguousarray(encoding.bar())
        self.bar.setImage(rgba[None, :, :] if self.horizontal else rgba[:, None, :])
        self._place_bar()
        self._update_images()

    def levels(self) -> tuple[float, float]:
        return self._levels

    def _place_bar(self) -> None:
        lo, hi = self._levels
        if self.horizontal:
            self.bar.setRect(QRectF(lo, 0.0, hi - lo, 1.0))
            self.vb.setRange(xRange=(lo, hi), yRange=(0, 1), padding=0)
        else:
            self.bar.setRect(QRectF(0.0, lo, 1.0, hi - lo))
            self.vb.setRange(xRange=(0, 1), yRange=(lo, hi), padding=0)

    def _update_images(self) -> None:
        for image in self._images:
            image.set_encoding(self.encoding)
