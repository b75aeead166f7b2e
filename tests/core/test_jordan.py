"""Jordan networks: the context is the previous output, or with teacher forcing the previous target.

The engine (core/jordan.py) is checked against a hand-written loop of its equations, against
central finite differences of the (truncated) objective for every activation and output pair,
and through the file format, the gradient flow matrix, the trainer and the CLI.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from core import SRN, bptt
from core.data import Dataset, Sequence
from core.functions import (
    HIDDEN_ACTIVATIONS,
    OUTPUT_FUNCTIONS,
    hidden_forward,
    output_forward,
    step_loss,
)
from core.gradcheck import gradient_check
from core.gradient_flow import flow_matrix, jacobians_spectral_radius
from core.modelio import ModelFileError, load_model, model_json, save_model
from core.training import TrainConfig, train

JORDAN = ("output", "target")
T, I, H, O = 7, 3, 4, 3


def _targets(output: str, rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    if output == "softmax":
        return np.eye(O)[rng.integers(0, O, shape)]
    if output == "logistic":
        return rng.integers(0, 2, (*shape, O)).astype(float)
    return rng.normal(size=(*shape, O))


def _net(context: str, hidden: str = "tanh", output: str = "softmax", seed: int = 2) -> SRN:
    net = SRN.init(I, H, O, hidden=hidden, output=output, context=context, seed=seed)
    rng = np.random.default_rng(seed + 100)  # a non-zero initial context and biases
    return net.with_params(h0=rng.normal(0, 0.4, O), b=rng.normal(0, 0.2, H))


def _loop(net: SRN, xs: np.ndarray, d: np.ndarray) -> dict[str, np.ndarray]:
    """The equations of core/jordan.py's docstring, one step at a time."""
    c = net.h0.copy()
    out: dict[str, list[np.ndarray]] = {"context": [], "h": [], "y": [], "loss": []}
    for t in range(len(xs)):
        out["context"].append(c)
        a = net.b + net.W @ c + net.U @ xs[t]  # a(t) = b + W c(t) + U x(t)
        h = hidden_forward(net.hidden, a)
        o = net.c + net.V @ h
        y = output_forward(net.output, o)
        out["h"].append(h)
        out["y"].append(y)
        out["loss"].append(step_loss(net.output, o, y, d[t]))
        c = y if net.context == "output" else d[t]
    return {k: np.array(v) for k, v in out.items()}


# -- the model ------------------------------------------------------------------------------------
def test_jordan_shapes_and_validation():
    net = SRN.init(I, H, O, context="output")
    assert net.W.shape == (H, O) and net.h0.shape == (O,)
    assert net.n_context == O and net.jordan
    assert np.all(net.h0 == 0.0)  # Jordan's state units start at rest
    elman = SRN.init(I, H, O)
    assert elman.n_context == H and not elman.jordan and elman.context == "hidden"
    with pytest.raises(ValueError, match="W has shape"):
        SRN(**elman.params(), context="output")  # an (H, H) W cannot read an O-unit context
    with pytest.raises(ValueError, match="context 'state' is not one of"):
        SRN.init(I, H, O, context="state")
    assert net.config()["context"] == "output"


# -- the forward sweep ----------------------------------------------------------------------------
@pytest.mark.parametrize("context", JORDAN)
@pytest.mark.parametrize("output", OUTPUT_FUNCTIONS)
def test_forward_feeds_back_the_previous_output_or_target(context, output):
    rng = np.random.default_rng(0)
    net = _net(context, output=output)
    xs, d = rng.normal(size=(T, I)), _targets(output, rng, (T,))
    tr = bptt(net, xs, d)
    ref = _loop(net, xs, d)
    np.testing.assert_allclose(tr.context, ref["context"], atol=1e-12)
    np.testing.assert_allclose(tr.h[1:], ref["h"], atol=1e-12)
    np.testing.assert_allclose(tr.y, ref["y"], atol=1e-12)
    np.testing.assert_allclose(tr.loss_t, ref["loss"], atol=1e-12)
    np.testing.assert_array_equal(tr.context[0], net.h0)
    fed = tr.y[:-1] if context == "output" else tr.d[:-1]
    np.testing.assert_array_equal(tr.context[1:], fed)


def test_elman_context_is_the_previous_hidden_state():
    rng = np.random.default_rng(1)
    net = SRN.init(I, H, O, seed=1)
    tr = bptt(net, rng.normal(size=(T, I)), np.eye(O)[rng.integers(0, O, T)])
    np.testing.assert_array_equal(tr.context, tr.h[:-1])
    assert not tr.context.flags.writeable


