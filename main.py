"""Unfold: watch Backpropagation Through Time happen in a Simple Recurrent Network.

``python main.py`` opens the explorer on the built-in example (the tanh/softmax network of
Goodfellow, Bengio and Courville 2016, Deep Learning §10.2);
``python main.py train --task temporal-xor ...`` trains headless (see ``python main.py train -h``);
``python main.py export-torch MODEL OUT.npz`` writes a network for PyTorch (``core.cli_export``).
"""

from __future__ import annotations

import argparse
import gc
import os
import sys

# numpy asks the kernel for transparent huge pages for every array of 4 MB and more; where memory
# is fragmented the kernel then compacts memory at the first write to each, and Unfold writes its
# big arrays (124 MB for a trace of T = 20,000, H = 256) once, right after allocating them. That
# open took 0.93-1.01 s without huge pages and 1.09-1.35 s with them (alternating runs, one BLAS
# thread, load 2.6-3.0). numpy reads this setting when it is first imported (numpy's "global
# state" documentation); a value set in the environment wins.
os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")

#: the size of a --screenshot picture without --size, and the largest side --size takes
SCREENSHOT_SIZE = (1400, 900)
MAX_SIDE = 8192


def build_parser() -> argparse.ArgumentParser:
    """The options of the window (the ``train`` command has its own parser)."""
    from core.notation import DEFAULT_NOTATION, NOTATIONS

    parser = argparse.ArgumentParser(
        prog="unfold",
        description="Unfold: step through Backpropagation Through Time in a Simple Recurrent "
        "Network, forward and backward, and watch it train.",
        epilog="Headless training: 'unfold train --help' (or 'python main.py train --help').",
    )
    parser.add_argument(
        "path",
        nargs="?",
        help="a saved model (.json), a session file (.json) or a sequence file (.csv, .json, "
        ".txt) to open",
    )
    parser.add_argument(
        "--task",
        metavar="NAME",
        help="open on a built-in task with its recommended network: " + ", ".join(_task_names()),
    )
    parser.add_argument(
        "--context",
        choices=("hidden", "output", "target"),
        default="hidden",
        help="the network of --task or of the built-in example: hidden = Elman, output = Jordan, "
        "target = Jordan with teacher forcing (default hidden)",
    )
    parser.add_argument(
        "--notation",
        choices=list(NOTATIONS),
        default=None,
        help="the symbols that label the views: "
        + "; ".join(f"{key} = {n.title}" for key, n in NOTATIONS.items())
        + f" (default {DEFAULT_NOTATION})",
    )
    parser.add_argument(
        "--screenshot",
        metavar="PNG",
        help="render the window to this PNG file and exit (works with QT_QPA_PLATFORM=offscreen)",
    )
    parser.add_argument(
        "--size",
        type=_size,
        metavar="WxH",
        help="the window's size in pixels, e.g. 1280x800: with --screenshot the picture's size "
        f"(default {SCREENSHOT_SIZE[0]}x{SCREENSHOT_SIZE[1]}), otherwise at most the screen's "
        "free area",
    )
    parser.add_argument(
        "--position",
        type=_position,
        default=None,
        metavar="K",
        help="open with the cursor at position K (0 = start, 1..T forward, T+1..2T backward; "
        "a K past 2T is the end)",
    )
    parser.add_argument(
        "--lesson",
        metavar="NAME_OR_FILE",
        help="open on a lesson at its first step: a lesson file, or a shipped lesson by name or "
        "number (" + ", ".join(_lesson_names()) + ")",
    )
    parser.add_argument(
        "--lesson-step",
        type=_lesson_step,
        default=None,
        metavar="N",
        help="with --lesson, go to step N (1-based; the steps before it are applied without "
        "training, a step N that trains runs before the window is shown)",
    )
    return parser


def _lesson_names() -> list[str]:
    from core.lessons import shipped_lessons

    return [p.stem for p in shipped_lessons()]


