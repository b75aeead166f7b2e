"""Session files: the exact screen a teacher hands out - network, data, notation, truncation,
cursor, selection and window layout - in one JSON file. Never pickle.

Session file, format "unfold-session" version 1::

    {
      "format": "unfold-session",
      "version": 1,
      "model": {...},            a model document, as in a model file (core.modelio)
      "data": {...},             a sequence document, as in a JSON sequence file (core.loaders)
      "source": {...} or null,   where the data came from (a task and its seed, a file)
      "sequence": 1,             the sequence shown, 1-based, 1..number of sequences
      "notation": "boden",       a key of core.notation.NOTATIONS
      "truncation": null or k,   full BPTT, or k = 1..MAX_STEPS
      "mode": "sliding",         "sliding" or "chunked"
      "position": 7,             the cursor, 0..2T for the sequence's T steps
      "selection": null or {"kind": "node", "layer": "h", "t": 2, "unit": 0, "row": 0, "col": 0},
      "layout": null or {"state": BASE64, "geometry": BASE64}
    }

"layout" holds the window's dock layout and geometry as Qt writes them (``saveState``,
``saveGeometry``), base64-encoded; core stores the bytes and does not read them. Every field is
checked before anything is returned: a problem raises :class:`SessionFileError` naming the
file, the line and the field (``model.weights.hidden_bias[2]``, ``data.sequences[0].inputs``,
``position``), so a caller can leave its state untouched. The file is bounded like a model file
(``MAX_FILE_BYTES``); a selection must name a node, edge or cell of the network and the
sequence. Writes are atomic (``core.modelio.atomic_write_text``).
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from core.bptt import TRUNCATION_MODES, bptt
from core.data import Dataset, DatasetError
from core.explain import is_valid
from core.limits import MAX_LAYER_SIZE, MAX_STEPS
from core.loaders import (
    JSON_FORMAT,
    JSON_VERSION,
    PathArg,
    dataset_from_json_text,
    is_number,
    json_kind,
    json_location,
    json_shown,
    parse_json,
    read_text_file,
)
from core.model import SRN
from core.modelio import ModelFileError, atomic_write_text, model_from_text, model_json
from core.notation import NOTATIONS
from core.selection import Selection
from core.tdl import TDL

SESSION_FORMAT: Final = "unfold-session"
SESSION_VERSION: Final = 1
FIELDS: Final = (
    "format",
    "version",
    "model",
    "data",
    "source",
    "sequence",
    "notation",
    "truncation",
    "mode",
    "position",
    "selection",
    "layout",
)
SELECTION_FIELDS: Final = ("kind", "layer", "t", "unit", "row", "col")
SELECTION_KINDS: Final = ("node", "edge", "cell")
LAYOUT_FIELDS: Final = ("state", "geometry")
#: the longest base64 text of a layout (Qt's state of a window with a dozen docks is ~2 kB)
MAX_LAYOUT_CHARS: Final = 1_000_000


class SessionFileError(ValueError):
    """A session file that cannot be opened: the message names file, line, field and problem."""

    def __init__(
        self, problem: str, *, path: str, field: str | None = None, line: int | None = None
    ) -> None:
        self.path, self.field, self.line, self.problem = path, field, line, problem
        where = f"{path}, line {line}" if line is not None else path
        super().__init__(f"{where}: {field}: {problem}" if field else f"{where}: {problem}")


@dataclass(frozen=True, slots=True, eq=False)
class SessionFile:
    """What a session file holds, checked. ``sequence`` is 0-based here (1-based in the file)."""

    net: SRN | TDL
    dataset: Dataset
    source: dict[str, Any] | None
    sequence: int
    notation: str
    truncation: int | None
    mode: str
    position: int
    selection: Selection | None
    layout_state: bytes | None = None
    layout_geometry: bytes | None = None


# -- writing -------------------------------------------------------------------------------------
def dataset_document(dataset: Dataset) -> dict[str, Any]:
    """The data set as an "unfold-sequences" document (core.loaders reads it back)."""
    sequences = []
    for seq in dataset.sequences:
        entry: dict[str, Any] = {"inputs": seq.x.tolist(), "targets": seq.d.tolist()}
        if seq.symbols:
            entry["symbols"] = list(seq.symbols)
        entry["scored"] = [bool(v) for v in seq.scored]
        if seq.legal is not None:
            entry["legal"] = seq.legal.tolist()
        sequences.append(entry)
    return {
        "format": JSON_FORMAT,
        "version": JSON_VERSION,
        "name": dataset.name,
        "output": dataset.output,
        "scoring": dataset.scoring,
        "legal_threshold": dataset.legal_threshold,
        "input_names": list(dataset.input_names),
        "output_names": list(dataset.output_names),
        "sequences": sequences,
    }


def session_json(session: SessionFile) -> str:
    """The text of a session file (format in the module docstring)."""
    layout = None
    if session.layout_state is not None:
        layout = {
            "state": base64.b64encode(session.layout_state).decode("ascii"),
            "geometry": base64.b64encode(session.layout_geometry or b"").decode("ascii"),
        }
    sel = session.selection
    doc = {
        "format": SESSION_FORMAT,
        "version": SESSION_VERSION,
        "model": json.loads(model_json(session.net)),
        "data": dataset_document(session.dataset),
        "source": session.source,
        "sequence": session.sequence + 1,
        "notation": session.notation,
        "truncation": session.truncation,
        "mode": session.mode,
        "position": session.position,
        "selection": None if sel is None else {k: getattr(sel, k) for k in SELECTION_FIELDS},
        "layout": layout,
    }
    return json.dumps(doc, indent=1, allow_nan=False) + "\n"


def save_session(path: PathArg, session: SessionFile) -> None:
    """Write ``session`` to ``path`` atomically (``core.modelio.FileWriteError`` on failure)."""
    atomic_write_text(path, session_json(session))


# -- reading -------------------------------------------------------------------------------------
class _Reader:
    """Checks of one session file's fields, with errors at their line."""

    def __init__(self, text: str, where: str) -> None:
        self.text, self.where = text, where

    def fail(self, parts: list[str | int], problem: str) -> SessionFileError:
        line, _column = json_location(self.text, parts)
        field = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts).lstrip(".")
        return SessionFileError(problem, path=self.where, field=field or None, line=line)

    def whole(self, parts: list[str | int], value: Any, low: int, high: int) -> int:
        if type(value) is not int:
            raise self.fail(parts, f"expected a whole number, got {json_kind(value)}")
        if not low <= value <= high:
            raise self.fail(parts, f"expected {low} to {high:,}, got {value}")
        return value

    def embedded(self, key: str) -> tuple[str, int]:
        """The text of the value of top-level field ``key`` and the line it starts on."""
        line, column = json_location(self.text, [key])
        assert line is not None and column is not None
        lines = self.text.split("\n")
        start = sum(len(row) + 1 for row in lines[: line - 1]) + column - 1
        _value, end = json.JSONDecoder().raw_decode(self.text, start)
        # the value's text, preceded by as many blank lines as come before it in the file, so
        # that a line number inside it is a line number of the session file
        return "\n" * (line - 1) + " " * (column - 1) + self.text[start:end], line


