"""Model files and trace export: exact round trips, atomic writes, located load errors."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import core.loaders as loaders
from core.bptt import bptt
from core.examples import example_network, example_sequence
from core.loaders import load_csv
from core.model import SRN
from core.modelio import (
    FORMER_TASK_NAMES,
    ModelFile,
    ModelFileError,
    export_trace_csv,
    load_model,
    model_json,
    save_model,
)
from core.tasks import TASKS, make_task

FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def extreme_network(dtype: Any, hidden: str = "tanh", output: str = "softmax") -> SRN:
    """A network whose weights span the dtype's range: subnormals, -0.0, the largest finite."""
    info = np.finfo(dtype)
    rng = np.random.default_rng(7)
    U = rng.standard_normal((4, 3)) * 10.0 ** rng.uniform(-30, 30, (4, 3))
    U[0, :3] = [info.smallest_subnormal, -0.0, info.max]
    U[1, 0] = -info.tiny
    return SRN(
        U=U.astype(dtype),
        W=rng.standard_normal((4, 4)).astype(dtype),
        V=rng.standard_normal((2, 4)).astype(dtype),
        b=rng.standard_normal(4).astype(dtype),
        c=np.array([1 / 3, 2e-7], dtype),
        h0=np.array([0.1, 0.2, 0.3, 0.5], dtype),
        hidden=hidden,
        output=output,
        train_h0=True,
    )


def assert_same(a: SRN, b: SRN) -> None:
    assert a.config() == b.config()
    for name, arr in a.params().items():
        other = b.params()[name]
        assert other.dtype == arr.dtype
        assert np.array_equal(arr, other), name
        assert np.array_equal(np.signbit(arr), np.signbit(other)), name  # -0.0 stays -0.0


# -- round trips -------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize(
    ("hidden", "output"), [("tanh", "softmax"), ("logistic", "logistic"), ("relu", "linear")]
)
def test_round_trip_is_exact(tmp_path: Path, dtype: Any, hidden: str, output: str) -> None:
    net = extreme_network(dtype, hidden, output)
    path = tmp_path / "net.json"
    task = {"name": "temporal-xor", "params": {"length": 30, "p": 0.5}, "seed": 3}
    training = {"lr": 0.1, "epochs": [1, 2, 3], "done": False}
    save_model(path, net, task=task, training=training, notes="first run\nline two")
    loaded = load_model(path)
    assert isinstance(loaded, ModelFile)
    assert_same(net, loaded.net)
    assert (loaded.task, loaded.training) == (task, training)
    assert (loaded.notes, loaded.version) == ("first run\nline two", 1)


def test_file_layout_is_the_documented_format(tmp_path: Path) -> None:
    net = example_network()
    path = tmp_path / "net.json"
    save_model(path, net, task={"data_file": "/data/seqs.csv"})
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert list(doc) == ["format", "version", "config", "weights", "task", "training", "notes"]
    assert (doc["format"], doc["version"], doc["config"]) == ("unfold-model", 1, net.config())
    assert doc["weights"]["input_to_hidden"] == net.U.tolist()
    assert doc["weights"]["hidden_to_hidden"] == net.W.tolist()
    assert doc["weights"]["hidden_to_output"] == net.V.tolist()
    assert doc["weights"]["hidden_bias"] == net.b.tolist()
    assert doc["weights"]["output_bias"] == net.c.tolist()
    assert doc["weights"]["initial_state"] == net.h0.tolist()
    assert doc["task"] == {"data_file": "/data/seqs.csv"} and doc["training"] is None
    lines = path.read_text(encoding="utf-8").splitlines()
    start = lines.index('    "hidden_to_hidden": [')
    assert json.loads(lines[start + 3].rstrip(",")) == net.W[2].tolist()  # one row per line


@pytest.mark.parametrize(("former", "current"), sorted(FORMER_TASK_NAMES.items()))
def test_a_renamed_task_loads_under_its_current_name(
    tmp_path: Path, former: str, current: str
) -> None:
    """A file saved before a task was renamed still regenerates its data."""
    path = tmp_path / "old.json"
    task = {"task": former, "seed": 3, "params": {"length": 7}}
    save_model(path, example_network(), task=task)
    assert json.loads(path.read_text(encoding="utf-8"))["task"]["task"] == former  # as on disk
    loaded = load_model(path).task
    assert loaded == {"task": current, "seed": 3, "params": {"length": 7}}
    assert current in TASKS and former not in TASKS  # the old name is no longer offered
    data = make_task(loaded["task"], loaded["seed"], **loaded["params"])
    assert (data.n_in, data.n_out, data.sequences[0].x.shape[0]) == (4, 3, 7)


