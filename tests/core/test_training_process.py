"""Training in a child process gives what ``train`` gives here, bit for bit, and obeys pause,
stop and kill; a child that dies is reported, never waited for.

Every wait here is for a condition the child reports (an item, a pause confirmed, the end of the
iteration), with a generous bound, never a fixed time.
"""

from __future__ import annotations

import itertools
import os
import signal
import threading
import time
from collections.abc import Iterator

import numpy as np
import pytest

from core import child
from core.data import Dataset, Sequence
from core.model import PARAM_NAMES, SRN
from core.tasks import TASKS, make_task
from core.tdl import TDL
from core.training import EpochRecord, Progress, TrainConfig, train
from core.training_process import TrainingProcess

BOUND_S = 60.0  # generous: the suite may share the machine


def long_data(n_sequences: int = 4000) -> Dataset:
    """Predict the next of 20 random bits, many times over: an epoch of many updates."""
    bits = np.random.default_rng(0).integers(0, 2, (n_sequences, 21)).astype(float)
    sequences = tuple(Sequence(b[:-1, None], b[1:, None]) for b in bits)
    return Dataset(
        "long", sequences, ("bit",), ("next bit",), output="logistic", scoring="threshold"
    )


def assert_same_net(a: SRN | TDL, b: SRN | TDL) -> None:
    assert type(a) is type(b)
    for name in PARAM_NAMES:
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))


def assert_same_records(local: list, remote: list) -> None:
    assert len(local) == len(remote) > 0
    for a, b in zip(local, remote, strict=True):
        assert type(a) is type(b) is EpochRecord
        assert (a.epoch, a.loss, a.score, a.diverged) == (b.epoch, b.loss, b.score, b.diverged)
        np.testing.assert_array_equal(a.seq_loss, b.seq_loss)
        np.testing.assert_array_equal(a.grad_norms, b.grad_norms)
        assert_same_net(a.net, b.net)


class Consumer:
    """Iterate a TrainingProcess in a thread of its own, as the GUI's worker does."""

    def __init__(self, process: TrainingProcess) -> None:
        self.items: list = []
        self.error: BaseException | None = None
        self.arrived = threading.Condition()
        self.done = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(process,), daemon=True)
        self._thread.start()

    def _run(self, process: TrainingProcess) -> None:
        try:
            for item in process.items():
                with self.arrived:
                    self.items.append(item)
                    self.arrived.notify_all()
        except BaseException as exc:
            self.error = exc
        finally:
            self.done.set()
            with self.arrived:
                self.arrived.notify_all()

    def wait_for(self, condition) -> None:
        """Wait until ``condition()`` holds (checked at each item and every 10 ms: a confirmed
        pause is no item)."""
        deadline = time.monotonic() + BOUND_S
        with self.arrived:
            while not (condition() or self.done.is_set()):
                assert time.monotonic() < deadline, "no such condition within the bound"
                self.arrived.wait(0.01)
        assert condition(), f"the run ended first: {self.error!r}"

    def join(self) -> None:
        assert self.done.wait(BOUND_S), "the iteration did not end"
        self._thread.join(BOUND_S)


def inside_an_epoch(consumer: Consumer) -> bool:
    return any(isinstance(i, Progress) and i.updates > 0 for i in consumer.items)


def after_updates(net: SRN, data: Dataset, config: TrainConfig, updates: int) -> SRN | TDL:
    for item in train(net, data, config, progress_every=0):
        if isinstance(item, Progress) and item.updates == updates:
            return item.net
    raise AssertionError(f"the run never reached {updates} updates")


@pytest.fixture(autouse=True)
def _no_child_left() -> Iterator[None]:
    yield
    left = child.running()
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left, f"training process(es) {left} left running"


@pytest.mark.parametrize(
    ("task", "overrides"),
    [
        ("temporal-xor", {}),
        ("temporal-xor", {"update": "epoch"}),
        ("temporal-xor", {"algorithm": "rtrl"}),
        ("delayed-recall", {"truncation": 2}),
    ],
    ids=["sequence-updates", "epoch-updates", "rtrl", "truncated"],
)
def test_a_run_in_a_child_gives_the_same_records_bit_for_bit(task: str, overrides: dict) -> None:
    data = make_task(task, seed=0)
    net = TASKS[task].network(data, seed=0)
    config = TASKS[task].train_config(epochs=6, seed=0, **overrides)
    local = list(train(net, data, config))
    process = TrainingProcess(net, data, config)
    remote = list(process.items())
    assert_same_records(local, remote)
    assert process.received == len(remote) and process.pid not in child.running()


def test_a_tapped_delay_line_and_a_data_set_with_read_only_meta_cross_over() -> None:
    data = make_task("delayed-recall", seed=1)
    assert data.meta, "the data set should carry meta to send"
    net = TDL.init(data.n_in, 4, data.n_out, window=3, output=data.output, seed=0)
    config = TrainConfig(epochs=3, lr=0.1, seed=0)
    assert_same_records(
        list(train(net, data, config)), list(TrainingProcess(net, data, config).items())
    )


def test_bad_arguments_are_refused_here_before_a_child_starts() -> None:
    data = make_task("temporal-xor", seed=0)
    wrong = SRN.init(data.n_in + 1, 3, data.n_out, seed=0)
    with pytest.raises(ValueError):
        TrainingProcess(wrong, data, TrainConfig(epochs=1))
    with pytest.raises(ValueError, match="progress_every"):
        TrainingProcess(TASKS["temporal-xor"].network(data, seed=0), data, None, progress_every=-1)
    assert child.running() == []


