"""The BPTT explorer window: graphs in the centre, panels docked around, the time bar below."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, QSize, Qt, QTimer
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QKeySequence,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QFileDialog,
    QFrame,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QStyle,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from core.notation import NOTATIONS
from core.truncation import NO_RECURRENCE, truncates
from gui import window_layout
from gui.analysis.gradient_check import GradCheckPanel
from gui.analysis.jobs import AnalysisJob
from gui.compare import CompareWindow
from gui.dock_tabs import hide_stale_tab_bars
from gui.dock_tips import DockTips
from gui.docks.registry import DOCKS, DockId, DockSpec
from gui.docks.task import TaskPanel
from gui.export_views import ExportView, export_views
from gui.exports import ExportActions
from gui.files import FileActions
from gui.focus import GraphFocus
from gui.graph_views import FoldedGraphView, UnfoldedGraphView
from gui.help.equations import EquationsDialog
from gui.lessons.actions import LessonActions
from gui.lessons.panel import LessonPanel
from gui.panels.base import Panel
from gui.retrace import Retracer
from gui.session import Session
from gui.session_files import SessionFiles
from gui.shortcuts import ShortcutsDialog
from gui.timebar import PlaybackActions, StartHint, TimeBar
from gui.training.controller import TrainingController
from gui.training.panel import TrainingPanel
from gui.truncation import TruncationLink
from gui.widgets.text_line import TextLine

#: bumped whenever the docks change, so an old saved layout is ignored rather than misapplied
LAYOUT_VERSION = 8

TRUNCATION_CHOICES = (
    ("Full BPTT", None, "Every loss term propagates back to t = 1"),
    ("Sliding BPTT(k)", "sliding", "Each loss term L(s) propagates back through k steps only"),
    ("Chunked (cut every k)", "chunked", "State carried, gradient cut every k steps"),
)


TRUNCATION_TIP = "Full or truncated backpropagation through time, for the explorer and for training"


class MainWindow(QMainWindow):
    """The explorer: folded and unfolded graphs, dockable panels, stepping and notation.

    Parameters
    ----------
    session : what to show (the built-in Deep Learning ch. 10 example when None).
    settings : where the window layout is remembered (the user's settings when None).
    """

    def __init__(
        self,
        session: Session | None = None,
        settings: QSettings | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session if session is not None else Session(parent=self)
        self._settings = settings if settings is not None else QSettings("Unfold", "Unfold")
        self.playback = PlaybackActions(self.session, self)
        self.addActions(self.playback.actions())
        self.controller = TrainingController(self.session, self)
        self.files = FileActions(
            self.session, self, self._settings, training_settings=self._training_settings
        )
        self.setAcceptDrops(True)
        self.equations_page: EquationsDialog | None = None

        self.folded = FoldedGraphView(self.session)
        self.unfolded = UnfoldedGraphView(self.session)
        graphs = QSplitter(Qt.Orientation.Horizontal)
        graphs.addWidget(self.folded)
        graphs.addWidget(self.unfolded)
        graphs.setStretchFactor(0, 2)
        graphs.setStretchFactor(1, 3)
        graphs.setSizes([300, 450])
        self.graphs = graphs
        self.timebar = TimeBar(self.session, self.playback)
        self.start_hint = StartHint(self.session)
        central = QWidget(self)
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(graphs, 1)
        column.addWidget(self.start_hint)
        column.addWidget(self.timebar)
        self.setCentralWidget(central)

        self.panels: dict[DockId, QWidget] = {}
        self.docks: dict[DockId, QDockWidget] = {}
        for dock_id, spec in DOCKS.items():
            self.panels[dock_id], self.docks[dock_id] = self._add_dock(dock_id, spec)
        window_layout.set_minimum_sizes(self, self.docks)
        window_layout.arrange(self, self.docks)
        window_layout.raise_together(self, self.docks)
        task = self.panels[DockId.TASK]
        training = self.panels[DockId.TRAINING]
        assert isinstance(task, TaskPanel) and isinstance(training, TrainingPanel)
        self.training_panel = training
        task.openFileRequested.connect(self.files.open_sequences)
        self.addActions(training.shortcut_actions)  # work with the dock tabbed away
        self.controller.stateChanged.connect(self._on_controller_state_changed)
        self._default_state = self.saveState(LAYOUT_VERSION)
        self._laid_out = False  # the first show sizes the docks of the default layout
        self._restored = False  # whether a saved layout is in use
        self._build_toolbar()
        self.retracer = Retracer(self.session, self)  # long sequences trace in the background
        for dock_id in (DockId.NETWORK, DockId.SPECTRAL):  # their new networks too
            self.panels[dock_id].hand_network = self.retracer.set_network  # type: ignore[attr-defined]
        self.retracer.reverted.connect(self._on_session_trace_changed)  # the sequence box too
        self.retracer.failed.connect(
            lambda reason: self.files.show_error("Cannot compute the trace", reason)
        )
        # the explorer and training share one truncation setting, held by the session
        self.truncation = TruncationLink(
            self.session,
            [(self.truncation_box, self.k_box), (training.truncation_box, training.k_box)],
            self,
            retracer=self.retracer,
        )
        self.truncation.refused.connect(
            lambda reason: self.files.show_error("Cannot use this truncation", reason)
        )
        # the stepping keys step whenever nobody is typing in a field
        self.graph_focus = GraphFocus(self.unfolded.plot_widget(), self)
        self.graph_focus.watch(
            (self.notation_box, self.truncation_box, self.k_box, self.sequence_box)
        )
        self.graph_focus.watch((self.timebar.speed,))
        self.graph_focus.give_back()
        self._build_menus()
        lesson = self.panels[DockId.LESSON]
        assert isinstance(lesson, LessonPanel)
        self.lessons = LessonActions(
            self, self.session, lesson, self.docks[DockId.LESSON], self.files, self.playback
        )
        self._build_file_toolbar()
        self.status = TextLine(parent=self)  # a new text repaints it without a relayout
        self.statusBar().addWidget(self.status, 1)
        self.session.cursorChanged.connect(self._on_session_cursor_changed)
        self.session.networkChanged.connect(self._sync_truncation_widgets)
        self.session.traceChanged.connect(self._on_session_trace_changed)
        self.session.notationChanged.connect(self._on_session_notation_changed)
        self._on_session_trace_changed()
        self._default_min = window_layout.needs(self)  # with the toolbars in
        self._restore_layout()
        self._update_title()

    # -- construction -----------------------------------------------------------------------------
    def _add_dock(self, dock_id: DockId, spec: DockSpec) -> tuple[QWidget, QDockWidget]:
        """Build the panel of ``spec`` and dock it in its area; (panel, dock)."""
        if spec.needs_controller:
            panel = spec.factory(self.session, self.controller)
        else:
            panel = spec.factory(self.session)
        dock = QDockWidget(spec.tab_title, self)
        dock.setObjectName(dock_id.object_name)  # saved layouts find the dock by this name
        if spec.scrolls:  # forms scroll rather than widen their column
            scroll = QScrollArea()
            scroll.setWidget(panel)
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QFrame.Shape.NoFrame)
            dock.setWidget(scroll)
        else:
            dock.setWidget(panel)
        toggle = dock.toggleViewAction()
        toggle.setText(spec.title)  # the View menu gives the whole title
        toggle.setToolTip(spec.tooltip)
        toggle.setStatusTip(spec.tooltip)
        self.addDockWidget(spec.area, dock)
        if isinstance(panel, Panel | GradCheckPanel):  # off screen: no updates until shown
            panel.set_on_screen(False)  # the window is not shown yet; showing it raises some
            dock.visibilityChanged.connect(panel.set_on_screen)
        return panel, dock

    def _build_toolbar(self) -> None:
        bar = QToolBar("BPTT settings", self)
        bar.setObjectName("toolbar_bptt")
        self.bptt_toolbar = bar
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
        self.notation_box = QComboBox(bar)
        for key, notation in NOTATIONS.items():
            self.notation_box.addItem(notation.title, key)
        self.notation_box.setToolTip(
            "Relabel every view, tooltip and equation in the symbols of the text you are reading"
        )
        self.notation_box.currentIndexChanged.connect(self._on_notation_box_changed)
        _add_labelled(bar, " Notation: ", self.notation_box)
        bar.addSeparator()
        self.truncation_box = QComboBox(bar)
        for text, mode, tip in TRUNCATION_CHOICES:
            self.truncation_box.addItem(text, mode)
            self.truncation_box.setItemData(
                self.truncation_box.count() - 1, tip, Qt.ItemDataRole.ToolTipRole
            )
        self.truncation_box.setToolTip(TRUNCATION_TIP)
        self.truncation_box.currentIndexChanged.connect(self._sync_truncation_widgets)
        _add_labelled(bar, " Gradient: ", self.truncation_box)
        self.k_box = QSpinBox(bar)
        self.k_box.setRange(1, 10_000)
        self.k_box.setValue(3)
        self.k_box.setToolTip("Truncation length k: how many steps a gradient travels back")
        _add_labelled(bar, " k = ", self.k_box)
        bar.addSeparator()
        self.sequence_box = QSpinBox(bar)
        self.sequence_box.setToolTip("Which sequence of the data set the explorer shows")
        self.sequence_box.valueChanged.connect(self._on_sequence_box_changed)
        _add_labelled(bar, " Sequence: ", self.sequence_box)
        self._sync_truncation_widgets()

    def _build_file_toolbar(self) -> None:
        """Open, open sequences and save as buttons, left of the BPTT settings."""
        bar = QToolBar("File", self)
        bar.setObjectName("toolbar_file")
        style = self.style()
        icons = {
            "new": QStyle.StandardPixmap.SP_FileIcon,
            "open": QStyle.StandardPixmap.SP_DialogOpenButton,
            "open_data": QStyle.StandardPixmap.SP_FileDialogContentsView,
            "save": QStyle.StandardPixmap.SP_DialogSaveButton,
        }
        for name, pixmap in icons.items():
            action = self.file_actions[name]
            action.setIcon(style.standardIcon(pixmap))
            bar.addAction(action)
        self.insertToolBar(self.bptt_toolbar, bar)

    def _build_menus(self) -> None:
        menus = self.menuBar()
        file_menu = menus.addMenu("&File")
        f = self.files
        self.file_actions = {
            "new": self._menu_action(file_menu, "&New", f.new, QKeySequence.StandardKey.New,
                                     "Back to the built-in example network and its sequence"),
            "open": self._menu_action(file_menu, "&Open model...", f.open_model,
                                      QKeySequence.StandardKey.Open, "Open a saved network"),
            "open_data": self._menu_action(file_menu, "Open se&quence file...", f.open_sequences,
                                           QKeySequence("Ctrl+Shift+O"),
                                           "Load sequences from CSV, JSON or text"),
        }  # fmt: skip
        self.recent_menu = file_menu.addMenu("Open &recent")
        file_menu.addSeparator()
        self.file_actions["save"] = self._menu_action(
            file_menu, "&Save model", f.save, QKeySequence.StandardKey.Save, "Save the network"
        )
        self.file_actions["save_as"] = self._menu_action(
            file_menu, "Save model &as...", f.save_as, QKeySequence.StandardKey.SaveAs,
            "Save the network to a new file",
        )  # fmt: skip
        self.session_files = SessionFiles(self.session, self.files, self, LAYOUT_VERSION)
        file_menu.addSeparator()
        file_menu.addActions([self.session_files.open_action, self.session_files.save_action])
        file_menu.addSeparator()
        self.file_actions["export_view"] = self._menu_action(
            file_menu, "Export &view as PNG or SVG...", self.export_view,
            QKeySequence("Ctrl+Shift+E"),
            "Save one view (a graph or a panel) as a picture, without the buttons around it",
        )  # fmt: skip
        self.file_actions["export_trace"] = self._menu_action(
            file_menu, "Export &trace as CSV...", f.export_trace_csv, None,
            "One row per time step: inputs, activations, outputs, targets, losses, deltas",
        )  # fmt: skip
        self.file_actions["export_history"] = self._menu_action(
            file_menu, "Export &loss history as CSV...", self.export_loss_history, None,
            "One row per epoch of the last training run: loss, gradient norms, score, time",
        )  # fmt: skip
        self.exports = ExportActions(self.session, self.files, self, views=self._export_views)
        file_menu.addMenu(self.exports.menu)
        file_menu.addSeparator()
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        self.file_menu = file_menu
        self.files.recentChanged.connect(self._rebuild_recent_menu)
        self.files.pathChanged.connect(self._update_title)
        self.session.modifiedChanged.connect(self._update_title)
        self._rebuild_recent_menu()

        step_menu = menus.addMenu("&Step")
        for action in self.playback.actions():
            step_menu.addAction(action)

        train_menu = menus.addMenu("&Training")
        for action in self.training_panel.shortcut_actions:
            train_menu.addAction(action)

        view_menu = menus.addMenu("&View")
        self.dock_tips = DockTips(self, self.docks.values())
        for dock in self.docks.values():
            view_menu.addAction(dock.toggleViewAction())
        view_menu.setToolTipsVisible(True)
        view_menu.addSeparator()
        view_menu.addAction(self.graph_focus.back_action)
        view_menu.addSeparator()
        reset = QAction("Reset layout", self)
        reset.setToolTip("Put every panel back where it started")
        reset.triggered.connect(self.reset_layout)
        view_menu.addAction(reset)
        view_menu.addSeparator()
        compare = QAction("&Compare...", self)
        compare.setShortcut(QKeySequence("Ctrl+K"))
        compare.setToolTip("Two configurations of this network side by side, on one time bar")
        compare.triggered.connect(lambda _checked=False: self.show_compare())
        view_menu.addAction(compare)
        self.compare_action = compare
        self.compare_window: CompareWindow | None = None

        notation_menu = menus.addMenu("&Notation")
        self.notation_actions = QActionGroup(self)
        self.notation_actions.setExclusive(True)
        for key, notation in NOTATIONS.items():
            action = QAction(notation.title, self, checkable=True)
            action.setData(key)
            action.setStatusTip(f"Symbols of {notation.source}")
            action.setChecked(key == self.session.notation.key)
            self.notation_actions.addAction(action)
            notation_menu.addAction(action)
        self.notation_actions.triggered.connect(
            lambda action: self.session.set_notation(action.data())
        )

        help_menu = menus.addMenu("&Help")
        equations = QAction("&Equations", self)
        equations.setShortcut(QKeySequence("Ctrl+E"))
        tip = "Unfold's numbered equations of BPTT, as the inspector cites them, in any notation"
        equations.setStatusTip(tip)
        equations.setToolTip(tip)
        equations.triggered.connect(lambda _checked=False: self.show_equations())
        help_menu.addAction(equations)
        keys = QAction("Keyboard shortcuts", self)
        keys.setShortcut(QKeySequence.StandardKey.HelpContents)
        keys.setToolTip("Every key of the window, grouped: stepping, training, files, views")
        keys.triggered.connect(self.show_shortcuts)
        help_menu.addAction(keys)
        self.help_actions = {"shortcuts": keys}
        self.shortcuts_dialog: ShortcutsDialog | None = None
        about = QAction("About Unfold", self)
        about.triggered.connect(self._show_about)
        help_menu.addAction(about)

    def show_equations(self, key: str | None = None) -> EquationsDialog:
        """Open Help > Equations (one page per window), scrolled to equation ``key`` if given."""
        if self.equations_page is None:
            self.equations_page = EquationsDialog(self.session, self)
        self.equations_page.show()
        self.equations_page.raise_()
        if key is not None:
            self.equations_page.show_equation(key)
        return self.equations_page

    def _menu_action(
        self,
        menu: QMenu,
        text: str,
        slot: Callable[[], object],
        shortcut: QKeySequence | QKeySequence.StandardKey | None,
        tip: str,
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(shortcut)
        action.setStatusTip(tip)
        action.setToolTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        menu.addAction(action)
        return action

    def _rebuild_recent_menu(self) -> None:
        self.recent_menu.clear()
        files = self.files.recent_files()
        for path in files:
            action = self.recent_menu.addAction(Path(path).name)
            action.setToolTip(path)
            action.setStatusTip(path)
            action.triggered.connect(lambda _checked=False, p=path: self.files.open_path(p))
        self.recent_menu.setEnabled(bool(files))

    def _update_title(self, *_args: object) -> None:
        """The network's file (or "untitled") and Qt's unsaved mark, shown while modified."""
        name = Path(self.files.path).name if self.files.path else "untitled"
        self.setWindowTitle(f"{name}[*] - Unfold: Backpropagation Through Time, step by step")
        self.setWindowModified(self.session.modified)

    def _export_views(self) -> list[ExportView]:
        graphs = (("Unfolded graph", self.unfolded), ("Folded graph", self.folded))
        return export_views(graphs, list(self.docks.values()))

    def export_view(self, path: str | None = None) -> bool:
        """File > Export view: ask which view (the unfolded graph first), then save its picture."""
        views = self._export_views()
        labels = [v.label for v in views]
        label, ok = QInputDialog.getItem(
            self, "Export view", "View to save as a picture:", labels, 0, False
        )
        if not ok or label not in labels:
            return False
        return self.files.export_widget(views[labels.index(label)].parts, path)

    # -- drag and drop ----------------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        urls = event.mimeData().urls()
        if urls and all(u.isLocalFile() for u in urls):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        urls = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if urls:
            event.acceptProposedAction()
            self.files.open_path(urls[0])

    # -- layout -----------------------------------------------------------------------------------
    def _restore_layout(self) -> None:
        """Open where the user left the window and its docks, if they still fit the screen;
        else centred on the screen in the default layout."""
        geometry = self._settings.value("window/geometry")
        state = self._settings.value("window/state")
        if not (
            isinstance(geometry, QByteArray | bytes) and self.restoreGeometry(QByteArray(geometry))
        ):
            self._open_on_screen()
        if isinstance(state, QByteArray | bytes):
            self._restored = self._restore_state(QByteArray(state))

    def _open_on_screen(self) -> None:
        """Place the window inside its screen's available area (see ``opening_geometry``)."""
        screen = self.screen()
        if screen is None:
            return
        corner, size = window_layout.opening_geometry(screen.availableGeometry())
        self.resize(size)
        self.move(corner)

    def resize_within_screen(self, size: QSize) -> None:
        """Resize to ``size``, or less where the screen's available area (with the window's
        frame) has less room."""
        screen = self.screen()
        if screen is not None:
            size = size.boundedTo(screen.availableGeometry().size() - window_layout.FRAME)
        self.resize(size)

    def _room(self) -> QSize:
        """The most a layout may ask of the window: its screen's available area, or what the
        default layout needs where that is more (a small screen)."""
        screen = self.screen()
        room = screen.availableGeometry().size() if screen is not None else self.size()
        return room.expandedTo(self._default_min)

    def _restore_state(self, state: QByteArray) -> bool:
        """Restore a saved dock layout if it fits the screen with every dock at its minimum
        size; else keep the default layout. Whether it was restored."""
        if not self.restoreState(state, LAYOUT_VERSION):  # another version: the docks changed
            return False
        if window_layout.fits(window_layout.needs(self), self._room()):
            return True
        self.restoreState(self._default_state, LAYOUT_VERSION)
        window_layout.needs(self)
        screen = self.screen()
        if screen is not None and not window_layout.fits(
            self.size(), screen.availableGeometry().size()
        ):
            self._open_on_screen()  # the saved geometry was the dropped layout's
        return False

    def save_layout(self) -> None:
        self._settings.setValue("window/geometry", self.saveGeometry())
        self._settings.setValue("window/state", self.saveState(LAYOUT_VERSION))
        self._settings.sync()

    def reset_layout(self) -> None:
        self.restoreState(self._default_state, LAYOUT_VERSION)
        for dock in self.docks.values():
            dock.show()
        window_layout.size_docks(self, self.docks)
        QTimer.singleShot(0, self, self._tidy_tab_bars)

    def _tidy_tab_bars(self) -> None:
        hide_stale_tab_bars(self)  # Qt keeps tab bars of earlier layout passes on screen

    def showEvent(self, event: QShowEvent) -> None:
        if not self._laid_out and not self._restored:
            window_layout.size_docks(self, self.docks)  # shares of the size it is shown at
        self._laid_out = True
        super().showEvent(event)
        QTimer.singleShot(0, self, self._tidy_tab_bars)  # once the layout of the shown window is in

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.controller.state != "idle" and not self.session.modified:
            ok = self.files.ask(
                "Stop training?", "Training is running. Stop it and close without saving?"
            )
        else:
            ok = self.files.confirm_discard()
        if not ok:
            event.ignore()
            return
        self.controller.shutdown()  # abort, quit and wait: no thread outlives the window
        self.files.background.shutdown()  # a file still being read: its child is killed
        self.retracer.job.shutdown()  # and a trace still being computed
        self.exports.animation.shutdown()
        if self.compare_window is not None:
            self.compare_window.close()  # stops its training too
        for job in self.findChildren(AnalysisJob):  # the analyses' threads too
            job.shutdown()
        self.playback.stop()
        self.save_layout()
        super().closeEvent(event)

    # -- training ---------------------------------------------------------------------------------
    def _training_settings(self) -> dict[str, object] | None:
        return self.controller.training_settings() if self.controller.has_run else None

    def export_loss_history(self, path: str | None = None) -> bool:
        """Write the last run's loss history as CSV (File > Export loss history)."""
        if not self.controller.history:
            self.files.show_error(
                "No loss history", "Train the network first: the history is empty."
            )
            return False
        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                self, "Export loss history as CSV", "loss_history.csv", "CSV (*.csv)"
            )
            if not path:
                return False
        try:
            self.controller.loss_history_csv(path)
        except (OSError, ValueError) as exc:
            self.files.show_error("Cannot export the loss history", f"{path}: {exc}")
            return False
        return True

    def _on_controller_state_changed(self, state: str) -> None:
        self._sync_truncation_widgets()
        if state == "running":
            self.docks[DockId.TRAINING].show()
            self.docks[DockId.TRAINING].raise_()  # a run starts: show its progress and plots

    # -- slots ------------------------------------------------------------------------------------
    def _on_session_cursor_changed(self, _position: int) -> None:
        state, trace = self.session.state, self.session.trace
        loss = trace.loss_until(state.forward_known)
        symbol = self.session.notation["L"]
        self.status.setText(
            f"{state.label}    {symbol} so far = {loss:.4g}    "
            f"{self.session.dataset.name}: sequence {self.session.sequence_index + 1} "
            f"of {len(self.session.dataset)}, T = {trace.T}"
        )

    def _on_session_trace_changed(self) -> None:
        self.sequence_box.blockSignals(True)
        self.sequence_box.setRange(1, len(self.session.dataset))
        self.sequence_box.setSuffix(f" / {len(self.session.dataset)}")
        self.sequence_box.setValue(self.session.sequence_index + 1)
        self.sequence_box.blockSignals(False)
        self._on_session_cursor_changed(self.session.position)

    def _on_session_notation_changed(self) -> None:
        key = self.session.notation.key
        index = self.notation_box.findData(key)
        if index != self.notation_box.currentIndex():
            self.notation_box.blockSignals(True)
            self.notation_box.setCurrentIndex(index)
            self.notation_box.blockSignals(False)
        for action in self.notation_actions.actions():
            action.setChecked(action.data() == key)
        self._on_session_cursor_changed(self.session.position)

    def _on_notation_box_changed(self, index: int) -> None:
        self.session.set_notation(self.notation_box.itemData(index))

    def _sync_truncation_widgets(self, *_args: object) -> None:
        idle = self.controller.state == "idle"  # a run keeps the setting it started with
        applies = truncates(self.session.net.context)  # not for a tapped delay line
        self.truncation_box.setEnabled(idle and applies)
        self.k_box.setEnabled(idle and applies and self.truncation_box.currentData() is not None)
        self.truncation_box.setToolTip(TRUNCATION_TIP if applies else NO_RECURRENCE)

    def _on_sequence_box_changed(self, value: int) -> None:
        self.retracer.set_sequence(value - 1)

    def show_compare(self) -> CompareWindow:
        """View > Compare: two runs of the network side by side, driven by this cursor."""
        if self.compare_window is None:
            self.compare_window = CompareWindow(self.session, self.playback, self)
            self.compare_window.destroyed.connect(self._on_compare_window_destroyed)
        self.compare_window.show()
        self.compare_window.raise_()
        return self.compare_window

    def _on_compare_window_destroyed(self) -> None:
        self.compare_window = None  # it deletes itself when closed

    def show_shortcuts(self) -> ShortcutsDialog:
        """Help > Keyboard shortcuts: a window listing every shortcut, read from the actions."""
        if self.shortcuts_dialog is None:
            self.shortcuts_dialog = ShortcutsDialog(self)
        self.shortcuts_dialog.refresh()
        self.shortcuts_dialog.show()
        self.shortcuts_dialog.raise_()
        return self.shortcuts_dialog

    def _show_about(self) -> None:
        QMessageBox.about(
            self,
            "About Unfold",
            "Unfold shows Backpropagation Through Time in a Simple Recurrent Network:\n"
            "the forward sweep, the backward sweep and the gradients, step by step,\n"
            "in the notation of the text you are reading.",
        )


def _add_labelled(bar: QToolBar, text: str, field: QWidget) -> None:
    """A toolbar field after its label; the label explains itself with the field's tooltip."""
    label = QLabel(text, bar)
    label.setToolTip(field.toolTip())
    label.setBuddy(field)
    bar.addWidget(label)
    bar.addWidget(field)
