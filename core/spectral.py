"""The spectrum of the recurrence (Goodfellow et al. 2016, *Deep Learning* §10.7; Bengio,
Simard and Frasconi 1994; Bodén 2001 section 5.1).

Gradients carried back through ``s`` steps are multiplied by a product of ``s`` Jacobians
diag(f'(a)) W^T; their size is governed by the eigenvalues and singular values of the loop
matrix W (for a Jordan network W V, see :func:`core.gradient_flow.loop_matrix`).
"""

from __future__ import annotations

import numpy as np

from core.gradient_flow import loop_matrix, spectral_radius
from core.model import SRN

#: bounds of a spectral radius a user may ask for (typed in a spin box or read from a file)
MIN_RADIUS = 0.0
MAX_RADIUS = 10.0


def with_spectral_radius(net: SRN, radius: float) -> SRN:
    """Return ``net`` with W scaled so that the loop matrix has spectral radius ``radius``.

    Scaling W by ``radius / rho`` scales every eigenvalue of W (Elman) or of W V (Jordan) by the
    same factor, so the new loop matrix has spectral radius ``radius`` exactly. Teacher forcing
    has no loop (the context is data) and a zero W has no spectrum to scale: both raise.
    """
    value = float(radius)
    if not (MIN_RADIUS <= value <= MAX_RADIUS):
        raise ValueError(
            f"spectral radius must be between {MIN_RADIUS:g} and {MAX_RADIUS:g}, got {value:g}"
        )
    if net.context == "target":
        raise ValueError("with teacher forcing the context is data: there is no loop to rescale")
    rho = spectral_radius(loop_matrix(net))
    if not np.isfinite(rho) or rho == 0.0:
        raise ValueError("W has spectral radius 0: there is no spectrum to rescale")
    W = np.asarray(net.W) * (value / rho)
    return net.with_params(W=W)
