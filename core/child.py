"""Long work in a child process: a generator function run by another Python interpreter, its
items read back here as an ordinary iterator (:class:`ChildRun`), with pause, resume, stop and
kill.

Why a process and not a thread: a worker thread and a window's thread in one interpreter take
turns holding the GIL. Every time the window's thread lets go of it (each call into Qt that
releases it) it waits to get it back until the worker is made to drop it - up to the switch
interval, 5 ms - so 30 ms of drawing became 70-100 ms in which the window did not respond, and
the work slowed by whatever the window drew. Nor can a thread be ended in the middle of one
long call (reading a file of a million rows). A child process has an interpreter of its own:
the two run side by side on two cores, neither waits for the other, and killing the child ends
its work at once.

What crosses between the two, through the child's standard input and output:

* to the child: the function (by its module and name) and its arguments, pickled once, then
  one-byte commands: ``p`` (pause after the item in flight), ``r`` (resume), ``s`` (stop after
  the item in flight); the end of its input (this process has closed the pipe or died) is a
  stop;
* from the child: pickled ``(kind, value)`` messages: ``("item", value)`` for each item the
  generator yields (an item with a ``net`` field - a training record - has None there when it
  is the network of the item before: the item read here then holds the very same object, as it
  would in one process, and nothing is drawn again for it), ``("paused", n)`` when it holds
  after its n-th item, ``("error", exception)`` and ``("end", n)`` after its n-th and last item.

The items are the values the generator yields in this process, computed by the same code on the
same numbers: a run in the child gives the same numbers, bit for bit. Nothing here knows about
Qt; the GUI iterates :meth:`ChildRun.items` in a worker thread that mostly waits on the pipe
(which does not hold the GIL). A spare child (:func:`prestart`) has its interpreter, numpy and
the engine loaded before it is needed.
"""

from __future__ import annotations

import atexit
import contextlib
import copyreg
import dataclasses
import functools
import os
import pickle
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import MappingProxyType
from typing import IO, Any

#: the folder that holds the ``core`` package: the child imports it from there
_ROOT = str(Path(__file__).resolve().parents[1])

PAUSE, RESUME, STOP = b"p", b"r", b"s"
#: what the child runs (imported, not run as ``__main__``: what it pickles names this module)
_CHILD = "import core.training; from core.child import main; raise SystemExit(main())"


def _read_only(mapping: dict[Any, Any]) -> MappingProxyType[Any, Any]:
    return MappingProxyType(mapping)


#: how values are pickled: read-only mappings (a data set's ``meta``) travel as mappings and are
#: read-only again on arrival; everything else as ``pickle`` does it
_DISPATCH = {**copyreg.dispatch_table, MappingProxyType: lambda m: (_read_only, (dict(m),))}


