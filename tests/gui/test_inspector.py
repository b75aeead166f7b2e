"""The inspector displays the worked example line for line, as core.explain writes it."""

from __future__ import annotations

import pytest

from core.cursor import position_of
from core.explain import explain, fmt
from core.selection import Selection
from gui.panels import InspectorPanel
from gui.session import Session


@pytest.mark.parametrize("notation", ["deep-learning", "boden"])
def test_the_displayed_lines_are_the_explanations(qtbot, notation: str) -> None:
    session = Session()
    session.set_truncation(2, "sliding")
    session.set_notation(notation)
    panel = InspectorPanel(session)
    qtbot.addWidget(panel)
    selection = Selection("node", "h", t=3, unit=1)
    session.select(selection)
    session.seek(position_of(session.trace.T, "backward", 3))  # δh(3) has just been computed
    shown = panel.displayed()
    e = explain(session.trace, session.state, selection, session.notation)
    assert shown.explanation == e
    expected = [e.title, f"at the cursor: {session.state.label}", *e.notes]
    for step in e.steps:
        expected += [f"{step.name} ({step.citation})", step.equation, step.substituted]
        expected += [step.result, *step.notes]
    lines = [block.text for block in shown.blocks if block.style != "terms"]
    assert lines == expected
    assert all(line in shown.text for line in expected)  # what the reader reads and copies
    # the latest known step, the delta, lists its terms with their values
    (table,) = [block.text for block in shown.blocks if block.style == "terms"]
    rows = table.splitlines()
    delta = e.step("delta")
    assert len(rows) == len(delta.terms)
    for row, term in zip(rows, delta.terms, strict=True):
        assert row.split() == [*term.symbol.split(), *term.numbers.split(), "=", fmt(term.value)]
