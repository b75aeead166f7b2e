"""Which tick labels an axis has room for: every label, or every n-th, never two overlapping.

Panels give an axis a label for every cell (units, time steps, input names); how many of them
fit depends on the pixels the axis gets, which only the drawing knows. :func:`readable_ticks`
keeps every ``stride``-th label, with the smallest stride of 1, 2, 5, 10, 20, ... at which no two
kept labels overlap, so that a tall heatmap labels every row and a short one every second or
fifth - always a regular, readable subset.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator, Sequence

#: the least space between two neighbouring labels, px
GAP = 4.0

Tick = tuple[float, str]


def nice_stride(n: int, max_labels: int) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50, ... that labels at most ``max_labels`` of n items."""
    target = max(1, math.ceil(n / max(1, max_labels)))
    magnitude = 10 ** math.floor(math.log10(target))
    for m in (1, 2, 5, 10):
        if m * magnitude >= target:
            return m * magnitude
    return 10 * magnitude


def strides() -> Iterator[int]:
    """1, 2, 5, 10, 20, 50, 100, ..."""
    magnitude = 1
    while True:
        for m in (1, 2, 5):
            yield m * magnitude
        magnitude *= 10


def every(ticks: Sequence[Tick], stride: int, numbers: Sequence[int] | None = None) -> list[Tick]:
    """Every ``stride``-th tick: for numbered labels ("1", "2", ...) the multiples of the stride
    (and the first label when it is not too close to the next), else every stride-th from the
    first. ``numbers``, when given, are the labels as integers (read once by a caller that
    tries many strides)."""
    if stride == 1:
        return list(ticks)
    if numbers is None and all(label.isdigit() for _, label in ticks):
        numbers = [int(label) for _, label in ticks]
    if numbers is not None:
        kept = [tick for tick, n in zip(ticks, numbers, strict=True) if n % stride == 0]
        if ticks and (not kept or int(kept[0][1]) - numbers[0] > stride / 2):
            kept.insert(0, ticks[0])
        return kept
    return list(ticks[::stride])


def overlap(ticks: Sequence[Tick], pixels: float, extent: Callable[[str], float]) -> bool:
    """Whether two neighbouring labels of ``ticks`` overlap: positions ``pixels`` apart per unit,
    each label ``extent(label)`` long along the axis, centred on its position."""
    for (a, first), (b, second) in itertools.pairwise(ticks):
        if abs(b - a) * pixels < (extent(first) + extent(second)) / 2 + GAP:
            return True
    return False


def readable_ticks(
    ticks: Sequence[Tick], pixels: float, extent: Callable[[str], float]
) -> list[Tick]:
    """The largest regular subset of ``ticks`` whose labels do not overlap (see the module).

    Parameters
    ----------
    ticks : (position, label) in axis units, in order along the axis.
    pixels : the pixels between two positions one unit apart.
    extent : a label's length along the axis in pixels: its width on a horizontal axis, the
        line height on a vertical one.
    """
    if len(ticks) < 2:
        return list(ticks)
    numbered = all(label.isdigit() for _, label in ticks)
    numbers = [int(label) for _, label in ticks] if numbered else None
    for stride in strides():
        kept = every(ticks, stride, numbers)
        if len(kept) < 2 or not overlap(kept, pixels, extent):
            return kept
    raise AssertionError("unreachable: a stride past the length keeps one label")
