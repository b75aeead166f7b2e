"""Headless training for scripts: ``unfold train --task temporal-xor --epochs 200 --out xor.json``.

:func:`add_train_parser` adds the ``train`` command to an ``argparse`` sub-parser set and
:func:`run_train` runs it: it builds the data (a built-in task of :mod:`core.tasks`, or a sequence
file read by ``core.loaders.load_dataset``), a fresh network and a ``TrainConfig`` starting from
the task's recommended settings, trains with :func:`core.training.train` printing a progress line
every N epochs to stdout, and saves the network with ``core.modelio.save_model``.

``--algorithm rtrl`` computes the gradient by real-time recurrent learning (Williams & Zipser
1989, :mod:`core.rtrl`) instead of BPTT: the same gradient accumulated forward in time, so the
same seed trains the same network up to rounding, at O(H^4) multiplications per step.

``--seed`` seeds everything: the task's data, the initial weights and the shuffling, so the same
command line trains the same network.

Exit status: 0 when training finished (and the model was saved); 1 when training diverged, was
interrupted, or the model could not be saved (the last finite network is still saved when
``--out`` is given); 2 for a bad option, reported in one line on stderr without a traceback.
``--out`` is checked before training (its folder takes a new file, the file is not read-only);
when saving fails all the same, the network is saved in the system's temporary folder and
stderr says where.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import textwrap
from typing import Any, NoReturn

from core.bptt import TRUNCATION_MODES
from core.data import Dataset
from core.functions import HIDDEN_ACTIVATIONS
from core.limits import (
    MAX_EPOCHS,
    MAX_FILE_BYTES,
    MAX_LAYER_SIZE,
    MAX_STEPS,
    MAX_TEXT_BYTES,
    MAX_WINDOW,
    SEED_MAX,
    show_bytes,
    show_count,
)
from core.model import CONTEXTS, SRN
from core.tasks import TASKS, TaskSpec, make_task
from core.tdl import TDL
from core.training import ALGORITHMS, UPDATES, EpochRecord, TrainConfig, train

PROG = "unfold train"
#: settings for a data file, which has no recommendations of its own
FILE_DEFAULTS: dict[str, Any] = {
    "hidden": "tanh",
    "n_hidden": 10,
    "lr": 0.05,
    "momentum": 0.0,
    "epochs": 100,
    "update": "sequence",
    "truncation": None,
    "mode": "sliding",
    "clip": None,
}


#: the kinds of network ``--network`` builds
NETWORKS = ("srn", "tdl")
#: the window of a tapped delay line when --window is not given
DEFAULT_WINDOW = 3

#: default of --clip and --truncation, whose value None ('none') means something
RECOMMENDED: Any = object()


class UsageError(ValueError):
    """A bad option value; ``run_train`` reports it in one line and returns 2."""


# -- option types (argparse turns their ArgumentTypeError into "argument --x: message") --------
def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return value


def _integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None


def _bounded(value: int, low: int, high: int, below: str) -> int:
    if value < low:
        raise argparse.ArgumentTypeError(f"{below}, got {value}")
    if value > high:
        raise argparse.ArgumentTypeError(f"must be at most {show_count(high)}, got {value}")
    return value


def positive_int(text: str) -> int:
    """1 to MAX_EPOCHS (epochs, --every)."""
    return _bounded(_integer(text), 1, MAX_EPOCHS, "must be at least 1")


def hidden_int(text: str) -> int:
    """1 to MAX_LAYER_SIZE hidden units."""
    return _bounded(_integer(text), 1, MAX_LAYER_SIZE, "must be at least 1")


def steps_int(text: str) -> int:
    """1 to MAX_STEPS (a truncation length)."""
    return _bounded(_integer(text), 1, MAX_STEPS, "must be at least 1")


def window_int(text: str) -> int:
    """0 to MAX_WINDOW: the window of a tapped delay line."""
    return _bounded(_integer(text), 0, MAX_WINDOW, "must be 0 or more")


def seed_int(text: str) -> int:
    """0 to SEED_MAX."""
    return _bounded(_integer(text), 0, SEED_MAX, "must be 0 or more")


def positive_float(text: str) -> float:
    value = _number(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be greater than 0, got {text}")
    return value


def momentum_float(text: str) -> float:
    value = _number(text)
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 0 and below 1, got {text}")
    return value


def clip_value(text: str) -> float | None:
    """A maximum gradient norm > 0, or ``none`` for no clipping."""
    return None if text.lower() == "none" else positive_float(text)


def truncation_value(text: str) -> int | None:
    """k = 1..MAX_STEPS steps, or ``none``/``full`` for full BPTT."""
    return None if text.lower() in ("none", "full") else steps_int(text)


def one_line_errors(parser: argparse.ArgumentParser) -> None:
    """Report usage errors as one ``prog: error: message`` line (exit status 2), no usage dump."""

    def error(message: str) -> NoReturn:
        parser.exit(2, f"{parser.prog}: error: {message}\n")

    parser.error = error  # type: ignore[method-assign]


# -- the parser ---------------------------------------------------------------------------------
def add_train_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``train`` command to ``subparsers`` (from ``ArgumentParser.add_subparsers``).

    Options left out take the task's recommended value (see ``core.tasks.TASKS``), or
    ``FILE_DEFAULTS`` for ``--data``. The parsed namespace has ``run = run_train``.
    """
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "train",
        help="train a network headless and save it",
        description="Train a Simple Recurrent Network by backpropagation through time, "
        "printing progress, and save it as a model file.",
        epilog=textwrap.fill(
            "Unset options take the task's recommended settings. Exit status: 0 done, "
            "1 diverged, interrupted or not saved, 2 bad option."
        )
        + "\n\n"
        + param_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    one_line_errors(parser)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--task", metavar="NAME", choices=list(TASKS), help=f"a built-in task: {', '.join(TASKS)}"
    )
    source.add_argument(
        "--data",
        metavar="FILE",
        help=f"a sequence file (.csv or .json up to {show_bytes(MAX_FILE_BYTES)}, "
        f".txt up to {show_bytes(MAX_TEXT_BYTES)})",
    )
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a task parameter, e.g. --param delay=5 (repeatable; --task only; the parameters "
        "and their bounds are listed below)",
    )
    parser.add_argument(
        "--epochs",
        type=positive_int,
        metavar="N",
        help=f"passes over the data, 1 to {show_count(MAX_EPOCHS)}",
    )
    parser.add_argument(
        "--lr", type=positive_float, metavar="RATE", help="learning rate, a finite number > 0"
    )
    parser.add_argument("--momentum", type=momentum_float, metavar="M", help="momentum in [0, 1)")
    parser.add_argument(
        "--clip",
        type=clip_value,
        default=RECOMMENDED,
        metavar="NORM",
        help="maximum gradient norm, a finite number > 0, or 'none'",
    )
    parser.add_argument(
        "--hidden-size",
        type=hidden_int,
        metavar="H",
        help=f"number of hidden units, 1 to {MAX_LAYER_SIZE}",
    )
    parser.add_argument("--hidden", choices=HIDDEN_ACTIVATIONS, help="hidden activation")
    parser.add_argument(
        "--network",
        choices=NETWORKS,
        default="srn",
        help="srn = a simple recurrent network (Elman or Jordan, see --context); tdl = a tapped "
        "delay line, a feedforward network over the window x(t), ..., x(t-W) (Bodén 2002 §4) "
        "(default srn)",
    )
    parser.add_argument(
        "--window",
        type=window_int,
        metavar="W",
        help=f"the tapped delay line's window: it sees x(t) and W earlier inputs, 0 to "
        f"{MAX_WINDOW} (--network tdl only; default {DEFAULT_WINDOW})",
    )
    parser.add_argument(
        "--context",
        choices=CONTEXTS,
        help="what the context units hold: hidden = Elman, output = Jordan, "
        "target = Jordan with teacher forcing (--network srn only; default hidden)",
    )
    parser.add_argument(
        "--truncation",
        type=truncation_value,
        default=RECOMMENDED,
        metavar="K",
        help=f"truncate BPTT to K steps (1 to {show_count(MAX_STEPS)}), or 'none' for full BPTT",
    )
    parser.add_argument("--mode", choices=TRUNCATION_MODES, help="truncation mode")
    parser.add_argument(
        "--algorithm",
        choices=ALGORITHMS,
        default="bptt",
        help="how the gradient is computed: bptt = backpropagation through time, rtrl = "
        "real-time recurrent learning (Williams & Zipser 1989; the same gradient carried "
        "forward, O(H^4) work per step; truncation only as --mode chunked or 1) (default bptt)",
    )
    parser.add_argument(
        "--update", choices=UPDATES, help="update after each sequence or once per epoch"
    )
    parser.add_argument(
        "--seed",
        type=seed_int,
        default=0,
        help=f"seed of data, weights and shuffling, 0 to {show_count(SEED_MAX)} (default 0)",
    )
    parser.add_argument(
        "--every",
        type=positive_int,
        metavar="N",
        help=f"a progress line every N epochs, 1 to {show_count(MAX_EPOCHS)}",
    )
    parser.add_argument("--out", metavar="MODEL.json", help="save the trained network here")
    parser.set_defaults(run=run_train)
    return parser


