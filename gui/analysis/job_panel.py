"""Panels whose per-trace work runs in a worker, and the bar that shows its progress.

:class:`JobPanel` is a :class:`~gui.panels.base.Panel` whose rebuild starts an
:class:`~gui.analysis.jobs.AnalysisJob` instead of computing on the GUI thread, and only while
the panel can be seen: shown (so not before the window is) and not behind another dock's tab
(its dock's ``visibilityChanged``). Unseen, a new trace waits, and a running job pauses; seen
again, the job resumes or the waiting rebuild starts one. :class:`JobBar` counts the work done
and offers Cancel while a job runs.
"""

from __future__ import annotations

from typing import Any, TypeVar

from PySide6.QtGui import QCloseEvent, QHideEvent, QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QPushButton, QWidget

from gui.analysis.jobs import AnalysisJob
from gui.panels.base import Panel
from gui.session import Session

ViewT = TypeVar("ViewT")


class JobBar(QWidget):
    """A progress bar and a Cancel button, shown while ``job`` runs and has reported.

    A job that ends before its first report (a small analysis) never shows the bar.
    """

    def __init__(self, job: AnalysisJob, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.job = job
        self.bar = QProgressBar()
        self.bar.setTextVisible(True)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("stop computing; what is drawn stays")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.addWidget(self.bar, 1)
        layout.addWidget(self.cancel_button)
        self.cancel_button.clicked.connect(job.cancel)
        job.runningChanged.connect(self._on_job_running_changed)
        self.setVisible(False)

    def report(self, done: int, total: int, text: str) -> None:
        """``done`` of ``total`` units; ``text`` is the bar's label."""
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(done)
        self.bar.setFormat(text)
        self.setVisible(self.job.running and done < total)

    def _on_job_running_changed(self, running: bool) -> None:
        if not running:
            self.setVisible(False)


class JobPanel(Panel[ViewT]):
    """Base class of the analysis panels that compute in an :class:`AnalysisJob`.

    Subclasses build their widgets (placing ``self.job_bar``), call ``_start()`` and implement
    ``_start_job()`` (start ``self.job`` for the session as it is now) and
    ``_on_job_progressed(items)``; ``_rebuild`` runs ``_start_job`` once the panel can be seen.
    """

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.job = AnalysisJob(self)
        self.job_bar = JobBar(self.job)
        self.job.progressed.connect(self._on_job_progressed)

    # -- what can be seen -------------------------------------------------------------------------
    def can_be_seen(self) -> bool:
        """Shown (the window is, and so is the panel) and not behind another dock's tab."""
        return self._on_screen and self.isVisible()

    def set_on_screen(self, on: bool) -> None:
        """Whether the dock is raised and open (its ``visibilityChanged``)."""
        self._on_screen = on
        self._follow_visibility()

    def showEvent(self, event: QShowEvent) -> None:  # Qt override
        super().showEvent(event)
        self._follow_visibility()

    def hideEvent(self, event: QHideEvent) -> None:  # Qt override
        super().hideEvent(event)
        self._follow_visibility()

    def closeEvent(self, event: QCloseEvent) -> None:  # Qt override
        self.job.shutdown()  # a panel shown as a window of its own: no thread outlives it
        super().closeEvent(event)

    def _follow_visibility(self) -> None:
        if self.can_be_seen():
            self.job.resume()
            self._catch_up()
        else:
            self.job.pause()

    # -- the job ----------------------------------------------------------------------------------
    def _rebuild(self) -> None:
        if not self.can_be_seen():
            self._needs_rebuild = True  # started by _catch_up once the panel is seen
            return
        self._start_job()

    def _start_job(self) -> None:
        raise NotImplementedError

    def _on_job_progressed(self, items: list[Any]) -> None:
        raise NotImplementedError
