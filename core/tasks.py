"""Built-in toy tasks: small sequence problems from the SRN literature, generated from a seed.

Every task is a :class:`TaskSpec` in ``TASKS``, keyed by a kebab-case id. ``make_task(name, seed,
**params)`` builds its :class:`~core.data.Dataset`: the same seed and parameters give the same data.
Every parameter has bounds (:class:`ParamSpec`, ``TaskSpec.param_specs``), stated beside each
task below and chosen so that no data set exceeds ``core.limits.MAX_VALUES`` numbers; the seed is
0..``core.limits.SEED_MAX``. A value out of bounds is refused before anything is generated.
Each spec also carries recommended network and training settings (tuned so that the default
network learns the task in seconds), from which ``spec.network(dataset)`` and
``spec.train_config()`` build a starting point for the GUI and the CLI.

All tasks but ``sine`` have symbolic inputs: ``Sequence.symbols`` names the input symbol at each
step. ``x(t)`` is the input at step t and ``d(t)`` its target, usually the next
symbol, ``d(t) = x(t+1)`` ("prediction tasks", Elman 1990).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from types import MappingProxyType
from typing import Any

import numpy as np
from numpy.typing import NDArray

from core.data import Dataset, DatasetError, Sequence, size_problem
from core.examples import EXAMPLE_INPUTS, EXAMPLE_OUTPUTS
from core.limits import MAX_LAYER_SIZE, MAX_STEPS, SEED_MAX, over_limit, show_count
from core.model import SRN
from core.tdl import TDL
from core.training import TrainConfig

Param = int | float | str | bool
Rng = np.random.Generator


class TaskParamError(ValueError):
    """A task parameter of the wrong type or out of bounds.

    Attributes ``task``, ``param`` and ``problem`` (e.g. "must be an integer from 1 to 5,000,
    got 0"); the message reads ``task 'reber': parameter 'max_length' must be ...``.
    """

    def __init__(self, task: str, param: str, problem: str, message: str | None = None) -> None:
        self.task, self.param, self.problem = task, param, problem
        super().__init__(message or f"task {task!r}: parameter {param!r} {problem}")


@dataclass(frozen=True, slots=True)
class ParamSpec:
    """One task parameter: its default and the values it may take.

    A number lies in ``low..high`` (both included; an int parameter takes whole numbers only),
    a string is one of ``choices``, a bool is true or false.
    """

    name: str
    default: Param
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()

    def describe(self) -> str:
        """The allowed values in words: ``"1 to 5,000"``, ``"sine or damped"``."""
        if isinstance(self.default, bool):
            return "true or false"
        if isinstance(self.default, str):
            return " or ".join(self.choices)
        return f"{_number(self.low)} to {_number(self.high)}"

    def kind(self) -> str:
        if isinstance(self.default, bool):
            return "true or false"
        if isinstance(self.default, int):
            return f"an integer from {self.describe()}"
        if isinstance(self.default, float):
            return f"a number from {self.describe()}"
        return " or ".join(map(repr, self.choices))

    def problem(self, value: Any) -> str | None:
        """Why ``value`` is not allowed ("must be an integer from 1 to 100, got 0"), or None."""
        default = self.default
        if isinstance(default, bool):
            ok = isinstance(value, bool | np.bool_)
        elif isinstance(default, int):
            ok = isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_)
        elif isinstance(default, float):
            ok = isinstance(value, int | float | np.integer | np.floating) and not isinstance(
                value, bool | np.bool_
            )
        else:
            ok = isinstance(value, str) and value in self.choices
        if ok and isinstance(default, int | float) and not isinstance(default, bool):
            assert self.low is not None and self.high is not None
            ok = bool(self.low <= value <= self.high)  # False for NaN
        return None if ok else f"must be {self.kind()}, got {_shown(value)}"


def _number(value: float | None) -> str:
    if value is None:
        return "?"
    return show_count(int(value)) if float(value).is_integer() else f"{value:g}"


def _shown(value: Any) -> str:
    """A value for a message: numbers as plain numbers (also numpy's), others by repr or kind."""
    if isinstance(value, bool | np.bool_):
        return str(bool(value)).lower()
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        return repr(float(value))
    if isinstance(value, str):
        return repr(value[:40])
    return {list: "a list", dict: "an object", type(None): "nothing"}.get(
        type(value), type(value).__name__
    )


@dataclass(frozen=True, slots=True)
class TaskSpec:
    """A built-in task and the settings it trains well with.

    Attributes
    ----------
    name : kebab-case id, the key in ``TASKS``.  title : a short human name.
    description : one paragraph for tooltips, citing the paper the task comes from.
    params : default value of every task parameter (int, float, str or bool).
    param_specs : every parameter's :class:`ParamSpec`: its default and bounds.
    make : ``make(seed=0, **params) -> Dataset``, validating the parameters like ``make_task``.
    hidden, n_hidden : recommended hidden activation and number of hidden units.
    lr, momentum, epochs, update, truncation, mode, clip : recommended training settings
        (the fields of :class:`core.training.TrainConfig`).
    """

    name: str
    title: str
    description: str
    params: Mapping[str, Param]
    make: Callable[..., Dataset] = field(repr=False)
    param_specs: Mapping[str, ParamSpec] = field(default_factory=dict, repr=False)
    hidden: str = "tanh"
    n_hidden: int = 8
    lr: float = 0.1
    momentum: float = 0.0
    epochs: int = 100
    update: str = "sequence"
    truncation: int | None = None
    mode: str = "sliding"
    clip: float | None = None

    def train_config(self, **overrides: Any) -> TrainConfig:
        """The recommended :class:`TrainConfig`, with any field overridden."""
        settings: dict[str, Any] = {
            "lr": self.lr,
            "momentum": self.momentum,
            "epochs": self.epochs,
            "update": self.update,
            "truncation": self.truncation,
            "mode": self.mode,
            "clip": self.clip,
        }
        settings.update(overrides)
        return TrainConfig(**settings)

    def network(
        self,
        dataset: Dataset,
        seed: int = 0,
        *,
        hidden: str | None = None,
        n_hidden: int | None = None,
        context: str = "hidden",
        window: int | None = None,
    ) -> SRN | TDL:
        """A fresh network shaped for ``dataset`` with the recommended hidden layer (an Elman
        network unless ``context`` asks for a Jordan network, see ``core.model``; a tapped delay
        line over ``window`` past inputs when one is given, see ``core.tdl``)."""
        if window is not None:
            return TDL.init(
                dataset.n_in,
                self.n_hidden if n_hidden is None else n_hidden,
                dataset.n_out,
                window=window,
                hidden=self.hidden if hidden is None else hidden,
                output=dataset.output,
                seed=seed,
            )
        return SRN.init(
            dataset.n_in,
            self.n_hidden if n_hidden is None else n_hidden,
            dataset.n_out,
            hidden=self.hidden if hidden is None else hidden,
            output=dataset.output,
            seed=seed,
            context=context,
        )


def _one_hot(indices: Any, n: int) -> NDArray[np.float64]:
    return np.eye(n)[np.asarray(indices, dtype=np.intp)]


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)


# -- 1. temporal XOR ----------------------------------------------------------------------------
def temporal_xor(rng: Rng, *, n_sequences: int = 60, triples: int = 4) -> Dataset:
    """Bit triples (a, b, a XOR b) strung together; predict the next bit (Elman 1990, sec. 1).

    Each sequence is ``triples`` triples, 3 * triples - 1 steps: x(t) is bit t and d(t) bit t+1.
    Only the XOR bits (every third) can be predicted; they are the scored steps.
    """
    _check(n_sequences >= 1, f"n_sequences must be >= 1, got {n_sequences}")
    _check(triples >= 1, f"triples must be >= 1, got {triples}")
    sequences = []
    for _ in range(n_sequences):
        ab = rng.integers(0, 2, size=(triples, 2))
        bits = np.column_stack([ab, ab[:, 0] ^ ab[:, 1]]).ravel()
        t = np.arange(len(bits) - 1)
        sequences.append(
            Sequence(
                x=bits[:-1, None],
                d=bits[1:, None],
                scored=(t + 1) % 3 == 2,  # the target is the third bit of a triple
                symbols=tuple(str(b) for b in bits[:-1]),
            )
        )
    return Dataset(
        "temporal XOR",
        tuple(sequences),
        ("bit",),
        ("next bit",),
        output="logistic",
        scoring="threshold",
    )


# -- 2. letters ---------------------------------------------------------------------------------
LETTER_FEATURES = ("consonant", "vowel", "interrupted", "high", "back", "voiced")
#: Elman (1990) Table 1: the 6-bit feature vector of each letter.
LETTERS: Mapping[str, tuple[int, ...]] = MappingProxyType(
    {
        "b": (1, 0, 1, 0, 0, 1),
        "d": (1, 0, 1, 1, 0, 1),
        "g": (1, 0, 1, 0, 1, 1),
        "a": (0, 1, 0, 0, 1, 1),
        "i": (0, 1, 0, 1, 0, 1),
        "u": (0, 1, 0, 1, 1, 1),
    }
)
VOWELS, CONSONANTS = ("a", "i", "u"), ("b", "d", "g")
_SYLLABLE = {"b": "ba", "d": "dii", "g": "guuu"}


def letters(rng: Rng, *, n_sequences: int = 30, syllables: int = 8) -> Dataset:
    """Random consonants b, d, g expanded to ba, dii, guuu; predict the next letter's features.

    (Elman 1990, sec. 2 and Table 1.) Each sequence is ``syllables`` syllables followed by the next
    consonant, which is only a target. ``symbols`` holds the input letters; a step's target is a
    vowel when its ``vowel`` feature d(t)[1] is 1. Vowels are predictable from the consonant and the
    count so far, consonants are not: only vowel targets are scored (every feature on the right
    side of 0.5).
    """
    _check(n_sequences >= 1, f"n_sequences must be >= 1, got {n_sequences}")
    _check(syllables >= 1, f"syllables must be >= 1, got {syllables}")
    sequences = []
    for _ in range(n_sequences):
        cons = rng.choice(list(CONSONANTS), size=syllables + 1)
        text = "".join(_SYLLABLE[c] for c in cons[:-1]) + cons[-1]
        feats = np.array([LETTERS[ch] for ch in text], dtype=float)
        sequences.append(
            Sequence(
                x=feats[:-1],
                d=feats[1:],
                scored=feats[1:, 1] == 1,  # vowel targets
                symbols=tuple(text[:-1]),
            )
        )
    meta = {"vowels": VOWELS, "consonants": CONSONANTS}
    return Dataset(
        "letters",
        tuple(sequences),
        LETTER_FEATURES,
        LETTER_FEATURES,
        "logistic",
        "threshold",
        meta=meta,
    )


# -- 3. embedded Reber grammar ------------------------------------------------------------------
REBER_SYMBOLS = ("B", "T", "S", "X", "P", "V", "E")
#: The Reber grammar (Reber 1967; Cleeremans et al. 1989, Fig. 1): state -> (symbol, next state);
#: state 1 follows the initial B, state 0 is reached after the final E.
REBER_GRAMMAR: Mapping[int, tuple[tuple[str, int], ...]] = MappingProxyType(
    {
        1: (("T", 2), ("P", 3)),
        2: (("S", 2), ("X", 4)),
        3: (("T", 3), ("V", 5)),
        4: (("X", 3), ("S", 6)),
        5: (("P", 4), ("V", 6)),
        6: (("E", 0),),
    }
)


def reber_string(rng: Rng, max_length: int | None = None, start: str = "B", state: int = 1) -> str:
    """A string of the (inner) Reber grammar, B ... E, each arc out of a state taken with
    probability 1/2; continues ``start`` (a prefix that left the grammar in ``state``) and redraws
    the continuation until the string has at most ``max_length`` symbols."""
    while True:
        text, s = [start], state
        while s != 0:
            options = REBER_GRAMMAR[s]
            symbol, s = options[int(rng.integers(len(options)))]
            text.append(symbol)
        out = "".join(text)
        if max_length is None or len(out) <= max_length:
            return out


def _shortest_endings() -> dict[int, int]:
    """The fewest symbols that take the Reber grammar from each state to its end."""
    best = {0: 0} | {state: len(REBER_GRAMMAR) + 1 for state in REBER_GRAMMAR}
    for _ in REBER_GRAMMAR:  # Bellman-Ford: the longest shortest path has < #states arcs
        for state, arcs in REBER_GRAMMAR.items():
            best[state] = min(best[state], 1 + min(best[nxt] for _, nxt in arcs))
    return best


_SHORTEST_ENDING = _shortest_endings()


def _fits(prefix: str, state: int, max_length: int) -> bool:
    """Whether a string can still end within ``max_length`` after ``prefix`` + one more symbol
    that leads to ``state``."""
    return len(prefix) + 1 + _SHORTEST_ENDING[state] <= max_length


def balanced_reber_strings(rng: Rng, n: int, max_length: int) -> list[str]:
    """``n`` inner Reber strings of at most ``max_length`` symbols in which every fork of the
    grammar is taken equally often: the strings that reach a fork are split evenly between its
    two arcs (an odd one out goes either way at random), and a single string continues at random
    (stratified sampling). Each string is as likely as with independent draws, but wherever
    several strings share a prefix, its two successors follow it equally often."""
    out: list[str] = []
    todo = [("B", 1, n)]
    while todo:
        prefix, state, count = todo.pop()
        if state == 0:
            out += [prefix] * count
            continue
        if count == 1:
            out.append(reber_string(rng, max_length, prefix, state))
            continue
        arcs = [(a, nxt) for a, nxt in REBER_GRAMMAR[state] if _fits(prefix, nxt, max_length)]
        if len(arcs) == 1:
            todo.append((prefix + arcs[0][0], arcs[0][1], count))
            continue
        first = count // 2 + (count % 2 if rng.random() < 0.5 else 0)
        todo.append((prefix + arcs[0][0], arcs[0][1], first))
        todo.append((prefix + arcs[1][0], arcs[1][1], count - first))
    return [out[i] for i in rng.permutation(len(out))]


def embedded_reber_legal(text: str) -> NDArray[np.bool_]:
    """(len(text), 7) table: which symbols may legally follow each prefix of an embedded Reber
    string B (T|P) <Reber string> (same T|P) E (the last row, after the final E, is empty)."""
    legal = [set("TP"), {"B"}, set("TP")]
    state = 1
    for symbol in text[3:-2]:
        state = dict(REBER_GRAMMAR[state])[symbol]
        legal.append({s for s, _ in REBER_GRAMMAR[state]} if state else {text[1]})
    legal += [{"E"}, set()]
    return np.array([[s in ok for s in REBER_SYMBOLS] for ok in legal])


def reber(
    rng: Rng, *, n_sequences: int = 1000, max_length: int = 40, balanced: bool = True
) -> Dataset:
    """Embedded Reber strings B T <Reber string> T E and B P <Reber string> P E; predict the next
    symbol (Cleeremans, Servan-Schreiber & McClelland 1989). Strings have at most ``max_length``
    symbols.

    With ``balanced`` (the default) every inner string appears once in each branch, so nothing
    inside it gives the branch away, and the inner strings are drawn by stratified sampling (see
    :func:`balanced_reber_strings`): in the data every fork is taken equally often, as it is in
    the grammar. Without it, branch and inner string are drawn independently for each sequence.

    ``Sequence.legal`` is the (T, 7) table of legal successors after each prefix; a step is correct
    when exactly the legal successors get an output above 0.3 (Cleeremans et al.'s criterion).
    """
    _check(n_sequences >= 1, f"n_sequences must be >= 1, got {n_sequences}")
    _check(max_length >= 9, f"max_length must be >= 9 (the shortest string), got {max_length}")
    if balanced:
        inner = balanced_reber_strings(rng, (n_sequences + 1) // 2, max_length - 4)
        texts = [f"B{b}{s}{b}E" for s in inner for b in "TP"]
    else:
        texts = []
        for _ in range(n_sequences):
            b = "TP"[int(rng.integers(2))]
            texts.append(f"B{b}{reber_string(rng, max_length - 4)}{b}E")
    sequences = []
    for text in texts[:n_sequences]:
        idx = [REBER_SYMBOLS.index(s) for s in text]
        sequences.append(
            Sequence(
                x=_one_hot(idx[:-1], 7),
                d=_one_hot(idx[1:], 7),
                symbols=tuple(text[:-1]),
                legal=embedded_reber_legal(text)[:-1],
            )
        )
    return Dataset(
        "embedded Reber grammar",
        tuple(sequences),
        REBER_SYMBOLS,
        REBER_SYMBOLS,
        output="softmax",
        scoring="legal",
        legal_threshold=0.3,
    )


# -- 4. a^n b^n ---------------------------------------------------------------------------------
ANBN_SYMBOLS = ("a", "b", "#")


def anbn(
    rng: Rng, *, n_sequences: int = 60, n_min: int = 1, n_max: int = 5, strings: int = 1
) -> Dataset:
    """Strings a^n b^n each followed by the end/start symbol #; predict the next symbol
    (Rodriguez, Wiles & Elman 1999). Each sequence is ``#`` then ``strings`` strings with n drawn
    uniformly from n_min..n_max.

    The number of a's is unpredictable, so only the deterministic predictions are scored: every
    b after the first one, and the # that ends a string (argmax scoring). Doing so needs a counter;
    the larger n_max, the finer the counter and the less stable its training.
    ``meta["n"]`` lists the n of every string of every sequence.
    """
    _check(n_sequences >= 1, f"n_sequences must be >= 1, got {n_sequences}")
    _check(1 <= n_min <= n_max, f"need 1 <= n_min <= n_max, got n_min={n_min}, n_max={n_max}")
    _check(strings >= 1, f"strings must be >= 1, got {strings}")
    sequences, ns = [], []
    for _ in range(n_sequences):
        n_of = rng.integers(n_min, n_max + 1, size=strings)
        text = "#" + "".join("a" * n + "b" * n + "#" for n in n_of)
        idx = [ANBN_SYMBOLS.index(s) for s in text]
        prev, nxt = np.array(list(text[:-1])), np.array(list(text[1:]))
        scored = ((prev == "b") & (nxt == "b")) | (nxt == "#")
        sequences.append(
            Sequence(_one_hot(idx[:-1], 3), _one_hot(idx[1:], 3), scored, tuple(text[:-1]))
        )
        ns.append(tuple(int(n) for n in n_of))
    return Dataset(
        "a^n b^n",
        tuple(sequences),
        ANBN_SYMBOLS,
        ANBN_SYMBOLS,
        output="softmax",
        scoring="argmax",
        meta={"n": tuple(ns)},
    )


# -- 5. sine ------------------------------------------------------------------------------------
def sine(
    rng: Rng,
    *,
    n_sequences: int = 20,
    length: int = 30,
    period: float = 12.0,
    preset: str = "sine",
    damping: float = 0.05,
) -> Dataset:
    """Predict the next value of a sine wave (random phase), or of a damped one for
    ``preset="damped"``: s(t) = A exp(-damping t) sin(2 pi t / period + phase).

    One input, one linear output and the sum-squared error: the setting of the one-unit worked
    example (notation v, w, u), whose one logistic hidden unit is here a few. The current value
    alone does not tell a rising wave from a falling one, so the network needs its context. No
    score; watch the loss.
    """
    _check(n_sequences >= 1, f"n_sequences must be >= 1, got {n_sequences}")
    _check(length >= 2, f"length must be >= 2, got {length}")
    _check(period > 0, f"period must be > 0, got {period}")
    _check(preset in ("sine", "damped"), f"preset must be 'sine' or 'damped', got {preset!r}")
    _check(damping >= 0, f"damping must be >= 0, got {damping}")
    t = np.arange(length + 1)
    sequences = []
    for _ in range(n_sequences):
        phase = rng.uniform(0.0, 2.0 * np.pi)
        s = 0.8 * np.sin(2.0 * np.pi * t / period + phase)
        if preset == "damped":
            s *= np.exp(-damping * t)
        sequences.append(Sequence(s[:-1, None], s[1:, None]))
    name = "sine" if preset == "sine" else "damped sine"
    return Dataset(name, tuple(sequences), ("s(t)",), ("s(t+1)",), output="linear", scoring="none")


# -- 6. two-back classes ------------------------------------------------------------------------
def two_back(rng: Rng, *, n_sequences: int = 40, length: int = 10) -> Dataset:
    """The built-in example's network shape (4 one-hot inputs, 3 softmax classes; the tanh/softmax
    network of Goodfellow et al. 2016 §10.2) on random symbol strings; the class at step t is the
    index of the input symbol seen two steps earlier, modulo 3 (class 1 for the first two steps) -
    the rule of the built-in example (core.examples), which needs the recurrent state."""
    _check(n_sequences >= 1, f"n_sequences must be >= 1, got {n_sequences}")
    _check(length >= 1, f"length must be >= 1, got {length}")
    sequences = []
    for _ in range(n_sequences):
        idx = rng.integers(0, 4, size=length)
        cls = np.concatenate([[0, 0], idx[:-2]])[:length] % 3
        symbols = tuple(EXAMPLE_INPUTS[i] for i in idx)
        sequences.append(Sequence(_one_hot(idx, 4), _one_hot(cls, 3), symbols=symbols))
    return Dataset(
        "two-back classes", tuple(sequences), EXAMPLE_INPUTS, EXAMPLE_OUTPUTS, "softmax", "argmax"
    )


# -- 7. delayed recall --------------------------------------------------------------------------
def delayed_recall(
    rng: Rng, *, n_sequences: int = 60, length: int = 12, delay: int = 4, n_symbols: int = 2
) -> Dataset:
    """Output the symbol seen ``delay`` steps ago: d(t) = x(t - delay). The error must travel back
    ``delay`` steps through W, so the gradient fades with the delay (Bengio, Simard & Frasconi 1994)
    and truncated BPTT with k <= delay cannot learn it.

    The first ``delay`` steps have no target (a zero row: no loss, no gradient) and are not scored.
    """
    _check(n_sequences >= 1, f"n_sequences must be >= 1, got {n_sequences}")
    _check(delay >= 1, f"delay must be >= 1, got {delay}")
    _check(length > delay, f"length must be > delay ({delay}), got {length}")
    _check(n_symbols >= 2, f"n_symbols must be >= 2, got {n_symbols}")
    names = tuple(chr(ord("A") + i) for i in range(n_symbols))
    sequences = []
    for _ in range(n_sequences):
        idx = rng.integers(0, n_symbols, size=length)
        d = np.zeros((length, n_symbols))
        d[delay:] = _one_hot(idx[:-delay], n_symbols)
        scored = np.arange(length) >= delay
        sequences.append(
            Sequence(_one_hot(idx, n_symbols), d, scored, tuple(names[i] for i in idx))
        )
    return Dataset(
        f"delayed recall (delay {delay})",
        tuple(sequences),
        names,
        tuple(f"{n} at t-{delay}" for n in names),
        output="softmax",
        scoring="argmax",
    )


# -- 8. characters of a text --------------------------------------------------------------------
#: The opening of Lewis Carroll's "Alice's Adventures in Wonderland" (1865, public domain).
TEXT = (
    "alice was beginning to get very tired of sitting by her sister on the bank, and of having "
    "nothing to do: once or twice she had peeped into the book her sister was reading, but it had "
    "no pictures or conversations in it, and what is the use of a book, thought alice, without "
    "pictures or conversations?"
)
_CHAR_LABELS = {" ": "␣", "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def char_label(ch: str) -> str:
    """A visible unit label for a character (space as ␣, newline as \\n)."""
    return _CHAR_LABELS.get(ch, ch)


def text_dataset(text: str, name: str, seq_len: int = 25, source: str = "") -> Dataset:
    """One-hot next-character prediction on ``text``, as in Karpathy's min-char-rnn.

    The alphabet is the sorted set of characters of the text; unit names are the characters
    (space shown as ␣). The text is cut into consecutive sequences of ``seq_len`` steps, x(t) the
    character at position p + t and d(t) the one after it; a shorter last sequence is kept when it
    has at least 2 steps. Argmax scoring on every step.

    Raises
    ------
    DatasetError
        When the text has fewer than 2 distinct characters or fewer than 3 characters (one
        sequence of 2 steps needs 3).
        Also when the data set would break a bound of ``core.limits`` (more than
        ``MAX_LAYER_SIZE`` distinct characters, ``MAX_SEQUENCES`` sequences or ``MAX_VALUES``
        numbers), before it is built.
    ValueError
        When ``seq_len`` is not an integer from 2 to ``MAX_STEPS``.
    """
    whole = isinstance(seq_len, int | np.integer) and not isinstance(seq_len, bool)
    if not whole or not 2 <= seq_len <= MAX_STEPS:
        raise ValueError(
            f"seq_len must be an integer from 2 to {show_count(MAX_STEPS)}, got {seq_len!r}"
        )
    alphabet = sorted(set(text))
    if len(alphabet) < 2:
        raise DatasetError(
            f"the text needs at least 2 distinct characters to predict, it has {len(alphabet)}",
            path=source or None,
        )
    if len(text) < 3:
        raise DatasetError(
            f"the text has {len(text)} characters; one sequence of 2 steps needs 3",
            path=source or None,
        )
    if len(alphabet) > MAX_LAYER_SIZE:  # one input and one output unit per character
        problem = over_limit("the text has", len(alphabet), MAX_LAYER_SIZE, "distinct characters")
        raise DatasetError(f"{problem} (one input unit each)", path=source or None)
    steps = len(text) - 1
    lengths = [min(seq_len, steps - start) for start in range(0, steps, seq_len)]
    too_large = size_problem(len(alphabet), len(alphabet), [n for n in lengths if n >= 2])
    if too_large is not None:
        raise DatasetError(too_large, path=source or None)
    code = {ch: i for i, ch in enumerate(alphabet)}
    idx = np.array([code[ch] for ch in text])
    labels = tuple(char_label(ch) for ch in alphabet)
    sequences = []
    for start in range(0, len(text) - 1, seq_len):
        stop = min(start + seq_len, len(text) - 1)
        if stop - start < 2:
            break
        sequences.append(
            Sequence(
                x=_one_hot(idx[start:stop], len(alphabet)),
                d=_one_hot(idx[start + 1 : stop + 1], len(alphabet)),
                symbols=tuple(labels[i] for i in idx[start:stop]),
            )
        )
    return Dataset(
        name,
        tuple(sequences),
        labels,
        labels,
        output="softmax",
        scoring="argmax",
        source=source,
        meta={"alphabet": "".join(alphabet)},
    )


def char_text(rng: Rng, *, seq_len: int = 25) -> Dataset:
    """min-char-rnn on the opening sentence of Alice in Wonderland (the seed is not used)."""
    del rng
    return text_dataset(TEXT, "char-text", seq_len, source="Carroll (1865), Alice, chapter 1")


# -- the registry -------------------------------------------------------------------------------
def check_params(name: str, params: Mapping[str, Any]) -> None:
    """Raise :class:`TaskParamError` unless every one of ``params`` is a parameter of task
    ``name`` with a value of its type within its bounds (the task must exist)."""
    specs = TASKS[name].param_specs
    for key, value in params.items():
        if key not in specs:
            known = f"its parameters: {', '.join(specs) or 'none'}"
            message = f"task {name!r} has no parameter {key!r}; {known}"
            raise TaskParamError(
                name, key, f"is not a parameter of task {name!r}; {known}", message
            )
        problem = specs[key].problem(value)
        if problem is not None:
            raise TaskParamError(name, key, problem)


def check_seed(seed: Any) -> None:
    """Raise ValueError unless ``seed`` is an integer from 0 to ``SEED_MAX``."""
    whole = isinstance(seed, int | np.integer) and not isinstance(seed, bool | np.bool_)
    if not whole or not 0 <= seed <= SEED_MAX:
        raise ValueError(
            f"seed must be an integer from 0 to {show_count(SEED_MAX)}, got {_shown(seed)}"
        )


def _generate(
    name: str,
    generator: Callable[..., Dataset],
    defaults: Mapping[str, Param],
    seed: int = 0,
    **params: Any,
) -> Dataset:
    check_seed(seed)
    check_params(name, params)
    values = {**defaults, **params}
    data = generator(np.random.default_rng(int(seed)), **values)
    setting = " ".join(f"{k}={v}" for k, v in values.items())
    return Dataset(
        data.name,
        data.sequences,
        data.input_names,
        data.output_names,
        data.output,
        data.scoring,
        data.legal_threshold,
        source=f"task {name} seed={seed}" + (f" {setting}" if setting else ""),
        meta={**data.meta, "task": name, "seed": int(seed), "params": values},
    )


def _spec(
    name: str,
    title: str,
    description: str,
    generator: Callable[..., Dataset],
    bounds: Mapping[str, tuple[float, float] | tuple[str, ...]],
    **rec: Any,
) -> TaskSpec:
    """A TaskSpec whose parameters are the keyword-only ones of ``generator``; ``bounds`` gives
    (low, high) of each number and the choices of each string (every parameter but a bool)."""
    defaults = MappingProxyType(
        {
            p.name: p.default
            for p in inspect.signature(generator).parameters.values()
            if p.kind is inspect.Parameter.KEYWORD_ONLY
        }
    )
    specs = {}
    for key, default in defaults.items():
        bound = bounds.get(key, ())
        if isinstance(default, bool):
            specs[key] = ParamSpec(key, default)
        elif isinstance(default, str):
            specs[key] = ParamSpec(key, default, choices=tuple(map(str, bound)))
        else:
            low, high = (float(b) for b in bound)
            specs[key] = ParamSpec(key, default, low, high)
        if specs[key].problem(default) is not None:  # a task must accept its own defaults
            raise AssertionError(f"task {name!r}: default of {key!r} is out of its bounds")
    make = partial(_generate, name, generator, defaults)
    return TaskSpec(
        name, title, " ".join(description.split()), defaults, make, MappingProxyType(specs), **rec
    )


TASKS: Mapping[str, TaskSpec] = MappingProxyType(
    {
        spec.name: spec
        for spec in (
            _spec(
                "temporal-xor",
                "Temporal XOR",
                """A stream of bits in which every third bit is the XOR of the two before it;
                the network predicts the next bit. Only the XOR bits are predictable, so the
                error should fall on them and stay near chance elsewhere (Elman 1990, Finding
                structure in time, Cognitive Science 14).""",
                temporal_xor,
                {"n_sequences": (1, 5000), "triples": (1, 100)},
                hidden="tanh",
                n_hidden=8,
                lr=0.01,
                epochs=150,
            ),
            _spec(
                "letters",
                "Letter sequences",
                """Random consonants b, d, g, each followed by its vowels (ba, dii, guuu); every
                letter is a vector of six phonetic features and the network predicts the next
                letter's features. Vowels become predictable, consonants stay unpredictable, so
                the error is low on vowels and high on consonants (Elman 1990, Finding structure
                in time, Table 1).""",
                letters,
                {"n_sequences": (1, 1000), "syllables": (1, 100)},
                hidden="tanh",
                n_hidden=12,
                lr=0.01,
                epochs=40,
            ),
            _spec(
                "reber",
                "Embedded Reber grammar",
                """Strings of the embedded Reber grammar, B T <Reber string> T E or
                B P <Reber string> P E; the network predicts the next symbol. A prediction is
                correct when exactly the legal successors get an output above 0.3; the
                second-to-last symbol needs memory of the second across the whole embedded string
                (Cleeremans, Servan-Schreiber & McClelland 1989, Neural Computation 1).""",
                reber,
                {"n_sequences": (1, 5000), "max_length": (9, 60)},
                hidden="tanh",
                n_hidden=16,
                lr=0.05,
                momentum=0.9,
                epochs=300,
                update="epoch",
                clip=1.0,
            ),
            _spec(
                "anbn",
                "a^n b^n counting",
                """Strings a^n b^n followed by an end symbol; the network predicts the next
                symbol. The number of a's is unpredictable, but once the first b arrives the rest
                of the string is determined: the network must count (Rodriguez, Wiles & Elman
                1999, A recurrent neural network that learns to count, Connection Science 11).""",
                anbn,
                {"n_sequences": (1, 1000), "n_min": (1, 50), "n_max": (1, 50), "strings": (1, 8)},
                hidden="tanh",
                n_hidden=8,
                lr=0.02,
                epochs=100,
            ),
            _spec(
                "sine",
                "Sine wave",
                """Predict the next value of a sine wave (or a damped one) from the current
                value: one input, logistic hidden units, one linear output and the squared error,
                the network of the one-unit worked example (after Graves 2012, Supervised
                sequence labelling with recurrent neural networks, sec. 3.2). The value alone
                does not say whether the wave rises or falls, so the context must.""",
                sine,
                {
                    "n_sequences": (1, 1000),
                    "length": (2, 1000),
                    "period": (2.0, 1000.0),
                    "preset": ("sine", "damped"),
                    "damping": (0.0, 10.0),
                },
                hidden="logistic",
                n_hidden=4,
                lr=0.05,
                momentum=0.9,
                epochs=100,
            ),
            _spec(
                "two-back",
                "Two-back classes",
                """The tanh/softmax network of Goodfellow, Bengio & Courville (2016), Deep
                Learning ch. 10, at the size of the built-in example - four one-hot inputs, five
                tanh hidden units, three softmax classes - on random symbol strings where the
                class is the symbol seen two steps earlier modulo 3, so the answer is in the
                recurrent state, not the input.""",
                two_back,
                {"n_sequences": (1, 1000), "length": (1, 500)},
                hidden="tanh",
                n_hidden=5,
                lr=0.01,
                epochs=100,
            ),
            _spec(
                "delayed-recall",
                "Delayed recall",
                """Output the symbol seen a fixed number of steps ago. The error must travel back
                through the recurrent weights for that many steps, so the gradient shrinks with
                the delay and truncated BPTT shorter than the delay cannot learn the task
                (Bengio, Simard & Frasconi 1994, IEEE Transactions on Neural Networks 5).""",
                delayed_recall,
                {
                    "n_sequences": (1, 500),
                    "length": (2, 200),
                    "delay": (1, 199),
                    "n_symbols": (2, 20),
                },
                hidden="tanh",
                n_hidden=12,
                lr=0.05,
                epochs=40,
            ),
            _spec(
                "char-text",
                "Characters of a text",
                """Predict the next character of the opening of Alice's Adventures in Wonderland
                (Carroll 1865), one-hot characters in and a softmax over the text's alphabet out,
                in sequences of 25 steps (Karpathy 2015, min-char-rnn; Elman 1990 for letters in
                words).""",
                char_text,
                {"seq_len": (2, 1000)},
                hidden="tanh",
                n_hidden=32,
                lr=0.05,
                epochs=100,
                clip=5.0,
            ),
        )
    }
)


def make_task(name: str, seed: int = 0, **params: Any) -> Dataset:
    """The data set of task ``name`` generated from ``seed`` with parameters overriding defaults.

    Raises ``ValueError`` naming the known tasks when ``name`` is unknown or the seed is out of
    0..SEED_MAX, :class:`TaskParamError` (a ValueError) naming the parameters when one is unknown
    and the allowed values when one is of the wrong type or out of its bounds (checked before
    anything is generated), and ValueError when parameters contradict each other.
    """
    if name not in TASKS:
        raise ValueError(f"unknown task {name!r}; known tasks: {', '.join(TASKS)}")
    return TASKS[name].make(seed, **params)
