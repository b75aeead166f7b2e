"""Hidden activations and matched output/loss pairs of the Simple Recurrent Network.

Every function works on arrays of any shape, elementwise (hidden units) or along the last axis
(softmax), and is numerically stable for net inputs up to ~1e300 in magnitude: no overflow, no
division by zero, no ``log(0)`` (only the squared error itself, a value beyond the float range
once |y - d| exceeds ~1e154, can overflow).

Output function and loss come as matched pairs (Bodén 2001 section 3): for each pair the gradient
of the loss with respect to the output unit's net input ``o`` is simply ``y - d`` (Eq. 9 of
Unfold's Help > Equations page; Bodén 2001 section 3, and Goodfellow et al. 2016 §10.2.2 for
softmax):

=========  =====================================  ==============================================
output     loss L(t)                              equation and source
=========  =====================================  ==============================================
linear     1/2 sum_k (y_k - d_k)^2                Eq. 8; Bodén 2001 section 3 (Gaussian)
logistic   -sum_k d_k ln y_k + (1-d_k) ln(1-y_k)  Eq. 7; Bodén 2001 section 3 (binomial)
softmax    -sum_k d_k ln y_k                      Eq. 6; Bodén 2001 section 3, Goodfellow et al.
                                                  2016 §10.2
=========  =====================================  ==============================================
"""

from __future__ import annotations

from typing import Final

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.floating]

HIDDEN_ACTIVATIONS: Final = ("tanh", "logistic", "relu", "linear")
OUTPUT_FUNCTIONS: Final = ("softmax", "logistic", "linear")
LOSS_OF_OUTPUT: Final = {
    "softmax": "cross-entropy",
    "logistic": "binary cross-entropy",
    "linear": "sum-squared error",
}


def logistic(a: Array) -> Array:
    """Logistic function 1 / (1 + e^-a) (Eq. 7), written as (1 + tanh(a/2)) / 2.

    The tanh form never evaluates ``exp`` of a large number, so it cannot overflow.
    """
    return 0.5 * (1.0 + np.tanh(0.5 * a))


def hidden_forward(kind: str, a: Array) -> Array:
    """h = f(a), the hidden activation (Eq. 2; Goodfellow et al. 2016 §10.2 for tanh)."""
    if kind == "tanh":
        return np.tanh(a)
    if kind == "logistic":
        return logistic(a)
    if kind == "relu":
        return np.maximum(a, 0.0)
    if kind == "linear":
        return a.copy()
    raise ValueError(f"unknown hidden activation {kind!r}; expected one of {HIDDEN_ACTIVATIONS}")


def hidden_derivative(kind: str, a: Array, h: Array) -> Array:
    """f'(a), written through h = f(a) where the derivations do (Eq. 11).

    tanh: 1 - h^2 (Goodfellow et al. 2016 §10.2.2); logistic: h (1 - h) (Bodén 2001);
    relu: 1 where a > 0 else 0; linear: 1.
    """
    if kind == "tanh":
        return 1.0 - h * h
    if kind == "logistic":
        return h * (1.0 - h)
    if kind == "relu":
        return (a > 0).astype(a.dtype)
    if kind == "linear":
        return np.ones_like(a)
    raise ValueError(f"unknown hidden activation {kind!r}; expected one of {HIDDEN_ACTIVATIONS}")


def output_forward(kind: str, o: Array) -> Array:
    """y = g(o): softmax over the last axis (Eqs. 4, 6), logistic (Eq. 7), or identity (Eq. 8)."""
    if kind == "softmax":
        z = o - o.max(axis=-1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=-1, keepdims=True)
    if kind == "logistic":
        return logistic(o)
    if kind == "linear":
        return o.copy()
    raise ValueError(f"unknown output function {kind!r}; expected one of {OUTPUT_FUNCTIONS}")


def unit_losses(kind: str, o: Array, d: Array) -> Array:
    """Each output unit's part of the step loss L(t) (same shape as ``o``); they sum to L(t).

    Computed from the net input ``o`` rather than from ``y`` so that saturated outputs give
    finite losses: softmax -d_k ln y_k with ln y_k = o_k - logsumexp(o) (Goodfellow et al. 2016,
    §6.2.2.3); logistic -[d ln y + (1-d) ln(1-y)] = softplus(o) - d o; linear (y - d)^2 / 2.
    """
    if kind == "softmax":
        # -ln y_k = (m - o_k) + ln sum_j e^(o_j - m), m = max_j o_j: the large terms cancel
        # before the logarithm is added, so -ln y_k keeps full precision even for |o| ~ 1e300
        m = o.max(axis=-1, keepdims=True)
        z = o - m
        log_sum = np.log(np.exp(z).sum(axis=-1, keepdims=True))
        return d * (log_sum - z)
    if kind == "logistic":
        return np.logaddexp(0.0, o) - d * o
    if kind == "linear":
        r = o - d
        return 0.5 * r * r
    raise ValueError(f"unknown output function {kind!r}; expected one of {OUTPUT_FUNCTIONS}")


