"""``unfold export-torch MODEL OUT.npz``: a saved network as a PyTorch checkpoint and script.

The network and its data come from the model file (``core.modelio.load_model`` and
``model_data``); ``--sequence N`` (1-based, default 1) picks the sequence whose outputs, loss and
gradients the script checks. Writes OUT.npz and OUT.py (``core.torch_export``).

Exit status: 0 when both files are written; 1 when the model cannot be read, names no data, has
no torch equivalent or a file cannot be written (one line on stderr naming the file); 2 for a bad
option.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from core.cli import one_line_errors, positive_int
from core.modelio import FileWriteError, ModelFileError, load_model, model_data
from core.torch_export import TorchExportError, export_torch

PROG = "unfold export-torch"


def add_export_torch_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``export-torch`` command to ``subparsers``."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "export-torch",
        prog=PROG,
        help="write a saved network as a PyTorch checkpoint (.npz) and a script that checks it",
        description="Write the network of MODEL as the tensors of torch.nn.RNN + torch.nn.Linear "
        "(OUT, a numpy .npz archive) and a script OUT.py that rebuilds the modules in PyTorch and "
        "compares their outputs, loss and gradients with Unfold's on one sequence of the model's "
        "data. Unfold itself does not need PyTorch.",
    )
    one_line_errors(parser)
    parser.add_argument("model", metavar="MODEL", help="a model file saved by Unfold (.json)")
    parser.add_argument("out", metavar="OUT", help="the checkpoint to write (.npz)")
    parser.add_argument(
        "--sequence",
        type=positive_int,
        default=1,
        metavar="N",
        help="the sequence of the model's data to store and check (1-based, default 1)",
    )
    parser.set_defaults(run=run_export_torch)
    return parser


def _error(message: str) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return 1


def run_export_torch(args: argparse.Namespace) -> int:
    """Run the command; see the module docstring for the exit status."""
    try:
        model = load_model(args.model)
        found = model_data(model, args.model)
    except ModelFileError as exc:
        return _error(str(exc))
    if found is None:
        return _error(f"{args.model}: names no data to run the network on (task: null)")
    dataset = found[0]
    if args.sequence > len(dataset):
        return _error(f"--sequence {args.sequence}: the data has {len(dataset)} sequence(s)")
    seq = dataset.sequences[args.sequence - 1]
    try:
        checkpoint, script = export_torch(args.out, model.net, seq.x, seq.d)
    except TorchExportError as exc:
        return _error(f"{args.model}: {exc}")
    except FileWriteError as exc:
        return _error(f"cannot write {exc.path}: {exc}")
    print(f"wrote {checkpoint} and {script}", flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m core.cli_export export-torch MODEL OUT``."""
    parser = argparse.ArgumentParser(prog="unfold")
    one_line_errors(parser)
    add_export_torch_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
