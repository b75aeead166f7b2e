"""A tapped delay line trained, saved, loaded and run from the command line; and what a fixed
window can and cannot learn on delayed recall (Bodén 2002 §4)."""

from __future__ import annotations

import copy
import csv
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from core import cli
from core.bptt import bptt
from core.limits import MAX_WINDOW
from core.modelio import ModelFileError, export_trace_csv, load_model, save_model
from core.tasks import make_task
from core.tdl import TDL
from core.training import TrainConfig, train


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        status = cli.main(["train", *argv])
    except SystemExit as exc:
        status = int(exc.code or 0)
    out, err = capsys.readouterr()
    return status, out, err


# -- training -----------------------------------------------------------------------------------
@pytest.mark.parametrize("update", ["sequence", "epoch"])
def test_training_updates_u_v_b_c_and_lowers_the_loss(update: str) -> None:
    data = make_task("delayed-recall", seed=0, n_sequences=10, length=8, delay=1)
    net = TDL.init(data.n_in, 4, data.n_out, window=2, seed=0)
    records = list(train(net, data, TrainConfig(lr=0.1, epochs=5, update=update)))
    last = records[-1].net
    assert isinstance(last, TDL) and last.window == 2 and last.U.shape == net.U.shape
    assert not np.array_equal(last.U, net.U) and not np.array_equal(last.V, net.V)
    assert records[-1].loss < records[0].loss
    assert records[-1].diverged is None


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_window_reaching_the_lag_learns_delayed_recall_and_a_shorter_one_cannot(
    seed: int,
) -> None:
    """d(t) = x(t-3): with omega = 3 the answer is in the buffer; with omega = 2 it never is, so
    the network can only guess (chance: ln 2 per scored step)."""
    data = make_task("delayed-recall", seed=seed, n_sequences=40, length=12, delay=3)
    config = TrainConfig(lr=0.1, epochs=40, seed=seed)
    outcome = {}
    for window in (2, 3):
        net = TDL.init(data.n_in, 8, data.n_out, window=window, seed=seed)
        outcome[window] = list(train(net, data, config))[-1]
    assert outcome[3].loss < 0.05 and outcome[3].score == 1.0
    chance = np.log(2) * 9 / 12  # 9 of the 12 steps are scored
    assert outcome[2].loss > 0.7 * chance and outcome[2].score is not None
    assert outcome[2].score < 0.7


@pytest.mark.parametrize("seed", [0, 1])
def test_temporal_xor_needs_a_window_of_one(seed: int) -> None:
    """The XOR bit d(t) = x(t) XOR x(t-1) is predictable from a window of 1 and not from x(t)
    alone: omega = 1 gets every scored bit right, omega = 0 guesses."""
    data = make_task("temporal-xor", seed=seed, n_sequences=30)
    config = TrainConfig(lr=0.05, epochs=150, seed=seed)
    outcome = {}
    for window in (0, 1):
        net = TDL.init(data.n_in, 8, data.n_out, window=window, seed=seed, output=data.output)
        outcome[window] = list(train(net, data, config))[-1]
    assert outcome[1].score == 1.0
    assert outcome[0].score is not None and outcome[0].score < 0.65
    assert outcome[1].loss < outcome[0].loss - 0.03  # only the XOR bits' loss can fall


# -- model files ----------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
def test_round_trip_keeps_window_and_weights_exactly(tmp_path: Path, dtype: Any) -> None:
    net = TDL.init(3, 4, 2, window=5, hidden="logistic", output="linear", seed=1, dtype=dtype)
    path = tmp_path / "tdl.json"
    save_model(path, net, task={"task": "delayed-recall", "seed": 2})
    loaded = load_model(path).net
    assert isinstance(loaded, TDL) and loaded.same_weights(net)
    assert loaded.dtype == dtype and loaded.window == 5
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["config"] == net.config() and doc["config"]["network"] == "tdl"
    assert list(doc["weights"]) == [
        "delay_line_to_hidden",
        "hidden_to_output",
        "hidden_bias",
        "output_bias",
    ]
    assert np.array_equal(np.array(doc["weights"]["delay_line_to_hidden"], dtype), net.U)


def _saved(tmp_path: Path) -> dict[str, Any]:
    path = tmp_path / "good.json"
    save_model(path, TDL.init(2, 3, 2, window=2, seed=0))
    return json.loads(path.read_text(encoding="utf-8"))


