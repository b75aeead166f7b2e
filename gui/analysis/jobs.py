"""Analyses that run off the GUI thread: one job per panel, and the latest request wins.

A gradient check, a state-space fit or a gradient-flow matrix can take seconds to minutes on a
large network or a long trace. ``core`` offers each as a plain generator that yields partial
results between blocks of work; an :class:`AnalysisJob` drives one in a
:class:`~gui.training.worker.GeneratorWorker` (its own QThread, abort checked between items) and
hands the items to its panel on the GUI thread, a batch at most every ``interval_ms``, so that
a generator yielding hundreds of small chunks a second costs the event loop a few slots, not one
redraw per chunk.

Run ids drop late signals: :meth:`AnalysisJob.start` while a run is going aborts that run (its
items still in flight are ignored) and starts the new one once the old thread has ended, so at
most one thread per job computes and a burst of requests runs only the last.
:meth:`AnalysisJob.shutdown` aborts and waits, for closing the window; every job also shuts down
when the application is about to quit, so no QThread outlives the window.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal

from gui.training.worker import GeneratorWorker

#: how often a running job reports its items (ms): ten redraws a second at most
REPORT_INTERVAL_MS = 100


class AnalysisJob(QObject):
    """Run a core generator off the GUI thread on behalf of one panel.

    Signals
    -------
    progressed(list) : the items yielded since the last report, in order (at most every
        ``interval_ms``, and once more before ``finished``).
    finished : the run went through to the end of its generator.
    failed(object) : the generator raised this exception (the run is over).
    cancelled : :meth:`cancel` stopped the run (a new :meth:`start` does not emit it).
    runningChanged(bool) : a run began or is over (finished, failed or cancelled).
    """

    progressed = Signal(list)
    finished = Signal()
    failed = Signal(object)
    cancelled = Signal()
    runningChanged = Signal(bool)

    def __init__(self, parent: QObject | None = None, interval_ms: int = REPORT_INTERVAL_MS):
        super().__init__(parent)
        self._run = 0  # the id of the latest request; signals of other runs are dropped
        self._worker: GeneratorWorker | None = None  # the thread alive now (maybe an old run's)
        self._worker_run = 0  # the run that thread serves
        self._latest: GeneratorWorker | None = None  # the last worker started, for observers
        self._pending: Callable[[], Iterator[Any]] | None = None  # waits for the old thread
        self._paused = False
        self._batch: list[Any] = []
        self._error: BaseException | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._report)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    # -- state ------------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        """Whether the latest request is being computed (or waits for an old thread to end)."""
        return self._pending is not None or (
            self._worker is not None and self._worker_run == self._run
        )

    @property
    def worker(self) -> GeneratorWorker | None:
        """The worker of the latest run started (it may have ended), for tests and benchmarks."""
        return self._latest

    # -- control ----------------------------------------------------------------------------------
    def start(self, make: Callable[[], Iterator[Any]]) -> None:
        """Run ``make()``'s generator (``make`` is called in the worker thread).

        A run still going is aborted first and its remaining items are ignored.
        """
        was_running = self.running
        self._run += 1
        self._batch, self._error = [], None
        self._timer.stop()
        self._pending = make
        if self._worker is None:
            self._launch()
        else:
            self._worker.abort()  # the new run starts when this thread has ended
        if not was_running:
            self.runningChanged.emit(True)

    def cancel(self) -> None:
        """Stop the run after the item in progress; ``cancelled`` follows at once."""
        if not self.running:
            return
        self._run += 1
        self._pending, self._batch = None, []
        self._timer.stop()
        if self._worker is not None:
            self._worker.abort()
        self.cancelled.emit()
        self.runningChanged.emit(False)

    def pause(self) -> None:
        """Hold the run after the item in progress (its panel was tabbed away or closed)."""
        self._paused = True
        if self._worker is not None:
            self._worker.pause()

    def resume(self) -> None:
        self._paused = False
        if self._worker is not None:
            self._worker.resume()

    def shutdown(self) -> None:
        """Abort any run and wait for its thread to end (the window is closing)."""
        self._run += 1
        self._pending, self._batch = None, []
        self._timer.stop()
        if self._worker is not None and self._worker.quit_and_wait():
            self._worker = None

    # -- the worker -------------------------------------------------------------------------------
    def _launch(self) -> None:
        make, self._pending = self._pending, None
        assert make is not None
        run = self._run
        worker = GeneratorWorker(make)
        worker.yielded.connect(lambda item: self._on_worker_yielded(run, item))
        worker.errored.connect(lambda exc: self._on_worker_errored(run, exc))
        worker.finished.connect(lambda: self._on_worker_finished(run))
        self._worker, self._worker_run, self._latest = worker, run, worker
        if self._paused:
            worker.pause()  # it stops after its first item, until resumed
        worker.start()

    def _on_worker_yielded(self, run: int, item: Any) -> None:
        if run != self._run:
            return  # a late item of a run that was cancelled or replaced
        self._batch.append(item)
        if not self._timer.isActive():
            self._timer.start()

    def _on_worker_errored(self, run: int, exc: BaseException) -> None:
        if run == self._run:
            self._error = exc

    def _on_worker_finished(self, run: int) -> None:
        if self._worker is not None and self._worker_run == run:
            self._worker = None  # its thread has ended (GeneratorWorker waited for it)
        if run == self._run:
            self._timer.stop()
            self._report()
            error, self._error = self._error, None
            if error is not None:
                self.failed.emit(error)
            else:
                self.finished.emit()
            if self._run == run:  # a slot of finished or failed may have started another run
                self.runningChanged.emit(False)
        if self._pending is not None and self._worker is None:
            self._launch()

    def _report(self) -> None:
        batch, self._batch = self._batch, []
        if batch:
            self.progressed.emit(batch)
