"""``unfold train``: option parsing, one-line errors with exit status 2, and real training runs."""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from core import cli
from core.tasks import TASKS, make_task
from core.training import TrainConfig, train

ROOT = Path(__file__).resolve().parents[2]


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="unfold")
    cli.add_train_parser(top.add_subparsers(dest="command", required=True))
    return top


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Exit status, stdout and stderr of ``unfold train`` with ``argv`` (argparse errors too)."""
    try:
        status = cli.main(["train", *argv])
    except SystemExit as exc:
        status = int(exc.code or 0)
    out, err = capsys.readouterr()
    return status, out, err


# -- parsing ------------------------------------------------------------------------------------
def test_options_are_parsed_and_typed() -> None:
    line = (
        "train --task reber --epochs 7 --lr 0.5 --momentum 0.25 --clip 2 --hidden-size 9 "
        "--hidden relu --truncation 3 --mode chunked --update epoch --seed 4 --every 2 "
        "--param n_sequences=10 --param balanced=false --out m.json"
    )
    args = parser().parse_args(line.split(" "))
    assert (args.task, args.epochs, args.lr, args.momentum, args.clip) == ("reber", 7, 0.5, 0.25, 2)
    assert (args.hidden_size, args.hidden, args.truncation, args.mode) == (9, "relu", 3, "chunked")
    assert (args.update, args.seed, args.every, args.out) == ("epoch", 4, 2, "m.json")
    assert args.param == ["n_sequences=10", "balanced=false"]
    assert args.run is cli.run_train


def test_unset_options_keep_the_recommendation() -> None:
    args = parser().parse_args(["train", "--task", "anbn"])
    assert args.epochs is None and args.lr is None and args.data is None
    assert args.clip is cli.RECOMMENDED and args.truncation is cli.RECOMMENDED
    assert args.seed == 0
    none = parser().parse_args(
        ["train", "--task", "anbn", "--clip", "none", "--truncation", "full"]
    )
    assert none.clip is None and none.truncation is None


def test_task_params_take_the_types_of_the_defaults() -> None:
    spec = TASKS["sine"]
    params = cli.task_params(spec, ["length=12", "period=7.5", "preset=damped"])
    assert params == {"length": 12, "period": 7.5, "preset": "damped"}
    assert cli.task_params(TASKS["reber"], ["balanced=No"]) == {"balanced": False}
    for bad, message in [
        ("length=1.5", "expected int"),
        ("colour=red", "has no parameter 'colour'"),
        ("length", "KEY=VALUE"),
        ("=3", "KEY=VALUE"),
    ]:
        with pytest.raises(cli.UsageError, match=message):
            cli.task_params(spec, [bad])
    with pytest.raises(cli.UsageError, match="true or false"):
        cli.task_params(TASKS["reber"], ["balanced=maybe"])


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "one of the arguments --task --data is required"),
        (["--task", "nope"], "invalid choice: 'nope'"),
        (["--task", "anbn", "--data", "x.csv"], "not allowed with"),
        (["--task", "anbn", "--epochs", "0"], "--epochs: must be at least 1"),
        (["--task", "anbn", "--epochs", "ten"], "--epochs: expected an integer"),
        (["--task", "anbn", "--lr", "-1"], "--lr: must be greater than 0"),
        (["--task", "anbn", "--lr", "nan"], "--lr: expected a finite number"),
        (["--task", "anbn", "--momentum", "1"], "--momentum: must be at least 0 and below 1"),
        (["--task", "anbn", "--clip", "0"], "--clip: must be greater than 0"),
        (["--task", "anbn", "--hidden-size", "0"], "--hidden-size: must be at least 1"),
        (["--task", "anbn", "--hidden", "sigmoid"], "--hidden: invalid choice"),
        (["--task", "anbn", "--truncation", "-2"], "--truncation: must be at least 1"),
        (["--task", "anbn", "--mode", "full"], "--mode: invalid choice"),
        (["--task", "anbn", "--update", "batch"], "--update: invalid choice"),
        (["--task", "anbn", "--seed", "-1"], "--seed: must be 0 or more"),
        (["--task", "anbn", "--param", "n_max=x"], "--param n_max: expected int"),
        (["--task", "anbn", "--param", "n_min=9"], "n_min <= n_max"),
        (["--task", "anbn", "--param", "depth=3"], "no parameter 'depth'"),
        (["--task", "anbn", "--out", "/no/such/folder/m.json"], "does not exist"),
        (["--data", "x.csv", "--param", "n=1"], "--param applies to --task only"),
        (["--task", "anbn", "--bogus"], "unrecognized arguments: --bogus"),
        (["--task", "anbn", "--hidden-size", "513"], "--hidden-size: must be at most 512"),
        (["--task", "anbn", "--epochs", "1000001"], "--epochs: must be at most 1,000,000"),
        (["--task", "anbn", "--every", "1000001"], "--every: must be at most 1,000,000"),
        (
            ["--task", "anbn", "--truncation", "1000001"],
            "--truncation: must be at most 1,000,000",
        ),
        (["--task", "anbn", "--seed", "2147483648"], "--seed: must be at most 2,147,483,647"),
        (
            ["--task", "reber", "--param", "n_sequences=1000000000"],
            "parameter 'n_sequences' must be an integer from 1 to 5,000, got 1000000000",
        ),
        (
            ["--task", "sine", "--param", "period=inf"],
            "parameter 'period' must be a number from 2 to 1,000, got inf",
        ),
        (
            ["--task", "sine", "--param", "damping=nan"],
            "parameter 'damping' must be a number from 0 to 10, got nan",
        ),
    ],
)
def test_bad_options_give_one_line_and_status_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(argv, capsys)
    assert status == 2
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("unfold") and "error:" in lines[0]
    assert message in lines[0]
    assert "Traceback" not in err


def test_help_states_every_bound(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(["--help"], capsys)
    assert status == 0
    text = " ".join(out.split())
    for words in (
        "1 to 512",
        "1 to 1,000,000",
        "steps (1 to 1,000,000)",
        "0 to 2,147,483,647",
        "50.0 MB",
    ):
        assert words in text
    for spec in TASKS.values():
        assert f"{spec.name}:" in text
        for key, param in spec.param_specs.items():
            assert f"{key}=" in text and f"({param.describe()})" in text


# -- running ------------------------------------------------------------------------------------
def test_short_run_prints_progress_and_trains_like_the_library(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, err = run(
        ["--task", "temporal-xor", "--epochs", "6", "--every", "2", "--seed", "3"], capsys
    )
    assert status == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].startswith("training on temporal XOR: 60 sequences")
    epochs = [int(m.group(1)) for m in map(re.compile(r"epoch\s+(\d+)/6").match, lines) if m]
    assert epochs == [1, 2, 4, 6]
    # The same training through the library gives the printed numbers.
    spec = TASKS["temporal-xor"]
    data = make_task("temporal-xor", seed=3)
    config = spec.train_config(epochs=6, seed=3)
    records = list(train(spec.network(data, seed=3), data, config))
    final = records[-1]
    assert final.score is not None
    assert lines[-1].startswith("done: 6 epochs in ")
    assert lines[-1].endswith(f"loss {final.loss:.6g}, score {100 * final.score:.1f}%")
    for line, record in zip(lines[1:-1], [records[i] for i in (0, 1, 3, 5)], strict=True):
        assert record.score is not None
        assert f"loss {record.loss:<10.6g}" in line
        assert f"{100 * record.score:.1f}%" in line


def test_options_override_the_recommendation(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(
        ["--task", "letters", "--epochs", "2", "--hidden-size", "3", "--hidden", "relu",
         "--lr", "0.2", "--momentum", "0.5", "--clip", "1.5", "--truncation", "2",
         "--mode", "chunked", "--update", "epoch"],
        capsys,
    )  # fmt: skip
    assert status == 0
    header = out.splitlines()[0]
    assert "network 6-3-6 relu/logistic" in header
    assert "lr 0.2, momentum 0.5, clip 1.5, update per epoch, truncation 2" in header


def test_run_saves_a_model_that_loads_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    modelio = pytest.importorskip("core.modelio")
    path = tmp_path / "xor.json"
    status, out, _ = run(["--task", "temporal-xor", "--epochs", "3", "--out", str(path)], capsys)
    assert status == 0 and f"saved {path}" in out
    saved = modelio.load_model(path)
    spec = TASKS["temporal-xor"]
    data = make_task("temporal-xor", seed=0)
    *_, last = train(spec.network(data, seed=0), data, spec.train_config(epochs=3, seed=0))
    assert saved.net.same_weights(last.net)
    assert saved.task == {"task": "temporal-xor", "seed": 0, "params": dict(spec.params)}
    assert saved.training is not None
    assert TrainConfig(**saved.training["config"]) == spec.train_config(epochs=3)
    assert saved.training["epochs_done"] == 3
    assert saved.training["final_loss"] == pytest.approx(last.loss)
    assert saved.training["outcome"] is None


def test_divergence_keeps_and_saves_the_last_finite_network(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    modelio = pytest.importorskip("core.modelio")
    path = tmp_path / "blown.json"
    argv = ["--task", "sine", "--lr", "1e6", "--update", "epoch", "--epochs", "100"]
    status, _, err = run([*argv, "--out", str(path)], capsys)
    assert status == 1
    assert "diverged" in err and "Traceback" not in err
    saved = modelio.load_model(path)
    assert saved.training["outcome"].startswith("training diverged in epoch")
    spec = TASKS["sine"]
    data = make_task("sine", seed=0)
    records = list(train(spec.network(data), data, spec.train_config(lr=1e6, update="epoch")))
    assert saved.net.same_weights(records[-1].net)
    assert saved.training["epochs_done"] == records[-1].epoch - 1


def test_missing_modelio_is_reported_before_training(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "core.modelio", None)  # import fails as if absent
    status, out, err = run(["--task", "temporal-xor", "--out", str(tmp_path / "m.json")], capsys)
    assert status == 1
    assert out == ""
    assert err.count("\n") == 1 and "core.modelio" in err
    assert not (tmp_path / "m.json").exists()


def test_training_from_a_text_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("core.loaders")
    text = tmp_path / "song.txt"
    text.write_text("la la land, la la la, land ho!\n" * 3, encoding="utf-8")
    status, out, err = run(["--data", str(text), "--epochs", "3", "--hidden-size", "6"], capsys)
    assert status == 0, err
    assert out.splitlines()[0].startswith("training on song: ")
    assert "tanh/softmax" in out
    status, _, err = run(["--data", str(tmp_path / "none.txt")], capsys)
    assert status == 2 and err.count("\n") == 1 and "none.txt" in err


def test_command_line_entry_point_runs_without_traceback() -> None:
    ok = subprocess.run(
        [sys.executable, "-m", "core.cli", "train", "--task", "anbn", "--epochs", "2"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    assert "done: 2 epochs" in ok.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "core.cli", "train", "--task", "anbn", "--lr", "zero"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2
    assert bad.stderr.strip() == "unfold train: error: argument --lr: expected a number, got 'zero'"


def test_context_option_trains_and_saves_a_jordan_network(tmp_path, capsys) -> None:
    out = tmp_path / "jordan.json"
    argv = ["--task", "temporal-xor", "--epochs", "2", "--context", "output", "--out", str(out)]
    status, text, _ = run(argv, capsys)
    assert status == 0
    assert ", Jordan; " in text.splitlines()[0]
    from core.modelio import load_model

    net = load_model(out).net
    assert net.context == "output" and net.W.shape == (net.n_hidden, net.n_out)
    status, _, err = run(["--task", "temporal-xor", "--context", "jordan"], capsys)
    assert status == 2 and "--context: invalid choice: 'jordan'" in err


# -- --out: checked before training, never lost after it ---------------------------------------
def _writes_despite_permissions(folder: Path) -> bool:
    """Whether this process can create files in ``folder`` whatever its mode (root can)."""
    probe = folder / "probe"
    try:
        probe.write_text("", encoding="utf-8")
    except OSError:
        return False
    probe.unlink()
    return True


def test_read_only_folder_is_refused_before_training(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        if _writes_despite_permissions(folder):
            pytest.skip("this user writes into read-only folders (root)")
        status, out, err = run(["--task", "temporal-xor", "--out", str(folder / "m.json")], capsys)
    finally:
        folder.chmod(0o755)
    assert (status, out) == (2, "")  # nothing was trained
    assert f"--out {folder / 'm.json'}: cannot write in the folder {folder}" in err
    assert os.listdir(folder) == []


@pytest.mark.parametrize("case", ["parent is a file", "read-only file", "a folder"])
def test_unwritable_out_is_refused_before_training(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    """Root as well as anyone: these are refused by what the path is, not by permissions."""
    if case == "parent is a file":
        (tmp_path / "file.txt").write_text("", encoding="utf-8")
        out = tmp_path / "file.txt" / "m.json"
        words = f"{tmp_path / 'file.txt'} is a file, not a folder"
    elif case == "read-only file":
        out, words = tmp_path / "m.json", "the file is read-only"
        out.write_text("{}", encoding="utf-8")
        out.chmod(0o444)
    else:
        out, words = tmp_path / "m.json", "is a folder, not a file"
        out.mkdir()
    status, stdout, err = run(["--task", "temporal-xor", "--out", str(out)], capsys)
    assert (status, stdout) == (2, "")
    assert err == f"unfold train: error: --out {out}: {words}\n"


def test_a_save_failing_after_training_keeps_the_network_in_the_temp_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    import core.modelio as modelio

    out = tmp_path / "m.json"
    real_write = modelio.atomic_write_text

    def write(path: Any, text: str) -> None:
        if Path(path) == out:  # as if the folder had become read-only during the run
            raise modelio.FileWriteError(path, "Permission denied", 13)
        real_write(path, text)

    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    monkeypatch.setattr(modelio, "atomic_write_text", write)
    status, stdout, err = run(
        ["--task", "temporal-xor", "--epochs", "2", "--out", str(out)], capsys
    )
    assert status == 1 and "done: 2 epochs" in stdout and not out.exists()
    (kept,) = (tmp_path / "tmp").iterdir()
    assert kept.name.startswith("unfold-m-") and kept.suffix == ".json"
    assert err == (
        f"unfold train: error: could not save {out}: Permission denied; "
        f"the trained network is saved in {kept} instead\n"
    )
    saved = modelio.load_model(kept)
    assert saved.training is not None and saved.training["epochs_done"] == 2
