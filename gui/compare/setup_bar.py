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
from core.limits import MAX_STEPS, MAX_WINDOW
from core.model import CONTEXTS
from core.spectral import MAX_RADIUS

#: the variations as the bar names them, with their tooltips
VARIATION_TEXT = {
    "truncation": ("Truncation", "Full BPTT against sliding BPTT(k) or chunked k"),
    "context": ("Context", "Elman (h(t-1)) against Jordan (y(t-1)) or teacher forcing (d(t-1))"),
    "hidden": ("Hidden activation", "Two hidden activations f, the same weights"),
    "radius": ("Spectral radius of W", "W rescaled to two spectral radii, e.g. 0.9 and 1.1"),
    "network": (
        "Network",
        "The recurrent network against a tapped delay line over x(t), …, x(t−ω) (Bodén 2002 §4):"
        " same b, V, c; U's x(t) block shared, older taps start at zero",
    ),
}
#: the network page's choices: a recurrent network (the context on screen), or a delay line
NETWORK_KINDS = (("SRN", False), ("Tapped delay line", True))
#: the window a delay-line side starts with
DEFAULT_WINDOW = 2
TRUNCATION_KINDS = (("Full BPTT", None), ("Sliding BPTT(k)", "sliding"), ("Chunked k", "chunked"))
#: what side A and side B start with, per variation
DEFAULTS: dict[str, tuple[object, object]] = {
    "truncation": ((1, "sliding"), None),
    "context": ("hidden", "output"),
    "hidden": ("tanh", "logistic"),
    "radius": (0.9, 1.1),
    "network": (DEFAULT_WINDOW, None),
}


class SideValue(QWidget):
    """The value of one side: a page per variation (truncation kind and k, context, activation,
    radius, network kind and window ω)."""

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
        for key in CONTEXTS:  # a delay line, which has none, is the network variation's
            self.context.addItem(CONTEXT_NAMES[key], key)
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
        self.stack.addWidget(self._network_page(side))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        self.kind.currentIndexChanged.connect(self._on_field_changed)
        self.k.valueChanged.connect(self._on_field_changed)
        self.context.currentIndexChanged.connect(self._on_field_changed)
        self.hidden.currentIndexChanged.connect(self._on_field_changed)
        self.radius.valueChanged.connect(self._on_field_changed)
        self.network.currentIndexChanged.connect(self._on_field_changed)
        self.omega.valueChanged.connect(self._on_field_changed)

    def _network_page(self, side: str) -> QWidget:
        self.network = QComboBox()
        for text, is_tdl in NETWORK_KINDS:
            self.network.addItem(text, is_tdl)
        self.network.setToolTip(
            f"Side {side}: the recurrent network on screen, or a tapped delay line that reads the "
            "last ω + 1 inputs and has no loop (Bodén 2002 §4)"
        )
        self.omega = QSpinBox()
        self.omega.setRange(0, MAX_WINDOW)
        self.omega.setValue(DEFAULT_WINDOW)
        self.omega.setPrefix("ω = ")
        self.omega.setToolTip(
            f"Side {side}: the delay line's window ω (0..{MAX_WINDOW}): it reads x(t), …, x(t−ω); "
            "a target further back than ω steps cannot be learnt"
        )
        page = QWidget()
        row = QHBoxLayout(page)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.network)
        row.addWidget(self.omega)
        return page

    def _fields(self) -> tuple[QWidget, ...]:
        return (
            self.kind,
            self.k,
            self.context,
            self.hidden,
            self.radius,
            self.network,
            self.omega,
        )

    def _enable(self) -> None:
        self.k.setEnabled(self.kind.currentData() is not None)
        self.omega.setEnabled(bool(self.network.currentData()))

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
        if variation == "network":
            return self.omega.value() if self.network.currentData() else None
        return self.radius.value()

    def set_value(self, variation: str, value: object) -> None:
        """Show ``value`` without announcing it field by field."""
        for field in self._fields():
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
        elif variation == "network":
            self.network.setCurrentIndex(0 if value is None else 1)  # NETWORK_KINDS' order
            if value is not None:
                self.omega.setValue(int(value))  # type: ignore[call-overload]
        else:
            self.radius.setValue(float(value))  # type: ignore[arg-type]
        for field in self._fields():
            field.blockSignals(False)
        self._enable()

    def _on_field_changed(self, *_args: object) -> None:
        self._enable()
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
