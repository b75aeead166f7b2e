"""The hidden state space of the data set, and the tree of mean hidden states per input symbol.

Left: every hidden state h_n(t) of the data set projected on its first two principal components
(core.analysis.state_space; Bodén 2001 section 6), drawn faint, with the current sequence's
trajectory p(0), p(1), ..., p(T) over it; p(t) = C (h(t) - mean) is labelled by the input x(t)
that led to it, p(0) = C (h0 - mean) is a square, and the cursor's step t is orange.

Under them, toggled by the "Untrained" box, the states of the untrained network (the session's
``untrained_net``: the network before any training) on the same data, projected in the same
axes and drawn as neutral crosses: Kolen (1994) showed that an untrained recurrent network
already clusters its states, so a cluster means something learned only where the untrained
network's states do not show it too (core.analysis.baseline_space).

Right: the average-linkage dendrogram of the mean hidden state after each input symbol, or after
each symbol in the context of the previous one (core.analysis.mean_by_symbol and dendrogram;
Elman 1990, Fig. 7), drawn sideways so that every leaf label gets a line of its own.

The analysis depends on the network and the data set only. It is recomputed when either changes,
not when the cursor moves or another sequence is shown (its trajectory is then projected with the
PCA already fitted). Its cost grows with the data set and H (reber, about 11 000 states: some
0.2 s with H = 16, 1.8 s with H = 256), so it runs off the GUI thread
(:func:`analysis_steps` in a :class:`~gui.analysis.job_panel.JobPanel`'s job) while the panel
can be seen, with a progress bar and Cancel; the pictures of the previous network stay, marked
stale, until the new ones are ready.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from numpy.typing import NDArray
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from core.analysis import (
    Baseline,
    Dendrogram,
    StateSpace,
    StatesProgress,
    baseline_space,
    dendrogram,
    hidden_states_steps,
    mean_by_symbol,
    state_space,
)
from core.cursor import StepState
from core.data import Dataset
from core.model import SRN
from core.notation import Notation
from core.tdl import TDL
from gui.analysis.job_panel import JobPanel
from gui.panels.base import changed
from gui.session import Session
from gui.widgets.canvas import canvas
from gui.widgets.colormaps import CURSOR, INK
from gui.widgets.heatmap import style_plot
from gui.widgets.legend_row import LegendRow
from gui.widgets.plots import ReadableAxis

#: point labels are drawn only for sequences of at most this many steps
MAX_POINT_LABELS = 40
#: below this width (pixels) the two plots are stacked instead of side by side
STACK_BELOW = 560
#: (label, context) of the dendrogram's grouping choices (``mean_by_symbol``'s ``context``)
CONTEXTS = (("by symbol", 0), ("by symbol in context", 1))
_CLOUD, _PATH, _TREE = "#c6c6c6", "#3182bd", "#404040"
#: the untrained network's states: a neutral brown-grey, no sign and no magnitude
_BASELINE = "#8c7b62"


@dataclass(frozen=True, slots=True)
class StateSpaceView:
    """What depends on the cursor and the notation: the highlighted step t and the texts."""

    t: int
    title: str
    x_label: str
    y_label: str
    legend: tuple[str, str, str, str, str]
    tree_title: str


@dataclass(frozen=True, slots=True, eq=False)  # arrays: compare with np.array_equal
class StateSpaceDisplay:
    """What the panel shows.

    Attributes
    ----------
    trajectory : (T+1, 2) the drawn path p(0..T); (0, 2) when nothing is drawn.
    highlight : (2,) the orange point p(t) at the cursor, or None.
    t : the highlighted step (0: h0).
    point_labels : the texts shown next to p(1..T): one per point, a label that would overlap
        an earlier one (in pixels) left out; empty when hidden for a long sequence.
    cloud_size : how many background states are drawn.
    baseline : (M, 2) the untrained network's states as drawn; (0, 2) when hidden or unknown.
    baseline_note : why no baseline is drawn, or what it is (the status of the Untrained box).
    title, x_label, y_label : the state-space plot's texts.
    leaf_labels : the dendrogram's leaves, top to bottom (empty without symbols).
    segments : (M, 2, 2) the dendrogram's lines ((x0, height0), (x1, height1)) in
        ``Dendrogram.segments`` coordinates (leaf i at x = i).
    message : the text shown instead of the dendrogram ("" when it is shown).
    stale : whether the pictures are older than the network or data set.
    """

    trajectory: NDArray[np.floating]
    highlight: NDArray[np.floating] | None
    t: int
    point_labels: tuple[str, ...]
    cloud_size: int
    baseline: NDArray[np.floating]
    baseline_note: str
    title: str
    x_label: str
    y_label: str
    leaf_labels: tuple[str, ...]
    segments: NDArray[np.floating]
    message: str
    stale: bool


def state_space_view(
    state: StepState,
    notation: Notation,
    space: StateSpace | None,
    jordan: bool = False,
) -> StateSpaceView:
    """The view state at a cursor position: p(t) is highlighted (p(0) = h0 at the start; a
    Jordan network or a tapped delay line (``jordan`` True: no h(0)) starts its path at h(1))."""
    h = notation["h"]
    legend = (
        f"{h}(t), all sequences",
        f"{h}(1..T), this sequence" if jordan else f"{h}(0..T), this sequence",
        f"{h}(1) (start)" if jordan else f"{notation['h0']} (start)",
        f"{h}(t) at the cursor",
        f"{h}(t), untrained network",
    )
    axes: tuple[str, ...]
    if space is None:
        axes = ("PC1", "PC2")
        title = f"{h}(t) in state space: not computed"
    else:
        ratio = space.pca.explained_variance_ratio
        axes = tuple(f"PC{i + 1} ({100 * ratio[i]:.0f}% of variance)" for i in range(2))
        title = f"{h}(t), sequence {space.sequence_index + 1}, PCA of all"
    tree = f"mean {h} per symbol"
    return StateSpaceView(state.t, title, axes[0], axes[1], legend, tree)


@dataclass(frozen=True, slots=True, eq=False)
class Analysis:
    """One network's hidden states on one data set, analysed (off the GUI thread).

    net, dataset : what was analysed.  states : :func:`core.analysis.hidden_states`.
    space : the PCA and the trajectory of the sequence shown when the analysis started.
    baseline : the untrained network's states in the same axes, or None with ``baseline_note``
    saying why; the note says which network the baseline is otherwise.
    trees : per entry of ``CONTEXTS``, the dendrogram, or the message shown instead of it.
    """

    net: SRN | TDL
    dataset: Dataset
    states: tuple[NDArray[np.floating], ...]
    space: StateSpace
    trees: tuple[Dendrogram | str, ...]
    baseline: Baseline | None = None
    baseline_note: str = ""


def analysis_steps(
    net: SRN | TDL,
    dataset: Dataset,
    sequence_index: int,
    untrained: SRN | TDL | None = None,
) -> Iterator[StatesProgress | Analysis]:
    """The hidden states batch by batch (their progress), then the :class:`Analysis`.

    ``untrained`` is the network before training (``Session.untrained_net``); its states are
    computed too, unless it is ``net`` itself, and projected in ``net``'s axes.
    """
    separate = untrained is not None and untrained is not net
    passes = 2 if separate else 1
    for progress in hidden_states_steps(net, dataset):
        if progress.states is None:
            yield StatesProgress(progress.done, passes * progress.total, None)
    states = progress.states
    assert states is not None
    untrained_states = states
    note = "the network shown has not been trained: its states are the baseline"
    if separate:
        assert untrained is not None
        try:
            for other in hidden_states_steps(untrained, dataset):
                if other.states is None:
                    yield StatesProgress(progress.total + other.done, 2 * progress.total, None)
            assert other.states is not None
            untrained_states = other.states
            note = "the network before training, on the same data, in the same axes"
        except ValueError as error:
            untrained_states, note = (), f"no untrained baseline: {error}"
    space = state_space(net, dataset, sequence_index, states=states)
    trees = tuple(_tree(net, dataset, states, context) for _, context in CONTEXTS)
    baseline = baseline_space(space, untrained_states) if untrained_states else None
    yield Analysis(net, dataset, states, space, trees, baseline, note)


def _tree(
    net: SRN | TDL, data: Dataset, states: tuple[NDArray[np.floating], ...], context: int
) -> Dendrogram | str:
    """The average-linkage tree of the mean states per symbol (in ``context``), or why not."""
    if not all(seq.symbols for seq in data.sequences):
        return (
            f"No dendrogram: the inputs of “{data.name}” are not symbols, so there is "
            "nothing to group the hidden states by."
        )
    try:
        labels, means = mean_by_symbol(net, data, context, states=states)
    except ValueError as error:
        return f"No dendrogram: {error}."
    if len(labels) < 2:
        return f"No dendrogram: only one group (“{labels[0]}”)."
    return dendrogram(labels, means, method="average")


class StateSpacePanel(JobPanel[StateSpaceView]):
    """PCA trajectory of the current sequence beside the dendrogram of per-symbol means.

    Parameters
    ----------
    session : the session to observe.  parent : the Qt parent.
    """

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self._analysis: Analysis | None = None  # what is pictured
        self._wanted: tuple[SRN | TDL, Dataset] | None = None  # what the latest job analyses
        self._failure = ""  # why the latest job found no analysis
        self._space: StateSpace | None = None
        self._trajectory = np.zeros((0, 2))
        self._labels: tuple[str, ...] = ()
        self._leaves: tuple[str, ...] = ()
        self._segments: NDArray[np.floating] = np.zeros((0, 2, 2))

        self.status = QLabel(" ")
        self.status.setStyleSheet("QLabel { padding: 2px 4px; }")
        self.status.setWordWrap(True)  # in a narrow dock the stale warning takes two lines
        self.recompute = QPushButton("Recompute")
        self.recompute.setToolTip("fit the PCA and the clustering to the current network and data")
        self.recompute.clicked.connect(self._on_recompute_clicked)
        self.context = QComboBox()
        for label, _ in CONTEXTS:
            self.context.addItem(label)
        self.context.setItemData(
            1, "the input symbol after the previous one", Qt.ItemDataRole.ToolTipRole
        )
        self.context.setToolTip(
            "group the hidden states by the input symbol alone or in context (after the previous "
            "symbol)"
        )
        self.context.currentIndexChanged.connect(self._on_context_changed)
        self.untrained = QCheckBox("&Untrained")  # Alt+U
        self.untrained.setChecked(True)
        self.untrained.setToolTip(
            "show the hidden states of the untrained network (the one before training) in the "
            "same axes, as neutral crosses: an untrained recurrent network already clusters its "
            "states (Kolen 1994), so only what differs from them was learned (Alt+U)"
        )
        self.untrained.toggled.connect(self._on_untrained_toggled)
        bar = QHBoxLayout()
        bar.setContentsMargins(4, 2, 4, 2)
        bar.addWidget(self.recompute)
        bar.addWidget(self.status, 1)
        bar.addWidget(self.untrained)
        bar.addWidget(self.context)

        self.space_canvas = canvas()
        axes = {side: ReadableAxis(side) for side in ("left", "bottom")}
        self.plot = self.space_canvas.addPlot(row=0, col=0, axisItems=axes)
        style_plot(self.plot)
        for side in ("left", "bottom"):  # "PC1 (42% of variance)" without an SI prefix
            self.plot.getAxis(side).enableAutoSIPrefix(False)
        self.cloud = pg.ScatterPlotItem(size=3, pen=None, brush=_CLOUD)
        self.baseline = pg.ScatterPlotItem(
            symbol="x", size=5, pen=pg.mkPen(_BASELINE, width=1), brush=None
        )
        self.path = pg.PlotDataItem(
            pen=pg.mkPen(_PATH, width=1.5), symbol="o", symbolSize=6,
            symbolBrush="w", symbolPen=pg.mkPen(_PATH, width=1.5),
        )  # fmt: skip
        self.start = pg.ScatterPlotItem(symbol="s", size=10, brush=INK, pen=None)
        self.cursor_item = pg.ScatterPlotItem(symbol="o", size=13, brush=CURSOR, pen=pg.mkPen(INK))
        for item in (self.baseline, self.cloud, self.path, self.start, self.cursor_item):
            self.plot.addItem(item)
        box = self.plot.getViewBox()
        box.setDefaultPadding(0.1)  # room for the labels of the outermost points
        box.sigResized.connect(self._declutter)  # labels that overlap at this size hide
        box.sigRangeChanged.connect(self._declutter)
        self.cursor_item.setZValue(10)
        self.point_labels: list[pg.TextItem] = []
        # the legend sits in its own row under the plot, so it never hides a point
        self.legend = LegendRow(self.plot, max_columns=3, labelTextColor=INK, labelTextSize="8pt")
        self.space_canvas.addItem(self.legend, row=1, col=0)
        for item in (self.cloud, self.path, self.start, self.cursor_item, self.baseline):
            self.legend.addItem(item, " ")

        self.tree_canvas = canvas()
        self.tree = self.tree_canvas.addPlot()
        style_plot(self.tree)
        self.tree.getAxis("bottom").enableAutoSIPrefix(False)
        self.tree.setLabel("bottom", "distance (average linkage)")
        self.tree.getViewBox().invertY(True)  # the first leaf at the top
        self.tree_lines = pg.PlotDataItem(pen=pg.mkPen(_TREE, width=1.5), connect="pairs")
        self.tree.addItem(self.tree_lines)
        self.message = QLabel()
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"QLabel {{ background: white; color: {INK}; padding: 12px; }}")
        self.tree_stack = QStackedWidget()
        self.tree_stack.addWidget(self.tree_canvas)
        self.tree_stack.addWidget(self.message)
        for widget in (self.space_canvas, self.tree_canvas, self.message):
            widget.setMinimumSize(120, 120)  # long titles are elided, not a reason to overflow

        self.body = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.body.setContentsMargins(0, 0, 0, 0)
        self.body.setSpacing(2)
        self.body.addWidget(self.space_canvas, 3)
        self.body.addWidget(self.tree_stack, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(bar)
        layout.addWidget(self.job_bar)
        layout.addLayout(self.body, 1)
        self.job.failed.connect(self._on_job_failed)
        self.job.runningChanged.connect(self._on_job_running_changed)
        self._start()

    # -- per trace --------------------------------------------------------------------------------
    def _is_current(self, pair: tuple[SRN | TDL, Dataset] | None) -> bool:
        s = self.session
        return pair is not None and pair[0] is s.net and pair[1] is s.dataset

    @property
    def stale(self) -> bool:
        """Whether the pictures are older than the session's network or data set."""
        a = self._analysis
        return a is None or not self._is_current((a.net, a.dataset))

    def _on_session_trace_changed(self) -> None:
        if not self.can_be_seen() and not self._is_current(self._wanted):
            self.job.cancel()  # it analyses an earlier network or data set
            self._wanted = None
        super()._on_session_trace_changed()

    def _start_job(self) -> None:
        """A new trace, seen: analyse a new network or data set; show another sequence."""
        s = self.session
        if not self._is_current(self._wanted):
            if self._analysis is not None and self._analysis.dataset is not s.dataset:
                self._analysis = None
                self._clear()  # the old pictures belong to other data
            self._analyse()
        a, space = self._analysis, self._space
        if (
            a is not None
            and space is not None
            and s.dataset is a.dataset
            and space.sequence_index != s.sequence_index
        ):
            self._show_sequence(s.sequence_index)  # its trajectory in the PCA already fitted
        self._show_status()

    def _analyse(self) -> None:
        """Fit the PCA and the clustering to the session's network and data set, in the job."""
        s = self.session
        net, data, index, untrained = s.net, s.dataset, s.sequence_index, s.untrained_net
        self._wanted, self._failure = (net, data), ""
        self.job.start(lambda: analysis_steps(net, data, index, untrained))
        self._show_status()

    def _on_job_progressed(self, items: list[StatesProgress | Analysis]) -> None:
        last = items[-1]
        if isinstance(last, Analysis):
            self._draw_analysis(last)
        else:
            text = f"hidden states: {last.done:,} / {last.total:,}"
            self.job_bar.report(last.done, last.total, text)

    def _on_job_failed(self, error: BaseException) -> None:
        """A diverged network: its states are not finite."""
        self._analysis, self._failure = None, str(error)
        self._clear()
        self._show_tree_message(f"No analysis: {error}.")
        self._show_status()

    def _on_job_running_changed(self, running: bool) -> None:
        self._show_status()

    def _draw_analysis(self, analysis: Analysis) -> None:
        self._analysis = analysis
        self._space = analysis.space
        self.cloud.setData(pos=analysis.space.cloud)
        self._draw_baseline()
        s = self.session
        if s.dataset is analysis.dataset and s.sequence_index != analysis.space.sequence_index:
            self._show_sequence(s.sequence_index)  # another sequence was chosen meanwhile
        else:
            self._draw_trajectory(analysis.space.trajectory)
        self._draw_tree()
        self._show_status()

    def _show_sequence(self, index: int) -> None:
        """Another sequence's trajectory in the PCA already fitted."""
        assert self._analysis is not None and self._space is not None
        self._space = _replace_index(self._space, index)
        self._draw_trajectory(self._space.pca.project(self._analysis.states[index]))

    def _draw_baseline(self) -> None:
        """The untrained network's states, when there are some and the box is ticked."""
        a = self._analysis
        base = None if a is None else a.baseline
        shown = base is not None and self.untrained.isChecked()
        self.baseline.setData(pos=base.cloud[:, :2] if shown and base else np.zeros((0, 2)))
        note = "" if a is None else a.baseline_note
        self.untrained.setToolTip(
            self.untrained.toolTip().split("\n")[0]
            + (f"\n{note[0].upper()}{note[1:]}." if note else "")
        )

    def _on_untrained_toggled(self, checked: bool) -> None:
        self._draw_baseline()

    def _clear(self) -> None:
        self._space = None
        self.cloud.setData(pos=np.zeros((0, 2)))
        self.baseline.setData(pos=np.zeros((0, 2)))
        self._draw_trajectory(np.zeros((0, 2)))
        self._set_tree(None)

    def _draw_trajectory(self, p: NDArray) -> None:
        """Draw p(0..T) (T+1, 2): the line, h0's square and the labelled points."""
        self._trajectory = np.asarray(p, dtype=np.float64)
        for item in self.point_labels:
            self.plot.removeItem(item)
        self.point_labels = []
        if len(p) == 0:
            self.path.setData([], [])
            self.start.setData(pos=np.zeros((0, 2)))
            self._labels = ()
            return
        # a Jordan network and a tapped delay line have no h(0)
        first = 0 if self.session.net.context == "hidden" else 1
        self.path.setData(p[first:, 0], p[first:, 1])
        self.start.setData(pos=p[first : first + 1])
        seq = self.session.dataset.sequences[self.session.sequence_index]
        every = 1 if seq.symbols else max(1, seq.T // 8)  # "t=..." labels: about 8
        labels = seq.symbols or tuple(
            f"t={t}" if t % every == 0 or t == 1 else "" for t in range(1, seq.T + 1)
        )
        # no labels for long sequences, nor while the picture belongs to other data (stale)
        self._labels = labels if len(labels) == len(p) - 1 <= MAX_POINT_LABELS else ()
        for text, (x, y) in zip(self._labels, p[1 : 1 + len(self._labels)], strict=True):
            if not text:
                continue
            item = pg.TextItem(text, color=INK, anchor=(-0.15, 1.0))  # see _declutter
            item.setPos(float(x), float(y))
            self.plot.addItem(item)
            self.point_labels.append(item)
        self._declutter()
        self._view = None  # the highlight must be redrawn on the new path

    def _declutter(self, *_args: object) -> None:
        """Show each point label that lies inside the plot and overlaps no label shown before
        it, in pixels at the plot's current size and range (again whenever either changes)."""
        if not self.isVisible():  # not laid out: no pixels to judge by (showing redoes it)
            for item in self.point_labels:
                item.setVisible(True)
            return
        shown: list[QRectF] = []
        box = self.plot.getViewBox()
        inside = box.sceneBoundingRect()
        for item in self.point_labels:
            # where the label is drawn: its text's pixel size at its anchor (-0.15, 1) off the
            # point (the item's own bounds are only right once it has been painted)
            size = item.textItem.boundingRect().size()
            point = box.mapViewToScene(item.pos())
            corner = QPointF(point.x() + 0.15 * size.width(), point.y() - size.height())
            rect = QRectF(corner, size)
            free = inside.contains(rect) and not any(rect.intersects(other) for other in shown)
            item.setVisible(free)
            if free:
                shown.append(rect)

    def _draw_tree(self) -> None:
        a = self._analysis
        if a is None:
            return
        self.context.setEnabled(all(seq.symbols for seq in a.dataset.sequences))
        tree = a.trees[self.context.currentIndex()]
        if isinstance(tree, str):
            self._show_tree_message(tree)
        else:
            self._set_tree(tree)

    def _set_tree(self, tree: Dendrogram | None) -> None:
        if tree is None:
            self._leaves, self._segments = (), np.zeros((0, 2, 2))
            self.tree_lines.setData([], [])
            self.tree.getAxis("left").setTicks([[], []])  # no leaves of other data
            return
        segments = tree.segments()
        self._leaves, self._segments = tree.leaf_labels, segments
        # sideways: height along x, leaf position along y (first leaf at the top)
        points = segments.reshape(-1, 2)[:, ::-1]
        self.tree_lines.setData(points[:, 0], points[:, 1])
        K = len(self._leaves)
        step = max(1, int(np.ceil(K / 40)))  # every leaf up to 40 of them
        ticks = [(float(i), self._leaves[i]) for i in range(0, K, step)]
        self.tree.getAxis("left").setTicks([ticks, []])
        top = float(segments[..., 1].max()) or 1.0
        self.tree.setXRange(0.0, top, padding=0.04)
        self.tree.setYRange(-0.5, K - 0.5, padding=0.0)
        self.message.setText("")
        self.tree_stack.setCurrentWidget(self.tree_canvas)

    def _show_tree_message(self, text: str) -> None:
        self._set_tree(None)
        self.message.setText(text)
        self.tree_stack.setCurrentWidget(self.message)

    def _show_status(self) -> None:
        n = sum(seq.T for seq in self.session.dataset.sequences)
        warn = "QLabel { padding: 2px 4px; color: #b35806; }"
        style = f"QLabel {{ padding: 2px 4px; color: {INK}; }}"
        # short texts, the dock may be narrow; the tooltip says the rest
        if self.job.running:
            text = f"analysing {n:,} states"
            tip = "the hidden states of every sequence are computed and fitted in the background"
        elif self._failure and self._wanted is not None and self._is_current(self._wanted):
            text, style = "no analysis", warn
            tip = f"no analysis: {self._failure}"
        elif self.stale:
            text, style = f"⚠ out of date: {n:,} states", warn
            tip = (
                f"The network or the data changed since the pictures were made: Recompute "
                f"analyses the {n:,} hidden states again"
            )
        else:
            text = f"{len(self._space.cloud) if self._space else 0:,} states"
            tip = "hidden states h(t) of every sequence of the data set"
        self.status.setText(text)
        self.status.setToolTip(tip)
        self.status.setStyleSheet(style)
        self.recompute.setEnabled(not self.job.running and self.stale)
        self._view = None
        self._refresh()

    # -- per change -------------------------------------------------------------------------------
    def _compute_view(self) -> StateSpaceView:
        s = self.session
        return state_space_view(s.state, s.notation, self._space, s.net.context != "hidden")

    def _apply(self, new: StateSpaceView, old: StateSpaceView | None) -> None:
        if changed(new, old, "t"):
            p = self._trajectory
            # a Jordan network and a tapped delay line have no h(0)
            first = 0 if self.session.net.context == "hidden" else 1
            shown = first <= new.t < len(p)
            self.cursor_item.setData(pos=p[new.t : new.t + 1] if shown else np.zeros((0, 2)))
        if changed(new, old, "title", "x_label", "y_label", "legend", "tree_title"):
            self.plot.setTitle(new.title, color=INK, size="10pt")
            for side, label in (("bottom", new.x_label), ("left", new.y_label)):
                short = label.split(" (")[0]  # "PC2" where "PC2 (26% of variance)" is too long
                self.plot.getAxis(side).set_label_choices(label, short, color=INK)
            for (_, label), text in zip(self.legend.items, new.legend, strict=True):
                label.setText(text)
            self.legend.refit()
            self.tree.setTitle(new.tree_title, color=INK, size="10pt")

    # -- slots ------------------------------------------------------------------------------------
    def _on_recompute_clicked(self) -> None:
        self._analyse()

    def _on_context_changed(self, index: int) -> None:
        self._draw_tree()

    def showEvent(self, event: QShowEvent) -> None:  # Qt override
        super().showEvent(event)
        self._declutter()  # hidden, its labels were not judged by their pixels

    def resizeEvent(self, event: QResizeEvent) -> None:  # Qt override
        narrow = event.size().width() < STACK_BELOW
        direction = QBoxLayout.Direction.TopToBottom if narrow else QBoxLayout.Direction.LeftToRight
        if self.body.direction() != direction:
            self.body.setDirection(direction)
        super().resizeEvent(event)

    # -- reading ----------------------------------------------------------------------------------
    def displayed(self) -> StateSpaceDisplay:
        """The drawn trajectory, the highlighted point, the point labels and the dendrogram."""
        x, y = self.path.getData()
        trajectory = np.column_stack([x, y]) if x is not None else np.zeros((0, 2))
        xc, yc = self.cursor_item.getData()
        highlight = np.array([xc[0], yc[0]]) if len(xc) else None
        return StateSpaceDisplay(
            trajectory=trajectory,
            highlight=highlight,
            t=self._view.t if self._view is not None else 0,
            point_labels=tuple(
                item.textItem.toPlainText() for item in self.point_labels if item.isVisible()
            ),
            cloud_size=len(self.cloud.data),
            baseline=np.column_stack(self.baseline.getData()),
            baseline_note="" if self._analysis is None else self._analysis.baseline_note,
            title=self.plot.titleLabel.text,
            x_label=self.plot.getAxis("bottom").labelText,
            y_label=self.plot.getAxis("left").labelText,
            leaf_labels=self._leaves,
            segments=self._segments,
            message=self.message.text(),
            stale=self.stale,
        )


def _replace_index(space: StateSpace, index: int) -> StateSpace:
    """The same PCA and cloud, for another sequence (the trajectory is set by the caller)."""
    return StateSpace(space.pca, index, space.trajectory, space.labels, space.cloud)
