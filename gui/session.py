"""The session: the current network, data, trace, cursor and notation, observed by every view.

Data flows one way: the session asks core for an immutable trace, a cursor position selects a
moment of it, and views redraw from ``(trace, state)`` when told by a signal:

* ``traceChanged``: a new trace (network, data set, sequence or truncation changed); views rebuild.
* ``cursorChanged(int)``: the cursor moved; views update what depends on the position only.
* ``notationChanged``: labels, tooltips and equations must be rewritten.
* ``networkChanged`` / ``datasetChanged``: emitted before ``traceChanged`` for panels that show
  the configuration; ``network_origin`` says who set the network (a :class:`NetworkOrigin`).
* ``selectionChanged(object)``: the user pointed at a node, edge or cell (a core Selection).
* ``modifiedChanged(bool)``: the network has (or no longer has) changes not saved to a file.
* ``pathChanged(str)``: the model file the network was opened from or saved to ("" when the
  network is in no file: a new network is untitled, so Save asks for a name).
* ``truncationChanged``: full BPTT or truncation k and its mode (the one setting that the
  explorer and training share); emitted before ``traceChanged``.

``untrained_net`` is the network as it was before any training: the last one set by anyone but
the training controller (the user, a task or a file; a rescaled W is a new start too). Training
starts from it and Reset returns to it, and the state-space view draws its hidden states as the
baseline of Kolen (1994), who showed that untrained recurrent networks already cluster their
states. A model file keeps no earlier weights, so a trained network read from one is its own
baseline.

A training run's networks arrive ``paced``: while ``paced`` is True the views do not redraw in
their slots but leave their update in ``pacer`` (a :class:`Pacer`), which runs one view per turn
of the event loop, so that the window keeps responding while the explorer follows training.
Every other change redraws at once.

``source`` records where the data came from (``{"task": name, "seed": s, "params": {...}}`` or
``{"file": path}``) so that a saved model can say what it was trained on.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable, Mapping

import numpy as np
import shiboken6
from PySide6.QtCore import QObject, QTimer, Signal

from core.bptt import Trace, bptt
from core.cursor import Cursor, StepState, phase_and_step, position_of, state_at
from core.data import Dataset, Sequence
from core.examples import example_dataset, example_network
from core.limits import sliding_problem, trace_problem
from core.model import SRN
from core.notation import DEFAULT_NOTATION, NOTATIONS, Notation
from core.selection import Selection
from core.tdl import TDL


class Pacer(QObject):
    """A queue of per-owner jobs, one run per event-loop turn (a 0 ms timer drains it).

    A new network from a training run makes every view of the explorer recompute and repaint.
    Done in one go that is one long turn of the GUI thread (about 36 ms of CPU for the default
    window, several times that in wall time while the training thread competes for the GIL).
    Paced, each view's update is a job here, so input, timers and the repaint of the view
    updated last come between two views. Posting again for an owner whose job still waits keeps
    one job at its place in the queue; a job whose owner has been deleted is dropped.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._jobs: dict[int, tuple[QObject, Callable[[], None]]] = {}
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._on_timer_timeout)

    def post(self, owner: QObject, job: Callable[[], None]) -> None:
        """Run ``job`` in a later turn (once, however often ``owner`` posts before it runs)."""
        key = id(owner)
        if key not in self._jobs:
            self._jobs[key] = (owner, job)
        if not self._timer.isActive():
            self._timer.start()

    def cancel(self, owner: QObject) -> None:
        """Forget ``owner``'s waiting job (it has caught up by other means)."""
        self._jobs.pop(id(owner), None)

    def pending(self) -> int:
        """How many jobs wait."""
        return len(self._jobs)

    def flush(self) -> None:
        """Run every waiting job now, in order."""
        while self._jobs:
            self._run_one()

    def _run_one(self) -> None:
        key = next(iter(self._jobs))
        owner, job = self._jobs.pop(key)
        if shiboken6.isValid(owner):
            job()

    def _on_timer_timeout(self) -> None:
        if self._jobs:
            self._run_one()
        if self._jobs:
            self._timer.start()


class NetworkOrigin(enum.Enum):
    """Who gave the session its current network.

    The training controller tells its own networks (a run's progress, a replayed snapshot, the
    network put back by Reset) from a network set by anyone else, which ends or discards the run.
    """

    #: built or chosen by the user: the Network dock's Apply, File > New, a command-line option
    USER = "user"
    #: the recommended network of a generated task, with its data
    TASK = "task"
    #: read from a model file, or made to fit a sequence file
    FILE = "file"
    #: set by the training controller
    TRAINING = "training"