def load_session(path: PathArg) -> SessionFile:
    """Read and check a session file; raises :class:`SessionFileError` for any problem."""
    where = os.fspath(path)
    try:
        text = read_text_file(path, ModelFileError)
        doc = parse_json(text, where, ModelFileError)
    except ModelFileError as exc:  # missing, too large, not UTF-8, malformed JSON
        raise SessionFileError(exc.problem, path=where, line=exc.line) from None
    return session_from_text(text, doc, where)


def session_from_text(text: str, doc: Any, where: str) -> SessionFile:
    """Check the decoded document ``doc`` of session file text ``text``."""
    r = _Reader(text, where)
    if not isinstance(doc, dict):
        raise r.fail([], f"expected an object, got {json_kind(doc)}")
    for key in doc:
        if key not in FIELDS:
            raise r.fail([key], f"unknown field; expected some of {', '.join(FIELDS)}")
    for key in FIELDS:
        if key not in doc:
            raise r.fail([], f'missing field "{key}"')
    if doc["format"] != SESSION_FORMAT:
        raise r.fail(["format"], f"expected {SESSION_FORMAT!r}, got {json_shown(doc['format'])}")
    if type(doc["version"]) is not int or doc["version"] != SESSION_VERSION:
        newer = is_number(doc["version"]) and doc["version"] > SESSION_VERSION
        hint = "; the file is from a newer Unfold" if newer else ""
        got = json_shown(doc["version"])
        raise r.fail(["version"], f"expected {SESSION_VERSION}, got {got}{hint}")
    net = _model(r, doc["model"])
    dataset = _data(r, doc["data"])
    if (dataset.n_in, dataset.n_out) != (net.n_in, net.n_out):
        problem = (
            f"has {dataset.n_in} inputs and {dataset.n_out} targets, but the network has "
            f"{net.n_in} inputs and {net.n_out} outputs"
        )
        raise r.fail(["data"], problem)
    source = doc["source"]
    if source is not None and not isinstance(source, dict):
        raise r.fail(["source"], f"expected an object or null, got {json_kind(source)}")
    if not finite_json(source):
        raise r.fail(["source"], "NaN and infinity are not allowed")
    sequence = r.whole(["sequence"], doc["sequence"], 1, len(dataset.sequences)) - 1
    if doc["notation"] not in NOTATIONS:
        got = json_shown(doc["notation"])
        raise r.fail(["notation"], f"expected one of {', '.join(NOTATIONS)}, got {got}")
    truncation = doc["truncation"]
    if truncation is not None:
        truncation = r.whole(["truncation"], truncation, 1, MAX_STEPS)
    if doc["mode"] not in TRUNCATION_MODES:
        got = json_shown(doc["mode"])
        raise r.fail(["mode"], f"expected one of {', '.join(TRUNCATION_MODES)}, got {got}")
    T = dataset.sequences[sequence].T
    position = r.whole(["position"], doc["position"], 0, 2 * T)
    selection = _selection(r, doc["selection"], net, dataset, sequence)
    state, geometry = _layout(r, doc["layout"])
    return SessionFile(
        net=net,
        dataset=dataset,
        source=source,
        sequence=sequence,
        notation=doc["notation"],
        truncation=truncation,
        mode=doc["mode"],
        position=position,
        selection=selection,
        layout_state=state,
        layout_geometry=geometry,
    )


