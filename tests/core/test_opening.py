"""Opening a sequence file as one generator (run in a child process by the window): read, the
network for the data, and the first sequence's trace, equal to what the window computes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import core.opening as opening
from core.bptt import bptt
from core.data import DatasetError
from core.loaders import load_dataset
from core.model import SRN
from core.opening import Opened, network_for, open_sequence_file
from core.tdl import TDL


def write_csv(path: Path, T: int, n_in: int, n_out: int) -> Path:
    rng = np.random.default_rng(0)
    header = [f"x{i + 1}" for i in range(n_in)] + [f"d{k + 1}" for k in range(n_out)]
    rows = rng.integers(0, 2, (T, n_in + n_out))
    lines = [",".join(header)] + [",".join(map(str, r)) for r in rows.tolist()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(("truncation", "mode"), [(None, "sliding"), (2, "chunked")])
def test_a_file_that_fits_is_traced_with_the_network_given(
    tmp_path: Path, truncation: int | None, mode: str
) -> None:
    net = SRN.init(3, 4, 2, output="logistic", seed=0)
    path = write_csv(tmp_path / "s.csv", 50, 3, 2)
    items = list(open_sequence_file(str(path), net, truncation, mode))
    assert items[:2] == ["reading", "tracing"] and len(items) == 3
    opened = items[2]
    assert isinstance(opened, Opened) and opened.net is net and opened.seconds > 0
    seq = load_dataset(path).sequences[0]
    expected = bptt(net, seq.x, seq.d, truncation=truncation, mode=mode)
    assert opened.trace is not None and opened.trace.net is net
    assert (opened.trace.truncation, opened.trace.mode) == (expected.truncation, expected.mode)
    np.testing.assert_array_equal(opened.trace.delta_h, expected.delta_h)
    np.testing.assert_array_equal(opened.trace.grads["W"], expected.grads["W"])


@pytest.mark.parametrize("kind", ["srn", "tdl"])
def test_a_file_that_does_not_fit_gets_a_network_of_the_same_kind_built_for_it(
    tmp_path: Path, kind: str
) -> None:
    if kind == "tdl":
        net: SRN | TDL = TDL.init(2, 5, 2, window=3, hidden="logistic", seed=0)
    else:
        net = SRN.init(2, 5, 2, hidden="relu", context="output", train_h0=False, seed=0)
    path = write_csv(tmp_path / "s.csv", 30, 4, 3)
    opened = list(open_sequence_file(str(path), net, None, "sliding"))[-1]
    built = opened.net
    assert type(built) is type(net) and built is not net
    assert (built.n_in, built.n_hidden, built.n_out) == (4, 5, 3)
    assert built.hidden == net.hidden
    if isinstance(net, TDL):
        assert built.window == net.window
    else:
        assert (built.context, built.train_h0) == (net.context, net.train_h0)
    assert opened.trace is not None and opened.trace.net is built
    assert network_for(net, opened.dataset).n_in == 4


def test_a_trace_beyond_the_limit_is_not_computed(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(opening, "trace_problem", lambda *a: "too large")
    path = write_csv(tmp_path / "s.csv", 30, 2, 2)
    opened = list(open_sequence_file(str(path), SRN.init(2, 3, 2, seed=0), None, "sliding"))[-1]
    assert opened.trace is None and len(opened.dataset) == 1


def test_a_bad_file_raises_the_loaders_error_after_saying_it_reads(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("x1,d1\n1,0\n1,oops\n", encoding="utf-8")
    items = open_sequence_file(str(path), SRN.init(1, 2, 1, seed=0), None, "sliding")
    assert next(items) == "reading"
    with pytest.raises(DatasetError, match="line 3"):
        next(items)


def test_the_trace_arrives_from_a_child_with_its_colour_ranges_and_keeps_them_on_a_new_net(
    tmp_path: Path, monkeypatch
) -> None:
    """What the views need first (the gradient peaks and the kept partial sums) is computed in
    the child and read back with the trace: the window does not compute it again."""
    import io
    import pickle

    from core.child import _dump
    from core.trace import Trace

    net = SRN.init(3, 4, 2, output="logistic", seed=0)
    path = write_csv(tmp_path / "s.csv", 400, 3, 2)
    opened = list(open_sequence_file(str(path), net, None, "sliding"))[-1]
    expected = opened.trace.gradient_peaks()
    buffer = io.BytesIO()
    _dump(opened, buffer)
    buffer.seek(0)
    arrived = pickle.load(buffer)

    def not_again(self):
        raise AssertionError("computed again")

    monkeypatch.setattr(Trace, "_suffix_sums", not_again)
    monkeypatch.setattr(Trace, "_gradient_peaks", not_again)
    assert arrived.trace.net is not net and arrived.trace.net.same_weights(net)
    assert arrived.trace.gradient_peaks() == expected
    moved = arrived.trace.with_net(net)
    assert moved.net is net and moved.gradient_peaks() == expected
    assert moved.suffix_sums() is arrived.trace.suffix_sums()
