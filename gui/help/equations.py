"""Help > Equations: Unfold's own numbered derivation, in the reader's notation or in all of them.

The worked examples cite these numbers ("Eq. 10"); the page is generated from
:mod:`core.derivation`, so a number on screen and its equation here cannot drift apart.
"""

from __future__ import annotations

from html import escape

from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from core.derivation import groups, number
from core.notation import NOTATIONS, Notation
from gui.session import Session

#: the combo box entry that shows every equation in every notation
ALL = "all"


def equations_html(notations: tuple[Notation, ...]) -> str:
    """The page as HTML: sections, then each equation numbered, once per notation given."""
    parts = [
        "<h2>The equations of BPTT, numbered as the inspector cites them</h2>",
        "<p>Deltas are gradients, δ = +∂L/∂net, except in a notation that defines δ = "
        "-∂L/∂net (Bodén 2001), where the signed forms are shown. f is the hidden activation, "
        "g the output function, ⊙ the elementwise product.</p>",
    ]
    for group, equations in groups():
        parts.append(f"<h3>{escape(group)}</h3><table cellspacing='0' cellpadding='3'>")
        for eq in equations:
            head = f"<b>Eq. {eq.number}</b>&nbsp;&nbsp;{escape(eq.title)}"
            parts.append(f"<tr><td colspan='2' style='padding-top:8px'>{head}</td></tr>")
            for n in notations:
                label = ""
                if len(notations) > 1:
                    label = f"<td style='color:#666666'>{escape(n.title)}</td>"
                body = escape(eq.render(n))
                cell = f"<td style='font-family:monospace; white-space:pre-wrap'>{body}</td>"
                parts.append(f"<tr>{label}{cell}</tr>")
            if eq.source:
                parts.append(
                    f"<tr><td colspan='2' style='color:#666666'>{escape(eq.source)}</td></tr>"
                )
        parts.append("</table>")
    return "".join(parts)


class EquationsDialog(QDialog):
    """A non-modal page of the numbered equations that follows the session's notation.

    Parameters
    ----------
    session : whose notation is shown by default.  parent : the Qt parent.
    """

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Equations - Unfold")
        self.setModal(False)
        self.session = session
        self.choice = QComboBox(self)
        for key, notation in NOTATIONS.items():
            self.choice.addItem(notation.title, key)
        self.choice.addItem("All notations side by side", ALL)
        self.choice.setToolTip("Which notation the equations are written in")
        self.browser = QTextBrowser(self)
        self.browser.setOpenLinks(False)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.close)
        top = QHBoxLayout()
        top.addWidget(QLabel("Notation:", self))
        top.addWidget(self.choice, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.browser, 1)
        layout.addWidget(buttons)
        self.resize(760, 640)
        self.choice.currentIndexChanged.connect(self._on_choice_changed)
        session.notationChanged.connect(self._on_session_notation_changed)
        self._on_session_notation_changed()

    def _on_session_notation_changed(self) -> None:
        index = self.choice.findData(self.session.notation.key)
        if index >= 0 and self.choice.currentData() != ALL:
            self.choice.setCurrentIndex(index)
        self._on_choice_changed()

    def _on_choice_changed(self, *_args: object) -> None:
        key = self.choice.currentData()
        shown = tuple(NOTATIONS.values()) if key == ALL else (NOTATIONS[key],)
        self.browser.setHtml(equations_html(shown))

    def show_equation(self, key: str) -> None:
        """Show the page scrolled to the equation called ``key``."""
        self.show()
        self.raise_()
        self.browser.moveCursor(QTextCursor.MoveOperation.Start)
        self.browser.find(f"Eq. {number(key)}")
        self.browser.ensureCursorVisible()

    def text(self) -> str:
        """The page as plain text, as displayed."""
        return self.browser.toPlainText()
