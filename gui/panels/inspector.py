"""The inspector: the selected node, edge or gradient cell as its equation with the numbers put in.

It shows :func:`core.equations.explain` for the session's selection at the cursor, in the session's
notation - the worked example that seeds/004 and seeds/003 do by hand - and follows the cursor,
the selection and the notation. With nothing selected it explains hidden unit 1 at the cursor step.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QTextBrowser, QVBoxLayout, QWidget

from core.equations import Explanation, Step, explain, fmt
from core.selection import Selection
from gui.panels.base import Panel
from gui.session import Session

HINT = "Click a node, edge or cell in any view to see its equation with the numbers put in."
#: at most this many terms are listed one per row under an equation
MAX_TABLE_TERMS = 24

CSS = """
body { font-size: 10pt; }
h3 { margin: 0 0 2px 0; }
.state { color: #555555; margin: 0 0 6px 0; }
.step { margin: 8px 0 0 0; font-weight: bold; }
.cite { color: #6a6a6a; font-weight: normal; }
.eq { font-family: 'DejaVu Sans Mono', monospace; white-space: pre-wrap; margin: 2px 0 0 12px; }
.num { font-family: 'DejaVu Sans Mono', monospace; white-space: pre-wrap; margin: 2px 0 0 12px;
       color: #1f4e79; }
.result { font-family: 'DejaVu Sans Mono', monospace; font-weight: bold; margin: 2px 0 0 12px; }
.note { color: #8a5a00; margin: 1px 0 0 12px; }
.terms { font-family: 'DejaVu Sans Mono', monospace; white-space: pre; margin: 4px 0 0 12px;
         color: #303030; }
"""


@dataclass(frozen=True, slots=True)
class InspectorView:
    """What the inspector explains: a selection (None: the default) at a cursor position."""

    position: int
    selection: Selection | None
    notation: str


@dataclass(frozen=True, slots=True)
class InspectorDisplay:
    """What the inspector shows: the explanation, its HTML and plain text, and the hint line."""

    explanation: Explanation
    html: str
    text: str
    hint: str
    default: bool


def render_html(explanation: Explanation, state_label: str) -> str:
    """The explanation as rich text: title, then per step the equation, numbers, result, notes.

    The style sheet is ``CSS``, set once as the document's default style sheet.
    """
    e = html.escape
    parts = [f"<h3>{e(explanation.title)}</h3>"]
    parts.append(f"<p class='state'>at the cursor: {e(state_label)}</p>")
    parts += [f"<p class='note'>{e(note)}</p>" for note in explanation.notes]
    known = [s for s in explanation.steps if s.value is not None]
    focus = known[-1] if known else None  # the latest known step gets its terms listed
    for step in explanation.steps:
        parts.append(_step_html(step, table=step is focus))
    return "\n".join(parts)


def _step_html(step: Step, table: bool) -> str:
    e = html.escape
    rows = [
        f"<p class='step'>{e(step.name)} <span class='cite'>({e(step.citation)})</span></p>",
        f"<p class='eq'>{e(step.equation)}</p>",
        f"<p class='num'>{e(step.substituted)}</p>",
        f"<p class='result'>{e(step.result)}</p>",
    ]
    rows += [f"<p class='note'>{e(note)}</p>" for note in step.notes]
    if table and 2 <= len(step.terms) <= MAX_TABLE_TERMS:
        # aligned monospace lines: a rich-text <table> costs several ms per update to lay out
        width_s = max(len(t.symbol) for t in step.terms)
        width_n = max(len(t.numbers) for t in step.terms)
        lines = [
            f"{t.symbol.ljust(width_s)}  {t.numbers.ljust(width_n)}  = {fmt(t.value)}"
            for t in step.terms
        ]
        rows.append(f"<p class='terms'>{e(chr(10).join(lines))}</p>")
    return "\n".join(rows)


class InspectorPanel(Panel[InspectorView]):
    """The worked example for the selection at the cursor, in the session's notation.

    Parameters
    ----------
    session : the session to observe.  parent : the Qt parent.
    """

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.hint = QLabel(HINT)
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("QLabel { color: #555555; padding: 4px; }")
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(False)
        self.browser.document().setDefaultStyleSheet(CSS)
        # scroll bars shown or hidden by _fit_scroll_bars only: with "as needed" they vanish while
        # setHtml clears the document and come back, resizing the viewport twice per step
        self._fit_scroll_bars()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.hint)
        layout.addWidget(self.browser, 1)
        self._explanation: Explanation | None = None
        self._html = ""
        self.session.selectionChanged.connect(self._on_session_selection_changed)
        self._start()

    def _on_session_selection_changed(self, selection: object) -> None:
        self._refresh()

    def _rebuild(self) -> None:
        """Nothing depends on the trace alone; the explanation is redone per view state."""

    def _compute_view(self) -> InspectorView:
        s = self.session
        return InspectorView(s.position, s.selection, s.notation.key)

    def _apply(self, new: InspectorView, old: InspectorView | None) -> None:
        s = self.session
        self._explanation = explain(s.trace, s.state, new.selection, s.notation)
        html_text = render_html(self._explanation, s.state.label)
        if html_text != self._html:  # laying out rich text is the costly part: only when new
            self._html = html_text
            self.browser.setHtml(html_text)
            self._fit_scroll_bars()
        if new.selection is None:
            self.hint.setText(f"{HINT} Showing hidden unit 1 at the cursor step.")
        else:
            self.hint.setText(HINT)

    def _fit_scroll_bars(self) -> None:
        """Show each scroll bar when the text overflows (what "as needed" does, without flicker)."""
        on, off = Qt.ScrollBarPolicy.ScrollBarAlwaysOn, Qt.ScrollBarPolicy.ScrollBarAlwaysOff
        b = self.browser
        want = on if b.horizontalScrollBar().maximum() > 0 else off
        if want != b.horizontalScrollBarPolicy():
            b.setHorizontalScrollBarPolicy(want)
        want = on if b.verticalScrollBar().maximum() > 0 else off
        if want != b.verticalScrollBarPolicy():
            b.setVerticalScrollBarPolicy(want)

    def displayed(self) -> InspectorDisplay:
        """The explanation shown, its HTML, the text a reader sees and the hint line."""
        self._catch_up()
        assert self._explanation is not None
        return InspectorDisplay(
            self._explanation,
            self._html,
            self.browser.toPlainText(),
            self.hint.text(),
            self.session.selection is None,
        )
