"""A run nobody watches (``--screenshot``) never opens a dialog: the problem goes to stderr,
naming the file, and the exit status says it failed. The runs are real processes, so that a
dialog waiting for a click would show up as a hang (the timeout fails the test)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.examples import example_network
from core.limits import MAX_STEPS
from core.modelio import model_json, save_model
from gui.errors import install_excepthook
from gui.unattended import Unattended

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "resources" / "examples"
#: far longer than a start-up takes; only a process waiting for a click reaches it
HANG = 120


def run_main(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHONPATH": str(ROOT),
        "TMPDIR": str(tmp_path),  # the screenshot's throw-away settings go here
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "HOME": str(tmp_path),
    }
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        capture_output=True,
        text=True,
        timeout=HANG,
        env=env,
        cwd=tmp_path,
    )


def test_a_bad_model_file_is_reported_on_stderr(tmp_path: Path) -> None:
    model = tmp_path / "bad.json"
    text = model_json(example_network(), task={"task": "two-back"})
    model.write_text(text.replace('"task": "two-back"', '"task": "two-back", "seed": [1]'))
    shot = tmp_path / "shot.png"
    result = run_main(tmp_path, str(model), "--screenshot", str(shot))
    assert result.returncode == 1
    assert f"Cannot open the model: {model}, line " in result.stderr
    assert "task.seed: expected a whole number" in result.stderr
    assert "Traceback" not in result.stderr and not shot.exists()


def test_a_question_takes_its_safe_answer(tmp_path: Path) -> None:
    data = EXAMPLES / "xor_sequences.csv"  # does not fit the example network: "Build a new ...?"
    shot = tmp_path / "shot.png"
    result = run_main(tmp_path, str(data), "--screenshot", str(shot))
    assert result.returncode == 1
    assert "Build a new network?" in result.stderr and "xor_sequences.csv" in result.stderr
    assert "not asked in a non-interactive run; the answer is No" in result.stderr
    assert not shot.exists()


def test_a_good_model_gives_a_picture_and_status_0(tmp_path: Path) -> None:
    model = tmp_path / "good.json"
    save_model(model, example_network(seed=2))
    shot = tmp_path / "shot.png"
    result = run_main(tmp_path, str(model), "--screenshot", str(shot))
    assert result.returncode == 0
    assert "unfold:" not in result.stderr and "Traceback" not in result.stderr
    assert shot.stat().st_size > 10_000


@pytest.mark.parametrize("kind", ["folder", "missing"])
def test_a_path_that_is_no_file_is_named_for_what_it_is(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "model.json"
    if kind == "folder":
        path.mkdir()
    result = run_main(tmp_path, str(path), "--screenshot", str(tmp_path / "shot.png"))
    assert result.returncode == 2
    words = "is a directory, not a file" if kind == "folder" else "no such file"
    assert result.stderr.strip().endswith(f"error: {path}: {words}")


# -- the pieces, in process ---------------------------------------------------------------------
def test_unattended_reports_and_answers_no() -> None:
    stream = io.StringIO()
    unattended = Unattended(stream)
    unattended.error("Cannot open the model", "m.json, line 3: config: expected an object")
    assert not unattended.ask("Discard?", "Discard the trained weights?")
    lines = stream.getvalue().splitlines()
    assert lines[0] == "unfold: Cannot open the model: m.json, line 3: config: expected an object"
    assert lines[1].startswith("unfold: Discard? Discard the trained weights? - not asked")
    assert len(unattended.problems) == 2


def test_unexpected_errors_of_an_unattended_run_open_no_dialog(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    unattended = Unattended()
    install_excepthook(unattended)
    try:
        raise KeyError("weights")
    except KeyError as exc:
        sys.excepthook(type(exc), exc, exc.__traceback__)
    err = capsys.readouterr().err
    assert "Traceback" in err  # for the bug report
    assert "unfold: unexpected problem: KeyError: 'weights'" in err
    assert unattended.problems == ["unexpected problem: KeyError: 'weights'"]
    # and no message box: the conftest fails a test that shows one


@pytest.mark.parametrize("position", ["-1", str(2 * MAX_STEPS + 1), "1e3"])
def test_the_start_position_is_bounded(position: str, capsys: pytest.CaptureFixture[str]) -> None:
    import main

    with pytest.raises(SystemExit) as info:
        main.main(["--position", position])
    assert info.value.code == 2
    assert "--position" in capsys.readouterr().err