def _changed(doc: dict[str, Any], parts: list[str], value: Any) -> dict[str, Any]:
    out = copy.deepcopy(doc)
    target = out
    for part in parts[:-1]:
        target = target[part]
    if value is KeyError:
        del target[parts[-1]]
    else:
        target[parts[-1]] = value
    return out


BAD = [
    ("window too big", ["config", "window"], MAX_WINDOW + 1, "config.window",
     f"expected a whole number from 0 to {MAX_WINDOW}, got {MAX_WINDOW + 1}"),
    ("window negative", ["config", "window"], -1, "config.window", "got -1"),
    ("window float", ["config", "window"], 2.5, "config.window", "got 2.5"),
    ("window missing", ["config", "window"], KeyError, "config", 'missing field "window"'),
    ("network unknown", ["config", "network"], "lstm", "config.network",
     "expected one of srn, tdl"),
    ("context on a tdl", ["config", "context"], "hidden", "config.context", "unknown field"),
    ("recurrent weights", ["weights", "hidden_to_hidden"], [[0.0]], "weights.hidden_to_hidden",
     "unknown field"),
    ("buffer too narrow", ["weights", "delay_line_to_hidden"], [[0.0, 1.0]] * 3,
     "weights.delay_line_to_hidden[0]", "has 2 numbers, expected 6"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("parts", "value", "field", "words"), [c[1:] for c in BAD], ids=[c[0] for c in BAD]
)
def test_bad_tdl_files_name_file_field_and_line(
    tmp_path: Path, parts: list[str], value: Any, field: str, words: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(_changed(_saved(tmp_path), parts, value), indent=2), "utf-8")
    with pytest.raises(ModelFileError) as info:
        load_model(path)
    message = str(info.value)
    assert message.startswith(f"{path}, line ") and info.value.field == field
    assert words in message, message


def test_trace_csv_of_a_tdl_holds_the_inputs_not_the_buffer(tmp_path: Path) -> None:
    net = TDL.init(2, 3, 2, window=3, seed=0)
    x, d = np.eye(2)[[0, 1, 1, 0]], np.eye(2)[[1, 0, 0, 1]]
    path = tmp_path / "trace.csv"
    export_trace_csv(path, bptt(net, x, d))
    rows = list(csv.reader(path.read_text(encoding="utf-8").splitlines()))
    assert rows[0][:4] == ["t", "x[1]", "x[2]", "h[1]"]
    assert len(rows[0]) == len(rows[3]) == 1 + 2 + 3 + 3 + 2 + 2 + 1 + 2 + 3
    assert [float(v) for v in rows[3][1:3]] == [0.0, 1.0]  # x(3), not the buffer's x(2)


# -- the command line ----------------------------------------------------------------------------
def test_cli_trains_and_saves_a_tapped_delay_line(tmp_path: Path, capsys) -> None:
    out = tmp_path / "tdl.json"
    argv = ["--task", "delayed-recall", "--param", "n_sequences=10", "--epochs", "3"]
    status, text, err = _run(
        [*argv, "--network", "tdl", "--window", "3", "--out", str(out)], capsys
    )
    assert status == 0, err
    assert "tapped delay line, window 3" in text.splitlines()[0]
    net = load_model(out).net
    assert isinstance(net, TDL) and net.window == 3
    assert net.U.shape == (net.n_hidden, 4 * net.n_in)


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        (["--network", "tdl", "--window", str(MAX_WINDOW + 1)], f"must be at most {MAX_WINDOW}"),
        (["--network", "tdl", "--window", "-1"], "must be 0 or more"),
        (["--network", "tdl", "--window", "two"], "expected an integer"),
        (["--window", "3"], "--window applies to --network tdl"),
        (["--network", "tdl", "--context", "output"], "--context applies to --network srn"),
        (["--network", "lstm"], "--network: invalid choice"),
    ],
    ids=["too-big", "negative", "word", "srn-window", "tdl-context", "unknown"],
)
def test_cli_refuses_bad_network_options_in_one_line(
    extra: list[str], words: str, tmp_path: Path, capsys
) -> None:
    out = tmp_path / "never.json"
    status, _, err = _run(["--task", "delayed-recall", *extra, "--out", str(out)], capsys)
    assert status == 2 and words in err and len(err.strip().splitlines()) == 1
    assert not out.exists()


def test_help_names_the_network_and_window_options(capsys) -> None:
    status, text, _ = _run(["--help"], capsys)
    assert status == 0
    flat = " ".join(text.split())
    assert "--network {srn,tdl}" in flat and "--window W" in flat
    assert f"0 to {MAX_WINDOW}" in flat
