"""How the GUI thread and a training thread share the interpreter while a run goes.

A run computes in a child process by default (``controller.TRAINER``); then only the worker
thread that reads its items shares this interpreter, and only the garbage collector setting
below still matters. With ``TRAINER = "thread"`` both threads run Python, and only the one
holding the GIL runs. What is changed, for as long as
at least one run goes (:func:`run_started` / :func:`run_ended`, counted, so that two runs of the
compare window nest):

* the cyclic garbage collector. A full collection visits every object the program holds (about
  100 000 for the main window: widgets, graphics items, their Python wrappers) and took 80 ms,
  in whichever thread allocated the object that tripped it, holding the GIL all along: the
  window froze. ``gc.freeze()`` at the start of a run moves everything alive then out of the
  collector's sight (what the run allocates is still collected, cycles among it too);
  ``gc.unfreeze()`` at the end gives it back, to be visited at a later collection as before -
  unless something was frozen before the run (``main.py`` freezes the window's objects when it
  starts): the collector cannot give back only what the run froze, so all of it stays frozen.

What is not changed: the switch interval (``sys.setswitchinterval``), how long a thread that
wants the GIL waits before it asks the holder to drop it. A shorter one bounds each wait of the
GUI thread for the GIL, but hands the GIL over more often in both directions; at 0.5 and 1 ms
``benchmarks/bench_training_gui.py`` measured no shorter stalls than at Python's 5 ms, and
training in the window ran slower. ``SWITCH_INTERVAL_S`` sets one for such comparisons.
"""

from __future__ import annotations

import gc
import sys

#: the switch interval while training runs (s), or None for Python's own (0.005 by default)
SWITCH_INTERVAL_S: float | None = None
#: whether long-lived objects are hidden from the garbage collector while training runs
FREEZE_GC = True

_runs = 0
_interval_before: float | None = None
_frozen = False


def run_started() -> None:
    """A run begins: share the interpreter for a responsive window (the first run changes the
    settings, nested runs only count)."""
    global _runs, _interval_before, _frozen
    _runs += 1
    if _runs > 1:
        return
    if SWITCH_INTERVAL_S is not None:
        _interval_before = sys.getswitchinterval()
        sys.setswitchinterval(SWITCH_INTERVAL_S)
    if FREEZE_GC:
        # objects frozen before (main.py freezes the window's when it starts) stay frozen: the
        # collector cannot give back only those this run froze
        _frozen = gc.get_freeze_count() == 0
        gc.freeze()


def run_ended() -> None:
    """A run has ended (its thread is done): the last one puts the settings back."""
    global _runs, _interval_before, _frozen
    if _runs == 0:
        return
    _runs -= 1
    if _runs > 0:
        return
    if _interval_before is not None:
        sys.setswitchinterval(_interval_before)
        _interval_before = None
    if _frozen:
        gc.unfreeze()
        _frozen = False


def runs() -> int:
    """How many runs share the interpreter now."""
    return _runs
