"""File > Save session and Open session: the exact screen in one file (``core.sessionfile``).

A session file holds the network, the data, the sequence shown, the notation, the truncation, the
cursor, the selection and the window's dock layout. Opening one checks the whole file first
(core), then asks before discarding unsaved weights, then applies it; a bad file changes
nothing and the error names the file, the line and the field.
"""

from __future__ import annotations

import json

from PySide6.QtCore import QByteArray, QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMainWindow

from core.modelio import FileWriteError
from core.sessionfile import SessionFile, SessionFileError, load_session, save_session
from gui.files import FileActions
from gui.session import NetworkOrigin, Session

SESSION_FILTER = "Unfold session (*.json)"


class SessionFiles(QObject):
    """Save and open session files for ``window``, whose layout is saved with ``layout_version``
    (the version the window gives ``saveState``: a layout of other docks is not applied)."""

    def __init__(
        self, session: Session, files: FileActions, window: QMainWindow, layout_version: int
    ) -> None:
        super().__init__(window)
        self._session, self._files, self._window = session, files, window
        self._version = layout_version
        self.save_action = self._action(
            "Sav&e session...",
            self.save_session,
            "Ctrl+Alt+S",
            "Save the network, data, notation, truncation, cursor, selection and layout in one "
            "file, to hand out the exact screen",
        )
        self.open_action = self._action(
            "Open sess&ion...",
            self.open_session,
            "Ctrl+Alt+O",
            "Open a session file: the network, data, cursor, selection and layout saved in it",
        )

    def _action(self, text: str, slot: object, keys: str, tip: str) -> QAction:
        action = QAction(text, self._window)
        action.setShortcut(QKeySequence(keys))
        action.setToolTip(tip)
        action.setStatusTip(tip)
        action.triggered.connect(lambda _checked=False: slot())  # type: ignore[operator]
        return action

    def current(self) -> SessionFile:
        """What the window shows, as a session file's contents."""
        s = self._session
        return SessionFile(
            net=s.net,
            dataset=s.dataset,
            source=_plain(s.source),
            sequence=s.sequence_index,
            notation=s.notation.key,
            truncation=s.truncation,
            mode=s.mode,
            position=s.position,
            selection=s.selection,
            layout_state=bytes(self._window.saveState(self._version).data()),
            layout_geometry=bytes(self._window.saveGeometry().data()),
        )

    def save_session(self, path: str | None = None) -> bool:
        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                self._window, "Save session", "session.json", SESSION_FILTER
            )
            if not path:
                return False
        try:
            save_session(path, self.current())
        except (FileWriteError, TypeError, ValueError) as exc:
            where = exc.path if isinstance(exc, FileWriteError) else path
            self._files.show_error("Cannot save the session", f"{where}: {exc}")
            return False
        return True

    def open_session(self, path: str | None = None) -> bool:
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self._window, "Open session", "", SESSION_FILTER)
            if not path:
                return False
        try:
            found = load_session(path)
        except SessionFileError as exc:
            self._files.show_error("Cannot open the session", str(exc))
            return False
        if not self._files.confirm_discard():
            return False
        self.apply(found)
        return True

    def apply(self, found: SessionFile) -> None:
        """Show a checked session file: data and network, then sequence, truncation, notation,
        cursor, selection and layout."""
        s = self._session
        s.set_dataset(
            found.dataset,
            net=found.net,
            source=found.source,
            modified=False,
            origin=NetworkOrigin.FILE,
        )
        s.set_sequence(found.sequence)
        s.set_truncation(found.truncation, found.mode)
        s.set_notation(found.notation)
        s.seek(found.position)
        s.select(found.selection)
        if found.layout_state is not None:
            if found.layout_geometry:
                self._window.restoreGeometry(QByteArray(found.layout_geometry))
            self._window.restoreState(QByteArray(found.layout_state), self._version)


def _plain(source: dict[str, object]) -> dict[str, object] | None:
    """The session's data source as plain JSON data (anything else as its text)."""
    return json.loads(json.dumps(source, default=str)) if source else None
