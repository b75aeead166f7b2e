"""The training run behind the GUI: ``core.training.train`` in a child process (or a worker
thread), observed at a bounded rate.

Where the run computes (``TRAINER``): by default in a child process
(:class:`core.training_process.TrainingProcess`), whose items a worker thread reads from a pipe.
A training thread in this process would share the GIL with the window: every time the GUI
thread let go of it (each call into Qt that releases it) it waited up to the switch interval to
get it back, and 20-30 ms of drawing became 70-100 ms in which the window did not respond
(``benchmarks/bench_training_gui.py`` prints both side by side). A child has its own
interpreter; a new run takes a child started ahead (``core.child.prestart``) so that it
does not wait for one to load numpy.

The trainer is a plain generator yielding one immutable :class:`~core.training.EpochRecord` per
epoch and, every ``PROGRESS_INTERVAL_S`` inside a long epoch, a light
:class:`~core.training.Progress` holding the network after the last whole update
(``core/training.py``). :class:`TrainingController` drives it in a
:class:`~gui.training.worker.GeneratorWorker`, which checks Pause and Stop between any two items,
so both take effect within about ``PROGRESS_INTERVAL_S`` plus one update, however long an epoch
is. The worker queues the items instead of signalling each (a signal per epoch woke the GUI
thread a hundred times a second, each time taking the GIL from training); a timer collects them
every ``FLUSH_INTERVAL_MS`` and turns them into streams for the GUI, however fast they come:

* ``recordsArrived(list)``: the records received since the last flush, one batch every
  ``FLUSH_INTERVAL_MS`` (4 per second; a tick that updates the session's network leaves them
  to the next, so that the window never repaints plots and explorer at once), for plots and
  the progress bar;
* ``progressArrived(Progress)``: where the epoch in progress is, at the same pace;
* the session's network follows the latest network (of a record or a progress report) at most
  every ``NETWORK_INTERVAL_S``, so the graphs, heatmaps and gradient panels show the network
  learning on the selected sequence. The update is paced (``Session.set_network(paced=True)``):
  the views redraw one per event-loop turn, so that no turn of the GUI thread takes the time of
  all of them and the window keeps responding.

The network updates keep to a budget: the next one waits until the GUI thread has used at most
``GUI_CPU_BUDGET`` of the wall time since the last one (``time.thread_time``: CPU time, not time
spent waiting), and at most ``NETWORK_INTERVAL_MAX_S``. Light views follow at 4 Hz; a window
full of heavy views updates less often instead of slowing training down. A run in a child
process only shares the machine's cores with the window (``GUI_CPU_BUDGET``, a quarter); a run
in a thread shares the GIL, which costs it more than the GUI's CPU time - every hand-over wakes
threads, and one network update of the default window (about 20 ms of CPU for the new trace and
the views' paint) is several hand-overs - so its budget is small
(``GUI_CPU_BUDGET_THREAD``).

When the run ends (all epochs, ``stop()``, divergence or an error) the session holds the final
network, ready to step. A diverged run ends on the last network whose weights were finite
(``record.net`` of the final record, see ``core/training.py``); a run stopped inside an epoch ends
on the network after its last whole update (``progress``), and no record claims that epoch.
"""

from __future__ import annotations

import csv
import io
import math
import os
import time
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from core import child
from core.model import SRN
from core.modelio import atomic_write_text
from core.tdl import TDL
from core.training import EpochRecord, Progress, TrainConfig, train
from core.training_process import TrainingProcess
from gui.errors import describe
from gui.session import NetworkOrigin, Session
from gui.training import sharing
from gui.training.worker import GeneratorWorker

