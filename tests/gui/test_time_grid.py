"""TimeGrid: units x time heatmaps on one time axis - cells where they say, colours of their values,
grey for unknown cells, the cursor's outline, and partial repaints equal to a full redraw."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage

from gui.encoding import Encoding
from gui.widgets.colormaps import BLANK, CURSOR
from gui.widgets.time_grid import TimeGrid, TimeRow, unit_ticks

T, H, O = 12, 5, 3
LINEAR = Encoding("activation", 1.0)
ROOT = Encoding("delta", 2.0, gamma=0.5)  # a square-root scale, as the deltas have


def _pixels(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), -1)
    return rows[:, : 4 * image.width()].reshape(image.height(), image.width(), 4).copy()


@pytest.fixture
def grid(qtbot) -> TimeGrid:
    grid = TimeGrid()
    qtbot.addWidget(grid)
    grid.resize(520, 400)
    rows = (
        TimeRow("h", T + 1, H, x0=0, y_ticks=unit_ticks(H), bar=0, stretch=2),
        TimeRow("y", T, O, x0=1, y_ticks=unit_ticks(O, ("a", "b", "c")), bar=1),
    )
    grid.set_rows(rows, (-0.5, T + 0.5), [(t, str(t)) for t in range(0, T + 1, 2)], n_bars=2)
    grid.set_bar(0, LINEAR)
    grid.set_bar(1, ROOT)
    grid.set_title("h", "hidden")
    grid.set_title("y", "outputs")
    grid.show()
    qtbot.waitExposed(grid)
    return grid


def _colour(value: float, encoding: Encoding) -> QColor:
    """The colour the grid must give a value: the encoding's."""
    return QColor(*encoding.colour(value)[:3])


def test_cells_are_where_pos_of_says_and_round_trip(grid) -> None:
    for key, row in grid.plots.items():
        x0, n_x, n_y = row.row.x0, row.row.n_x, row.row.n_y
        for t in range(x0, x0 + n_x):
            for unit in range(n_y):
                assert grid.cell_at(grid.pos_of(key, t, unit)) == (key, t, unit)
    h, y = grid.plots["h"].rect, grid.plots["y"].rect
    assert h.bottom() < y.top()  # rows stacked, h above y
    # the rows share the time axis: step t is at the same x in both (each row's edges are
    # whole pixels, so to within a pixel)
    for t in (1, 5, T):
        assert grid.pos_of("h", t, 0).x() == pytest.approx(grid.pos_of("y", t, 0).x(), abs=1.0)
    assert grid.cell_at(QPointF(h.left() - 3, h.center().y())) is None
    assert grid.cell_at(QPointF(grid.pos_of("h", 0, 0).x(), y.center().y())) is None  # no y(0)


def test_values_are_drawn_in_their_colours_and_unknown_cells_grey(grid, settle) -> None:
    rng = np.random.default_rng(0)
    h = rng.uniform(-1, 1, (T + 1, H))
    h[8:] = np.nan  # not yet computed
    y = rng.uniform(-2, 2, (T, O))
    grid.set_values("h", h)
    grid.set_values("y", y)
    settle()
    image = grid.grab().toImage()
    for t, unit in ((0, 0), (3, 2), (7, 4)):
        pos = grid.pos_of("h", t, unit).toPoint()
        assert image.pixelColor(pos) == _colour(h[t, unit], LINEAR), (t, unit)
    assert image.pixelColor(grid.pos_of("h", 9, 1).toPoint()) == QColor(BLANK)
    pos = grid.pos_of("y", 4, 1).toPoint()
    assert image.pixelColor(pos) == _colour(y[3, 1], ROOT)  # y row starts at t = 1
    np.testing.assert_array_equal(grid.shown("h"), h)
    with pytest.raises(ValueError, match="shape"):
        grid.set_values("y", np.zeros((T + 1, O)))


def test_the_cursor_outlines_its_step_in_the_rows_that_have_it(grid, settle) -> None:
    grid.set_values("h", np.zeros((T + 1, H)))
    grid.set_cursor(0)
    assert grid.cursor_x("h") == 0.0 and grid.cursor_x("y") is None  # y has no step 0
    grid.set_cursor(4)
    assert grid.cursor_x("h") == grid.cursor_x("y") == 4.0
    settle()
    image = grid.grab().toImage()
    rect = grid.plots["h"].rect
    left = round(grid.pos_of("h", 4, 0).x() - rect.width() / (T + 1) / 2)
    assert image.pixelColor(left, round(rect.center().y())) == QColor(CURSOR)
    assert image.pixelColor(grid.pos_of("h", 4, 2).toPoint()) != QColor(CURSOR)  # outline only
    grid.set_cursor(None)
    assert grid.cursor_x() is None


