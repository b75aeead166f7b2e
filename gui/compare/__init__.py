"""Compare mode: two configurations of one network from one start, driven by one cursor.

:mod:`.twins` holds the pair (two follower sessions over the traces of ``core.compare``),
:mod:`.setup_bar` chooses the variation and its two values, :mod:`.difference` draws the
difference of the gradients and the bias meter, :mod:`.training` trains both, and
:mod:`.window` puts them side by side under the main window's time bar.
"""

from __future__ import annotations

from gui.compare.window import CompareWindow

__all__ = ["CompareWindow"]
