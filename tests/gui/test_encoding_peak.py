"""gui.encoding.peak: the largest finite magnitude, with or without NaN and inf in the arrays."""

import numpy as np
import pytest

from gui.encoding import peak


@pytest.mark.parametrize(
    ("arrays", "expected"),
    [
        (([0.5, -2.0, 1.0],), 2.0),
        (([0.5, 3.0], [[-1.0], [-4.0]]), 4.0),
        (([np.nan, -0.25, 0.125],), 0.25),  # NaN: a value not known yet
        (([np.inf, -0.5, np.nan],), 0.5),
        (([-np.inf, 0.75],), 0.75),
        (([np.nan, np.nan],), 0.0),
        ((np.zeros((0, 3)), [0.1]), 0.1),
        ((), 0.0),
    ],
)
def test_peak_is_the_largest_finite_magnitude(arrays, expected) -> None:
    assert peak(*arrays) == expected
    # the same as the plain definition
    flat = np.concatenate([np.ravel(np.asarray(a, float)) for a in arrays] or [np.zeros(0)])
    finite = np.abs(flat[np.isfinite(flat)])
    assert peak(*arrays) == (float(finite.max()) if finite.size else 0.0)
