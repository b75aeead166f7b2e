"""Checking and copying the engine's inputs: shapes against the network, no NaN or inf.

Both engines (:mod:`core.elman`, :mod:`core.jordan`) take one sequence ``(T, I)`` or a batch
``(B, T, I)`` of equally long sequences; these helpers give them a batch axis and private copies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from core.model import SRN

if TYPE_CHECKING:
    from core.tdl import TDL

Array = NDArray[np.floating]


def freeze(*arrays: Array) -> None:
    """Make the arrays read-only (a frozen dataclass alone does not freeze its arrays)."""
    for arr in arrays:
        arr.setflags(write=False)


def _numeric(name: str, value: Any, dtype: np.dtype[Any]) -> Array:
    """``value`` as an array of ``dtype``."""
    try:
        arr = np.asarray(value)
        return arr if arr.dtype == dtype else arr.astype(dtype)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} is not a numeric array: {exc}") from None


def validate(net: SRN | TDL, xs: Any, targets: Any, mask: Any) -> tuple[Array, Array, Any, bool]:
    """Check the inputs' shapes against the network; return them as arrays of the net's dtype.

    Returns xs (B, T, I), targets (B, T, O) and mask (B, T) (None if not given), always with a
    batch axis, and whether the caller passed a batch. Values are checked when copied
    (:func:`copy_checked`).
    """
    dtype = net.U.dtype
    arrays = (xs, targets, mask)
    if dtype == np.float64 or all(v is None or getattr(v, "dtype", None) == dtype for v in arrays):
        return _validate_as(net, xs, targets, mask)
    with np.errstate(over="ignore"):  # a value too large for float32 becomes inf, reported later
        return _validate_as(net, xs, targets, mask)


def _validate_as(
    net: SRN | TDL, xs: Any, targets: Any, mask: Any
) -> tuple[Array, Array, Any, bool]:
    """The work of :func:`validate`."""
    dtype = net.U.dtype
    I, O = net.n_in, net.n_out  # a tapped delay line's U is wider than its input
    x = _numeric("xs", xs, dtype)
    if x.ndim not in (2, 3):
        raise ValueError(f"xs has shape {x.shape}, expected (T, {I}) or (B, T, {I})")
    batched = x.ndim == 3
    lead = x.shape[:-1]
    if x.shape[-1] != I:
        raise ValueError(f"xs has shape {x.shape}, expected {(*lead, I)}")
    if lead[-1] < 1:
        raise ValueError(f"xs has shape {x.shape}: a sequence needs at least one time step")
    d = _numeric("targets", targets, dtype)
    if d.shape != (*lead, O):
        raise ValueError(f"targets has shape {d.shape}, expected {(*lead, O)}")
    if mask is not None:
        mask = _numeric("mask", mask, dtype)
        if mask.shape != lead:
            raise ValueError(f"mask has shape {mask.shape}, expected {lead}")
        mask = mask if batched else mask[None]
    return (x, d, mask, True) if batched else (x[None], d[None], mask, False)


def copy_checked(name: str, out: Array, arr: Array, axes: tuple[int, ...], batched: bool) -> None:
    """Copy the (B, T, ...) ``arr`` into ``out`` with its axes permuted; reject NaN and inf.

    The copy means a trace never shares (or freezes) the caller's arrays. A non-finite value is
    reported with its index in the caller's layout.
    """
    if np.count_nonzero(np.isfinite(arr)) != arr.size:  # (cheaper than isfinite(arr).all())
        caller = arr if batched else arr[0]
        index = tuple(int(i) for i in np.argwhere(~np.isfinite(caller))[0])
        value = float(caller[index])
        raise ValueError(f"{name} holds a non-finite value ({value}) at index {index}")
    out[...] = arr.transpose(axes)


def batch_copies(
    xs: Array, targets: Array, mask: Array | None, batched: bool, dtype: np.dtype[Any]
) -> tuple[Array, Array, Array]:
    """Batch-major copies (x, d, m) of :func:`validate`'s (B, T, I) inputs, (B, T, O) targets and
    (B, T) mask (ones when None) in ``dtype``, checked for NaN and inf by :func:`copy_checked`."""
    B, T, I = xs.shape
    x = np.empty((B, T, I), dtype)
    copy_checked("xs", x, xs, (0, 1, 2), batched)
    d = np.empty((B, T, targets.shape[-1]), dtype)
    copy_checked("targets", d, targets, (0, 1, 2), batched)
    m = np.ones((B, T), dtype)
    if mask is not None:
        copy_checked("mask", m, mask, (0, 1), batched)
    return x, d, m
