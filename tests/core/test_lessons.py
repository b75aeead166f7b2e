"""Lesson files: the loader refuses every bad field naming file, step and field; placeholders
quote the engine's numbers; stepping a lesson is a pure function of the steps."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from core.bptt import bptt
from core.cursor import position_of
from core.examples import example_dataset, example_network
from core.lesson_text import PlaceholderError, parse, placeholders, render
from core.lessons import (
    LessonError,
    apply,
    initial_state,
    load_lesson,
    parse_lesson,
    walk,
)
from core.notation import NOTATIONS
from core.selection import Selection


def minimal() -> dict[str, Any]:
    return {
        "format": "unfold-lesson",
        "version": 1,
        "title": "A test lesson",
        "notation": "deep-learning",
        "network": {"kind": "example"},
        "data": {"kind": "example"},
        "steps": [
            {"text": "Start.", "cursor": "start"},
            {"text": "h is {h[1](2)}", "cursor": "forward 2", "select": {"node": "h", "t": 2}},
            {"text": "δ is {dh[2](3)}", "cursor": "backward 3", "notation": "boden"},
        ],
    }


def write(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "lesson.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_minimal_lesson_loads(tmp_path: Path) -> None:
    lesson = load_lesson(write(tmp_path, minimal()))
    assert len(lesson) == 3
    assert lesson.steps[1].select == Selection("node", "h", t=2, unit=0)
    assert lesson.steps[2].cursor == ("backward", 3)


def _set(data: dict[str, Any], path: tuple[Any, ...], value: Any) -> None:
    for key in path[:-1]:
        data = data[key]
    data[path[-1]] = value


BAD = [
    # (id, where to change, new value, step named, field named)
    ("format", ("format",), "unfold-model", None, "format"),
    ("version", ("version",), 2, None, "version"),
    ("empty-title", ("title",), "", None, "title"),
    ("notation", ("notation",), "klingon", None, "notation"),
    ("network-kind", ("network", "kind"), "magic", None, "network.kind"),
    ("data-kind", ("data", "kind"), "csv", None, "data.kind"),
    ("no-steps", ("steps",), [], None, "steps"),
    ("unknown-step-field", ("steps", 0, "jump"), 3, 1, "jump"),
    ("text-not-string", ("steps", 0, "text"), 5, 1, "text"),
    ("text-too-long", ("steps", 0, "text"), "x" * 2001, 1, "text"),
    ("bad-placeholder", ("steps", 1, "text"), "{h[1](2) + 1}", 2, "text"),
    ("placeholder-unit", ("steps", 1, "text"), "{h[9](2)}", 2, "text"),
    ("placeholder-step", ("steps", 1, "text"), "{dh[1](99)}", 2, "text"),
    ("lone-brace", ("steps", 1, "text"), "a { b", 2, "text"),
    ("cursor-word", ("steps", 1, "cursor"), "sideways 2", 2, "cursor"),
    ("cursor-range", ("steps", 2, "cursor"), "backward 7", 3, "cursor"),
    ("cursor-zero", ("steps", 2, "cursor"), "forward 0", 3, "cursor"),
    ("select-unit", ("steps", 1, "select"), {"node": "h", "t": 2, "unit": 6}, 2, "select"),
    ("select-layer", ("steps", 1, "select"), {"node": "q", "t": 2}, 2, "select.node"),
    ("select-two", ("steps", 1, "select"), {"node": "h", "edge": "W"}, 2, "select"),
    ("step-notation", ("steps", 2, "notation"), "latin", 3, "notation"),
    ("truncation-k", ("steps", 2, "truncation"), {"k": 0}, 3, "k"),
    ("truncation-mode", ("steps", 2, "truncation"), {"k": 2, "mode": "x"}, 3, "truncation.mode"),
    ("train-epochs", ("steps", 2, "train"), {"epochs": 10**7}, 3, "epochs"),
    ("train-lr", ("steps", 2, "train"), {"epochs": 2, "lr": -1}, 3, "lr"),
    ("train-field", ("steps", 2, "train"), {"epochs": 2, "speed": 1}, 3, "train.speed"),
    ("sequence", ("steps", 0, "sequence"), 2, 1, "sequence"),
    ("predict", ("steps", 1, "predict"), "L(2)", 2, "predict"),
    ("show-unknown-dock", ("steps", 1, "show"), "gradient flow", 2, "show"),
    ("show-not-text", ("steps", 2, "show"), 3, 3, "show"),
    ("task-name", ("data",), {"kind": "task", "task": "chess"}, None, "data.task"),
    (
        "task-param",
        ("data",),
        {"kind": "task", "task": "temporal-xor", "params": {"triples": 0}},
        None,
        "data.params",
    ),
    ("weights-nan", ("network",), {"kind": "weights", "U": [["nan"]]}, None, "network.U"),
]


@pytest.mark.parametrize(("where", "value", "step", "field"), [b[1:] for b in BAD],
                         ids=[b[0] for b in BAD])  # fmt: skip
def test_bad_field_is_refused_naming_file_step_and_field(
    tmp_path: Path, where: tuple[Any, ...], value: Any, step: int | None, field: str
) -> None:
    data = copy.deepcopy(minimal())
    _set(data, where, value)
    path = write(tmp_path, data)
    with pytest.raises(LessonError) as info:
        load_lesson(path)
    err = info.value
    assert err.path == str(path) and str(path) in str(err)
    assert err.step == step
    assert err.field == field and f"field '{field}'" in str(err)
    if step is not None:
        assert f"step {step}," in str(err)


def test_not_json_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{\n "format": "unfold-lesson",\n oops\n}', encoding="utf-8")
    with pytest.raises(LessonError, match=r"broken\.json, line 3"):
        load_lesson(path)


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(LessonError, match=r"nowhere\.json"):
        load_lesson(tmp_path / "nowhere.json")


def test_placeholders_quote_the_engines_numbers() -> None:
    net, data = example_network(), example_dataset()
    seq = data.sequences[0]
    trace = bptt(net, seq.x, seq.d)
    text = (
        "{h[1](2)} {h[3](0)} {a[2](1)} {y[3](4)} {d[1](1)} {x[4](4)} {fp[5](6)} {L(3)} {L} "
        "{W[2,3]} {b[1]} {grad W[2,3]} {grad V[1,5](6)} {grad c[2]} {norm dh(2)} {flow(5,2)}"
    )
    for key in ("deep-learning", "boden"):
        _, quoted = render(text + " {dh[2](3)} {do[1](6)}", trace, NOTATIONS[key])
        sign = NOTATIONS[key].delta_sign
        expected = [
            trace.h[2, 0], trace.h[0, 2], trace.a[0, 1], trace.y[3, 2], trace.d[0, 0],
            trace.x[3, 3], 1 - trace.h[6, 4] ** 2, trace.loss_t[2], trace.loss,
            net.W[1, 2], net.b[0], trace.grads["W"][1, 2],
            trace.delta_o[5, 0] * trace.h[6, 4], trace.grads["c"][1],
            np.sqrt(np.sum(trace.delta_h[1] ** 2)), None,
            sign * trace.delta_h[2, 1], sign * trace.delta_o[5, 0],
        ]  # fmt: skip
        assert len(quoted) == len(expected)
        for (q, v), e in zip(quoted, expected, strict=True):
            if e is not None:
                assert v == pytest.approx(float(e), rel=1e-12, abs=1e-15), q.source


def test_flow_placeholder_is_the_norm_of_the_propagated_loss_term() -> None:
    net, data = example_network(), example_dataset()
    seq = data.sequences[0]
    trace = bptt(net, seq.x, seq.d)
    # ||dL(5)/dh(4)|| = ||W^T (f'(a(5)) * V^T delta_o(5))||, the local delta_o of L(5)
    g5 = net.V.T @ trace.local_delta_o(5)
    g4 = net.W.T @ ((1 - trace.h[5] ** 2) * g5)
    _, quoted = render("{flow(5,4)}", trace, NOTATIONS["deep-learning"])
    assert quoted[0][1] == pytest.approx(float(np.linalg.norm(g4)), rel=1e-12)


def test_rendered_text_shows_four_digits_and_literal_braces() -> None:
    net, data = example_network(), example_dataset()
    seq = data.sequences[0]
    trace = bptt(net, seq.x, seq.d)
    text, _ = render("{{set}} h = {h[1](1)}, {h[1](1):8}", trace, NOTATIONS["deep-learning"])
    assert text == f"{{set}} h = {float(trace.h[1, 0]):.4g}, {float(trace.h[1, 0]):.8g}"


@pytest.mark.parametrize("bad", ["h[1]", "import os", "h[1](2)[0]", "grad Q[1]", "h[1](2):0"])
def test_grammar_refuses_anything_else(bad: str) -> None:
    with pytest.raises(PlaceholderError):
        parse(bad)


def test_placeholders_are_found_in_order() -> None:
    assert [q.source for q in placeholders("a {L} b {h[1](2)} {{c}}")] == ["L", "h[1](2)"]


def test_steps_move_cursor_selection_notation_and_truncation(tmp_path: Path) -> None:
    data = minimal()
    data["steps"].append({"text": "cut", "truncation": {"k": 2, "mode": "chunked"}})
    lesson = parse_lesson(data, "x.json")
    states = list(walk(lesson))
    T = lesson.dataset.sequences[0].T
    assert [s.position for s in states] == [
        0,
        position_of(T, "forward", 2),
        position_of(T, "backward", 3),
        position_of(T, "backward", 3),
    ]
    assert states[1].selection == Selection("node", "h", t=2)
    assert states[2].notation == "boden" and states[0].notation == "deep-learning"
    assert (states[3].truncation, states[3].mode) == (2, "chunked")
    # going back is applying the steps again: a pure function
    again = apply(lesson, apply(lesson, initial_state(lesson), 0), 1)
    assert again.position == states[1].position and again.selection == states[1].selection


def test_training_step_trains_the_asked_epochs() -> None:
    data = minimal()
    data["steps"].append({"text": "L = {L}", "train": {"epochs": 3, "lr": 0.1}})
    lesson = parse_lesson(data, "x.json")
    calls = []

    def trainer(lesson: Any, state: Any, step: Any) -> Any:
        calls.append(step.train["epochs"])
        return state.net.with_params(b=state.net.b + 1.0)

    states = list(walk(lesson, trainer))
    assert calls == [3]
    assert np.allclose(states[-1].net.b, lesson.net.b + 1.0)
    assert states[-2].net is lesson.net
