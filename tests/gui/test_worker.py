"""The generator worker: items arrive in order on the GUI thread; pause, abort and errors."""

from __future__ import annotations

import gc
import threading
import time
import weakref

from PySide6.QtCore import QThread

from gui.training.worker import LIVE_THREADS, GeneratorWorker


def counting(n: int, delay: float = 0.0, threads: list | None = None):
    for i in range(n):
        if threads is not None:
            threads.append(threading.get_ident())
        if delay:
            time.sleep(delay)
        yield i


def test_items_arrive_in_order_from_another_thread(qtbot) -> None:
    seen, threads = [], []
    before = set(LIVE_THREADS)
    worker = GeneratorWorker(lambda: counting(50, threads=threads))
    worker.yielded.connect(lambda item: seen.append((item, QThread.currentThread())))
    live: list[set] = []
    worker.started.connect(lambda: live.append(set(LIVE_THREADS) - before))
    with qtbot.waitSignal(worker.finished, timeout=5000):
        worker.start()
    assert [i for i, _ in seen] == list(range(50))
    main = QThread.currentThread()
    assert all(t is main for _, t in seen)  # slots run on the GUI thread
    assert threading.get_ident() not in threads  # the generator ran elsewhere
    assert not worker.is_running
    assert len(live) == 1 and len(live[0]) == 1  # the run's thread was registered while it ran
    assert set(LIVE_THREADS) - before == set()  # and is no longer once finished


def test_a_queued_worker_keeps_its_items_for_take(qtbot) -> None:
    worker = GeneratorWorker(lambda: counting(500), queued=True)
    emitted: list[int] = []
    worker.yielded.connect(emitted.append)
    taken: list[int] = []
    with qtbot.waitSignal(worker.finished, timeout=5000):
        worker.start()
        qtbot.waitUntil(lambda: bool(taken.extend(worker.take()) or taken), timeout=5000)
    taken += worker.take()  # after finished: the rest, all of it
    assert taken == list(range(500)) and worker.take() == []
    assert emitted == []  # no signal per item


def test_abort_stops_between_items(qtbot) -> None:
    seen: list[int] = []
    worker = GeneratorWorker(lambda: counting(10_000, delay=0.001))
    worker.yielded.connect(seen.append)
    aborted = []
    worker.aborted.connect(lambda: aborted.append(True))
    with qtbot.waitSignal(worker.finished, timeout=5000):
        worker.start()
        qtbot.waitUntil(lambda: len(seen) >= 3, timeout=5000)
        worker.abort()
    assert aborted == [True]
    assert 3 <= len(seen) < 10_000


def test_pause_holds_and_resume_continues(qtbot) -> None:
    """Pausing is a flag the worker checks between items, whichever thread sets it: the
    generator pauses its own worker before yielding item 5, and records any item it is asked
    for while the worker is paused. Without a hold, item 6 would be asked for at once, long
    before the GUI thread has even received item 5."""
    seen: list[int] = []
    asked_while_paused: list[int] = []

    def pausing():
        for i in range(30):
            if worker.is_paused:
                asked_while_paused.append(i)
            if i == 5:
                worker.pause()
            yield i

    worker = GeneratorWorker(pausing)
    worker.yielded.connect(seen.append)
    worker.start()
    qtbot.waitUntil(lambda: len(seen) >= 6, timeout=5000)
    assert seen == list(range(6))  # up to the item yielded when pausing
    assert worker.is_paused and worker.is_running
    with qtbot.waitSignal(worker.finished, timeout=5000):
        worker.resume()
    assert asked_while_paused == []
    assert seen == list(range(30))


def test_errors_are_reported_not_raised(qtbot) -> None:
    def broken():
        yield 1
        raise ValueError("loss became NaN at epoch 2")

    errors: list[BaseException] = []
    worker = GeneratorWorker(broken)
    worker.errored.connect(errors.append)
    with qtbot.waitSignal(worker.finished, timeout=5000):
        worker.start()
    assert len(errors) == 1 and "epoch 2" in str(errors[0])


def test_quit_and_wait_during_a_run(qtbot) -> None:
    seen: list[int] = []
    worker = GeneratorWorker(lambda: counting(100_000, delay=0.001))
    worker.yielded.connect(seen.append)
    worker.start()
    qtbot.waitUntil(lambda: len(seen) >= 2, timeout=5000)  # the run is under way
    assert worker.is_running
    assert worker.quit_and_wait()
    assert not worker.is_running
    assert not [t for t in LIVE_THREADS if t.isRunning()]
    with qtbot.waitSignal(worker.finished, timeout=5000):  # the end is still reported
        pass
    assert len(seen) < 100_000


def test_a_thread_that_outlives_quit_and_wait_is_kept_until_it_ends(qtbot) -> None:
    """Qt aborts the process when a running QThread is destroyed: a worker whose generator does
    not reach its next item in time must stay alive, whoever drops it."""
    busy, release = threading.Event(), threading.Event()

    def stuck():
        yield 0
        busy.set()
        release.wait()  # one long item: a single huge update
        yield 1

    before = set(LIVE_THREADS)
    worker = GeneratorWorker(stuck)
    worker.start()
    (thread,) = (weakref.ref(t) for t in set(LIVE_THREADS) - before)  # the run's thread
    qtbot.waitUntil(busy.is_set, timeout=5000)
    assert not worker.quit_and_wait(timeout_ms=10)  # the generator is inside its long item
    assert worker.is_running
    del worker  # the caller lets go, as a closing window does
    gc.collect()
    assert thread() is not None and thread().isRunning()  # kept, not destroyed running
    release.set()
    qtbot.waitUntil(lambda: not [t for t in LIVE_THREADS if t.isRunning()], timeout=5000)
    assert thread() is None or not thread().isRunning()
