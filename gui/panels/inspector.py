"""The inspector: the selected node, edge or gradient cell as its equation with the numbers put in.

It shows :func:`core.explain.explain` for the session's selection at the cursor, in the session's
notation - the worked example a textbook does by hand - and follows the cursor,
the selection and the notation. With nothing selected it explains hidden unit 1 at the cursor step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from core.explain import Explanation, Step, explain, fmt
from core.selection import Selection
from gui.panels.base import Panel
from gui.session import Session
from gui.widgets.styled_text import Block, StyledText

HINT = "Click a node, edge or cell in any view to see its equation with the numbers put in."
#: at most this many terms are listed one per row under an equation
MAX_TABLE_TERMS = 24


@dataclass(frozen=True, slots=True)
class InspectorView:
    """What the inspector explains: a selection (None: the default) at a cursor position."""

    position: int
    selection: Selection | None
    notation: str


@dataclass(frozen=True, slots=True)
class InspectorDisplay:
    """What the inspector shows: the explanation, its styled blocks and plain text, the hint."""

    explanation: Explanation
    blocks: tuple[Block, ...]
    text: str
    hint: str
    default: bool


def render_blocks(
    explanation: Explanation, state_label: str, fits: Callable[[str], bool] = lambda _: True
) -> tuple[Block, ...]:
    """The explanation as styled blocks: title, then per step the equation, numbers, result and
    notes; the latest known step also lists its terms, one per aligned line where ``fits``
    says the table fits the width, else one wrapped block per term."""
    blocks = [
        Block.of("title", explanation.title),
        Block.of("state", f"at the cursor: {state_label}"),
    ]
    blocks += [Block.of("note", note) for note in explanation.notes]
    known = [s for s in explanation.steps if s.value is not None]
    focus = known[-1] if known else None  # the latest known step gets its terms listed
    for step in explanation.steps:
        blocks += _step_blocks(step, step is focus, fits)
    return tuple(blocks)


def _step_blocks(step: Step, table: bool, fits: Callable[[str], bool]) -> list[Block]:
    blocks = [
        Block("step", (("step", step.name), ("cite", f" ({step.citation})"))),
        Block.of("eq", step.equation),
        Block.of("num", step.substituted),
        Block.of("result", step.result),
    ]
    blocks += [Block.of("note", note) for note in step.notes]
    if table and 2 <= len(step.terms) <= MAX_TABLE_TERMS:
        width_s = max(len(t.symbol) for t in step.terms)
        width_n = max(len(t.numbers) for t in step.terms)
        lines = "\n".join(
            f"{t.symbol.ljust(width_s)}  {t.numbers.ljust(width_n)}  = {fmt(t.value)}"
            for t in step.terms
        )
        if fits(lines):
            blocks.append(Block.of("terms", lines))
        else:  # a narrow dock: each term on its own, wrapped rather than cut at the edge
            blocks += [
                Block.of("term", f"{t.symbol} = {t.numbers} = {fmt(t.value)}") for t in step.terms
            ]
    return blocks


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
        self.view = StyledText()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.hint)
        layout.addWidget(self.view, 1)
        self._explanation: Explanation | None = None
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
        # the same item at another step: the scroll ranges only grow (no scroll bar repaints)
        same_item = old is not None and (old.selection, old.notation) == (
            new.selection,
            new.notation,
        )
        self._show(keep_extent=same_item)
        if new.selection is None:
            self.hint.setText(f"{HINT} Showing hidden unit 1 at the cursor step.")
        else:
            self.hint.setText(HINT)

    def _show(self, keep_extent: bool = False) -> None:
        """Put the explanation in the view, its terms as a table if the width has room."""
        assert self._explanation is not None
        blocks = render_blocks(
            self._explanation,
            self.session.state.label,
            lambda text: self.view.fits("terms", text),
        )
        self.view.set_blocks(blocks, keep_extent=keep_extent)

    def resizeEvent(self, event: QResizeEvent) -> None:  # Qt override
        super().resizeEvent(event)
        if self._explanation is not None and self._on_screen:
            self._show(keep_extent=True)  # the table may fit now, or no longer

    def displayed(self) -> InspectorDisplay:
        """The explanation shown, its blocks, the text a reader sees and the hint line."""
        self._catch_up()
        assert self._explanation is not None
        return InspectorDisplay(
            self._explanation,
            self.view.blocks(),
            self.view.toPlainText(),
            self.hint.text(),
            self.session.selection is None,
        )
