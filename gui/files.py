"""The File menu's work: models and sequence files in, models, pictures and CSV out.

Every failure (a bad file, a disk error) shows a dialog with the loader's message - file, line
and problem - and leaves the session's network, data and the files on disk as they were.
Questions and errors go through :meth:`FileActions.ask` and :meth:`FileActions.show_error`, so
tests can answer them; with ``unattended`` set (a :class:`~gui.unattended.Unattended`, for a
non-interactive run) they open no dialog: errors go to standard error, questions are answered No.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from collections.abc import Sequence as Seq
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from core.data import Dataset, DatasetError, Sequence
from core.examples import example_dataset, example_network
from core.model import SRN
from core.modelio import (
    ModelFile,
    ModelFileError,
    export_trace_csv,
    is_model_file,
    load_model,
    model_data,
    save_model,
)
from core.opening import Opened, fits, network_for
from core.tdl import TDL
from core.trace import Trace
from gui.errors import describe
from gui.export_views import save_picture
from gui.file_open import BackgroundOpen
from gui.session import NetworkOrigin, Session
from gui.unattended import Unattended

MAX_RECENT = 8
#: a sequence file larger than this (bytes) is read in the background (``gui/file_open.py``):
#: about 100,000 rows of a few columns, a second or more to read and trace
BACKGROUND_BYTES = 2_000_000
MODEL_FILTER = "Unfold model (*.json)"
SEQUENCE_FILTER = "Sequence files (*.csv *.json *.txt);;CSV (*.csv);;JSON (*.json);;Text (*.txt)"


def random_inputs_dataset(net: SRN | TDL, T: int = 8, seed: int = 0) -> Dataset:
    """A one-hot input sequence for a network opened without its data (targets: zeros)."""
    rng = np.random.default_rng(seed)
    xs = np.eye(net.n_in)[rng.integers(0, net.n_in, T)]
    return Dataset(
        "random inputs (no data saved with the model)",
        (Sequence(xs, np.zeros((T, net.n_out))),),
        tuple(f"x{i + 1}" for i in range(net.n_in)),
        tuple(f"y{k + 1}" for k in range(net.n_out)),
        output=net.output,
    )


class FileActions(QObject):
    """Open, save and export for a session; the window connects menu actions to these methods.

    Parameters
    ----------
    session : the session whose network and data are read and replaced.
    parent_widget : the window dialogs belong to.
    settings : where recent files are remembered.
    training_settings : a callable giving the training settings to store in a model file.
    """

    recentChanged = Signal()
    pathChanged = Signal(str)

    def __init__(
        self,
        session: Session,
        parent_widget: QWidget,
        settings: QSettings,
        training_settings: Callable[[], dict[str, Any] | None] | None = None,
    ) -> None:
        super().__init__(parent_widget)
        self._session = session
        self._widget = parent_widget
        self._settings = settings
        self._training_settings = training_settings or (lambda: None)
        session.pathChanged.connect(self.pathChanged)
        #: set for a non-interactive run: no dialogs, errors to stderr, questions answered No
        self.unattended: Unattended | None = None
        #: long sequence files are read and traced here, off the GUI thread
        self.background = BackgroundOpen(parent_widget)
        self.background.opened.connect(self._on_background_opened)
        self.background.openFailed.connect(self._on_background_failed)

    @property
    def path(self) -> str | None:
        """The model file of the session's network; None while it is untitled."""
        return self._session.path

    # -- dialogs (patched in tests) ---------------------------------------------------------------
    def show_error(self, title: str, text: str) -> None:
        if self.unattended is not None:
            self.unattended.error(title, text)
            return
        QMessageBox.warning(self._widget, title, text)

    def ask(self, title: str, text: str) -> bool:
        if self.unattended is not None:
            return self.unattended.ask(title, text)
        answer = QMessageBox.question(self._widget, title, text)
        return answer == QMessageBox.StandardButton.Yes

    def confirm_discard(self) -> bool:
        """True when there are no unsaved weights or the user agrees to lose them."""
        if not self._session.modified:
            return True
        return self.ask(
            "Discard trained weights?",
            "The network has changes that are not saved. Discard them?",
        )

    # -- recent files -----------------------------------------------------------------------------
    def recent_files(self) -> list[str]:
        value = self._settings.value("recent/files", [])
        if isinstance(value, str):  # one file: QSettings gives the string, not a list
            files = [value]
        else:
            files = list(value) if isinstance(value, list | tuple) else []
        return [f for f in files if isinstance(f, str)]

    def _remember(self, path: str) -> None:
        path = os.path.abspath(path)
        files = [path] + [f for f in self.recent_files() if f != path]
        self._settings.setValue("recent/files", files[:MAX_RECENT])
        self.recentChanged.emit()

    # -- opening ----------------------------------------------------------------------------------
    def new(self) -> bool:
        """Back to the built-in example (asks before discarding trained weights)."""
        if not self.confirm_discard():
            return False
        self._session.set_dataset(
            example_dataset(), net=example_network(), modified=False, origin=NetworkOrigin.USER
        )
        return True

    def open_path(self, path: str, *, background: bool | None = None) -> bool:
        """Open a model (.json with format unfold-model) or a sequence file, by its content
        (``background``: see :meth:`open_sequences`)."""
        if is_model_file(path):
            return self.open_model(path)
        return self.open_sequences(path, background=background)

    def open_model(self, path: str | None = None) -> bool:
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self._widget, "Open model", "", MODEL_FILTER)
            if not path:
                return False
        if not self.confirm_discard():
            return False
        try:
            model = load_model(path)
            dataset, source = self._data_for_model(model, path)
            self._session.set_dataset(
                dataset,
                net=model.net,
                source=source,
                modified=False,
                origin=NetworkOrigin.FILE,
                path=path,
            )
        except (ModelFileError, DatasetError, OSError, ValueError) as exc:
            self.show_error("Cannot open the model", str(exc))
            return False
        self._remember(path)
        return True

    def _data_for_model(self, model: ModelFile, path: str) -> tuple[Dataset, dict[str, Any]]:
        """The data a model was saved with, else the current data when it fits, else a filler."""
        found = model_data(model, path)  # ModelFileError when the named data does not fit
        if found is not None:
            return found
        net, current = model.net, self._session.dataset
        if (current.n_in, current.n_out) == (net.n_in, net.n_out):
            return current, self._session.source
        return random_inputs_dataset(net), {"random": True}

    def open_sequences(self, path: str | None = None, *, background: bool | None = None) -> bool:
        """Load a sequence file; build a matching network when the current one does not fit.

        A file larger than ``BACKGROUND_BYTES`` (or any, with ``background``) is read and
        traced in a child process with a progress dialog and Cancel (``gui/file_open.py``); the
        call then returns True at once, and the result is applied when it arrives (the question
        about a new network is asked then). A run with nobody at the screen reads in place.
        """
        if path is None:
            path, _ = QFileDialog.getOpenFileName(
                self._widget, "Open sequence file", "", SEQUENCE_FILTER
            )
            if not path:
                return False
        if background is None:
            background = self.unattended is None and _size(path) > BACKGROUND_BYTES
        if background and self.unattended is None:
            session = self._session
            self.background.start_open(path, session.net, session.truncation, session.mode)
            return True
        from core.loaders import load_dataset

        try:
            dataset = load_dataset(path)
        except DatasetError as exc:
            self.show_error("Cannot open the sequence file", str(exc))
            return False
        return self._apply_sequences(path, dataset)

    def _on_background_opened(self, path: str, opened: Opened) -> None:
        self._apply_sequences(
            path, opened.dataset, candidate=opened.net, trace=opened.trace, seconds=opened.seconds
        )

    def _on_background_failed(self, path: str, exc: BaseException) -> None:
        self.show_error("Cannot open the sequence file", describe(exc))

    def _apply_sequences(
        self,
        path: str,
        dataset: Dataset,
        *,
        candidate: SRN | TDL | None = None,
        trace: Trace | None = None,
        seconds: float | None = None,
    ) -> bool:
        """Show ``dataset`` read from ``path``: with the current network when it fits, else
        (asking first) with ``candidate`` or a new network built for it; ``trace`` is its first
        sequence's trace when computed already (``core.opening``)."""
        net = self._session.net
        source = {"file": os.path.abspath(path)}
        if not fits(net, dataset):
            question = (
                f"{Path(path).name} has {dataset.n_in} inputs and {dataset.n_out} outputs; the "
                f"network has {net.n_in} and {net.n_out}. Build a new network for this data"
                + (", discarding the trained weights?" if self._session.modified else "?")
            )
            if not self.ask("Build a new network?", question):
                return False
            net = candidate if candidate is not None else network_for(net, dataset)
        elif trace is not None and _same_network(trace.net, net):
            # read in a child process: its copy of the current network has the same weights
            trace = trace.with_net(net)
        try:
            if net is not self._session.net:
                # a new network: untitled and unsaved, so Save cannot overwrite the old one's file
                self._session.set_dataset(
                    dataset,
                    net=net,
                    source=source,
                    modified=True,
                    origin=NetworkOrigin.FILE,
                    trace=trace,
                    trace_seconds=seconds,
                )
            else:
                self._session.set_dataset(
                    dataset, source=source, trace=trace, trace_seconds=seconds
                )
        except ValueError as exc:  # e.g. its trace would be too large (core.limits)
            self.show_error("Cannot open the sequence file", f"{path}: {exc}")
            return False
        self._remember(path)
        return True

    # -- saving -----------------------------------------------------------------------------------
    def save(self) -> bool:
        """Save to the network's file; an untitled network asks for a name (Save As)."""
        return self.save_as(self.path) if self.path else self.save_as()

    def save_as(self, path: str | None = None) -> bool:
        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                self._widget, "Save model", self.path or "model.json", MODEL_FILTER
            )
            if not path:
                return False
        try:
            save_model(
                path,
                self._session.net,
                task=_plain(self._session.source),
                training=_plain(self._training_settings()),
            )
        except (OSError, TypeError, ValueError) as exc:
            self.show_error("Cannot save the model", f"{path}: {exc}")
            return False
        self._session.set_path(path)
        self._session.set_modified(False)
        self._remember(path)
        return True

    # -- exporting --------------------------------------------------------------------------------
    def export_trace_csv(self, path: str | None = None) -> bool:
        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                self._widget, "Export trace as CSV", "trace.csv", "CSV (*.csv)"
            )
            if not path:
                return False
        dataset = self._session.dataset
        try:
            export_trace_csv(path, self._session.trace, dataset.input_names, dataset.output_names)
        except (OSError, ValueError) as exc:
            self.show_error("Cannot export the trace", f"{path}: {exc}")
            return False
        return True

    def export_widget(self, widget: QWidget | Seq[QWidget], path: str | None = None) -> bool:
        """Save the picture of ``widget`` (or of widgets stacked top to bottom) as PNG or SVG,
        by the file's extension."""
        parts = [widget] if isinstance(widget, QWidget) else list(widget)
        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                self._widget, "Export view", "unfold.png", "PNG image (*.png);;SVG drawing (*.svg)"
            )
            if not path:
                return False
        try:
            ok = save_picture(parts, path)
        except ValueError as exc:
            self.show_error("Cannot export the view", f"{path}: {exc}")
            return False
        if not ok:
            self.show_error("Cannot export the view", f"{path}: the file could not be written")
        return ok


def _size(path: str) -> int:
    """The file's size in bytes (0 when it cannot be read: the loader says why)."""
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def _same_network(a: SRN | TDL, b: SRN | TDL) -> bool:
    return type(a) is type(b) and a.same_weights(b)  # type: ignore[arg-type]


def _plain(value: dict[str, Any] | None) -> dict[str, Any] | None:
    """A JSON-safe copy of a settings dict (numpy scalars become Python numbers)."""
    if value is None:
        return None
    return json.loads(
        json.dumps(value, default=lambda v: v.item() if hasattr(v, "item") else str(v))
    )
