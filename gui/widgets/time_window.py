"""Which time steps a view of a long sequence shows: a window of steps around the cursor.

A view shows every step of a sequence of up to :data:`MAX_STEPS` steps (the unfolded graph, the
heatmaps over time, the loss bars). A longer sequence is shown as a window of that many steps
that holds the cursor; when the cursor leaves it, the window moves to centre on the cursor. The
views build images and items for the steps of their window only, so what a step costs does not
grow with the sequence (a million steps drawn at once would be a few hundred per pixel anyway).
"""

from __future__ import annotations

#: the most time steps a view shows at once
MAX_STEPS = 2000


def centred(t: int, lo: int, hi: int, size: int = MAX_STEPS) -> tuple[int, int]:
    """The ``size`` steps (all of lo..hi when there are fewer) inside lo..hi, centred on t as
    far as the ends allow, as (first, last)."""
    size = max(1, min(size, hi - lo + 1))
    first = min(max(lo, t - size // 2), hi - size + 1)
    return first, first + size - 1


def follow(
    window: tuple[int, int] | None, t: int, lo: int, hi: int, size: int = MAX_STEPS
) -> tuple[int, int]:
    """The window to show with the cursor at t: ``window`` while it holds t (and is a window of
    lo..hi of the right size), else :func:`centred` on t."""
    want = min(size, hi - lo + 1)
    if window is not None:
        first, last = window
        if lo <= first <= t <= last <= hi and last - first + 1 == want:
            return window
    return centred(t, lo, hi, size)
