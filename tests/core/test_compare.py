"""core.compare: twin runs from one start, the bias meter, and training both.

Every number is checked against a definition written out here: gradients from separate
``bptt`` calls on networks built by hand, norms and cosines from ``np.linalg.norm`` and
``np.dot``, the gradient at the cursor as a sum of per-step terms.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from core.bptt import bptt
from core.compare import (
    BiasMeter,
    Side,
    Twin,
    bias_meter,
    compare_vectors,
    difference_peaks,
    gradient_difference,
    run_twins,
    side_network,
    train_twins,
    twin_networks,
)
from core.cursor import position_of
from core.examples import example_network, example_sequence
from core.gradient_flow import loop_matrix, spectral_radius
from core.limits import MAX_WINDOW
from core.model import SRN
from core.tasks import TASKS, make_task
from core.tdl import TDL
from core.training import train

XS, DS = example_sequence(8)
BASE = example_network()
MATRICES = ("U", "W", "V", "b", "c")


def _rel(ga, gb):
    return np.linalg.norm(ga - gb) / np.linalg.norm(gb)


def _cos(ga, gb):
    return float(np.sum(ga * gb) / (np.linalg.norm(ga) * np.linalg.norm(gb)))


def _flat(grads, names):
    return np.concatenate([np.ravel(grads[p]) for p in names])


# -- building the two networks ---------------------------------------------------------------
TWINS = {
    "bptt1-vs-full": Twin.of("truncation", (1, "sliding"), None),
    "chunked3-vs-sliding3": Twin.of("truncation", (3, "chunked"), (3, "sliding")),
    "elman-vs-jordan": Twin.of("context", "hidden", "output"),
    "jordan-vs-teacher": Twin.of("context", "output", "target"),
    "tanh-vs-logistic": Twin.of("hidden", "tanh", "logistic"),
    "radius-0.9-vs-1.1": Twin.of("radius", 0.9, 1.1),
}


@pytest.mark.parametrize("twin", TWINS.values(), ids=TWINS.keys())
def test_sides_share_the_start(twin):
    net_a, net_b = twin_networks(BASE, twin, seed=3)
    for p in ("U", "V", "b", "c"):  # never rebuilt
        assert np.array_equal(net_a.params()[p], BASE.params()[p])
        assert np.array_equal(net_b.params()[p], BASE.params()[p])
    if twin.variation in ("truncation", "hidden"):
        assert np.array_equal(net_a.W, BASE.W) and np.array_equal(net_b.W, BASE.W)


def test_jordan_w_is_one_seeded_draw_shared_by_both_jordan_contexts():
    net_o = side_network(BASE, Side(context="output"), seed=7)
    net_t = side_network(BASE, Side(context="target"), seed=7)
    fresh = SRN.init(4, 5, 3, seed=7, context="output")
    assert net_o.W.shape == (5, 3)
    assert np.array_equal(net_o.W, fresh.W) and np.array_equal(net_t.W, fresh.W)
    assert np.array_equal(net_o.h0, np.zeros(3))
    other = side_network(BASE, Side(context="output"), seed=8)
    assert not np.array_equal(other.W, net_o.W)


def test_radius_sides_get_the_asked_spectral_radius_of_one_w():
    net_a, net_b = twin_networks(BASE, TWINS["radius-0.9-vs-1.1"])
    assert spectral_radius(loop_matrix(net_a)) == pytest.approx(0.9, rel=1e-10)
    assert spectral_radius(loop_matrix(net_b)) == pytest.approx(1.1, rel=1e-10)
    assert np.allclose(np.asarray(net_b.W) / 1.1, np.asarray(net_a.W) / 0.9)


@pytest.mark.parametrize("twin", TWINS.values(), ids=TWINS.keys())
def test_traces_are_separate_engine_calls(twin):
    traces = run_twins(BASE, twin, XS, DS, seed=3)
    net_a, net_b = twin_networks(BASE, twin, seed=3)
    ref_a = bptt(net_a, XS, DS, truncation=twin.a.truncation, mode=twin.a.mode)
    ref_b = bptt(net_b, XS, DS, truncation=twin.b.truncation, mode=twin.b.mode)
    for p in ref_a.grads:
        assert np.array_equal(traces.a.grads[p], ref_a.grads[p])
        assert np.array_equal(traces.b.grads[p], ref_b.grads[p])


# -- the bias meter ---------------------------------------------------------------------------
def test_identical_twins_give_zero_and_cosine_one():
    traces = run_twins(BASE, Twin.of("truncation", None, None), XS, DS)
    meter = bias_meter(traces.a, traces.b)
    for row in meter.rows:
        assert row.relative == 0.0
        assert row.cosine == pytest.approx(1.0, abs=1e-12)


def test_bptt1_against_full_matches_numpy_on_separate_calls():
    twin = TWINS["bptt1-vs-full"]
    g1 = bptt(BASE, XS, DS, truncation=1).grads
    gf = bptt(BASE, XS, DS).grads
    meter = bias_meter(*_sides(run_twins(BASE, twin, XS, DS)))
    assert meter.scope == "whole sequence"
    for p in MATRICES:
        row = meter.row(p)
        assert row.norm_a == pytest.approx(np.linalg.norm(g1[p]), rel=1e-12)
        assert row.norm_b == pytest.approx(np.linalg.norm(gf[p]), rel=1e-12)
        assert row.relative == pytest.approx(_rel(g1[p], gf[p]), rel=1e-10)
        assert row.cosine == pytest.approx(_cos(g1[p], gf[p]), rel=1e-10)
    total = meter.row("total")
    a, b = _flat(g1, MATRICES), _flat(gf, MATRICES)
    assert total.relative == pytest.approx(_rel(a, b), rel=1e-10)
    assert total.cosine == pytest.approx(_cos(a, b), rel=1e-10)
    assert total.relative > 0.01  # BPTT(1) really is biased on this sequence
    # V and c see only delta_o, which truncation does not touch in an Elman network
    assert meter.row("V").relative == pytest.approx(0.0, abs=1e-12)


def _sides(traces):
    return traces.a, traces.b


@pytest.mark.parametrize("t", [8, 5, 1])
def test_meter_at_the_cursor_compares_the_sum_of_step_terms(t):
    traces = run_twins(BASE, TWINS["bptt1-vs-full"], XS, DS)
    position = position_of(8, "backward", t)
    meter = bias_meter(traces.a, traces.b, position)
    assert meter.scope == f"accumulated, t ≥ {t}"
    # independent: add each visited step's terms one at a time
    sums = []
    for tr in (traces.a, traces.b):
        acc = {p: np.zeros_like(tr.grads[p]) for p in MATRICES}
        for s in range(t, 9):
            for p, term in tr.contribution(s).items():
                if p in acc:
                    acc[p] = acc[p] + term
        sums.append(acc)
    for p in ("U", "W", "b"):
        ga, gb = sums[0][p], sums[1][p]
        if np.linalg.norm(ga - gb) == 0:
            assert meter.row(p).relative == 0.0
        else:
            assert meter.row(p).relative == pytest.approx(_rel(ga, gb), rel=1e-9)
            assert meter.row(p).cosine == pytest.approx(_cos(ga, gb), rel=1e-9)
    diff = gradient_difference(traces.a, traces.b, position)
    assert np.allclose(diff["W"], sums[0]["W"] - sums[1]["W"], atol=1e-14)


def test_last_step_alone_is_not_truncated():
    """At backward t = T only L(T)'s first step has been taken: BPTT(1) and full agree."""
    traces = run_twins(BASE, TWINS["bptt1-vs-full"], XS, DS)
    meter = bias_meter(traces.a, traces.b, position_of(8, "backward", 8))
    assert meter.row("total").relative == pytest.approx(0.0, abs=1e-12)


