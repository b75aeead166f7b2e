"""Training with RTRL gradients: the same weights as BPTT, a checked setting, the CLI option."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from core import cli
from core.model import PARAM_NAMES, SRN
from core.tasks import TASKS, make_task
from core.training import ALGORITHMS, TrainConfig, train


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        status = cli.main(["train", *argv])
    except SystemExit as exc:
        status = int(exc.code or 0)
    out, err = capsys.readouterr()
    return status, out, err


def max_difference(a: SRN, b: SRN) -> float:
    return max(float(np.abs(a.params()[n] - b.params()[n]).max()) for n in PARAM_NAMES)


# -- the setting ----------------------------------------------------------------------------------
def test_algorithm_is_validated_and_saved_in_the_settings() -> None:
    assert ALGORITHMS == ("bptt", "rtrl")
    assert TrainConfig().algorithm == "bptt"
    assert TrainConfig(algorithm="rtrl").as_dict()["algorithm"] == "rtrl"
    with pytest.raises(ValueError, match="algorithm must be one of bptt, rtrl, got 'RTRL'"):
        TrainConfig(algorithm="RTRL")
    with pytest.raises(ValueError, match="RTRL has no sliding truncation window"):
        TrainConfig(algorithm="rtrl", truncation=3, mode="sliding")
    TrainConfig(algorithm="rtrl", truncation=3, mode="chunked")  # chunks are RTRL's resets
    TrainConfig(algorithm="rtrl", truncation=1)  # BPTT(1) is a reset every step


# -- the same training ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("context", "update", "truncation", "mode"),
    [
        ("hidden", "sequence", None, "sliding"),
        ("hidden", "epoch", None, "sliding"),
        ("output", "sequence", None, "sliding"),
        ("target", "epoch", None, "sliding"),
        ("hidden", "sequence", 2, "chunked"),
        ("output", "epoch", 1, "sliding"),
    ],
    ids=["elman-sequence", "elman-epoch", "jordan-sequence", "forced-epoch", "chunked-2", "k1"],
)
def test_rtrl_trains_the_same_weights_as_bptt(
    context: str, update: str, truncation: int | None, mode: str
) -> None:
    spec = TASKS["temporal-xor"]
    data = make_task("temporal-xor", seed=2, n_sequences=12)
    net = spec.network(data, seed=2, context=context)
    # a stable learning rate: at lr 0.3 this task's training is chaotic enough to grow rounding
    # differences (1e-16) of any two gradient orders to O(1) within 4 epochs
    common = {"epochs": 4, "lr": 0.1, "momentum": 0.5, "update": update, "seed": 2}
    common |= {"truncation": truncation, "mode": mode}
    by_bptt = list(train(net, data, TrainConfig(**common)))
    by_rtrl = list(train(net, data, TrainConfig(**common, algorithm="rtrl")))
    assert len(by_rtrl) == len(by_bptt) == 4
    assert max_difference(by_bptt[-1].net, net) > 1e-3  # training moved the weights
    for a, b in zip(by_bptt, by_rtrl, strict=True):
        assert max_difference(a.net, b.net) < 1e-9
        assert a.loss == pytest.approx(b.loss, rel=1e-9)
        np.testing.assert_allclose(a.grad_norms, b.grad_norms, rtol=1e-9)


def test_a_network_too_large_for_rtrl_is_refused_when_training_starts() -> None:
    data = make_task("temporal-xor", seed=0, n_sequences=4)
    big = SRN.init(data.n_in, 300, data.n_out, output=data.output, seed=0)
    with pytest.raises(ValueError, match="floats of sensitivities"):
        train(big, data, TrainConfig(algorithm="rtrl"))
    train(big, data, TrainConfig())  # BPTT holds O(T H): no such limit


# -- the command line -----------------------------------------------------------------------------
def test_cli_trains_with_rtrl_and_records_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from core.modelio import load_model

    argv = ["--task", "temporal-xor", "--epochs", "3", "--seed", "4", "--param", "n_sequences=10"]
    paths = {alg: tmp_path / f"{alg}.json" for alg in ("bptt", "rtrl")}
    for alg, path in paths.items():
        status, out, err = run([*argv, "--algorithm", alg, "--out", str(path)], capsys)
        assert status == 0 and err == ""
        assert ("gradient by RTRL" in out.splitlines()[0]) == (alg == "rtrl")
    saved = {alg: load_model(path) for alg, path in paths.items()}
    assert max_difference(saved["bptt"].net, saved["rtrl"].net) < 1e-9
    for alg, model in saved.items():
        assert model.training is not None
        assert model.training["config"]["algorithm"] == alg
        assert TrainConfig(**model.training["config"]).algorithm == alg


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--algorithm", "rtrl2"], "argument --algorithm: invalid choice: 'rtrl2'"),
        (["--algorithm", "rtrl", "--truncation", "3"], "RTRL has no sliding truncation window"),
        (["--algorithm", "rtrl", "--hidden-size", "300"], "floats of sensitivities"),
    ],
)
def test_bad_rtrl_options_give_one_line_and_status_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(["--task", "temporal-xor", *argv], capsys)
    assert status == 2 and out == ""
    assert len(err.splitlines()) == 1 and message in err


def test_help_names_the_algorithms(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(["--help"], capsys)
    text = " ".join(out.split())
    assert status == 0
    assert "--algorithm {bptt,rtrl}" in text and "real-time recurrent learning" in text
