"""Help > Equations lists Unfold's numbered derivation in the reader's notation."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from core.derivation import EQUATIONS, number
from core.notation import NOTATIONS
from gui.help.equations import ALL, EquationsDialog
from gui.session import Session


def test_page_numbers_every_equation_in_the_session_notation(qtbot: QtBot) -> None:
    session = Session()
    page = EquationsDialog(session)
    qtbot.addWidget(page)
    text = page.text()
    for eq in EQUATIONS:
        assert f"Eq. {eq.number}" in text
        assert eq.render(session.notation) in text
    bodens = next(n for n in NOTATIONS.values() if n.delta_sign < 0)
    session.set_notation(bodens.key)
    delta = next(e for e in EQUATIONS if e.key == "delta-output")
    qtbot.waitUntil(lambda: delta.render(bodens) in page.text())
    assert "-∂" in delta.render(bodens)  # Bodén's δ is the negative gradient


def test_page_shows_all_notations_side_by_side(qtbot: QtBot) -> None:
    session = Session()
    page = EquationsDialog(session)
    qtbot.addWidget(page)
    page.choice.setCurrentIndex(page.choice.findData(ALL))
    text = page.text()
    hidden = next(e for e in EQUATIONS if e.key == "delta-hidden")
    for notation in NOTATIONS.values():
        assert notation.title in text
        assert hidden.render(notation) in text


def test_show_equation_selects_its_number(qtbot: QtBot) -> None:
    session = Session()
    page = EquationsDialog(session)
    qtbot.addWidget(page)
    page.show_equation("grad-W")
    assert page.browser.textCursor().selectedText() == f"Eq. {number('grad-W')}"
    page.close()


def test_help_menu_opens_the_page(qtbot: QtBot) -> None:
    from gui.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    action = next(
        a
        for menu in window.menuBar().actions()
        if menu.text() == "&Help"
        for a in menu.menu().actions()
        if a.text() == "&Equations"
    )
    action.trigger()
    page = window.equations_page
    assert page is not None
    qtbot.waitUntil(page.isVisible)
    assert f"Eq. {number('delta-hidden')}" in page.text()
    page.close()
