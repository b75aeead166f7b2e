"""Reading sequence files (CSV, JSON, plain text) into a frozen :class:`~core.data.Dataset`.

Every loader returns a complete Dataset or raises :class:`~core.data.DatasetError` whose message
names the file, the line (1-based), the column where one applies, and the problem; it never
raises another exception type for a bad file and never returns a half-loaded data set. Files
larger than ``MAX_FILE_BYTES`` (50 MB; text files ``MAX_TEXT_BYTES``, 1 MB) are refused before
they are read. Files are UTF-8 (a leading byte-order mark is ignored); a NUL character is refused
as the sign of a binary file. Every sequence needs at least 2 steps, and every number must be
finite. The bounds of a data set (``core.limits``: inputs, targets, sequences, steps, numbers)
are checked before its arrays are built; a refusal names the limit.

CSV (``.csv``)
--------------
Comma-separated, with a header row naming the columns. Blank rows and rows whose first cell
starts with ``#`` are skipped. The column of a CSV error is the 1-based field number.

* Inputs and targets: pass ``inputs=`` / ``targets=`` as a list of exact column names, or as a
  string, meaning every column whose name starts with that string. By default a column is an
  input when its name (ignoring case) is ``x``, ``in`` or ``input``, alone or followed by a
  non-letter (``x1``, ``x_a``, ``x[0]``, ``in-2``, ``input 3``), and a target when it is ``d``,
  ``target``, ``out`` or ``output`` followed likewise (``d1``, ``target_b``, ``out[2]``). So
  ``delta_o[0]``, ``index`` and ``dx`` are neither. Columns that are neither are ignored (listed
  in ``meta["ignored_columns"]``). Unit names are the column names.
* Sequences: the column ``sequence_column=``, by default one named ``sequence`` or ``seq``
  (ignoring case), holds a sequence id; consecutive rows with the same id form one sequence, and
  an id may not come back after another one. Without such a column the file is one sequence.
* Symbols: an optional column named ``symbol`` labels each step.

JSON (``.json``), format "unfold-sequences" version 1
-----------------------------------------------------
::

    {
      "format": "unfold-sequences",          optional; if present exactly this
      "version": 1,                          optional; if present 1
      "name": "my data",                     optional; default the file name without extension
      "description": "...",                  optional
      "output": "softmax",                   optional: softmax | logistic | linear
      "scoring": "argmax",                   optional: none | argmax | threshold | legal
      "legal_threshold": 0.3,                optional, for "legal" scoring
      "input_names": ["a", "b"],             optional; default x1..xI
      "output_names": ["p", "q", "r"],       optional; default y1..yO
      "sequences": [                         required, at least one
        {"inputs":  [[1, 0], [0, 1]],        T rows of I numbers, T >= 2
         "targets": [[0, 1, 0], [1, 0, 0]],  T rows of O numbers
         "symbols": ["a", "b"],              optional, T labels
         "scored":  [true, true],            optional, T booleans
         "legal":   [[...], [...]]}          optional, T rows of O booleans (legal successors)
      ]
    }

The minimal form is ``{"sequences": [...]}``. Unknown fields are errors (they are usually
typos). A JSON error names the field path, e.g. ``sequences[2].inputs[5][1]``, and its line.

Plain text (``.txt``)
---------------------
UTF-8 text, line endings normalised to ``\\n``, handed to ``core.tasks.text_dataset`` for one-hot
next-character prediction in cut sequences of ``seq_len`` steps.

Output function and scoring
---------------------------
Unless given (``output=`` or the JSON field), the output function is inferred from the targets:
``softmax`` when there are at least 2 target units, every target is 0 or 1 and every row is
one-hot (an all-zero row marks an unscored step); else ``logistic`` when every target lies in
[0, 1]; else ``linear``. The scoring follows: ``argmax``, ``threshold`` and ``none``. An explicit
output function is checked: softmax targets are >= 0 with rows summing to 1 (or 0), logistic
targets lie in [0, 1].
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import stat
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from core.data import SCORINGS, Dataset, DatasetError
from core.data import Sequence as DataSequence
from core.functions import OUTPUT_FUNCTIONS
from core.limits import MAX_FILE_BYTES as _MAX_FILE_BYTES
from core.limits import (
    MAX_LAYER_SIZE,
    MAX_SEQUENCES,
    MAX_STEPS,
    MAX_VALUES,
    over_limit,
    show_bytes,
    show_count,
)
from core.limits import MAX_TEXT_BYTES as _MAX_TEXT_BYTES
from core.model import SRN

#: the largest file read (module attributes, so that tests can lower them)
MAX_FILE_BYTES = _MAX_FILE_BYTES
MAX_TEXT_BYTES = _MAX_TEXT_BYTES
INPUT_PREFIXES = ("x", "in", "input")
TARGET_PREFIXES = ("d", "target", "out", "output")
SEQUENCE_COLUMNS = ("sequence", "seq")
SYMBOL_COLUMN = "symbol"
JSON_FORMAT = "unfold-sequences"
JSON_VERSION = 1
SCORING_OF_OUTPUT = {"softmax": "argmax", "logistic": "threshold", "linear": "none"}

PathArg = str | os.PathLike[str]
JsonPath = Sequence[str | int]
Array = NDArray[np.float64]
_NUMBER = re.compile(r"\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*")
_WS = re.compile(r"[ \t\n\r]*")


# -- reading a file safely, shared with core.modelio ---------------------------------------------
def file_problem(path: PathArg) -> str | None:
    """Why ``path`` cannot be read as a file ("no such file", "is a directory, not a file", ...),
    or None for an existing regular file (whether it can be opened is found out by opening it)."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return "no such file"
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return f"cannot read the file: {reason}"
    if stat.S_ISDIR(info.st_mode):
        return "is a directory, not a file"
    if not stat.S_ISREG(info.st_mode):
        return "is not a regular file"
    return None


