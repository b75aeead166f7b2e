"""Unexpected errors become a short message box, never a traceback dialog or a dead window.

The traceback still goes to standard error for bug reports; the user sees what failed and that
their network and data are as they were.
"""

from __future__ import annotations

import sys
import traceback
from types import TracebackType

from PySide6.QtWidgets import QApplication, QMessageBox

from gui.unattended import Unattended


def describe(exc: BaseException) -> str:
    """A one-paragraph description of an error for a dialog."""
    text = str(exc).strip() or type(exc).__name__
    return text if isinstance(exc, ValueError | OSError) else f"{type(exc).__name__}: {text}"


def install_excepthook(unattended: Unattended | None = None) -> None:
    """Route uncaught exceptions in Qt slots to a message box instead of aborting; with
    ``unattended`` (a non-interactive run) to its report on standard error, never a dialog."""

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        traceback.print_exception(kind, exc, tb, file=sys.stderr)
        if isinstance(exc, KeyboardInterrupt):
            QApplication.quit()
            return
        if unattended is not None:
            unattended.error("unexpected problem", describe(exc))
            return
        parent = QApplication.activeWindow()
        QMessageBox.critical(
            parent,
            "Unfold: unexpected problem",
            f"{describe(exc)}\n\nThe operation was abandoned; your network and data are unchanged.",
        )

    sys.excepthook = hook