# -- the backward sweep ---------------------------------------------------------------------------
@pytest.mark.parametrize("context", JORDAN)
@pytest.mark.parametrize("output", OUTPUT_FUNCTIONS)
@pytest.mark.parametrize("hidden", HIDDEN_ACTIVATIONS)
def test_gradients_match_finite_differences(context, hidden, output):
    rng = np.random.default_rng(3)
    net = _net(context, hidden=hidden, output=output)
    if hidden == "relu":  # keep net inputs away from the kink
        net = net.with_params(b=np.full(H, 0.3))
    xs, d = rng.normal(size=(T, I)), _targets(output, rng, (T,))
    check = gradient_check(net, xs, d)
    assert check.passed(1e-6), dict(check.max_rel_error)


@pytest.mark.parametrize("context", JORDAN)
@pytest.mark.parametrize(
    ("k", "mode"),
    [
        (1, "sliding"),
        (2, "sliding"),
        (3, "sliding"),
        (2, "chunked"),
        (3, "chunked"),
        (9, "sliding"),
    ],
    ids=["k1", "k2", "k3", "chunk2", "chunk3", "k9"],
)
def test_truncated_gradients_match_the_truncated_objective(context, k, mode):
    rng = np.random.default_rng(4)
    net = _net(context, output="logistic")
    xs, d = rng.normal(size=(2, T, I)), _targets("logistic", rng, (2, T))
    mask = rng.integers(0, 2, (2, T)).astype(float)
    check = gradient_check(net, xs, d, truncation=k, mode=mode, mask=mask)
    assert check.passed(1e-6), dict(check.max_rel_error)


def test_truncation_changes_the_jordan_gradient_and_teacher_forcing_has_no_flow():
    rng = np.random.default_rng(5)
    xs, d = rng.normal(size=(T, I)), np.eye(O)[rng.integers(0, O, T)]
    free = _net("output")
    full, k1 = bptt(free, xs, d), bptt(free, xs, d, truncation=1)
    assert not np.allclose(full.grads["W"], k1.grads["W"])
    # the trace's delta_o holds the gradient sent back through y(t): more than y - d
    assert not np.allclose(full.delta_o[:-1], full.y[:-1] - full.d[:-1])
    np.testing.assert_allclose(full.delta_o[-1], full.y[-1] - full.d[-1])
    forced = _net("target")
    tr = bptt(forced, xs, d)
    np.testing.assert_allclose(tr.delta_o, tr.y - tr.d, atol=1e-15)
    for k, mode in ((1, "sliding"), (3, "chunked")):
        np.testing.assert_allclose(
            bptt(forced, xs, d, truncation=k, mode=mode).grads["W"], tr.grads["W"]
        )


@pytest.mark.parametrize("context", JORDAN)
def test_batch_select_and_per_step_terms(context):
    rng = np.random.default_rng(6)
    net = _net(context)
    xs, d = rng.normal(size=(3, T, I)), np.eye(O)[rng.integers(0, O, (3, T))]
    batch = bptt(net, xs, d)
    singles = [bptt(net, xs[b], d[b]) for b in range(3)]
    for name in net.params():
        total = sum(s.grads[name] for s in singles)
        np.testing.assert_allclose(batch.grads[name], total, atol=1e-12)
    np.testing.assert_allclose(batch.select(1).delta_h, singles[1].delta_h)
    one = singles[0]
    for name in net.params():
        steps = sum(one.contribution(t)[name] for t in range(1, T + 1))
        np.testing.assert_allclose(steps, one.grads[name], atol=1e-12)
        np.testing.assert_allclose(one.accumulated(1)[name], one.grads[name], atol=1e-12)
    for arr in (one.context, one.delta_o, one.delta_h, one.h, one.grads["W"]):
        assert not arr.flags.writeable


def test_float32_jordan_trace_keeps_its_dtype():
    rng = np.random.default_rng(7)
    net = _net("output").astype(np.float32)
    tr = bptt(net, rng.normal(size=(T, I)), np.eye(O)[rng.integers(0, O, T)])
    ref = bptt(net.astype(np.float64), tr.x, tr.d)
    assert tr.delta_h.dtype == np.float32 and tr.context.dtype == np.float32
    np.testing.assert_allclose(tr.grads["W"], ref.grads["W"], rtol=1e-4, atol=1e-5)


