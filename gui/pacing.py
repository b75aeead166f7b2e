"""Spread the redraws of one change over several turns of the event loop.

A new network from a training run makes every view of the explorer recompute and repaint. Done
in one go that is one long turn of the GUI thread (about 36 ms of CPU for the default window,
several times that in wall time while the training thread competes for the GIL), and the window
does not respond meanwhile. A paced change instead leaves each view's update in a
:class:`Pacer`: a queue drained one job per turn by a 0 ms timer, so input, timers and the
repaint of the view updated last come between two views.

Each job belongs to an owner (a view); posting again for an owner whose job is still waiting
keeps one job at its place in the queue, so a burst of paced changes costs each view one update.
A job whose owner has been deleted is dropped.
"""

from __future__ import annotations

from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QObject, QTimer


class Pacer(QObject):
    """A queue of per-owner jobs, one run per event-loop turn.

    Parameters
    ----------
    parent : the owning QObject.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._jobs: dict[int, tuple[QObject, Callable[[], None]]] = {}
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._on_timer_timeout)

    def post(self, owner: QObject, job: Callable[[], None]) -> None:
        """Run ``job`` in a later turn (once, however often ``owner`` posts before it runs)."""
        key = id(owner)
        if key not in self._jobs:
            self._jobs[key] = (owner, job)
        if not self._timer.isActive():
            self._timer.start()

    def cancel(self, owner: QObject) -> None:
        """Forget ``owner``'s waiting job (it has caught up by other means)."""
        self._jobs.pop(id(owner), None)

    def pending(self) -> int:
        """How many jobs wait."""
        return len(self._jobs)

    def flush(self) -> None:
        """Run every waiting job now, in order."""
        while self._jobs:
            self._run_one()

    def _run_one(self) -> None:
        key = next(iter(self._jobs))
        owner, job = self._jobs.pop(key)
        if shiboken6.isValid(owner):
            job()

    def _on_timer_timeout(self) -> None:
        if self._jobs:
            self._run_one()
        if self._jobs:
            self._timer.start()