def read_text_file(
    path: PathArg, error: Callable[..., Exception] = DatasetError, *, limit: int | None = None
) -> str:
    """The whole file as text, or ``error(message, path=, line=, column=)`` raised.

    Refuses missing files, directories and other non-regular files, files over ``limit`` bytes
    (default ``MAX_FILE_BYTES``; checked before reading), invalid UTF-8 (locating the bad byte)
    and NUL.
    """
    where = os.fspath(path)
    limit = MAX_FILE_BYTES if limit is None else limit
    problem = file_problem(path)
    if problem is not None:
        raise error(problem, path=where)
    size = os.stat(path).st_size
    if size > limit:
        raise error(_too_large(size, limit), path=where)
    try:
        with open(path, "rb") as f:
            data = f.read(limit + 1)
    except OSError as exc:
        raise error(f"cannot read the file: {exc.strerror or exc}", path=where) from None
    if len(data) > limit:
        raise error(_too_large(len(data), limit), path=where)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        start = data.rfind(b"\n", 0, exc.start) + 1
        column = len(data[start : exc.start].decode("utf-8", errors="replace")) + 1
        line = data.count(b"\n", 0, exc.start) + 1
        raise error(
            f"not valid UTF-8 text: byte 0x{data[exc.start]:02x} ({exc.reason})",
            path=where,
            line=line,
            column=column,
        ) from None
    text = text.removeprefix("\ufeff")
    nul = text.find("\0")
    if nul >= 0:
        line, column = line_column(text, nul)
        raise error(
            "contains a NUL character (a binary file?)", path=where, line=line, column=column
        )
    return text


def _too_large(size: int, limit: int) -> str:
    return f"the file is {show_bytes(size)}, more than the limit of {show_bytes(limit)}"


def line_column(text: str, pos: int) -> tuple[int, int]:
    """1-based (line, column) of character offset ``pos`` (json.JSONDecodeError's convention)."""
    return text.count("\n", 0, pos) + 1, pos - text.rfind("\n", 0, pos)


def parse_json(text: str, where: str, error: Callable[..., Exception] = DatasetError) -> Any:
    """``json.loads(text)`` with every failure raised as ``error`` at the line it happened."""
    if not text.strip():
        raise error("the file is empty", path=where)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise error(
            f"malformed JSON: {exc.msg}", path=where, line=exc.lineno, column=exc.colno
        ) from None
    except RecursionError:
        raise error("malformed JSON: nested too deeply", path=where) from None
    except ValueError as exc:  # e.g. an integer of more than 4300 digits
        raise error(f"malformed JSON: {exc}", path=where) from None


def json_path(parts: JsonPath) -> str:
    """``["weights", "W", 2]`` -> ``"weights.W[2]"``."""
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else p)
    return out


def json_location(text: str, parts: JsonPath) -> tuple[int | None, int | None]:
    """(line, column) where the value at ``parts`` starts in valid JSON ``text``; None if unknown.

    Walks only down the path, skipping siblings with the C decoder, so it is cheap enough to run
    when reporting an error. With duplicate keys the last one counts, as in ``json.loads``.
    """
    decoder = json.JSONDecoder()
    try:
        pos: int | None = _WS.match(text).end()  # type: ignore[union-attr]
        for key in parts:
            pos = _json_child(text, pos, key, decoder)  # type: ignore[arg-type]
            if pos is None:
                return None, None
    except (ValueError, IndexError, RecursionError):
        return None, None
    return line_column(text, pos)  # type: ignore[arg-type]


