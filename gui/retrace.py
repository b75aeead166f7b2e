"""Changing the shown sequence, the truncation or the network of a long sequence, without
freezing the window.

Each change computes a new trace: microseconds for the example, seconds for a sequence of a
million steps (``bptt``'s loop over time). :class:`Retracer` times what the change will cost
from the session's last trace (``Session.trace_seconds``, scaled by the steps); a change
expected to take longer than ``BACKGROUND_TRACE_S`` computes its trace in a child process
(``core.opening.trace_sequence`` as a :class:`~gui.child_job.ChildJob`, progress and Cancel)
and hands it to the session, which uses it instead of computing it again. Until then the
session shows what it showed; Cancel (or a failure) leaves it so, and ``reverted`` tells the
controls to show the session's setting again. Quick changes go to the session at once, as
before.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from core.model import SRN
from core.opening import Traced, trace_sequence
from core.tdl import TDL
from gui.child_job import ChildJob
from gui.errors import describe
from gui.session import NetworkOrigin, Session

#: a change whose trace is expected to take longer than this (s) computes it in the background
BACKGROUND_TRACE_S = 0.5


@dataclass(frozen=True, slots=True)
class _Wanted:
    """A change waiting for its trace: of the sequence shown, or of the truncation."""

    kind: str  # "sequence", "truncation" or "network"
    index: int
    truncation: int | None
    mode: str
    net: SRN | TDL  # the network it is traced with
    origin: NetworkOrigin = NetworkOrigin.USER  # a new network's, as Session.set_network takes
    modified: bool | None = None


class Retracer(QObject):
    """Sequence, truncation and network changes for the window's controls and docks.

    Signals
    -------
    reverted() : a background change was cancelled or failed; the session is as it was.
    failed(str) : why a background change failed (for a message).
    """

    reverted = Signal()
    failed = Signal(str)

    def __init__(self, session: Session, parent_widget: QWidget) -> None:
        super().__init__(parent_widget)
        self._session = session
        self.job = ChildJob(
            parent_widget,
            "Computing a trace",
            "Cancel (Esc) stops at once; the explorer keeps the sequence and truncation it shows",
        )
        self._wanted: _Wanted | None = None  # the change whose trace is being computed
        self.job.done.connect(self._on_job_done)
        self.job.failed.connect(self._on_job_failed)
        self.job.cancelled.connect(self._on_job_cancelled)

    def expected_seconds(self, T: int) -> float:
        """How long a trace of T steps should take, from the last one the session computed."""
        s = self._session
        return s.trace_seconds * T / max(s.trace.T, 1)

    def set_sequence(self, index: int) -> None:
        """Show sequence ``index`` (in the background when its trace is expected to be long)."""
        s = self._session
        if index == s.sequence_index:
            return
        seq = s.dataset.sequences[index]
        if self.expected_seconds(seq.T) <= BACKGROUND_TRACE_S:
            s.set_sequence(index)
            return
        self._start(_Wanted("sequence", index, s.truncation, s.mode, s.net))

    def set_truncation(self, truncation: int | None, mode: str = "sliding") -> None:
        """Use this truncation (in the background when the trace is expected to be long).
        Raises ValueError, changing nothing, when the session would refuse it."""
        s = self._session
        if (truncation, mode) == (s.truncation, s.mode):
            return
        s.check_truncation(truncation, mode)
        factor = 1.0
        if truncation is not None and mode == "sliding":
            factor = max(1.0, min(truncation, s.trace.T) / 2)  # k products a step, not about 2
        if self.expected_seconds(s.trace.T) * factor <= BACKGROUND_TRACE_S:
            s.set_truncation(truncation, mode)
            return
        self._start(_Wanted("truncation", s.sequence_index, truncation, mode, s.net))

    def set_network(
        self, net: SRN | TDL, *, origin: NetworkOrigin = NetworkOrigin.USER, modified: bool | None
    ) -> None:
        """Give the session ``net`` (in the background when its trace is expected to be long:
        the last trace's time scaled by the work of a step, H (H + I + O)). Raises ValueError,
        changing nothing, when the session would refuse it."""
        s = self._session
        s.check_network(net)
        old = s.net

        def step(n: SRN | TDL) -> float:
            return n.n_hidden * (n.n_hidden + n.n_in + n.n_out)

        if self.expected_seconds(s.trace.T) * step(net) / step(old) <= BACKGROUND_TRACE_S:
            s.set_network(net, origin=origin, modified=modified)
            return
        self._start(
            _Wanted("network", s.sequence_index, s.truncation, s.mode, net, origin, modified)
        )

    def _start(self, wanted: _Wanted) -> None:
        seq = self._session.dataset.sequences[wanted.index]
        if self._wanted is not None:  # a change still computing is dropped: controls resync
            self.job.shutdown()
            self._wanted = None
            self.reverted.emit()
        self._wanted = wanted
        self.job.start(
            f"Computing the trace of sequence {wanted.index + 1} ({seq.T:,} steps)...",
            {},
            trace_sequence,
            wanted.net,
            seq.x,
            seq.d,
            wanted.truncation,
            wanted.mode,
        )

    # -- the job's outcome ------------------------------------------------------------------------
    def _on_job_done(self, traced: object) -> None:
        wanted, self._wanted = self._wanted, None
        if wanted is None or not isinstance(traced, Traced):
            return
        trace, seconds = traced.trace, traced.seconds
        s = self._session
        if wanted.kind == "network":  # the child's copy of the new network: the network itself
            try:
                s.set_network(
                    wanted.net,
                    origin=wanted.origin,
                    modified=wanted.modified,
                    trace=trace.with_net(wanted.net),
                    trace_seconds=seconds,
                )
            except ValueError as exc:  # the data changed meanwhile
                self.failed.emit(describe(exc))
                self.reverted.emit()
            return
        # the child's copy of the network is replaced by the session's own; a network changed
        # meanwhile gets no trace, and the session computes its own
        given = trace.with_net(s.net) if s.net is wanted.net else None
        try:
            if wanted.kind == "sequence":
                s.set_sequence(wanted.index, trace=given, trace_seconds=seconds)
            else:
                s.set_truncation(wanted.truncation, wanted.mode, trace=given, trace_seconds=seconds)
        except (ValueError, IndexError) as exc:  # the data or network changed meanwhile
            self.failed.emit(describe(exc))
            self.reverted.emit()

    def _on_job_failed(self, exc: object) -> None:
        self._wanted = None
        self.failed.emit(describe(exc) if isinstance(exc, BaseException) else str(exc))
        self.reverted.emit()

    def _on_job_cancelled(self) -> None:
        self._wanted = None
        self.reverted.emit()
