"""A training run's networks reach the views one view per event-loop turn, and while a run goes
the window's long-lived objects are out of the garbage collector's sight (and only then).
"""

from __future__ import annotations

import gc
import sys

import numpy as np
import pytest
import shiboken6
from PySide6.QtCore import QObject

from core.cursor import position_of
from core.model import SRN
from core.tasks import make_task
from gui.graph_views import FoldedGraphView, UnfoldedGraphView
from gui.panels import ActivationsPanel
from gui.session import NetworkOrigin, Pacer, Session
from gui.training import sharing
from gui.training.controller import TrainingController
from gui.training.panel import TrainingPanel


def drawn_weights(view: FoldedGraphView) -> dict[tuple[str, int, int], float]:
    return {key: w for key, (w, _, _) in view.displayed_values()["edges"].items()}


def net_weights(net: SRN) -> dict[tuple[str, int, int], float]:
    out = {}
    for name in ("U", "W", "V"):
        for (r, c), w in np.ndenumerate(net.params()[name]):
            out[(name, r, c)] = float(w)
    return out


@pytest.fixture
def explorer(qtbot) -> tuple[Session, FoldedGraphView, UnfoldedGraphView, ActivationsPanel]:
    session = Session()
    folded, unfolded, activations = (
        FoldedGraphView(session),
        UnfoldedGraphView(session),
        ActivationsPanel(session),
    )
    for widget in (folded, unfolded, activations):
        qtbot.addWidget(widget)
        widget.resize(600, 400)
        widget.show()
    qtbot.waitExposed(activations)
    return session, folded, unfolded, activations


def test_a_paced_network_is_drawn_in_later_turns_then_everywhere(qtbot, explorer) -> None:
    session, folded, unfolded, activations = explorer
    old, new = session.net, session.net.with_params(U=-session.net.U)
    T = session.trace.T
    session.seek(position_of(T, "forward", T))  # every activation known
    assert drawn_weights(folded) == net_weights(old)
    before = unfolded.displayed_values().values.copy()
    session.set_network(new, origin=NetworkOrigin.TRAINING, paced=True)
    # the slots only queued the redraws: the views still show the old network
    assert session.pacer.pending() == 3
    assert drawn_weights(folded) == net_weights(old)
    np.testing.assert_array_equal(unfolded.displayed_values().values, before)
    qtbot.waitUntil(lambda: session.pacer.pending() == 0)
    assert drawn_weights(folded) == net_weights(new)
    shown = unfolded.displayed_values()
    hidden = {node: float(v) for node, v in zip(shown.node_ids, shown.values, strict=True)}
    for t in range(1, T + 1):
        for u in range(session.net.n_hidden):
            assert hidden[("h", t, u)] == pytest.approx(session.trace.h[t, u])
    np.testing.assert_array_equal(activations.displayed().h, session.trace.h)


def test_a_step_during_a_paced_change_draws_the_new_network_at_once(qtbot, explorer) -> None:
    session, folded, _, activations = explorer
    new = session.net.with_params(W=0.5 * session.net.W)
    session.set_network(new, origin=NetworkOrigin.TRAINING, paced=True)
    target = position_of(session.trace.T, "forward", 3)
    session.seek(target)  # not paced: every view catches up in its slot
    assert session.pacer.pending() == 0
    shown = folded.displayed_values()
    assert drawn_weights(folded) == net_weights(new)
    assert shown["t"] == 3
    h3 = {k: v for k, v in shown["nodes"].items() if k[0] == "h"}
    np.testing.assert_allclose(sorted(h3.values()), sorted(session.trace.h[3]))
    np.testing.assert_array_equal(activations.displayed().h[:4], session.trace.h[:4])


def test_the_pacer_runs_each_owner_once_in_order_and_drops_deleted_owners(qtbot) -> None:
    pacer = Pacer()
    ran: list[str] = []
    a, b, gone = QObject(), QObject(), QObject()
    pacer.post(a, lambda: ran.append("a"))
    pacer.post(gone, lambda: ran.append("gone"))
    pacer.post(b, lambda: ran.append("b"))
    pacer.post(a, lambda: ran.append("a again"))  # a waits already: one job, at its place
    shiboken6.delete(gone)
    qtbot.waitUntil(lambda: pacer.pending() == 0)
    assert ran == ["a", "b"]


def test_a_run_shares_the_interpreter_only_while_it_runs(qtbot) -> None:
    session = Session()
    session.set_dataset(
        make_task("temporal-xor", seed=0, n_sequences=8),
        net=SRN.init(1, 8, 1, output="logistic", seed=0),
    )
    controller = TrainingController(session)
    panel = TrainingPanel(session, controller)
    qtbot.addWidget(panel)
    panel.epochs_box.setValue(100_000)
    interval, frozen = sys.getswitchinterval(), gc.get_freeze_count()
    with qtbot.waitSignal(controller.finished, timeout=20_000):
        panel.train_button.click()
        assert controller.state == "running"
        # the window's objects are out of the collector's sight while the run goes
        assert sharing.runs() == 1 and gc.get_freeze_count() > frozen
        assert sys.getswitchinterval() == interval  # Python's own: see gui/training/sharing.py
        qtbot.waitUntil(lambda: len(controller.history) >= 2, timeout=20_000)
        controller.stop()
    assert sharing.runs() == 0
    assert sys.getswitchinterval() == interval
    assert gc.get_freeze_count() == frozen
    assert session.pacer.pending() == 0  # the final network is drawn when finished is emitted
    controller.shutdown()


def test_a_run_leaves_frozen_what_was_frozen_before_it() -> None:
    """main.py freezes the window's objects when it starts; a run must not give them back to
    the collector when it ends (it cannot unfreeze only its own)."""
    gc.freeze()
    before = gc.get_freeze_count()
    try:
        sharing.run_started()
        sharing.run_ended()
        assert before > 0 and gc.get_freeze_count() >= before
    finally:
        gc.unfreeze()