def _json_child(text: str, pos: int, key: str | int, decoder: json.JSONDecoder) -> int | None:
    """Offset of member ``key`` of the object, or item ``key`` of the array, starting at pos."""
    opener, closer = ("{", "}") if isinstance(key, str) else ("[", "]")
    if text[pos] != opener:
        return None
    pos = _WS.match(text, pos + 1).end()  # type: ignore[union-attr]
    if text[pos] == closer:
        return None
    found, index = None, 0
    while True:
        if isinstance(key, str):
            name, pos = decoder.raw_decode(text, pos)  # the member's name
            pos = _WS.match(text, _WS.match(text, pos).end() + 1).end()  # type: ignore[union-attr]
            if name == key:
                found = pos
        elif index == key:
            return pos
        index += 1
        pos = decoder.raw_decode(text, pos)[1]
        pos = _WS.match(text, pos).end()  # type: ignore[union-attr]
        if text[pos] == closer:
            return found
        pos = _WS.match(text, pos + 1).end()  # type: ignore[union-attr]


# -- output function and scoring, shared by CSV and JSON -----------------------------------------
Fail = Callable[[str, int, int | None], DatasetError]  # (problem, row, target column or None)


def _choose_output(d: Array, output: str | None, fail: Fail) -> str:
    """The output function for targets d (N, O): checked if given, else inferred (module doc)."""
    if output is None:
        binary = bool(np.isin(d, (0.0, 1.0)).all())
        sums = d.sum(axis=1)
        if d.shape[1] >= 2 and binary and np.isin(sums, (0.0, 1.0)).all() and sums.any():
            return "softmax"
        return "logistic" if bool(((d >= 0) & (d <= 1)).all()) else "linear"
    if output == "softmax":
        if d.shape[1] < 2:
            raise fail("softmax output needs at least 2 target units", 0, None)
        bad = np.argwhere(d < 0)
        if bad.size:
            r, k = bad[0]
            raise fail(f"softmax target {float(d[r, k]):g} is negative", int(r), int(k))
        sums = d.sum(axis=1)
        off = np.flatnonzero((np.abs(sums - 1) > 1e-6) & (sums != 0))
        if off.size:
            r = int(off[0])
            total = float(sums[r])
            problem = f"softmax targets must sum to 1 (or 0 when unscored), not {total:g}"
            raise fail(problem, r, None)
    elif output == "logistic":
        bad = np.argwhere((d < 0) | (d > 1))
        if bad.size:
            r, k = bad[0]
            raise fail(f"logistic target {float(d[r, k]):g} is outside [0, 1]", int(r), int(k))
    elif output != "linear":
        raise fail(f"output {output!r} is not one of {', '.join(OUTPUT_FUNCTIONS)}", -1, None)
    return output


def _default_scored(d: Array, output: str) -> NDArray[np.bool_]:
    """Steps scored by default: all, except all-zero target rows under softmax."""
    return d.sum(axis=1) > 0 if output == "softmax" else np.ones(len(d), bool)


# -- CSV -----------------------------------------------------------------------------------------
def _is_unit(name: str, prefixes: tuple[str, ...]) -> bool:
    low = name.lower()
    return any(
        low.startswith(p) and (len(low) == len(p) or not low[len(p)].isalpha()) for p in prefixes
    )


def _read_rows(text: str, where: str) -> tuple[list[str], int, list[tuple[int, list[str]]]]:
    """Header names, the header's line, and (line, cells) of each data row."""
    if not text.strip():
        raise DatasetError("the file is empty", path=where)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] | None = None
    header_line, rows = 0, []
    try:
        for cells in reader:
            if not any(c.strip() for c in cells) or cells[0].lstrip().startswith("#"):
                continue
            if header is None:
                header, header_line = [c.strip() for c in cells], reader.line_num
            else:
                rows.append((reader.line_num, cells))
    except csv.Error as exc:
        raise DatasetError(
            f"malformed CSV: {exc}", path=where, line=max(reader.line_num, 1)
        ) from None
    if header is None:
        raise DatasetError("no header row (only blank or comment lines)", path=where)
    seen: dict[str, int] = {}
    for j, name in enumerate(header):
        if not name:
            raise DatasetError(
                "this header cell is empty", path=where, line=header_line, column=j + 1
            )
        if name in seen:
            raise DatasetError(
                f"column name {name!r} appears twice (columns {seen[name] + 1} and {j + 1})",
                path=where,
                line=header_line,
                column=j + 1,
            )
        seen[name] = j
    if not rows:
        raise DatasetError("no data rows after the header", path=where, line=header_line)
    return header, header_line, rows


