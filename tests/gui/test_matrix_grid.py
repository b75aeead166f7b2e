"""The matrix grid: cells coloured by value or drawn as Hinton squares, colour bars, pointing, and
repaints limited to the matrices that changed."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QObject, QPointF, QRect, Qt
from PySide6.QtGui import QColor, QImage

from gui.encoding import Encoding
from gui.widgets.colormaps import BLANK
from gui.widgets.hinton import BACKGROUND, FULL
from gui.widgets.matrix_grid import AXIS_H, BAR_H, Column, MatrixGrid, nice_ticks

MATRIX = np.array([[1.0, -2.0, 0.0], [np.nan, 4.0, -0.5]])


def colour_of(value: float, lo: float, hi: float) -> QColor:
    """The encoding's colour of ``value`` on the symmetric range (lo, hi) = (-m, m)."""
    return QColor(*Encoding("gradient", hi).colour(value)[:3])


def close(a: QColor, b: QColor, tol: int = 8) -> bool:
    return all(abs(x - y) <= tol for x, y in zip(a.getRgb()[:3], b.getRgb()[:3], strict=True))


@pytest.fixture
def grid(qtbot) -> MatrixGrid:
    widget = MatrixGrid()
    qtbot.addWidget(widget)
    widget.set_columns(
        [
            Column("W", (2, 3), [(0, "1"), (1, "2"), (2, "3")], [(0, "1"), (1, "2")], 3),
            Column("b", (2, 1), (), [(0, "1"), (1, "2")], 2),
        ]
    )
    widget.resize(600, 400)
    widget.set_encoding("W", 0, Encoding("gradient", 4.0))
    widget.set_encoding("W", 1, Encoding("gradient", 8.0))
    widget.set_values("W", 0, MATRIX)
    widget.set_values("b", 1, np.array([0.5, -1.0]))
    widget.set_title("W", "∂L/∂W", "recurrent weights")
    widget.set_headers(("this step t = 3", "accumulated, t ≥ 3"))
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def pixel(image: QImage, grid: MatrixGrid, key: str, k: int, row: int, col: int) -> QColor:
    return image.pixelColor(grid.pos_of(key, k, row, col).toPoint())


def test_heatmap_cells_have_the_colour_of_their_value(grid) -> None:
    image = grid.grab().toImage()
    for (row, col), value in np.ndenumerate(MATRIX):
        got = pixel(image, grid, "W", 0, row, col)
        if np.isnan(value):
            assert got.name() == QColor(BLANK).name()  # not yet computed: grey
        else:
            assert close(got, colour_of(value, -4, 4)), (row, col, got.name())
    assert close(pixel(image, grid, "b", 1, 1, 0), colour_of(-1.0, -1.0, 1.0))  # the default
    assert pixel(image, grid, "W", 1, 0, 0).name() == QColor(BLANK).name()  # never set: blank


def test_colour_bars_run_from_blue_to_red_under_each_heatmap(grid) -> None:
    image = grid.grab().toImage()
    rect = grid.plots["W"][0].rect
    bar = grid.bar_rect("W", 0)
    assert bar.top() == rect.bottom() + AXIS_H + 3 and bar.height() == BAR_H
    y = round(bar.center().y())
    left = image.pixelColor(round(bar.left()), y)  # the first and the last pixel: the ends
    right = image.pixelColor(round(bar.right()) - 1, y)
    assert left == colour_of(-4, -4, 4) and right == colour_of(4, -4, 4)
    grid.set_mode("hinton")  # Hinton mode: a key, no colour bar
    image = grid.grab().toImage()
    assert not close(image.pixelColor(round(rect.right() - 2), y), colour_of(1, -1, 1), 40)


def test_hinton_squares_have_their_value_colour_and_size(grid) -> None:
    grid.set_mode("hinton")
    plot = grid.plots["W"][0]
    assert plot.squares() == [(0, 0, 0.25, 1), (0, 1, 0.5, -1), (1, 1, 1.0, 1), (1, 2, 0.125, -1)]
    assert plot.blank_cells() == [(1, 0)]
    image = grid.grab().toImage()
    rect = plot.rect
    side = FULL * min(rect.width() / 3, rect.height() / 2)  # a full square, in pixels

    def at(row: int, col: int, dx: float = 0.0) -> str:
        return image.pixelColor((grid.pos_of("W", 0, row, col) + QPointF(dx, 0)).toPoint()).name()

    def colour(value: float) -> str:  # the colour of the same value's heatmap cell
        return colour_of(value, -4, 4).name()

    assert at(1, 1) == colour(4.0) and at(0, 1) == colour(-2.0) and at(0, 0) == colour(1.0)
    assert at(1, 1, 0.45 * side) == colour(4.0)  # full size: |4| / 4
    assert at(1, 1, 0.5 * side + 2) == BACKGROUND
    assert at(0, 1, 0.25 * side - 2) == colour(-2.0)  # half size: |-2| / 4
    assert at(0, 1, 0.25 * side + 2) == BACKGROUND
    assert at(0, 2) == BACKGROUND  # zero: no square
    assert at(1, 0) == QColor(BLANK).name()  # NaN: blank grey
    assert grid.key_text("W", 0) == "■ + ■ − side = |value| / 4"


