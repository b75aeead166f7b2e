"""Session files: everything round-trips exactly, and every bad field is refused naming the file,
the line and the field."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from core.examples import example_dataset, example_network
from core.modelio import save_model
from core.selection import Selection
from core.sessionfile import (
    SessionFile,
    SessionFileError,
    is_session_file,
    load_session,
    save_session,
    session_json,
)
from core.tasks import make_task


def session(**changes: Any) -> SessionFile:
    values: dict[str, Any] = {
        "net": example_network(seed=5),
        "dataset": example_dataset(),
        "source": {"example": "Deep Learning ch. 10"},
        "sequence": 0,
        "notation": "boden",
        "truncation": 3,
        "mode": "chunked",
        "position": 9,
        "selection": Selection("edge", "W", t=3, row=1, col=2),
        "layout_state": bytes(range(256)),
        "layout_geometry": b"\x01\xd9\xd0\xcb",
    }
    values.update(changes)
    return SessionFile(**values)


def test_round_trip_is_exact(tmp_path: Path) -> None:
    saved = session()
    path = tmp_path / "lecture.json"
    save_session(path, saved)
    loaded = load_session(path)
    assert loaded.net.same_weights(saved.net)
    for a, b in zip(loaded.dataset.sequences, saved.dataset.sequences, strict=True):
        np.testing.assert_array_equal(a.x, b.x)
        np.testing.assert_array_equal(a.d, b.d)
        np.testing.assert_array_equal(a.scored, b.scored)
        assert a.symbols == b.symbols
    assert loaded.dataset.input_names == saved.dataset.input_names
    assert (loaded.dataset.output, loaded.dataset.scoring) == ("softmax", saved.dataset.scoring)
    fields = ("source", "sequence", "notation", "truncation", "mode", "position", "selection")
    assert {f: getattr(loaded, f) for f in fields} == {f: getattr(saved, f) for f in fields}
    assert (loaded.layout_state, loaded.layout_geometry) == (
        saved.layout_state,
        saved.layout_geometry,
    )
    assert is_session_file(path)


def test_a_task_with_legal_successors_and_a_jordan_network_round_trip(tmp_path: Path) -> None:
    from core.model import SRN

    data = make_task("reber", 3)
    net = SRN.init(data.n_in, 4, data.n_out, context="output", seed=2)
    saved = session(net=net, dataset=data, sequence=2, selection=None, layout_state=None)
    path = tmp_path / "reber.json"
    save_session(path, saved)
    loaded = load_session(path)
    assert loaded.net.context == "output" and loaded.sequence == 2
    assert loaded.dataset.scoring == data.scoring
    for a, b in zip(loaded.dataset.sequences, data.sequences, strict=True):
        assert (a.legal is None) == (b.legal is None)
        if a.legal is not None:
            np.testing.assert_array_equal(a.legal, b.legal)
    assert loaded.layout_state is None and loaded.selection is None


def test_a_model_file_is_not_a_session_file(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    save_model(path, example_network())
    assert not is_session_file(path)
    assert not is_session_file(tmp_path / "missing.json")


Edit = Callable[[dict[str, Any]], None]


def _set(key: str, value: Any) -> Edit:
    return lambda doc: doc.__setitem__(key, value)


CASES: list[tuple[str, Edit, str, str]] = [
    ("notation", _set("notation", "greek"), "notation", "expected one of deep-learning, boden"),
    ("position", _set("position", 13), "position", "expected 0 to 12, got 13"),
    ("position-bool", _set("position", True), "position", "expected a whole number, got a boolean"),
    ("truncation", _set("truncation", 0), "truncation", "expected 1 to 10,000, got 0"),
    ("mode", _set("mode", "random"), "mode", "expected one of sliding, chunked"),
    ("sequence", _set("sequence", 2), "sequence", "expected 1 to 1, got 2"),
    ("version", _set("version", 2), "version", "the file is from a newer Unfold"),
    ("unknown", _set("colour", "red"), "colour", "unknown field"),
    (
        "selection-unit",
        lambda doc: doc["selection"].__setitem__("row", 40),
        "selection",
        "names no node, edge or cell",
    ),
    (
        "selection-kind",
        lambda doc: doc["selection"].__setitem__("kind", "wire"),
        "selection.kind",
        "expected one of node, edge, cell",
    ),
    (
        "layout",
        lambda doc: doc["layout"].__setitem__("state", "not base64!"),
        "layout.state",
        "is not valid base64 text",
    ),
    (
        "model",
        lambda doc: doc["model"]["weights"]["hidden_bias"].append(1.0),
        "model.weights.hidden_bias",
        "has 6 numbers, expected 5",
    ),
    (
        "data",
        lambda doc: doc["data"]["sequences"][0]["inputs"][2].__setitem__(1, "x"),
        "data.sequences[0].inputs[2][1]",
        "expected a number, got a string",
    ),
    (
        "data-fit",
        lambda doc: doc["model"].__setitem__("config", {**doc["model"]["config"], "n_in": 3}),
        "model.weights.input_to_hidden[0]",
        "expected 3",
    ),
    ("source", _set("source", [1]), "source", "expected an object or null, got an array"),
]


@pytest.mark.parametrize(
    ("edit", "field", "problem"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_fields_name_file_line_and_field(
    tmp_path: Path, edit: Edit, field: str, problem: str
) -> None:
    doc = json.loads(session_json(session()))
    edit(doc)
    path = tmp_path / "bad.json"
    text = json.dumps(doc, indent=1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SessionFileError) as info:
        load_session(path)
    err = info.value
    assert err.path == str(path) and err.field == field and problem in err.problem
    assert str(err).startswith(f"{path}, line ")
    # the line is the one where the field (or the object holding the bad entry) is written
    assert err.line is not None and 1 <= err.line <= text.count("\n") + 1


def test_data_that_does_not_fit_the_network_is_refused(tmp_path: Path) -> None:
    doc = json.loads(session_json(session()))
    for seq in doc["data"]["sequences"]:
        seq["inputs"] = [row[:3] for row in seq["inputs"]]
    doc["data"]["input_names"] = doc["data"]["input_names"][:3]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(SessionFileError, match="data: has 3 inputs and 3 targets, but the network"):
        load_session(path)


def test_malformed_and_missing_files(tmp_path: Path) -> None:
    path = tmp_path / "cut.json"
    path.write_text(session_json(session())[:500], encoding="utf-8")
    with pytest.raises(SessionFileError, match=r"cut.json, line \d+: malformed JSON"):
        load_session(path)
    with pytest.raises(SessionFileError, match="no such file"):
        load_session(tmp_path / "none.json")