def _lesson_step(text: str) -> int:
    """A lesson step, 1 to MAX_LESSON_STEPS (checked against the lesson's length later)."""
    from core.lessons import MAX_LESSON_STEPS

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not 1 <= value <= MAX_LESSON_STEPS:
        raise argparse.ArgumentTypeError(f"must be from 1 to {MAX_LESSON_STEPS}, got {value}")
    return value


def _check_lesson(parser: argparse.ArgumentParser, args: argparse.Namespace) -> str | None:
    """The lesson file of --lesson, read and validated before any window exists: a bad one
    ends the run with the file, step and field on standard error (no dialog, status 2)."""
    from core.lessons import LessonError, find_lesson, load_lesson

    if args.lesson is None:
        if args.lesson_step is not None:
            parser.error("--lesson-step needs --lesson")
        return None
    if args.path is not None or args.task is not None or args.context != "hidden":
        parser.error("--lesson brings its own network and data: leave out the file, --task "
                     "and --context")  # fmt: skip
    try:
        path = find_lesson(args.lesson)
        lesson = load_lesson(path)
    except LessonError as exc:
        parser.error(f"cannot open the lesson: {exc}")
    if args.lesson_step is not None and args.lesson_step > len(lesson):
        parser.error(f"--lesson-step {args.lesson_step}: {path} has {len(lesson)} steps")
    return str(path)


def open_lesson(window: object, path: str, step: int | None) -> bool:
    """Open the lesson at ``path`` on its first step, then go to ``step`` (1-based); a step
    that trains is waited for (in an event loop, the training in its worker)."""
    from PySide6.QtCore import QEventLoop

    lessons = window.lessons  # type: ignore[attr-defined]
    if not lessons.open_path(path):
        return False
    player = lessons.player
    if step is not None and step > 1:
        player.go(step - 1)
    if player.training:
        loop = QEventLoop()
        player.trainingChanged.connect(lambda on: None if on else loop.quit())
        loop.exec()
    return player.index == (step or 1) - 1


def _size(text: str) -> tuple[int, int]:
    """ "1280x800" as (1280, 800)."""
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not WIDTHxHEIGHT, e.g. 1280x800") from None
    if not (1 <= width <= MAX_SIDE and 1 <= height <= MAX_SIDE):
        raise argparse.ArgumentTypeError(f"{text!r}: each side must be from 1 to {MAX_SIDE}")
    return width, height


def _position(text: str) -> int:
    """A cursor position, 0 to 2 * MAX_STEPS (positions past the sequence's end mean its end)."""
    from core.limits import MAX_STEPS

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not 0 <= value <= 2 * MAX_STEPS:
        raise argparse.ArgumentTypeError(f"must be from 0 to {2 * MAX_STEPS:,}, got {value}")
    return value


def _task_names() -> list[str]:
    from core.tasks import TASKS

    return list(TASKS)


def open_task(window: object, name: str, context: str = "hidden") -> None:
    """Put the window on built-in task ``name`` with the task's recommended network (a Jordan
    network when ``context`` is "output" or "target")."""
    from core.tasks import TASKS
    from gui.session import NetworkOrigin

    spec = TASKS[name]
    dataset = spec.make(0)
    session = window.session  # type: ignore[attr-defined]
    session.set_dataset(
        dataset,
        net=spec.network(dataset, context=context),
        source={"task": name, "seed": 0, "params": {}},
        origin=NetworkOrigin.TASK,
    )


def use_context(window: object, context: str) -> None:
    """Give the window's built-in example a fresh network with this context, same shape."""
    from core.model import SRN
    from gui.session import NetworkOrigin

    session = window.session  # type: ignore[attr-defined]
    net = session.net
    session.set_network(
        SRN.init(
            net.n_in, net.n_hidden, net.n_out, hidden=net.hidden, output=net.output, context=context
        ),
        origin=NetworkOrigin.USER,
    )


def run_train(argv: list[str]) -> int:
    """``unfold train ...``: headless training with progress on the terminal."""
    from core.cli import add_train_parser, run_train

    parser = argparse.ArgumentParser(prog="unfold")
    add_train_parser(parser.add_subparsers(dest="command", required=True))
    return run_train(parser.parse_args(argv))