def test_cells_are_found_where_they_are_drawn(grid) -> None:
    for key, pair in grid.plots.items():
        for k, plot in enumerate(pair):
            rows, cols = plot.shape
            for row in range(rows):
                for col in range(cols):
                    assert grid.cell_at(grid.pos_of(key, k, row, col)) == (key, k, row, col)
    outside = grid.plots["W"][0].rect.topLeft() - QPointF(3, 3)
    assert grid.cell_at(outside) is None


def test_hover_click_and_tooltips_name_the_cell(qtbot, grid) -> None:
    grid.cell_tip = lambda cell: f"cell {cell}"
    pos = grid.pos_of("W", 1, 1, 2)
    with qtbot.waitSignal(grid.cellHovered) as hovered:
        qtbot.mouseMove(grid, pos.toPoint())
    assert hovered.args == [("W", 1, 1, 2)]
    with qtbot.waitSignal(grid.cellClicked) as clicked:
        qtbot.mouseClick(grid, Qt.MouseButton.LeftButton, pos=pos.toPoint())
    assert clicked.args == [("W", 1, 1, 2)]
    assert grid.tip_at(pos) == "cell ('W', 1, 1, 2)"
    title = grid.plots["W"][0].rect.topLeft() + QPointF(20, -10)
    assert grid.tip_at(title) == "recurrent weights"


class PaintedRects(QObject):
    """Records the rectangle of every paint event a widget receives."""

    def __init__(self, widget) -> None:
        super().__init__()
        self.rects: list[QRect] = []
        widget.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.rects.append(event.rect())
        return False


def test_a_change_repaints_only_its_matrix_and_equal_values_nothing(qtbot, grid, settle) -> None:
    settle(grid)  # shown and painted
    paints = PaintedRects(grid)
    painted = paints.rects
    grid.set_values("W", 0, MATRIX.copy())  # equal values: nothing to do
    settle()  # a repaint asked for would have happened by now
    assert painted == []
    grid.set_values("W", 1, np.ones((2, 3)))
    qtbot.waitUntil(lambda: bool(painted))
    assert all(grid.plots["W"][1].rect.toAlignedRect().contains(r) for r in painted)
    assert close(pixel(grid.grab().toImage(), grid, "W", 1, 0, 0), colour_of(1, -8, 8))
    with pytest.raises(ValueError, match="shape"):
        grid.set_values("W", 1, np.ones((3, 2)))


def test_row_headers_change_without_moving_a_plot(grid) -> None:
    before = [plot.rect for pair in grid.plots.values() for plot in pair]
    grid.set_headers(("this step t = 100", "accumulated, t ≥ 100"))
    assert grid.headers == ("this step t = 100", "accumulated, t ≥ 100")
    assert [plot.rect for pair in grid.plots.values() for plot in pair] == before


@pytest.mark.parametrize(
    ("lo", "hi", "count", "ticks", "decimals"),
    [
        (-0.312, 0.312, 5, [-0.2, 0.0, 0.2], 1),  # steps of 0.1 would make 7 ticks
        (-0.312, 0.312, 7, [-0.3, -0.2, -0.1, 0.0, 0.1, 0.2, 0.3], 1),
        (-2.01, 2.01, 5, [-2.0, -1.0, 0.0, 1.0, 2.0], 0),
        (-1.0, 1.0, 4, [-1.0, -0.5, 0.0, 0.5, 1.0], 1),
        (-0.139, 0.139, 3, [-0.1, 0.0, 0.1], 1),
        (0.0, 10.0, 4, [0.0, 2.5, 5.0, 7.5, 10.0], 1),
    ],
)
def test_nice_ticks_are_round_numbers_inside_the_range(lo, hi, count, ticks, decimals) -> None:
    got, d = nice_ticks(lo, hi, count)
    np.testing.assert_allclose(got, ticks, atol=1e-12)
    assert d == decimals
