"""Who set the session's network decides what happens to a training run.

The controller's own networks (progress, replay, reset) carry ``NetworkOrigin.TRAINING`` and leave
the run alone; a network from anyone else ends a running run (and is kept) or discards a finished
one.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from core.model import SRN
from core.tasks import make_task
from core.training import TrainConfig
from gui.session import NetworkOrigin, Session
from gui.training.controller import TrainingController

FINISH_MS = 60_000  # generous: the suite may share the machine
ELSEWHERE = [NetworkOrigin.USER, NetworkOrigin.TASK, NetworkOrigin.FILE]


def small_net(seed: int = 0, hidden: int = 8) -> SRN:
    return SRN.init(1, hidden, 1, output="logistic", seed=seed)


@pytest.fixture
def session() -> Session:
    session = Session()
    session.set_dataset(make_task("temporal-xor", seed=0, n_sequences=4), net=small_net())
    return session


@pytest.fixture
def controller(session: Session) -> Iterator[TrainingController]:
    controller = TrainingController(session)
    yield controller
    controller.shutdown()


def origins_seen(session: Session) -> list[NetworkOrigin]:
    """The origin each ``networkChanged`` reports, read while the signal runs."""
    seen: list[NetworkOrigin] = []
    session.networkChanged.connect(lambda: seen.append(session.network_origin))
    return seen


def run(qtbot, controller: TrainingController, epochs: int) -> str:
    with qtbot.waitSignal(controller.finished, timeout=FINISH_MS) as finished:
        controller.start(TrainConfig(lr=0.01, epochs=epochs))
    return str(finished.args[0])


def test_the_session_records_who_set_its_network(session: Session) -> None:
    seen = origins_seen(session)
    assert session.network_origin is NetworkOrigin.USER  # the set_dataset of the fixture
    session.set_network(small_net(1), origin=NetworkOrigin.FILE)
    session.set_network(small_net(2))
    session.set_dataset(session.dataset, net=small_net(3), origin=NetworkOrigin.TASK)
    assert seen == [NetworkOrigin.FILE, NetworkOrigin.USER, NetworkOrigin.TASK]
    session.set_dataset(session.dataset)  # the data alone: the network and its origin stay
    assert seen == [NetworkOrigin.FILE, NetworkOrigin.USER, NetworkOrigin.TASK]
    assert session.network_origin is NetworkOrigin.TASK


def test_training_progress_does_not_stop_or_reset_the_run(qtbot, session, controller) -> None:
    seen = origins_seen(session)
    assert run(qtbot, controller, epochs=40) == "finished"
    assert seen and set(seen) == {NetworkOrigin.TRAINING}  # the session followed the run
    assert session.net is controller.history[-1].net and len(controller.history) == 40
    assert controller.has_run and controller.training_settings()["epochs_done"] == 40


@pytest.mark.parametrize("origin", ELSEWHERE, ids=lambda o: o.value)
def test_a_network_from_elsewhere_ends_the_run_and_is_kept(
    qtbot, session, controller, origin: NetworkOrigin
) -> None:
    other = small_net(seed=5, hidden=3)
    with qtbot.waitSignal(controller.finished, timeout=FINISH_MS) as finished:
        controller.start(TrainConfig(lr=0.01, epochs=100_000))
        qtbot.waitUntil(lambda: session.net is not controller.snapshots[0].net, timeout=FINISH_MS)
        session.set_network(other, origin=origin)
    assert finished.args == ["stopped"]
    assert session.net is other and session.network_origin is origin
    assert controller.training_settings()["epochs_done"] == 0  # not a network of the run


def test_replay_and_reset_keep_the_run_a_network_from_elsewhere_discards_it(
    qtbot, session, controller
) -> None:
    start = session.net
    seen = origins_seen(session)
    run(qtbot, controller, epochs=12)
    snapshot = controller.replay(len(controller.snapshots) // 2)
    assert session.net is snapshot.net and seen[-1] is NetworkOrigin.TRAINING
    assert controller.has_run and len(controller.history) == 12
    assert controller.training_settings()["epochs_done"] == snapshot.epoch
    controller.reset()
    assert session.net is start and seen[-1] is NetworkOrigin.TRAINING
    run(qtbot, controller, epochs=3)
    session.set_network(small_net(seed=9))
    assert not controller.has_run and controller.history == [] and controller.snapshots == []
    assert controller.training_settings()["epochs_done"] == 0


def test_a_run_continued_from_a_replayed_network_counts_its_epochs(
    qtbot, session, controller
) -> None:
    run(qtbot, controller, epochs=10)
    snapshot = controller.replay(len(controller.snapshots) // 2)
    assert 0 < snapshot.epoch < 10
    run(qtbot, controller, epochs=5)  # continues from the replayed network
    assert controller.training_settings()["epochs_done"] == snapshot.epoch + 5
    controller.replay(0)  # the network this run started from
    assert controller.training_settings()["epochs_done"] == snapshot.epoch