#: where a run computes: ``"process"``, a child process (``core/training_process.py``; the window
#: and training then never wait for each other's GIL), or ``"thread"``, a thread of this process
#: (the ``train`` of this module: what a test that replaces it uses)
TRAINER = "process"
#: how often the trainer reports inside an epoch (s): the latency of Pause, Stop and closing
PROGRESS_INTERVAL_S = 0.05
#: how often the worker's items are collected and handed to the GUI in one batch (ms): 4 Hz, the
#: pace of the plots (each look wakes the GUI thread, which takes the GIL from training)
FLUSH_INTERVAL_MS = 250
#: the session's network follows training at most this often (s)
NETWORK_INTERVAL_S = 0.25
#: the share of the GUI thread's CPU time (since the last network update) that allows the next,
#: with the run in a child process, and with the run in a thread (which the GIL slows down)
GUI_CPU_BUDGET = 0.25
GUI_CPU_BUDGET_THREAD = 0.03
#: the session's network follows training at least this often (s), however heavy the views
NETWORK_INTERVAL_MAX_S = 2.0
#: while a run goes, the session follows its network only when one trace of the shown sequence
#: takes at most this long (s): a longer one would freeze the window at every update (a long
#: sequence); the explorer then shows the network at Pause and at the end
FOLLOW_TRACE_LIMIT_S = 0.1
#: the most snapshots kept for replay; beyond it every other one is dropped
SNAPSHOT_CAP = 400

