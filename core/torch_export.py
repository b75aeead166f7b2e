"""Export a network to PyTorch: the tensors of ``torch.nn.RNN`` + ``torch.nn.Linear`` in an .npz
file, and a generated script that rebuilds the modules and checks them against Unfold's numbers.

Unfold does not need torch: the checkpoint is a plain numpy ``.npz`` archive (no pickled objects,
``np.load(..., allow_pickle=False)`` reads it) whose entry names are the keys of the two modules'
``state_dict``. The script converts the arrays with ``torch.from_numpy`` and loads them.

The mapping (Goodfellow et al. 2016 §10.2 notation on the left; torch's documentation of
``torch.nn.RNN`` writes h_t = f(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh))::

    Unfold           shape    checkpoint entry           torch
    U  (input->h)    (H, I)   rnn.weight_ih_l0           RNN.weight_ih_l0
    W  (h->h)        (H, H)   rnn.weight_hh_l0           RNN.weight_hh_l0
    b  (hidden bias) (H,)     rnn.bias_ih_l0             RNN.bias_ih_l0
    0                (H,)     rnn.bias_hh_l0             RNN.bias_hh_l0 (torch has two biases
                                                         whose sum is Unfold's b)
    V  (h->output)   (O, H)   linear.weight              Linear.weight
    c  (output bias) (O,)     linear.bias                Linear.bias
    h0 = h(0)        (1,1,H)  h0                         the RNN's second argument, h_0

so that a(t) = b + W h(t-1) + U x(t) (Eq. 1) is torch's pre-activation, h(t) = f(a(t)) (Eq. 2)
with f = tanh or relu (``nonlinearity``), and o(t) = c + V h(t) (Eq. 3) is the Linear layer.
The RNN is built with ``batch_first=True``: the stored sequence ``x`` is (1, T, I).

The loss is the one matched to the output function (Eqs. 6-8; Bodén 2001 section 3), summed
over time and output units: softmax -> ``-(d * log_softmax(o)).sum()``, logistic ->
``binary_cross_entropy_with_logits(o, d, reduction="sum")``, linear -> ``0.5 * ((o - d)**2).sum()``.
torch's autograd differentiates through every step, so the gradients stored for comparison are
those of full BPTT, whatever truncation the window shows.

Entries ``unfold.*`` hold what Unfold computed (outputs y, hidden states h, the loss, the
gradients under the torch names), ``meta`` a JSON string with the architecture.

What ``torch.nn.RNN`` cannot express is refused with the reason (:class:`TorchExportError`):
a logistic or linear hidden activation (the RNN offers tanh and relu only) and a Jordan network
(its recurrence runs from the output, which the RNN's hidden-to-hidden weights cannot carry).
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from core.bptt import bptt
from core.loaders import PathArg
from core.model import SRN
from core.modelio import atomic_write_bytes, atomic_write_text
from core.tdl import TDL

#: the hidden activations torch.nn.RNN offers (its ``nonlinearity``)
TORCH_NONLINEARITIES: Final = ("tanh", "relu")
#: checkpoint entry -> the Unfold parameter it holds (None: zeros, torch's second bias)
TORCH_NAMES: Final = {
    "rnn.weight_ih_l0": "U",
    "rnn.weight_hh_l0": "W",
    "rnn.bias_ih_l0": "b",
    "rnn.bias_hh_l0": None,
    "linear.weight": "V",
    "linear.bias": "c",
    "h0": "h0",
}
FORMAT: Final = "unfold-torch-export"
VERSION: Final = 1


class TorchExportError(ValueError):
    """A network that torch.nn.RNN + torch.nn.Linear cannot express; the message says why."""


def check_exportable(net: SRN | TDL) -> None:
    """Raise :class:`TorchExportError` naming the reason when ``net`` has no torch equivalent."""
    if isinstance(net, TDL):
        raise TorchExportError(
            "a tapped delay line is a feedforward network over a window of inputs; "
            "torch.nn.RNN has a recurrence from hidden to hidden and no window"
        )
    if net.jordan:
        what = "teacher forcing" if net.context == "target" else "a Jordan network"
        raise TorchExportError(
            f"{what} feeds the previous {'target' if net.context == 'target' else 'output'} "
            "back to the hidden layer; torch.nn.RNN's recurrence runs from hidden to hidden only"
        )
    if net.hidden not in TORCH_NONLINEARITIES:
        raise TorchExportError(
            f"the hidden activation is {net.hidden}; torch.nn.RNN offers only "
            f"{' and '.join(TORCH_NONLINEARITIES)} (nonlinearity=...)"
        )


def torch_arrays(net: SRN | TDL, x: Any, d: Any) -> dict[str, NDArray[Any]]:
    """The checkpoint's entries for ``net`` run on one sequence ``x`` (T, I) with targets ``d``.

    Returns the module tensors (``TORCH_NAMES``), the sequence (``x`` (1, T, I), ``d`` (1, T, O)),
    Unfold's results for comparison (``unfold.y`` (T, O), ``unfold.h`` (T, H) = h(1..T),
    ``unfold.loss`` (), ``unfold.grad.<entry>`` of each module tensor, ``unfold.grad.h0``) and
    ``meta``, a JSON string. Gradients are those of full BPTT (see the module docstring).
    """
    check_exportable(net)
    trace = bptt(net, x, d)  # full BPTT: what autograd computes
    H = net.n_hidden
    arrays: dict[str, NDArray[Any]] = {}
    for entry, param in TORCH_NAMES.items():
        value = np.zeros(H, net.dtype) if param is None else np.array(getattr(net, param))
        arrays[entry] = value.reshape(1, 1, H) if entry == "h0" else value
    arrays["x"] = np.array(trace.x)[None]
    arrays["d"] = np.array(trace.d)[None]
    arrays["unfold.y"] = np.array(trace.y)
    arrays["unfold.h"] = np.array(trace.h[1:])
    arrays["unfold.loss"] = np.array(trace.loss, net.dtype)
    for entry, param in TORCH_NAMES.items():
        # d L / d bias_hh = d L / d b: both biases enter a(t) the same way
        grad = np.array(trace.grads["b" if param is None else param])
        arrays[f"unfold.grad.{entry}"] = grad.reshape(1, 1, H) if entry == "h0" else grad
    meta = {
        "format": FORMAT,
        "version": VERSION,
        "input_size": net.n_in,
        "hidden_size": H,
        "output_size": net.n_out,
        "nonlinearity": net.hidden,
        "output": net.output,
        "loss": net.loss_name,
        "dtype": str(net.dtype),
        "steps": trace.T,
    }
    arrays["meta"] = np.array(json.dumps(meta))
    return arrays


def npz_bytes(arrays: Mapping[str, NDArray[Any]]) -> bytes:
    """The bytes of an uncompressed .npz archive of ``arrays`` (nothing pickled)."""
    buffer = io.BytesIO()
    np.savez(buffer, allow_pickle=False, **arrays)
    return buffer.getvalue()


def script_text(checkpoint_name: str) -> str:
    """The generated script that loads ``checkpoint_name`` (beside it) into torch and compares."""
    return _SCRIPT.replace("@CHECKPOINT@", checkpoint_name)


def export_torch(path: PathArg, net: SRN | TDL, x: Any, d: Any) -> tuple[Path, Path]:
    """Write the checkpoint to ``path`` (.npz) and its script beside it (same name, .py).

    Both are written atomically (``core.modelio.atomic_write_bytes``); the script only after
    the checkpoint succeeded. Returns the two paths.

    Raises
    ------
    TorchExportError
        When the network has no torch equivalent (nothing is written).
    core.modelio.FileWriteError
        When a file cannot be written; its message is the reason, the caller names the file.
    """
    target = Path(path)
    if target.suffix.lower() != ".npz":
        raise TorchExportError(f"the checkpoint's name must end in .npz, got {target.name!r}")
    data = npz_bytes(torch_arrays(net, x, d))
    script = target.with_suffix(".py")
    atomic_write_bytes(target, data)
    atomic_write_text(script, script_text(target.name))
    return target, script


_SCRIPT: Final = '''\
"""Rebuild an Unfold network as torch.nn.RNN + torch.nn.Linear and check it against Unfold.

