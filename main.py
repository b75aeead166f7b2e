"""Unfold: watch Backpropagation Through Time happen in a Simple Recurrent Network."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """Entry point; prints a trace summary of the built-in example until the GUI exists."""
    import numpy as np

    from core import bptt
    from core.examples import example_network, example_sequence

    net = example_network()
    xs, ds = example_sequence()
    trace = bptt(net, xs, ds)
    np.set_printoptions(precision=4, suppress=True)
    print(f"seeds/004 network: I={net.n_in} H={net.n_hidden} O={net.n_out}, T={trace.T}")
    print(f"loss per step: {trace.loss_t}  total: {trace.loss:.6f}")
    for name, g in trace.grads.items():
        print(f"dL/d{name} =\n{g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
