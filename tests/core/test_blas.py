"""core.blas: the engine's one-BLAS-thread limit is set on the main thread and restored."""

from __future__ import annotations

import threading

import pytest

from core.blas import MIN_WORK, blas_threads, one_blas_thread

threadpoolctl = pytest.importorskip("threadpoolctl")


@pytest.fixture
def two_threads():
    """numpy's BLAS at two threads for the test (whatever the environment set), then as it was."""
    if blas_threads() is None:
        pytest.skip("threadpoolctl finds no BLAS in this numpy")
    with threadpoolctl.threadpool_limits(limits=2, user_api="blas"):
        if blas_threads() != 2:
            pytest.skip("this BLAS cannot be set to two threads")
        yield


def test_the_limit_holds_inside_and_is_restored_after(two_threads) -> None:
    with one_blas_thread():
        assert blas_threads() == 1
        with one_blas_thread():  # nested: the inner exit keeps the outer limit
            assert blas_threads() == 1
        assert blas_threads() == 1
    assert blas_threads() == 2


def test_the_limit_is_restored_after_an_error(two_threads) -> None:
    with pytest.raises(ValueError, match="inside"), one_blas_thread():
        raise ValueError("inside")
    assert blas_threads() == 2


def test_small_work_is_left_alone(two_threads) -> None:
    with one_blas_thread(MIN_WORK - 1):
        assert blas_threads() == 2
    with one_blas_thread(MIN_WORK):
        assert blas_threads() == 1


def test_a_worker_thread_leaves_the_setting_alone(two_threads) -> None:
    """OpenBLAS ignores a raised count from another thread, so a worker must not lower it."""
    seen = {}

    def work() -> None:
        with one_blas_thread():
            seen["worker"] = blas_threads()

    worker = threading.Thread(target=work)
    worker.start()
    worker.join(10)
    assert seen == {"worker": 2}
    assert blas_threads() == 2
