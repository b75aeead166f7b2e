"""The visual language (gui.encoding), without Qt: sign -> hue, symmetric ranges and their
rounding, the linear and the square-root scale, sizes, and the "not known yet" grey."""

from __future__ import annotations

import numpy as np
import pytest

from core.bptt import bptt
from core.examples import example_network, example_sequence
from gui import encoding as enc
from gui.encoding import LEVELS, UNKNOWN_ROW, Encoding


def luminance(rgba: np.ndarray) -> np.ndarray:
    """Relative luminance (ITU-R BT.709 weights on linearised sRGB) of RGBA rows."""
    c = np.asarray(rgba, dtype=np.float64)[..., :3] / 255.0
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return lin @ np.array([0.2126, 0.7152, 0.0722])


# -- sign -> hue ----------------------------------------------------------------------------------
@pytest.mark.parametrize("gamma", [1.0, 0.5], ids=["linear", "sqrt"])
@pytest.mark.parametrize("m", [1.0, 0.03, 250.0], ids=["m=1", "m=0.03", "m=250"])
def test_positive_is_red_negative_is_blue_zero_is_near_white(m: float, gamma: float) -> None:
    e = Encoding("test", m, gamma=gamma)
    for v in (m, m / 2, m / 10):
        r, _, b, a = e.colour(v)
        assert r > b and a == 255, v  # red
        r, _, b, a = e.colour(-v)
        assert b > r and a == 255, -v  # blue
    assert e.colour(0.0) == (0xF7, 0xF7, 0xF7, 255)
    assert enc.sign_text() == "red +, blue −"
    assert (enc.POSITIVE_HUE, enc.NEGATIVE_HUE) == ("red", "blue")


def test_the_map_is_symmetric_and_darkens_away_from_zero() -> None:
    e = Encoding("test", 1.0)
    v = np.linspace(0.0, 1.0, 50)
    np.testing.assert_array_equal(e.index(-v), LEVELS - 1 - e.index(v))
    # colour-blind safe: the two signs differ in hue, and magnitude is read as darkness,
    # monotonically from near-white at 0 to dark at either end
    positive, negative = luminance(e.rgba(v)), luminance(e.rgba(-v))
    assert np.all(np.diff(positive) <= 1e-12) and np.all(np.diff(negative) <= 1e-12)
    assert luminance(e.rgba(0.0)) > 0.9 > 0.1 > max(luminance(e.rgba(1.0)), luminance(e.rgba(-1.0)))


def test_unknown_is_its_own_grey() -> None:
    e = Encoding("test", 2.0)
    assert e.index(np.nan) == UNKNOWN_ROW == LEVELS
    assert e.colour(np.nan) == enc.UNKNOWN_RGBA
    r, g, b, _ = enc.UNKNOWN_RGBA
    assert r == g == b  # grey: neither sign
    assert f"#{r:02x}{g:02x}{b:02x}" == enc.UNKNOWN_HEX
    for gamma in (1.0, 0.5):
        table = enc.colour_table(gamma)
        known = table[:LEVELS, :3].astype(int)
        # far from every colour a known value can have, zero's near-white included
        assert np.abs(known - np.array([r, g, b])).sum(axis=1).min() > 60
        assert not table.flags.writeable


# -- ranges and their rounding --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("peak", "m", "text"),
    [
        (0.8731, 0.88, "0.88"),
        (1.0, 1.0, "1"),
        (0.358, 0.36, "0.36"),
        (123.0, 130.0, "130"),
        (0.00012345, 0.00013, "0.00013"),
        (0.0, 1.0, "1"),
        (np.nan, 1.0, "1"),
    ],
)
def test_magnitudes_round_up_to_two_digits(peak: float, m: float, text: str) -> None:
    assert enc.round_magnitude(peak) == m
    assert enc.round_magnitude(peak) >= peak or not np.isfinite(peak)
    assert enc.magnitude_text(m) == text


def test_index_rounds_to_the_nearest_row_and_clips() -> None:
    e = Encoding("test", 4.0)
    middle = LEVELS // 2
    assert e.index(0.0) == middle
    assert e.index(4.0) == LEVELS - 1 and e.index(-4.0) == 0
    assert e.index(9.0) == LEVELS - 1 and e.index(-9.0) == 0  # beyond the range: clipped
    step = 2 * 4.0 / (LEVELS - 1)  # one row
    assert e.index(0.4 * step) == middle and e.index(0.6 * step) == middle + 1
    assert e.index([[1.0, np.nan]]).shape == (1, 2)


