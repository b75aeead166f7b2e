"""Every shipped lesson, walked step by step headlessly: it loads, and every number its text
quotes is the engine's number, looked up here independently from the trace each step shows."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from core.lesson_text import Quantity, parse
from core.lessons import load_lesson, shipped_lessons, step_text, walk
from core.notation import NOTATIONS
from core.predict import question
from core.trace import Trace

LESSONS = shipped_lessons()


def test_six_lessons_ship() -> None:
    assert len(LESSONS) >= 6


def _slope(trace: Trace, t: int, unit: int) -> float:
    h = float(trace.h[t, unit])
    kind = trace.net.hidden
    return {"tanh": 1 - h * h, "logistic": h * (1 - h), "linear": 1.0}.get(
        kind, float(trace.a[t - 1, unit] > 0)
    )


def _flow(trace: Trace, s: int, t: int) -> float:
    """||dL(s)/dh(t)|| by the Jacobian chain, for an Elman network (Bengio et al. 1994)."""
    g = trace.net.V.T @ trace.local_delta_o(s)
    for r in range(s, t, -1):  # from h(r) back to h(r-1)
        fp = np.array([_slope(trace, r, j) for j in range(trace.net.n_hidden)])
        g = trace.net.W.T @ (fp * g)
    return float(np.linalg.norm(g))


def engine_value(q: Quantity, trace: Trace, sign: int) -> float:
    """The trace's number for a placeholder, looked up without core.lesson_text."""
    if q.kind == "step":
        (unit,), (t,) = q.index, q.t
        u = unit - 1
        if q.name == "h":
            return float(trace.h[t, u])
        if q.name == "fp":
            return _slope(trace, t, u)
        if q.name in ("dh", "do"):
            arr = trace.delta_h if q.name == "dh" else trace.delta_o
            return sign * float(arr[t - 1, u])
        return float(getattr(trace, q.name)[t - 1, u])
    if q.kind == "loss_t":
        return float(trace.loss_t[q.t[0] - 1])
    if q.kind == "loss":
        return float(np.sum(trace.loss_t))
    if q.kind == "norm":
        arr = trace.delta_h if q.name == "dh" else trace.delta_o
        return float(np.sqrt(np.sum(arr[q.t[0] - 1] ** 2)))
    if q.kind == "flow":
        return _flow(trace, *q.t)
    idx = tuple(i - 1 for i in q.index)
    if q.kind == "param":
        return float(getattr(trace.net, q.name)[idx])
    # a gradient: the sum (or one step's term) of delta x partner over time
    delta = trace.delta_h if q.name in ("U", "W", "b") else trace.delta_o
    partner = {"U": trace.x, "W": trace.context, "V": trace.h[1:]}.get(q.name)
    steps = [q.t[0] - 1] if q.t else range(trace.T)
    if q.name == "h0":
        return float((trace.net.W.T @ trace.delta_h[0])[idx])
    if partner is None:  # a bias
        return float(sum(delta[s][idx[0]] for s in steps))
    return float(sum(delta[s][idx[0]] * partner[s][idx[1]] for s in steps))


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_every_quoted_number_is_the_engines(path: Path) -> None:
    lesson = load_lesson(path)
    quoted_any = False
    for index, state in enumerate(walk(lesson)):
        trace = state.trace(lesson.dataset)
        text, quoted = step_text(lesson, index, state)
        assert "{" not in text and "}" not in text, f"step {index + 1}: unresolved placeholder"
        sign = NOTATIONS[state.notation].delta_sign
        for q, shown in quoted:
            expected = engine_value(q, trace, sign)
            assert shown == pytest.approx(expected, rel=1e-9, abs=1e-12), (
                f"{path.name} step {index + 1}: {{{q.source}}}"
            )
        quoted_any = quoted_any or bool(quoted)
        asked = lesson.steps[index].predict
        if asked is not None:  # predict mode can ask it, and its answer is the engine's
            q = question(asked, trace, NOTATIONS[state.notation])
            assert q.correct == pytest.approx(engine_value(parse(asked), trace, sign), rel=1e-9)
        assert len(lesson.steps[index].text) <= 420, "a step is read in about ten seconds"
    assert quoted_any, "a lesson quotes live numbers"


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_lesson_cites_its_sources_and_moves_the_window(path: Path) -> None:
    lesson = load_lesson(path)
    assert lesson.sources and all(any(c.isdigit() for c in s) for s in lesson.sources)
    states = list(walk(lesson, lambda _l, s, _st: s.net))
    moves = {(s.position, s.selection, s.net.output) for s in states}
    assert len(moves) >= len(states) // 2
