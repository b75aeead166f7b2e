"""Help > Keyboard shortcuts: every shortcut of the window, read from its actions, grouped.

The list is generated from the QActions and QShortcuts the window actually has, so it cannot
drift from the keys that work. An action is grouped by the menu that holds it (Step: stepping,
Training: training, File: files, the rest: views); one in no menu is listed under views.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QLabel,
    QMainWindow,
    QMenu,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

#: group names in the order shown, and the menus (by title without "&") that feed them
GROUPS = ("Stepping", "Training", "Files", "Views")
_MENU_GROUP = {"Step": "Stepping", "Training": "Training", "File": "Files"}

Row = tuple[str, str]  # (keys as the user types them, what they do)


def keys_text(sequences: list[QKeySequence]) -> str:
    """``Ctrl+S`` or ``Home, Ctrl+Home``, in the platform's own spelling."""
    texts = [s.toString(QKeySequence.SequenceFormat.NativeText) for s in sequences]
    return ", ".join(t for t in texts if t)


def action_name(action: QAction) -> str:
    """The menu text without its mnemonic ampersand and trailing dots: ``Save model``."""
    return action.text().replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip(".")


def shortcut_groups(window: QMainWindow) -> list[tuple[str, list[Row]]]:
    """Every shortcut of ``window`` as (group, rows), in the order of ``GROUPS``."""
    rows: dict[str, list[Row]] = {g: [] for g in GROUPS}
    seen: set[int] = set()

    def add(action: QAction, group: str, where: str = "") -> None:
        keys = keys_text(action.shortcuts())
        if keys and id(action) not in seen:
            seen.add(id(action))
            rows[group].append((keys, action_name(action) + where))

    def walk(menu: QMenu, group: str) -> None:
        for action in menu.actions():
            if action.menu() is not None:
                walk(action.menu(), group)  # type: ignore[arg-type]
            else:
                add(action, group)

    for action in window.menuBar().actions():
        menu = action.menu()
        if isinstance(menu, QMenu):
            walk(menu, _MENU_GROUP.get(action_name(action), "Views"))
    for action in window.findChildren(QAction):  # shortcuts of no menu: views and panels
        add(action, "Views", _where(action))
    for shortcut in window.findChildren(QShortcut):
        keys = keys_text(shortcut.keys())
        if keys:
            rows["Views"].append((keys, shortcut.whatsThis() or shortcut.objectName()))
    return [(g, rows[g]) for g in GROUPS if rows[g]]


def _where(action: QAction) -> str:
    """`` (in Inspector)`` for an action of a panel: its keys work inside that dock."""
    owner = action.parent()
    while isinstance(owner, QWidget) and not isinstance(owner, QDockWidget):
        owner = owner.parentWidget()
    return f" (in {owner.windowTitle()})" if isinstance(owner, QDockWidget) else ""


def shortcuts_html(groups: list[tuple[str, list[Row]]]) -> str:
    """The groups as an HTML table: a heading per group, then key and action per row."""
    parts = ["<table cellspacing='0' cellpadding='3'>"]
    for group, rows in groups:
        parts.append(f"<tr><td colspan='2'><br><b>{group}</b></td></tr>")
        for keys, name in rows:
            parts.append(
                f"<tr><td><tt>{_escape(keys)}</tt>&nbsp;&nbsp;</td><td>{_escape(name)}</td></tr>"
            )
    parts.append("</table>")
    return "".join(parts)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class ShortcutsDialog(QDialog):
    """A small window listing :func:`shortcut_groups` of the main window (not modal)."""

    def __init__(self, window: QMainWindow, parent: QWidget | None = None) -> None:
        super().__init__(parent if parent is not None else window)
        self.setWindowTitle("Keyboard shortcuts")
        self.label = QLabel()
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.label.setContentsMargins(8, 0, 8, 8)
        scroll = QScrollArea()
        scroll.setWidget(self.label)
        scroll.setWidgetResizable(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(buttons)
        self._window = window
        self.refresh()
        self.resize(440, 640)  # every group without scrolling

    def refresh(self) -> None:
        """Read the shortcuts again (they are the window's actions of this moment)."""
        self.groups = shortcut_groups(self._window)
        self.label.setText(shortcuts_html(self.groups))

    def text(self) -> str:
        """What the dialog lists, as plain text (for reading it in tests)."""
        return "\n".join(
            f"{group}\n" + "\n".join(f"{keys}\t{name}" for keys, name in rows)
            for group, rows in self.groups
        )