def test_current_and_unrelated_task_entries_load_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "net.json"
    entries = (
        {"task": "two-back", "seed": 0},
        {"task": "two-back"},  # seed 0 and the task's default parameters
        {"task": "two-back", "params": None},
        {"task": "a-task-of-a-later-version", "seed": 2, "params": {"depth": 3}, "x": 1},
        {"file": "x"},
        {"data": "/somewhere/data.csv", "name": "data"},  # as unfold train writes it
        {"example": "the built-in example"},
        {"random": True},
        {"name": "t", "anything": [1, {"else": None}]},
    )
    for task in entries:
        save_model(path, example_network(), task=task)
        assert load_model(path).task == task


@FUZZ
@given(
    dtype=st.sampled_from([np.float64, np.float32]),
    data=st.data(),
    sizes=st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3)),
)
def test_round_trip_of_arbitrary_finite_weights(
    tmp_path: Path, dtype: Any, data: st.DataObject, sizes: tuple[int, int, int]
) -> None:
    I, H, O = sizes
    width = 32 if dtype == np.float32 else 64
    floats = st.floats(allow_nan=False, allow_infinity=False, width=width)
    shapes = {"U": (H, I), "W": (H, H), "V": (O, H), "b": (H,), "c": (O,), "h0": (H,)}
    arrays = {n: data.draw(hnp.arrays(dtype, s, elements=floats)) for n, s in shapes.items()}
    net = SRN(**arrays)
    path = tmp_path / "any.json"
    save_model(path, net)
    assert_same(net, load_model(path).net)


# -- atomic writes -----------------------------------------------------------------------------
def saved_file(tmp_path: Path) -> tuple[Path, bytes]:
    path = tmp_path / "net.json"
    save_model(path, example_network(), notes="the original")
    return path, path.read_bytes()


def test_failure_mid_write_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, before = saved_file(tmp_path)
    real_fdopen = os.fdopen

    class HalfWriter(io.TextIOWrapper):
        def write(self, text: str) -> int:
            super().write(text[: len(text) // 2])
            self.flush()
            raise OSError(28, "No space left on device")

    def fdopen(fd: int, *args: Any, **kwargs: Any) -> io.TextIOWrapper:
        raw = real_fdopen(fd, "wb")
        return HalfWriter(raw, encoding="utf-8", newline="")

    monkeypatch.setattr(os, "fdopen", fdopen)
    with pytest.raises(OSError, match="No space"):
        save_model(path, SRN.init(2, 2, 2), notes="the new one")
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.json"]  # temp file removed


@pytest.mark.parametrize("fails", ["fsync", "replace"])
def test_failure_before_the_rename_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fails: str
) -> None:
    path, before = saved_file(tmp_path)

    def boom(*args: Any) -> None:
        raise OSError(5, "I/O error")

    monkeypatch.setattr(os, fails, boom)
    with pytest.raises(OSError, match="I/O error"):
        save_model(path, SRN.init(2, 2, 2))
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.json"]
    assert load_model(path).notes == "the original"


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"task": {"x": float("nan")}}, ValueError),
        ({"training": {"when": {1, 2}}}, ValueError),
        ({"task": ["not", "a", "dict"]}, TypeError),
        ({"notes": 3}, TypeError),
    ],
    ids=["nan", "set", "list task", "int notes"],
)
def test_unserialisable_extras_write_nothing(
    tmp_path: Path, kwargs: dict[str, Any], error: type[Exception]
) -> None:
    path, before = saved_file(tmp_path)
    with pytest.raises(error):
        save_model(path, example_network(), **kwargs)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.json"]


def test_permissions_of_an_existing_file_are_kept(tmp_path: Path) -> None:
    path, _ = saved_file(tmp_path)
    os.chmod(path, 0o600)
    save_model(path, SRN.init(2, 2, 2))
    assert path.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "new.json").exists() is False
    save_model(tmp_path / "new.json", SRN.init(2, 2, 2))
    assert (tmp_path / "new.json").stat().st_mode & 0o777 == 0o644


# -- validation --------------------------------------------------------------------------------
def good_doc() -> dict[str, Any]:
    return json.loads(model_json(SRN.init(2, 3, 2, seed=1)))


def changed(path: list[str | int], value: Any) -> dict[str, Any]:
    doc = good_doc()
    node = doc
    for key in path[:-1]:
        node = node[key]
    if value is KeyError:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return doc