def test_meter_is_undefined_before_the_backward_sweep():
    traces = run_twins(BASE, TWINS["bptt1-vs-full"], XS, DS)
    for k in (0, 1, 8):
        assert bias_meter(traces.a, traces.b, k) is None
        assert all(not d.any() for d in gradient_difference(traces.a, traces.b, k).values())


@pytest.mark.parametrize(
    ("a", "b", "relative", "cosine"),
    [
        ([1.0, 0.0], [0.0, 1.0], math.sqrt(2), 0.0),  # orthogonal
        ([1.0, 2.0], [-1.0, -2.0], 2.0, -1.0),  # opposite
        ([2.0, 4.0], [1.0, 2.0], 1.0, 1.0),  # parallel, twice as long
        ([3.0, 4.0], [3.0, 4.0], 0.0, 1.0),  # equal
    ],
    ids=["orthogonal", "opposite", "double", "equal"],
)
def test_known_cases(a, b, relative, cosine):
    row = compare_vectors("x", np.array(a), np.array(b))
    assert row.relative == pytest.approx(relative, abs=1e-12)
    assert row.cosine == pytest.approx(cosine, abs=1e-12)


def test_zero_reference_is_undefined_not_zero():
    row = compare_vectors("x", np.ones(3), np.zeros(3))
    assert math.isnan(row.relative) and math.isnan(row.cosine)


