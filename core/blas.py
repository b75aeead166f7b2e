"""One BLAS thread for the engine's long loops over time.

The sweeps of BPTT are a loop of small products, one per step: a(t) needs h(t-1), so the T
products of the forward sweep (and of the backward sweep) cannot be batched, and each is a
(1, H+1+I) x (H+1+I, H) matrix-vector product of a few tens of microseconds. The gradient sums
after them are long thin products over all steps. A multi-threaded BLAS (numpy's OpenBLAS starts
one thread per core) hands every such product to its threads and waits for them; on a machine
whose other cores are busy that wait costs more than the product: measured on 2 cores with one
kept busy, the sweeps and kept gradient sums of a 20,000-step, 256-unit trace took 0.9 to 3.8 s
(median 1.4 s) with the default threads and 0.7 to 0.8 s with one; the thin product for
dL/dV alone took 0.4 s with the default threads, 7 ms with one (``benchmarks/bench_large.py``
prints both settings).

:func:`one_blas_thread` limits numpy's BLAS to one thread while the engine runs, through
``threadpoolctl`` (which finds the BLAS numpy loaded and calls its own thread setting), and
restores the setting after. The setting is process-wide, and OpenBLAS takes a raised thread
count only from the main thread (one raised from another thread is ignored: the limit would
stay for good), so only the main thread sets and restores it: the GUI's traces, the command
line and scripts. A worker thread's call (training, an analysis) runs with the setting as it
finds it. Work below :data:`MIN_WORK` multiply-adds runs as it is (setting the limit costs
about 10 microseconds, and products that small are not threaded by OpenBLAS anyway).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Final

#: below this many multiply-adds a call is left alone (a small training batch, a lesson's trace)
MIN_WORK: Final = 1 << 22

#: the main thread's nesting depth, the limit it set (to restore) and threadpoolctl's controller
_state: dict[str, Any] = {"depth": 0, "limiter": None, "controller": None}


def _controller() -> Any:
    """threadpoolctl's view of the loaded BLAS libraries, made once (it reads the process's
    loaded libraries, a few milliseconds), or None without threadpoolctl."""
    if _state["controller"] is None:
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:  # an install without it runs with the BLAS's own threads
            _state["controller"] = False
        else:
            _state["controller"] = ThreadpoolController()
    return _state["controller"] or None


def blas_threads() -> int | None:
    """The threads numpy's BLAS uses now (None when it cannot be asked)."""
    controller = _controller()
    if controller is None:
        return None
    blas = controller.select(user_api="blas")
    threads = [lib.num_threads for lib in blas.lib_controllers]
    return max(threads) if threads else None


@contextmanager
def one_blas_thread(work: float = float("inf")) -> Iterator[None]:
    """Run the body with numpy's BLAS limited to one thread (on the main thread, when ``work``
    >= :data:`MIN_WORK`); nested uses keep the outermost limit until it ends.

    Parameters
    ----------
    work : the multiply-adds the body does, roughly (T x B x H x (H + I + O) for a sweep).
    """
    if work < MIN_WORK or threading.current_thread() is not threading.main_thread():
        yield
        return
    if _state["depth"] == 0:
        controller = _controller()
        if controller is not None:
            _state["limiter"] = controller.limit(limits=1, user_api="blas")
    _state["depth"] += 1
    try:
        yield
    finally:
        _state["depth"] -= 1
        if _state["depth"] == 0 and _state["limiter"] is not None:
            _state["limiter"].restore_original_limits()
            _state["limiter"] = None
