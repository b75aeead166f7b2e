"""Worked examples: any node, edge or gradient cell of a trace as its equation with numbers put in.

:func:`explain` works BPTT out by hand for any network, any cursor position and any selected
item, in the reader's notation (:mod:`core.notation`), for the activation and the output/loss pair
the network actually uses. Each module explains one kind of item:

=================  =========================================================================
module             explains
=================  =========================================================================
``nodes``          hidden units (forward a(t), h(t); backward δh(t)), inputs, h(0) / y(0)
``output``         output units (forward o(t), ŷ(t); backward δo(t))
``loss``           the loss of one step L(t) and the total loss L
``edges``          one weight at one step: signal, delta carried back, gradient term
``cells``          one cell of a gradient as the backward sweep accumulates it; ∂L/∂h0
``symbols``        the symbols of the notation and what is known at the cursor
``text``           numbers, products and sums as written; the records that hold them
=================  =========================================================================

Values not yet computed at the cursor are "?" with a note saying when they are computed. Deltas
are shown with the notation's sign (Bodén 2001 writes δ = -∂C/∂net); gradients are always ∂L/∂w.
Each :class:`Step` carries its numeric terms so that a caller can check that they add up to the
trace's value. Unit and time indices in the text are 1-based, as on screen.
"""

from __future__ import annotations

from core.cursor import StepState
from core.explain.cells import cell
from core.explain.edges import edge
from core.explain.loss import loss
from core.explain.nodes import hidden, initial, input_unit
from core.explain.output import output
from core.explain.symbols import Scope
from core.explain.text import (
    MAX_WRITTEN_TERMS,
    UNKNOWN,
    Explanation,
    Factor,
    Quantity,
    Step,
    Term,
    fmt,
)
from core.notation import Notation
from core.selection import Selection
from core.trace import Trace

__all__ = [
    "MAX_WRITTEN_TERMS",
    "UNKNOWN",
    "Explanation",
    "Factor",
    "Quantity",
    "Step",
    "Term",
    "default_selection",
    "explain",
    "fmt",
    "is_valid",
]


def default_selection(state: StepState) -> Selection:
    """What the inspector explains when nothing is selected: hidden unit 1 at the cursor step."""
    return Selection(kind="node", layer="h", t=state.t, unit=0)


def is_valid(selection: Selection, trace: Trace) -> bool:
    """Whether the selection's indices exist in this trace's network and sequence."""
    net, T = trace.net, trace.T
    sizes = {
        "x": trace.x.shape[-1],
        "h": net.n_hidden,
        "a": net.n_hidden,
        "y": net.n_out,
        "o": net.n_out,
    }
    shapes = {n: (*p.shape, 1)[:2] for n, p in net.params().items()}
    if selection.kind == "node":
        if selection.layer == "L":
            return 0 <= selection.t <= T
        # the initial context's layer (a tapped delay line has none)
        from_zero = {"hidden": ("h", "a"), "output": ("y", "o"), "target": ("y", "o")}.get(
            net.context, ()
        )
        first = 0 if selection.layer in from_zero else 1
        n = sizes.get(selection.layer, 0)
        return first <= selection.t <= T and 0 <= selection.unit < n
    if selection.kind == "edge":
        if selection.layer not in ("U", "W", "V"):
            return False
        rows, cols = shapes[selection.layer]
        return 1 <= selection.t <= T and 0 <= selection.row < rows and 0 <= selection.col < cols
    if selection.kind == "cell" and selection.layer in shapes:
        rows, cols = shapes[selection.layer]
        return 0 <= selection.row < rows and 0 <= selection.col < cols
    return False


def explain(
    trace: Trace, state: StepState, selection: Selection | None, notation: Notation
) -> Explanation:
    """The worked example for ``selection`` at the cursor ``state`` in ``notation``.

    Parameters
    ----------
    trace : an unbatched trace.  state : the cursor's :class:`StepState` over it.
    selection : a node, edge or cell (see :mod:`core.selection`); None or an index outside the
        network gives :func:`default_selection`, with a note.
    notation : the symbols and delta sign to write in.
    """
    if trace.batched:
        raise ValueError("explain needs the trace of one sequence; use trace.select(i)")
    sc = Scope(trace, state, notation)
    invalid = selection if selection is not None and not is_valid(selection, trace) else None
    if selection is None or invalid is not None:
        selection = default_selection(state)
        if not is_valid(selection, trace):  # a Jordan network has no h(0): its y(0) instead
            selection = Selection(kind="node", layer="y", t=0, unit=0)
        if not is_valid(selection, trace):  # a tapped delay line has neither: h(1)
            selection = Selection(kind="node", layer="h", t=1, unit=0)
    title, steps = _dispatch(sc, selection)
    notes: tuple[str, ...] = ()
    if invalid is not None:
        notes = (f"the selected {_name(sc, invalid)} is not in this network; showing {title}",)
    return Explanation(title, selection, tuple(steps), notes)


def _name(sc: Scope, sel: Selection) -> str:
    """A selection as the reader would name it ("input x[3](2)"), valid or not."""
    units = {"x": "input", "h": "hidden unit", "a": "hidden unit", "y": "output unit"}
    units["o"] = "output unit"
    if sel.kind == "node" and sel.layer == "L":
        return f"loss {sc.L}({sel.t})" if sel.t else f"total loss {sc.L}"
    if sel.kind == "node" and sel.layer in units:
        return f"{units[sel.layer]} {sc.u(sel.layer, sel.unit, sel.t)}"
    if sel.kind == "edge" and sel.layer in ("U", "W", "V"):
        return f"edge {sc.w(sel.layer, sel.row, sel.col)} at t = {sel.t}"
    if sel.kind == "cell" and sel.layer in sc.net.params():
        col = None if sc.net.params()[sel.layer].ndim == 1 else sel.col
        return f"gradient cell {sc.dw(sel.layer, sel.row, col)}"
    return "item"


def _dispatch(sc: Scope, sel: Selection) -> tuple[str, list[Step]]:
    """The title and steps of a valid selection."""
    if sel.kind == "edge":
        return edge(sc, sel.layer, sel.t, sel.row, sel.col)
    if sel.kind == "cell":
        return cell(sc, sel.layer, sel.row, sel.col)
    if sel.layer == "L":
        return loss(sc, sel.t)
    if sel.layer == "x":
        return input_unit(sc, sel.unit, sel.t)
    if sel.layer in ("y", "o"):
        return initial(sc, sel.unit) if sel.t == 0 else output(sc, sel.unit, sel.t)
    return hidden(sc, sel.unit, sel.t)