W = "weights"
MODEL_ERRORS = [
    # (id, document, field reported, words in the message)
    ("root", [1], None, "expected an object"),
    ("format", changed(["format"], "unfold-sequences"), "format", "'unfold-model'"),
    ("newer", changed(["version"], 2), "version", "newer Unfold"),
    ("version type", changed(["version"], "1"), "version", "expected 1"),
    ("float version", changed(["version"], 1.0), "version", "expected 1"),
    ("missing config", changed(["config"], KeyError), None, 'missing field "config"'),
    ("unknown field", changed(["colour"], "red"), "colour", "unknown field"),
    ("config type", changed(["config"], [1]), "config", "expected an object"),
    ("zero units", changed(["config", "n_hidden"], 0), "config.n_hidden", "from 1 to 512, got 0"),
    ("huge units", changed(["config", "n_hidden"], 10**9), "config.n_hidden",
     "from 1 to 512, got 1000000000"),
    ("negative units", changed(["config", "n_in"], -2), "config.n_in", "got -2"),
    ("nan units", changed(["config", "n_out"], float("nan")), "config.n_out", "got nan"),
    ("missing units", changed(["config", "n_out"], KeyError), "config", 'missing field "n_out"'),
    ("bool units", changed(["config", "n_in"], True), "config.n_in", "whole number"),
    ("float units", changed(["config", "n_out"], 2.5), "config.n_out", "whole number"),
    ("activation", changed(["config", "hidden"], "sigmoid"), "config.hidden", "'sigmoid'"),
    ("output", changed(["config", "output"], "tanh"), "config.output", "'tanh'"),
    ("train_h0", changed(["config", "train_h0"], "yes"), "config.train_h0", "true or false"),
    ("dtype", changed(["config", "dtype"], "float16"), "config.dtype", "'float16'"),
    ("config key", changed(["config", "dtype"], KeyError), "config", 'missing field "dtype"'),
    ("extra config", changed(["config", "lr"], 0.1), "config.lr", "unknown field"),
    ("missing weight", changed([W, "output_bias"], KeyError), W, '"output_bias"'),
    ("rows", changed([W, "hidden_to_hidden", 2], KeyError), f"{W}.hidden_to_hidden",
     "has 2 rows, expected 3"),
    ("row length", changed([W, "hidden_to_hidden", 2], [1.0]), f"{W}.hidden_to_hidden[2]",
     "has 1 number, expected 3"),
    ("cell type", changed([W, "hidden_to_output", 1, 2], "0.5"), f"{W}.hidden_to_output[1][2]",
     "expected a number, got a string"),
    ("bool cell", changed([W, "input_to_hidden", 0, 1], False), f"{W}.input_to_hidden[0][1]",
     "got a boolean"),
    ("null bias", changed([W, "hidden_bias", 1], None), f"{W}.hidden_bias[1]", "got null"),
    ("row is number", changed([W, "input_to_hidden", 1], 3), f"{W}.input_to_hidden[1]",
     "expected an array of 2"),
    ("state type", changed([W, "initial_state"], {"a": 1}), f"{W}.initial_state",
     "got an object"),
    ("shape vs config", changed(["config", "n_in"], 3), f"{W}.input_to_hidden[0]",
     "has 2 numbers, expected 3"),
    ("huge int", changed([W, "output_bias", 0], 10**400), f"{W}.output_bias[0]", "too large"),
    ("float32 range", changed(["config", "dtype"], "float32") | {"weights": changed(
        [W, "hidden_bias", 2], 1e39)["weights"]}, f"{W}.hidden_bias[2]", "does not fit float32"),
    ("task", changed(["task"], [1, 2]), "task", "an object or null"),
    ("training", changed(["training"], "fast"), "training", "an object or null"),
    ("notes", changed(["notes"], {"a": 1}), "notes", "a string or null"),
    # every top-level field: wrong type, NaN/inf, huge, negative, missing
    ("format type", changed(["format"], [1]), "format", "got an array"),
    ("format long", changed(["format"], "x" * 10**5), "format", "got a string"),
    ("missing format", changed(["format"], KeyError), None, 'missing field "format"'),
    ("nan version", changed(["version"], float("nan")), "version", "got nan"),
    ("inf version", changed(["version"], float("inf")), "version", "got inf"),
    ("huge version", changed(["version"], 10**40), "version", "got a huge number"),
    ("negative version", changed(["version"], -1), "version", "expected 1, got -1"),
    ("missing version", changed(["version"], KeyError), None, 'missing field "version"'),
    ("weights type", changed([W], "abc"), W, "expected an object, got a string"),
    ("missing weights", changed([W], KeyError), None, 'missing field "weights"'),
    ("nan weight", changed([W, "hidden_bias", 0], float("nan")), f"{W}.hidden_bias[0]",
     "NaN and infinity"),
    ("inf weight", changed([W, "output_bias", 1], float("-inf")), f"{W}.output_bias[1]",
     "NaN and infinity"),
    ("nan training", changed(["training"], {"final_loss": float("nan")}),
     "training.final_loss", "NaN, infinity"),
    ("inf training", changed(["training"], {"config": {"lr": [float("inf")]}}),
     "training.config.lr[0]", "NaN, infinity"),
    # the task entry: its name, seed and parameters
    ("task name type", changed(["task"], {"task": [1]}), "task.task", "expected a task name"),
    ("seed list", changed(["task"], {"task": "reber", "seed": [1]}), "task.seed",
     "expected a whole number from 0 to 2,147,483,647, got an array"),
    ("seed nan", changed(["task"], {"task": "reber", "seed": float("nan")}), "task.seed",
     "NaN, infinity"),
    ("seed inf", changed(["task"], {"task": "reber", "seed": float("inf")}), "task.seed",
     "NaN, infinity"),
    ("seed negative", changed(["task"], {"task": "reber", "seed": -1}), "task.seed", "got -1"),
    ("seed huge", changed(["task"], {"task": "reber", "seed": 2**31}), "task.seed",
     "got 2147483648"),
    ("seed float", changed(["task"], {"task": "reber", "seed": 1.5}), "task.seed", "got 1.5"),
    ("seed bool", changed(["task"], {"task": "reber", "seed": True}), "task.seed", "got true"),
    ("seed string", changed(["task"], {"task": "reber", "seed": "1"}), "task.seed", "got '1'"),
    ("seed of a later task", changed(["task"], {"task": "later", "seed": -5}), "task.seed",
     "got -5"),
    ("params string", changed(["task"], {"task": "reber", "params": "abc"}), "task.params",
     "expected an object of task parameters, got a string"),
    ("params list", changed(["task"], {"task": "reber", "params": [1]}), "task.params",
     "got an array"),
    ("param huge", changed(["task"], {"task": "reber", "params": {"n_sequences": 10**9}}),
     "task.params.n_sequences", "must be an integer from 1 to 5,000, got 1000000000"),
    ("param negative", changed(["task"], {"task": "reber", "params": {"n_sequences": -1}}),
     "task.params.n_sequences", "got -1"),
    ("param nan", changed(["task"], {"task": "sine", "params": {"period": float("nan")}}),
     "task.params.period", "NaN, infinity"),
    ("param inf", changed(["task"], {"task": "sine", "params": {"damping": float("inf")}}),
     "task.params.damping", "NaN, infinity"),
    ("param below", changed(["task"], {"task": "sine", "params": {"period": 0.5}}),
     "task.params.period", "must be a number from 2 to 1,000, got 0.5"),
    ("param type", changed(["task"], {"task": "reber", "params": {"max_length": "10"}}),
     "task.params.max_length", "got '10'"),
    ("param float for int", changed(["task"], {"task": "reber", "params": {"max_length": 10.0}}),
     "task.params.max_length", "got 10.0"),
    ("param bool", changed(["task"], {"task": "reber", "params": {"balanced": 1}}),
     "task.params.balanced", "must be true or false, got 1"),
    ("param choice", changed(["task"], {"task": "sine", "params": {"preset": "square"}}),
     "task.params.preset", "must be 'sine' or 'damped'"),
    ("param unknown", changed(["task"], {"task": "reber", "params": {"depth": 3}}),
     "task.params.depth", "no such parameter; its parameters: n_sequences"),
    ("task field", changed(["task"], {"task": "reber", "colour": "red"}), "task.colour",
     "unknown field; expected task, seed, params"),
    ("file type", changed(["task"], {"file": 3}), "task.file", "expected a string"),
    ("data type", changed(["task"], {"data": ["a.csv"]}), "task.data", "got an array"),
    ("random type", changed(["task"], {"random": "yes"}), "task.random", "true or false"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("doc", "field", "words"), [c[1:] for c in MODEL_ERRORS], ids=[c[0] for c in MODEL_ERRORS]
)
def test_load_errors_name_file_field_and_line(
    tmp_path: Path, doc: Any, field: str | None, words: str
) -> None:
    text = json.dumps(doc, indent=2)
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ModelFileError) as info:
        load_model(path)
    exc = info.value
    message = str(exc)
    assert message.startswith(f"{path}, line ")
    assert exc.field == field and words in message
    assert (f": {field}: " in message) if field else True
    # The line and column point at the start of the offending value.
    lines = text.split("\n")
    offset = sum(len(s) + 1 for s in lines[: exc.line - 1]) + exc.column - 1
    expected: Any = doc
    for part in (field or "").replace("]", "").replace("[", ".").split("."):
        if part:
            expected = expected[int(part)] if isinstance(expected, list) else expected[part]
    found = json.JSONDecoder().raw_decode(text, offset)[0]
    assert json.dumps(found) == json.dumps(expected)  # also for NaN, which equals nothing
    assert "np." not in message and "Traceback" not in message


