"""Guided lessons: a network, its data, a notation and steps that move the whole window.

A lesson is a plain JSON file a teacher can write in any editor (the shipped ones are in
``resources/lessons/``). Every field is checked when the file is opened; a bad one is refused
with a :class:`LessonError` naming the file, the step (1-based) and the field, before anything
is changed. The format, version 1::

    {
      "format": "unfold-lesson", "version": 1,
      "title": "One forward and backward sweep",          # 1..120 characters
      "summary": "...", "sources": ["Goodfellow et al. 2016, Deep Learning §10.2.2"],
      "notation": "deep-learning",                         # a key of core.notation.NOTATIONS
      "network": NETWORK, "data": DATA,
      "steps": [STEP, ...]                                 # 1..MAX_LESSON_STEPS
    }

NETWORK is one of::

    {"kind": "example"}                                    # the built-in tanh/softmax network
    {"kind": "random", "hidden_units": 4, "hidden": "tanh", "seed": 0, "context": "hidden"}
    {"kind": "weights", "U": [[..]], "W": [[..]], "V": [[..]], "b": [..], "c": [..],
     "h0": [..], "hidden": "logistic", "context": "hidden"}

(a random network is shaped for the data; its output function is the data's). DATA is one of::

    {"kind": "example"}                                    # the built-in one-hot sequence
    {"kind": "task", "task": "temporal-xor", "seed": 0, "params": {...}}    # core.tasks
    {"kind": "sequences", "output": "linear", "sequences": [{"x": [[..]], "d": [[..]]}]}

A STEP has a ``text`` (1..MAX_TEXT characters, with live numbers, see :mod:`core.lesson_text`)
and any of these actions, applied in this order before the text is shown::

    "reset": true                      back to the lesson's starting network (before training)
    "output": "logistic"               the same weights with another output function and its
                                       matched loss (Bodén 2001 §3): linear, logistic, softmax
    "context": "target"                a Jordan network with teacher forcing ("output": without)
    "sequence": 2                      show sequence 2 of the data (1-based)
    "truncation": "full" | {"k": 1, "mode": "sliding"}     (mode "sliding" or "chunked")
    "train": {"epochs": 50, "lr": 0.1, "momentum": 0.9, "update": "sequence", "seed": 0}
                                       train 1..MAX_LESSON_EPOCHS epochs, with the step's
                                       truncation; defaults are the task's recommended settings
    "notation": "boden"
    "cursor": "start" | "end" | "forward 3" | "backward 2"
    "select": {"node": "h", "t": 2, "unit": 1} | {"edge": "W", "t": 2, "row": 1, "col": 2}
            | {"cell": "W", "row": 1, "col": 2} | null          (units, rows, columns 1-based)
    "predict": "dh[1](2)"              the quantity predict mode asks for at this step
    "show": "flow"                     raise a dock of the window, by its name in
                                       :data:`DOCK_NAMES` (the window's dock registry)

A step leaves unchanged what it does not set, so a lesson reads as a sequence of moves.
:func:`walk` plays a lesson headlessly (training with :func:`core.training.train`) and gives the
:class:`LessonState` of every step, the same states the lesson panel shows.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from core import lesson_text
from core.bptt import bptt
from core.cursor import position_of
from core.data import Dataset, Sequence
from core.examples import example_dataset, example_network
from core.explain import is_valid
from core.functions import HIDDEN_ACTIVATIONS, OUTPUT_FUNCTIONS
from core.limits import MAX_FILE_BYTES, MAX_LAYER_SIZE, MAX_STEPS, SEED_MAX, show_bytes
from core.model import CONTEXTS, SRN
from core.notation import NOTATIONS
from core.selection import Selection
from core.tasks import TASKS, make_task
from core.tdl import TDL
from core.trace import Trace
from core.training import TrainConfig, train
from core.truncation import TRUNCATION_MODES

LESSON_FORMAT = "unfold-lesson"
LESSON_VERSION = 1
#: the most steps a lesson may have
MAX_LESSON_STEPS = 200
#: the most epochs one step may train (seconds for the shipped tasks, in the worker)
MAX_LESSON_EPOCHS = 5000
#: the longest text of a step, in characters (a step is read in about ten seconds)
MAX_TEXT = 2000
#: the docks a step may raise with "show": the names of the window's dock registry
#: (``gui.docks.registry.DockId`` values; a GUI test keeps the two lists equal, so the core
#: can check a lesson without importing Qt)
DOCK_NAMES = (
    "activations",
    "deltas",
    "gradients",
    "loss",
    "inspector",
    "task",
    "network",
    "training",
    "state_space",
    "flow",
    "gradcheck",
    "weights",
    "lesson",
    "rtrl",
    "spectral",
)
#: where the shipped lessons are
LESSONS_DIR = Path(__file__).resolve().parents[1] / "resources" / "lessons"

_TOP = ("format", "version", "title", "summary", "sources", "notation", "network", "data", "steps")
_STEP_FIELDS = (
    "text",
    "reset",
    "output",
    "context",
    "sequence",
    "truncation",
    "train",
    "notation",
    "cursor",
    "select",
    "predict",
    "show",
)
_TRAIN_FIELDS = ("epochs", "lr", "momentum", "update", "clip", "seed")
_CURSOR = re.compile(r"^\s*(start|end|forward\s+(\d{1,6})|backward\s+(\d{1,6}))\s*$")


class LessonError(ValueError):
    """A lesson file that cannot be used: ``FILE, step 3, field 'cursor': problem``.

    Attributes ``path``, ``step`` (1-based, None for the lesson's header) and ``field``.
    """

    def __init__(self, path: str, step: int | None, field: str | None, problem: str) -> None:
        self.path, self.step, self.field, self.problem = path, step, field, problem
        where = [path]
        if step is not None:
            where.append(f"step {step}")
        if field is not None:
            where.append(f"field '{field}'")
        super().__init__(f"{', '.join(where)}: {problem}")


@dataclass(frozen=True, slots=True)
class LessonStep:
    """One step, validated: ``None`` for what the step leaves as it is.

    cursor : ("start" | "end" | "forward" | "backward", t).  truncation : ("full", None) or
    (mode, k).  select : a Selection, or ``CLEAR`` to clear it.  train : TrainConfig overrides.
    """

    text: str
    reset: bool = False
    output: str | None = None
    context: str | None = None
    sequence: int | None = None
    truncation: tuple[str, int | None] | None = None
    train: dict[str, Any] | None = None
    notation: str | None = None
    cursor: tuple[str, int] | None = None
    select: Selection | str | None = None
    predict: str | None = None
    show: str | None = None


#: the value of ``LessonStep.select`` that clears the selection
CLEAR = "clear"


@dataclass(frozen=True, slots=True, eq=False)
class Lesson:
    """A validated lesson: its network, its data and its steps."""

    title: str
    summary: str
    sources: tuple[str, ...]
    notation: str
    net: SRN
    dataset: Dataset
    steps: tuple[LessonStep, ...]
    path: str = ""
    task: dict[str, Any] | None = field(default=None)

    def __len__(self) -> int:
        return len(self.steps)


@dataclass(frozen=True, slots=True, eq=False)
class LessonState:
    """What the window shows at one step: a pure value, so that going back is exact."""

    net: SRN
    sequence: int
    truncation: int | None
    mode: str
    notation: str
    position: int
    selection: Selection | None

    def trace(self, dataset: Dataset) -> Trace:
        seq = dataset.sequences[self.sequence]
        return bptt(self.net, seq.x, seq.d, truncation=self.truncation, mode=self.mode)


# -- reading ------------------------------------------------------------------------------------
def shipped_lessons() -> list[Path]:
    """The lesson files shipped with Unfold, in the order of their names."""
    return sorted(LESSONS_DIR.glob("*.json"))


def find_lesson(name: str | Path) -> Path:
    """The lesson file ``name`` stands for: an existing file, or a shipped lesson by its file
    name (``05_vanishing_delayed_recall``, with or without ``.json``), by that name without its
    number (``vanishing_delayed_recall``) or by its number (``5``). LessonError otherwise,
    listing the shipped lessons."""
    path = Path(name)
    if path.is_file():
        return path
    wanted = path.name.removesuffix(".json").lower()
    for shipped in shipped_lessons():
        number, _, rest = shipped.stem.partition("_")
        if wanted == shipped.stem.lower() or wanted == rest.lower():
            return shipped
        if wanted.isdigit() and number.isdigit() and int(wanted) == int(number):
            return shipped
    if path.exists():
        raise LessonError(str(name), None, None, "is not a file")
    names = ", ".join(p.stem for p in shipped_lessons())
    raise LessonError(
        str(name), None, None, f"is neither a lesson file nor a shipped lesson ({names})"
    )


def load_lesson(path: str | Path) -> Lesson:
    """Read and validate a lesson file; LessonError names the file, step and field."""
    name = str(path)
    try:
        size = Path(path).stat().st_size
        if size > MAX_FILE_BYTES:
            raise LessonError(name, None, None, f"is {show_bytes(size)}, more than the limit")
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise LessonError(name, None, None, exc.strerror or str(exc)) from exc
    except UnicodeDecodeError as exc:
        raise LessonError(name, None, None, f"is not UTF-8 text ({exc.reason})") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LessonError(f"{name}, line {exc.lineno}", None, None, exc.msg) from exc
    return parse_lesson(data, name)


def parse_lesson(data: Any, path: str = "<lesson>") -> Lesson:
    """Validate a lesson given as parsed JSON (see the module docstring)."""
    r = _Reader(path)
    if not isinstance(data, dict):
        raise r.fail(None, "a lesson file holds one JSON object")
    unknown = sorted(set(data) - set(_TOP))
    if unknown:
        raise r.fail(unknown[0], f"is not a lesson field; the fields are {', '.join(_TOP)}")
    if data.get("format") != LESSON_FORMAT:
        raise r.fail("format", f'must be "{LESSON_FORMAT}", got {data.get("format")!r}')
    if data.get("version") != LESSON_VERSION:
        raise r.fail("version", f"must be {LESSON_VERSION}, got {data.get('version')!r}")
    title = r.text(data, "title", 120)
    summary = r.text(data, "summary", MAX_TEXT, required=False)
    sources = r.strings(data, "sources")
    notation = r.choice(data, "notation", tuple(NOTATIONS))
    dataset, task = r.data(data.get("data"))
    net = r.network(data.get("network"), dataset)
    steps = data.get("steps")
    if not isinstance(steps, list) or not 1 <= len(steps) <= MAX_LESSON_STEPS:
        raise r.fail("steps", f"must be a list of 1 to {MAX_LESSON_STEPS} steps")
    parsed = tuple(_Step(r, i + 1, s, net, dataset).parse() for i, s in enumerate(steps))
    lesson = Lesson(title, summary, sources, notation, net, dataset, parsed, path, task)
    _check_static(lesson, r)
    return lesson


class _Reader:
    """Field checks that raise LessonError naming the file, the step and the field."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.step: int | None = None

    def fail(self, name: str | None, problem: str) -> LessonError:
        return LessonError(self.path, self.step, name, problem)

    def text(self, obj: dict[str, Any], name: str, longest: int, required: bool = True) -> str:
        value = obj.get(name, None if required else "")
        if not isinstance(value, str) or (required and not value.strip()):
            raise self.fail(name, "must be a text (a JSON string)")
        if len(value) > longest:
            raise self.fail(name, f"has {len(value)} characters, more than {longest}")
        return value

    def strings(self, obj: dict[str, Any], name: str) -> tuple[str, ...]:
        value = obj.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(name, "must be a list of texts")
        if len(value) > 20:
            raise self.fail(name, "has more than 20 entries")
        return tuple(value)

    def choice(self, obj: dict[str, Any], name: str, choices: tuple[str, ...]) -> str:
        value = obj.get(name)
        if value not in choices:
            raise self.fail(name, f"must be one of {', '.join(choices)}, got {value!r}")
        return str(value)

    def integer(self, obj: dict[str, Any], name: str, low: int, high: int, default: Any) -> int:
        value = obj.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self.fail(name, f"must be a whole number from {low} to {high}, got {value!r}")
        return value

    def number(self, obj: dict[str, Any], name: str, low: float, high: float) -> float:
        value = obj.get(name)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(name, f"must be a number from {low:g} to {high:g}, got {value!r}")
        if not math.isfinite(value) or not low <= value <= high:
            raise self.fail(name, f"must be a number from {low:g} to {high:g}, got {value!r}")
        return float(value)

    def only(self, obj: Any, name: str, allowed: tuple[str, ...]) -> dict[str, Any]:
        if not isinstance(obj, dict):
            raise self.fail(name or None, "must be a JSON object")
        unknown = sorted(set(obj) - set(allowed))
        if unknown:
            where = f"{name}.{unknown[0]}" if name else unknown[0]
            raise self.fail(where, f"is unknown; expected {', '.join(allowed)}")
        return obj

    def matrix(self, obj: dict[str, Any], name: str, ndim: int) -> np.ndarray:
        value = obj.get(name)
        try:
            arr = np.array(value, dtype=np.float64)
        except (TypeError, ValueError):
            raise self.fail(f"network.{name}", "must hold numbers only") from None
        if arr.ndim != ndim or arr.size == 0 or max(arr.shape) > MAX_LAYER_SIZE:
            shape = "a list of equally long rows" if ndim == 2 else "a list of numbers"
            raise self.fail(f"network.{name}", f"must be {shape}, 1 to {MAX_LAYER_SIZE} long")
        if not np.isfinite(arr).all():
            raise self.fail(f"network.{name}", "holds a value that is not a finite number")
        return arr

    def data(self, obj: Any) -> tuple[Dataset, dict[str, Any] | None]:
        kinds = ("example", "task", "sequences")
        spec = self.only(obj, "data", ("kind", "task", "seed", "params", "output", "sequences"))
        kind = spec.get("kind")
        if kind not in kinds:
            raise self.fail("data.kind", f"must be one of {', '.join(kinds)}, got {kind!r}")
        if kind == "example":
            return example_dataset(), None
        if kind == "task":
            name = spec.get("task")
            if name not in TASKS:
                raise self.fail("data.task", f"must be one of {', '.join(TASKS)}, got {name!r}")
            seed = self.integer(spec, "seed", 0, SEED_MAX, 0)
            params = spec.get("params", {})
            if not isinstance(params, dict):
                raise self.fail("data.params", "must be a JSON object")
            try:
                dataset = make_task(str(name), seed, **params)
            except ValueError as exc:
                raise self.fail("data.params", str(exc)) from None
            return dataset, {"task": name, "seed": seed, "params": dict(params)}
        output = spec.get("output", "linear")
        if output not in OUTPUT_FUNCTIONS:
            raise self.fail("data.output", f"must be one of {', '.join(OUTPUT_FUNCTIONS)}")
        raw = spec.get("sequences")
        if not isinstance(raw, list) or not 1 <= len(raw) <= 100:
            raise self.fail("data.sequences", "must be a list of 1 to 100 sequences")
        sequences = []
        for i, s in enumerate(raw):
            where = f"data.sequences[{i + 1}]"
            try:
                x, d = np.array(s["x"], np.float64), np.array(s["d"], np.float64)
                if x.ndim != 2 or d.ndim != 2 or x.shape[0] > MAX_STEPS:
                    raise ValueError(f"x and d must be lists of rows, at most {MAX_STEPS} steps")
                sequences.append(Sequence(x, d))
            except (KeyError, TypeError, ValueError) as exc:
                raise self.fail(where, f"needs x and d, lists of number rows ({exc})") from None
        n_in, n_out = sequences[0].x.shape[1], sequences[0].d.shape[1]
        try:
            dataset = Dataset(
                name="lesson sequences",
                sequences=tuple(sequences),
                input_names=tuple(f"x{i + 1}" for i in range(n_in)),
                output_names=tuple(f"y{i + 1}" for i in range(n_out)),
                output=str(output),
            )
        except ValueError as exc:
            raise self.fail("data.sequences", str(exc)) from None
        return dataset, None

    def network(self, obj: Any, dataset: Dataset) -> SRN:
        allowed = ("kind", "hidden_units", "hidden", "seed", "context", "U", "W", "V", "b", "c")
        spec = self.only(obj, "network", (*allowed, "h0"))
        kind = spec.get("kind")
        if kind not in ("example", "random", "weights"):
            raise self.fail("network.kind", f"must be example, random or weights, got {kind!r}")
        if kind == "example":
            net = example_network()
        else:
            hidden = spec.get("hidden", "tanh")
            if hidden not in HIDDEN_ACTIVATIONS:
                raise self.fail("network.hidden", f"must be one of {', '.join(HIDDEN_ACTIVATIONS)}")
            context = spec.get("context", "hidden")
            if context not in CONTEXTS:
                raise self.fail("network.context", f"must be one of {', '.join(CONTEXTS)}")
            if kind == "random":
                n = self.integer(spec, "hidden_units", 1, MAX_LAYER_SIZE, None)
                seed = self.integer(spec, "seed", 0, SEED_MAX, 0)
                net = SRN.init(
                    dataset.n_in, n, dataset.n_out, hidden=hidden, output=dataset.output,
                    seed=seed, context=context,
                )  # fmt: skip
            else:
                arrays = {p: self.matrix(spec, p, 2) for p in ("U", "W", "V")}
                arrays |= {p: self.matrix(spec, p, 1) for p in ("b", "c", "h0")}
                try:
                    net = SRN(**arrays, hidden=hidden, output=dataset.output, context=context)  # type: ignore[arg-type]
                except ValueError as exc:
                    raise self.fail("network", str(exc)) from None
        if (net.n_in, net.n_out) != (dataset.n_in, dataset.n_out):
            raise self.fail(
                "network",
                f"has {net.n_in} inputs and {net.n_out} outputs; "
                f"the data has {dataset.n_in} and {dataset.n_out}",
            )
        if net.output != dataset.output:
            raise self.fail("network", f"output {net.output} does not suit {dataset.output} data")
        return net


class _Step:
    """Parse one step's fields with the reader's file name and this step's number."""

    def __init__(self, reader: _Reader, number: int, raw: Any, net: SRN, data: Dataset) -> None:
        self.r, self.raw, self.net, self.data = reader, raw, net, data
        reader.step = number

    def parse(self) -> LessonStep:
        r, raw = self.r, self.r.only(self.raw, "", _STEP_FIELDS)
        out = LessonStep(text=r.text(raw, "text", MAX_TEXT))
        try:
            lesson_text.placeholders(out.text)
        except lesson_text.PlaceholderError as exc:
            raise r.fail("text", str(exc)) from None
        if "reset" in raw:
            if raw["reset"] is not True:
                raise r.fail("reset", "must be true (back to the lesson's starting network)")
            out = replace(out, reset=True)
        if "output" in raw:
            out = replace(out, output=r.choice(raw, "output", OUTPUT_FUNCTIONS))
        if "context" in raw:
            if not self.net.jordan:
                raise r.fail("context", "switches a Jordan network only (output or target)")
            out = replace(out, context=r.choice(raw, "context", ("output", "target")))
        if "sequence" in raw:
            out = replace(out, sequence=r.integer(raw, "sequence", 1, len(self.data), None) - 1)
        if "truncation" in raw:
            out = replace(out, truncation=self.truncation(raw["truncation"]))
        if "train" in raw:
            out = replace(out, train=self.train(raw["train"]))
        if "notation" in raw:
            out = replace(out, notation=r.choice(raw, "notation", tuple(NOTATIONS)))
        if "cursor" in raw:
            out = replace(out, cursor=self.cursor(raw["cursor"]))
        if "select" in raw:
            out = replace(out, select=self.select(raw["select"]))
        if "predict" in raw:
            text = r.text(raw, "predict", 60)
            try:
                q = lesson_text.parse(text)
            except lesson_text.PlaceholderError as exc:
                raise r.fail("predict", str(exc)) from None
            if q.kind not in ("step", "grad"):
                raise r.fail("predict", "must name an activation, a delta or a gradient entry")
            out = replace(out, predict=text)
        if "show" in raw:
            out = replace(out, show=r.choice(raw, "show", DOCK_NAMES))
        return out

    def truncation(self, value: Any) -> tuple[str, int | None]:
        if value == "full":
            return ("full", None)
        spec = self.r.only(value, "truncation", ("k", "mode"))
        k = self.r.integer(spec, "k", 1, MAX_STEPS, None)
        mode = spec.get("mode", "sliding")
        if mode not in TRUNCATION_MODES:
            raise self.r.fail("truncation.mode", f"must be {' or '.join(TRUNCATION_MODES)}")
        return (str(mode), k)

    def train(self, value: Any) -> dict[str, Any]:
        spec = self.r.only(value, "train", _TRAIN_FIELDS)
        out: dict[str, Any] = {"epochs": self.r.integer(spec, "epochs", 1, MAX_LESSON_EPOCHS, 0)}
        if "lr" in spec:
            out["lr"] = self.r.number(spec, "lr", 1e-6, 10.0)
        if "momentum" in spec:
            out["momentum"] = self.r.number(spec, "momentum", 0.0, 0.99)
        if "clip" in spec:
            out["clip"] = self.r.number(spec, "clip", 1e-6, 1e6)
        if "update" in spec:
            out["update"] = self.r.choice(spec, "update", ("sequence", "epoch"))
        if "seed" in spec:
            out["seed"] = self.r.integer(spec, "seed", 0, SEED_MAX, 0)
        return out

    def cursor(self, value: Any) -> tuple[str, int]:
        m = _CURSOR.match(value) if isinstance(value, str) else None
        if m is None:
            raise self.r.fail(
                "cursor", f'must be "start", "end", "forward t" or "backward t", got {value!r}'
            )
        word = m.group(1).split()[0]
        t = int(m.group(2) or m.group(3) or 0)
        if word in ("forward", "backward") and t < 1:
            raise self.r.fail("cursor", "the step t counts from 1")
        return (word, t)

    def select(self, value: Any) -> Selection | str:
        if value is None:
            return CLEAR
        kinds = [k for k in ("node", "edge", "cell") if isinstance(value, dict) and k in value]
        if len(kinds) != 1:
            raise self.r.fail("select", 'must name one "node", "edge" or "cell" (or be null)')
        kind = kinds[0]
        spec = self.r.only(value, "select", (kind, "t", "unit", "row", "col"))
        layer = spec[kind]
        layers = {"node": ("x", "h", "y", "L"), "edge": ("U", "W", "V")}
        layers["cell"] = ("U", "W", "V", "b", "c", "h0")
        if layer not in layers[kind]:
            raise self.r.fail(f"select.{kind}", f"must be one of {', '.join(layers[kind])}")
        t = self.r.integer(spec, "t", 0, MAX_STEPS, 0)
        index = {n: self.r.integer(spec, n, 1, MAX_LAYER_SIZE, 1) - 1 for n in ("row", "col")}
        unit = self.r.integer(spec, "unit", 1, MAX_LAYER_SIZE, 1) - 1
        unit = unit if kind == "node" else 0
        return Selection(kind, layer, t=t, unit=unit, **index)  # type: ignore[arg-type]


def _check_static(lesson: Lesson, r: _Reader) -> None:
    """Check every index against the network and the sequence each step shows (no training
    needed: training changes the weights, never the shapes)."""
    sequence, probes = 0, {}
    for number, step in enumerate(lesson.steps, start=1):
        r.step = number
        if step.sequence is not None:
            sequence = step.sequence
        if sequence not in probes:  # a trace of the lesson's own network, for its shapes
            seq = lesson.dataset.sequences[sequence]
            probes[sequence] = bptt(lesson.net, seq.x, seq.d)
        probe = probes[sequence]
        T = probe.T
        moves = step.cursor is not None and step.cursor[0] in ("forward", "backward")
        if moves and step.cursor is not None and step.cursor[1] > T:
            raise r.fail("cursor", f"step {step.cursor[1]} is outside 1..{T} of the sequence")
        if isinstance(step.select, Selection) and not is_valid(step.select, probe):
            raise r.fail(
                "select", f"names a unit, step or index this network or its {T} steps lack"
            )
        for field_name, text in (("text", step.text), ("predict", step.predict)):
            if text is None:
                continue
            try:
                if field_name == "text":
                    quantities = lesson_text.placeholders(text)
                else:
                    quantities = [lesson_text.parse(text)]
                for q in quantities:
                    lesson_text.check(q, probe)
            except lesson_text.PlaceholderError as exc:
                raise r.fail(field_name, str(exc)) from None
    r.step = None


# -- playing ------------------------------------------------------------------------------------
def initial_state(lesson: Lesson) -> LessonState:
    """Before the first step: the lesson's network, sequence 1, full BPTT, the cursor at start."""
    return LessonState(lesson.net, 0, None, "sliding", lesson.notation, 0, None)


def train_config(lesson: Lesson, state: LessonState, step: LessonStep) -> TrainConfig:
    """The settings a step trains with: the task's recommended ones (plain defaults for other
    data), overridden by the step's, with the truncation the step shows."""
    overrides = dict(step.train or {})
    overrides |= {"truncation": state.truncation, "mode": state.mode}
    if lesson.task is not None:
        return TASKS[lesson.task["task"]].train_config(**overrides)
    return TrainConfig(**overrides)


def before_training(lesson: Lesson, state: LessonState, index: int) -> LessonState:
    """The state step ``index`` (0-based) trains from: its reset, output function, context,
    sequence and truncation applied to ``state``."""
    step = lesson.steps[index]
    if step.reset:
        state = replace(state, net=lesson.net)
    if step.output is not None:  # the same weights with another output function and its loss
        state = replace(state, net=replace(state.net, output=step.output))
    if step.context is not None:  # a Jordan network with or without teacher forcing
        state = replace(state, net=replace(state.net, context=step.context))
    if step.sequence is not None:
        state = replace(state, sequence=step.sequence, position=0)
    if step.truncation is not None:
        mode, k = step.truncation
        state = replace(state, truncation=k, mode="sliding" if k is None else mode)
    return state


def apply(
    lesson: Lesson, state: LessonState, index: int, trained: SRN | TDL | None = None
) -> LessonState:
    """The state after step ``index`` (0-based) from ``state``; ``trained`` is the network its
    training (from :func:`before_training`'s state) ended on, required when the step trains."""
    step = lesson.steps[index]
    state = before_training(lesson, state, index)
    if step.train is not None:
        if not isinstance(trained, SRN):
            raise ValueError(f"step {index + 1} trains: pass the network its training ended on")
        state = replace(state, net=trained)
    if step.notation is not None:
        state = replace(state, notation=step.notation)
    T = lesson.dataset.sequences[state.sequence].T
    if step.cursor is not None:
        word, t = step.cursor
        k = {"start": 0, "end": 2 * T}.get(word)
        state = replace(state, position=k if k is not None else position_of(T, word, t))  # type: ignore[arg-type]
    if step.select is not None:
        chosen = step.select if isinstance(step.select, Selection) else None
        state = replace(state, selection=chosen)
    return state


def train_headless(lesson: Lesson, state: LessonState, step: LessonStep) -> SRN:
    """Train as the step asks, in this thread, and return the final network."""
    net: SRN | TDL = state.net
    for record in train(net, lesson.dataset, train_config(lesson, state, step)):
        net = record.net
    assert isinstance(net, SRN)  # training gives back the kind of network it was given
    return net


def walk(
    lesson: Lesson, trainer: Callable[[Lesson, LessonState, LessonStep], SRN] = train_headless
) -> Iterator[LessonState]:
    """The state of every step in order, training with ``trainer`` where a step trains."""
    state = initial_state(lesson)
    for index, step in enumerate(lesson.steps):
        start = before_training(lesson, state, index)
        trained = trainer(lesson, start, step) if step.train is not None else None
        state = apply(lesson, state, index, trained)
        yield state


def step_text(lesson: Lesson, index: int, state: LessonState) -> tuple[str, list[Any]]:
    """Step ``index``'s text with its live numbers from ``state``'s trace, and the quoted
    (quantity, value) pairs."""
    trace = state.trace(lesson.dataset)
    return lesson_text.render(lesson.steps[index].text, trace, NOTATIONS[state.notation])
