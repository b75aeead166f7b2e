"""One piece of long work in a child process, with a progress dialog and Cancel.

Reading a long file or tracing a long sequence is one long call: on the GUI thread the window
would freeze for all of it, and a thread cannot be stopped in the middle of it. A
:class:`ChildJob` runs a core generator function in a child process (``core/child.py``) read by
a :class:`~gui.training.worker.GeneratorWorker`, shows what it is doing in a window-modal
progress dialog (after ``SHOW_AFTER_MS``) whose Cancel (or Esc) kills the child at once, and
hands over the result. The generator yields stage names (str), shown with ``stages``, and one
result, the last item that is not a str.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from core.child import ChildRun
from gui.training.worker import GeneratorWorker

#: the progress dialog appears when the work has lasted this long (ms)
SHOW_AFTER_MS = 300


class ChildJob(QObject):
    """One job at a time; a new :meth:`start` cancels the one going.

    Signals
    -------
    done(object) : the result.
    failed(object) : the exception the work raised (or why the child ended without a result).
    cancelled() : :meth:`cancel` ended the work; nothing was handed over.
    """

    done = Signal(object)
    failed = Signal(object)
    cancelled = Signal()

    def __init__(self, parent_widget: QWidget, title: str, tip: str) -> None:
        super().__init__(parent_widget)
        self._widget, self._title, self._tip = parent_widget, title, tip
        self._run: ChildRun | None = None
        self._worker: GeneratorWorker | None = None
        self._token = 0  # drops the late signals of a job cancelled and replaced
        self._result: Any = None
        self._error: BaseException | None = None
        self._cancelled = False
        self._stages: Mapping[str, str] = {}
        self.dialog: QProgressDialog | None = None

    @property
    def running(self) -> bool:
        return self._worker is not None

    @property
    def pid(self) -> int | None:
        """The child's process id once it has started."""
        return None if self._run is None else self._run.pid

    def start(
        self,
        label: str,
        stages: Mapping[str, str],
        function: Callable[..., Iterator[Any]],
        *args: Any,
    ) -> None:
        """Run ``function(*args)`` (a generator function of a module) in a child process;
        ``label`` is the dialog's first text, ``stages`` the text for each stage it yields."""
        self.shutdown()
        self._token += 1
        token = self._token
        self._result, self._error, self._cancelled, self._stages = None, None, False, stages
        self._run = ChildRun(function, *args, what="background")
        worker = GeneratorWorker(self._run.items)
        worker.yielded.connect(lambda item: self._on_worker_yielded(token, item))
        worker.errored.connect(lambda exc: self._on_worker_errored(token, exc))
        worker.finished.connect(lambda: self._on_worker_finished(token))
        self._worker = worker
        dialog = QProgressDialog(label, "Cancel", 0, 0, self._widget)
        dialog.setWindowTitle(self._title)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setValue(0)  # started: the dialog shows after the minimum duration (else 4 s)
        dialog.setMinimumDuration(SHOW_AFTER_MS)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.setToolTip(self._tip)
        dialog.canceled.connect(self.cancel)
        self.dialog = dialog
        worker.start()

    def cancel(self) -> None:
        """Stop the work now: the child is killed, ``cancelled`` follows."""
        if self._run is not None and self._worker is not None:
            self._cancelled = True
            self._run.kill()

    def shutdown(self) -> None:
        """Cancel the work going and wait for its reader thread (for closing the window); no
        signal follows."""
        if self._worker is None:
            return
        self.cancel()
        self._token += 1  # its last signals are not wanted
        worker, self._worker, self._run = self._worker, None, None
        worker.quit_and_wait()
        self._close_dialog()

    # -- worker slots (GUI thread) ----------------------------------------------------------------
    def _on_worker_yielded(self, token: int, item: object) -> None:
        if token != self._token:
            return
        if not isinstance(item, str):
            self._result = item
        elif item in self._stages and self.dialog is not None:
            self.dialog.setLabelText(self._stages[item])

    def _on_worker_errored(self, token: int, exc: BaseException) -> None:
        if token == self._token:
            self._error = exc

    def _on_worker_finished(self, token: int) -> None:
        if token != self._token:
            return
        self._worker, self._run = None, None
        self._close_dialog()
        result, error = self._result, self._error
        self._result, self._error = None, None
        if self._cancelled:
            self.cancelled.emit()
        elif error is not None:
            self.failed.emit(error)
        elif result is not None:
            self.done.emit(result)
        else:  # the child ended without a result and without an error: say so
            self.failed.emit(RuntimeError("the background process ended without a result"))

    def _close_dialog(self) -> None:
        if self.dialog is not None:
            dialog, self.dialog = self.dialog, None
            dialog.canceled.disconnect(self.cancel)
            dialog.close()
            dialog.deleteLater()