Generated by Unfold with the checkpoint @CHECKPOINT@ (a numpy .npz archive whose entries are
the modules' state_dict keys). Run:  python THIS_SCRIPT.py [CHECKPOINT.npz]

Mapping (Goodfellow et al. 2016, Deep Learning section 10.2 notation):
    a(t) = b + W h(t-1) + U x(t),  h(t) = f(a(t)),  o(t) = c + V h(t),  y(t) = g(o(t))
    U -> rnn.weight_ih_l0   W -> rnn.weight_hh_l0   b -> rnn.bias_ih_l0 (rnn.bias_hh_l0 = 0)
    V -> linear.weight      c -> linear.bias        h(0) -> h0, the RNN's initial state
The script prints the largest difference of outputs, hidden states, loss and every gradient
from the values Unfold computed, and exits with status 1 when one exceeds the tolerance.
"""

import json
import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

TOLERANCE = 1e-6


def load(path):
    with np.load(path, allow_pickle=False) as archive:
        return {name: archive[name] for name in archive.files}


def build(data):
    """torch.nn.RNN and torch.nn.Linear holding the checkpoint's tensors, and h0."""
    meta = json.loads(str(data["meta"]))
    dtype = torch.float64 if meta["dtype"] == "float64" else torch.float32
    rnn = torch.nn.RNN(
        meta["input_size"],
        meta["hidden_size"],
        nonlinearity=meta["nonlinearity"],
        batch_first=True,
        dtype=dtype,
    )
    linear = torch.nn.Linear(meta["hidden_size"], meta["output_size"], dtype=dtype)
    for module, prefix in ((rnn, "rnn."), (linear, "linear.")):
        module.load_state_dict(
            {key[len(prefix):]: torch.from_numpy(value)
             for key, value in data.items() if key.startswith(prefix)}
        )
    h0 = torch.from_numpy(data["h0"]).clone().requires_grad_(True)
    return meta, rnn, linear, h0


def loss_of(output, o, d):
    """The loss matched to the output function, summed over time and units (Boden 2001, 3)."""
    if output == "softmax":
        return -(d * F.log_softmax(o, dim=-1)).sum(), F.softmax(o, dim=-1)
    if output == "logistic":
        return F.binary_cross_entropy_with_logits(o, d, reduction="sum"), torch.sigmoid(o)
    return 0.5 * ((o - d) ** 2).sum(), o


def main(argv):
    here = Path(__file__).resolve().parent
    path = Path(argv[1]) if len(argv) > 1 else here / "@CHECKPOINT@"
    data = load(path)
    meta, rnn, linear, h0 = build(data)
    x, d = torch.from_numpy(data["x"]), torch.from_numpy(data["d"])
    hs, _ = rnn(x, h0)  # (1, T, H): h(1..T)
    o = linear(hs)  # (1, T, O)
    loss, y = loss_of(meta["output"], o, d)
    loss.backward()
    named = dict(rnn.named_parameters(prefix="rnn"))
    named.update(linear.named_parameters(prefix="linear"))
    named["h0"] = h0
    checks = [
        ("outputs y", y[0], data["unfold.y"]),
        ("hidden states h", hs[0], data["unfold.h"]),
        ("loss", loss, data["unfold.loss"]),
    ]
    checks += [(f"grad {name}", p.grad, data[f"unfold.grad.{name}"]) for name, p in named.items()]
    worst = 0.0
    for label, ours, unfold in checks:
        diff = float(np.max(np.abs(ours.detach().numpy() - unfold)))
        worst = max(worst, diff)
        print(f"{label:28s} max |torch - unfold| = {diff:.3e}")
    ok = worst <= TOLERANCE
    print("agree" if ok else f"DIFFER by more than {TOLERANCE}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
'''
