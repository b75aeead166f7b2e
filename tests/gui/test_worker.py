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
    worker = GeneratorWorker(lambda: counting(50, threads=threads))
    worker.yielded.connect(lambda item: seen.append((item, QThread.currentThread())))
    with qtbot.waitSignal(worker.finished, timeout=5000):
        worker.start()
    assert [i for i, _ in seen] == list(range(50))
    main = QThread.currentThread()
    assert all(t is main for _, t in seen)  # slots run on the GUI thread
    assert threading.get_ident() not in threads  # the generator ran elsewhere
    assert not worker.is_running
    assert worker._thread not in LIVE_THREADS


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
    seen: list[int] = []
    worker = GeneratorWorker(lambda: counting(30, delay=0.001))
    worker.yielded.connect(seen.append)
    worker.start()
    qtbot.waitUntil(lambda: len(seen) >= 2, timeout=5000)
    worker.pause()
    assert worker.is_paused
    qtbot.wait(100)
    held = len(seen)
    qtbot.wait(100)
    assert len(seen) <= held + 1  # at most the item in flight arrives while paused
    with qtbot.waitSignal(worker.finished, timeout=5000):
        worker.resume()
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
    worker = GeneratorWorker(lambda: counting(100_000, delay=0.001))
    worker.start()
    qtbot.wait(20)
    assert worker.quit_and_wait()
    assert not worker._thread.isRunning()


def test_a_thread_that_outlives_quit_and_wait_is_kept_until_it_ends(qtbot) -> None:
    """Qt aborts the process when a running QThread is destroyed: a worker whose generator does
    not reach its next item in time must stay alive, whoever drops it."""
    busy, release = threading.Event(), threading.Event()

    def stuck():
        yield 0
        busy.set()
        release.wait()  # one long item: a single huge update
        yield 1

    worker = GeneratorWorker(stuck)
    thread = weakref.ref(worker._thread)
    worker.start()
    qtbot.waitUntil(busy.is_set, timeout=5000)
    assert not worker.quit_and_wait(timeout_ms=10)
    del worker  # the caller lets go, as a closing window does
    gc.collect()
    assert thread() is not None and thread().isRunning()  # kept, not destroyed running
    release.set()
    qtbot.waitUntil(lambda: not [t for t in LIVE_THREADS if t.isRunning()], timeout=5000)
    assert thread() is None or not thread().isRunning()
