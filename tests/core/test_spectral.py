"""core.spectral: rescaling W to a chosen spectral radius."""

import numpy as np
import pytest

from core.gradient_flow import loop_matrix, spectral_radius
from core.model import SRN
from core.spectral import with_spectral_radius


@pytest.mark.parametrize("context", ["hidden", "output"])
@pytest.mark.parametrize("radius", [0.5, 0.9, 1.1, 3.0])
def test_loop_matrix_gets_the_asked_radius(context, radius):
    net = SRN.init(3, 5, 2, seed=4, context=context)
    scaled = with_spectral_radius(net, radius)
    assert spectral_radius(loop_matrix(scaled)) == pytest.approx(radius, rel=1e-10)
    # only W changes, and by one factor
    ratio = np.asarray(scaled.W) / np.asarray(net.W)
    assert np.allclose(ratio, ratio.flat[0])
    for name in ("U", "V", "b", "c", "h0"):
        assert np.array_equal(getattr(scaled, name), getattr(net, name))


@pytest.mark.parametrize("radius", [-0.1, 10.5, float("nan"), float("inf")])
def test_radius_outside_bounds_is_refused(radius):
    with pytest.raises(ValueError, match="spectral radius"):
        with_spectral_radius(SRN.init(2, 3, 2, seed=1), radius)


def test_teacher_forcing_and_zero_w_are_refused():
    with pytest.raises(ValueError, match="teacher forcing"):
        with_spectral_radius(SRN.init(2, 3, 2, seed=1, context="target"), 1.0)
    net = SRN.init(2, 3, 2, seed=1)
    with pytest.raises(ValueError, match="spectral radius 0"):
        with_spectral_radius(net.with_params(W=np.zeros_like(net.W)), 1.0)
