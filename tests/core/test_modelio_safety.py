"""Model files in an unfriendly world: numbers json.loads accepts, the data they name,
telling them from sequence files, and saving beside read-only files and stale temporaries."""

from __future__ import annotations

import json
import os
import stat
import time
from pathlib import Path
from typing import Any

import pytest

import core.loaders as loaders
import core.modelio as modelio
from core.examples import example_network
from core.model import SRN
from core.modelio import (
    FileWriteError,
    ModelFileError,
    atomic_write_text,
    check_writable,
    is_model_file,
    load_model,
    model_data,
    model_json,
    remove_stale_temporaries,
    save_model,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"
XOR_CSV = EXAMPLES / "xor_sequences.csv"  # 1 input, 1 target


def saved(tmp_path: Path, task: dict[str, Any] | None, name: str = "model.json") -> Path:
    path = tmp_path / name
    save_model(path, example_network(), task=task)  # 4 inputs, 3 outputs
    return path


# -- literal numbers json.loads takes without complaint ---------------------------------------
@pytest.mark.parametrize("literal", ["1e400", "-1e400", "NaN", "Infinity"])
def test_a_seed_beyond_the_float_range_names_the_field_and_line(
    tmp_path: Path, literal: str
) -> None:
    path = saved(tmp_path, {"task": "two-back", "seed": 12345})
    text = path.read_text(encoding="utf-8").replace("12345", literal)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ModelFileError) as info:
        load_model(path)
    line = next(i for i, s in enumerate(text.splitlines(), 1) if literal in s)
    assert info.value.field == "task.seed" and info.value.line == line
    assert str(info.value).startswith(f"{path}, line {line}, column ")
    assert "NaN, infinity and numbers beyond the float range are not allowed" in str(info.value)


# -- the data a model names --------------------------------------------------------------------
def test_a_task_entry_regenerates_its_data(tmp_path: Path) -> None:
    path = saved(tmp_path, {"task": "two-back", "seed": 2, "params": {"length": 6}})
    found = model_data(load_model(path), path)
    assert found is not None
    data, source = found
    assert (len(data), data.sequences[0].T, data.meta["seed"]) == (40, 6, 2)
    assert source == {"task": "two-back", "seed": 2, "params": {"length": 6}}


def test_data_that_does_not_fit_names_the_model_and_the_data_file(tmp_path: Path) -> None:
    path = saved(tmp_path, {"file": str(XOR_CSV)})
    with pytest.raises(ModelFileError) as info:
        model_data(load_model(path), path)
    assert str(info.value) == (
        f"{path}: task.file: {XOR_CSV} has 1 input and 1 target, but the network in {path} "
        "has 4 inputs and 3 outputs"
    )


def test_a_task_whose_data_does_not_fit_names_the_task(tmp_path: Path) -> None:
    path = saved(tmp_path, {"task": "delayed-recall", "params": {"n_symbols": 3}})
    with pytest.raises(ModelFileError) as info:
        model_data(load_model(path), path)
    assert str(info.value).startswith(f"{path}: task: the data of task 'delayed-recall' has ")
    assert "3 inputs and 3 targets, but the network" in str(info.value)


def test_contradicting_task_parameters_name_the_model_file(tmp_path: Path) -> None:
    path = saved(tmp_path, {"task": "anbn", "params": {"n_min": 5, "n_max": 2}})
    with pytest.raises(ModelFileError, match=rf"^{path}: task: need 1 <= n_min <= n_max"):
        model_data(load_model(path), path)


def test_an_unreadable_data_file_names_both_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("x,d\n0,1\n1,oops\n", encoding="utf-8")
    path = saved(tmp_path, {"data": str(bad), "name": "bad"})
    with pytest.raises(ModelFileError) as info:
        model_data(load_model(path), path)
    message = str(info.value)
    assert message.startswith(f"{path}: task.data: the data file cannot be read: {bad}, line 3")
    (tmp_path / "folder.csv").mkdir()
    path = saved(tmp_path, {"file": str(tmp_path / "folder.csv")})
    with pytest.raises(ModelFileError, match="is a directory, not a file"):
        model_data(load_model(path), path)


def test_data_named_by_train_and_by_a_relative_path_is_found(tmp_path: Path) -> None:
    data = tmp_path / "data" / "two.json"
    data.parent.mkdir()
    data.write_bytes((EXAMPLES / "deep_learning_ch10_sequences.json").read_bytes())
    for task in ({"data": str(data), "name": "two"}, {"file": os.path.join("data", "two.json")}):
        path = saved(tmp_path, task)
        found = model_data(load_model(path), path)
        assert found is not None and found[0].source == str(data)


@pytest.mark.parametrize(
    "task",
    [None, {"file": "gone.csv"}, {"task": "a-later-task"}, {"random": True}, {"name": "x"}],
    ids=["none", "missing file", "unknown task", "random", "name"],
)
def test_no_data_to_be_had_gives_none(tmp_path: Path, task: dict[str, Any] | None) -> None:
    path = saved(tmp_path, task)
    assert model_data(load_model(path), path) is None


# -- model or sequence file --------------------------------------------------------------------
SNIFF_IDS = [
    "first", "bom", "malformed model", "in a string", "as a value", "sequences", "nested",
    "array", "csv", "empty",
]  # fmt: skip


def test_the_format_member_is_found_wherever_it_is(tmp_path: Path) -> None:
    doc = json.loads(model_json(SRN.init(3, 40, 3)))
    late = {"notes": "x" * 5000, **{k: v for k, v in doc.items() if k != "format"}}
    late["format"] = "unfold-model"
    path = tmp_path / "late.json"
    path.write_text(json.dumps(late, indent=1), encoding="utf-8")
    assert path.read_text(encoding="utf-8").index('"format"') > 4096
    assert is_model_file(path)
    assert load_model(path).net.n_hidden == 40


