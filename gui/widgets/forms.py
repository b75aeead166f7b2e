"""What the settings forms of the docks share: a Yes/No question, a hint label, sentences.

The Task and data, Network and Training docks ask before trained weights are discarded
(:func:`ask_yes_no`, which their ``ask`` methods call so tests can answer), say in a red label why
something was refused (:func:`hint_label`, :func:`show_hint`) and word messages from ``core``'s
exceptions as sentences (:func:`sentence`, :func:`after_colon`); in a narrow dock their rows put
the field under its label rather than widen the dock (:func:`fit_narrow`).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QMessageBox, QWidget

from core.limits import SEED_MAX as SEED_MAX  # the bound of the docks' seed boxes

ERROR_STYLE = "QLabel { color: #c0392b; }"
NOTE_STYLE = "QLabel { color: #555; }"


def ask_yes_no(parent: QWidget, title: str, text: str) -> bool:
    """A Yes/No question, No being the default."""
    buttons = QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
    answer = QMessageBox.question(parent, title, text, buttons, QMessageBox.StandardButton.No)
    return answer == QMessageBox.StandardButton.Yes


def hint_label() -> QLabel:
    """A red, wrapping label that says why something was refused (hidden while empty)."""
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet(ERROR_STYLE)
    label.setVisible(False)
    return label


def show_hint(label: QLabel, text: str) -> None:
    label.setText(text)
    label.setVisible(bool(text))


def sentence(text: str) -> str:
    """``text`` with a capital first letter and a final full stop."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "?", "!")) else text + "."


def after_colon(text: str) -> str:
    """``text`` as the end of a sentence that began before a colon: one final full stop."""
    return text.strip().rstrip(".") + "."


def set_combo_data(box: QComboBox, value: Any) -> None:
    """Select the item of ``box`` whose data is ``value`` (nothing changes when none is)."""
    index = box.findData(value)
    if index >= 0:
        box.setCurrentIndex(index)


def fit_narrow(form: QFormLayout, *combos: QComboBox) -> None:
    """Let ``form`` fit a narrow column: a field too wide to sit beside its label goes under it,
    and the combo boxes may be narrower than their longest item (which their list shows whole;
    the closed box shows all of its item wherever the column has the room)."""
    form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    for combo in combos:
        view = combo.view()
        view.setMinimumWidth(view.sizeHintForColumn(0) + 24)  # the list: every item whole
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(12)