def replace_line(path: Path, index: int, new: str) -> None:
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[index] = new
    path.write_text("\n".join(lines), encoding="utf-8")


def test_error_in_a_saved_file_points_at_the_row(tmp_path: Path) -> None:
    path = tmp_path / "net.json"
    save_model(path, example_network())
    row = path.read_text(encoding="utf-8").split("\n").index('    "hidden_to_hidden": [') + 3
    replace_line(path, row, "      [0.1, NaN, 0.3, 0.4, 0.5],")
    with pytest.raises(ModelFileError) as info:
        load_model(path)
    assert (info.value.line, info.value.column) == (row + 1, 13)
    assert str(info.value) == (
        f"{path}, line {row + 1}, column 13: weights.hidden_to_hidden[2][1]: "
        "NaN and infinity are not allowed"
    )


@pytest.mark.parametrize(
    ("content", "line", "words"),
    [
        (b"", None, "empty"),
        (b'{"format": "unfold-model",\n "version": 1\n "config": {}}', 3, "malformed JSON"),
        (b'{"format": "unfold-model",\n "notes": "caf\xe9"}', 2, "not valid UTF-8"),
        (b'{"format": "unfold-\x00"}', 1, "NUL"),
        (b"[" * 50_000 + b"]" * 50_000, None, "nested too deeply"),
        (b'{"version": 1' + b"1" * 5000 + b"}", None, "malformed JSON"),
    ],
    ids=["empty", "syntax", "utf8", "nul", "deep", "long int"],
)
def test_unreadable_files(tmp_path: Path, content: bytes, line: int | None, words: str) -> None:
    path = tmp_path / "m.json"
    path.write_bytes(content)
    with pytest.raises(ModelFileError) as info:
        load_model(path)
    assert info.value.line == line and words in str(info.value)
    assert str(info.value).startswith(str(path))


