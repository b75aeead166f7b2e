"""Predict mode: each slip's value equals its mistake worked out here independently, a typed
value is matched to the right answer or to the slip it came from, and the score exports."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest

from core.bptt import bptt
from core.examples import example_dataset, example_network
from core.lesson_text import PlaceholderError
from core.notation import NOTATIONS
from core.predict import ATOL, RTOL, Score, judge, matches, question

DL, BODEN = NOTATIONS["deep-learning"], NOTATIONS["boden"]


@pytest.fixture(scope="module")
def trace():
    seq = example_dataset().sequences[0]
    return bptt(example_network(), seq.x, seq.d)


def backward(trace):
    """δh by the Elman recursion, full BPTT, written out here (Goodfellow et al. 2016 §10.2.2)."""
    net, T = trace.net, trace.T
    do = trace.y - trace.d  # softmax with one-hot targets
    dh = np.zeros((T, net.n_hidden))
    for t in range(T, 0, -1):
        g = net.V.T @ do[t - 1] + (net.W.T @ dh[t] if t < T else 0.0)
        dh[t - 1] = (1 - trace.h[t] ** 2) * g
    return do, dh


def slips(q):
    return {s.key: s.value for s in q.slips}


def test_the_engine_agrees_with_the_written_out_recursion(trace) -> None:
    do, dh = backward(trace)
    assert np.allclose(do, trace.delta_o) and np.allclose(dh, trace.delta_h)


def test_forward_slips(trace) -> None:
    net, t, i = trace.net, 3, 1
    q = question(f"h[{i + 1}]({t})", trace, DL)
    x, h_prev = trace.x[t - 1], trace.h[t - 1]
    assert q.correct == pytest.approx(np.tanh(net.b[i] + net.W[i] @ h_prev + net.U[i] @ x))
    s = slips(q)
    assert s["activation left out"] == pytest.approx(trace.a[t - 1, i])
    assert s["W for Wᵀ"] == pytest.approx(np.tanh(net.b[i] + net.W[:, i] @ h_prev + net.U[i] @ x))
    assert s["recurrence left out"] == pytest.approx(np.tanh(net.b[i] + net.U[i] @ x))


@pytest.mark.parametrize("notation", [DL, BODEN], ids=["deep-learning", "boden"])
def test_backward_slips(trace, notation) -> None:
    net, t, i = trace.net, 2, 0  # a step where every slip differs from the answer
    do, dh = backward(trace)
    sign = notation.delta_sign
    fp = 1 - trace.h[t] ** 2
    total = net.V.T @ do[t - 1] + net.W.T @ dh[t]
    q = question(f"dh[{i + 1}]({t})", trace, notation)
    assert q.correct == pytest.approx(sign * dh[t - 1, i])
    s = slips(q)
    assert s["missing f'(a)"] == pytest.approx(sign * total[i])
    assert s["other δ sign"] == pytest.approx(-sign * dh[t - 1, i])
    assert s["immediate for total"] == pytest.approx(sign * fp[i] * (net.V.T @ do[t - 1])[i])
    assert s["h(t+1) for h(t)"] == pytest.approx(sign * (1 - trace.h[t + 1, i] ** 2) * total[i])
    wrong = net.V.T @ do[t - 1] + net.W @ dh[t]
    assert s["W for Wᵀ"] == pytest.approx(sign * fp[i] * wrong[i])


def test_gradient_term_slips(trace) -> None:
    t, i, j = 4, 1, 2
    _, dh = backward(trace)
    q = question(f"grad W[{i + 1},{j + 1}]({t})", trace, DL)
    assert q.correct == pytest.approx(dh[t - 1, i] * trace.h[t - 1, j])
    s = slips(q)
    assert s["h(t) for h(t-1)"] == pytest.approx(dh[t - 1, i] * trace.h[t, j])
    assert s["W for Wᵀ"] == pytest.approx(dh[t - 1, j] * trace.h[t - 1, i])
    pre = dh[t - 1, i] / (1 - trace.h[t, i] ** 2)
    assert s["missing f'(a)"] == pytest.approx(pre * trace.h[t - 1, j])
    total = sum(dh[s_ - 1, i] * trace.h[s_ - 1, j] for s_ in range(t, trace.T + 1))
    assert s["total for immediate"] == pytest.approx(total)
    assert s["other δ sign"] == pytest.approx(-q.correct)


def test_output_delta_slips(trace) -> None:
    q = question("do[2](5)", trace, BODEN)
    assert q.label == "δk2(5)"  # in the reader's symbols
    y, d = trace.y[4, 1], trace.d[4, 1]
    assert q.correct == pytest.approx(d - y)  # Bodén: δk = dk - yk
    s = slips(q)
    assert s["other δ sign"] == pytest.approx(y - d)
    assert s["g'(o) multiplied in"] == pytest.approx((d - y) * y * (1 - y))


def test_a_typed_value_is_matched_to_the_answer_or_its_slip(trace) -> None:
    q = question("dh[1](3)", trace, DL)
    assert judge(q, float(f"{q.correct:.4g}")).right  # copied with four digits
    for slip in q.slips:
        verdict = judge(q, slip.value)
        assert not verdict.right and verdict.slip is not None
        assert abs(verdict.slip.value - slip.value) <= ATOL + RTOL * abs(slip.value)
        assert verdict.slip.name in verdict.message
    nowhere = judge(q, 123.0)
    assert not nowhere.right and nowhere.slip is None and "no common slip" in nowhere.message


def test_tolerance_is_relative_and_absolute() -> None:
    assert matches(1.009, 1.0) and not matches(1.02, 1.0)
    assert matches(0.0004, 0.0) and not matches(0.001, 0.0)


def test_no_slip_repeats_the_right_answer(trace) -> None:
    # at the last step nothing comes back: "immediate for total" equals the answer and is dropped
    q = question(f"dh[1]({trace.T})", trace, DL)
    assert "immediate for total" not in slips(q)
    assert all(not matches(s.value, q.correct) for s in q.slips)


@pytest.mark.parametrize("bad", ["L(2)", "W[1,1]", "grad W[1,1]", "h[1](0)", "x[1](1)"])
def test_only_step_quantities_are_asked(trace, bad: str) -> None:
    with pytest.raises(PlaceholderError):
        question(bad, trace, DL)


def test_score_counts_and_exports(trace) -> None:
    q = question("h[1](2)", trace, DL)
    score = Score().add(judge(q, q.correct)).add(judge(q, q.slips[0].value))
    assert (score.right, score.total, score.label) == (1, 2, "score 1 / 2")
    rows = list(csv.DictReader(io.StringIO(score.to_csv())))
    assert [r["right"] for r in rows] == ["True", "False"]
    assert rows[1]["slip"] == q.slips[0].key and float(rows[0]["correct"]) == q.correct
    data = json.loads(score.to_json())
    assert data["right"] == 1 and data["total"] == 2 and len(data["predictions"]) == 2