def test_shapes_that_differ_are_left_out_of_the_total():
    traces = run_twins(BASE, TWINS["elman-vs-jordan"], XS, DS)  # W (5, 5) against (5, 3)
    meter = bias_meter(traces.a, traces.b)
    assert isinstance(meter, BiasMeter)
    assert not meter.row("W").comparable and math.isnan(meter.row("W").relative)
    names = ("U", "V", "b", "c")
    a, b = _flat(traces.a.grads, names), _flat(traces.b.grads, names)
    assert meter.row("total").relative == pytest.approx(_rel(a, b), rel=1e-10)
    assert "W" not in gradient_difference(traces.a, traces.b)


# -- validation ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("fields", "match"),
    [
        ({"truncation": 0}, "truncation k"),
        ({"truncation": 1_000_001}, "truncation k"),  # core.limits.MAX_STEPS + 1
        ({"truncation": 2.5}, "whole number"),
        ({"truncation": True}, "whole number"),
        ({"mode": "diagonal"}, "truncation mode"),
        ({"context": "memory"}, "context"),
        ({"hidden": "sine"}, "hidden activation"),
        ({"radius": 0.0}, "spectral radius"),
        ({"radius": 11.0}, "spectral radius"),
        ({"radius": float("nan")}, "spectral radius"),
        ({"radius": "1"}, "spectral radius"),
        ({"radius": 1.0, "context": "target"}, "teacher forcing"),
    ],
    ids=lambda v: str(v),
)
def test_bad_sides_are_refused_naming_the_field(fields, match):
    with pytest.raises(ValueError, match=match):
        Side(**fields)


def test_bad_variation_and_seed_are_refused():
    with pytest.raises(ValueError, match="variation"):
        Twin.of("learning rate", 0.1, 0.2)
    with pytest.raises(ValueError, match="seed"):
        side_network(BASE, Side(), seed=-1)
    with pytest.raises(ValueError, match="seed"):
        side_network(BASE, Side(), seed=2**31)


def test_labels_name_what_differs():
    assert TWINS["bptt1-vs-full"].labels == ("sliding BPTT(1)", "full BPTT")
    assert TWINS["jordan-vs-teacher"].labels == ("Jordan", "teacher forcing")
    assert TWINS["radius-0.9-vs-1.1"].labels == ("ρ = 0.9", "ρ = 1.1")


# -- training both ------------------------------------------------------------------------------
def _delayed_recall(seed):
    spec = TASKS["delayed-recall"]
    data = make_task("delayed-recall", seed=seed, delay=4, n_sequences=40, length=10)
    return spec, data, spec.network(data, seed=seed, n_hidden=6)