# -- the gradient flow ----------------------------------------------------------------------------
@pytest.mark.parametrize("context", JORDAN)
def test_flow_matrix_against_perturbing_each_hidden_state(context):
    rng = np.random.default_rng(8)
    net = _net(context, output="softmax")
    xs, d = rng.normal(size=(5, I)), np.eye(O)[rng.integers(0, O, 5)]
    F = flow_matrix(bptt(net, xs, d))

    def loss_at(s: int, t_pert: int, dh: np.ndarray) -> float:
        c = net.h0
        for t in range(1, s + 1):
            h = hidden_forward(net.hidden, net.b + net.W @ c + net.U @ xs[t - 1])
            h = h + dh if t == t_pert else h
            o = net.c + net.V @ h
            y = output_forward(net.output, o)
            c = y if context == "output" else d[t - 1]
        return float(step_loss(net.output, o, y, d[s - 1]))

    eps = 1e-6
    for s in range(1, 6):
        for t in range(1, s + 1):
            g = [(loss_at(s, t, e * eps) - loss_at(s, t, -e * eps)) / (2 * eps) for e in np.eye(H)]
            assert F[s - 1, t - 1] == pytest.approx(np.linalg.norm(g), abs=1e-8)
    if context == "target":
        assert np.all(F[np.tril_indices(5, -1)] == 0.0)  # teacher forcing: nothing flows back


def test_jordan_step_jacobian_radius_against_finite_differences():
    rng = np.random.default_rng(9)
    net = _net("output", output="logistic")
    xs, d = rng.normal(size=(4, I)), _targets("logistic", rng, (4,))
    tr = bptt(net, xs, d)
    radii = jacobians_spectral_radius(tr)
    assert np.isnan(radii[0])

    def h_next(h_prev: np.ndarray, t: int) -> np.ndarray:  # h(t) from h(t-1) through y(t-1)
        y = output_forward(net.output, net.c + net.V @ h_prev)
        return hidden_forward(net.hidden, net.b + net.W @ y + net.U @ xs[t - 1])

    for t in range(2, 5):
        eps = 1e-6
        J = np.stack(
            [
                (h_next(tr.h[t - 1] + e * eps, t) - h_next(tr.h[t - 1] - e * eps, t)) / (2 * eps)
                for e in np.eye(H)
            ],
            axis=1,
        )
        assert radii[t - 1] == pytest.approx(np.max(np.abs(np.linalg.eigvals(J))), abs=1e-8)
    forced = jacobians_spectral_radius(bptt(_net("target"), xs, np.eye(O)[rng.integers(0, O, 4)]))
    assert np.all(forced[1:] == 0.0)


# -- files, training and the CLI ------------------------------------------------------------------
@pytest.mark.parametrize("context", JORDAN)
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
def test_model_file_round_trip(tmp_path, context, dtype):
    net = _net(context).astype(dtype)
    path = tmp_path / "jordan.json"
    save_model(path, net)
    doc = json.loads(path.read_text())
    assert doc["config"]["context"] == context
    assert set(doc["weights"]) >= {"context_to_hidden", "initial_context"}
    back = load_model(path).net
    assert back.context == context and back.same_weights(net)


def test_model_file_errors_name_the_field(tmp_path):
    doc = json.loads(model_json(_net("output")))
    doc["config"]["context"] = "outputs"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc, indent=1))
    with pytest.raises(ModelFileError, match=r"config\.context.*expected one of hidden, output"):
        load_model(path)
    doc["config"]["context"] = "hidden"  # Elman names expected, Jordan names given
    path.write_text(json.dumps(doc, indent=1))
    with pytest.raises(ModelFileError, match="context_to_hidden"):
        load_model(path)


def test_files_without_a_context_load_as_elman(tmp_path):
    doc = json.loads(model_json(SRN.init(I, H, O, seed=3)))
    del doc["config"]["context"]
    path = tmp_path / "old.json"
    path.write_text(json.dumps(doc))
    assert load_model(path).net.context == "hidden"


@pytest.mark.parametrize("context", JORDAN)
def test_jordan_network_learns_to_produce_a_cycle(context):
    """Jordan's (1986) setting: a constant input and a cyclic output A B C A B C ..., so that only
    the fed-back output (or, teacher forced, the previous target) can tell the phase."""
    d = np.eye(3)[np.arange(12) % 3]
    data = Dataset(
        "cycle", (Sequence(np.ones((12, 1)), d),), ("on",), ("A", "B", "C"), scoring="argmax"
    )
    net = SRN.init(1, 4, 3, context=context, seed=0)
    records = list(train(net, data, TrainConfig(lr=0.05, momentum=0.9, epochs=150)))
    assert records[0].score < 0.6
    assert records[-1].score == 1.0 and records[-1].loss < 0.01 * records[0].loss
    assert records[-1].net.context == context and records[-1].net.W.shape == (4, 3)