def param_help(width: int = 79) -> str:
    """Every task's parameters with their defaults and bounds, an item never cut in two."""
    lines = ["task parameters (--param KEY=VALUE): default, allowed values"]
    for spec in TASKS.values():
        items = [f"{k}={_plain(p.default)} ({p.describe()})" for k, p in spec.param_specs.items()]
        line = f"  {spec.name}:"
        for i, item in enumerate(items):
            item += "," if i < len(items) - 1 else ""
            if len(line) + 1 + len(item) > width:
                lines.append(line)
                line = "     "
            line += " " + item
        lines.append(line)
    return "\n".join(lines)


def _plain(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


# -- running ------------------------------------------------------------------------------------
def _parse_value(key: str, text: str, default: Any) -> Any:
    if isinstance(default, bool):
        words = {"true": True, "yes": True, "on": True, "1": True}
        words |= {"false": False, "no": False, "off": False, "0": False}
        if text.lower() not in words:
            raise UsageError(f"--param {key}: expected true or false, got {text!r}")
        return words[text.lower()]
    kind = type(default)
    try:
        return kind(text)
    except ValueError:
        raise UsageError(f"--param {key}: expected {kind.__name__}, got {text!r}") from None


def task_params(spec: TaskSpec, items: list[str]) -> dict[str, Any]:
    """``KEY=VALUE`` strings converted to the types of the task's default parameters."""
    params: dict[str, Any] = {}
    for item in items:
        key, sep, text = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise UsageError(f"--param expects KEY=VALUE, got {item!r}")
        if key not in spec.params:
            known = ", ".join(spec.params) or "none"
            raise UsageError(
                f"task {spec.name!r} has no parameter {key!r}; its parameters: {known}"
            )
        params[key] = _parse_value(key, text.strip(), spec.params[key])
    return params


def _load(args: argparse.Namespace) -> tuple[Dataset, dict[str, Any], dict[str, Any]]:
    """(data set, recommended settings, the "task" entry of the model file)."""
    if args.task is not None:
        spec = TASKS[args.task]
        params = task_params(spec, args.param)
        try:
            data = make_task(spec.name, args.seed, **params)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        settings = {k: getattr(spec, k) for k in FILE_DEFAULTS}
        return data, settings, {"task": spec.name, "seed": args.seed, "params": data.meta["params"]}
    if args.param:
        raise UsageError("--param applies to --task only")
    try:
        from core.loaders import load_dataset
    except ImportError:
        raise UsageError("reading sequence files needs core.loaders, which is missing") from None
    try:
        data = load_dataset(args.data)
    except (OSError, ValueError) as exc:  # DatasetError is a ValueError naming file and line
        raise UsageError(str(exc)) from None
    return data, dict(FILE_DEFAULTS), {"data": os.path.abspath(args.data), "name": data.name}


def _settings(args: argparse.Namespace, recommended: dict[str, Any]) -> dict[str, Any]:
    chosen = dict(recommended)
    given = {
        "hidden": args.hidden,
        "n_hidden": args.hidden_size,
        "lr": args.lr,
        "momentum": args.momentum,
        "epochs": args.epochs,
        "update": args.update,
        "mode": args.mode,
    }
    chosen.update({k: v for k, v in given.items() if v is not None})
    for key in ("truncation", "clip"):  # None ('none') is a value here, not "unset"
        if getattr(args, key, RECOMMENDED) is not RECOMMENDED:
            chosen[key] = getattr(args, key)
    return chosen


def _saver(out: str | None) -> Any:
    """``core.modelio.save_model``, after checking that ``out`` can be written, so that no run
    is trained only to be lost."""
    if out is None:
        return None
    try:
        from core.modelio import check_writable, save_model
    except ImportError:
        return ImportError("saving models needs core.modelio, which is missing")
    try:
        check_writable(out)
    except OSError as exc:
        raise UsageError(f"--out {out}: {exc}") from None
    return save_model


def _rescue(save: Any, out: str, net: SRN | TDL, **extras: Any) -> str | None:
    """Save a trained network that could not be saved to ``out`` in the system's temporary
    folder instead; its path, or None when that fails too."""
    import tempfile

    stem = os.path.splitext(os.path.basename(out))[0] or "model"
    try:
        fd, path = tempfile.mkstemp(prefix=f"unfold-{stem}-", suffix=".json")
        os.close(fd)
        save(path, net, **extras)
    except (OSError, TypeError, ValueError):
        return None
    return path


_ARCHITECTURE = {
    "hidden": "Elman",
    "output": "Jordan",
    "target": "Jordan with teacher forcing",
}


def _architecture(net: SRN | TDL) -> str:
    if isinstance(net, TDL):
        return f"tapped delay line, window {net.window}"
    return _ARCHITECTURE[net.context]


def _network(args: argparse.Namespace, data: Dataset, chosen: dict[str, Any]) -> SRN | TDL:
    """A fresh network of the kind ``--network`` names, seeded by ``--seed``."""
    n_in, n_hidden, n_out = data.n_in, chosen["n_hidden"], data.n_out
    if args.network == "tdl":
        if args.context is not None:
            raise UsageError("--context applies to --network srn; a tapped delay line has none")
        window = DEFAULT_WINDOW if args.window is None else args.window
        return TDL.init(
            n_in,
            n_hidden,
            n_out,
            window=window,
            hidden=chosen["hidden"],
            output=data.output,
            seed=args.seed,
        )
    if args.window is not None:
        raise UsageError("--window applies to --network tdl (a tapped delay line)")
    return SRN.init(
        n_in,
        n_hidden,
        n_out,
        hidden=chosen["hidden"],
        output=data.output,
        seed=args.seed,
        context=args.context or "hidden",
    )


def _fmt_score(score: float | None) -> str:
    return "-" if score is None else f"{100 * score:.1f}%"


def progress_line(record: EpochRecord, epochs: int) -> str:
    """One line of progress: epoch, mean loss per step, score, gradient norm, time."""
    width = len(str(epochs))
    return (
        f"epoch {record.epoch:>{width}}/{epochs}  loss {record.loss:<10.6g}  "
        f"score {_fmt_score(record.score):>6}  |g| {record.grad_norm:.3g}  {record.elapsed:.1f}s"
    )


def _error(message: str, status: int) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return status


def run_train(args: argparse.Namespace) -> int:
    """Run ``unfold train`` for parsed ``args``; return the exit status (see module docstring)."""
    try:
        data, recommended, task_entry = _load(args)
        chosen = _settings(args, recommended)
        fields = {k: v for k, v in chosen.items() if k not in ("hidden", "n_hidden")}
        config = TrainConfig(**fields, seed=args.seed, algorithm=args.algorithm)
        net = _network(args, data, chosen)
        save = _saver(args.out)
        records = train(net, data, config)  # checks the sizes RTRL would need, before any work
    except UsageError as exc:
        return _error(str(exc), 2)
    except ValueError as exc:  # TrainConfig or SRN refusing a combination of values
        return _error(str(exc), 2)
    if isinstance(save, ImportError):
        return _error(f"{save}; not training since --out cannot be written", 1)

    steps = sum(s.T for s in data.sequences)
    print(
        f"training on {data.name}: {len(data)} sequences, {steps} steps; network "
        f"{net.n_in}-{net.n_hidden}-{net.n_out} {net.hidden}/{net.output} ({net.loss_name}), "
        f"{_architecture(net)}; "
        f"lr {config.lr:g}, momentum {config.momentum:g}, clip {config.clip or 'none'}, "
        f"update per {config.update}, truncation {config.truncation or 'none'}"
        + (", gradient by RTRL" if config.algorithm == "rtrl" else ""),
        flush=True,
    )
    every = args.every or max(1, config.epochs // 20)
    last: EpochRecord | None = None
    status, outcome = 0, None
    try:
        for record in records:
            if record.diverged is not None:
                outcome, status = record.diverged, 1
                last = record
                break
            last = record
            if record.epoch % every == 0 or record.epoch in (1, config.epochs):
                print(progress_line(record, config.epochs), flush=True)
    except KeyboardInterrupt:
        outcome, status = "interrupted", 1
    if outcome is not None:
        print(f"{PROG}: {outcome}", file=sys.stderr)
    if last is not None and last.diverged is None:
        print(
            f"done: {last.epoch} epochs in {last.elapsed:.1f}s, loss {last.loss:.6g}, "
            f"score {_fmt_score(last.score)}",
            flush=True,
        )
    if save is None or last is None:
        return status
    training = {
        "config": config.as_dict(),
        "epochs_done": last.epoch - 1 if last.diverged is not None else last.epoch,
        "final_loss": float(last.loss),
        "final_score": last.score,
        "outcome": outcome,
    }
    try:
        save(args.out, last.net, task=task_entry, training=training)
    except (OSError, TypeError, ValueError) as exc:  # e.g. the folder became read-only
        kept = _rescue(save, args.out, last.net, task=task_entry, training=training)
        where = f"the trained network is saved in {kept} instead" if kept else "it is lost"
        return _error(f"could not save {args.out}: {exc}; {where}", 1)
    print(f"saved {args.out}", flush=True)
    return status


def main(argv: list[str] | None = None) -> int:
    """``python -m core.cli train ...``."""
    parser = argparse.ArgumentParser(prog="unfold")
    one_line_errors(parser)
    add_train_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
