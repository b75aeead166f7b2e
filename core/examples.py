"""The built-in example: the tanh/softmax network of Goodfellow, Bengio and Courville (2016),
*Deep Learning* §10.2, sized x in R^4, 5 tanh hidden units, 3 softmax outputs, on a short one-hot
sequence: the state in which Unfold opens."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from core.data import Dataset, Sequence
from core.model import SRN

#: the symbols of the example's inputs and of its three output classes
EXAMPLE_INPUTS = ("x1", "x2", "x3", "x4")
EXAMPLE_OUTPUTS = ("class 1", "class 2", "class 3")


def example_network(seed: int = 4) -> SRN:
    """The example network: U (5 x 4), W (5 x 5), V (3 x 5), b (5), c (3); tanh and softmax."""
    return SRN.init(4, 5, 3, hidden="tanh", output="softmax", seed=seed)


def example_sequence(T: int = 6) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """A one-hot input sequence x(1..T) in R^4 and one-hot targets in R^3.

    The inputs cycle through the four symbols; the target class at step t is the input symbol
    seen two steps earlier, modulo 3 (so the network needs its recurrent state to be right).
    """
    idx = np.arange(T) % 4
    xs = np.eye(4)[idx]
    cls = (np.concatenate([[0, 0], idx[:-2]]) % 3)[:T]
    return xs, np.eye(3)[cls]


def example_dataset(T: int = 6) -> Dataset:
    """The built-in example as a one-sequence data set (argmax scoring)."""
    xs, ds = example_sequence(T)
    symbols = tuple(EXAMPLE_INPUTS[int(i)] for i in np.argmax(xs, axis=1))
    return Dataset(
        name="Deep Learning ch. 10 example",
        sequences=(Sequence(xs, ds, symbols=symbols),),
        input_names=EXAMPLE_INPUTS,
        output_names=EXAMPLE_OUTPUTS,
        output="softmax",
        scoring="argmax",
        source="built-in",
    )
