"""A lesson's prose can follow the notation: ``{sym NAME}`` is the chosen notation's symbol, so
a hand-chosen notation relabels the text as it relabels the views."""

from __future__ import annotations

import pytest

from core.lesson_text import SYMBOLS, PlaceholderError, parse, placeholders, render
from core.lessons import find_lesson, load_lesson, walk
from core.notation import NOTATIONS
from core.predict import question

ORIGINAL_STEP_7 = (
    "Backward, t = 5: the delta has two sources, this step's output and the future through W: "
    "δh(5) = (1 - h(5)²) ⊙ (Wᵀ δh(6) + Vᵀ δo(5)). Unit 1: δh1(5) = "
)


@pytest.fixture(scope="module")
def sweep():
    lesson = load_lesson(find_lesson("one_sweep_deep_learning"))
    state = list(walk(lesson))[6]
    return lesson, state.trace(lesson.dataset)


@pytest.mark.parametrize("key", list(NOTATIONS))
def test_each_symbol_is_the_notations(key: str, sweep) -> None:
    _, trace = sweep
    n = NOTATIONS[key]
    text = " | ".join(f"{{sym {name}}}" for name in SYMBOLS)
    shown, quoted = render(text, trace, n)
    assert shown.split(" | ") == [n[SYMBOLS[name]] for name in SYMBOLS]
    assert quoted == []  # symbols are not numbers to check


@pytest.mark.parametrize("key", list(NOTATIONS))
def test_lesson_one_step_seven_follows_the_notation(key: str, sweep) -> None:
    lesson, trace = sweep
    n = NOTATIONS[key]
    shown, quoted = render(lesson.steps[6].text, trace, n)
    assert f"{n['delta_h']}1(5) = " in shown
    assert f"({n['W']}ᵀ {n['delta_h']}(6) + {n['V']}ᵀ {n['delta_o']}(5))" in shown
    assert len(quoted) == 1
    if key == "deep-learning":  # the lesson's own notation reads as it was written
        assert shown.startswith(ORIGINAL_STEP_7)
    if key == "one-unit":
        assert "δh" not in shown and "δ(5) = (1 - y(5)²)" in shown


def test_a_symbol_is_not_a_number_to_predict(sweep) -> None:
    _, trace = sweep
    assert parse("sym dh").kind == "sym"
    with pytest.raises(PlaceholderError):
        question("sym dh", trace, NOTATIONS["one-unit"])
    with pytest.raises(PlaceholderError, match="not a known quantity"):
        placeholders("{sym q}")


def test_lesson_one_reads_as_written_in_its_own_notation_and_relabels_in_another() -> None:
    lesson = load_lesson(find_lesson("one_sweep_deep_learning"))
    states = list(walk(lesson))
    for index in (5, 6, 7, 8):  # the backward steps, written with {sym ...}
        trace = states[index].trace(lesson.dataset)
        own, _ = render(lesson.steps[index].text, trace, NOTATIONS["deep-learning"])
        assert "δh" in own
        boden, _ = render(lesson.steps[index].text, trace, NOTATIONS["boden"])
        assert "δh" not in boden and "δj" in boden