class Session(QObject):
    """Holds what the window shows; changes go through its methods so that signals are emitted."""

    networkChanged = Signal()
    datasetChanged = Signal()
    traceChanged = Signal()
    cursorChanged = Signal(int)
    notationChanged = Signal()
    selectionChanged = Signal(object)
    modifiedChanged = Signal(bool)
    pathChanged = Signal(str)
    truncationChanged = Signal()

    def __init__(
        self,
        net: SRN | TDL | TDL | None = None,
        dataset: Dataset | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._net = net if net is not None else example_network()
        self._dataset = dataset if dataset is not None else example_dataset()
        self._truncation: int | None = None
        self._mode = "sliding"
        self._trace_seconds = 0.0
        self._check_fits(self._net, self._dataset)
        self._index = 0
        self._notation = NOTATIONS[DEFAULT_NOTATION]
        self._selection: Selection | None = None
        self._source: dict[str, object] = {"example": "Deep Learning ch. 10"}
        self._network_origin = NetworkOrigin.USER
        self._untrained = self._net
        self._modified = False
        self._path: str | None = None
        self._paced = False
        self.pacer = Pacer(self)
        self._trace = self._compute_trace()
        self._cursor = Cursor(self._trace, 0)
        self._state = state_at(self._trace, 0)

    # -- read access ------------------------------------------------------------------------------
    @property
    def net(self) -> SRN | TDL:
        return self._net

    @property
    def dataset(self) -> Dataset:
        return self._dataset

    @property
    def sequence_index(self) -> int:
        return self._index

    @property
    def truncation(self) -> int | None:
        return self._truncation

    @property
    def mode(self) -> str:
        return self._mode

    @property
    def trace(self) -> Trace:
        """The unbatched trace of the current sequence."""
        return self._trace

    @property
    def trace_seconds(self) -> float:
        """How long the last trace this session computed took (s): what one more costs."""
        return self._trace_seconds

    @property
    def cursor(self) -> Cursor:
        return self._cursor

    @property
    def position(self) -> int:
        return self._cursor.position

    @property
    def state(self) -> StepState:
        """What is known at the cursor (computed once per position)."""
        return self._state

    @property
    def notation(self) -> Notation:
        return self._notation

    @property
    def selection(self) -> Selection | None:
        return self._selection

    @property
    def source(self) -> dict[str, object]:
        return dict(self._source)

    @property
    def network_origin(self) -> NetworkOrigin:
        """Who set the current network (already the new one while ``networkChanged`` runs)."""
        return self._network_origin

    @property
    def untrained_net(self) -> SRN | TDL:
        """The network before any training: the last one not set by training (module docstring).

        The same object as ``net`` until training changes the network."""
        return self._untrained

    @property
    def modified(self) -> bool:
        """Whether the network has changes (training, a new architecture) not saved to a file."""
        return self._modified

    def set_modified(self, modified: bool) -> None:
        if modified != self._modified:
            self._modified = modified
            self.modifiedChanged.emit(modified)

    @property
    def path(self) -> str | None:
        """The model file holding the network, or None for a network in no file (untitled)."""
        return self._path

    def set_path(self, path: str | None) -> None:
        if path != self._path:
            self._path = path
            self.pathChanged.emit(path or "")

    @property
    def paced(self) -> bool:
        """True while the signals of a paced change are emitted: views leave their redraw to
        ``pacer`` instead of doing it in the slot."""
        return self._paced

    @property
    def n_positions(self) -> int:
        return 2 * self._trace.T + 1

    # -- changes that make a new trace ----------------------------------------------------------
    def set_network(
        self,
        net: SRN | TDL,
        *,
        origin: NetworkOrigin = NetworkOrigin.USER,
        modified: bool | None = None,
        paced: bool = False,
        trace: Trace | None = None,
        trace_seconds: float | None = None,
    ) -> None:
        """Replace the network (same data); the cursor keeps its (phase, t) where it can.

        ``origin`` says who sets it (``network_origin``); ``modified`` sets the unsaved-changes
        flag (left as it is when None). A network from anyone but training (which trains the
        current network further) is a new network, in no file: it becomes untitled, so a later
        Save asks for a name instead of overwriting the file of the network it replaced.
        With ``paced`` the views redraw over the next turns of the event loop, one per turn
        (see ``paced``). ``trace``, computed elsewhere (``gui/retrace.py``) in
        ``trace_seconds``, is used when it is the current sequence's trace with ``net`` and the
        session's truncation. Raises ValueError, changing nothing, when ``net`` does not fit
        the data (:meth:`check_network`).
        """
        self.check_network(net)
        seq = self._dataset.sequences[self._index]
        if trace is not None and not self._is_trace_of(
            trace, net, seq, self._truncation, self._mode
        ):
            trace = None
        self._net, self._network_origin = net, origin
        if origin is not NetworkOrigin.TRAINING:
            self._untrained = net
        self._paced = paced
        try:
            self.networkChanged.emit()
            self._retrace(keep_cursor=True, trace=trace, seconds=trace_seconds)
        finally:
            self._paced = False
        if origin is not NetworkOrigin.TRAINING:
            self.set_path(None)
        if modified is not None:
            self.set_modified(modified)

    def set_dataset(
        self,
        dataset: Dataset,
        net: SRN | TDL | TDL | None = None,
        *,
        source: Mapping[str, object] | None = None,
        modified: bool | None = None,
        origin: NetworkOrigin = NetworkOrigin.USER,
        path: str | None = None,
        trace: Trace | None = None,
        trace_seconds: float | None = None,
    ) -> None:
        """Replace the data (and optionally the network at the same time); cursor to start.

        ``origin`` says who sets ``net`` (unused without one). A new ``net`` is in no file
        (untitled) unless ``path`` names the model file it was read from; without ``net`` the
        network and its file stay. ``trace``, computed elsewhere (a file opened in the
        background, ``core/opening.py``) in ``trace_seconds``, is used instead of computing it
        again when it is the trace of that network on the first sequence with the session's
        truncation. Raises
        ValueError, changing nothing, when the data does not fit the network.
        """
        target = net if net is not None else self._net
        self._check_fits(target, dataset)
        if trace is not None and not self._is_trace_of(
            trace, target, dataset.sequences[0], self._truncation, self._mode
        ):
            trace = None
        self._dataset, self._net, self._index = dataset, target, 0
        self._source = dict(source) if source is not None else {"name": dataset.name}
        if net is not None:
            self._network_origin = origin
            if origin is not NetworkOrigin.TRAINING:
                self._untrained = net
            self.networkChanged.emit()
        self.datasetChanged.emit()
        self._retrace(keep_cursor=False, trace=trace, seconds=trace_seconds)
        if net is not None:
            self.set_path(path)
        if modified is not None:
            self.set_modified(modified)

    def set_sequence(
        self, index: int, *, trace: Trace | None = None, trace_seconds: float | None = None
    ) -> None:
        """Show sequence ``index`` of the data set; cursor to start. ``trace``, computed
        elsewhere (``gui/retrace.py``), is used when it is that sequence's trace with this
        network and truncation."""
        if not 0 <= index < len(self._dataset):
            raise IndexError(f"sequence {index} is outside 0..{len(self._dataset) - 1}")
        if index != self._index:
            seq = self._dataset.sequences[index]
            if trace is not None and not self._is_trace_of(
                trace, self._net, seq, self._truncation, self._mode
            ):
                trace = None
            self._index = index
            self._retrace(keep_cursor=False, trace=trace, seconds=trace_seconds)

    def set_truncation(
        self,
        truncation: int | None,
        mode: str = "sliding",
        *,
        trace: Trace | None = None,
        trace_seconds: float | None = None,
    ) -> None:
        """Full BPTT (None) or truncation k with ``mode`` sliding or chunked. ``trace``,
        computed elsewhere (``gui/retrace.py``), is used when it is the current sequence's trace
        with this network and that truncation.

        Raises ValueError, changing nothing, when sliding BPTT(k) of the longest sequence would
        exceed ``core.limits.MAX_SLIDING_WORK`` (:meth:`check_truncation`).
        """
        if (truncation, mode) != (self._truncation, self._mode):
            self.check_truncation(truncation, mode)
            seq = self._dataset.sequences[self._index]
            if trace is not None and not self._is_trace_of(trace, self._net, seq, truncation, mode):
                trace = None
            self._truncation, self._mode = truncation, mode
            self.truncationChanged.emit()
            self._retrace(keep_cursor=True, trace=trace, seconds=trace_seconds)

    def check_network(self, net: SRN | TDL) -> None:
        """ValueError when :meth:`set_network` would refuse ``net`` (it does not fit the data,
        or its trace or sliding truncation would be beyond ``core.limits``)."""
        self._check_fits(net, self._dataset)

    def check_truncation(self, truncation: int | None, mode: str = "sliding") -> None:
        """ValueError when :meth:`set_truncation` would refuse this setting."""
        self._check_sliding(self._net, self._dataset, truncation, mode)

    def set_notation(self, key: str) -> None:
        if key not in NOTATIONS:
            raise KeyError(f"unknown notation {key!r}; expected one of {list(NOTATIONS)}")
        if key != self._notation.key:
            self._notation = NOTATIONS[key]
            self.notationChanged.emit()

    def select(self, selection: Selection | None) -> None:
        self._selection = selection
        self.selectionChanged.emit(selection)

    # -- the cursor -------------------------------------------------------------------------------
    def seek(self, position: int) -> None:
        position = max(0, min(int(position), 2 * self._trace.T))
        if position != self._cursor.position:
            self._cursor = self._cursor.seek(position)
            self._state = state_at(self._trace, position)
            self.cursorChanged.emit(position)

    def step(self) -> None:
        self.seek(self._cursor.position + 1)

    def back(self) -> None:
        self.seek(self._cursor.position - 1)

    def to_start(self) -> None:
        self.seek(0)

    def to_end(self) -> None:
        self.seek(2 * self._trace.T)

    # -- internals --------------------------------------------------------------------------------
    def _check_fits(self, net: SRN | TDL, dataset: Dataset) -> None:
        if (net.n_in, net.n_out) != (dataset.n_in, dataset.n_out):
            raise ValueError(
                f"data set “{dataset.name}” has {dataset.n_in} inputs and {dataset.n_out} outputs; "
                f"the network has {net.n_in} and {net.n_out}"
            )
        # any of its sequences is shown: the longest one's trace must fit (core.limits)
        longest = max((seq.T for seq in dataset.sequences), default=0)
        problem = trace_problem(longest, net.n_in, net.n_hidden, net.n_out)
        if problem is not None:
            raise ValueError(f"data set “{dataset.name}”: {problem}")
        self._check_sliding(net, dataset, self._truncation, self._mode)

    @staticmethod
    def _check_sliding(net: SRN | TDL, dataset: Dataset, truncation: int | None, mode: str) -> None:
        """ValueError when sliding BPTT(k) of the longest sequence is beyond the window's
        bound (``core.limits.MAX_SLIDING_WORK``); a tapped delay line carries no delta back."""
        if isinstance(net, TDL):
            return
        longest = max((seq.T for seq in dataset.sequences), default=0)
        problem = sliding_problem(longest, net.n_hidden, truncation, mode)
        if problem is not None:
            raise ValueError(f"data set “{dataset.name}”: {problem}")

    def _compute_trace(self) -> Trace:
        """The trace of the current sequence (timed: ``trace_seconds``)."""
        seq = self._dataset.sequences[self._index]
        started = time.perf_counter()
        trace = bptt(self._net, seq.x, seq.d, truncation=self._truncation, mode=self._mode)
        self._trace_seconds = time.perf_counter() - started
        return trace

    @staticmethod
    def _is_trace_of(
        trace: Trace, net: SRN | TDL, seq: Sequence, truncation: int | None, mode: str
    ) -> bool:
        """Whether ``trace`` is what :meth:`_compute_trace` would give for ``net`` on ``seq``
        with that truncation (the arrays are compared, not trusted)."""
        mode = "full" if truncation is None else mode  # as bptt names it
        if trace.net is not net or (trace.truncation, trace.mode) != (truncation, mode):
            return False
        return bool(np.array_equal(trace.x, seq.x) and np.array_equal(trace.d, seq.d))

    def _retrace(
        self, *, keep_cursor: bool, trace: Trace | None = None, seconds: float | None = None
    ) -> None:
        """Show a new trace: ``trace`` when given (computed elsewhere in ``seconds``, which
        ``trace_seconds`` then reports), else one computed now."""
        old_T = self._trace.T
        phase, t = phase_and_step(old_T, self._cursor.position)
        if trace is None:
            trace = self._compute_trace()
        elif seconds is not None:
            self._trace_seconds = seconds
        self._trace = trace
        T = self._trace.T
        position = position_of(T, phase, t) if keep_cursor and t <= T else 0
        self._cursor = Cursor(self._trace, position)
        self._state = state_at(self._trace, position)
        self.traceChanged.emit()
        self.cursorChanged.emit(position)
