"""The built-in tasks: reproducible, well-formed, and each one the structure its paper describes."""

from __future__ import annotations

import re
from collections import defaultdict

import numpy as np
import pytest

from core.data import Dataset, DatasetError
from core.model import SRN
from core.tasks import (
    LETTERS,
    REBER_GRAMMAR,
    REBER_SYMBOLS,
    TASKS,
    TEXT,
    TaskSpec,
    make_task,
    text_dataset,
)
from core.training import TrainConfig

NAMES = sorted(TASKS)


def assert_same_data(a: Dataset, b: Dataset) -> None:
    assert (a.name, a.input_names, a.output_names, a.output, a.scoring, a.source) == (
        b.name,
        b.input_names,
        b.output_names,
        b.output,
        b.scoring,
        b.source,
    )
    assert len(a) == len(b)
    for sa, sb in zip(a.sequences, b.sequences, strict=True):
        np.testing.assert_array_equal(sa.x, sb.x)
        np.testing.assert_array_equal(sa.d, sb.d)
        np.testing.assert_array_equal(sa.scored, sb.scored)
        assert sa.symbols == sb.symbols
        if sa.legal is not None or sb.legal is not None:
            np.testing.assert_array_equal(sa.legal, sb.legal)


def symbols_of(one_hot: np.ndarray, names: tuple[str, ...]) -> str:
    return "".join(names[i] for i in np.argmax(one_hot, axis=1))


# -- the registry -------------------------------------------------------------------------------
def test_registry_holds_the_eight_tasks() -> None:
    assert set(TASKS) == {
        "temporal-xor",
        "letters",
        "reber",
        "anbn",
        "sine",
        "two-back",
        "delayed-recall",
        "char-text",
    }


@pytest.mark.parametrize("name", NAMES)
def test_spec_is_complete(name: str) -> None:
    spec = TASKS[name]
    assert isinstance(spec, TaskSpec)
    assert spec.name == name
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name)
    assert spec.title and spec.description
    assert re.search(r"\b(19|20)\d\d\b", spec.description), "the description cites a paper"
    assert "\n" not in spec.description and "  " not in spec.description
    for key, value in spec.params.items():
        assert isinstance(value, int | float | str | bool), key
    with pytest.raises(TypeError):
        spec.params["x"] = 1  # type: ignore[index]


@pytest.mark.parametrize("name", NAMES)
def test_recommended_settings_build_a_network_and_a_config(name: str) -> None:
    spec = TASKS[name]
    data = spec.make(0)
    config = spec.train_config()
    assert isinstance(config, TrainConfig)
    assert (config.lr, config.momentum, config.epochs) == (spec.lr, spec.momentum, spec.epochs)
    assert (config.update, config.truncation, config.clip) == (
        spec.update,
        spec.truncation,
        spec.clip,
    )
    assert spec.train_config(epochs=3).epochs == 3
    net = spec.network(data, seed=1)
    assert isinstance(net, SRN)
    assert (net.n_in, net.n_hidden, net.n_out) == (data.n_in, spec.n_hidden, data.n_out)
    assert (net.hidden, net.output) == (spec.hidden, data.output)
    assert spec.network(data, n_hidden=3, hidden="relu").n_hidden == 3


@pytest.mark.parametrize("name", NAMES)
def test_data_set_is_well_formed(name: str) -> None:
    data = make_task(name, seed=3)
    assert isinstance(data, Dataset)
    assert len(data) >= 1
    assert data.meta["task"] == name and data.meta["seed"] == 3
    assert data.meta["params"] == dict(TASKS[name].params)
    assert name in data.source
    for seq in data.sequences:
        assert seq.x.shape == (seq.T, data.n_in) and seq.d.shape == (seq.T, data.n_out)
        assert seq.T >= 2
        if seq.symbols:
            assert len(seq.symbols) == seq.T
        if data.scoring != "none":
            assert seq.scored.any()
    if data.scoring == "legal":
        assert all(s.legal is not None for s in data.sequences)


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_same_data(name: str) -> None:
    assert_same_data(make_task(name, seed=5), make_task(name, seed=5))