def run_export_torch(argv: list[str]) -> int:
    """``unfold export-torch MODEL OUT.npz``: a PyTorch checkpoint and the script that checks it."""
    from core.cli_export import main as export_main

    return export_main(argv)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] == "train":
        return run_train(argv)
    if argv and argv[0] == "export-torch":
        return run_export_torch(argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.task is not None and args.task not in _task_names():
        parser.error(f"unknown task {args.task!r}; choose from {', '.join(_task_names())}")
    if args.path is not None:
        from core.loaders import file_problem

        problem = file_problem(args.path)  # "no such file", "is a directory, not a file", ...
        if problem is not None:
            parser.error(f"{args.path}: {problem}")
    if args.path is not None and args.context != "hidden":
        parser.error("--context applies to --task or the built-in example, not to a file")
    lesson = _check_lesson(parser, args)

    import shiboken6
    from PySide6.QtCore import QSize
    from PySide6.QtWidgets import QApplication

    from core.notation import DEFAULT_NOTATION
    from core.sessionfile import is_session_file
    from gui.errors import install_excepthook
    from gui.main_window import MainWindow
    from gui.unattended import Unattended

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Unfold")
    app.setOrganizationName("Unfold")
    # A --screenshot run has nobody to click a dialog: errors go to stderr, questions get No.
    unattended = Unattended() if args.screenshot else None
    install_excepthook(unattended)
    settings = None
    if args.screenshot:  # a picture of the default layout, not of the user's saved one
        import tempfile

        from PySide6.QtCore import QSettings

        ini = os.path.join(tempfile.mkdtemp(prefix="unfold-"), "screenshot.ini")
        settings = QSettings(ini, QSettings.Format.IniFormat)
    window = MainWindow(settings=settings)
    window.files.unattended = unattended
    if args.task is not None:
        open_task(window, args.task, args.context)
    elif args.context != "hidden" and args.path is None:
        use_context(window, args.context)
    session_file = args.path is not None and is_session_file(args.path)
    if session_file:  # the screen it holds; --notation and --position still apply if given
        window.session_files.open_session(args.path)
    elif args.path is not None:
        # a bad file is reported; the example stays open. A long file opens in the background
        # once the window shows, unless --position asks for a step of it now.
        window.files.open_path(args.path, background=False if args.position else None)
    # a session file and a lesson set notation and cursor; --notation and --position still win
    reached = lesson is None or open_lesson(window, lesson, args.lesson_step)
    if not reached and (unattended is None or not unattended.problems):  # else already said
        window.files.show_error("Cannot open the lesson", f"{lesson}: not opened at its step")
    sets_view = session_file or lesson is not None
    if not sets_view or args.notation is not None:
        window.session.set_notation(args.notation or DEFAULT_NOTATION)
    if not sets_view or args.position is not None:
        window.session.seek(args.position or 0)
    if args.screenshot:  # the picture's size, whatever the screen (offscreen: 800 x 800)
        window.resize(*(args.size or SCREENSHOT_SIZE))
    elif args.size:
        window.resize_within_screen(QSize(*args.size))
    window.show()
    if unattended is not None:
        app.processEvents()
        if unattended.problems:  # already on stderr; no picture of something else
            status = 1
        elif window.grab().save(args.screenshot):
            status = 0
        else:
            print(f"unfold: cannot write the picture {args.screenshot}", file=sys.stderr)
            status = 1
        window.close()
        status = 1 if unattended.problems else status
    else:
        # What is built so far lives as long as the window (widgets, items, their wrappers:
        # about 100,000 objects): out of the cyclic collector's sight, a full collection no
        # longer visits them all (70-80 ms, measured landing in the middle of opening a long
        # sequence). Objects made later are collected as usual; a training run's unfreeze
        # (gui/training/sharing.py) hands them back.
        gc.freeze()
        status = app.exec()
    # Destroy the window while the application still exists; left to the garbage collector,
    # the two can go in either order and the process crashes on exit.
    window.controller.shutdown()
    shiboken6.delete(window)
    return status


if __name__ == "__main__":
    sys.exit(main())