def _pick(
    header: list[str],
    spec: str | Sequence[str] | None,
    prefixes: tuple[str, ...],
    role: str,
    where: str,
    line: int,
) -> list[int]:
    """Column indices for inputs or targets: exact names, a name prefix, or the default rule."""
    if spec is None:
        found = [j for j, n in enumerate(header) if _is_unit(n, prefixes)]
        how = f"no {role} column: name them {', '.join(prefixes)} (+ a suffix) or pass {role}s="
    elif isinstance(spec, str):
        found = [j for j, n in enumerate(header) if n.startswith(spec)]
        how = f"no column name starts with {spec!r} ({role}s={spec!r})"
    else:
        missing = [n for n in spec if n not in header]
        if missing:
            raise DatasetError(
                f"unknown {role} column(s) {', '.join(map(repr, missing))}; "
                f"the header has {', '.join(map(repr, header))}",
                path=where,
                line=line,
            )
        found = [header.index(n) for n in spec]
        how = f"{role}s= names no column"
    if not found:
        raise DatasetError(how, path=where, line=line)
    return found


def _cell(cells: list[str], j: int, name: str, where: str, line: int) -> float:
    """The finite number in cell j of a row (plain decimal or exponent notation only)."""
    shown = cells[j].strip()
    value = float(shown) if _NUMBER.fullmatch(shown) else None
    if value is None or not math.isfinite(value):
        if not shown:
            problem = "the cell is empty"
        elif value is not None:
            problem = f"{shown[:30]} is too large for a float"
        elif shown.lower().lstrip("+-") in ("nan", "inf", "infinity"):
            problem = f"{shown} is not allowed; numbers must be finite"
        else:
            problem = f"{shown[:30]!r} is not a number"
        raise DatasetError(f"column {name!r}: {problem}", path=where, line=line, column=j + 1)
    return value


def load_csv(
    path: PathArg,
    *,
    inputs: str | Sequence[str] | None = None,
    targets: str | Sequence[str] | None = None,
    sequence_column: str | None = None,
    output: str | None = None,
) -> Dataset:
    """Read a CSV sequence file (column rule in the module docstring).

    Parameters
    ----------
    path : the file.
    inputs, targets : exact column names, a name prefix, or None for the default rule.
    sequence_column : the sequence-id column, or None for a column named sequence/seq if any.
    output : "softmax", "logistic" or "linear", or None to infer it from the targets.
    """
    where = os.fspath(path)
    header, hline, rows = _read_rows(read_text_file(path), where)
    in_cols = _pick(header, inputs, INPUT_PREFIXES, "input", where, hline)
    out_cols = _pick(header, targets, TARGET_PREFIXES, "target", where, hline)
    if sequence_column is None:
        seq_cols = [j for j, n in enumerate(header) if n.lower() in SEQUENCE_COLUMNS][:1]
    elif sequence_column in header:
        seq_cols = [header.index(sequence_column)]
    else:
        raise DatasetError(f"unknown sequence column {sequence_column!r}", path=where, line=hline)
    sym_cols = [j for j, n in enumerate(header) if n.lower() == SYMBOL_COLUMN][:1]
    used = in_cols + out_cols + seq_cols
    if len(set(used)) != len(used):
        twice = next(header[j] for j in used if used.count(j) > 1)
        raise DatasetError(f"column {twice!r} is chosen for two roles", path=where, line=hline)
    # The bounds of a data set (core.limits) before the cells are read; steps per sequence and
    # the number of sequences are checked with the sequence ids below.
    for role, cols in (("input", in_cols), ("target", out_cols)):
        if len(cols) > MAX_LAYER_SIZE:
            problem = over_limit("the file has", len(cols), MAX_LAYER_SIZE, f"{role} columns")
            raise DatasetError(problem, path=where, line=hline)
    values = len(rows) * (len(in_cols) + len(out_cols))
    if values > MAX_VALUES:
        problem = over_limit("the inputs and targets hold", values, MAX_VALUES, "numbers")
        raise DatasetError(problem, path=where)
    # Each row: its cells must match the header, and every chosen cell must be a finite number.
    x, d = np.empty((len(rows), len(in_cols))), np.empty((len(rows), len(out_cols)))
    for r, (line, cells) in enumerate(rows):
        if len(cells) != len(header):
            col = min(len(cells), len(header)) + 1
            raise DatasetError(
                f"row has {len(cells)} cells but the header has {len(header)}",
                path=where,
                line=line,
                column=col,
            )
        x[r] = [_cell(cells, j, header[j], where, line) for j in in_cols]
        d[r] = [_cell(cells, j, header[j], where, line) for j in out_cols]

    def fail(problem: str, r: int, k: int | None) -> DatasetError:
        line = rows[r][0] if r >= 0 else None
        column = out_cols[k] + 1 if k is not None else None
        return DatasetError(problem, path=where, line=line, column=column)

    chosen = _choose_output(d, output, fail)
    spans = _csv_spans(rows, seq_cols[0] if seq_cols else None, where)
    sequences = []
    for first, stop in spans:
        symbols = [rows[r][1][sym_cols[0]].strip() for r in range(first, stop)] if sym_cols else []
        seq_d = d[first:stop]
        sequences.append(
            DataSequence(x[first:stop], seq_d, _default_scored(seq_d, chosen), tuple(symbols))
        )
    ignored = [n for j, n in enumerate(header) if j not in used and j not in sym_cols]
    return Dataset(
        name=Path(where).stem,
        sequences=tuple(sequences),
        input_names=tuple(header[j] for j in in_cols),
        output_names=tuple(header[j] for j in out_cols),
        output=chosen,
        scoring=SCORING_OF_OUTPUT[chosen],
        source=where,
        meta={"format": "csv", "ignored_columns": ignored},
    )


