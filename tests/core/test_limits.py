"""Every number read from a file or typed by a user has bounds, and a refusal names the limit."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import core.limits as limits
import core.loaders as loaders
from core.bptt import bptt
from core.data import Dataset, DatasetError, Sequence
from core.limits import (
    MAX_LAYER_SIZE,
    MAX_SEQUENCES,
    MAX_STEPS,
    MAX_TRACE_VALUES,
    MAX_VALUES,
    SEED_MAX,
    trace_problem,
    trace_values,
)
from core.loaders import load_dataset
from core.model import SRN
from core.tasks import TASKS, ParamSpec, TaskParamError, make_task, text_dataset

NUMERIC = [
    (name, spec)
    for task in TASKS.values()
    for name, spec in [(f"{task.name}.{k}", p) for k, p in task.param_specs.items()]
    if isinstance(spec.default, int | float) and not isinstance(spec.default, bool)
]


def _task_and_param(dotted: str) -> tuple[str, str]:
    task, param = dotted.split(".")
    return task, param


# -- task parameters ----------------------------------------------------------------------------
@pytest.mark.parametrize("task", sorted(TASKS))
def test_every_task_parameter_has_stated_bounds(task: str) -> None:
    spec = TASKS[task]
    assert set(spec.param_specs) == set(spec.params)
    for key, param in spec.param_specs.items():
        assert isinstance(param, ParamSpec) and param.default == spec.params[key]
        if isinstance(param.default, str):
            assert param.default in param.choices
        elif not isinstance(param.default, bool):
            assert param.low is not None and param.high is not None
            assert param.low <= param.default <= param.high
            assert " to " in param.describe()


@pytest.mark.parametrize(("dotted", "spec"), NUMERIC, ids=[n for n, _ in NUMERIC])
def test_numbers_out_of_bounds_are_refused_before_generating(dotted: str, spec: ParamSpec) -> None:
    task, param = _task_and_param(dotted)
    assert spec.low is not None and spec.high is not None
    whole = isinstance(spec.default, int)
    step = 1 if whole else 0.5
    bad: list[Any] = [spec.low - step, spec.high + step, 10**9]
    bad += [] if whole else [math.nan, math.inf, -math.inf]
    for value in bad:
        value = int(value) if whole and math.isfinite(value) else value
        with pytest.raises(TaskParamError) as info:
            make_task(task, **{param: value})
        assert info.value.param == param
        assert spec.describe() in str(info.value), str(info.value)


def test_task_at_the_upper_bounds_stays_within_the_data_limit() -> None:
    """The bounds are chosen so that no task makes more than MAX_VALUES numbers."""
    for name, spec in TASKS.items():
        params = {
            k: type(p.default)(p.high) if p.high is not None else p.default
            for k, p in spec.param_specs.items()
        }
        if name == "anbn":
            params["n_min"] = params["n_max"]  # every string as long as possible
        if name == "delayed-recall":
            params["delay"] = 1
        data = make_task(name, **params)
        values = sum(s.T * (data.n_in + data.n_out) for s in data.sequences)
        assert values <= MAX_VALUES, name


def test_seed_bounds() -> None:
    assert len(make_task("two-back", seed=SEED_MAX, n_sequences=1)) == 1
    for seed in (-1, SEED_MAX + 1, 1.0, True, "1"):
        with pytest.raises(ValueError, match="seed must be an integer from 0 to 2,147,483,647"):
            make_task("two-back", seed=seed)  # type: ignore[arg-type]


def test_text_task_sequence_length_bounds() -> None:
    with pytest.raises(ValueError, match="from 2 to 1,000,000"):
        text_dataset("abcabc", "t", seq_len=MAX_STEPS + 1)


# -- networks -----------------------------------------------------------------------------------
@pytest.mark.parametrize("layer", ["n_in", "n_hidden", "n_out"])
def test_layer_sizes_are_bounded_before_allocating(layer: str) -> None:
    sizes = {"n_in": 2, "n_hidden": 3, "n_out": 2, layer: 10**7}  # 10**14 weights if allocated
    with pytest.raises(ValueError, match=f"{layer} is 10000000, more than the limit of 512"):
        SRN.init(sizes["n_in"], sizes["n_hidden"], sizes["n_out"])
    assert SRN.init(MAX_LAYER_SIZE, 1, 2).n_in == MAX_LAYER_SIZE


# -- data sets and sequence files ---------------------------------------------------------------
def _seq(T: int, I: int = 1, O: int = 1) -> Sequence:
    return Sequence(np.zeros((T, I)), np.zeros((T, O)))


def test_a_data_set_beyond_the_limits_is_refused() -> None:
    with pytest.raises(DatasetError, match="sequence 1 has 1,000,001 steps, more than the limit"):
        Dataset("long", (_seq(MAX_STEPS + 1),), ("x",), ("y",))
    wide = tuple(f"x{i}" for i in range(MAX_LAYER_SIZE + 1))
    with pytest.raises(DatasetError, match="513 inputs, more than the limit of 512"):
        Dataset("wide", (_seq(2, I=len(wide)),), wide, ("y",))


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_with_too_many_input_columns(tmp_path: Path) -> None:
    header = ",".join(f"x{i}" for i in range(MAX_LAYER_SIZE + 1)) + ",d\n"
    row = ",".join("0" for _ in range(MAX_LAYER_SIZE + 2)) + "\n"
    path = write(tmp_path / "wide.csv", header + row * 2)
    with pytest.raises(DatasetError) as info:
        load_dataset(path)
    assert str(info.value) == (
        f"{path}, line 1: the file has 513 input columns, more than the limit of 512"
    )


def test_csv_with_a_sequence_too_long(tmp_path: Path) -> None:
    path = write(tmp_path / "long.csv", "x,d\n" + "0,1\n" * (MAX_STEPS + 1))
    with pytest.raises(
        DatasetError, match=r"line 2: sequence has 1,000,001 steps, more than the l"
    ):
        load_dataset(path)


def test_csv_with_too_many_sequences(tmp_path: Path) -> None:
    rows = "".join(f"{i},0,1\n{i},1,0\n" for i in range(MAX_SEQUENCES + 1))
    path = write(tmp_path / "many.csv", "seq,x,d\n" + rows)
    with pytest.raises(DatasetError) as info:
        load_dataset(path)
    assert info.value.line == 2 + 2 * MAX_SEQUENCES
    assert "10,001 sequences, more than the limit of 10,000" in str(info.value)


def test_csv_with_too_many_numbers_is_refused_before_reading_cells(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path / "big.csv", "x,d\n" + "0,oops\n" * 30)
    monkeypatch.setattr(loaders, "MAX_VALUES", 50)
    with pytest.raises(DatasetError, match="hold 60 numbers, more than the limit of 50"):
        load_dataset(path)  # not "oops is not a number": the cells were not read


def _json_doc(sequences: list[dict[str, Any]], **extra: Any) -> str:
    return json.dumps({"sequences": sequences, **extra})


@pytest.mark.parametrize(
    ("doc", "field", "words"),
    [
        (
            _json_doc([{"inputs": [[0]] * (MAX_STEPS + 1), "targets": [[0]] * (MAX_STEPS + 1)}]),
            "sequences[0].inputs",
            "has 1,000,001 steps, more than the limit of 1,000,000",
        ),
        (
            _json_doc([{"inputs": [[0] * 513] * 2, "targets": [[0]] * 2}]),
            "sequences[0].inputs[0]",
            "has 513 units, more than the limit of 512",
        ),
        (
            _json_doc([{"inputs": [[0]] * 2, "targets": [[0]] * 2}] * (MAX_SEQUENCES + 1)),
            "sequences",
            "has 10,001 sequences, more than the limit of 10,000",
        ),
        (
            _json_doc(
                [{"inputs": [[0]] * 2, "targets": [[0]] * 2}],
                input_names=[f"x{i}" for i in range(513)],
            ),
            "input_names",
            "has 513 names, more than the limit of 512",
        ),
    ],
    ids=["steps", "width", "sequences", "names"],
)
def test_json_beyond_the_limits(tmp_path: Path, doc: str, field: str, words: str) -> None:
    path = write(tmp_path / "data.json", doc)
    with pytest.raises(DatasetError) as info:
        load_dataset(path)
    assert str(info.value).startswith(str(path))
    assert f"{field}: {words}" in str(info.value)


def test_json_with_too_many_numbers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seqs = [{"inputs": [[0]] * 5, "targets": [[0]] * 5}] * 3
    path = write(tmp_path / "data.json", _json_doc(seqs))
    monkeypatch.setattr(loaders, "MAX_VALUES", 25)
    with pytest.raises(DatasetError, match=r"sequences\[2\]: up to here the data holds 30 numbers"):
        load_dataset(path)


def test_text_file_size_limit_is_checked_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path / "book.txt", "abc " * 100)
    monkeypatch.setattr(loaders, "MAX_TEXT_BYTES", 300)
    monkeypatch.setattr("builtins.open", lambda *a, **k: pytest.fail("the file was opened"))
    with pytest.raises(DatasetError) as info:
        load_dataset(path)
    assert info.value.problem == "the file is 400 bytes, more than the limit of 300 bytes"


def test_text_with_too_many_distinct_characters(tmp_path: Path) -> None:
    path = write(tmp_path / "runes.txt", "".join(chr(0x4E00 + i) for i in range(600)) * 2)
    with pytest.raises(DatasetError, match="600 distinct characters, more than the limit of 512"):
        load_dataset(path)


def test_text_that_makes_too_many_numbers(tmp_path: Path) -> None:
    alphabet = "".join(chr(0x4E00 + i) for i in range(500))
    path = write(tmp_path / "long.txt", alphabet * 50)  # 25,000 steps x 1,000 units
    with pytest.raises(DatasetError, match="more than the limit of 20,000,000"):
        load_dataset(path)


def test_text_sequence_length_bounds(tmp_path: Path) -> None:
    path = write(tmp_path / "t.txt", "abcabc")
    with pytest.raises(DatasetError, match="from 2 to 1,000,000, got 1000001"):
        loaders.load_text(path, seq_len=MAX_STEPS + 1)


# -- traces -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("T", "I", "H", "O"),
    [(1_000_000, 3, 5, 3), (20_000, 8, 256, 8), (20_000, 128, 512, 128), (MAX_STEPS, 1, 5, 1)],
    ids=["1e6-steps-H5", "2e4-steps-H256", "2e4-steps-H512", "longest-file-H5"],
)
def test_long_sequences_that_the_windowed_views_show_are_allowed(
    T: int, I: int, H: int, O: int
) -> None:
    assert T <= MAX_STEPS and T * (I + O) <= MAX_VALUES
    assert trace_problem(T, I, H, O) is None
    assert trace_values(T, I, H, O) <= MAX_TRACE_VALUES


def test_a_trace_too_large_is_refused_naming_the_limit() -> None:
    assert trace_values(100_000, 8, 256, 8) > MAX_TRACE_VALUES
    assert trace_problem(100_000, 8, 256, 8) == (
        "the trace of 100,000 steps at H = 256 would hold 107,400,000 numbers, "
        "more than the limit of 64,000,000"
    )
    assert trace_values(1000, 2, 3, 1, batch=7) == 7 * trace_values(1000, 2, 3, 1)
    assert "700,000 sequences of 1,000 steps at H = 3" in str(
        trace_problem(1000, 2, 3, 1, batch=7 * 10**5)
    )


def test_bptt_refuses_a_trace_too_large_before_computing_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    net = SRN.init(2, 3, 1, seed=0)
    xs, ds = np.zeros((40, 2)), np.zeros((40, 1))
    needed = trace_values(40, 2, 3, 1)
    monkeypatch.setattr(limits, "MAX_TRACE_VALUES", needed)
    assert bptt(net, xs, ds).T == 40  # exactly at the limit: allowed
    monkeypatch.setattr(limits, "MAX_TRACE_VALUES", needed - 1)
    with pytest.raises(ValueError, match=f"more than the limit of {needed - 1:,}"):
        bptt(net, xs, ds)
    with pytest.raises(ValueError, match="the trace of 2 sequences of 40 steps at H = 3"):
        bptt(net, np.stack([xs, xs]), np.stack([ds, ds]))


def test_sliding_work_counts_k_minus_one_products_of_h_squared_per_step() -> None:
    from core.limits import MAX_SLIDING_WORK, sliding_problem, sliding_work

    assert sliding_work(1_000, 8, 5, "sliding") == 999 * 4 * 64
    assert sliding_work(1_000, 8, 5000, "sliding") == 999 * 999 * 64  # k beyond T: T steps
    assert sliding_work(1_000, 8, 5, "chunked") == sliding_work(1_000, 8, None, "sliding") == 0
    assert sliding_work(1_000, 8, 1, "sliding") == 0  # BPTT(1): one delta per step
    assert sliding_problem(20_000, 256, 10, "sliding") is None  # 9 products: about 1e10
    problem = sliding_problem(20_000, 256, 1_000, "sliding")
    assert problem is not None
    assert "sliding BPTT(1000) of 20,000 steps at H = 256" in problem
    assert f"limit of {MAX_SLIDING_WORK:,}" in problem and "chunked" in problem
    assert sliding_problem(20_000, 256, 1_000, "chunked") is None
