"""The bar above Compare mode: which variation, and its value on side A and on side B.

Every field is bounded (a spin box cannot hold a value outside the limits of ``core.limits``
and ``core.spectral``); a pair that ``core.compare`` refuses (a radius for teacher forcing) is
reported in the bar's message line and leaves both sides as they were.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QStackedWidget,
    QWidget,
)

from core.compare import CONTEXT_NAMES, VARIATIONS
from core.functions import HIDDEN_ACTIVATIONS
from core.limits import MAX_STEPS
from core.spectral import MAX_RADIUS

#: the variations as the bar names them, with their tooltips
VARIATION_TEXT = {
    "truncation": ("Truncation", "Full BPTT against sliding BPTT(k) or chunked k"),
    "context": ("Context", "Elman (h(t-1)) against Jordan (y(t-1)) or teacher forcing (d(t-1))"),
    "hidden": ("Hidden activation", "Two hidden activations f, the same weights"),
    "radius": ("Spectral radius of W", "W rescaled to two spectral radii, e.g. 0.9 and 1.1"),
}
TRUNCATION_KINDS = (("Full BPTT", None), ("Sliding BPTT(k)", "sliding"), ("Chunked k", "chunked"))
#: what side A and side B start with, per variation
DEFAULTS: dict[str, tuple[object, object]] = {
    "truncation": ((1, "sliding"), None),
    "context": ("hidden", "output"),
    "hidden": ("tanh", "logistic"),
    "radius": (0.9, 1.1),
}


class SideValue(QWidget):
    """The value of one side: a page per variation (truncation kind and k, context, activation,
    radius)."""

    changed = Signal()

    def __init__(self, side: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.stack = QStackedWidget(self)
        self.kind = QComboBox()
        for text, mode in TRUNCATION_KINDS:
            self.kind.addItem(text, mode)
        self.kind.setToolTip(f"Side {side}: full BPTT, or which truncation")
        self.k = QSpinBox()
        self.k.setRange(1, MAX_STEPS)
        self.k.setPrefix("k = ")
        self.k.setToolTip(f"Side {side}: the truncation length k (1..{MAX_STEPS:,})")
        page = QWidget()
        row = QHBoxLayout(page)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.kind)
        row.addWidget(self.k)
        self.stack.addWidget(page)
        self.context = QComboBox()
        for key, name in CONTEXT_NAMES.items():
            self.context.addItem(name, key)
        self.context.setToolTip(f"Side {side}: what the context units hold")
        self.stack.addWidget(self.context)
        self.hidden = QComboBox()
        for name in HIDDEN_ACTIVATIONS:
            self.hidden.addItem(name, name)
        self.hidden.setToolTip(f"Side {side}: the hidden activation f")
        self.stack.addWidget(self.hidden)
        self.radius = QDoubleSpinBox()
        self.radius.setRange(0.01, MAX_RADIUS)
        self.radius.setDecimals(2)
        self.radius.setSingleStep(0.05)
        self.radius.setPrefix("ρ = ")
        self.radius.setToolTip(f"Side {side}: the spectral radius of W (0.01..{MAX_RADIUS:g})")
        self.stack.addWidget(self.radius)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        self.kind.currentIndexChanged.connect(self._on_field_changed)
        self.k.valueChanged.connect(self._on_field_changed)
        self.context.currentIndexChanged.connect(self._on_field_changed)
        self.hidden.currentIndexChanged.connect(self._on_field_changed)
        self.radius.valueChanged.connect(self._on_field_changed)

    def show_variation(self, variation: str) -> None:
        self.stack.setCurrentIndex(VARIATIONS.index(variation))

    def value(self, variation: str) -> object:
        """The side's value of ``variation`` as ``core.compare.Twin.of`` takes it."""
        if variation == "truncation":
            mode = self.kind.currentData()
            return None if mode is None else (self.k.value(), mode)
        if variation == "context":
            return self.context.currentData()
        if variation == "hidden":
            return self.hidden.currentData()
        return self.radius.value()

    def set_value(self, variation: str, value: object) -> None:
        """Show ``value`` without announcing it field by field."""
        for field in (self.kind, self.k, self.context, self.hidden, self.radius):
            field.blockSignals(True)
        if variation == "truncation":
            if value is None:
                self.kind.setCurrentIndex(0)
            else:
                assert isinstance(value, tuple)
                self.kind.setCurrentIndex(self.kind.findData(value[1]))
                self.k.setValue(int(value[0]))
        elif variation == "context":
            self.context.setCurrentIndex(self.context.findData(value))
        elif variation == "hidden":
            self.hidden.setCurrentIndex(self.hidden.findData(value))
        else:
            self.radius.setValue(float(value))  # type: ignore[arg-type]
        for field in (self.kind, self.k, self.context, self.hidden, self.radius):
            field.blockSignals(False)
        self.k.setEnabled(self.kind.currentData() is not None)

    def _on_field_changed(self, *_args: object) -> None:
        self.k.setEnabled(self.kind.currentData() is not None)
        self.changed.emit()


class SetupBar(QWidget):
    """Variation, side A's value, side B's value (the reference of the bias meter), a message.

    ``choiceChanged(variation, value_a, value_b)`` when any of them changes.
    """

    choiceChanged = Signal(str, object, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.variation = QComboBox()
        for key in VARIATIONS:
            text, tip = VARIATION_TEXT[key]
            self.variation.addItem(text, key)
            self.variation.setItemData(self.variation.count() - 1, tip, 3)  # ToolTipRole
        self.variation.setToolTip("What differs between the two runs; everything else is shared")
        self.sides = (SideValue("A"), SideValue("B"))
        self.message = QLabel()
        self.message.setStyleSheet("QLabel { color: #b2182b; }")
        self.message.setWordWrap(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addWidget(QLabel("Compare"))
        layout.addWidget(self.variation)
        layout.addWidget(QLabel("A:"))
        layout.addWidget(self.sides[0])
        b_label = QLabel("against B (reference):")
        b_label.setToolTip("The bias meter measures A's gradient against B's")
        layout.addWidget(b_label)
        layout.addWidget(self.sides[1])
        layout.addWidget(self.message, 1)
        self.variation.currentIndexChanged.connect(self._on_variation_changed)
        for side in self.sides:
            side.changed.connect(self._on_side_changed)

    def current(self) -> tuple[str, object, object]:
        variation = self.variation.currentData()
        return variation, self.sides[0].value(variation), self.sides[1].value(variation)

    def show_choice(self, variation: str, value_a: object, value_b: object) -> None:
        """Show a choice without announcing it (the pair already holds it)."""
        self.variation.blockSignals(True)
        self.variation.setCurrentIndex(VARIATIONS.index(variation))
        self.variation.blockSignals(False)
        for side, value in zip(self.sides, (value_a, value_b), strict=True):
            side.show_variation(variation)
            side.set_value(variation, value)

    def set_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setToolTip(text)

    def _on_variation_changed(self, _index: int) -> None:
        variation = self.variation.currentData()
        self.show_choice(variation, *DEFAULTS[variation])
        self.choiceChanged.emit(*self.current())

    def _on_side_changed(self) -> None:
        self.choiceChanged.emit(*self.current())
