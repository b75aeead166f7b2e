"""Hover texts of the graph views: each number with its symbol in the reader's notation."""

from __future__ import annotations

import math

from core.graphs import NodeId
from core.notation import MEANING, Notation
from gui.graph_views.state import unit_label

#: what W connects in a Jordan network (core/jordan.py)
JORDAN_W = {
    "output": "output(t-1) -> hidden(t) recurrent weights (Jordan)",
    "target": "target(t-1) -> hidden(t) weights (Jordan, teacher forced)",
}


def weight_text(
    name: str,
    row: int,
    col: int,
    weight: float,
    notation: Notation,
    sender: str,
    receiver: str,
    context: str = "hidden",
) -> str:
    """``W[2,3] = 0.412 (Ws in the Recurrent Neural Networks - Part 2 tutorial ...)`` and,
    below, what the weight connects (1-based)."""
    where = f"{notation[name]} in {notation.source}"
    head = f"{name}[{row + 1},{col + 1}] = {weight:.3f} ({where})"
    meaning = MEANING[name]
    if name == "W" and context != "hidden":
        meaning = JORDAN_W[context]
    return f"{head}\n{meaning}: {sender} → {receiver}"


def node_name(node: NodeId, notation: Notation) -> str:
    """``h3(4)``: the unit's label and its step; ``L(4)`` for a loss node."""
    layer, t, unit = node
    if layer == "L":
        return f"{notation['L']}({t})"
    return f"{unit_label(notation[layer], unit)}({t})"


def unfolded_node_text(
    node: NodeId, value: float, mode: str, notation: Notation, x_value: float = math.nan
) -> str:
    """The hover text of a node of the unfolded graph showing ``value`` (NaN: not known yet)."""
    layer, t, unit = node
    known = not math.isnan(value)
    if layer == "L":
        name = f"{notation['L']}({t})"
        return f"{name} = {value:.4f}\nloss at step {t}" if known else f"{name}: not computed yet"
    label = f"{unit_label(notation[layer], unit)}(t={t})"
    if mode == "delta":
        if layer == "x":
            return f"{label} = {x_value:.4g}: inputs get no delta"
        key = "delta_h" if layer == "h" else "delta_o"
        name = f"{notation[key]}{unit + 1}(t={t})"
        if t == 0:  # h(0), or a Jordan network's initial context y(0)
            name = f"∂{notation['L']}/∂{notation['h0']}{unit + 1} (times the notation's sign)"
        if not known:
            return f"{name}: not reached by the backward sweep yet"
        return f"{name} = {value:.4g}\n{notation.delta_definition('h' if layer == 'h' else 'y')}"
    if not known:
        return f"{label}: not computed yet"
    if layer == "y" and t == 0:
        return f"{label} = {value:.4f}\ninitial context {notation['h0']}{unit + 1} (Jordan network)"
    return f"{label} = {value:.4f}\n{MEANING[layer]}"