@pytest.mark.parametrize("name", [n for n in NAMES if n != "char-text"])
def test_another_seed_other_data(name: str) -> None:
    a, b = make_task(name, seed=1), make_task(name, seed=2)
    xa = np.concatenate([s.x.ravel() for s in a.sequences])
    xb = np.concatenate([s.x.ravel() for s in b.sequences])
    assert xa.shape != xb.shape or not np.array_equal(xa, xb)


def test_make_task_refuses_unknown_names_and_parameters() -> None:
    with pytest.raises(ValueError, match=r"unknown task 'nope'.*temporal-xor"):
        make_task("nope")
    with pytest.raises(ValueError, match=r"no parameter 'lenght'.*triples"):
        make_task("temporal-xor", lenght=3)
    with pytest.raises(ValueError, match=r"'triples' must be an integer from 1 to 100, got 2\.5"):
        make_task("temporal-xor", triples=2.5)
    with pytest.raises(ValueError, match=r"'triples' must be an integer .* got true"):
        make_task("temporal-xor", triples=True)
    with pytest.raises(ValueError, match="'triples' must be an integer from 1 to 100, got 0"):
        make_task("temporal-xor", triples=0)
    with pytest.raises(ValueError, match="seed must be an integer from 0 to 2,147,483,647"):
        make_task("temporal-xor", seed=-1)
    with pytest.raises(ValueError, match="n_min <= n_max"):
        make_task("anbn", n_min=5, n_max=2)
    with pytest.raises(ValueError, match="preset"):
        make_task("sine", preset="square")
    with pytest.raises(ValueError, match="length must be > delay"):
        make_task("delayed-recall", delay=5, length=5)
    assert len(make_task("sine", period=10).sequences) == TASKS["sine"].params["n_sequences"]
    assert_same_data(make_task("sine", period=10), TASKS["sine"].make(0, period=10))


# -- each task's structure ----------------------------------------------------------------------
def test_temporal_xor_every_third_bit_is_the_xor_of_the_two_before() -> None:
    data = make_task("temporal-xor", seed=0, n_sequences=5, triples=6)
    for seq in data.sequences:
        stream = np.concatenate([seq.x[:, 0], seq.d[-1:, 0]]).astype(int)
        np.testing.assert_array_equal(seq.d[:-1, 0], seq.x[1:, 0])  # next-bit prediction
        triples = stream.reshape(-1, 3)
        np.testing.assert_array_equal(triples[:, 2], triples[:, 0] ^ triples[:, 1])
        predictable = np.arange(1, len(stream)) % 3 == 2  # index in the stream of each target
        np.testing.assert_array_equal(seq.scored, predictable)
    assert data.output == "logistic" and data.scoring == "threshold"


def test_letters_follow_elmans_rules_and_table() -> None:
    data = make_task("letters", seed=1)
    decode = {v: k for k, v in LETTERS.items()}
    assert LETTERS["d"] == (1, 0, 1, 1, 0, 1) and LETTERS["u"] == (0, 1, 0, 1, 1, 1)
    for seq in data.sequences:
        text = "".join(decode[tuple(int(v) for v in row)] for row in seq.x)
        text += decode[tuple(int(v) for v in seq.d[-1])]
        assert "".join(seq.symbols) == text[:-1]
        assert re.fullmatch(r"(ba|dii|guuu)+[bdg]", text)
        is_vowel = np.array([ch in "aiu" for ch in text[1:]])
        np.testing.assert_array_equal(seq.scored, is_vowel)
        np.testing.assert_array_equal(seq.d[:, 1] == 1, is_vowel)
    assert data.meta["vowels"] == ("a", "i", "u")


def _reber_next(state: int, symbol: str) -> int | None:
    return next((nxt for s, nxt in REBER_GRAMMAR[state] if s == symbol), None)


def _accepts_embedded(text: str) -> bool:
    """An independent recogniser of the embedded Reber grammar."""
    if len(text) < 9 or text[0] != "B" or text[1] not in "TP" or text[2] != "B":
        return False
    if text[-2] != text[1] or text[-1] != "E":
        return False
    state: int | None = 1
    for symbol in text[3:-2]:
        if state is None or state == 0:
            return False
        state = _reber_next(state, symbol)
    return state == 0


