"""What the user pointed at: a node, an edge or a matrix cell, at some time step.

Views emit a :class:`Selection` when clicked; the inspector turns it into an equation with numbers.
Time steps are 1-based t, as on screen (0 for h0).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["node", "edge", "cell"]


@dataclass(frozen=True, slots=True)
class Selection:
    """A pointed-at item.

    kind "node": ``layer`` in x, h, y, L (the loss node) with ``t`` and ``unit`` (unit is 0 for L;
        layer h with t = 0 is h0).
    kind "edge": ``layer`` is the parameter U, W or V, ``t`` the step whose net input it feeds,
        ``row`` the receiving unit and ``col`` the sending unit.
    kind "cell": ``layer`` is a parameter U, W, V, b, c or h0 of a gradient or weight matrix,
        ``row``/``col`` its index (col 0 for vectors), ``t`` the cursor step or 0.
    """

    kind: Kind
    layer: str
    t: int = 0
    unit: int = 0
    row: int = 0
    col: int = 0
