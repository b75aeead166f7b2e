"""Saving and loading networks as JSON, and exporting a trace as CSV. Never pickle.

Model file, format "unfold-model" version 1::

    {
      "format": "unfold-model",
      "version": 1,
      "config": {"n_in": I, "n_hidden": H, "n_out": O, "hidden": "tanh",
                 "output": "softmax", "train_h0": false, "context": "hidden",
                 "dtype": "float64"},
      "weights": {
        "input_to_hidden":  (H, I) nested lists     U in Eq. 1
        "hidden_to_hidden": (H, H)                  W, eq. 1
        "hidden_to_output": (O, H)                  V, eq. 3
        "hidden_bias":      (H,)                    b, eq. 1
        "output_bias":      (O,)                    c, eq. 3
        "initial_state":    (H,)                    h0 = h(0)
      },
      "task": null or an object (a task name and parameters, or a data file path),
      "training": null or an object (settings and progress),
      "notes": null or a string
    }

A "task" of the form {"task": name, "seed": s, "params": {...}} names a built-in task of
``core.tasks``; a task that has since been renamed is read under its current name
(``FORMER_TASK_NAMES``), so older files still regenerate their data. "seed" (default 0) is a
whole number from 0 to ``core.limits.SEED_MAX``; "params" (default: the task's defaults) holds
parameters of that task within their bounds (``core.tasks.ParamSpec``). A task name this version
does not know is kept, with a seed and parameters of the right types, but its data is not
regenerated. Any other "task" names its data by a path, {"file": path} (the window) or
{"data": path, "name": name} (``unfold train``); a relative path is relative to the model file.
:func:`model_data` gives the data set the entry names, checked to fit the network.
Neither "task" nor "training" may hold NaN or infinity (standard JSON has neither).

A Jordan network ("context": "output" or "target", see ``core.jordan``) stores W (H, O) as
"context_to_hidden" and its initial context (O,) as "initial_context" in place of the last two
Elman names above. "context" may be left out and then means "hidden" (Elman).

A tapped delay line (``core.tdl``; Bodén 2002 §4) says so in its config and has no recurrent
weights, no initial state and no "train_h0" or "context"::

      "config": {"network": "tdl", "n_in": I, "n_hidden": H, "n_out": O, "window": omega,
                 "hidden": "tanh", "output": "softmax", "dtype": "float64"},
      "weights": {
        "delay_line_to_hidden": (H, (omega+1) I)     [U_0 U_1 ... U_omega], Eq. 29: columns
                                                     k I .. (k+1) I - 1 read x(t-k)
        "hidden_to_output", "hidden_bias", "output_bias" as above
      }

"window" is a whole number from 0 to ``core.limits.MAX_WINDOW``. "network" may be left out and
then means "srn" (an Elman or Jordan network).

Weight names describe connections, not letters, because the published derivations letter them
differently (see ``core.model``). Numbers are written as the shortest decimal that reads back to
the identical float64 or float32 value, so a save/load round trip is exact. Matrix rows are one
line each, so an error's line number points at the row.

Writes are atomic (:func:`atomic_write_text`): the text goes to a temporary file in the target's
directory, ``.NAME.XXXXXXXX.tmp``, is flushed and fsynced, then ``os.replace``-d over the target;
on any failure the target is untouched and the temporary file removed. A read-only target is
refused, as desktop applications do, although the rename could replace it. Temporary files of
this pattern left by a process killed mid-save are removed by the next save to the folder once
they are a minute old. A failed write raises :class:`FileWriteError`, whose message is the
reason alone: the caller names the file the user chose, never the temporary one.

:func:`is_model_file` tells a model file from a sequence file by its top-level "format" field.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import io
import json
import math
import os
import re
import stat
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

import core.loaders as loaders
from core.bptt import Trace
from core.data import Dataset, DatasetError
from core.functions import HIDDEN_ACTIVATIONS, OUTPUT_FUNCTIONS
from core.limits import MAX_LAYER_SIZE, MAX_WINDOW, SEED_MAX, show_count
from core.loaders import (
    PathArg,
    file_problem,
    is_number,
    json_kind,
    json_location,
    json_path,
    json_shown,
    parse_json,
    read_text_file,
)
from core.model import CONTEXTS, SRN
from core.tasks import TASKS, make_task
from core.tdl import TDL

MODEL_FORMAT = "unfold-model"
MODEL_VERSION = 1
#: file name of each weight -> SRN attribute
WEIGHT_NAMES = {
    "input_to_hidden": "U",
    "hidden_to_hidden": "W",
    "hidden_to_output": "V",
    "hidden_bias": "b",
    "output_bias": "c",
    "initial_state": "h0",
}
#: the two weights a Jordan network names by its context (core.jordan)
JORDAN_NAMES = {"hidden_to_hidden": "context_to_hidden", "initial_state": "initial_context"}
#: file name of each weight of a tapped delay line (core.tdl) -> TDL attribute
TDL_WEIGHT_NAMES = {
    "delay_line_to_hidden": "U",
    "hidden_to_output": "V",
    "hidden_bias": "b",
    "output_bias": "c",
}
CONFIG_FIELDS = ("n_in", "n_hidden", "n_out", "hidden", "output", "train_h0", "dtype")
OPTIONAL_CONFIG = ("context", "network")
TDL_CONFIG_FIELDS = ("network", "n_in", "n_hidden", "n_out", "window", "hidden", "output", "dtype")
#: the kinds of network a model file can hold
NETWORKS = ("srn", "tdl")
DTYPES = ("float64", "float32")
#: built-in task names that older model files may hold -> the task's current name
FORMER_TASK_NAMES: Final = MappingProxyType({"seed004": "two-back"})
_REQUIRED = ("format", "version", "config", "weights")
_OPTIONAL = ("task", "training", "notes")
#: the fields of a "task" entry that names a built-in task
TASK_FIELDS = ("task", "seed", "params")
#: the fields of a "task" entry that names its data otherwise, with their JSON types
SOURCE_FIELDS: Final = MappingProxyType(
    {"file": str, "data": str, "name": str, "example": str, "random": bool}
)
#: the kinds of file Unfold writes: models, CSV tables, and the lecture and PyTorch exports
WRITTEN_SUFFIXES: Final = "json|csv|npz|py|svg|tex|gif|mp4"
#: temporary files of atomic_write_text: "." + target name + "." + 8 of mkstemp's letters + ".tmp"
TEMP_PATTERN: Final = re.compile(rf"\.(.+\.(?i:{WRITTEN_SUFFIXES}))\.[a-z0-9_]{{8}}\.tmp")
#: age after which a temporary file is taken for the leftover of a killed save
STALE_SECONDS = 60.0


def weight_names(context: str) -> dict[str, str]:
    """File name of each weight -> SRN attribute, for a network with this ``context`` ("none":
    a tapped delay line's TDL attributes)."""
    if context == "none":
        return dict(TDL_WEIGHT_NAMES)
    if context == "hidden":
        return dict(WEIGHT_NAMES)
    return {JORDAN_NAMES.get(name, name): attr for name, attr in WEIGHT_NAMES.items()}


class ModelFileError(ValueError):
    """A model file that cannot be loaded: the message names file, line, field and problem.

    Attributes ``path``, ``line``, ``column`` (1-based or None), ``field`` (a JSON path such as
    ``weights.hidden_to_hidden[2]``, or None) and ``problem`` locate and describe it.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        field: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.path, self.field, self.line, self.column = path, field, line, column
        self.problem = message
        where = [str(path)] if path is not None else []
        where += [f"line {line}"] if line is not None else []
        where += [f"column {column}"] if column is not None else []
        text = f"{field}: {message}" if field else message
        super().__init__(f"{', '.join(where)}: {text}" if where else text)


@dataclass(frozen=True, slots=True)
class ModelFile:
    """What a model file holds: the network, its task and training records, notes, version."""

    net: SRN | TDL
    task: dict[str, Any] | None = None
    training: dict[str, Any] | None = None
    notes: str | None = None
    version: int = MODEL_VERSION


# -- writing -------------------------------------------------------------------------------------
class FileWriteError(OSError):
    """A file could not be written: ``path`` is the file the caller asked for (never a temporary
    file), ``reason`` says why ("the file is read-only", "Permission denied"). ``str()`` is the
    reason alone, so that the caller can name the file in its own words."""

    def __init__(self, path: PathArg, reason: str, code: int | None = None) -> None:
        super().__init__(code or errno.EIO, reason, os.fspath(path))
        self.path, self.reason = os.fspath(path), reason

    def __str__(self) -> str:
        return self.reason


def _write_error(path: PathArg, exc: OSError) -> FileWriteError:
    """``exc`` (about ``path`` or a temporary file beside it) as an error about ``path``."""
    if isinstance(exc, FileWriteError):
        return exc
    return FileWriteError(path, exc.strerror or str(exc), exc.errno)


def check_writable(path: PathArg) -> None:
    """Raise :class:`FileWriteError` unless ``path`` can be (over)written by
    :func:`atomic_write_text`: its folder exists and takes a new file (one is created and
    removed), and the file, if it exists, is a regular file that is not read-only."""
    target = Path(path)
    folder = target.parent
    if not folder.is_dir():
        if folder.exists():
            raise FileWriteError(path, f"{folder} is a file, not a folder", errno.ENOTDIR)
        raise FileWriteError(path, f"the folder {folder} does not exist", errno.ENOENT)
    _check_target(target)
    try:
        fd, probe = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise FileWriteError(path, f"cannot write in the folder {folder}: {reason}") from None


def _check_target(target: Path) -> None:
    """Refuse to replace a directory, a special file or a read-only file."""
    try:
        info = target.stat()
    except FileNotFoundError:
        return
    except OSError as exc:
        raise _write_error(target, exc) from None
    if stat.S_ISDIR(info.st_mode):
        raise FileWriteError(target, "is a folder, not a file", errno.EISDIR)
    if not stat.S_ISREG(info.st_mode):
        raise FileWriteError(target, "is not a regular file", errno.EINVAL)
    # The mode bits, not os.access: root may write anything, but a read-only file stays so.
    if not info.st_mode & stat.S_IWUSR or not os.access(target, os.W_OK):
        raise FileWriteError(target, "the file is read-only", errno.EACCES)


def remove_stale_temporaries(folder: PathArg, now: float | None = None) -> list[str]:
    """Delete the temporary files a killed save left in ``folder``: regular files named like
    ours (``TEMP_PATTERN``, a name ending in one of ``WRITTEN_SUFFIXES``) and older than
    ``STALE_SECONDS``. Returns the names removed; a file that cannot be removed is left alone."""
    now = time.time() if now is None else now
    removed = []
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            if not TEMP_PATTERN.fullmatch(entry.name):
                continue
            with contextlib.suppress(OSError):
                info = entry.stat(follow_symlinks=False)
                if stat.S_ISREG(info.st_mode) and now - info.st_mtime > STALE_SECONDS:
                    os.unlink(entry.path)
                    removed.append(entry.name)
    return removed


def atomic_write_text(path: PathArg, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically: all of it or, on failure, nothing.

    An existing file keeps its permission bits; a new one gets 0o644. A read-only file, a folder
    or a special file is refused. Stale temporary files of earlier saves in the folder are
    removed first (:func:`remove_stale_temporaries`).

    Raises
    ------
    FileWriteError
        When the file cannot be written; it names ``path``, not the temporary file.
    """
    _atomic_write(path, text)


def atomic_write_bytes(path: PathArg, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically, as :func:`atomic_write_text` writes text (the
    exports: a PyTorch checkpoint, an animation)."""
    _atomic_write(path, data)


def _atomic_write(path: PathArg, payload: str | bytes) -> None:
    target = Path(path)
    directory = target.parent
    _check_target(target)
    remove_stale_temporaries(directory)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise _write_error(path, exc) from None
    try:
        if isinstance(payload, bytes):
            f: Any = os.fdopen(fd, "wb")
        else:
            f = os.fdopen(fd, "w", encoding="utf-8", newline="")
        with f:
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        try:
            mode = target.stat().st_mode & 0o777
        except OSError:
            mode = 0o644
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise _write_error(path, exc) from None
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable (POSIX)
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _numbers(values: NDArray[np.floating]) -> str:
    """Comma-separated shortest round-trip decimals (float64 via repr, float32 via numpy)."""
    if values.dtype == np.float64:
        return ", ".join(map(repr, values.tolist()))
    return ", ".join(str(v) for v in values)


def _array_json(arr: NDArray[np.floating], indent: int) -> str:
    if arr.ndim == 1:
        return f"[{_numbers(arr)}]"
    pad = " " * (indent + 2)
    rows = ",\n".join(f"{pad}[{_numbers(row)}]" for row in arr)
    return f"[\n{rows}\n{' ' * indent}]"


def _json_value(name: str, value: Any, kinds: tuple[type, ...]) -> str:
    if value is not None and not isinstance(value, kinds):
        raise TypeError(f"{name} must be {' or '.join(k.__name__ for k in kinds)} or None")
    try:
        return json.dumps(value, indent=2, allow_nan=False).replace("\n", "\n  ")
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} is not plain JSON data: {exc}") from None


def model_json(
    net: SRN | TDL,
    *,
    task: dict[str, Any] | None = None,
    training: dict[str, Any] | None = None,
    notes: str | None = None,
) -> str:
    """The text of a model file (format in the module docstring)."""
    weights = ",\n".join(
        f'    "{name}": {_array_json(getattr(net, attr), 4)}'
        for name, attr in weight_names(net.context).items()
    )
    fields = [
        f'"format": "{MODEL_FORMAT}"',
        f'"version": {MODEL_VERSION}',
        f'"config": {json.dumps(net.config())}',
        f'"weights": {{\n{weights}\n  }}',
        f'"task": {_json_value("task", task, (dict,))}',
        f'"training": {_json_value("training", training, (dict,))}',
        f'"notes": {_json_value("notes", notes, (str,))}',
    ]
    return "{\n  " + ",\n  ".join(fields) + "\n}\n"


def save_model(
    path: PathArg,
    net: SRN | TDL,
    *,
    task: dict[str, Any] | None = None,
    training: dict[str, Any] | None = None,
    notes: str | None = None,
) -> None:
    """Save ``net`` with optional task, training and notes to ``path`` as JSON, atomically.

    Raises
    ------
    TypeError, ValueError
        When task or training is not a JSON object of plain data (nothing is written).
    FileWriteError
        An OSError, when the file cannot be written or is read-only (an existing file is left
        untouched); its message is the reason, the caller names the file.
    """
    atomic_write_text(path, model_json(net, task=task, training=training, notes=notes))


# -- reading -------------------------------------------------------------------------------------
class _Checker:
    """Raises ModelFileError for a field of one decoded document, with its line and column."""

    def __init__(self, text: str, where: str) -> None:
        self.text, self.where = text, where

    def fail(self, parts: Sequence[str | int], problem: str) -> ModelFileError:
        line, column = json_location(self.text, parts)
        field = json_path(parts) or None
        return ModelFileError(problem, path=self.where, field=field, line=line, column=column)

    def fields(
        self, parts: list[str | int], value: Any, required: Sequence[str], optional: Sequence[str]
    ) -> dict[str, Any]:
        """``value`` as an object with all ``required`` and no unknown fields."""
        if not isinstance(value, dict):
            raise self.fail(parts, f"expected an object, got {json_kind(value)}")
        for key in value:
            if key not in required and key not in optional:
                allowed = ", ".join((*required, *optional))
                raise self.fail([*parts, key], f"unknown field; expected {allowed}")
        for key in required:
            if key not in value:
                raise self.fail(parts, f'missing field "{key}"')
        return value

    def count(self, parts: list[str | int], value: Any) -> int:
        """A layer size, 1 to ``MAX_LAYER_SIZE``."""
        if type(value) is not int or not 1 <= value <= MAX_LAYER_SIZE:
            raise self.fail(
                parts,
                f"expected a whole number from 1 to {MAX_LAYER_SIZE}, got {json_shown(value)}",
            )
        return value

    def finite(self, parts: list[str | int], value: Any) -> None:
        """Refuse NaN and infinity anywhere in a decoded value (json.loads reads NaN, Infinity
        and 1e400 without complaint; standard JSON has none of them)."""
        if isinstance(value, float) and not math.isfinite(value):
            raise self.fail(
                parts, "NaN, infinity and numbers beyond the float range are not allowed"
            )
        if isinstance(value, dict):
            for key, item in value.items():
                self.finite([*parts, key], item)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                self.finite([*parts, i], item)

    def task(self, task: dict[str, Any]) -> None:
        """Check a "task" entry (module docstring): a built-in task with seed and parameters in
        their bounds, or a source of data named by path."""
        self.finite(["task"], task)
        if "task" not in task:
            for key, kind in SOURCE_FIELDS.items():
                if key in task and not isinstance(task[key], kind):
                    wanted = "a string" if kind is str else "true or false"
                    raise self.fail(["task", key], f"expected {wanted}, got {json_kind(task[key])}")
            return
        name = task["task"]
        if not isinstance(name, str):
            raise self.fail(["task", "task"], f"expected a task name, got {json_kind(name)}")
        seed = task.get("seed", 0)
        if type(seed) is not int or not 0 <= seed <= SEED_MAX:
            problem = f"expected a whole number from 0 to {show_count(SEED_MAX)}"
            raise self.fail(["task", "seed"], f"{problem}, got {json_shown(seed)}")
        params = task.get("params")
        if params is not None and not isinstance(params, dict):
            problem = f"expected an object of task parameters, got {json_kind(params)}"
            raise self.fail(["task", "params"], problem)
        current = FORMER_TASK_NAMES.get(name, name)
        if current not in TASKS:
            return  # a task of another version: kept, its data not regenerated
        for key in task:
            if key not in TASK_FIELDS:
                raise self.fail(["task", key], f"unknown field; expected {', '.join(TASK_FIELDS)}")
        specs = TASKS[current].param_specs
        for key, value in (params or {}).items():
            if key not in specs:
                known = ", ".join(specs) or "none"
                problem = f"task {current!r} has no such parameter; its parameters: {known}"
                raise self.fail(["task", "params", key], problem)
            out_of_bounds = specs[key].problem(value)
            if out_of_bounds is not None:
                raise self.fail(["task", "params", key], out_of_bounds)

    def array(
        self, parts: list[str | int], value: Any, shape: tuple[int, ...], dtype: str
    ) -> NDArray[np.floating]:
        """A finite array of ``shape`` and ``dtype`` from nested lists of numbers."""
        self._nested(parts, value, shape)
        try:
            arr = np.array(value, dtype=np.float64)
        except OverflowError:  # an integer beyond the float range
            index = next(i for i in np.ndindex(*shape) if abs(_item(value, i)) > 1e308)
            raise self.fail([*parts, *index], "number too large for a float") from None
        with np.errstate(over="ignore"):
            cast = arr.astype(dtype)
        bad = np.argwhere(~np.isfinite(cast))
        if bad.size:
            index = tuple(int(i) for i in bad[0])
            problem = (
                "NaN and infinity are not allowed"
                if not np.isfinite(arr[index])
                else f"{float(arr[index])!r} does not fit {dtype}"
            )
            raise self.fail([*parts, *index], problem)
        return cast

    def _nested(self, parts: list[str | int], value: Any, shape: tuple[int, ...]) -> None:
        if not shape:
            if not is_number(value):
                raise self.fail(parts, f"expected a number, got {json_kind(value)}")
            return
        if not isinstance(value, list):
            raise self.fail(parts, f"expected an array of {shape[0]}, got {json_kind(value)}")
        if len(value) != shape[0]:
            what = ("number" if len(shape) == 1 else "row") + "s"[: len(value) != 1]
            raise self.fail(parts, f"has {len(value)} {what}, expected {shape[0]}")
        if len(shape) == 1 and all(map(is_number, value)):
            return  # fast path for a row of numbers
        for i, item in enumerate(value):
            self._nested([*parts, i], item, shape[1:])


def _current_task_name(task: dict[str, Any] | None) -> dict[str, Any] | None:
    """``task`` with a former built-in task name replaced by the current one."""
    if task is None:
        return None
    name = task.get("task")
    if not isinstance(name, str) or name not in FORMER_TASK_NAMES:
        return task
    return {**task, "task": FORMER_TASK_NAMES[name]}


def _item(value: Any, index: tuple[int, ...]) -> Any:
    for i in index:
        value = value[i]
    return value


def load_model(path: PathArg) -> ModelFile:
    """Load and validate a model file written by :func:`save_model`.

    Raises
    ------
    ModelFileError
        For a missing, unreadable, oversized or non-UTF-8 file, malformed JSON, or any field of
        the wrong type, value or shape; the message names the file, the line, the field and the
        problem.
    """
    return model_from_text(read_text_file(path, ModelFileError), os.fspath(path))


def model_from_text(text: str, where: str) -> ModelFile:
    """Validate the text of a model file (what :func:`load_model` reads); errors name ``where``.

    Raises :class:`ModelFileError` as :func:`load_model` does.
    """
    check = _Checker(text, where)
    doc = check.fields([], parse_json(text, where, ModelFileError), _REQUIRED, _OPTIONAL)
    if doc["format"] != MODEL_FORMAT:
        got = json_shown(doc["format"])
        raise check.fail(["format"], f"expected {MODEL_FORMAT!r}, got {got}")
    version = doc["version"]
    if type(version) is not int or version != MODEL_VERSION:
        newer = is_number(version) and version > MODEL_VERSION
        hint = "; the file is from a newer Unfold" if newer else ""
        got = json_shown(version)
        raise check.fail(["version"], f"expected {MODEL_VERSION}, got {got}{hint}")

    network = _network_kind(check, doc["config"])
    if network == "tdl":
        net: SRN | TDL = _load_tdl(check, doc, where)
    else:
        net = _load_srn(check, doc, where)
    for key, kind in (("task", dict), ("training", dict), ("notes", str)):
        value = doc.get(key)
        if value is not None and not isinstance(value, kind):
            wanted = "an object" if kind is dict else "a string"
            raise check.fail([key], f"expected {wanted} or null, got {json_kind(value)}")
    if doc.get("task") is not None:
        check.task(doc["task"])
    check.finite(["training"], doc.get("training"))
    return ModelFile(
        net=net,
        task=_current_task_name(doc.get("task")),
        training=doc.get("training"),
        notes=doc.get("notes"),
        version=version,
    )


def _network_kind(check: _Checker, config: Any) -> str:
    """The config's "network" field, "srn" when it is left out."""
    if not isinstance(config, dict):
        raise check.fail(["config"], f"expected an object, got {json_kind(config)}")
    network = config.get("network", "srn")
    if network not in NETWORKS:
        problem = f"expected one of {', '.join(NETWORKS)}, got {json_shown(network)}"
        raise check.fail(["config", "network"], problem)
    return str(network)


def _layer_sizes_and_functions(check: _Checker, config: dict[str, Any]) -> tuple[int, int, int]:
    """I, H, O within their bounds, after checking the activation, output and dtype fields."""
    I, H, O = (check.count(["config", k], config[k]) for k in ("n_in", "n_hidden", "n_out"))
    for key, allowed in (("hidden", HIDDEN_ACTIVATIONS), ("output", OUTPUT_FUNCTIONS)):
        if config[key] not in allowed:
            problem = f"expected one of {', '.join(allowed)}, got {json_shown(config[key])}"
            raise check.fail(["config", key], problem)
    if config["dtype"] not in DTYPES:
        problem = f"expected one of {', '.join(DTYPES)}, got {json_shown(config['dtype'])}"
        raise check.fail(["config", "dtype"], problem)
    return I, H, O


def _load_tdl(check: _Checker, doc: dict[str, Any], where: str) -> TDL:
    """The tapped delay line of a file whose config says "network": "tdl"."""
    config = check.fields(["config"], doc["config"], TDL_CONFIG_FIELDS, ())
    window = config["window"]
    if type(window) is not int or not 0 <= window <= MAX_WINDOW:
        problem = f"expected a whole number from 0 to {MAX_WINDOW}, got {json_shown(window)}"
        raise check.fail(["config", "window"], problem)
    I, H, O = _layer_sizes_and_functions(check, config)
    shapes = {"U": (H, (window + 1) * I), "V": (O, H), "b": (H,), "c": (O,)}
    weights = check.fields(["weights"], doc["weights"], tuple(TDL_WEIGHT_NAMES), ())
    arrays = {
        attr: check.array(["weights", name], weights[name], shapes[attr], config["dtype"])
        for name, attr in TDL_WEIGHT_NAMES.items()
    }
    try:
        return TDL(**arrays, window=window, hidden=config["hidden"], output=config["output"])
    except ValueError as exc:  # not reached after the checks above; kept as a guarantee
        raise ModelFileError(str(exc), path=where) from None


def _load_srn(check: _Checker, doc: dict[str, Any], where: str) -> SRN:
    """The Elman or Jordan network of a file."""
    config = check.fields(["config"], doc["config"], CONFIG_FIELDS, OPTIONAL_CONFIG)
    I, H, O = (check.count(["config", k], config[k]) for k in ("n_in", "n_hidden", "n_out"))
    for key, allowed in (("hidden", HIDDEN_ACTIVATIONS), ("output", OUTPUT_FUNCTIONS)):
        if config[key] not in allowed:
            problem = f"expected one of {', '.join(allowed)}, got {json_shown(config[key])}"
            raise check.fail(["config", key], problem)
    if not isinstance(config["train_h0"], bool):
        got = json_kind(config["train_h0"])
        raise check.fail(["config", "train_h0"], f"expected true or false, got {got}")
    context = config.get("context", "hidden")
    if context not in CONTEXTS:
        problem = f"expected one of {', '.join(CONTEXTS)}, got {json_shown(context)}"
        raise check.fail(["config", "context"], problem)
    if config["dtype"] not in DTYPES:
        problem = f"expected one of {', '.join(DTYPES)}, got {json_shown(config['dtype'])}"
        raise check.fail(["config", "dtype"], problem)

    C = H if context == "hidden" else O
    shapes = {"U": (H, I), "W": (H, C), "V": (O, H), "b": (H,), "c": (O,), "h0": (C,)}
    names = weight_names(context)
    weights = check.fields(["weights"], doc["weights"], tuple(names), ())
    arrays = {
        attr: check.array(["weights", name], weights[name], shapes[attr], config["dtype"])
        for name, attr in names.items()
    }
    try:
        return SRN(
            U=arrays["U"],
            W=arrays["W"],
            V=arrays["V"],
            b=arrays["b"],
            c=arrays["c"],
            h0=arrays["h0"],
            hidden=config["hidden"],
            output=config["output"],
            train_h0=config["train_h0"],
            context=context,
        )
    except ValueError as exc:  # not reached after the checks above; kept as a guarantee
        raise ModelFileError(str(exc), path=where) from None


# -- the data a model names, and telling models from sequence files ------------------------------
def model_data(model: ModelFile, path: PathArg) -> tuple[Dataset, dict[str, Any]] | None:
    """The data set the "task" entry of the model file at ``path`` names, with the entry.

    A built-in task is regenerated from its seed and parameters; a data file ("file", or "data"
    as ``unfold train`` writes it) is read. None when the entry names no data that can be had:
    no entry, a task this version does not know, a data file that no longer exists.

    Raises
    ------
    ModelFileError
        Naming the model file and the field - and the data file, for one - when the data cannot
        be made or read, or does not fit the network (inputs and targets against I and O).
    """
    task, net, where = model.task, model.net, os.fspath(path)
    if not task:
        return None
    name = task.get("task")
    if isinstance(name, str):
        if name not in TASKS:
            return None
        try:
            dataset = make_task(name, task.get("seed", 0), **(task.get("params") or {}))
        except ValueError as exc:
            raise ModelFileError(str(exc), path=where, field="task") from None
        what, field = f"the data of task {name!r}", "task"
    else:
        key = next((k for k in ("file", "data") if isinstance(task.get(k), str)), None)
        if key is None:
            return None
        data_path = os.path.join(os.path.dirname(os.path.abspath(where)), task[key])
        if file_problem(data_path) == "no such file":
            return None
        try:
            dataset = loaders.load_dataset(data_path)
        except DatasetError as exc:
            problem = f"the data file cannot be read: {exc}"
            raise ModelFileError(problem, path=where, field=f"task.{key}") from None
        what, field = data_path, f"task.{key}"
    if (dataset.n_in, dataset.n_out) != (net.n_in, net.n_out):
        problem = (
            f"{what} has {_units(dataset.n_in, 'input')} and {_units(dataset.n_out, 'target')}, "
            f"but the network in {where} has {_units(net.n_in, 'input')} and "
            f"{_units(net.n_out, 'output')}"
        )
        raise ModelFileError(problem, path=where, field=field)
    return dataset, dict(task)


def _units(n: int, unit: str) -> str:
    return f"{n} {unit}{'' if n == 1 else 's'}"


#: how much of an oversized file is searched for the model format (the loader refuses the rest)
_SNIFF_BYTES = 64 * 1024
_FORMAT_FIELD = re.compile(r'"format"\s*:\s*"unfold-model"')


def is_model_file(path: PathArg) -> bool:
    """Whether ``path`` holds an Unfold model rather than a sequence file.

    A model is a JSON object whose top-level "format" is "unfold-model", wherever that member is
    in the file: the top-level members are skipped one by one until "format" is found. A file
    that is not valid JSON is a model when such a "format" member appears anywhere in it (so that
    the model loader reports its error); files over ``MAX_FILE_BYTES`` are searched in their
    first 64 KB only. Unreadable files and files of other kinds are not models.
    """
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            return False
        with open(path, "rb") as f:
            data = f.read(_SNIFF_BYTES)
            if not data.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"{"):
                return False  # a CSV or a text file is not read any further
            if info.st_size <= loaders.MAX_FILE_BYTES:
                data += f.read(loaders.MAX_FILE_BYTES)
    except (OSError, ValueError):
        return False
    text = data.decode("utf-8", errors="replace").removeprefix("\ufeff")
    try:
        return _top_level_member(text, "format") == MODEL_FORMAT
    except (ValueError, IndexError, RecursionError):
        return _FORMAT_FIELD.search(text) is not None


def _top_level_member(text: str, key: str) -> Any:
    """The value of member ``key`` of the JSON object ``text`` (None when absent), decoding only
    the members' names and the wanted value (the others are skipped by the C scanner)."""
    decoder = json.JSONDecoder()
    ws = re.compile(r"[ \t\n\r]*")

    def skip(pos: int) -> int:
        return ws.match(text, pos).end()  # type: ignore[union-attr]

    pos = skip(skip(0) + 1)  # after "{"
    if text[pos] == "}":
        return None
    while True:
        name, pos = decoder.raw_decode(text, pos)
        pos = skip(pos)
        if text[pos] != ":":
            raise ValueError("expected ':'")
        value, pos = decoder.raw_decode(text, skip(pos + 1))
        if name == key:
            return value
        pos = skip(pos)
        if text[pos] == "}":
            return None
        if text[pos] != ",":
            raise ValueError("expected ',' or '}'")
        pos = skip(pos + 1)


# -- trace export --------------------------------------------------------------------------------
def trace_csv_header(
    trace: Trace,
    input_names: Sequence[str] | None = None,
    output_names: Sequence[str] | None = None,
) -> list[str]:
    """Column names: t, x[.], h[j], a[j], y[.], d[.], L, delta_o[.], delta_h[j].

    ``[.]`` is the unit name when names are given, else the unit's number; units are numbered
    from 1 as on screen (``h[1]`` is the first hidden unit, the window's h1).
    """
    net = trace.net
    ins = list(input_names) if input_names is not None else _numbers_from_1(net.n_in)
    outs = list(output_names) if output_names is not None else _numbers_from_1(net.n_out)
    if len(ins) != net.n_in or len(outs) != net.n_out:
        raise ValueError(
            f"got {len(ins)} input and {len(outs)} output names for a network with "
            f"{net.n_in} inputs and {net.n_out} outputs"
        )
    hidden = _numbers_from_1(net.n_hidden)

    def cols(prefix: str, names: list[str]) -> list[str]:
        return [f"{prefix}[{n}]" for n in names]

    return [
        "t",
        *cols("x", ins),
        *cols("h", hidden),
        *cols("a", hidden),
        *cols("y", outs),
        *cols("d", outs),
        "L",
        *cols("delta_o", outs),
        *cols("delta_h", hidden),
    ]


def _numbers_from_1(n: int) -> list[str]:
    """The numbers of n units as the user reads them: "1" .. "n"."""
    return [str(k) for k in range(1, n + 1)]


def export_trace_csv(
    path: PathArg,
    trace: Trace,
    input_names: Sequence[str] | None = None,
    output_names: Sequence[str] | None = None,
) -> None:
    """Write one CSV row per time step t = 1..T of a single-sequence trace, atomically.

    Row t holds x(t), h(t), a(t), y(t), d(t), L(t), delta_o(t) and delta_h(t) (header from
    :func:`trace_csv_header`), each number the shortest decimal that reads back exactly.

    Raises
    ------
    ValueError
        For a batched trace (export ``trace.select(i)``) or names that do not match the units.
    FileWriteError
        An OSError, when the file cannot be written or is read-only (an existing file is left
        untouched).
    """
    if trace.batched:
        raise ValueError("export one sequence of a batched trace: trace.select(i)")
    header = trace_csv_header(trace, input_names, output_names)
    columns = np.concatenate(
        [
            trace.x[:, : trace.net.n_in],  # x(t) (a tapped delay line's buffer holds more)
            trace.h[1:],
            trace.a,
            trace.y,
            trace.d,
            trace.loss_t[:, None],
            trace.delta_o,
            trace.delta_h,
        ],
        axis=1,
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for t, row in enumerate(columns, start=1):
        writer.writerow([str(t), *_numbers(row).split(", ")])
    atomic_write_text(path, buffer.getvalue())