def test_training_both_is_training_each_from_the_same_start():
    spec, data, net = _delayed_recall(0)
    twin = TWINS["bptt1-vs-full"]
    config = spec.train_config(epochs=3, lr=0.05)
    epochs = list(train_twins(net, twin, data, config))
    alone_a = list(train(net, data, replace(config, truncation=1, mode="sliding")))
    alone_b = list(train(net, data, replace(config, truncation=None)))
    assert [e.epoch for e in epochs] == [1, 2, 3]
    for both, a, b in zip(epochs, alone_a, alone_b, strict=True):
        assert both.a.loss == a.loss and both.b.loss == b.loss


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_bptt1_cannot_learn_delayed_recall_at_lag_4_but_full_bptt_can(seed):
    """The classic demonstration (Bengio, Simard & Frasconi 1994; Williams & Peng 1990): the
    error of recalling x(t - 4) must travel back 4 steps, which BPTT(1) never lets it do."""
    spec, data, net = _delayed_recall(seed)
    twin = TWINS["bptt1-vs-full"]
    last = list(train_twins(net, twin, data, spec.train_config(epochs=40, lr=0.05)))[-1]
    assert last.b.loss < 0.05  # full BPTT: near zero loss ...
    assert last.b.score == 1.0  # ... and every delayed symbol right
    assert last.a.loss > 0.3  # BPTT(1) stays near chance (ln 2 per scored step: 0.42 per step)
    assert last.a.score < 0.75


def test_difference_peaks_bound_every_difference_shown():
    traces = run_twins(BASE, TWINS["bptt1-vs-full"], XS, DS)
    peaks = difference_peaks(traces.a, traces.b)
    seen = {p: 0.0 for p in peaks}
    for k in range(0, 17):
        for p, diff in gradient_difference(traces.a, traces.b, k).items():
            seen[p] = max(seen[p], float(np.abs(diff).max()))
    for p in peaks:
        assert peaks[p] == pytest.approx(seen[p], rel=1e-12, abs=1e-15)
    assert peaks["W"] > 0 and peaks["V"] == pytest.approx(0.0, abs=1e-12)


# -- the network variation: an SRN against a tapped delay line (Bodén 2002 §4) ------------------
SRN_VS_TDL3 = Twin.of("network", 3, None)  # A: delay line ω = 3, B (reference): the SRN
I = BASE.n_in


def _hand_tdl(base, window, seed=0):
    """The delay line of the module docstring, written out: U = [U, U_1 ... U_omega] with the
    older taps drawn uniform in +-1/sqrt((omega+1) I) by TDL.init's generator."""
    rng = np.random.default_rng(seed)
    r = 1.0 / np.sqrt((window + 1) * base.n_in)
    drawn = rng.uniform(-r, r, (base.n_hidden, (window + 1) * base.n_in))  # TDL.init's first draw
    U = np.hstack([base.U, drawn[:, base.n_in :]])
    return TDL(U=U, V=base.V, b=base.b, c=base.c, window=window, hidden=base.hidden)


def test_delay_line_side_is_the_srn_s_u_v_b_c_with_seeded_older_taps():
    net = side_network(BASE, SRN_VS_TDL3.a, seed=6)
    assert isinstance(net, TDL) and net.window == 3 and net.hidden == BASE.hidden
    assert net.output == BASE.output and net.U.shape == (5, 4 * I)
    assert np.array_equal(net.tap(0), BASE.U)
    fresh = TDL.init(4, 5, 3, window=3, seed=6)
    for k in (1, 2, 3):
        assert np.array_equal(net.tap(k), fresh.tap(k))
        assert np.abs(net.tap(k)).max() <= 1 / np.sqrt(4 * I)
    assert not np.array_equal(side_network(BASE, SRN_VS_TDL3.a, seed=7).tap(1), net.tap(1))
    for p in ("V", "b", "c"):
        assert np.array_equal(getattr(net, p), getattr(BASE, p))
    assert side_network(BASE, SRN_VS_TDL3.b).same_weights(BASE)  # the reference is the SRN