def _csv_spans(
    rows: list[tuple[int, list[str]]], id_col: int | None, where: str
) -> list[tuple[int, int]]:
    """(first, stop) row ranges of the sequences; each at least 2 rows, ids never coming back."""
    if id_col is None:
        spans = [(0, len(rows))]
    else:
        ids = [cells[id_col].strip() for _, cells in rows]
        spans, ended = [], set()
        first = 0
        for r in range(1, len(rows) + 1):
            if r == len(rows) or ids[r] != ids[first]:
                spans.append((first, r))
                ended.add(ids[first])
                if r < len(rows) and ids[r] in ended:
                    raise DatasetError(
                        f"sequence id {ids[r]!r} comes back after other sequences; "
                        "the rows of one sequence must be consecutive",
                        path=where,
                        line=rows[r][0],
                        column=id_col + 1,
                    )
                first = r
    if len(spans) > MAX_SEQUENCES:
        raise DatasetError(
            over_limit("the file has", len(spans), MAX_SEQUENCES, "sequences"),
            path=where,
            line=rows[spans[MAX_SEQUENCES][0]][0],
        )
    for first, stop in spans:
        label = "" if id_col is None else f" {rows[first][1][id_col].strip()!r}"
        if stop - first < 2:
            raise DatasetError(
                f"sequence{label} has {stop - first} step; a sequence needs at least 2",
                path=where,
                line=rows[first][0],
            )
        if stop - first > MAX_STEPS:
            raise DatasetError(
                over_limit(f"sequence{label} has", stop - first, MAX_STEPS, "steps"),
                path=where,
                line=rows[first][0],
            )
    return spans


# -- JSON ----------------------------------------------------------------------------------------
_TOP_FIELDS = (
    "format", "version", "name", "description", "output", "scoring", "legal_threshold",
    "input_names", "output_names", "sequences",
)  # fmt: skip
_SEQ_FIELDS = ("inputs", "targets", "symbols", "scored", "legal")


