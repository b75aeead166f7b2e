"""Opening a long sequence file in the background, with progress and Cancel.

A file of a million rows takes seconds to read and its first sequence's trace seconds more.
:class:`BackgroundOpen` runs ``core.opening.open_sequence_file`` as a
:class:`~gui.child_job.ChildJob` (a child process, a progress dialog whose Cancel kills it at
once) and hands the result to :class:`~gui.files.FileActions`, which asks its questions and
applies it in one go. Until then nothing in the session changes: a cancelled or failed open
leaves the network, the data and the cursor as they were.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from core.model import SRN
from core.opening import Opened, open_sequence_file
from core.tdl import TDL
from gui.child_job import ChildJob


class BackgroundOpen(ChildJob):
    """One background open at a time.

    Signals
    -------
    opened(str, object) : the path and its :class:`~core.opening.Opened` result.
    openFailed(str, object) : the path and the exception (a ``DatasetError`` names file, line
        and problem).
    openCancelled(str) : the path whose open was cancelled (nothing changed).
    """

    opened = Signal(str, object)
    openFailed = Signal(str, object)
    openCancelled = Signal(str)

    def __init__(self, parent_widget: QWidget) -> None:
        super().__init__(
            parent_widget,
            "Opening a sequence file",
            "Cancel (Esc) stops at once; the open network and data stay as they are",
        )
        self._path = ""
        self.done.connect(self._on_done)
        self.failed.connect(lambda exc: self.openFailed.emit(self._path, exc))
        self.cancelled.connect(lambda: self.openCancelled.emit(self._path))

    def start_open(self, path: str, net: SRN | TDL, truncation: int | None, mode: str) -> None:
        """Read ``path`` and trace its first sequence with ``net`` (or the network built for
        the data when ``net`` does not fit) in a child process. An open still going is
        cancelled first."""
        name = Path(path).name
        self._path = path
        self.start(
            f"Opening {name}: reading the file...",
            {"tracing": f"Opening {name}: computing the trace of its first sequence..."},
            open_sequence_file,
            path,
            net,
            truncation,
            mode,
        )

    def _on_done(self, result: object) -> None:
        if isinstance(result, Opened):
            self.opened.emit(self._path, result)