def test_stop_inside_a_long_epoch_ends_after_the_item_in_flight_with_its_exact_network() -> None:
    data, net = long_data(), SRN.init(1, 60, 1, output="logistic", seed=0)
    config = TrainConfig(epochs=2, lr=0.01, seed=0)
    process = TrainingProcess(net, data, config, progress_every=0.02)
    consumer = Consumer(process)
    consumer.wait_for(lambda: inside_an_epoch(consumer))
    seen = len(consumer.items)
    process.stop()
    consumer.join()
    assert consumer.error is None
    assert seen <= len(consumer.items) <= seen + 1  # at most the item in flight follows
    last = consumer.items[-1]
    assert isinstance(last, Progress) and last.epoch == 1 and 0 < last.updates < len(data)
    assert not any(isinstance(i, EpochRecord) for i in consumer.items)
    assert_same_net(last.net, after_updates(net, data, config, last.updates))


def test_pause_holds_the_child_and_stop_while_paused_computes_nothing_more() -> None:
    data, net = long_data(), SRN.init(1, 60, 1, output="logistic", seed=0)
    process = TrainingProcess(net, data, TrainConfig(epochs=2, lr=0.01), progress_every=0.02)
    consumer = Consumer(process)
    consumer.wait_for(lambda: inside_an_epoch(consumer))
    process.pause()
    consumer.wait_for(lambda: process.paused_at is not None)
    held = process.paused_at
    consumer.wait_for(lambda: len(consumer.items) == held)  # every item sent has arrived
    process.resume()  # it computes again ...
    assert process.paused_at is None
    consumer.wait_for(lambda: len(consumer.items) > held)
    process.pause()  # ... and holds again
    consumer.wait_for(lambda: process.paused_at is not None)
    held = process.paused_at
    process.stop()
    consumer.join()
    assert consumer.error is None and len(consumer.items) == held  # nothing after the pause


def test_kill_ends_the_iteration_at_once_and_reaps_the_child() -> None:
    data, net = long_data(), SRN.init(1, 60, 1, output="logistic", seed=0)
    process = TrainingProcess(net, data, TrainConfig(epochs=50, lr=0.01), progress_every=0.02)
    consumer = Consumer(process)
    consumer.wait_for(lambda: inside_an_epoch(consumer))
    process.kill()
    consumer.join()
    assert consumer.error is None  # asked for: not a failure
    assert process.pid not in child.running()


def test_a_child_that_dies_is_reported_not_waited_for() -> None:
    data, net = long_data(), SRN.init(1, 60, 1, output="logistic", seed=0)
    process = TrainingProcess(net, data, TrainConfig(epochs=50, lr=0.01), progress_every=0.02)
    consumer = Consumer(process)
    consumer.wait_for(lambda: inside_an_epoch(consumer))
    assert process.pid is not None
    os.kill(process.pid, signal.SIGKILL)  # as the system does when memory runs out
    consumer.join()
    assert isinstance(consumer.error, RuntimeError)
    assert "training process ended unexpectedly" in str(consumer.error)
    assert "exit status -9" in str(consumer.error)


def test_stop_and_kill_before_the_child_starts_start_none() -> None:
    data = make_task("temporal-xor", seed=0)
    net = TASKS["temporal-xor"].network(data, seed=0)
    for end in (TrainingProcess.stop, TrainingProcess.kill):
        process = TrainingProcess(net, data, TrainConfig(epochs=2))
        end(process)
        assert list(process.items()) == [] and process.pid is None


def test_a_spare_child_started_ahead_serves_the_next_run() -> None:
    data = make_task("temporal-xor", seed=0)
    net = TASKS["temporal-xor"].network(data, seed=0)
    config = TrainConfig(epochs=2, seed=0)
    child.prestart()
    waiting = child.spare()
    assert waiting is not None
    process = TrainingProcess(net, data, config)
    assert_same_records(list(train(net, data, config)), list(process.items()))
    assert process.pid == waiting and child.spare() is None
    child.prestart()
    waiting = child.spare()
    child.discard_spare()  # closing its input ends it, and it is reaped
    assert waiting is not None and child.spare() is None
    with pytest.raises(ProcessLookupError):
        os.kill(waiting, 0)


def test_a_network_unchanged_between_items_arrives_as_the_same_object() -> None:
    """Inside an epoch of one update the items carry one network: here too, so that the GUI,
    which redraws only for a new network, does not redraw for each report."""
    data, net = long_data(1000), SRN.init(1, 60, 1, output="logistic", seed=0)
    config = TrainConfig(epochs=2, lr=0.01, update="epoch", seed=0)  # several batches an epoch
    local = list(train(net, data, config, progress_every=0))
    remote = list(TrainingProcess(net, data, config, progress_every=0).items())
    assert [type(i) for i in local] == [type(i) for i in remote]
    same = [a.net is b.net for a, b in itertools.pairwise(local)]
    assert any(same) and not all(same)
    assert [a.net is b.net for a, b in itertools.pairwise(remote)] == same
    for a, b in zip(local, remote, strict=True):
        assert_same_net(a.net, b.net)
