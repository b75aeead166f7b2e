"""The Lessons menu and its keys: open a shipped lesson or a lesson file, Back and Next.

File > Open lesson file... (Ctrl+L) and the Lessons menu open a lesson; Alt+Right / Page Down
and Alt+Left / Page Up step through it from anywhere in the window (a presenter's remote sends
Page Down and Page Up). A bad lesson file is refused with a message naming the file, the step
and the field, and the window keeps what it showed; a non-interactive run never opens a dialog.
"""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QFileDialog, QMainWindow, QMenu

from core.lessons import LessonError, shipped_lessons
from gui.files import FileActions
from gui.lessons.panel import LessonPanel
from gui.lessons.predict import PredictBox, PredictMode
from gui.session import Session
from gui.shortcuts import keys_text
from gui.timebar import PlaybackActions

#: the share of the window's width the left column gets while a lesson is open
LESSON_COLUMN = 0.27


def lesson_title(path: Path) -> str:
    """The title in a lesson file, or its name when the file cannot be read as a lesson."""
    try:
        title = json.loads(path.read_text(encoding="utf-8")).get("title")
    except (OSError, ValueError, AttributeError):
        title = None
    return title if isinstance(title, str) and title else path.stem


class LessonActions(QObject):
    """The window's lesson actions, menus and the dock they show.

    Attributes
    ----------
    open_action, next_action, back_action : QActions with their shortcuts.
    shipped_actions : one action per lesson in ``resources/lessons``.
    menu : the Lessons menu.
    """

    def __init__(
        self,
        window: QMainWindow,
        session: Session,
        panel: LessonPanel,
        dock: QDockWidget,
        files: FileActions,
        playback: PlaybackActions,
    ) -> None:
        super().__init__(window)
        self._window, self.panel, self.dock, self._files = window, panel, dock, files
        self.player = panel.player
        box = PredictBox()
        panel.extra.addWidget(box)
        self.predict = PredictMode(
            window, session, self.player, playback, box, files, self.show_dock
        )
        self.open_action = self._action(
            "Open &lesson file...", ["Ctrl+L"], "Open a lesson file: a network, its data and steps"
        )
        self.open_action.triggered.connect(lambda _checked=False: self.open_file())
        self.next_action = self._action(
            "Ne&xt lesson step", ["Alt+Right", "PgDown"], "The lesson's next step"
        )
        self.next_action.triggered.connect(self.predict.next_lesson_step)
        panel.next_button.clicked.connect(self.predict.next_lesson_step)
        self.back_action = self._action(
            "&Back one lesson step", ["Alt+Left", "PgUp"], "The lesson's previous step"
        )
        self.back_action.triggered.connect(self.player.back)
        panel.back_button.clicked.connect(self.player.back)
        self.shipped_actions: list[QAction] = []
        for path in shipped_lessons():
            title = lesson_title(path)
            action = QAction(title, self)
            action.setToolTip(f"Open the lesson “{title}”")
            action.setStatusTip(f"Open the lesson “{title}”")
            action.triggered.connect(lambda _checked=False, p=path: self.open_path(p))
            self.shipped_actions.append(action)
        panel.set_tips(
            keys_text(self.back_action.shortcuts()), keys_text(self.next_action.shortcuts())
        )
        self.menu = self._build_menu()
        self.player.failed.connect(lambda text: self._files.show_error("Lesson step", text))
        self.player.dockRequested.connect(self.raise_dock)
        self.player.lessonChanged.connect(self._sync)
        self.player.stepChanged.connect(self._sync)
        self.player.trainingChanged.connect(self._sync)
        self._sync()
        dock.hide()  # shown when a lesson opens

    def _action(self, text: str, keys: list[str], tip: str) -> QAction:
        action = QAction(text, self._window)
        action.setShortcuts([QKeySequence(k) for k in keys])
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.setToolTip(f"{tip} ({', '.join(keys)})")
        action.setStatusTip(tip)
        self._window.addAction(action)
        return action

    def _build_menu(self) -> QMenu:
        bar = self._window.menuBar()
        titles = {a.text(): a for a in bar.actions()}
        menu = QMenu("&Lessons", self._window)
        menu.setToolTipsVisible(True)
        menu.addAction(self.open_action)
        menu.addSeparator()
        for action in self.shipped_actions:
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction(self.back_action)
        menu.addAction(self.next_action)
        menu.addSeparator()
        menu.addAction(self.predict.toggle_action)
        menu.addAction(self.predict.export_action)
        help_menu = titles.get("&Help")
        if help_menu is not None:
            bar.insertMenu(help_menu, menu)
        else:
            bar.addMenu(menu)
        file_entry = titles.get("&File")
        file_menu = file_entry.menu() if file_entry is not None else None
        if isinstance(file_menu, QMenu):  # after "Open sequence file..."
            entries = file_menu.actions()
            after = next((i for i, a in enumerate(entries) if "quence" in a.text()), None)
            before = entries[after + 1] if after is not None and after + 1 < len(entries) else None
            file_menu.insertAction(before, self.open_action)  # type: ignore[arg-type]
        return menu

    # -- opening ----------------------------------------------------------------------------------
    def open_file(self, path: str | None = None) -> bool:
        """File > Open lesson file: ask for a file (never in a non-interactive run), open it."""
        if path is None:
            if self._files.unattended is not None:
                return False
            path, _ = QFileDialog.getOpenFileName(
                self._window, "Open lesson", "", "Lessons (*.json);;All files (*)"
            )
            if not path:
                return False
        return self.open_path(path)

    def open_path(self, path: str | Path) -> bool:
        """Open a lesson; a bad file is refused, naming file, step and field, changing nothing."""
        try:
            lesson = self.player.read(path)
        except LessonError as exc:
            self._files.show_error("Cannot open the lesson", str(exc))
            return False
        if not self._files.confirm_discard():
            return False
        try:
            self.player.start(lesson)
        except ValueError as exc:  # e.g. its trace would be too large (core.limits)
            self._files.show_error("Cannot open the lesson", f"{path}: {exc}")
            return False
        self.show_dock()
        return True

    def show_dock(self) -> None:
        """Show the lesson beside the graphs, with a left column wide enough to read it."""
        if self.dock.isVisible():
            return
        self.dock.show()
        self.dock.raise_()
        width = round(LESSON_COLUMN * self._window.width())
        if self.dock.width() < width:
            self._window.resizeDocks([self.dock], [width], Qt.Orientation.Horizontal)

    def raise_dock(self, name: str) -> None:
        """Show and raise the dock a lesson step names (a registry name, ``DockId`` value).

        Found by its object name, ``dock_<name>`` (``DockId.object_name``): the registry
        imports this package's panel, so this package does not import the registry."""
        dock = self._window.findChild(QDockWidget, f"dock_{name}")
        if dock is None:  # every registry name has a dock; a window without it shows nothing
            return
        dock.show()
        dock.raise_()

    def _sync(self, *_args: object) -> None:
        lesson, index = self.player.lesson, self.player.index
        busy = self.player.training
        self.next_action.setEnabled(
            lesson is not None and index + 1 < len(lesson or ()) and not busy
        )
        self.back_action.setEnabled(lesson is not None and index > 0 and not busy)