def test_missing_directory_and_oversized_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    problems = {}
    for path in (tmp_path / "none.json", tmp_path):
        with pytest.raises(ModelFileError) as info:
            load_model(path)
        assert str(info.value) == f"{path}: {info.value.problem}"
        problems[path.name] = info.value.problem
    assert problems == {"none.json": "no such file", tmp_path.name: "is a directory, not a file"}
    path, _ = saved_file(tmp_path)
    monkeypatch.setattr(loaders, "MAX_FILE_BYTES", 100)
    with pytest.raises(ModelFileError, match="more than the limit of 100 bytes"):
        load_model(path)


# -- fuzz: only a ModelFile or a ModelFileError ------------------------------------------------
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def outcome(path: Path) -> ModelFile | ModelFileError:
    try:
        loaded = load_model(path)
    except ModelFileError as exc:
        assert str(exc).startswith(str(path))
        return exc
    assert isinstance(loaded, ModelFile) and isinstance(loaded.net, SRN)
    return loaded


def leaf_paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(node, dict):
        return [prefix] + [p for k, v in node.items() for p in leaf_paths(v, (*prefix, k))]
    if isinstance(node, list):
        return [prefix] + [p for i, v in enumerate(node) for p in leaf_paths(v, (*prefix, i))]
    return [prefix]