def _model(r: _Reader, value: Any) -> SRN | TDL:
    if not isinstance(value, dict):
        raise r.fail(["model"], f"expected a model object, got {json_kind(value)}")
    text, _line = r.embedded("model")
    try:
        return model_from_text(text, r.where).net
    except ModelFileError as exc:
        field = f"model.{exc.field}" if exc.field else "model"
        raise SessionFileError(exc.problem, path=r.where, field=field, line=exc.line) from None


def _data(r: _Reader, value: Any) -> Dataset:
    if not isinstance(value, dict):
        raise r.fail(["data"], f"expected a sequence object, got {json_kind(value)}")
    text, _line = r.embedded("data")
    try:
        dataset = dataset_from_json_text(text, r.where)
    except DatasetError as exc:
        raise SessionFileError(
            exc.problem, path=r.where, field=_prefixed("data", exc.problem), line=exc.line
        ) from None
    return dataset


def _prefixed(key: str, problem: str) -> str:
    """The field a loader's problem names ("sequences[0].inputs: ...") under ``key``."""
    head, sep, _rest = problem.partition(": ")
    return f"{key}.{head}" if sep and " " not in head else key


def _selection(
    r: _Reader, value: Any, net: SRN | TDL, dataset: Dataset, sequence: int
) -> Selection | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise r.fail(["selection"], f"expected an object or null, got {json_kind(value)}")
    for key in value:
        if key not in SELECTION_FIELDS:
            expected = ", ".join(SELECTION_FIELDS)
            raise r.fail(["selection", key], f"unknown field; expected some of {expected}")
    if value.get("kind") not in SELECTION_KINDS:
        got = json_shown(value.get("kind"))
        raise r.fail(["selection", "kind"], f"expected one of node, edge, cell, got {got}")
    if not isinstance(value.get("layer"), str):
        raise r.fail(
            ["selection", "layer"], f"expected a string, got {json_kind(value.get('layer'))}"
        )
    bounds = {"t": MAX_STEPS, "unit": MAX_LAYER_SIZE, "row": MAX_LAYER_SIZE, "col": MAX_LAYER_SIZE}
    numbers = {k: r.whole(["selection", k], value.get(k, 0), 0, high) for k, high in bounds.items()}
    selection = Selection(value["kind"], value["layer"], **numbers)
    seq = dataset.sequences[sequence]
    trace = bptt(net, seq.x, seq.d)
    if not is_valid(selection, trace):
        raise r.fail(["selection"], "names no node, edge or cell of this network and sequence")
    return selection


def _layout(r: _Reader, value: Any) -> tuple[bytes | None, bytes | None]:
    if value is None:
        return None, None
    if not isinstance(value, dict):
        raise r.fail(["layout"], f"expected an object or null, got {json_kind(value)}")
    out = []
    for key in LAYOUT_FIELDS:
        text = value.get(key)
        if not isinstance(text, str):
            raise r.fail(["layout", key], f"expected base64 text, got {json_kind(text)}")
        if len(text) > MAX_LAYOUT_CHARS:
            raise r.fail(
                ["layout", key], f"longer than the limit of {MAX_LAYOUT_CHARS:,} characters"
            )
        try:
            out.append(base64.b64decode(text, validate=True))
        except (binascii.Error, ValueError):
            raise r.fail(["layout", key], "is not valid base64 text") from None
    for key in value:
        if key not in LAYOUT_FIELDS:
            raise r.fail(["layout", key], "unknown field; expected state, geometry")
    return out[0], out[1]


def finite_json(value: Any) -> bool:
    """Whether plain JSON data holds only finite numbers (for "source")."""
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, Mapping):
        return all(finite_json(v) for v in value.values())
    if isinstance(value, list):
        return all(finite_json(v) for v in value)
    return True


#: how a session file begins, as :func:`session_json` writes it
_SESSION_START: Final = re.compile(rb'\A(?:\xef\xbb\xbf)?\s*\{\s*"format"\s*:\s*"unfold-session"')


def is_session_file(path: PathArg) -> bool:
    """Whether ``path`` is a session file: a JSON object whose first member is "format":
    "unfold-session", as Unfold writes it (unreadable files and other files are not)."""
    try:
        with open(path, "rb") as f:
            head = f.read(4096)
    except OSError:
        return False
    return _SESSION_START.match(head) is not None