@pytest.mark.parametrize(
    ("content", "model"),
    [
        ('{"format": "unfold-model"}', True),
        ('\ufeff  {"format" : "unfold-model", "version": 1}', True),
        ('{"format": "unfold-model", "version": 1,\n "config": {oops}}', True),  # loader reports
        ('{"notes": "format: \\"unfold-model\\"", "sequences": []}', False),
        ('{"sequences": [], "name": "unfold-model"}', False),
        ('{"format": "unfold-sequences", "sequences": []}', False),
        ('{"data": {"format": "unfold-model"}, "sequences": []}', False),
        ('[{"format": "unfold-model"}]', False),
        ("x,d\n0,1\n", False),
        ("", False),
    ],
    ids=SNIFF_IDS,
)
def test_model_files_are_told_from_sequence_files(
    tmp_path: Path, content: str, model: bool
) -> None:
    path = tmp_path / "file.json"
    path.write_text(content, encoding="utf-8")
    assert is_model_file(path) is model


def test_sniffing_reads_at_most_the_file_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = saved(tmp_path, None)
    monkeypatch.setattr(loaders, "MAX_FILE_BYTES", 100)  # larger: only the start is searched
    assert is_model_file(path)
    (tmp_path / "dir.json").mkdir()
    assert not is_model_file(tmp_path / "dir.json") and not is_model_file(tmp_path / "no.json")


# -- saving ------------------------------------------------------------------------------------
def test_a_read_only_file_is_not_replaced(tmp_path: Path) -> None:
    path = saved(tmp_path, None)
    before = path.read_bytes()
    os.chmod(path, 0o444)
    with pytest.raises(FileWriteError) as info:
        save_model(path, SRN.init(2, 2, 2))
    assert (info.value.path, str(info.value)) == (str(path), "the file is read-only")
    assert path.read_bytes() == before and sorted(os.listdir(tmp_path)) == ["model.json"]
    with pytest.raises(FileWriteError, match="read-only"):
        check_writable(path)
    os.chmod(path, 0o644)
    save_model(path, SRN.init(2, 2, 2))
    assert load_model(path).net.n_in == 2


@pytest.mark.parametrize("fails", ["mkstemp", "replace"])
def test_write_errors_name_the_chosen_file_not_the_temporary_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fails: str
) -> None:
    path = tmp_path / "model.json"

    def denied(*args: Any, **kwargs: Any) -> Any:
        raise PermissionError(13, "Permission denied", str(tmp_path / ".model.json.abcd1234.tmp"))

    monkeypatch.setattr(modelio.tempfile if fails == "mkstemp" else os, fails, denied)
    with pytest.raises(OSError) as info:
        save_model(path, example_network())
    assert isinstance(info.value, FileWriteError)
    assert info.value.path == str(path) and info.value.filename == str(path)
    assert str(info.value) == "Permission denied" and ".tmp" not in repr(info.value.args)
    monkeypatch.undo()
    assert os.listdir(tmp_path) == []


def test_a_folder_or_a_missing_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "dir.json").mkdir()
    with pytest.raises(FileWriteError, match="is a folder, not a file"):
        save_model(tmp_path / "dir.json", example_network())
    target = tmp_path / "none" / "m.json"
    with pytest.raises(FileWriteError, match=f"the folder {tmp_path / 'none'} does not exist"):
        check_writable(target)
    check_writable(tmp_path / "fine.json")
    assert sorted(os.listdir(tmp_path)) == ["dir.json"]  # the probe file is gone


def _age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_stale_temporaries_of_a_killed_save_are_removed(tmp_path: Path) -> None:
    names = {
        ".model.json.a1b2c3d4.tmp": True,  # ours, old: removed
        ".trace.csv.zz__99xx.tmp": True,
        ".other.json.abcdefgh.tmp": True,  # ours for another model in the folder
        ".model.json.a1b2c3d4.tmp.keep": False,  # not our pattern
        ".model.json.ABCDEFGH.tmp": False,  # mkstemp never uses capitals
        ".model.json.abc.tmp": False,
        ".notes.txt.abcdefgh.tmp": False,  # not a file Unfold writes
        "model.json.abcdefgh.tmp": False,
    }
    for name in names:
        (tmp_path / name).write_text("partial", encoding="utf-8")
        _age(tmp_path / name, 3600)
    recent = tmp_path / ".model.json.recent12.tmp"  # perhaps another save under way
    recent.write_text("partial", encoding="utf-8")
    (tmp_path / ".dir.json.abcdefgh.tmp").mkdir()
    _age(tmp_path / ".dir.json.abcdefgh.tmp", 3600)
    save_model(tmp_path / "model.json", example_network())
    left = set(os.listdir(tmp_path))
    assert left == {n for n, gone in names.items() if not gone} | {
        recent.name,
        ".dir.json.abcdefgh.tmp",
        "model.json",
    }
    assert remove_stale_temporaries(tmp_path, now=time.time() + 120) == [recent.name]


def test_atomic_write_keeps_refusing_without_leaving_files(tmp_path: Path) -> None:
    path = tmp_path / "trace.csv"
    path.write_text("old", encoding="utf-8")
    os.chmod(path, stat.S_IRUSR | stat.S_IRGRP)
    with pytest.raises(FileWriteError, match="read-only"):
        atomic_write_text(path, "new")
    assert path.read_text(encoding="utf-8") == "old" and os.listdir(tmp_path) == ["trace.csv"]