def json_kind(value: Any) -> str:
    """The JSON type name of a decoded value, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an array" if isinstance(value, list) else "an object"


def json_shown(value: Any) -> str:
    """A decoded JSON value for a message: a number or a short string as written, else its kind
    (a value can be large: it is never printed whole)."""
    if is_number(value):
        return repr(value) if isinstance(value, float) or abs(value) < 10**30 else "a huge number"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and len(value) <= 40:
        return repr(value)
    return json_kind(value)


def is_number(value: Any) -> bool:
    """True for a JSON number (bool is not a number here)."""
    return type(value) in (int, float)


class _Json:
    """Error reporting for one decoded JSON document: field path, line and column."""

    def __init__(self, text: str, where: str) -> None:
        self.text, self.where = text, where

    def fail(self, parts: JsonPath, problem: str) -> DatasetError:
        line, column = json_location(self.text, parts)
        field = json_path(parts)
        message = f"{field}: {problem}" if field else problem
        return DatasetError(message, path=self.where, line=line, column=column)

    def matrix(self, parts: list[str | int], value: Any, width: int | None, what: str) -> Array:
        """A (T, width) float array from a list of T >= 2 rows of finite numbers."""
        if not isinstance(value, list):
            raise self.fail(parts, f"expected an array of rows, got {json_kind(value)}")
        if len(value) < 2:
            raise self.fail(parts, f"a sequence needs at least 2 steps, got {len(value)}")
        if len(value) > MAX_STEPS:
            raise self.fail(parts, over_limit("has", len(value), MAX_STEPS, "steps"))
        for j, row in enumerate(value):
            if not isinstance(row, list):
                raise self.fail([*parts, j], f"expected an array of numbers, got {json_kind(row)}")
            if width is None:
                width = len(row)
                if width == 0:
                    raise self.fail([*parts, j], "a step needs at least one number")
                if width > MAX_LAYER_SIZE:
                    raise self.fail([*parts, j], over_limit("has", width, MAX_LAYER_SIZE, "units"))
            if len(row) != width:
                n = len(row)
                raise self.fail(
                    [*parts, j], f"has {n} number{'s'[: n != 1]}, expected {width} {what}"
                )
            if not all(map(is_number, row)):
                k = next(k for k, v in enumerate(row) if not is_number(v))
                raise self.fail([*parts, j, k], f"expected a number, got {json_kind(row[k])}")
        try:
            arr = np.array(value, dtype=np.float64)
        except OverflowError:  # an integer beyond the float range
            j, k = next(
                (j, k) for j, row in enumerate(value) for k, v in enumerate(row) if abs(v) > 1e308
            )
            raise self.fail([*parts, j, k], "number too large for a float") from None
        bad = np.argwhere(~np.isfinite(arr))
        if bad.size:
            j, k = (int(i) for i in bad[0])
            raise self.fail([*parts, j, k], "NaN and infinity are not allowed")
        return arr

    def flags(self, parts: list[str | int], value: Any, shape: tuple[int, ...]) -> Any:
        """A boolean array of ``shape`` from nested JSON arrays of booleans."""
        if len(shape) == 0:
            if not isinstance(value, bool):
                raise self.fail(parts, f"expected true or false, got {json_kind(value)}")
            return value
        if not isinstance(value, list) or len(value) != shape[0]:
            got = f"{len(value)} items" if isinstance(value, list) else json_kind(value)
            raise self.fail(parts, f"expected an array of {shape[0]} items, got {got}")
        return [self.flags([*parts, i], v, shape[1:]) for i, v in enumerate(value)]

    def names(self, doc: dict[str, Any], key: str) -> list[str] | None:
        value = doc.get(key)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail([key], "expected an array of strings")
        return value

    def choice(self, doc: dict[str, Any], key: str, allowed: tuple[str, ...]) -> str | None:
        value = doc.get(key)
        if value is not None and value not in allowed:
            raise self.fail([key], f"expected one of {', '.join(allowed)}, got {json_shown(value)}")
        return value


def load_json(path: PathArg, *, output: str | None = None) -> Dataset:
    """Read a JSON sequence file in the "unfold-sequences" format (schema in the module docstring).

    ``output`` (if given) overrides the file's "output" field.
    """
    return dataset_from_json_text(read_text_file(path), os.fspath(path), output=output)


def dataset_from_json_text(text: str, where: str, *, output: str | None = None) -> Dataset:
    """The data set of the text of a JSON sequence file (what :func:`load_json` reads); errors
    name ``where``. Raises :class:`~core.data.DatasetError` as :func:`load_json` does."""
    doc, js = parse_json(text, where), _Json(text, where)
    if not isinstance(doc, dict):
        raise js.fail([], f'expected an object with a "sequences" array, got {json_kind(doc)}')
    for key in doc:
        if key not in _TOP_FIELDS:
            raise js.fail([key], f"unknown field; expected some of {', '.join(_TOP_FIELDS)}")
    if doc.get("format", JSON_FORMAT) != JSON_FORMAT:
        raise js.fail(["format"], f"expected {JSON_FORMAT!r}, got {json_shown(doc['format'])}")
    version = doc.get("version", JSON_VERSION)
    if type(version) is not int or version != JSON_VERSION:
        newer = is_number(version) and version > JSON_VERSION
        hint = "; the file is from a newer Unfold" if newer else ""
        raise js.fail(["version"], f"expected {JSON_VERSION}, got {json_shown(version)}{hint}")
    for key in ("name", "description"):
        if key in doc and not isinstance(doc[key], str):
            raise js.fail([key], f"expected a string, got {json_kind(doc[key])}")
    threshold = doc.get("legal_threshold", 0.3)
    if not is_number(threshold) or not 0 < threshold < 1:
        raise js.fail(
            ["legal_threshold"], f"expected a number between 0 and 1, got {json_shown(threshold)}"
        )
    file_output = js.choice(doc, "output", OUTPUT_FUNCTIONS)
    scoring = js.choice(doc, "scoring", SCORINGS)
    in_names, out_names = js.names(doc, "input_names"), js.names(doc, "output_names")
    seqs = doc.get("sequences")
    if not isinstance(seqs, list) or not seqs:
        got = json_kind(seqs) if not isinstance(seqs, list) else "an empty array"
        raise js.fail(
            ["sequences"] if "sequences" in doc else [],
            f"needs a non-empty array of sequences, got {got}",
        )
    if len(seqs) > MAX_SEQUENCES:
        raise js.fail(["sequences"], over_limit("has", len(seqs), MAX_SEQUENCES, "sequences"))
    for key in ("input_names", "output_names"):
        names = doc.get(key)
        if isinstance(names, list) and len(names) > MAX_LAYER_SIZE:
            raise js.fail([key], over_limit("has", len(names), MAX_LAYER_SIZE, "names"))

    # Every sequence: inputs and targets as (T, I) and (T, O); widths agree with the names.
    n_in, n_out = (len(n) if n is not None else None for n in (in_names, out_names))
    what_in = "(as in input_names)" if in_names is not None else "(as in the first step)"
    what_out = "(as in output_names)" if out_names is not None else "(as in the first step)"
    parsed, values = [], 0
    for i, seq in enumerate(seqs):
        at: list[str | int] = ["sequences", i]
        if not isinstance(seq, dict):
            raise js.fail(at, f"expected an object with inputs and targets, got {json_kind(seq)}")
        for key in seq:
            if key not in _SEQ_FIELDS:
                raise js.fail(
                    [*at, key], f"unknown field; expected some of {', '.join(_SEQ_FIELDS)}"
                )
        for key in ("inputs", "targets"):
            if key not in seq:
                raise js.fail(at, f'missing field "{key}"')
        x = js.matrix([*at, "inputs"], seq["inputs"], n_in, what_in)
        d = js.matrix([*at, "targets"], seq["targets"], n_out, what_out)
        n_in, n_out = x.shape[1], d.shape[1]
        what_in = what_in if in_names is not None else "(as in sequences[0].inputs)"
        what_out = what_out if out_names is not None else "(as in sequences[0].targets)"
        if len(d) != len(x):
            raise js.fail([*at, "targets"], f"has {len(d)} steps but inputs has {len(x)}")
        values += len(x) * (n_in + n_out)
        if values > MAX_VALUES:
            problem = over_limit("up to here the data holds", values, MAX_VALUES, "numbers")
            raise js.fail(at, problem)
        symbols = seq.get("symbols", [""] * len(x))
        if not isinstance(symbols, list) or len(symbols) != len(x):
            raise js.fail([*at, "symbols"], f"expected an array of {len(x)} strings")
        if not all(isinstance(s, str) for s in symbols):
            k = next(k for k, s in enumerate(symbols) if not isinstance(s, str))
            raise js.fail([*at, "symbols", k], f"expected a string, got {json_kind(symbols[k])}")
        scored = js.flags([*at, "scored"], seq["scored"], (len(x),)) if "scored" in seq else None
        legal = js.flags([*at, "legal"], seq["legal"], d.shape) if "legal" in seq else None
        if scoring == "legal" and legal is None:
            raise js.fail(at, 'scoring is "legal" but this sequence has no "legal" table')
        parsed.append((x, d, scored, tuple(symbols) if "symbols" in seq else (), legal))

    starts = np.cumsum([0] + [len(p[1]) for p in parsed])

    def fail(problem: str, r: int, k: int | None) -> DatasetError:
        if r < 0:
            return DatasetError(problem, path=where)
        i = int(np.searchsorted(starts, r, side="right")) - 1
        parts: list[str | int] = ["sequences", i, "targets", int(r - starts[i])]
        return js.fail(parts if k is None else [*parts, k], problem)

    all_d = np.concatenate([p[1] for p in parsed])
    chosen = _choose_output(all_d, output if output is not None else file_output, fail)
    sequences = tuple(
        DataSequence(x, d, _default_scored(d, chosen) if sc is None else sc, sym, legal)
        for x, d, sc, sym, legal in parsed
    )
    assert n_in is not None and n_out is not None
    return Dataset(
        name=doc.get("name") or Path(where).stem,
        sequences=sequences,
        input_names=tuple(in_names or (f"x{k + 1}" for k in range(n_in))),
        output_names=tuple(out_names or (f"y{k + 1}" for k in range(n_out))),
        output=chosen,
        scoring=scoring or SCORING_OF_OUTPUT[chosen],
        legal_threshold=float(threshold),
        source=where,
        meta={"format": "json", "description": doc.get("description", "")},
    )


# -- plain text ----------------------------------------------------------------------------------
def load_text(path: PathArg, *, seq_len: int = 25) -> Dataset:
    """Read UTF-8 text for next-character prediction via ``core.tasks.text_dataset``.

    Line endings become ``\\n``. text_dataset refuses texts of fewer than 3 characters or
    fewer than 2 distinct ones; its errors are re-raised naming this file.
    """
    from core.tasks import text_dataset

    where = os.fspath(path)
    whole = isinstance(seq_len, int | np.integer) and not isinstance(seq_len, bool)
    if not whole or not 2 <= seq_len <= MAX_STEPS:
        raise DatasetError(
            f"sequence length must be an integer from 2 to {show_count(MAX_STEPS)}, "
            f"got {seq_len!r}",
            path=where,
        )
    text = read_text_file(path, limit=MAX_TEXT_BYTES).replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise DatasetError("the file holds no text", path=where)
    try:
        return text_dataset(text, Path(where).stem, seq_len=seq_len, source=where)
    except DatasetError as exc:
        if exc.path is not None:
            raise
        raise DatasetError(exc.problem, path=where, line=exc.line, column=exc.column) from None
    except ValueError as exc:
        raise DatasetError(str(exc), path=where) from None


# -- any file ------------------------------------------------------------------------------------
def load_dataset(
    path: PathArg,
    *,
    inputs: str | Sequence[str] | None = None,
    targets: str | Sequence[str] | None = None,
    sequence_column: str | None = None,
    output: str | None = None,
    seq_len: int = 25,
) -> Dataset:
    """Read a sequence file, choosing the loader by extension (.csv, .json or .txt).

    ``inputs``, ``targets`` and ``sequence_column`` apply to CSV only, ``output`` to CSV and JSON
    (a text file is always softmax), ``seq_len`` to text only; see :func:`load_csv`.

    Raises
    ------
    DatasetError
        For any problem with the file (its message names the file, line, column and problem).
    """
    where = os.fspath(path)
    suffix = Path(where).suffix.lower()
    csv_only = [k for k, v in (("inputs", inputs), ("targets", targets),
                               ("sequence_column", sequence_column)) if v is not None]  # fmt: skip
    if suffix == ".csv":
        return load_csv(
            path, inputs=inputs, targets=targets, sequence_column=sequence_column, output=output
        )
    if suffix not in (".json", ".txt"):
        raise DatasetError(
            f"unknown file type {suffix or '(none)'!r}; Unfold reads .csv, .json and .txt files",
            path=where,
        )
    if csv_only:
        raise DatasetError(f"{', '.join(csv_only)} apply to CSV files only", path=where)
    if suffix == ".json":
        return load_json(path, output=output)
    if output not in (None, "softmax"):
        raise DatasetError(f"a text file is always softmax, not {output!r}", path=where)
    return load_text(path, seq_len=seq_len)


def check_fits(dataset: Dataset, net: SRN) -> None:
    """Raise DatasetError unless the data set's input and target widths match the network's."""
    if (dataset.n_in, dataset.n_out) == (net.n_in, net.n_out):
        return

    def count(n: int, unit: str, names: tuple[str, ...] = ()) -> str:
        shown = f" ({', '.join(names[:6])}{', ...' if len(names) > 6 else ''})" if names else ""
        return f"{n} {unit}{'' if n == 1 else 's'}{shown}"

    raise DatasetError(
        f"the network takes {count(net.n_in, 'input')} and gives {count(net.n_out, 'output')}, "
        f"but the data has {count(dataset.n_in, 'input', dataset.input_names)} and "
        f"{count(dataset.n_out, 'target', dataset.output_names)}; "
        f"it needs a network with {dataset.n_in} inputs and {dataset.n_out} outputs",
        path=dataset.source or dataset.name,
    )
