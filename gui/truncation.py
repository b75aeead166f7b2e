"""One truncation setting, shown wherever it can be chosen.

Full BPTT, sliding BPTT(k) or chunked truncation is a property of the session: the explorer's
trace is computed with it and training uses it (Williams & Peng 1990 for BPTT(k); Help >
Equations for where each rule cuts the backward sweep). The toolbar and the Training dock both
show it; :class:`TruncationLink` keeps every pair of (mode box, k box) equal to the session's
setting, so a change in either place is the change of the one setting.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QComboBox, QSpinBox

from gui.session import Session

if TYPE_CHECKING:  # the window passes one in: no dependency on its background jobs here
    from gui.retrace import Retracer

#: the item data of a mode box: None for full BPTT, else the truncation mode
MODES = (None, "sliding", "chunked")


class TruncationLink(QObject):
    """Keeps mode boxes (item data: ``MODES``) and k boxes equal to the session's truncation.

    A setting the session refuses (sliding BPTT(k) beyond ``core.limits.MAX_SLIDING_WORK`` on
    the data shown) puts every box back to the session's setting and emits ``refused`` with
    the reason. The k boxes apply a typed number when it is complete (Enter or leaving the
    box), not at each digit: typing 1000 computes one trace, not four.

    Parameters
    ----------
    session : holds the setting (``truncation``, ``mode``; ``truncationChanged``).
    pairs : (mode box, k box) pairs, each a place where the user chooses the setting. Under
        full BPTT the session has no k: the k boxes keep the last k chosen, equal everywhere.
    parent : the owning QObject.
    retracer : when given, changes go through it (a long sequence's trace is computed in the
        background; ``gui/retrace.py``), else straight to the session.
    """

    refused = Signal(str)

    def __init__(
        self,
        session: Session,
        pairs: Iterable[tuple[QComboBox, QSpinBox]],
        parent: QObject | None = None,
        retracer: Retracer | None = None,
    ) -> None:
        super().__init__(parent)
        self._session = session
        self._retracer = retracer  # a long sequence's trace computes in the background
        if retracer is not None:  # cancelled or failed: the boxes show the setting in force
            retracer.reverted.connect(self._on_session_truncation_changed)
        self._pairs = list(pairs)
        self._syncing = False  # writing the session's setting into the boxes
        for mode_box, k_box in self._pairs:
            k_box.setKeyboardTracking(False)
            edited = partial(self._on_pair_edited, mode_box, k_box)
            mode_box.currentIndexChanged.connect(edited)
            k_box.valueChanged.connect(edited)
        session.truncationChanged.connect(self._on_session_truncation_changed)
        self._on_session_truncation_changed()

    def _on_pair_edited(self, mode_box: QComboBox, k_box: QSpinBox, _value: int) -> None:
        if self._syncing:
            return
        mode, k = mode_box.currentData(), k_box.value()
        self._show(mode, k, skip=mode_box)  # the other places first: the session may retrace slowly
        target = self._retracer if self._retracer is not None else self._session
        try:
            if mode is None:
                target.set_truncation(None)
            else:
                target.set_truncation(k, mode)
        except ValueError as exc:  # too costly on this data: nothing changed
            self._on_session_truncation_changed()
            self.refused.emit(str(exc))

    def _on_session_truncation_changed(self) -> None:
        s = self._session
        k = s.truncation if s.truncation is not None else self._pairs[0][1].value()
        self._show(None if s.truncation is None else s.mode, k)

    def _show(self, mode: str | None, k: int, skip: QComboBox | None = None) -> None:
        self._syncing = True
        try:
            for mode_box, k_box in self._pairs:
                if mode_box is skip:
                    continue
                k_box.setValue(k)
                index = mode_box.findData(mode)
                if index >= 0:
                    mode_box.setCurrentIndex(index)
        finally:
            self._syncing = False