@pytest.mark.parametrize(
    ("make", "levels", "gamma"),
    [
        (lambda: enc.activation("tanh", [[3.0]]), (-1.0, 1.0), 1.0),
        (lambda: enc.activation("logistic", [[0.2]]), (0.0, 1.0), 1.0),
        (lambda: enc.activation("relu", [[0.0, 2.34]]), (0.0, 2.4), 1.0),
        (lambda: enc.activation("linear", [[-3.21, 1.0]]), (-3.3, 3.3), 1.0),
        (lambda: enc.output("softmax", [[0.2, 0.8]]), (0.0, 1.0), 1.0),
        (lambda: enc.output("linear", [[0.5]], [[-1.51]]), (-1.6, 1.6), 1.0),
        (lambda: enc.inputs([[0.0, 1.0]]), (0.0, 1.0), 1.0),
        (lambda: enc.inputs([[-0.5, 0.25]]), (-0.5, 0.5), 1.0),
        (lambda: enc.delta([[0.0123, -0.2]], [[np.nan]]), (-0.2, 0.2), 0.5),
        (lambda: enc.gradient([[-0.071]]), (-0.071, 0.071), 1.0),
        (lambda: enc.weight([[0.3]], [-0.489]), (-0.49, 0.49), 1.0),
        (lambda: enc.loss([1.2, 1.36]), (0.0, 1.4), 1.0),
    ],
    ids=[
        "tanh",
        "logistic",
        "relu",
        "linear",
        "softmax",
        "linear-output",
        "one-hot-input",
        "signed-input",
        "delta",
        "gradient",
        "weight",
        "loss",
    ],
)
def test_each_quantity_has_one_range_and_one_scale(make, levels, gamma) -> None:
    e = make()
    assert e.levels == levels
    assert e.gamma == gamma
    assert e.magnitude == max(abs(levels[0]), abs(levels[1]))


def test_a_one_signed_range_still_draws_a_negative_value_blue() -> None:
    e = enc.output("softmax", [[0.5]])
    assert e.one_signed and e.levels == (0.0, 1.0)
    r, _, b, _ = e.colour(-0.5)  # a Jordan network's context y(0) = h0 may be negative
    assert b > r
    assert e.colour(0.5) == Encoding("activation", 1.0).colour(0.5)  # same value, same colour


# -- the scale: linear or square root -------------------------------------------------------------
def test_deltas_use_the_square_root_everything_else_is_linear() -> None:
    rows = np.linspace(-1.0, 1.0, LEVELS)
    rows[LEVELS // 2] = 0.0
    linear, root = enc.colour_table(1.0), enc.colour_table(0.5)
    np.testing.assert_array_equal(linear[:LEVELS], enc.diverging(rows))
    np.testing.assert_array_equal(root[:LEVELS], enc.diverging(np.sign(rows) * np.abs(rows) ** 0.5))
    d, g = Encoding("delta", 1.0, gamma=0.5), Encoding("gradient", 1.0)
    # a quarter of the range on the square-root scale is as strong as half of it on the linear
    assert np.abs(np.subtract(d.colour(0.25), g.colour(0.5), dtype=int)).max() <= 3
    assert d.colour(1.0) == g.colour(1.0) and d.colour(0.0) == g.colour(0.0)
    # sizes are linear whatever the colour scale
    np.testing.assert_allclose(d.size([0.25, -0.5, 2.0, np.nan]), [0.25, 0.5, 1.0, 0.0])
    np.testing.assert_array_equal(
        g.size_class([0.0, 0.24, 0.26, 0.99, 1.0, 5.0], 4), [0, 0, 1, 3, 3, 3]
    )


def test_bars_run_from_the_low_to_the_high_end() -> None:
    signed, half = Encoding("delta", 0.5, gamma=0.5), Encoding("loss", 2.0, one_signed=True)
    for e in (signed, half):
        lo, hi = e.levels
        for bar in (e.bar(), e.bar(7), e.bar(300)):  # the table's rows, or a pixel per value
            assert tuple(bar[0]) == e.colour(lo) and tuple(bar[-1]) == e.colour(hi)
        np.testing.assert_array_equal(e.bar(5), e.rgba(np.linspace(lo, hi, 5)))
    assert len(signed.bar()) == LEVELS and tuple(half.bar()[0]) == half.colour(0.0)


def test_legend_words_say_the_range_and_the_scale() -> None:
    assert Encoding("activation", 1.0).describe("h") == "h ±1"
    assert Encoding("delta", 0.32, gamma=0.5).describe("δh") == "δh ±0.32, √ scale"
    assert Encoding("loss", 1.4, one_signed=True).describe("L") == "L 0 … 1.4"


def test_an_encoding_needs_a_positive_magnitude() -> None:
    for bad in (0.0, -1.0, np.nan, np.inf):
        with pytest.raises(ValueError, match="magnitude"):
            Encoding("test", bad)
    with pytest.raises(ValueError, match="gamma"):
        Encoding("test", 1.0, gamma=0.0)


# -- the encodings of a trace ---------------------------------------------------------------------
def test_a_trace_has_one_encoding_per_quantity() -> None:
    xs, targets = example_sequence()
    trace = bptt(example_network(), xs, targets)
    e = enc.for_trace(trace)
    assert enc.for_trace(trace) is e  # computed once per trace
    assert e.hidden == Encoding("activation", 1.0)  # tanh
    assert e.output == Encoding("output", 1.0, one_signed=True)  # softmax
    assert e.delta_h == Encoding(
        "delta", enc.round_magnitude(np.abs(trace.delta_h).max()), False, 0.5
    )
    assert e.delta_o.magnitude == enc.round_magnitude(np.abs(trace.delta_o).max())
    assert e.loss.levels == (0.0, enc.round_magnitude(trace.loss_t.max()))
    params = trace.net.params()
    peak = max(np.abs(params[p]).max() for p in trace.net.trainable())
    assert (
        e.weight == enc.network_weights(trace.net) == Encoding("weight", enc.round_magnitude(peak))
    )
