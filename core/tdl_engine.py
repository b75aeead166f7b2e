"""Forward pass and ordinary backpropagation of the tapped delay line, as an immutable Trace.

The network, its equations (Eqs. 29-31 of the Help > Equations page; Bodén 2001 §4) and the
choice to record it in the same :class:`core.trace.Trace` as the recurrent networks are described
in :mod:`core.tdl`. There is no recurrence, so every step is one feedforward pass and one
backpropagation through it, all steps at once.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

import numpy as np
from numpy.typing import NDArray

from core.functions import hidden_derivative, hidden_forward, output_loss_delta
from core.inputs import batch_copies, validate
from core.tdl import TDL, delay_buffer
from core.trace import Trace

Array = NDArray[np.floating]


def tdl_backprop(net: TDL, xs: Any, targets: Any, mask: Any = None) -> Trace:
    """Forward pass and ordinary backpropagation at every step; the immutable :class:`Trace`.

    Parameters
    ----------
    net : the tapped delay line.
    xs : (T, I) one sequence or (B, T, I) a batch of equally long sequences.
    targets : (T, O) or (B, T, O) the targets d(t).
    mask : optional (T,) or (B, T) weight of each step's loss.

    The trace's ``x`` is the delay buffer (see the module docstring); ``truncation`` is None and
    ``mode`` "full". Raises ValueError for bad shapes or NaN/inf, naming the array.
    """
    xs, targets, mask, batched = validate(net, xs, targets, mask)
    B, T = xs.shape[:2]
    H, O, dtype = net.n_hidden, net.n_out, net.dtype
    x, d, m = batch_copies(xs, targets, mask, batched, dtype)

    X = delay_buffer(x, net.window)  # (B, T, (omega+1) I): the input layer at every step
    a = net.b + X @ net.U.T  # eq. 29: a(t) = b + sum_k U_k x(t-k), all steps at once
    h = np.zeros((B, T + 1, H), dtype)  # h[:, 0] unused: no state before the first step
    h[:, 1:] = hidden_forward(net.hidden, a)  # eq. 2
    o = net.c + h[:, 1:] @ net.V.T  # eq. 3
    y_om, loss_om, do_om = output_loss_delta(  # eq. 4, L(t) and delta_o(t) = m(t) (y(t) - d(t))
        net.output,
        o.reshape(B * T, O).T,
        d.reshape(B * T, O).T,
        None if mask is None else m.reshape(B * T),
    )
    y = np.ascontiguousarray(y_om.T).reshape(B, T, O)
    delta_o = np.ascontiguousarray(do_om.T).reshape(B, T, O)
    loss_t = loss_om.reshape(B, T)
    fp = hidden_derivative(net.hidden, a, h[:, 1:])
    delta_h = fp * (delta_o @ net.V)  # eq. 30: f'(a(t)) * V^T delta_o(t), no term from t+1

    dh, do = delta_h.reshape(B * T, H), delta_o.reshape(B * T, O)
    grads = {
        "U": dh.T @ X.reshape(B * T, -1),  # eq. 31: [dL/dU_0 ... dL/dU_omega]
        "W": np.zeros((H, 0), dtype),
        "V": do.T @ h[:, 1:].reshape(B * T, H),  # eq. 14
        "b": dh.sum(axis=0),  # eq. 13
        "c": do.sum(axis=0),  # eq. 12
        "h0": np.zeros(0, dtype),
    }
    arrays = {
        "x": X,
        "d": d,
        "mask": m,
        "a": a,
        "h": h,
        "o": o,
        "y": y,
        "loss_t": loss_t,
        "delta_o": delta_o,
        "delta_h": delta_h,
        "delta_h0": np.zeros((B, 0), dtype),
        "context": np.zeros((B, T, 0), dtype),
    }
    for arr in (*arrays.values(), *grads.values()):
        arr.setflags(write=False)
    if not batched:
        arrays = {name: arr[0] for name, arr in arrays.items()}
    return Trace(
        net=net,
        loss=float(np.add.reduce(loss_t, axis=None)),
        grads=MappingProxyType(grads),
        truncation=None,
        mode="full",
        **arrays,
    )