def test_reber_strings_are_grammatical_and_legal_tables_exact() -> None:
    data = make_task("reber", seed=2, n_sequences=400)
    successors: dict[str, set[str]] = defaultdict(set)
    for seq in data.sequences:
        text = "".join(seq.symbols) + REBER_SYMBOLS[int(np.argmax(seq.d[-1]))]
        assert _accepts_embedded(text), text
        assert len(text) <= TASKS["reber"].params["max_length"]
        assert symbols_of(seq.x, REBER_SYMBOLS) == text[:-1]
        assert symbols_of(seq.d, REBER_SYMBOLS) == text[1:]
        assert seq.legal is not None and seq.legal.shape == (seq.T, 7)
        for t in range(seq.T):
            assert seq.legal[t, REBER_SYMBOLS.index(text[t + 1])]  # what follows is legal
            successors[text[: t + 1]].add(text[t + 1])
        assert seq.legal[-2].sum() == 1 and seq.legal[-2, REBER_SYMBOLS.index(text[1])]
    # Wherever a prefix was seen often, the symbols seen after it are exactly the legal ones.
    for seq in data.sequences:
        prefix = "".join(seq.symbols)
        for t in range(seq.T):
            seen = successors[prefix[: t + 1]]
            legal = {REBER_SYMBOLS[k] for k in np.flatnonzero(seq.legal[t])}
            assert seen <= legal
            if t < 4:  # short prefixes occur in many strings
                assert seen == legal


def test_balanced_reber_data_takes_every_fork_equally_often() -> None:
    data = make_task("reber", seed=4, n_sequences=400)
    texts = ["".join(s.symbols) + "E" for s in data.sequences]
    inner = sorted(t[2:-2] for t in texts)
    assert inner[::2] == inner[1::2]  # each inner string once in each branch
    assert sorted(t[1] for t in texts) == ["P"] * 200 + ["T"] * 200
    nexts: dict[str, list[str]] = defaultdict(list)
    for t in texts:
        for i in range(3, len(t) - 2):
            nexts[t[2:i]].append(t[i])
    forks = [v for v in nexts.values() if len(set(v)) == 2]
    assert len(forks) > 20
    for v in forks:  # wherever strings share a prefix, they split evenly (odd ones out aside)
        a, b = sorted(set(v))
        assert abs(v.count(a) - v.count(b)) <= 2  # 1 per inner string, which appears twice


def test_unbalanced_reber_data_is_independent_draws() -> None:
    data = make_task("reber", seed=4, n_sequences=400, balanced=False, max_length=12)
    texts = ["".join(s.symbols) + "E" for s in data.sequences]
    assert all(_accepts_embedded(t) and len(t) <= 12 for t in texts)
    inner = sorted(t[2:-2] for t in texts)
    assert inner[::2] != inner[1::2]
    assert 150 < sum(t[1] == "T" for t in texts) < 250


@pytest.mark.parametrize("max_length", [9, 10, 13])
def test_reber_respects_short_length_limits(max_length: int) -> None:
    for balanced in (True, False):
        data = make_task("reber", seed=0, n_sequences=40, max_length=max_length, balanced=balanced)
        assert max(s.T + 1 for s in data.sequences) <= max_length


def test_anbn_strings_and_scored_steps() -> None:
    data = make_task("anbn", seed=0, n_min=2, n_max=5, strings=2)
    assert data.meta["n"] and all(len(ns) == 2 for ns in data.meta["n"])
    for seq, ns in zip(data.sequences, data.meta["n"], strict=True):
        text = "".join(seq.symbols) + "#"
        assert text == "#" + "".join("a" * n + "b" * n + "#" for n in ns)
        assert all(2 <= n <= 5 for n in ns)
        assert symbols_of(seq.d, ("a", "b", "#")) == text[1:]
        scored_targets = [(text[t], text[t + 1]) for t in range(seq.T) if seq.scored[t]]
        assert all(nxt == "#" or (cur, nxt) == ("b", "b") for cur, nxt in scored_targets)
        assert len(scored_targets) == sum(ns)  # n - 1 b's and one # per string
    assert data.scoring == "argmax"