def test_delay_line_side_equals_bptt_on_a_delay_line_built_by_hand():
    traces = run_twins(BASE, SRN_VS_TDL3, XS, DS)
    ref_a = bptt(_hand_tdl(BASE, 3), XS, DS)
    ref_b = bptt(BASE, XS, DS)
    assert np.array_equal(traces.a.h, ref_a.h) and np.array_equal(traces.a.y, ref_a.y)
    for p in ("U", "V", "b", "c"):
        assert np.array_equal(traces.a.grads[p], ref_a.grads[p])
    for p in MATRICES:
        assert np.array_equal(traces.b.grads[p], ref_b.grads[p])


def test_older_taps_get_the_gradient_of_their_inputs():
    """dL/dU_k = sum_t delta_h(t) x(t-k)^T (Eq. 31), x(s) = 0 before the sequence starts; and
    the x(t) block's is the SRN's formula sum_t delta_h(t) x(t)^T with the delay line's deltas."""
    tdl = run_twins(BASE, SRN_VS_TDL3, XS, DS).a
    x = np.asarray(XS)
    for k in range(4):
        expected = sum(np.outer(tdl.delta_h[t], x[t - k]) for t in range(k, len(x)))
        assert np.allclose(tdl.grads["U"][:, k * I : (k + 1) * I], expected, atol=1e-14)
        assert np.abs(expected).max() > 1e-3


def test_meter_compares_the_x_t_block_of_u_and_marks_w_not_comparable():
    traces = run_twins(BASE, SRN_VS_TDL3, XS, DS)
    ga, gb = traces.a.grads, traces.b.grads
    u0 = np.asarray(ga["U"])[:, :I]  # the delay line's U_0, against the SRN's U
    for position in (None, position_of(8, "backward", 4)):
        meter = bias_meter(traces.a, traces.b, position)
        if position is not None:
            ga, gb = traces.a.accumulated(4), traces.b.accumulated(4)
            u0 = np.asarray(ga["U"])[:, :I]
        assert [r.name for r in meter.rows] == ["U", "W", "V", "b", "c", "total"]
        row = meter.row("U")
        assert row.part == "U₀ (x(t))" and row.label == row.part
        assert row.norm_a == pytest.approx(np.linalg.norm(u0), rel=1e-12)
        assert row.relative == pytest.approx(_rel(u0, gb["U"]), rel=1e-10)
        assert row.cosine == pytest.approx(_cos(u0, gb["U"]), rel=1e-10)
        w = meter.row("W")
        assert not w.comparable and math.isnan(w.relative) and w.norm_a == 0.0
        a = np.concatenate([u0.ravel(), _flat(ga, ("V", "b", "c"))])
        b = _flat(gb, ("U", "V", "b", "c"))
        assert meter.row("total").relative == pytest.approx(_rel(a, b), rel=1e-10)
    diff = gradient_difference(traces.a, traces.b)
    assert set(diff) == {"U", "V", "b", "c"} and diff["U"].shape == (5, I)
    assert np.allclose(diff["U"], traces.a.grads["U"][:, :I] - traces.b.grads["U"], atol=0)
    peaks = difference_peaks(traces.a, traces.b)
    assert peaks["U"] >= np.abs(diff["U"]).max() > 0  # the loop changes delta_h, so U_0's grad


def test_two_windows_compare_the_taps_both_have():
    base = _hand_tdl(BASE, 2)
    base = base.with_params(U=np.asarray(base.U) + 0.1)  # every tap non-zero
    twin = Twin.of("network", 4, 1, base=Side(window=2, context="none"))
    net_a, net_b = twin_networks(base, twin)
    assert net_a.window == 4 and net_b.window == 1
    assert np.array_equal(net_a.U[:, : 3 * I], base.U)  # the taps the base has, then drawn:
    assert np.array_equal(net_a.U[:, 3 * I :], TDL.init(4, 5, 3, window=4).U[:, 3 * I :])
    assert np.array_equal(net_b.U, base.U[:, : 2 * I])
    traces = run_twins(base, twin, XS, DS)
    row = bias_meter(traces.a, traces.b).row("U")
    assert row.part == "U₀…U₁ (x(t)…x(t−1))"
    ga, gb = traces.a.grads["U"][:, : 2 * I], traces.b.grads["U"]
    assert row.relative == pytest.approx(_rel(ga, gb), rel=1e-10)


