"""File > Export: the lecture exports and the PyTorch checkpoint, as menu actions.

Each action asks for a file name (unless given one), has core write the file atomically and
reports a failure through :class:`~gui.files.FileActions` (a dialog, or standard error in a
non-interactive run), naming the file the user chose. The files are made by core:
``core.torch_export`` (checkpoint and script), ``core.drawing`` (SVG and TikZ of the graphs),
``core.explain.latex`` (the worked example as a LaTeX align block). The animation is made by
:class:`gui.animation.AnimationExport`, which draws frames on the GUI thread in short slices.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu, QWidget

from core.modelio import FileWriteError
from core.torch_export import TorchExportError, export_torch
from gui.files import FileActions
from gui.session import Session


class ExportActions(QObject):
    """The File > Export submenu.

    Parameters
    ----------
    session : what is exported (network, trace, cursor, notation, selection).
    files : reports errors (dialogs or, unattended, standard error).
    parent_widget : the window that owns the dialogs and the actions.
    """

    def __init__(self, session: Session, files: FileActions, parent_widget: QWidget) -> None:
        super().__init__(parent_widget)
        self._session, self._files, self._widget = session, files, parent_widget
        self.menu = QMenu("E&xport for lectures and PyTorch", parent_widget)
        self.menu.setToolTipsVisible(True)
        self.actions: dict[str, QAction] = {}
        self._add(
            "torch",
            "&PyTorch checkpoint and script...",
            self.export_torch,
            "Ctrl+Alt+P",
            "Save the network as the tensors of torch.nn.RNN + torch.nn.Linear (.npz) with a "
            "script that rebuilds it in PyTorch and checks its outputs and gradients",
        )

    def _add(self, key: str, text: str, slot: Callable[[], object], keys: str, tip: str) -> None:
        action = QAction(text, self._widget)
        action.setShortcut(QKeySequence(keys))
        action.setToolTip(tip)
        action.setStatusTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        self.menu.addAction(action)
        self.actions[key] = action

    def _ask_path(self, title: str, name: str, filters: str) -> str | None:
        path, _ = QFileDialog.getSaveFileName(self._widget, title, name, filters)
        return path or None

    # -- PyTorch ----------------------------------------------------------------------------------
    def export_torch(self, path: str | None = None) -> bool:
        """Write the network and the current sequence as a PyTorch checkpoint and its script."""
        if path is None:
            path = self._ask_path("Export for PyTorch", "unfold_rnn.npz", "NumPy archive (*.npz)")
            if path is None:
                return False
        trace = self._session.trace
        try:
            export_torch(path, self._session.net, trace.x, trace.d)
        except TorchExportError as exc:
            self._files.show_error("Cannot export for PyTorch", f"{path}: {exc}")
            return False
        except FileWriteError as exc:
            self._files.show_error("Cannot export for PyTorch", f"{exc.path}: {exc}")
            return False
        return True