def test_a_step_leaves_the_screen_as_a_full_redraw_would(grid, settle) -> None:
    rng = np.random.default_rng(1)
    h, y = rng.uniform(-1, 1, (T + 1, H)), rng.uniform(-2, 2, (T, O))
    for t in [*range(T + 1), *range(T, -1, -3)]:  # forward, then back in strides
        known = np.full_like(h, np.nan)
        known[: t + 1] = h[: t + 1]
        grid.set_values("h", known)
        out = np.full_like(y, np.nan)
        out[:t] = y[:t]
        grid.set_values("y", out)
        grid.set_cursor(t)
        settle()  # the step's repaint has reached the screen
        screen = QGuiApplication.primaryScreen().grabWindow(grid.winId()).toImage()
        differ = (_pixels(screen) != _pixels(grid.grab().toImage())).any(axis=2)
        assert not differ.any(), (t, np.argwhere(differ)[:5])


def test_hover_and_click_report_the_cell(qtbot, grid) -> None:
    hovered, clicked = [], []
    grid.cellHovered.connect(hovered.append)
    grid.cellClicked.connect(clicked.append)
    pos = grid.pos_of("y", 3, 2).toPoint()
    qtbot.mouseMove(grid, pos)
    qtbot.waitUntil(lambda: bool(hovered) and hovered[-1] == ("y", 3, 2))
    qtbot.mouseClick(grid, Qt.MouseButton.LeftButton, pos=pos)
    assert clicked == [("y", 3, 2)]
    qtbot.mouseClick(grid, Qt.MouseButton.LeftButton, pos=QPoint(2, 2))
    assert clicked == [("y", 3, 2)]  # not on a cell: nothing


def test_labels_and_levels_are_kept(grid) -> None:
    grid.set_bar_label(0, "h")
    grid.set_axis_label("h", "h unit")
    assert (grid.bar_label(0), grid.axis_label("h"), grid.title("y")) == ("h", "h unit", "outputs")
    assert grid.bar_levels(1) == (-2.0, 2.0)
    grid.set_bar(1, Encoding("output", 1.0, one_signed=True))  # a probability: its half only
    assert grid.bar_levels(1) == (0.0, 1.0)


def test_the_colour_bar_shows_the_encoding_from_end_to_end(grid, settle) -> None:
    grid.set_bar(1, Encoding("output", 1.0, one_signed=True))
    settle(grid)  # the new bar is painted
    image = grid.grab().toImage()
    for index, encoding in ((0, LINEAR), (1, Encoding("output", 1.0, one_signed=True))):
        rect = grid.bar_rect(index)
        x = round(rect.center().x())
        lo, hi = encoding.levels
        top, bottom = (
            image.pixelColor(x, round(rect.top())),  # the first row inside the outline
            image.pixelColor(x, round(rect.bottom()) - 1),
        )
        assert top == _colour(hi, encoding) and bottom == _colour(lo, encoding), index


def test_a_long_time_axis_shows_a_window_that_follows_the_cursor(qtbot, grid, settle) -> None:
    """Past ``max_steps`` steps the grid shows a window of them around the cursor: the cells,
    colours and hover of the window's steps are those of the whole arrays, a step recolours
    only what changed, and the screen stays what a full redraw draws."""
    grid.max_steps = 5
    rows = tuple(grid.rows)
    grid.set_rows(rows, (-0.5, T + 0.5), [(t, str(t)) for t in range(0, T + 1, 2)], n_bars=2)
    rng = np.random.default_rng(2)
    h, y = rng.uniform(-1, 1, (T + 1, H)), rng.uniform(-2, 2, (T, O))
    h.setflags(write=False)
    for t in [*range(T + 1), *range(T, -1, -3)]:  # forward, then back in strides
        grid.set_known("h", h, 0, t + 1)
        grid.set_known("y", y, 0, t)
        grid.set_cursor(t)
        first, last = grid.steps_shown()
        assert last - first + 1 == 5 and first <= t <= last
        assert first >= 0 and last <= T
        assert grid.cursor_x("h") == t
        np.testing.assert_array_equal(grid.shown("h"), masked(h, 0, t + 1)[first : last + 1])
        y_first = max(first, 1)  # the outputs start at t = 1
        np.testing.assert_array_equal(grid.shown("y"), masked(y, 0, t)[y_first - 1 : last])
        for step in range(first, last + 1):
            assert grid.cell_at(grid.pos_of("h", step, 3)) == ("h", step, 3)
        assert {label for _, label in grid.x_ticks} <= {str(s) for s in range(first, last + 1)}
        settle(grid)  # its repaints done: the screen is what it last painted
        screen = QGuiApplication.primaryScreen().grabWindow(grid.winId()).toImage()
        image = grid.grab().toImage()
        differ = (_pixels(screen) != _pixels(image)).any(axis=2)
        assert not differ.any(), (t, np.argwhere(differ)[:5])
        for step in (first, t, last):
            want = _colour(h[step, 1], LINEAR) if step <= t else QColor(BLANK)
            assert image.pixelColor(grid.pos_of("h", step, 1).toPoint()) == want, (t, step)


def masked(full: np.ndarray, lo: int, hi: int) -> np.ndarray:
    out = np.full(full.shape, np.nan)
    out[lo:hi] = full[lo:hi]
    return out
