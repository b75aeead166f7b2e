"""The pair of runs Compare mode shows: two follower sessions driven by the main session.

Each side is a :class:`TwinSession`, a :class:`~gui.session.Session` whose trace is given (one of
the two traces of :func:`core.compare.run_twins`) and whose cursor and notation follow the main
session's, so the existing panels and graph views draw a side without knowing it is one.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from core.bptt import Trace
from core.compare import Side, Twin, TwinTraces, run_twins
from core.tdl import TDL
from gui.session import Session


class TwinSession(Session):
    """A session over a given trace that follows ``leader``'s cursor, notation and data.

    Parameters
    ----------
    leader : the main window's session (its data set, sequence, cursor and notation).
    trace : the side's trace, on the leader's current sequence.
    """

    def __init__(self, leader: Session, trace: Trace, parent: QObject | None = None) -> None:
        self._given = trace  # read by _compute_trace while Session builds itself
        super().__init__(trace.net, leader.dataset, parent)
        self._leader = leader
        self._index = leader.sequence_index
        self._truncation, self._mode = trace.truncation, trace.mode
        self.set_notation(leader.notation.key)
        self.seek(leader.position)
        leader.cursorChanged.connect(self._on_leader_cursor_changed)
        leader.notationChanged.connect(self._on_leader_notation_changed)

    def set_trace(self, trace: Trace) -> None:
        """Show a new trace of this side (same cursor position where it exists)."""
        self._given = trace
        self._net, self._dataset = trace.net, self._leader.dataset
        self._index = self._leader.sequence_index
        self._truncation, self._mode = trace.truncation, trace.mode
        self._retrace(keep_cursor=False)
        self.seek(self._leader.position)

    def _compute_trace(self) -> Trace:
        return self._given

    def _on_leader_cursor_changed(self, position: int) -> None:
        self.seek(position)

    def _on_leader_notation_changed(self) -> None:
        self.set_notation(self._leader.notation.key)


def base_side(session: Session) -> Side:
    """What both sides share unless the variation says otherwise: the session's network (a
    tapped delay line with its window) and truncation."""
    net = session.net
    window = net.window if isinstance(net, TDL) else None
    return Side(session.truncation, session.mode, net.context, net.hidden, window=window)


#: what Compare mode opens with: BPTT(1) against full BPTT
DEFAULT_CHOICE = ("truncation", (1, "sliding"), None)


class TwinPair(QObject):
    """The chosen variation and values, their traces on the leader's sequence, two sessions.

    The twin is made again from the leader's network and truncation (:func:`base_side`) whenever
    the leader gets a new trace, so both sides always start from the network on screen.

    Signals: ``twinsChanged`` after new traces (a new choice, network, data set or sequence);
    ``cursorChanged(int)`` relays the leader's cursor after both sides have followed it;
    ``problem(str)`` when the leader's new network cannot take the choice (it falls back to the
    default choice).
    """

    twinsChanged = Signal()
    cursorChanged = Signal(int)
    problem = Signal(str)

    def __init__(self, leader: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.leader = leader
        self.choice: tuple[str, object, object] = DEFAULT_CHOICE
        self.twin = self._twin(self.choice)
        self.traces = self._run(self.twin)
        self.sessions = (
            TwinSession(leader, self.traces.a, self),
            TwinSession(leader, self.traces.b, self),
        )
        leader.traceChanged.connect(self._on_leader_trace_changed)
        leader.cursorChanged.connect(self.cursorChanged)  # connected after the sessions'

    @property
    def position(self) -> int:
        return self.leader.position

    def set_choice(self, variation: str, value_a: object, value_b: object) -> None:
        """Compare ``value_a`` with ``value_b`` of ``variation``; raises ValueError naming the
        problem, changing nothing, when the twin cannot be built."""
        choice = (variation, value_a, value_b)
        twin = self._twin(choice)
        traces = self._run(twin)
        self.choice, self.twin = choice, twin
        self._show(traces)

    def _twin(self, choice: tuple[str, object, object]) -> Twin:
        return Twin.of(*choice, base=base_side(self.leader))

    def _run(self, twin: Twin) -> TwinTraces:
        seq = self.leader.dataset.sequences[self.leader.sequence_index]
        return run_twins(self.leader.net, twin, seq.x, seq.d)

    def _show(self, traces: TwinTraces) -> None:
        self.traces = traces
        self.sessions[0].set_trace(traces.a)
        self.sessions[1].set_trace(traces.b)
        self.twinsChanged.emit()

    def _on_leader_trace_changed(self) -> None:
        problem = ""
        try:
            twin = self._twin(self.choice)
            traces = self._run(twin)
        except ValueError as exc:
            problem = f"{exc}; comparing {DEFAULT_CHOICE[0]} instead"
            self.choice = DEFAULT_CHOICE
            twin = self._twin(self.choice)
            traces = self._run(twin)
        self.twin = twin
        self._show(traces)
        if problem:
            self.problem.emit(problem)
