"""Opening a long sequence file in the background, with progress and Cancel.

A file of a million rows takes seconds to read and its first sequence's trace seconds more. On
the GUI thread the window would freeze for all of it; in a thread it could not be stopped in
the middle of reading. :class:`BackgroundOpen` runs ``core.opening.open_sequence_file`` in a
child process (``core/child.py``) read by a :class:`~gui.training.worker.GeneratorWorker`,
shows what it is doing in a progress dialog whose Cancel (or Esc) kills the child at once, and
hands the result to :class:`~gui.files.FileActions`, which asks its questions and applies it in
one go. Until then nothing in the session changes: a cancelled or failed open leaves the
network, the data and the cursor as they were.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from core.child import ChildRun
from core.model import SRN
from core.opening import Opened, open_sequence_file
from core.tdl import TDL
from gui.training.worker import GeneratorWorker

#: the progress dialog appears when the work has lasted this long (ms)
SHOW_AFTER_MS = 300


class BackgroundOpen(QObject):
    """One background open at a time.

    Signals
    -------
    opened(str, object) : the path and its :class:`~core.opening.Opened` result.
    failed(str, object) : the path and the exception (a ``DatasetError`` names file, line and
        problem).
    cancelled(str) : the path whose open was cancelled (nothing changed).
    """

    opened = Signal(str, object)
    failed = Signal(str, object)
    cancelled = Signal(str)

    def __init__(self, parent_widget: QWidget) -> None:
        super().__init__(parent_widget)
        self._widget = parent_widget
        self._run: ChildRun | None = None
        self._worker: GeneratorWorker | None = None
        self._token = 0  # drops the late signals of an open cancelled and replaced
        self._result: Opened | None = None
        self._error: BaseException | None = None
        self._cancelled = False
        self._path = ""
        self.dialog: QProgressDialog | None = None

    @property
    def running(self) -> bool:
        return self._worker is not None

    def start(self, path: str, net: SRN | TDL, truncation: int | None, mode: str) -> None:
        """Read ``path`` and trace its first sequence with ``net`` (or the network built for
        the data when ``net`` does not fit) in a child process. An open still going is
        cancelled first."""
        self.shutdown()
        self._token += 1
        token = self._token
        self._path, self._result, self._error, self._cancelled = path, None, None, False
        self._run = ChildRun(open_sequence_file, path, net, truncation, mode, what="file-reading")
        worker = GeneratorWorker(self._run.items)
        worker.yielded.connect(lambda item: self._on_worker_yielded(token, item))
        worker.errored.connect(lambda exc: self._on_worker_errored(token, exc))
        worker.finished.connect(lambda: self._on_worker_finished(token))
        self._worker = worker
        name = Path(path).name
        dialog = QProgressDialog(
            f"Opening {name}: reading the file...", "Cancel", 0, 0, self._widget
        )
        dialog.setWindowTitle("Opening a sequence file")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setValue(0)  # started: the dialog shows after the minimum duration (else 4 s)
        dialog.setMinimumDuration(SHOW_AFTER_MS)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.setToolTip("Cancel (Esc) stops at once; the open network and data stay as they are")
        dialog.canceled.connect(self.cancel)
        self.dialog = dialog
        worker.start()

    def cancel(self) -> None:
        """Stop the open now: the child is killed, ``cancelled`` follows, nothing changes."""
        if self._run is not None and self._worker is not None:
            self._cancelled = True
            self._run.kill()

    def shutdown(self) -> None:
        """Cancel an open still going and wait for its reader thread (for closing the window)."""
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
        if isinstance(item, Opened):
            self._result = item
        elif item == "tracing" and self.dialog is not None:
            self.dialog.setLabelText(
                f"Opening {Path(self._path).name}: computing the trace of its first sequence..."
            )

    def _on_worker_errored(self, token: int, exc: BaseException) -> None:
        if token == self._token:
            self._error = exc

    def _on_worker_finished(self, token: int) -> None:
        if token != self._token:
            return
        self._worker, self._run = None, None
        self._close_dialog()
        path, result, error = self._path, self._result, self._error
        self._result, self._error = None, None
        if self._cancelled:
            self.cancelled.emit(path)
        elif error is not None:
            self.failed.emit(path, error)
        elif result is not None:
            self.opened.emit(path, result)
        else:  # the child ended without a result and without an error: say so
            self.failed.emit(path, RuntimeError("the file-reading process gave no result"))

    def _close_dialog(self) -> None:
        if self.dialog is not None:
            dialog, self.dialog = self.dialog, None
            dialog.canceled.disconnect(self.cancel)
            dialog.close()
            dialog.deleteLater()