def output_jacobian_t(kind: str, y: Array, v: Array) -> Array:
    """J_g^T v = (dy/do)^T v, row by row, for y and v of shape (.., O).

    softmax: y * (v - <y, v>) (J_g = diag(y) - y y^T is symmetric); logistic: y (1 - y) * v;
    linear: v.
    """
    if kind == "softmax":
        return y * (v - np.sum(y * v, axis=-1, keepdims=True))
    if kind == "logistic":
        return y * (1.0 - y) * v
    return np.array(v, copy=True)


def step_loss(kind: str, o: Array, y: Array, d: Array) -> Array:
    """Per-step loss L(t), summed over output units (last axis); shape ``o.shape[:-1]``.

    The sum of :func:`unit_losses` (``y`` is unused: every loss is computed from ``o``).
    """
    return np.sum(unit_losses(kind, o, d), axis=-1)


def output_delta(kind: str, y: Array, d: Array) -> Array:
    """delta_o = dL(t)/do(t) = y - d for every matched pair (Eq. 9; Goodfellow et al. 2016
    §10.2.2, Bodén 2001 section 3).

    For softmax the exact gradient is y * sum_k d_k - d, which equals y - d whenever the target
    row sums to one (a one-hot or probability target); a row of zeros (an unscored step) gives 0.
    """
    if kind == "softmax":
        return y * d.sum(axis=-1, keepdims=True) - d
    return y - d


def output_loss_delta(
    kind: str, o: Array, d: Array, m: Array | None = None, out: Array | None = None
) -> tuple[Array, Array, Array]:
    """y(t), m(t) L(t) and m(t) delta_o(t) for many steps at once, in one pass.

    The same values as :func:`output_forward`, :func:`step_loss` and :func:`output_delta` (the
    last two weighted by the step weight ``m`` when given), sharing their intermediate arrays: for
    softmax, z = o - max o, e^z and ln sum e^z are computed once (Eqs. 6, 9).

    Here ``o`` and ``d`` are (O, N): one column per step, the engine's output-major layout, in
    which numpy reduces over the few output units with long contiguous inner loops (and sums over
    the units are BLAS products with a ones vector). ``m`` and the returned loss are (N,); ``y``
    is a fresh (O, N) array, and so is ``delta_o`` unless ``out`` is given for it.
    """
    if kind == "softmax":
        ones = np.empty(o.shape[0], o.dtype)
        ones.fill(1.0)  # ones.dot(v) = sum over the output units
        z = o - np.maximum.reduce(o, axis=0)
        y = np.exp(z)
        total = ones.dot(y)
        y /= total  # eq. 9
        log_sum = np.log(total, out=total)
        d_sum = ones.dot(d)  # 1 for a one-hot or probability column, 0 for an unscored step
        # L(t) = -sum_k d_k ln y_k = (sum_k d_k) ln sum_j e^z_j - sum_k d_k z_k   (eq. 16)
        z *= d
        loss = np.multiply(d_sum, log_sum)
        loss -= ones.dot(z)
        delta = np.multiply(y, d_sum, out=out)  # eq. 22: y sum_k d_k - d
        delta -= d
    elif kind == "logistic":
        y = logistic(o)
        loss = np.add.reduce(np.logaddexp(0.0, o) - d * o, axis=0)
        delta = np.subtract(y, d, out=out)
    elif kind == "linear":
        y = o.copy()
        delta = np.subtract(y, d, out=out)
        loss = 0.5 * np.add.reduce(delta * delta, axis=0)
    else:
        raise ValueError(f"unknown output function {kind!r}; expected one of {OUTPUT_FUNCTIONS}")
    if m is not None:
        loss *= m
        delta *= m
    return y, loss, delta


def resting_state(kind: str) -> float:
    """The initial context value used by default: the activation's midpoint.

    Elman (1990) initialises the context units to 0.5, the resting value of a logistic unit;
    tanh, relu and linear units rest at 0.
    """
    return 0.5 if kind == "logistic" else 0.0