@pytest.mark.parametrize("preset", ["sine", "damped"])
def test_sine_is_next_value_prediction(preset: str) -> None:
    data = make_task("sine", seed=0, preset=preset, length=40)
    for seq in data.sequences:
        np.testing.assert_allclose(seq.d[:-1], seq.x[1:])
        assert np.abs(seq.x).max() <= 0.8 + 1e-12
    assert data.output == "linear" and data.scoring == "none" and data.n_in == data.n_out == 1
    if preset == "damped":
        peaks = [np.abs(s.x[:12]).max() - np.abs(s.x[-12:]).max() for s in data.sequences]
        assert min(peaks) > 0


def test_two_back_shape_and_rule() -> None:
    data = make_task("two-back", seed=0)
    net = TASKS["two-back"].network(data)
    assert (net.n_in, net.n_hidden, net.n_out) == (4, 5, 3)  # U 5x4, W 5x5, V 3x5: the example
    for seq in data.sequences:
        s = np.argmax(seq.x, axis=1)
        cls = np.argmax(seq.d, axis=1)
        np.testing.assert_array_equal(cls[2:], s[:-2] % 3)
        np.testing.assert_array_equal(cls[:2], [0, 0])


@pytest.mark.parametrize("delay", [1, 3, 5])
def test_delayed_recall_targets_are_the_delayed_inputs(delay: int) -> None:
    data = make_task("delayed-recall", seed=0, delay=delay, n_symbols=3)
    for seq in data.sequences:
        np.testing.assert_array_equal(seq.d[delay:], seq.x[:-delay])
        assert not seq.d[:delay].any() and not seq.scored[:delay].any()
        assert seq.scored[delay:].all()


# -- text ---------------------------------------------------------------------------------------
def test_text_dataset_round_trips_the_text() -> None:
    text = "the cat sat on the mat\nand the dog sat too."
    data = text_dataset(text, "pets", seq_len=8, source="pets.txt")
    alphabet = data.meta["alphabet"]
    assert alphabet == "".join(sorted(set(text)))
    assert data.input_names == data.output_names and "␣" in data.input_names
    assert "\\n" in data.input_names
    rebuilt = "".join(alphabet[i] for s in data.sequences for i in np.argmax(s.x, axis=1))
    rebuilt += alphabet[int(np.argmax(data.sequences[-1].d[-1]))]
    assert rebuilt == text
    assert [s.T for s in data.sequences[:-1]] == [8] * (len(data) - 1)
    for s in data.sequences:
        np.testing.assert_array_equal(s.d[:-1], s.x[1:])
    assert (data.name, data.source, data.output, data.scoring) == (
        "pets",
        "pets.txt",
        "softmax",
        "argmax",
    )


def test_text_dataset_keeps_a_short_tail_and_short_texts() -> None:
    assert [s.T for s in text_dataset("abcabcabcab", "t", seq_len=4).sequences] == [4, 4, 2]
    assert [s.T for s in text_dataset("abcabcabca", "t", seq_len=4).sequences] == [4, 4]
    assert [s.T for s in text_dataset("aba", "t").sequences] == [2]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("aaaaaaa", "at least 2 distinct characters"),
        ("", "at least 2 distinct characters"),
        ("ab", "one sequence of 2 steps needs 3"),
    ],
)
def test_text_dataset_refuses_unusable_text(text: str, message: str) -> None:
    with pytest.raises(DatasetError, match=message) as info:
        text_dataset(text, "t", source="t.txt")
    assert info.value.path == "t.txt"


@pytest.mark.parametrize("seq_len", [1, 0, 2.5, True])
def test_text_dataset_refuses_bad_sequence_length(seq_len: object) -> None:
    with pytest.raises(ValueError, match="seq_len"):
        text_dataset("abcabc", "t", seq_len=seq_len)  # type: ignore[arg-type]


def test_char_text_is_the_built_in_text() -> None:
    data = make_task("char-text", seq_len=30)
    assert data.meta["alphabet"] == "".join(sorted(set(TEXT)))
    assert sum(s.T for s in data.sequences) == len(TEXT) - 1
