"""How the rest of Unfold treats a tapped delay line (core.tdl): what it can do (twins that differ
in the hidden activation, lecture drawings of its buffer) and what it refuses, naming why (RTRL,
PyTorch export, twins that would need context units or W)."""

from __future__ import annotations

import numpy as np
import pytest

from core import cli
from core.bptt import bptt
from core.compare import Side, Twin, run_twins, side_network
from core.cursor import position_of, state_at
from core.drawing import folded_drawing, unfolded_drawing
from core.model import SRN
from core.notation import DEFAULT_NOTATION, NOTATIONS
from core.rtrl_compare import compare_steps
from core.tasks import make_task
from core.tdl import TDL
from core.torch_export import TorchExportError, torch_arrays
from core.training import TrainConfig, train


def _net_and_data() -> tuple[TDL, np.ndarray, np.ndarray]:
    net = TDL.init(2, 3, 2, window=2, seed=0)
    x, d = np.eye(2)[[0, 1, 1, 0, 1]], np.eye(2)[[1, 0, 0, 1, 1]]
    return net, x, d


def test_rtrl_is_refused_for_a_delay_line() -> None:
    net, x, d = _net_and_data()
    data = make_task("delayed-recall", seed=0, n_sequences=4, length=6, delay=1)
    tdl = TDL.init(data.n_in, 3, data.n_out, window=1)
    with pytest.raises(ValueError, match="tapped delay line has no recurrence"):
        train(tdl, data, TrainConfig(algorithm="rtrl", epochs=1))
    with pytest.raises(ValueError, match="RTRL has nothing to carry"):
        next(compare_steps(bptt(net, x, d)))


def test_cli_refuses_rtrl_for_a_delay_line(capsys) -> None:
    argv = ["train", "--task", "delayed-recall", "--network", "tdl", "--algorithm", "rtrl"]
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert "tapped delay line has no recurrence" in err and len(err.strip().splitlines()) == 1


def test_torch_export_is_refused_with_the_reason() -> None:
    net, x, d = _net_and_data()
    with pytest.raises(TorchExportError, match=r"torch\.nn\.RNN has a recurrence"):
        torch_arrays(net, x, d)


def test_twins_of_a_delay_line_vary_what_it_has() -> None:
    net, x, d = _net_and_data()
    base = Side(context="none", hidden="tanh", window=net.window)
    twins = run_twins(net, Twin.of("hidden", "tanh", "logistic", base=base), x, d)
    assert isinstance(twins.a.net, TDL) and isinstance(twins.b.net, TDL)
    assert (twins.a.net.hidden, twins.b.net.hidden) == ("tanh", "logistic")
    assert twins.a.loss == pytest.approx(bptt(net, x, d).loss)
    for variation, a, b in (("context", "hidden", "output"), ("radius", 1.0, None)):
        with pytest.raises(ValueError, match=r"a tapped delay line has no (context units|loop W)"):
            run_twins(net, Twin.of(variation, a, b, base=base), x, d)
    srn = SRN.init(2, 3, 2)
    with pytest.raises(ValueError, match="keeps context units"):
        side_network(srn, Side(context="none"))


def test_lecture_drawings_show_the_buffer() -> None:
    net, x, d = _net_and_data()
    tr = bptt(net, x, d)
    notation = NOTATIONS[DEFAULT_NOTATION]
    state = state_at(tr, position_of(tr.T, "forward", 4))
    folded = folded_drawing(tr, state, notation)
    buffer = {n.label.plain: n.value for n in folded.nodes if n.quantity == "input"}
    # at t = 4 the buffer holds x(4), x(3), x(2): the one-hot symbols 1, 2, 2 of the sequence
    assert buffer == {"x1(4)": 1.0, "x2(4)": 0.0, "x1(3)": 0.0, "x2(3)": 1.0, "x1(2)": 0.0,
                      "x2(2)": 1.0}  # fmt: skip
    u_edges = [e for e in folded.edges if e.param == "U"]
    assert len(u_edges) == 3 * 3 * 2
    unfolded = unfolded_drawing(tr, state, notation)
    name = [n.label.plain for n in unfolded.nodes]
    into_h4 = [e for e in unfolded.edges if e.param == "U" and name[e.receiver] == "h1(4)"]
    senders = sorted(name[e.sender] for e in into_h4)
    assert senders == ["x1(2)", "x1(3)", "x1(4)", "x2(2)", "x2(3)", "x2(4)"]
    assert state_at(tr, 0).label.startswith("start: empty delay buffer")
    folded_drawing(tr, state_at(tr, 0), notation)  # the start has no h(0) to show
