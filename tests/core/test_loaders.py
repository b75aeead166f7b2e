"""Sequence file loaders: the examples load, every bad file gives a located DatasetError."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import core.loaders as loaders
from core.data import Dataset, DatasetError
from core.examples import example_network
from core.loaders import check_fits, json_location, load_csv, load_dataset, load_json, load_text
from core.model import SRN

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"
XOR_CSV = EXAMPLES / "xor_sequences.csv"
TWO_BACK_JSON = EXAMPLES / "deep_learning_ch10_sequences.json"
SHORT_TXT = EXAMPLES / "short_text.txt"
FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def error_of(load: Callable[..., Any], path: Path, **kwargs: Any) -> DatasetError:
    """The DatasetError ``load`` raises for ``path``; its message must begin with the path."""
    with pytest.raises(DatasetError) as info:
        load(path, **kwargs)
    exc = info.value
    assert exc.path == str(path)
    assert str(exc).startswith(str(path))
    return exc


def assert_clean(ds: Dataset) -> None:
    """A loaded data set is complete: finite arrays, >= 2 steps, widths matching the names."""
    assert isinstance(ds, Dataset) and len(ds) >= 1
    for seq in ds.sequences:
        assert seq.T >= 2
        assert seq.x.shape == (seq.T, ds.n_in) and seq.d.shape == (seq.T, ds.n_out)
        assert np.isfinite(seq.x).all() and np.isfinite(seq.d).all()
        assert not seq.x.flags.writeable and not seq.d.flags.writeable


# -- the example files -------------------------------------------------------------------------
def test_xor_example_is_temporal_xor() -> None:
    ds = load_dataset(XOR_CSV)
    assert_clean(ds)
    assert (ds.name, ds.input_names, ds.output_names) == ("xor_sequences", ("x",), ("d",))
    assert (ds.output, ds.scoring, ds.source) == ("logistic", "threshold", str(XOR_CSV))
    assert len(ds) == 4
    for seq in ds.sequences:
        bits = np.concatenate([seq.x[:, 0], seq.d[-1:, 0]])
        np.testing.assert_array_equal(seq.d[:-1, 0], seq.x[1:, 0])  # d(t) = x(t+1)
        triples = bits[: len(bits) // 3 * 3].reshape(-1, 3)
        np.testing.assert_array_equal(triples[:, 2], np.logical_xor(triples[:, 0], triples[:, 1]))


def test_two_back_example_fits_the_example_network() -> None:
    ds = load_dataset(TWO_BACK_JSON)
    assert_clean(ds)
    assert ds.input_names == ("x1", "x2", "x3", "x4")
    assert ds.output_names == ("class 1", "class 2", "class 3")
    assert (ds.output, ds.scoring, len(ds)) == ("softmax", "argmax", 4)
    check_fits(ds, example_network())
    for seq in ds.sequences:
        idx = seq.x.argmax(axis=1)
        expected = np.concatenate([[0, 0], idx[:-2] % 3])  # class of the input two steps back
        np.testing.assert_array_equal(seq.d.argmax(axis=1), expected)
        assert seq.symbols == tuple(ds.input_names[i] for i in idx)


def test_text_example_is_next_character_prediction() -> None:
    text = SHORT_TXT.read_text(encoding="utf-8")
    ds = load_dataset(SHORT_TXT, seq_len=20)
    assert_clean(ds)
    assert (ds.name, ds.source, ds.output) == ("short_text", str(SHORT_TXT), "softmax")
    assert ds.n_in == ds.n_out == len(set(text))
    assert sum(seq.T for seq in ds.sequences) == len(text) - 1
    for seq in ds.sequences:
        np.testing.assert_array_equal(seq.d[:-1], seq.x[1:])  # d(t) = x(t+1)


# -- CSV ---------------------------------------------------------------------------------------
def test_csv_default_column_rule(tmp_path: Path) -> None:
    header = "t,x1,x_2,x[3],in_a,input 5,index,dx,d1,target_b,out[2],output,delta_o[0],note"
    row1 = "1,1,0,0,0,0,9,9,1,0,0,0,5,a"
    row2 = "2,0,1,0,0,0,9,9,0,1,0,0,5,b"
    ds = load_csv(write(tmp_path, "cols.csv", f"{header}\n{row1}\n{row2}\n"))
    assert ds.input_names == ("x1", "x_2", "x[3]", "in_a", "input 5")
    assert ds.output_names == ("d1", "target_b", "out[2]", "output")
    assert ds.meta["ignored_columns"] == ["t", "index", "dx", "delta_o[0]", "note"]
    np.testing.assert_array_equal(ds.sequences[0].x, [[1, 0, 0, 0, 0], [0, 1, 0, 0, 0]])


def test_csv_columns_by_name_list_and_by_prefix(tmp_path: Path) -> None:
    path = write(tmp_path, "named.csv", "b,a,p_1,p_2\n1,2,3,4\n5,6,7,8\n")
    ds = load_csv(path, inputs=["a", "b"], targets="p_")
    assert ds.input_names == ("a", "b") and ds.output_names == ("p_1", "p_2")
    np.testing.assert_array_equal(ds.sequences[0].x, [[2, 1], [6, 5]])
    np.testing.assert_array_equal(ds.sequences[0].d, [[3, 4], [7, 8]])
    assert ds.output == "linear" and ds.scoring == "none"


def test_csv_sequence_ids_blank_lines_comments_crlf_bom_and_symbols(tmp_path: Path) -> None:
    rows = [
        "\ufeff# a comment",
        "",
        "Seq,symbol,x,d",
        "a,A,1,0",
        "a,B,0,1",
        ",,,",
        "b,C,1,1",
        "b,D,0,0",
    ]
    text = "\r\n".join(rows) + "\r\n"
    ds = load_csv(write(tmp_path, "ids.csv", text))
    assert [seq.T for seq in ds.sequences] == [2, 2]
    assert [seq.symbols for seq in ds.sequences] == [("A", "B"), ("C", "D")]
    np.testing.assert_array_equal(ds.sequences[1].x[:, 0], [1, 0])


def test_csv_output_inference(tmp_path: Path) -> None:
    onehot = load_csv(write(tmp_path, "a.csv", "x,d1,d2\n1,1,0\n0,0,0\n1,0,1\n"))
    assert (onehot.output, onehot.scoring) == ("softmax", "argmax")
    np.testing.assert_array_equal(onehot.sequences[0].scored, [True, False, True])
    soft = load_csv(write(tmp_path, "b.csv", "x,d1,d2\n1,0.5,0\n0,1,1\n"))
    assert (soft.output, soft.scoring) == ("logistic", "threshold")
    real = load_csv(write(tmp_path, "c.csv", "x,d\n1,-0.5\n0,2\n"))
    assert (real.output, real.scoring) == ("linear", "none")
    forced = load_csv(write(tmp_path, "d.csv", "x,d1,d2\n1,1,0\n0,0,1\n"), output="linear")
    assert forced.output == "linear"


CSV_ERRORS = [
    # (id, file text, keyword arguments, line, column, words in the message)
    ("empty", "", {}, None, None, "empty"),
    ("only comments", "# x,d\n\n# 1,2\n", {}, None, None, "no header"),
    ("header only", "# c\nx,d\n", {}, 2, None, "no data rows"),
    ("short row", "x,d\n1,2\n3\n", {}, 3, 2, "1 cells but the header has 2"),
    ("long row", "x,d\n1,2\n3,4,5\n", {}, 3, 3, "3 cells"),
    ("text cell", "x,y,d\n1,2,3\n4,5,abc\n", {}, 3, 3, "column 'd': 'abc' is not a number"),
    ("empty cell", "x,d\n1,\n2,3\n", {}, 2, 2, "column 'd': the cell is empty"),
    ("nan", "x,d\n1,2\nnan,3\n", {}, 3, 1, "nan is not allowed"),
    ("inf", "x,d\n1,-Infinity\n2,3\n", {}, 2, 2, "-Infinity is not allowed"),
    ("overflow", "x,d\n1,2\n1e999,3\n", {}, 3, 1, "1e999 is too large"),
    ("underscore", "x,d\n1_0,2\n1,3\n", {}, 2, 1, "'1_0' is not a number"),
    ("unknown input", "a,b\n1,2\n3,4\n", {"inputs": ["a", "z"]}, 1, None, "'z'"),
    ("no inputs", "a,d\n1,2\n3,4\n", {}, 1, None, "no input column"),
    ("no targets", "x,b\n1,2\n3,4\n", {}, 1, None, "no target column"),
    ("prefix none", "x,d\n1,2\n3,4\n", {"targets": "q"}, 1, None, "starts with 'q'"),
    ("two roles", "a,b\n1,2\n3,4\n", {"inputs": ["a"], "targets": ["a"]}, 1, None, "two roles"),
    ("unknown seq col", "x,d\n1,2\n3,4\n", {"sequence_column": "id"}, 1, None, "'id'"),
    ("duplicate name", "x,d,x\n1,2,3\n4,5,6\n", {}, 1, 3, "appears twice"),
    ("empty name", "x,,d\n1,2,3\n4,5,6\n", {}, 1, 2, "header cell is empty"),
    ("length 1", "x,d\n1,2\n", {}, 2, None, "at least 2"),
    ("seq length 1", "seq,x,d\na,1,2\na,1,2\nb,3,4\nc,1,1\n", {}, 4, None, "'b' has 1 step"),
    ("id returns", "seq,x,d\na,1,2\na,1,2\nb,3,4\nb,3,4\na,1,1\n", {}, 6, 1, "comes back"),
    ("bad quote", 'x,d\n1,2\n"3"4,5\n', {}, 3, None, "malformed CSV"),
    ("softmax negative", "x,d1,d2\n1,1,0\n0,-1,2\n", {"output": "softmax"}, 3, 2, "target -1 is"),
    ("softmax sum", "x,d1,d2\n1,1,0\n0,0.5,0.2\n", {"output": "softmax"}, 3, None, "not 0.7"),
    ("softmax width", "x,d\n1,1\n0,1\n", {"output": "softmax"}, 2, None, "at least 2"),
    ("logistic range", "x,d\n1,1\n0,1.5\n", {"output": "logistic"}, 3, 2, "1.5 is outside [0, 1]"),
    ("unknown output", "x,d\n1,1\n0,1\n", {"output": "tanh"}, None, None, "'tanh'"),
]


@pytest.mark.parametrize(
    ("text", "kwargs", "line", "column", "words"),
    [case[1:] for case in CSV_ERRORS],
    ids=[case[0] for case in CSV_ERRORS],
)
def test_csv_errors_name_file_line_and_column(
    tmp_path: Path, text: str, kwargs: dict[str, Any], line: int, column: int, words: str
) -> None:
    exc = error_of(load_csv, write(tmp_path, "bad.csv", text), **kwargs)
    assert (exc.line, exc.column) == (line, column)
    assert words in str(exc)
    if line is not None:
        assert f"line {line}" in str(exc)


NUMBER_LIKE = st.text(alphabet="0123456789+-.eE _ \t\xa0naifINF\u0661", max_size=7)


@settings(max_examples=400, deadline=None)
@given(
    cells=st.lists(
        NUMBER_LIKE | st.sampled_from(["1e999", "-1e-999", "+.5", "2.", " 7 "]), min_size=1
    )
)
def test_csv_columns_read_at_once_agree_with_the_cell_by_cell_reading(cells: list[str]) -> None:
    """A long file's chosen columns are read a column at a time; that fast reading gives the
    numbers the cell-by-cell reading gives, gives up (so that the cell-by-cell reading names
    the bad cell) whenever some cell is not a finite plain decimal number, and otherwise only
    for characters a plain number never has."""
    rows = [(r + 2, [cell, "1"]) for r, cell in enumerate(cells)]
    fast = loaders._plain_columns(rows, [0], 2)
    try:
        slow = [loaders._cell(row, 0, "x", "f.csv", line) for line, row in rows]
    except DatasetError:
        assert fast is None
        return
    if fast is None:  # it gives up only for a character that no plain number has ("0\xa0")
        assert any(ch not in "0123456789+-.eE \t" for cell in cells for ch in cell)
        return
    np.testing.assert_array_equal(fast[:, 0], slow)


def test_a_long_csv_names_its_bad_cell(tmp_path: Path) -> None:
    rows = ["1,0"] * 5000
    rows[3210] = "1_0,0"  # float() reads it; a plain decimal number it is not
    path = write(tmp_path, "long.csv", "x,d\n" + "\n".join(rows) + "\n")
    exc = error_of(load_csv, path)
    assert (exc.line, exc.column) == (3212, 1) and "'1_0' is not a number" in str(exc)
    rows[3210] = "1,0"
    path = write(tmp_path, "long.csv", "x,d\n" + "\n".join(rows) + "\n")
    assert load_csv(path).sequences[0].T == 5000


# -- JSON --------------------------------------------------------------------------------------
def test_json_minimal_form_gets_default_names(tmp_path: Path) -> None:
    doc = {"sequences": [{"inputs": [[0.5, 1], [2, 3], [4, 5]], "targets": [[1], [2], [3]]}]}
    ds = load_json(write(tmp_path, "mini.json", json.dumps(doc)))
    assert (ds.name, ds.input_names, ds.output_names) == ("mini", ("x1", "x2"), ("y1",))
    assert (ds.output, ds.scoring) == ("linear", "none")
    np.testing.assert_array_equal(ds.sequences[0].x, doc["sequences"][0]["inputs"])


def test_json_full_form_with_scored_and_legal(tmp_path: Path) -> None:
    seq = {
        "inputs": [[1, 0], [0, 1]],
        "targets": [[0, 1], [1, 0]],
        "symbols": ["a", "b"],
        "scored": [False, True],
        "legal": [[True, True], [True, False]],
    }
    doc = {
        "format": "unfold-sequences",
        "version": 1,
        "name": "N",
        "scoring": "legal",
        "legal_threshold": 0.4,
        "sequences": [seq],
    }
    ds = load_json(write(tmp_path, "full.json", json.dumps(doc)))
    assert (ds.name, ds.scoring, ds.legal_threshold, ds.output) == ("N", "legal", 0.4, "softmax")
    s = ds.sequences[0]
    assert s.symbols == ("a", "b")
    np.testing.assert_array_equal(s.scored, [False, True])
    np.testing.assert_array_equal(s.legal, seq["legal"])


GOOD_DOC = {
    "input_names": ["a", "b"],
    "sequences": [
        {"inputs": [[1, 0], [0, 1], [1, 1]], "targets": [[1, 0], [0, 1], [1, 0]]},
        {"inputs": [[1, 0], [0, 1]], "targets": [[0, 1], [1, 0]]},
    ],
}


def mutated(path: list[str | int], value: Any) -> dict[str, Any]:
    doc = json.loads(json.dumps(GOOD_DOC))
    node = doc
    for key in path[:-1]:
        node = node[key]
    if value is KeyError:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return doc


JSON_ERRORS = [
    # (id, document, field path reported, words in the message)
    ("root array", [1, 2], "", "expected an object"),
    ("unknown field", {**GOOD_DOC, "sequnces": []}, "sequnces", "unknown field"),
    ("format", {**GOOD_DOC, "format": "csv"}, "format", "'unfold-sequences'"),
    ("newer version", {**GOOD_DOC, "version": 2}, "version", "newer Unfold"),
    ("bool version", {**GOOD_DOC, "version": True}, "version", "expected 1"),
    ("no sequences", {"name": "n"}, "", "non-empty array"),
    ("empty sequences", mutated(["sequences"], []), "sequences", "empty array"),
    ("sequence type", mutated(["sequences", 1], [1]), "sequences[1]", "got an array"),
    ("missing targets", mutated(["sequences", 1, "targets"], KeyError), "sequences[1]", "targets"),
    ("unknown seq field", mutated(["sequences", 0, "input"], 1), "sequences[0].input", "unknown"),
    ("inputs type", mutated(["sequences", 1, "inputs"], "ab"), "sequences[1].inputs", "string"),
    ("row type", mutated(["sequences", 1, "inputs", 1], 3), "sequences[1].inputs[1]", "number"),
    (
        "cell type",
        mutated(["sequences", 1, "inputs", 1, 1], "1"),
        "sequences[1].inputs[1][1]",
        "got a string",
    ),
    (
        "bool cell",
        mutated(["sequences", 0, "targets", 2, 0], True),
        "sequences[0].targets[2][0]",
        "got a boolean",
    ),
    (
        "ragged",
        mutated(["sequences", 1, "inputs", 1], [1, 2, 3]),
        "sequences[1].inputs[1]",
        "3 numbers, expected 2 (as in input_names)",
    ),
    (
        "target width",
        mutated(["sequences", 1, "targets", 0], [1]),
        "sequences[1].targets[0]",
        "expected 2 (as in sequences[0].targets)",
    ),
    ("names width", mutated(["input_names"], ["a"]), "sequences[0].inputs[0]", "expected 1"),
    ("names type", mutated(["input_names"], ["a", 2]), "input_names", "array of strings"),
    (
        "too short",
        mutated(["sequences", 1, "inputs"], [[1, 0]]),
        "sequences[1].inputs",
        "at least 2 steps",
    ),
    (
        "step count",
        mutated(["sequences", 0, "targets"], [[1, 0], [0, 1]]),
        "sequences[0].targets",
        "has 2 steps but inputs has 3",
    ),
    (
        "huge int",
        mutated(["sequences", 0, "inputs", 2, 1], 10**400),
        "sequences[0].inputs[2][1]",
        "too large",
    ),
    (
        "symbols",
        mutated(["sequences", 1, "symbols"], ["a", 3]),
        "sequences[1].symbols[1]",
        "expected a string",
    ),
    (
        "scored",
        mutated(["sequences", 1, "scored"], [True, 1]),
        "sequences[1].scored[1]",
        "true or false",
    ),
    ("legal missing", {**GOOD_DOC, "scoring": "legal"}, "sequences[0]", 'no "legal" table'),
    (
        "legal shape",
        mutated(["sequences", 1, "legal"], [[True], [False]]),
        "sequences[1].legal[0]",
        "array of 2 items",
    ),
    ("output", {**GOOD_DOC, "output": "relu"}, "output", "'relu'"),
    ("scoring", {**GOOD_DOC, "scoring": "best"}, "scoring", "'best'"),
    ("threshold", {**GOOD_DOC, "legal_threshold": 2}, "legal_threshold", "between 0 and 1"),
    ("name type", {**GOOD_DOC, "name": 3}, "name", "expected a string"),
    (
        "softmax target",
        {
            **GOOD_DOC,
            "output": "softmax",
            "sequences": [{"inputs": [[1, 0], [2, 0]], "targets": [[1, 0], [0.5, 0.2]]}],
        },
        "sequences[0].targets[1]",
        "sum to 1",
    ),
    (
        "logistic target",
        {**mutated(["sequences", 1, "targets", 1, 0], 3), "output": "logistic"},
        "sequences[1].targets[1][0]",
        "outside [0, 1]",
    ),
]


@pytest.mark.parametrize(
    ("doc", "field", "words"), [c[1:] for c in JSON_ERRORS], ids=[c[0] for c in JSON_ERRORS]
)
def test_json_errors_name_the_field_and_its_line(
    tmp_path: Path, doc: Any, field: str, words: str
) -> None:
    text = json.dumps(doc, indent=2)
    path = write(tmp_path, "bad.json", text)
    exc = error_of(load_json, path)
    assert words in str(exc)
    assert exc.problem.startswith(f"{field}: " if field else "")
    # The reported line and column are where the offending value starts in the file.
    assert exc.line is not None and exc.column is not None
    lines = text.split("\n")
    offset = sum(len(s) + 1 for s in lines[: exc.line - 1]) + exc.column - 1
    value = json.JSONDecoder().raw_decode(text, offset)[0]
    expected: Any = doc
    for part in field.replace("]", "").replace("[", ".").split(".") if field else []:
        expected = expected[int(part)] if isinstance(expected, list) else expected[part]
    assert value == expected


def test_json_nan_and_infinity_are_located(tmp_path: Path) -> None:
    text = '{"sequences": [\n {"inputs": [[1], [2]],\n  "targets": [[0], [NaN]]}]}'
    exc = error_of(load_json, write(tmp_path, "nan.json", text))
    assert exc.problem == "sequences[0].targets[1][0]: NaN and infinity are not allowed"
    assert (exc.line, exc.column) == (3, 21)  # the N of NaN
    text = text.replace("NaN", "1e999")
    assert error_of(load_json, write(tmp_path, "big.json", text)).line == 3


def test_malformed_json_reports_decoder_position(tmp_path: Path) -> None:
    text = '{"sequences": [\n  {"inputs": [[1], [2]]\n   "targets": [[0], [1]]}]}'
    exc = error_of(load_json, write(tmp_path, "syntax.json", text))
    assert (exc.line, exc.column) == (3, 4)
    assert "malformed JSON: Expecting ',' delimiter" in str(exc)


def test_deeply_nested_json_is_an_error_not_a_crash(tmp_path: Path) -> None:
    exc = error_of(load_json, write(tmp_path, "deep.json", "[" * 100_000 + "]" * 100_000))
    assert "JSON" in str(exc)


def test_json_location_follows_last_duplicate_key() -> None:
    text = '{"a": 1,\n "b": [10, {"c": 2}],\n "b": [20,\n  {"c": 3}]}'
    assert json_location(text, ["b", 1, "c"]) == (4, 9)
    assert json_location(text, ["b", 5]) == (None, None)
    assert json_location(text, ["a", "x"]) == (None, None)


# -- text --------------------------------------------------------------------------------------
def test_text_line_endings_are_normalised(tmp_path: Path) -> None:
    ds = load_text(write(tmp_path, "crlf.txt", "ab\r\nba\rab\n"), seq_len=4)
    assert ds.n_in == 3  # a, b and \n; no \r
    assert sum(seq.T for seq in ds.sequences) == len("ab\nba\nab\n") - 1


def test_invalid_utf8_names_line_and_column_of_the_bad_byte(tmp_path: Path) -> None:
    data = "first line\nsecond\nthé \xff".encode() + b"\xff rest\n"
    exc = error_of(load_text, write(tmp_path, "bad.txt", data))
    assert (exc.line, exc.column) == (3, 6)  # t, h, é, space and ÿ are characters 1-5
    assert "byte 0xff" in str(exc) and "line 3, column 6" in str(exc)


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("", "no text"),
        ("  \n\n", "no text"),
        ("aaaa", "2 distinct characters"),
        ("ab", "3"),
        ("ab\ncd\0e", "NUL"),
    ],
    ids=["empty", "blank", "one character", "too short", "nul"],
)
def test_text_errors(tmp_path: Path, content: str, words: str) -> None:
    assert words in str(error_of(load_text, write(tmp_path, "t.txt", content)))


@pytest.mark.parametrize("seq_len", [1, 0, True, 2.5, "9"])
def test_text_bad_sequence_length(tmp_path: Path, seq_len: Any) -> None:
    path = write(tmp_path, "t.txt", "abcabc")
    assert "sequence length" in str(error_of(load_text, path, seq_len=seq_len))


# -- any file ----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["gone.csv", "gone.json", "gone.txt"])
def test_missing_file(tmp_path: Path, name: str) -> None:
    assert error_of(load_dataset, tmp_path / name).problem == "no such file"


def test_directory_and_fifo_are_refused(tmp_path: Path) -> None:
    (tmp_path / "dir.csv").mkdir()
    assert error_of(load_dataset, tmp_path / "dir.csv").problem == "is a directory, not a file"
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "pipe.txt")  # opening it would block: refused before that
        assert error_of(load_dataset, tmp_path / "pipe.txt").problem == "is not a regular file"


def test_size_limit_is_checked_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, "big.csv", "x,d\n" + "1,2\n" * 100)
    monkeypatch.setattr(loaders, "MAX_FILE_BYTES", 300)
    monkeypatch.setattr("builtins.open", lambda *a, **k: pytest.fail("the file was opened"))
    problem = error_of(load_dataset, path).problem
    assert problem == "the file is 404 bytes, more than the limit of 300 bytes"


def test_a_path_with_nul_is_an_error() -> None:
    with pytest.raises(DatasetError, match="cannot read the file"):
        load_dataset("bad\0name.csv")


def test_dispatch_options_and_unknown_types(tmp_path: Path) -> None:
    assert "unknown file type '.xlsx'" in str(error_of(load_dataset, tmp_path / "a.xlsx"))
    json_path = write(tmp_path, "a.json", json.dumps(GOOD_DOC))
    assert "CSV files only" in str(error_of(load_dataset, json_path, inputs=["a"]))
    txt = write(tmp_path, "a.txt", "abcabc")
    assert "always softmax" in str(error_of(load_dataset, txt, output="linear"))
    assert load_dataset(json_path, output="linear").output == "linear"
    upper = write(tmp_path, "A.CSV", "x,d\n1,2\n3,4\n")
    assert load_dataset(upper).n_in == 1


def test_check_fits_names_the_file_and_the_expected_sizes() -> None:
    ds = load_dataset(XOR_CSV)
    check_fits(ds, SRN.init(1, 3, 1, output="logistic"))
    with pytest.raises(DatasetError) as info:
        check_fits(ds, example_network())
    message = str(info.value)
    assert message.startswith(str(XOR_CSV))
    assert "takes 4 inputs and gives 3 outputs" in message
    assert "1 input (x) and 1 target (d)" in message


# -- fuzz: only a clean Dataset or a DatasetError ----------------------------------------------
def outcome(load: Callable[[Path], Dataset], path: Path) -> Dataset | DatasetError:
    try:
        ds = load(path)
    except DatasetError as exc:
        assert str(exc).startswith(str(path))
        if exc.line is not None:
            n_lines = path.read_bytes().count(b"\n") + 1
            assert 1 <= exc.line <= n_lines
        return exc
    assert_clean(ds)
    return ds


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
EXTENSIONS = st.sampled_from([".csv", ".json", ".txt"])


@FUZZ
@given(data=st.binary(max_size=300), ext=EXTENSIONS)
def test_fuzz_random_bytes(tmp_path: Path, data: bytes, ext: str) -> None:
    outcome(load_dataset, write(tmp_path, f"f{ext}", data))


@FUZZ
@given(source=st.sampled_from([XOR_CSV, TWO_BACK_JSON, SHORT_TXT]), cut=st.floats(0, 1))
def test_fuzz_truncated_examples(tmp_path: Path, source: Path, cut: float) -> None:
    data = source.read_bytes()
    outcome(load_dataset, write(tmp_path, f"cut{source.suffix}", data[: int(cut * len(data))]))


@FUZZ
@given(data=st.data(), cell=st.text(max_size=8) | st.sampled_from(["nan", "1e999", '"', ""]))
def test_fuzz_mutated_csv_cells(tmp_path: Path, data: st.DataObject, cell: str) -> None:
    lines = XOR_CSV.read_text(encoding="utf-8").splitlines()
    i = data.draw(st.integers(0, len(lines) - 1))
    cells = lines[i].split(",")
    cells[data.draw(st.integers(0, len(cells) - 1))] = cell
    lines[i] = ",".join(cells)
    outcome(load_dataset, write(tmp_path, "m.csv", "\n".join(lines)))


def leaf_paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(node, dict):
        return [prefix] + [p for k, v in node.items() for p in leaf_paths(v, (*prefix, k))]
    if isinstance(node, list):
        return [prefix] + [p for i, v in enumerate(node) for p in leaf_paths(v, (*prefix, i))]
    return [prefix]


@FUZZ
@given(data=st.data(), value=JSON_VALUES, delete=st.booleans())
def test_fuzz_mutated_json_values(
    tmp_path: Path, data: st.DataObject, value: Any, delete: bool
) -> None:
    doc = json.loads(TWO_BACK_JSON.read_text(encoding="utf-8"))
    path = data.draw(st.sampled_from(leaf_paths(doc)[1:]))
    node = doc
    for key in path[:-1]:
        node = node[key]
    if delete:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    outcome(load_dataset, write(tmp_path, "m.json", json.dumps(doc, indent=1)))


NUMBERS = st.integers(-3, 3) | st.floats(allow_nan=True, allow_infinity=True)


@FUZZ
@given(
    doc=JSON_VALUES
    | st.fixed_dictionaries(
        {
            "sequences": st.lists(
                st.fixed_dictionaries(
                    {
                        "inputs": st.lists(st.lists(NUMBERS, max_size=3), max_size=4),
                        "targets": st.lists(st.lists(NUMBERS, max_size=3), max_size=4),
                    }
                ),
                max_size=3,
            )
        },
        optional={
            "output": st.sampled_from(["softmax", "logistic", "linear", "x"]),
            "input_names": st.lists(st.text(max_size=3), max_size=3),
        },
    )
)
def test_fuzz_random_json_documents(tmp_path: Path, doc: Any) -> None:
    outcome(load_json, write(tmp_path, "r.json", json.dumps(doc)))
