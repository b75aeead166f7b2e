"""The cursor over a finished trace: positions 0..2T, and what is known at each of them."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest

from core.bptt import Trace, bptt
from core.cursor import Cursor, StepState, phase_and_step, position_of, state_at
from core.model import PARAM_NAMES, SRN

T = 4


@pytest.fixture(params=[False, True], ids=["single", "batched"])
def trace(request: pytest.FixtureRequest) -> Trace:
    rng = np.random.default_rng(11)
    net = SRN.init(3, 4, 2, hidden="tanh", output="softmax", seed=11)
    lead = (3, T) if request.param else (T,)
    xs = rng.normal(0, 1, (*lead, 3))
    ds = np.eye(2)[rng.integers(0, 2, lead)]
    return bptt(net, xs, ds, truncation=3, mode="sliding")


def all_arrays(state: StepState) -> dict[str, Any]:
    """Every value of a state, arrays flattened out of their dicts, for exact comparison."""
    out: dict[str, Any] = {}
    for field in dataclasses.fields(state):
        value = getattr(state, field.name)
        if isinstance(value, dict):
            for name, arr in value.items():
                out[f"{field.name}.{name}"] = arr
        else:
            out[field.name] = value
    return out


def assert_states_identical(a: StepState, b: StepState) -> None:
    va, vb = all_arrays(a), all_arrays(b)
    assert va.keys() == vb.keys()
    for key, value in va.items():
        if isinstance(value, np.ndarray):
            assert np.array_equal(value, vb[key]), key
            assert value.dtype == vb[key].dtype, key
        else:
            assert value == vb[key], key


def test_positions_phases_and_steps() -> None:
    expected = [("start", 0)]
    expected += [("forward", t) for t in range(1, T + 1)]
    expected += [("backward", t) for t in range(T, 0, -1)]
    assert [phase_and_step(T, k) for k in range(2 * T + 1)] == expected
    for k, (phase, t) in enumerate(expected):
        assert position_of(T, phase, t) == k  # type: ignore[arg-type]
    for bad in (-1, 2 * T + 1):
        with pytest.raises(ValueError, match=f"position {bad}"):
            phase_and_step(T, bad)
    with pytest.raises(ValueError, match="t=0"):
        position_of(T, "forward", 0)
    with pytest.raises(ValueError, match=f"t={T + 1}"):
        position_of(T, "backward", T + 1)


def test_labels(trace: Trace) -> None:
    labels = [Cursor(trace, k).state.label for k in range(2 * T + 1)]
    assert labels == [
        f"start: h(0) = h0, {T} steps ahead",
        *(f"forward t = {t} / {T}" for t in range(1, T + 1)),
        *(f"backward t = {t}" for t in range(T, 0, -1)),
    ]


def test_step_back_and_seek(trace: Trace) -> None:
    cursor = Cursor(trace)
    assert cursor.position == 0 and cursor.at_start and not cursor.at_end
    assert cursor.n_positions == 2 * T + 1
    seen = [cursor.position]
    while not cursor.at_end:
        cursor = cursor.step()
        seen.append(cursor.position)
    assert seen == list(range(2 * T + 1))
    assert (cursor.phase, cursor.t) == ("backward", 1)
    assert cursor.step().position == 2 * T  # stays at the end
    while not cursor.at_start:
        cursor = cursor.back()
    assert cursor.back().position == 0  # stays at the start
    assert cursor.seek(T).phase == "forward" and cursor.seek(T).t == T
    assert cursor.seek(T + 1).phase == "backward" and cursor.seek(T + 1).t == T
    for bad in (-1, 2 * T + 1):
        with pytest.raises(ValueError, match=f"position {bad}"):
            cursor.seek(bad)
        with pytest.raises(ValueError):
            Cursor(trace, bad)
    with pytest.raises(dataclasses.FrozenInstanceError):
        cursor.position = 3  # type: ignore[misc]


def test_state_at_every_position(trace: Trace) -> None:
    zeros = {n: np.zeros_like(p) for n, p in trace.net.params().items()}
    for k in range(2 * T + 1):
        state = Cursor(trace, k).state
        phase, t = phase_and_step(T, k)
        assert (state.position, state.phase, state.t, state.T) == (k, phase, t, T)
        if phase == "backward":
            assert state.forward_known == T
            assert state.backward_from == t
            assert state.contribution is not None
            for name in PARAM_NAMES:
                np.testing.assert_array_equal(state.contribution[name], trace.contribution(t)[name])
                np.testing.assert_array_equal(state.accumulated[name], trace.accumulated(t)[name])
        else:
            assert state.forward_known == t
            assert state.backward_from == T + 1
            assert state.contribution is None
            for name in PARAM_NAMES:
                np.testing.assert_array_equal(state.accumulated[name], zeros[name])
                assert state.accumulated[name].shape == zeros[name].shape
        assert [state.activation_known(s) for s in range(T + 1)] == [
            s <= state.forward_known for s in range(T + 1)
        ]
        assert state.activation_known(0)  # h(0) = h0 is known from the start
        assert [state.delta_known(s) for s in range(1, T + 1)] == [
            s >= state.backward_from for s in range(1, T + 1)
        ]


def test_at_the_end_the_whole_gradient_is_accumulated(trace: Trace) -> None:
    end = Cursor(trace).seek(2 * T).state
    for name in PARAM_NAMES:
        np.testing.assert_allclose(end.accumulated[name], trace.grads[name], rtol=1e-12)
    first_backward = Cursor(trace).seek(T + 1).state
    assert first_backward.contribution is not None
    for name in PARAM_NAMES:  # one step in, the accumulated gradient is that step's alone
        np.testing.assert_allclose(
            first_backward.accumulated[name], first_backward.contribution[name], rtol=1e-12
        )


def test_state_arrays_are_read_only(trace: Trace) -> None:
    for k in (0, T, T + 1, 2 * T):
        state = state_at(trace, k)
        arrays = [v for v in all_arrays(state).values() if isinstance(v, np.ndarray)]
        assert len(arrays) == len(PARAM_NAMES) * (2 if state.phase == "backward" else 1)
        for arr in arrays:
            with pytest.raises(ValueError, match="read-only"):
                arr[...] = 1.0


def test_stepping_forward_then_back_is_exact(trace: Trace) -> None:
    cursor = Cursor(trace)
    states = [cursor.state]
    while not cursor.at_end:
        cursor = cursor.step()
        states.append(cursor.state)
    for k in range(2 * T, -1, -1):
        assert_states_identical(cursor.state, states[k])
        assert_states_identical(cursor.state, Cursor(trace, k).state)
        cursor = cursor.back()


def test_reading_a_state_leaves_the_trace_untouched(trace: Trace) -> None:
    before = {n: np.array(g) for n, g in trace.grads.items()}
    delta_h = np.array(trace.delta_h)
    states = [Cursor(trace, k).state for k in range(2 * T + 1)]
    assert [s.position for s in states] == list(range(2 * T + 1))
    for name, g in before.items():
        np.testing.assert_array_equal(trace.grads[name], g)
    np.testing.assert_array_equal(trace.delta_h, delta_h)
