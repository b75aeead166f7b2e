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
from pathlib import Path

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMenu, QProgressDialog, QWidget

from core.drawing import DrawingTooLarge, Palette, folded_drawing, unfolded_drawing
from core.drawing_formats import svg_text, tikz_text
from core.explain import explain
from core.explain.latex import align_block
from core.modelio import FileWriteError, atomic_write_text, check_writable
from core.torch_export import TorchExportError, export_torch
from core.trace import Trace
from gui import encoding
from gui.animation import AnimationExport
from gui.export_views import ExportView
from gui.files import FileActions
from gui.session import Session

GRAPH_FILTER = "SVG drawing (*.svg);;TikZ for LaTeX (*.tex)"


def palette_for(trace: Trace) -> Palette:
    """The colours of the window's visual language (``gui.encoding``) for an exported drawing."""
    encodings = encoding.for_trace(trace)
    by_quantity = {
        "input": encodings.inputs,
        "hidden": encodings.hidden,
        "output": encodings.output,
        "loss": encodings.loss,
        "weight": encodings.weight,
    }

    def palette(quantity: str, value: float | None) -> str:
        if value is None:
            return encoding.UNKNOWN_HEX
        r, g, b, _a = by_quantity.get(quantity, encodings.weight).colour(value)
        return f"#{r:02x}{g:02x}{b:02x}"

    return palette


class ExportActions(QObject):
    """The File > Export submenu.

    Parameters
    ----------
    session : what is exported (network, trace, cursor, notation, selection).
    files : reports errors (dialogs or, unattended, standard error).
    parent_widget : the window that owns the dialogs and the actions.
    views : the views on screen that an animation can show (``gui.export_views``).
    """

    def __init__(
        self,
        session: Session,
        files: FileActions,
        parent_widget: QWidget,
        views: Callable[[], list[ExportView]] = list,
    ) -> None:
        super().__init__(parent_widget)
        self._session, self._files, self._widget = session, files, parent_widget
        self._views = views
        self.animation = AnimationExport(session, self)
        self.animation.progressed.connect(self._on_animation_progressed)
        self.animation.finished.connect(self._on_animation_over)
        self.animation.cancelled.connect(self._on_animation_over)
        self.animation.failed.connect(self._on_animation_failed)
        self.progress: QProgressDialog | None = None
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
        self._add(
            "unfolded",
            "&Unfolded graph as SVG or TikZ...",
            lambda: self.export_graph("unfolded"),
            "Ctrl+Alt+U",
            "Save the unfolded network at the cursor, with the values known there, as an SVG "
            "drawing or a TikZ picture for LaTeX",
        )
        self._add(
            "folded",
            "&Folded graph as SVG or TikZ...",
            lambda: self.export_graph("folded"),
            "Ctrl+Alt+F",
            "Save the folded network at the cursor's step, with its values, as an SVG drawing or "
            "a TikZ picture for LaTeX",
        )
        self._add(
            "latex",
            "Worked example as &LaTeX...",
            self.export_worked_example,
            "Ctrl+Alt+L",
            "Save the inspector's worked example as a LaTeX align block with the numbers put in, "
            "in the chosen notation",
        )
        self._add(
            "animation",
            "&Animation of the sweep (GIF)...",
            self.export_animation,
            "Ctrl+Alt+A",
            "Save a view stepping through the forward and the backward sweep, one frame per "
            "cursor position, as an animated GIF (with progress and Cancel)",
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

    # -- lecture exports --------------------------------------------------------------------------
    def export_graph(self, which: str, path: str | None = None) -> bool:
        """Write the folded or unfolded graph at the cursor as SVG or TikZ (by the extension)."""
        if path is None:
            path = self._ask_path(f"Export the {which} graph", f"{which}.svg", GRAPH_FILTER)
            if path is None:
                return False
        session = self._session
        make = unfolded_drawing if which == "unfolded" else folded_drawing
        suffix = Path(path).suffix.lower()
        title = f"Cannot export the {which} graph"
        if suffix not in (".svg", ".tex"):
            self._files.show_error(title, f"{path}: use a .svg or a .tex file name")
            return False
        try:
            drawing = make(session.trace, session.state, session.notation)
            palette = palette_for(session.trace)
            text = svg_text(drawing, palette) if suffix == ".svg" else tikz_text(drawing, palette)
            atomic_write_text(path, text)
        except DrawingTooLarge as exc:
            self._files.show_error(title, f"{path}: {exc}")
            return False
        except FileWriteError as exc:
            self._files.show_error(title, f"{exc.path}: {exc}")
            return False
        return True

    def export_worked_example(self, path: str | None = None) -> bool:
        """Write the inspector's worked example (the selection, or hidden unit 1 at the cursor)
        as a LaTeX align block."""
        if path is None:
            path = self._ask_path(
                "Export the worked example", "worked_example.tex", "LaTeX (*.tex)"
            )
            if path is None:
                return False
        session = self._session
        # the inspector's example: the selection, or hidden unit 1 at the cursor step
        example = explain(session.trace, session.state, session.selection, session.notation)
        header = f"Unfold, {session.state.label}; notation: {session.notation.title}"
        try:
            atomic_write_text(path, align_block(example, header=header))
        except FileWriteError as exc:
            self._files.show_error("Cannot export the worked example", f"{exc.path}: {exc}")
            return False
        return True

    # -- animation --------------------------------------------------------------------------------
    def export_animation(self, path: str | None = None, view: str | None = None) -> bool:
        """Start the animation of ``view`` (asked when None; the unfolded graph first) into
        ``path``; progress and Cancel in a dialog. False when nothing was started."""
        views = self._views()
        labels = [v.label for v in views]
        if view is None:
            view, ok = QInputDialog.getItem(
                self._widget, "Export animation", "View to animate:", labels, 0, False
            )
            if not ok:
                return False
        if view not in labels:
            self._files.show_error("Cannot export the animation", f"no view {view!r} on screen")
            return False
        if path is None:
            path = self._ask_path("Export animation", "sweep.gif", "GIF animation (*.gif)")
            if path is None:
                return False
        title = "Cannot export the animation"
        if Path(path).suffix.lower() != ".gif":
            self._files.show_error(title, f"{path}: use a .gif file name")
            return False
        try:
            check_writable(path)
            self.animation.start(views[labels.index(view)].parts, path)
        except FileWriteError as exc:
            self._files.show_error(title, f"{exc.path}: {exc}")
            return False
        except ValueError as exc:
            self._files.show_error(title, f"{path}: {exc}")
            return False
        self._show_progress(view)
        return True

    def _show_progress(self, view: str) -> None:
        dialog = QProgressDialog(
            f"Animating {view}: taking the frames...", "Cancel", 0, self.animation.total,
            self._widget,
        )  # fmt: skip
        dialog.setWindowTitle("Export animation")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)  # the cursor is in use
        dialog.setMinimumDuration(0)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.canceled.connect(self.animation.cancel)
        dialog.show()
        self.progress = dialog

    def _on_animation_progressed(self, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress.setValue(done)
            if done > (total - 1) // 2:
                self.progress.setLabelText("Encoding the GIF...")

    def _on_animation_over(self, *_args: object) -> None:
        if self.progress is not None:
            dialog, self.progress = self.progress, None
            dialog.canceled.disconnect(self.animation.cancel)
            dialog.close()
            dialog.deleteLater()

    def _on_animation_failed(self, message: str) -> None:
        self._on_animation_over()
        self._files.show_error("Cannot export the animation", message)