def test_recurrent_side_of_a_delay_line_takes_u0_and_a_seeded_fresh_loop():
    base = _hand_tdl(BASE, 2).with_params(U=np.arange(5 * 12).reshape(5, 12) / 60.0)
    for context in ("hidden", "output"):
        side = Side(window=2, context="none").with_value("network", None)
        side = replace(side, context=context)
        net = side_network(base, side, seed=5)
        fresh = SRN.init(4, 5, 3, seed=5, context=context)
        assert isinstance(net, SRN) and net.context == context
        assert np.array_equal(net.U, base.tap(0))
        assert np.array_equal(net.W, fresh.W) and np.array_equal(net.h0, fresh.h0)
        for p in ("V", "b", "c"):
            assert np.array_equal(getattr(net, p), getattr(base, p))


def test_network_labels_and_choices():
    assert SRN_VS_TDL3.labels == ("tapped delay line ω = 3", "SRN (Elman)")
    jordan = Twin.of("network", 0, None, base=Side(context="output"))
    assert jordan.labels == ("tapped delay line ω = 0", "SRN (Jordan)")
    assert Side(window=2, context="none").with_value("network", None).context == "hidden"


@pytest.mark.parametrize(
    ("fields", "match"),
    [
        ({"window": MAX_WINDOW + 1, "context": "none"}, "window"),
        ({"window": -1, "context": "none"}, "window"),
        ({"window": 2.0, "context": "none"}, "window"),
        ({"window": 2}, "no context units"),
        ({"window": 2, "context": "none", "radius": 1.0}, "radius"),
    ],
    ids=["too-big", "negative", "float", "with-context", "with-radius"],
)
def test_bad_delay_line_sides_are_refused(fields, match):
    with pytest.raises(ValueError, match=match):
        Side(**fields)


def test_a_delay_line_base_refuses_a_radius_naming_the_loop():
    with pytest.raises(ValueError, match="no loop W"):
        Twin.of("radius", 0.9, 1.1, base=Side(window=2, context="none"))


@pytest.mark.parametrize("seed", [0, 1])
def test_delay_line_shorter_than_the_lag_fails_where_the_srn_learns(seed):
    """Delayed recall at lag 4 (Bodén 2002 §4: the window must reach the lag): the SRN with full
    BPTT recalls every symbol; the delay line ω = 3 never sees x(t-4) and stays near chance
    (ln 2 per scored step); ω = 4 has it in the buffer and learns it."""
    spec, data, net = _delayed_recall(seed)
    config = spec.train_config(epochs=40, lr=0.05)
    short = list(train_twins(net, Twin.of("network", 3, None), data, config))[-1]
    assert short.b.loss < 0.05 and short.b.score == 1.0  # the SRN
    assert short.a.loss > 0.3 and short.a.score < 0.7  # ω = 3 < lag 4
    reach = list(train_twins(net, Twin.of("network", 4, None), data, config))[-1]
    assert reach.a.loss < 0.05 and reach.a.score == 1.0  # ω = 4 = lag


def test_temporal_xor_needs_the_srn_or_a_window_of_one():
    """Elman's (1990) temporal XOR: the bit after two random bits is their XOR, a function of
    x(t) and x(t-1). The delay line with ω = 0 sees x(t) alone and guesses those bits; ω = 1
    and the SRN (whose context holds x(t-1)) get the scored bits right."""
    spec = TASKS["temporal-xor"]
    data = make_task("temporal-xor", seed=0, n_sequences=30)
    net = spec.network(data, seed=0)
    config = spec.train_config(seed=0)
    blind = list(train_twins(net, Twin.of("network", 0, None), data, config))[-1]
    assert blind.a.score < 0.65 and blind.b.score >= 0.95
    assert blind.b.loss < blind.a.loss - 0.1  # only the XOR bits' loss can fall
    one = list(train_twins(net, Twin.of("network", 1, None), data, config))[-1]
    assert one.a.score == 1.0