CSV_COLUMNS = ("epoch", "loss", "grad_norm", "clipped_norm", "score", "elapsed_s")


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A network of the run: ``net`` after ``epoch`` epochs (0 is the network the run started
    from) and ``updates`` updates of the next one (a run stopped inside an epoch)."""

    epoch: int
    net: SRN | TDL
    updates: int = 0


class TrainingController(QObject):
    """Start, pause, resume, stop and reset one training run of the session's network.

    Parameters
    ----------
    session : whose network is trained on whose data set; it is updated as training goes.
    parent : the owning QObject.

    Signals
    -------
    stateChanged(str) : ``"idle"``, ``"running"`` or ``"paused"``.
    recordsArrived(list) : the EpochRecords received since the last batch (throttled).
    progressArrived(object) : the latest :class:`~core.training.Progress` inside an epoch
        (throttled like ``recordsArrived``).
    historyReset() : the history was emptied (a new run started, or the run was discarded).
    finished(str) : the run ended; the reason is ``"finished"``, ``"stopped"``, the divergence
        reason of the final record, or ``"failed: <message>"``.
    """

    stateChanged = Signal(str)
    recordsArrived = Signal(list)
    progressArrived = Signal(object)
    historyReset = Signal()
    finished = Signal(str)

    def __init__(self, session: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._state = "idle"
        self._worker: GeneratorWorker | None = None
        self._remote: TrainingProcess | None = None  # the run's child process (TRAINER)
        self._run = 0  # id of the current run; signals of abandoned runs are ignored
        self._config: TrainConfig | None = None
        self._history: list[EpochRecord] = []
        self._pending: list[EpochRecord] = []
        self._received = 0  # items collected from the worker in this run
        self._snapshots: list[Snapshot] = []
        self._stride = 1  # keep the net of every stride-th epoch as a snapshot
        self._start_net: SRN | TDL | None = None
        self._start_modified = False
        self._epochs_before = 0  # epochs the starting network had already been trained
        self._shown_epoch: int | None = None  # the run's epoch whose net the session shows
        self._shown_updates = 0  # and the updates of the next epoch after it (a stopped run)
        self._progress: Progress | None = None  # inside the epoch after the last record
        self._progress_sent: Progress | None = None
        self._stop_requested = False
        self._follow = True  # whether the session follows the run (not after a data change)
        self._error: BaseException | None = None
        self._last_reason = ""
        self._last_push = 0.0
        self._cpu_at_push = 0.0  # the GUI thread's CPU time at the last network update
        self._pushed: SRN | TDL | None = None
        self._followed = False  # the last timer tick updated the session's network
        self._sharing = False  # this run counts in ``sharing`` (until its thread has ended)
        self._timer = QTimer(self)
        self._timer.setInterval(FLUSH_INTERVAL_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        session.networkChanged.connect(self._on_session_network_changed)
        session.datasetChanged.connect(self._on_session_dataset_changed)

    # -- read access ------------------------------------------------------------------------------
    @property
    def session(self) -> Session:
        return self._session

    @property
    def state(self) -> str:
        return self._state

    @property
    def config(self) -> TrainConfig | None:
        """The settings of the current (or last) run."""
        return self._config

    @property
    def history(self) -> list[EpochRecord]:
        """One record per epoch received in this run, in order (a copy)."""
        return list(self._history)

    @property
    def snapshots(self) -> list[Snapshot]:
        """Networks of the run for replay, oldest first: the starting one, then at most
        ``SNAPSHOT_CAP`` evenly thinned epochs, always ending on the final network once the run
        is over."""
        return list(self._snapshots)

    @property
    def progress(self) -> Progress | None:
        """Where the run is inside the epoch after its last record (None at the end of an
        epoch); after a run stopped inside an epoch, where it stopped."""
        return self._progress

    @property
    def last_reason(self) -> str:
        """Why the last run ended (see ``finished``); empty before the first run ends."""
        return self._last_reason

    @property
    def process_id(self) -> int | None:
        """The process computing the current (or last) run: a child's id (``TRAINER``
        ``"process"``, once it has started), else None."""
        return None if self._remote is None else self._remote.pid

    @property
    def holding(self) -> bool:
        """Paused, the trainer has confirmed that it computes nothing until resumed, and what it
        computed before has been collected (a trainer in a thread: it has been told to hold)."""
        if self._state != "paused" or self._worker is None:
            return False
        if self._remote is not None:  # and every item it computed has been collected
            held = self._remote.paused_at
            return held is not None and self._received >= held
        return self._worker.is_paused

    @property
    def follows_live(self) -> bool:
        """Whether the explorer follows the network while the run goes (one trace of the shown
        sequence takes at most ``FOLLOW_TRACE_LIMIT_S``); else it shows it at Pause and at the
        end."""
        return self._session.trace_seconds <= FOLLOW_TRACE_LIMIT_S

    @property
    def has_run(self) -> bool:
        """Whether there is a run to reset or replay."""
        return self._start_net is not None

    # -- control ----------------------------------------------------------------------------------
    def start(self, config: TrainConfig) -> None:
        """Train the session's network on the session's data set with ``config``.

        Raises
        ------
        RuntimeError
            When a run is already going.
        ValueError
            When the network does not fit the data, or the config is not a TrainConfig
            (``core.training.train`` checks its arguments before the first epoch).
        """
        if self._state != "idle":
            raise RuntimeError("training is already running; stop it first")
        net = self._session.net
        # the arguments are checked now, in this thread; the work runs in the worker's thread
        # (TRAINER "thread") or in a child process whose items that thread reads
        remote: TrainingProcess | None = None
        if TRAINER == "process":
            remote = TrainingProcess(
                net, self._session.dataset, config, progress_every=PROGRESS_INTERVAL_S
            )
            items = remote.items
        else:
            generator = train(
                net, self._session.dataset, config, progress_every=PROGRESS_INTERVAL_S
            )
            items = lambda: generator  # noqa: E731
        self._epochs_before = self._epochs_done()  # continuing from an earlier run?
        self._shown_epoch, self._shown_updates = 0, 0
        self._progress = self._progress_sent = None
        self._run += 1
        run = self._run
        self._config = config
        self._history, self._pending, self._received = [], [], 0
        self._snapshots, self._stride = [Snapshot(0, net)], 1
        self._start_net, self._start_modified = net, self._session.modified
        self._stop_requested, self._error, self._follow = False, None, True
        self._pushed, self._last_push, self._cpu_at_push = net, time.monotonic(), time.thread_time()
        self._followed = False

        worker = GeneratorWorker(items, queued=True)  # collected by the timer
        self._remote = remote
        worker.errored.connect(lambda exc: self._on_worker_errored(run, exc))
        worker.finished.connect(lambda: self._on_worker_finished(run))
        self._worker = worker  # the previous worker, if any, has finished: dropping it is safe
        self._set_state("running")
        self.historyReset.emit()  # with the state already "running": a new run begins
        self._timer.start()
        sharing.run_started()  # a short switch interval, the collector off long-lived objects
        self._sharing = True
        worker.start()  # last: what the views redo for a new run does not compete for the GIL

    def pause(self) -> None:
        """Hold training after the update in progress; the session shows the network it holds
        (the one after that update, once it has arrived)."""
        if self._state == "running" and self._worker is not None:
            if self._remote is not None:  # the child holds; the worker reads the item in flight
                self._remote.pause()
            else:
                self._worker.pause()
            self._set_state("paused")
            self._flush(force_network=True)

    def resume(self) -> None:
        if self._state == "paused" and self._worker is not None:
            if self._remote is not None:
                self._remote.resume()
            else:
                self._worker.resume()
            self._set_state("running")

    def stop(self) -> None:
        """End the run after the update in progress, keeping the weights reached (an unfinished
        epoch gets no record).

        Returns at once; ``finished("stopped")`` follows when the worker has stopped.
        """
        if self._state != "idle" and self._worker is not None:
            self._stop_requested = True
            if self._remote is not None:  # it ends after its item in flight, which arrives
                self._remote.stop()
            else:
                self._worker.abort()

    def reset(self) -> None:
        """Put back the network the run started from, asking nothing, and discard the run's
        history. A run still going is aborted first (this waits for the update in progress)."""
        self._abandon_worker()
        start, modified = self._start_net, self._start_modified
        self._clear_run()
        if start is not None and self._fits(start):
            self._show(start, modified=modified)

    def shutdown(self) -> None:
        """Abort the run and wait for its thread to end (for closing the window)."""
        if self._abandon_worker():
            self._last_reason = "stopped"

    def replay(self, index: int) -> Snapshot:
        """Show snapshot ``index`` of the finished run in the session (for the replay slider).

        Raises
        ------
        RuntimeError
            While training runs.
        IndexError
            When there is no such snapshot.
        """
        if self._state != "idle":
            raise RuntimeError("replay is available once training has stopped")
        snapshot = self._snapshots[index]
        at = (snapshot.epoch, snapshot.updates)
        if at != (self._shown_epoch, self._shown_updates) and self._fits(snapshot.net):
            modified = self._start_modified if at == (0, 0) else True
            self._shown_epoch, self._shown_updates = at
            self._show(snapshot.net, modified=modified)
        return snapshot

    # -- results ----------------------------------------------------------------------------------
    def loss_history_csv(self, path: str | os.PathLike[str]) -> None:
        """Write one row per completed epoch of the run (``CSV_COLUMNS``) to ``path`` atomically.

        The record of a diverged epoch is left out: its numbers describe the previous epoch's
        network. An empty score means the task has none. Raises ``OSError`` when the file
        cannot be written (the target is then untouched).
        """
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for r in self._history:
            if r.diverged is None:
                score = "" if r.score is None else repr(float(r.score))
                numbers = (r.loss, r.grad_norm, r.clipped_norm)
                writer.writerow([r.epoch, *map(repr, numbers), score, repr(r.elapsed)])
        atomic_write_text(path, buffer.getvalue())

    def training_settings(self) -> dict[str, Any]:
        """How the session's network was trained, as plain values for a model file.

        ``config`` is the TrainConfig of the run as a dict (None before any run), ``epochs_done``
        counts the completed epochs behind the network the session shows (earlier runs continued
        from included), ``final_loss`` and ``final_score`` are that network's, ``outcome`` is
        ``last_reason``. A network of a run stopped inside an epoch adds
        ``updates_after_epochs``, the updates of the unfinished epoch it has had; its loss and
        score were never measured (None).
        """
        record = self._shown_record()
        settings = {
            "config": None if self._config is None else self._config.as_dict(),
            "epochs_done": self._epochs_done(),
            "final_loss": None if record is None else float(record.loss),
            "final_score": None if record is None or record.score is None else record.score,
            "outcome": self._last_reason or None,
        }
        if self._shown_updates:
            settings["updates_after_epochs"] = self._shown_updates
        return settings

    # -- worker items and slots (GUI thread; records are immutable) -------------------------------
    def _collect(self) -> bool:
        """Take what the worker has yielded since the last look; True if anything came."""
        items = self._worker.take() if self._worker is not None else []
        self._received += len(items)
        for item in items:
            if isinstance(item, Progress):
                self._progress = item
            else:
                self._progress = None
                self._history.append(item)
                self._pending.append(item)
                self._keep_snapshot(item)
        return bool(items)

    def _on_worker_errored(self, run: int, exc: BaseException) -> None:
        if run == self._run:
            self._error = exc

    def _on_worker_finished(self, run: int) -> None:
        if run != self._run or self._state == "idle":
            return
        self._timer.stop()
        self._end_sharing()
        self._collect()  # the worker's last items: it has finished, so all of them
        last = self._history[-1] if self._history else None
        if self._error is not None:
            reason = f"failed: {describe(self._error)}"
        elif last is not None and last.diverged is not None:
            reason = last.diverged
        elif self._stop_requested:
            reason = "stopped"
        else:
            reason = "finished"
        progress = self._progress
        if progress is not None and progress.updates:  # stopped inside an epoch
            self._snapshots.append(Snapshot(progress.epoch - 1, progress.net, progress.updates))
        elif last is not None and self._snapshots[-1].net is not last.net:
            self._snapshots.append(Snapshot(self._epoch_of(last), last.net))
        self._flush(force_network=True)
        self._last_reason = reason
        self._set_state("idle")
        if self._remote is not None:
            child.prestart()  # the next run starts without waiting for numpy
        self.finished.emit(reason)

    def _on_timer_timeout(self) -> None:
        arrived = self._collect()
        if arrived and self._state == "paused":  # the item in flight when pausing: show it now
            self._flush(force_network=True)
        elif not self._followed and self._follow_network(force=False):
            # The explorer's views redraw for this tick's network; the plots wait for the next
            # tick, so that a repaint of the window never does both (the longer the GUI thread
            # holds the GIL in one go, the longer it waits to get it back from training).
            self._followed = True
        else:
            self._followed = False
            self._hand_over()

    # -- session slots ----------------------------------------------------------------------------
    def _on_session_network_changed(self) -> None:
        if self._session.network_origin is NetworkOrigin.TRAINING:
            return  # this run's own network: progress, a replayed snapshot, the reset one
        # A network from elsewhere (a new architecture, a task, a loaded model) is not this run's.
        self._shown_epoch, self._shown_updates = None, 0
        if self._state != "idle":  # end the run without overwriting the network just set
            self._follow = False
            self.stop()
        elif self._start_net is not None:
            self._clear_run()

    def _on_session_dataset_changed(self) -> None:
        if self._state != "idle":
            # The run's data is gone: end it, and leave the network that came with the new data.
            self._follow = False
            self.stop()
        elif self._start_net is not None:
            self._clear_run()

    # -- internals --------------------------------------------------------------------------------
    def _set_state(self, state: str) -> None:
        if state != self._state:
            self._state = state
            self.stateChanged.emit(state)

    def _flush(self, *, force_network: bool) -> None:
        """Hand pending records to the GUI in one batch; let the session follow the latest
        network when it is due (or ``force_network``)."""
        self._hand_over()
        self._follow_network(force=force_network)
        if force_network:  # views still waiting for a paced network draw it now
            self._session.pacer.flush()

    def _hand_over(self) -> None:
        """Hand pending records to the GUI in one batch, and the latest progress report."""
        if self._pending:
            batch, self._pending = self._pending, []
            self.recordsArrived.emit(batch)
        progress = self._progress
        if progress is not None and progress is not self._progress_sent:
            self._progress_sent = progress
            self.progressArrived.emit(progress)

    def _follow_network(self, *, force: bool) -> bool:
        """Let the session show the latest network when it is due (or ``force``); True when it
        got a new one."""
        progress = self._progress
        if progress is not None:  # the network after the last whole update
            latest, at = progress.net, (progress.epoch - 1, progress.updates)
        elif self._history:
            record = self._history[-1]
            latest, at = record.net, (self._epoch_of(record), 0)
        else:
            return False
        if latest is self._pushed or not (force or self._network_due()):
            return False
        if not force and not self.follows_live:
            return False
        shown = self._follow and self._fits(latest)
        if shown:
            self._shown_epoch, self._shown_updates = at
            # while running, the views follow one per event-loop turn (Session.paced); a
            # forced update (pause, the end of the run) is drawn whole before anyone reads it
            self._show(latest, modified=True, paced=not force)
        self._pushed, self._last_push = latest, time.monotonic()
        self._cpu_at_push = time.thread_time()
        return shown

    def _network_due(self) -> bool:
        """Whether the session may follow training now (see the module docstring)."""
        waited = time.monotonic() - self._last_push
        used = time.thread_time() - self._cpu_at_push  # this (GUI) thread's CPU seconds
        budget = GUI_CPU_BUDGET if self._remote is not None else GUI_CPU_BUDGET_THREAD
        wanted = max(NETWORK_INTERVAL_S, used / budget)
        return waited >= min(wanted, NETWORK_INTERVAL_MAX_S)

    def _keep_snapshot(self, record: EpochRecord) -> None:
        """Keep every ``stride``-th network; past the cap, drop every other and double it."""
        if record.diverged is not None or record.epoch % self._stride:
            return
        self._snapshots.append(Snapshot(record.epoch, record.net))
        if len(self._snapshots) > SNAPSHOT_CAP:
            self._snapshots = self._snapshots[::2]  # keeps epoch 0 and multiples of 2 * stride
            self._stride *= 2

    def _abandon_worker(self) -> bool:
        """Stop listening to the run, abort it and wait for its thread; True if one was going."""
        self._timer.stop()
        if self._worker is None or self._state == "idle":
            if self._worker is not None:
                self._worker.quit_and_wait()
            return False
        self._run += 1  # late signals of this worker are ignored from now on
        if self._remote is not None:  # its item in flight is not wanted: end it now
            self._remote.kill()
        self._worker.quit_and_wait()
        self._end_sharing()
        self._pending = []
        self._set_state("idle")
        return True

    def _end_sharing(self) -> None:
        if self._sharing:
            self._sharing = False
            sharing.run_ended()

    def _clear_run(self) -> None:
        self._history, self._pending, self._snapshots = [], [], []
        self._start_net, self._pushed, self._shown_epoch = None, None, None
        self._shown_updates, self._progress, self._progress_sent = 0, None, None
        self._epochs_before, self._last_reason = 0, ""
        self.historyReset.emit()

    def _shown_record(self) -> EpochRecord | None:
        """The last record of the run holding the network the session shows, or None (the
        starting network has none, unless the run diverged in its first epoch; nor has a
        network inside an epoch)."""
        if self._shown_epoch is None or self._shown_updates:
            return None
        for record in reversed(self._history):
            if self._epoch_of(record) == self._shown_epoch:
                return record
        return None

    def _epochs_done(self) -> int:
        """How many whole epochs trained the network the session shows, earlier runs continued
        from included; 0 when it is not a network of this run."""
        if self._shown_epoch is None:
            return 0
        return self._epochs_before + self._shown_epoch

    @staticmethod
    def _epoch_of(record: EpochRecord) -> int:
        """The epoch whose network a record holds (a diverged record holds the one before)."""
        return record.epoch - 1 if record.diverged is not None else record.epoch

    def _fits(self, net: SRN | TDL) -> bool:
        data = self._session.dataset
        return (net.n_in, net.n_out) == (data.n_in, data.n_out)

    def _show(self, net: SRN | TDL, *, modified: bool, paced: bool = False) -> None:
        """Give the session one of this run's networks (its own signal handler ignores it)."""
        self._session.set_network(
            net, origin=NetworkOrigin.TRAINING, modified=modified, paced=paced
        )


def format_duration(seconds: float) -> str:
    """A short human duration: ``"4 s"``, ``"2 min 05 s"``, ``"1 h 03 min"``."""
    if not math.isfinite(seconds) or seconds < 0:
        return "?"
    s = round(seconds)
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"
