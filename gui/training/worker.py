"""Run a plain generator off the GUI thread (the superqt GeneratorWorker pattern).

The generator (for example ``core.training.train``) knows nothing about Qt. The worker lives in a
QThread, pulls one item at a time and emits it with ``yielded``; between items it checks for
pause and abort, so a generator that yields often (``train(..., progress_every=...)``) can be
paused and stopped promptly. Items cross threads as immutable values; the worker never touches a
widget.

Signals: ``started``, ``yielded(object)``, ``errored(object)`` (the exception), ``finished``
(always last, after a normal end, an error or an abort) and ``aborted``.

A ``queued`` worker emits no ``yielded``: its items wait in a queue until the consumer collects
them with :meth:`~GeneratorWorker.take` at its own pace. Every signal that crosses to the GUI
thread makes that thread take the GIL from the generator's thread, and each hand-over costs the
generator far more than the slot's own work (thread switches; on a busy two-core machine a bare
wake-up every 5 ms cost a CPU-bound Python thread about 14 % of its speed).
"""

from __future__ import annotations

import threading
import weakref
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

#: threads started by workers and not yet finished; the test suite checks it is empty
LIVE_THREADS: weakref.WeakSet[QThread] = weakref.WeakSet()
#: workers whose thread outlived ``quit_and_wait``: kept until it ends, since Qt aborts the
#: process when a running QThread is destroyed
_STRAGGLERS: set[GeneratorWorker] = set()


class _Runner(QObject):
    started = Signal()
    yielded = Signal(object)
    errored = Signal(object)
    aborted = Signal()
    finished = Signal()

    def __init__(self, make: Callable[[], Iterator[Any]], queue: deque[Any] | None) -> None:
        super().__init__()
        self._make = make
        self._queue = queue  # where items go instead of ``yielded`` (a deque is thread-safe)
        self._abort = threading.Event()
        self._running = threading.Event()
        self._running.set()

    @Slot()
    def run(self) -> None:
        self.started.emit()
        try:
            generator = self._make()
            for item in generator:
                if self._queue is None:
                    self.yielded.emit(item)
                else:
                    self._queue.append(item)
                self._running.wait()  # paused: wait here until resumed or aborted
                if self._abort.is_set():
                    close = getattr(generator, "close", None)  # a generator runs its finally
                    if close is not None:  # blocks; a plain iterator has nothing to close
                        close()
                    self.aborted.emit()
                    break
        except Exception as exc:  # reported to the GUI, which shows a message
            self.errored.emit(exc)
        finally:
            self.finished.emit()


class GeneratorWorker(QObject):
    """Drive ``make()``'s generator in its own QThread.

    Parameters
    ----------
    make : a callable returning the generator; it is called in the worker thread.
    queued : keep the items for :meth:`take` instead of emitting ``yielded``.
    """

    started = Signal()
    yielded = Signal(object)
    errored = Signal(object)
    aborted = Signal()
    finished = Signal()

    def __init__(
        self,
        make: Callable[[], Iterator[Any]],
        parent: QObject | None = None,
        *,
        queued: bool = False,
    ) -> None:
        super().__init__(parent)
        self._thread = QThread()
        self._queue: deque[Any] | None = deque() if queued else None
        self._runner = _Runner(make, self._queue)
        self._runner.moveToThread(self._thread)
        self._thread.started.connect(self._runner.run)
        self._runner.started.connect(self.started)
        self._runner.yielded.connect(self.yielded)
        self._runner.errored.connect(self.errored)
        self._runner.aborted.connect(self.aborted)
        self._runner.finished.connect(self._on_runner_finished)
        self._done = False

    def start(self) -> None:
        LIVE_THREADS.add(self._thread)
        self._thread.start()

    @property
    def is_running(self) -> bool:
        return self._thread.isRunning() and not self._done

    @property
    def is_paused(self) -> bool:
        return not self._runner._running.is_set()

    def take(self) -> list[Any]:
        """The items yielded since the last call, oldest first (a ``queued`` worker; all of them
        once ``finished`` has been emitted)."""
        items = []
        while self._queue:
            items.append(self._queue.popleft())
        return items

    def pause(self) -> None:
        self._runner._running.clear()

    def resume(self) -> None:
        self._runner._running.set()

    def abort(self) -> None:
        """Ask the generator to stop after its current item (returns at once)."""
        self._runner._abort.set()
        self._runner._running.set()

    def quit_and_wait(self, timeout_ms: int = 10_000) -> bool:
        """Abort, stop the thread and wait for it (used when the window closes).

        False when the generator did not reach its next item within ``timeout_ms``; the worker
        then stays alive until its thread ends, whoever held it.
        """
        self.abort()
        self._thread.quit()
        ok = bool(self._thread.wait(timeout_ms))
        if ok:
            LIVE_THREADS.discard(self._thread)
        elif self not in _STRAGGLERS:
            _STRAGGLERS.add(self)
            self._thread.finished.connect(self._on_straggler_finished)  # queued to this thread
        return ok

    def _on_straggler_finished(self) -> None:
        self._thread.wait()
        LIVE_THREADS.discard(self._thread)
        _STRAGGLERS.discard(self)

    def _on_runner_finished(self) -> None:
        self._done = True
        self._thread.quit()
        self._thread.wait()
        LIVE_THREADS.discard(self._thread)
        self.finished.emit()