def _dump(value: Any, stream: IO[bytes]) -> None:
    """Pickle ``value`` to ``stream`` (with ``_DISPATCH``) and flush."""
    pickler = pickle.Pickler(stream, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _DISPATCH
    pickler.dump(value)
    stream.flush()


class ChildRun:
    """``function(*args, **kwargs)``, a generator function of a module (pickled by reference),
    in a child process.

    The child starts when :meth:`items` is first iterated, in the thread that iterates it, and
    ends with the iteration. :meth:`pause`, :meth:`resume`, :meth:`stop` and :meth:`kill` may
    be called from any thread at any time, before the child has started too. ``what`` names
    the work in the message about a child that ended unexpectedly.

    Attributes
    ----------
    received : items received so far.
    paused_at : while paused, how many items the child had sent when it stopped computing
        (None while it computes, and until it confirms a pause).
    pid : the child's process id once started, else None.
    """

    def __init__(
        self,
        function: Callable[..., Iterator[Any]],
        *args: Any,
        what: str = "child",
        **kwargs: Any,
    ) -> None:
        self._args: tuple[Any, ...] | None = (function, args, kwargs)
        self._what = what
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._ready = False  # the arguments have been sent: commands may follow
        self._paused = False
        self._stopped = False
        self._killed = False
        self.received = 0
        self.paused_at: int | None = None
        self.pid: int | None = None

    # -- control (any thread) ----------------------------------------------------------------------
    def pause(self) -> None:
        """Hold after the item in flight (the child confirms with ``paused_at``)."""
        with self._lock:
            self._paused = True
            self._command(PAUSE)

    def resume(self) -> None:
        with self._lock:
            self._paused = False
            self.paused_at = None
            self._command(RESUME)

    def stop(self) -> None:
        """End after the item in flight; the iteration ends after that item."""
        with self._lock:
            self._stopped = True
            self._command(STOP)

    def kill(self) -> None:
        """End the child now, dropping the item in flight; the iteration ends at once."""
        with self._lock:
            self._killed = True
            if self._proc is not None and self._proc.poll() is None:
                self._proc.kill()

    def _command(self, command: bytes) -> None:
        """Send one command when the child can read it (lock held); a child that has ended
        needs none."""
        if self._proc is None or not self._ready or self._proc.stdin is None:
            return
        try:
            self._proc.stdin.write(command)
            self._proc.stdin.flush()
        except OSError:  # the child has ended: its last messages tell why
            pass

    # -- the items (the consumer's thread) ---------------------------------------------------------
    def items(self) -> Iterator[Any]:
        """Start the child and yield what its generator yields. Raises the child's exception, or
        ``RuntimeError`` when it ended without saying why (killed from outside, out of memory).
        Closing the iterator early kills the child."""
        proc = self._start()
        if proc is None:
            return
        assert proc.stdin is not None and proc.stdout is not None
        ended = False
        last_net: Any = None
        try:
            self._send_arguments(proc)
            while True:
                try:
                    kind, value = pickle.load(proc.stdout)
                except (EOFError, OSError, pickle.UnpicklingError) as exc:
                    if self._killed:
                        return
                    status = proc.wait()
                    raise RuntimeError(
                        f"the {self._what} process ended unexpectedly (exit status {status})"
                    ) from exc
                if kind == "item":
                    self.received += 1
                    if _has_net(value):
                        if value.net is None:  # the same network as the item before
                            value = dataclasses.replace(value, net=last_net)
                        last_net = value.net
                    yield value
                elif kind == "paused":
                    with self._lock:
                        if self._paused:
                            self.paused_at = value
                elif kind == "error":
                    raise value
                else:  # "end"
                    ended = True
                    return
        finally:
            self._finish(proc, ended)

    def _start(self) -> subprocess.Popen[bytes] | None:
        with self._lock:
            if self._proc is not None:
                raise RuntimeError("a ChildRun runs once")
            if self._killed or self._stopped:
                return None
            self._proc = _take_spare() or _spawn()
            self.pid = self._proc.pid
            with _children_lock:
                _RUNS.add(self._proc)
            return self._proc

    def _send_arguments(self, proc: subprocess.Popen[bytes]) -> None:
        """Send the function and its arguments (outside the lock: a large data set takes a
        while), then the commands given meanwhile."""
        assert proc.stdin is not None
        args, self._args = self._args, None  # the child holds them from now on
        try:
            _dump(args, proc.stdin)
        except OSError:  # killed meanwhile, or died: the read that follows says which
            return
        with self._lock:
            self._ready = True
            if self._stopped:
                self._command(STOP)
            elif self._paused:
                self._command(PAUSE)

    def _finish(self, proc: subprocess.Popen[bytes], ended: bool) -> None:
        """Make sure the child has ended (``ended``: it has sent its last message and exits by
        itself), reap it and close the pipes."""
        with self._lock:
            self._ready = False  # no command goes to a closed pipe
            if not ended and proc.poll() is None:  # nobody will read what it computes
                self._killed = True
                proc.kill()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        for stream in (proc.stdin, proc.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        with _children_lock:
            _RUNS.discard(proc)


# -- starting children -----------------------------------------------------------------------------
_spare: subprocess.Popen[bytes] | None = None
#: children computing a run, until they have ended and been reaped
_RUNS: set[subprocess.Popen[bytes]] = set()
_children_lock = threading.Lock()


def running() -> list[int]:
    """The process ids of the children computing a run now, not yet ended and reaped (the
    waiting spare is not one of them); the test suite checks none is left behind."""
    with _children_lock:
        return sorted(proc.pid for proc in _RUNS)


def _spawn() -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (_ROOT, env.get("PYTHONPATH")) if p)
    return subprocess.Popen(
        [sys.executable, "-c", _CHILD], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env
    )


def prestart() -> None:
    """Have a child ready for the next run: started now, it has its interpreter and numpy
    loaded (about 0.3 s) by the time a run asks for it. One is kept at most; it waits for its
    arguments and ends when this process ends (or :func:`discard_spare`)."""
    global _spare
    with _children_lock:
        if _spare is None or _spare.poll() is not None:
            _spare = _spawn()


def spare() -> int | None:
    """The process id of the child waiting for the next run, or None."""
    with _children_lock:
        return None if _spare is None else _spare.pid


def _take_spare() -> subprocess.Popen[bytes] | None:
    global _spare
    with _children_lock:
        spare, _spare = _spare, None
    if spare is not None and spare.poll() is None:
        return spare
    if spare is not None:
        spare.wait()
    return None


@atexit.register
def discard_spare() -> None:
    """End the waiting child, if any (closing its input ends it)."""
    spare = _take_spare()
    if spare is not None and spare.stdin is not None:
        with contextlib.suppress(OSError):
            spare.stdin.close()
        try:
            spare.wait(timeout=5)
        except subprocess.TimeoutExpired:
            spare.kill()
            spare.wait()
        if spare.stdout is not None:
            spare.stdout.close()


# -- the child -------------------------------------------------------------------------------------
class _Control:
    """The commands the parent has sent, read by a thread of their own."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self.paused = False
        self.stopped = False

    def listen(self, stream: IO[bytes]) -> None:
        while True:
            try:
                command = stream.read(1)
            except (OSError, ValueError):
                command = b""
            with self._cond:
                if command == PAUSE:
                    self.paused = True
                elif command == RESUME:
                    self.paused = False
                else:  # STOP, or the end of the input: the parent is done with us
                    self.stopped = True
                self._cond.notify_all()
                if self.stopped:
                    return

    def hold(self, on_pause: Callable[[], object]) -> bool:
        """Wait while paused (calling ``on_pause`` once when it starts); True when told to
        stop."""
        with self._cond:
            if self.paused and not self.stopped:
                on_pause()
                self._cond.wait_for(lambda: not self.paused or self.stopped)
            return self.stopped


def _portable(exc: BaseException) -> BaseException:
    """``exc`` if it survives pickling, else a RuntimeError with its message."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc


def _has_net(item: Any) -> bool:
    """Whether ``item`` is a dataclass with a ``net`` field (a training record)."""
    return dataclasses.is_dataclass(item) and any(f.name == "net" for f in dataclasses.fields(item))


def serve(inp: IO[bytes], out: IO[bytes]) -> None:
    """Read a function and its arguments from ``inp``, run it, write its items to ``out`` (see
    the module docstring). Returns at once when ``inp`` ends first (a spare child not needed)."""
    try:
        function, args, kwargs = pickle.load(inp)
    except EOFError:
        return
    control = _Control()
    threading.Thread(target=control.listen, args=(inp,), daemon=True).start()
    sent = 0
    last_net = None
    try:
        items = function(*args, **kwargs)
    except Exception as exc:  # its arguments were refused
        _dump(("error", _portable(exc)), out)
        _dump(("end", sent), out)
        return
    try:
        for item in items:
            has_net = _has_net(item)
            if has_net and item.net is last_net:  # unchanged (an epoch of one update): not again
                _dump(("item", dataclasses.replace(item, net=None)), out)
            else:
                _dump(("item", item), out)
            if has_net:
                last_net = item.net
            sent += 1
            if control.hold(functools.partial(_dump, ("paused", sent), out)):
                break
    except Exception as exc:  # reported to the parent, which shows it
        _dump(("error", _portable(exc)), out)
    finally:
        close = getattr(items, "close", None)
        if close is not None:
            close()
    _dump(("end", sent), out)


def main() -> int:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the parent's to handle
    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print goes to the terminal, not into the stream
    with contextlib.suppress(BrokenPipeError):  # the parent has gone
        serve(sys.stdin.buffer, out)
    sys.stderr.flush()
    os._exit(0)  # no clean-up at exit that could write to a closed pipe