@FUZZ
@given(data=st.binary(max_size=300))
def test_fuzz_random_bytes(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "r.json"
    path.write_bytes(data)
    assert isinstance(outcome(path), ModelFileError)


@FUZZ
@given(cut=st.floats(0, 1))
def test_fuzz_truncated_file(tmp_path: Path, cut: float) -> None:
    text = model_json(SRN.init(2, 3, 2), task={"name": "t"}).encode()
    path = tmp_path / "t.json"
    path.write_bytes(text[: int(cut * len(text))])
    outcome(path)


@FUZZ
@given(data=st.data(), value=JSON_VALUES, delete=st.booleans())
def test_fuzz_mutated_fields(tmp_path: Path, data: st.DataObject, value: Any, delete: bool) -> None:
    doc = good_doc()
    path = data.draw(st.sampled_from(leaf_paths(doc)[1:]))
    node = doc
    for key in path[:-1]:
        node = node[key]
    if delete:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    file = tmp_path / "m.json"
    file.write_text(json.dumps(doc), encoding="utf-8")
    outcome(file)


@FUZZ
@given(doc=JSON_VALUES)
def test_fuzz_random_json(tmp_path: Path, doc: Any) -> None:
    path = tmp_path / "j.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert isinstance(outcome(path), ModelFileError)


# -- trace export ------------------------------------------------------------------------------
def read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
def test_trace_csv_holds_the_trace_numbers_exactly(tmp_path: Path, dtype: Any) -> None:
    net = example_network().astype(dtype)
    trace = bptt(net, *example_sequence(7), truncation=3)
    path = tmp_path / "trace.csv"
    export_trace_csv(path, trace)
    header, rows = read_csv(path)
    idx = [str(k) for k in range(1, 5)]  # units numbered from 1, as on screen
    hid = [str(j) for j in range(1, 6)]
    out = [str(k) for k in range(1, 4)]
    assert header == (
        ["t"] + [f"x[{k}]" for k in idx] + [f"h[{j}]" for j in hid] + [f"a[{j}]" for j in hid]
        + [f"y[{k}]" for k in out] + [f"d[{k}]" for k in out] + ["L"]
        + [f"delta_o[{k}]" for k in out] + [f"delta_h[{j}]" for j in hid]
    )  # fmt: skip
    assert [r[0] for r in rows] == [str(t) for t in range(1, 8)]
    table = np.array([[float(v) for v in r[1:]] for r in rows]).astype(dtype)
    blocks = np.split(table, np.cumsum([4, 5, 5, 3, 3, 1, 3]), axis=1)
    expected = [trace.x, trace.h[1:], trace.a, trace.y, trace.d, trace.loss_t[:, None],
                trace.delta_o, trace.delta_h]  # fmt: skip
    for got, want in zip(blocks, expected, strict=True):
        assert np.array_equal(got, want)


def test_trace_csv_unit_names_and_reload_as_a_dataset(tmp_path: Path) -> None:
    trace = bptt(example_network(), *example_sequence(5))
    path = tmp_path / "named.csv"
    names_in = ["a", "b, with comma", "c", "d"]
    export_trace_csv(path, trace, input_names=names_in, output_names=["p", "q", "r"])
    header, _ = read_csv(path)
    assert header[1:5] == ["x[a]", "x[b, with comma]", "x[c]", "x[d]"]
    assert header[15:18] == ["y[p]", "y[q]", "y[r]"] and "delta_o[q]" in header
    ds = load_csv(path)  # x[...] are inputs, d[...] targets; h, a, y, L, delta_* are ignored
    assert ds.input_names == ("x[a]", "x[b, with comma]", "x[c]", "x[d]")
    assert ds.output_names == ("d[p]", "d[q]", "d[r]")
    np.testing.assert_array_equal(ds.sequences[0].x, trace.x)
    np.testing.assert_array_equal(ds.sequences[0].d, trace.d)


def test_trace_csv_refuses_batches_and_wrong_names(tmp_path: Path) -> None:
    xs, ds = example_sequence(4)
    batch = bptt(example_network(), np.stack([xs, xs]), np.stack([ds, ds]))
    with pytest.raises(ValueError, match=r"trace\.select"):
        export_trace_csv(tmp_path / "b.csv", batch)
    with pytest.raises(ValueError, match="3 input"):
        export_trace_csv(tmp_path / "n.csv", batch.select(0), input_names=["a", "b", "c"])
    assert list(tmp_path.iterdir()) == []


def test_trace_csv_write_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "trace.csv"
    path.write_text("old contents\n", encoding="utf-8")
    monkeypatch.setattr(os, "replace", lambda *a: (_ for _ in ()).throw(OSError("disk gone")))
    with pytest.raises(OSError, match="disk gone"):
        export_trace_csv(path, bptt(example_network(), *example_sequence(3)))
    assert path.read_text(encoding="utf-8") == "old contents\n"
    assert [p.name for p in tmp_path.iterdir()] == ["trace.csv"]
