"""The PyTorch export: the checkpoint holds the network under torch's names, Unfold's numbers for
comparison, and the generated script reproduces them in torch (when torch is installed)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from core.bptt import bptt
from core.cli_export import main as cli_main
from core.model import SRN
from core.modelio import FileWriteError, save_model
from core.torch_export import TorchExportError, export_torch, torch_arrays

OUTPUTS = ("softmax", "logistic", "linear")


def network(hidden: str = "tanh", output: str = "softmax", context: str = "hidden") -> SRN:
    return SRN.init(3, 4, 2, hidden=hidden, output=output, seed=3, h0=0.25, context=context)


def sequence(T: int = 7) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(11)
    return rng.normal(size=(T, 3)), np.eye(2)[rng.integers(0, 2, T)]


def load(path: Path) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as archive:  # nothing pickled
        return {name: archive[name] for name in archive.files}


@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("hidden", ("tanh", "relu"))
def test_checkpoint_holds_the_network_under_torch_names(
    tmp_path: Path, hidden: str, output: str
) -> None:
    net = network(hidden, output)
    x, d = sequence()
    checkpoint, script = export_torch(tmp_path / "net.npz", net, x, d)
    data = load(checkpoint)
    np.testing.assert_array_equal(data["rnn.weight_ih_l0"], net.U)
    np.testing.assert_array_equal(data["rnn.weight_hh_l0"], net.W)
    np.testing.assert_array_equal(data["rnn.bias_ih_l0"], net.b)
    np.testing.assert_array_equal(data["rnn.bias_hh_l0"], np.zeros(4))
    np.testing.assert_array_equal(data["linear.weight"], net.V)
    np.testing.assert_array_equal(data["linear.bias"], net.c)
    np.testing.assert_array_equal(data["h0"], net.h0.reshape(1, 1, 4))
    np.testing.assert_array_equal(data["x"], x[None])
    np.testing.assert_array_equal(data["d"], d[None])
    meta = json.loads(str(data["meta"]))
    assert (meta["nonlinearity"], meta["output"], meta["hidden_size"]) == (hidden, output, 4)
    assert script == tmp_path / "net.py" and "net.npz" in script.read_text()


def test_stored_results_are_the_engines_full_bptt() -> None:
    net = network()
    x, d = sequence()
    trace = bptt(net, x, d)
    data = torch_arrays(net, x, d)
    np.testing.assert_array_equal(data["unfold.y"], trace.y)
    np.testing.assert_array_equal(data["unfold.h"], trace.h[1:])
    assert float(data["unfold.loss"]) == trace.loss
    np.testing.assert_array_equal(data["unfold.grad.rnn.weight_ih_l0"], trace.grads["U"])
    np.testing.assert_array_equal(data["unfold.grad.rnn.weight_hh_l0"], trace.grads["W"])
    np.testing.assert_array_equal(data["unfold.grad.linear.weight"], trace.grads["V"])
    np.testing.assert_array_equal(data["unfold.grad.linear.bias"], trace.grads["c"])
    # the two torch biases both enter a(t) once: each has the gradient of b
    np.testing.assert_array_equal(data["unfold.grad.rnn.bias_ih_l0"], trace.grads["b"])
    np.testing.assert_array_equal(data["unfold.grad.rnn.bias_hh_l0"], trace.grads["b"])
    np.testing.assert_array_equal(data["unfold.grad.h0"], trace.grads["h0"].reshape(1, 1, 4))
    # truncated BPTT would store other gradients: the export is full BPTT, as autograd is
    assert not np.allclose(
        bptt(net, x, d, truncation=1).grads["W"], data["unfold.grad.rnn.weight_hh_l0"]
    )


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"hidden": "logistic"}, "hidden activation is logistic; torch.nn.RNN offers only tanh"),
        ({"hidden": "linear"}, "hidden activation is linear"),
        ({"context": "output"}, "a Jordan network feeds the previous output"),
        ({"context": "target"}, "teacher forcing feeds the previous target"),
    ],
    ids=["logistic-hidden", "linear-hidden", "jordan", "teacher-forcing"],
)
def test_refuses_what_torch_rnn_cannot_express(tmp_path: Path, kwargs: dict, reason: str) -> None:
    x, d = sequence()
    with pytest.raises(TorchExportError, match=re.escape(reason)):
        export_torch(tmp_path / "net.npz", network(**kwargs), x, d)
    assert list(tmp_path.iterdir()) == []


def test_a_read_only_checkpoint_is_left_untouched(tmp_path: Path) -> None:
    target = tmp_path / "net.npz"
    target.write_bytes(b"old")
    os.chmod(target, 0o444)
    x, d = sequence()
    with pytest.raises(FileWriteError, match="read-only"):
        export_torch(target, network(), x, d)
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.npz"]  # no script, no temporary


def test_cli_writes_the_checkpoint_of_a_model_file(tmp_path: Path, capsys) -> None:
    net = SRN.init(4, 3, 3, seed=2)  # the shape of the built-in "two-back" task's data
    model = tmp_path / "m.json"
    save_model(model, net, task={"task": "two-back", "seed": 0, "params": {}})
    status = cli_main(["export-torch", str(model), str(tmp_path / "out.npz")])
    assert status == 0, capsys.readouterr().err
    np.testing.assert_array_equal(load(tmp_path / "out.npz")["linear.weight"], net.V)
    assert (tmp_path / "out.py").is_file()


def test_cli_names_the_file_it_cannot_export(tmp_path: Path, capsys) -> None:
    model = tmp_path / "m.json"
    save_model(model, SRN.init(4, 3, 3, hidden="logistic"), task={"task": "two-back"})
    status = cli_main(["export-torch", str(model), str(tmp_path / "out.npz")])
    err = capsys.readouterr().err
    assert status == 1 and f"{model}: the hidden activation is logistic" in err
    assert not (tmp_path / "out.npz").exists()
    save_model(model, SRN.init(4, 3, 3), task=None)
    assert cli_main(["export-torch", str(model), str(tmp_path / "out.npz")]) == 1
    assert "names no data" in capsys.readouterr().err


# -- the round trip through torch ---------------------------------------------------------------
def run_script(script: Path) -> tuple[int, dict[str, float]]:
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, check=False, timeout=300
    )
    diffs = {
        m.group(1).strip(): float(m.group(2))
        for m in re.finditer(r"^(.+?)max \|torch - unfold\| = (\S+)$", done.stdout, re.M)
    }
    return done.returncode, diffs


@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("hidden", ("tanh", "relu"))
def test_generated_script_reproduces_outputs_and_gradients_in_torch(
    tmp_path: Path, hidden: str, output: str
) -> None:
    pytest.importorskip("torch")
    x, d = sequence()
    _, script = export_torch(tmp_path / "net.npz", network(hidden, output), x, d)
    status, diffs = run_script(script)
    assert status == 0
    assert len(diffs) == 3 + 7  # y, h, loss and the gradient of every tensor and h0
    assert max(diffs.values()) <= 1e-6


def test_generated_script_reports_a_difference(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    x, d = sequence()
    checkpoint, script = export_torch(tmp_path / "net.npz", network(), x, d)
    data = load(checkpoint)
    data["unfold.grad.rnn.weight_hh_l0"] = data["unfold.grad.rnn.weight_hh_l0"] + 1e-3
    np.savez(checkpoint, **data)
    status, diffs = run_script(script)
    assert status == 1 and diffs["grad rnn.weight_hh_l0"] == pytest.approx(1e-3)
