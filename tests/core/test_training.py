"""The trainer: validated settings, exact update rules, reproducibility, divergence, and that the
recommended settings of every task really learn it."""

from __future__ import annotations

import dataclasses
import itertools
import math

import numpy as np
import pytest

from core import training
from core.bptt import bptt
from core.data import Dataset, Sequence
from core.model import PARAM_NAMES, SRN
from core.tasks import TASKS, make_task
from core.training import EpochRecord, Progress, TrainConfig, evaluate, global_norm, train


def run(net: SRN, data: Dataset, **config: object) -> list[EpochRecord]:
    return list(train(net, data, TrainConfig(**config)))  # type: ignore[arg-type]


def small_data() -> Dataset:
    """Three sequences of unequal length (so batches are padded) with softmax targets."""
    return make_task("anbn", seed=0, n_sequences=3, n_min=1, n_max=4)


def mean_sequence_gradient(net: SRN, data: Dataset, **kw: object) -> dict[str, np.ndarray]:
    """(1/N) sum_n dL_n/dtheta, one bptt call per sequence (the reference for update="epoch")."""
    traces = [bptt(net, s.x, s.d, **kw) for s in data.sequences]  # type: ignore[arg-type]
    return {n: sum(tr.grads[n] for tr in traces) / len(traces) for n in PARAM_NAMES}


# -- settings -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("lr", 0.0, "learning rate"),
        ("lr", -1.0, "learning rate"),
        ("lr", math.inf, "learning rate"),
        ("lr", "0.1", "learning rate"),
        ("momentum", 1.0, "momentum"),
        ("momentum", -0.1, "momentum"),
        ("clip", 0.0, "clip"),
        ("clip", math.nan, "clip"),
        ("update", "batch", "update"),
        ("truncation", 0, "truncation"),
        ("truncation", 2.5, "truncation"),
        ("truncation", True, "truncation"),
        ("mode", "full", "truncation mode"),
        ("shuffle", 1, "shuffle"),
        ("seed", -1, "seed"),
        ("seed", 1.5, "seed"),
        ("epochs", 0, "epochs"),
        ("epochs", 10.0, "epochs"),
    ],
)
def test_config_refuses_bad_values(field: str, value: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        TrainConfig(**{field: value})  # type: ignore[arg-type]


def test_config_round_trips_as_plain_values() -> None:
    config = TrainConfig(lr=0.2, momentum=0.5, clip=3.0, update="epoch", truncation=4)
    assert TrainConfig(**config.as_dict()) == config
    numpy_made = TrainConfig(lr=np.float32(0.5), clip=np.int64(2), seed=np.int64(3), epochs=1)
    values = numpy_made.as_dict()
    assert values["lr"] == 0.5 and values["clip"] == 2.0 and values["seed"] == 3
    assert [type(values[k]) for k in ("lr", "clip", "seed", "shuffle")] == [float, float, int, bool]
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.lr = 1.0  # type: ignore[misc]


def test_train_checks_its_arguments_before_the_first_record() -> None:
    data = small_data()
    with pytest.raises(
        ValueError, match=r"2 inputs and 3 outputs but .* has 3 inputs and 3 outputs"
    ):
        train(SRN.init(2, 4, 3), data, TrainConfig())
    with pytest.raises(ValueError, match="TrainConfig"):
        train(SRN.init(3, 4, 3), data, {"lr": 0.1})  # type: ignore[arg-type]


# -- records ------------------------------------------------------------------------------------
def test_records_are_immutable_and_describe_their_network() -> None:
    data = small_data()
    net = SRN.init(3, 4, 3, seed=1)
    records = run(net, data, epochs=3, lr=0.05)
    assert [r.epoch for r in records] == [1, 2, 3]
    assert all(r.diverged is None for r in records)
    assert [r.elapsed for r in records] == sorted(r.elapsed for r in records)
    for r in records:
        assert r.grad_norms.shape == r.clipped_norms.shape == (len(data),)  # one per sequence
        for arr in (r.seq_loss, r.grad_norms, r.clipped_norms):
            assert not arr.flags.writeable
        with pytest.raises(dataclasses.FrozenInstanceError):
            r.loss = 0.0  # type: ignore[misc]
        loss, score, ys = evaluate(r.net, data)
        assert r.loss == pytest.approx(loss, rel=1e-12)
        assert r.score == score == data.score(ys)
        steps = sum(s.T for s in data.sequences)
        assert r.seq_loss.sum() / steps == pytest.approx(r.loss, rel=1e-12)
        for s, y, seq_loss in zip(data.sequences, ys, r.seq_loss, strict=True):
            assert bptt(r.net, s.x, s.d).loss == pytest.approx(seq_loss, rel=1e-12)
            assert y.shape == (s.T, 3) and not y.flags.writeable
    assert not records[-1].net.same_weights(net)


@pytest.mark.parametrize("name", sorted(TASKS))
def test_vectorised_score_equals_dataset_score(name: str) -> None:
    data = make_task(name, seed=1)
    spec = TASKS[name]
    for seed in (0, 1):
        net = spec.network(data, seed=seed)
        loss, score, ys = evaluate(net, data)
        assert score == data.score(ys)
        assert len(ys) == len(data)
        assert math.isfinite(loss)


def test_evaluate_refuses_a_network_of_the_wrong_shape() -> None:
    with pytest.raises(ValueError, match="inputs"):
        evaluate(SRN.init(4, 3, 3), small_data())


def test_global_norm_survives_huge_and_reports_nonfinite() -> None:
    big = [np.full(3, 1e200), np.full(2, -1e200)]
    assert global_norm(big) == pytest.approx(1e200 * math.sqrt(5))
    assert global_norm({"a": np.array([3.0, 4.0])}) == 5.0
    assert math.isinf(global_norm([np.array([1.0, np.inf])]))
    assert math.isnan(global_norm([np.array([1.0, np.nan])]))


# -- the update rules ---------------------------------------------------------------------------
@pytest.mark.parametrize("truncation", [None, 2])
def test_epoch_update_is_gradient_descent_on_the_mean_sequence_loss(truncation: int | None) -> None:
    data = small_data()
    net = SRN.init(3, 4, 3, seed=2)
    (record,) = run(net, data, epochs=1, lr=0.3, update="epoch", truncation=truncation)
    g = mean_sequence_gradient(net, data, truncation=truncation)
    for n in net.trainable():
        np.testing.assert_allclose(record.net.params()[n], net.params()[n] - 0.3 * g[n], atol=1e-13)
    np.testing.assert_array_equal(record.net.h0, net.h0)  # h0 is not trainable here
    assert record.grad_norms.shape == (1,)
    assert record.grad_norms[0] == pytest.approx(global_norm([g[n] for n in net.trainable()]))


def test_sequence_update_follows_each_sequence_in_order() -> None:
    data = small_data()
    net = SRN.init(3, 4, 3, seed=3, train_h0=True)
    (record,) = run(net, data, epochs=1, lr=0.1, shuffle=False)
    expected = net
    for s in data.sequences:
        g = bptt(expected, s.x, s.d).grads
        expected = expected.with_params(**{n: expected.params()[n] - 0.1 * g[n] for n in g})
    for n in PARAM_NAMES:
        np.testing.assert_allclose(record.net.params()[n], expected.params()[n], atol=1e-13)
    assert not np.array_equal(record.net.h0, net.h0)  # train_h0 moves h0


def test_momentum_carries_the_previous_step() -> None:
    data = small_data()
    net0 = SRN.init(3, 4, 3, seed=4)
    lr, mu = 0.2, 0.7
    r1, r2 = run(net0, data, epochs=2, lr=lr, momentum=mu, update="epoch")
    g1 = mean_sequence_gradient(r1.net, data)
    for n in net0.trainable():
        step1 = r1.net.params()[n] - net0.params()[n]
        np.testing.assert_allclose(step1, -lr * mean_sequence_gradient(net0, data)[n], atol=1e-13)
        expected = r1.net.params()[n] + mu * step1 - lr * g1[n]  # v2 = mu v1 - lr g(theta1)
        np.testing.assert_allclose(r2.net.params()[n], expected, atol=1e-12)


def test_clipping_bounds_the_applied_gradient() -> None:
    data = make_task("temporal-xor", seed=0, n_sequences=10)
    net = SRN.init(1, 6, 1, output="logistic", seed=0)
    clip = 0.05
    records = run(net, data, epochs=3, lr=0.1, clip=clip, shuffle=False)
    before = np.concatenate([r.grad_norms for r in records])
    after = np.concatenate([r.clipped_norms for r in records])
    assert (before > clip).any()
    assert np.all(after <= clip * (1 + 1e-12))
    np.testing.assert_allclose(after, np.minimum(before, clip), rtol=1e-12)
    # The first step has exactly length lr * clip in the direction of -g.
    g = bptt(net, data.sequences[0].x, data.sequences[0].d).grads
    norm = global_norm([g[n] for n in net.trainable()])
    (first,) = run(net, Dataset("one", data.sequences[:1], ("bit",), ("next bit",)), epochs=1,
                   lr=0.1, clip=clip)  # fmt: skip
    for n in net.trainable():
        step = first.net.params()[n] - net.params()[n]
        np.testing.assert_allclose(step, -0.1 * clip * g[n] / norm, atol=1e-14)


def test_same_seed_same_records_other_seed_other_order() -> None:
    data = make_task("letters", seed=0, n_sequences=8)
    net = TASKS["letters"].network(data, seed=5)
    a = run(net, data, epochs=3, lr=0.05, momentum=0.5, seed=11)
    b = run(net, data, epochs=3, lr=0.05, momentum=0.5, seed=11)
    c = run(net, data, epochs=3, lr=0.05, momentum=0.5, seed=12)
    for ra, rb in zip(a, b, strict=True):
        assert ra.net.same_weights(rb.net)
        assert ra.loss == rb.loss and ra.score == rb.score
        np.testing.assert_array_equal(ra.seq_loss, rb.seq_loss)
        np.testing.assert_array_equal(ra.grad_norms, rb.grad_norms)
    assert not a[-1].net.same_weights(c[-1].net)  # another seed shuffles differently


# -- divergence ---------------------------------------------------------------------------------
@pytest.mark.parametrize("update", ["epoch", "sequence"])
def test_divergence_keeps_the_last_finite_network(update: str) -> None:
    data = make_task("sine", seed=0, n_sequences=4, length=10)
    net = SRN.init(1, 3, 1, hidden="tanh", output="linear", seed=0)
    records = run(net, data, epochs=500, lr=1e6, update=update)
    *good, last = records
    assert 1 <= len(good) < 499, "lr = 1e6 should blow up after a few epochs"
    assert all(r.diverged is None and math.isfinite(r.loss) for r in good)
    assert last.diverged is not None and "diverged" in last.diverged
    assert last.epoch == good[-1].epoch + 1
    assert last.net.same_weights(good[-1].net)
    assert all(np.isfinite(a).all() for a in last.net.params().values())
    assert last.loss == good[-1].loss and math.isfinite(last.loss)
    np.testing.assert_array_equal(last.seq_loss, good[-1].seq_loss)


def test_divergence_in_the_first_epoch_keeps_the_starting_network() -> None:
    data = make_task("sine", seed=0, n_sequences=2, length=6)
    net = SRN.init(1, 3, 1, output="linear", seed=0)
    (record,) = run(net, data, epochs=5, lr=1e305, update="epoch")
    assert record.epoch == 1 and record.diverged is not None
    assert "starting weights" in record.diverged
    assert record.net.same_weights(net)
    assert record.loss == pytest.approx(evaluate(net, data)[0])


# -- the recommended settings learn each task ---------------------------------------------------
def train_task(name: str, seed: int = 0, **overrides: object) -> tuple[SRN, Dataset]:
    spec = TASKS[name]
    params = {k: overrides.pop(k) for k in list(overrides) if k in spec.params}
    data = make_task(name, seed=seed, **params)
    records = list(train(spec.network(data, seed=seed), data, spec.train_config(**overrides)))
    assert records[-1].diverged is None
    assert records[-1].loss < records[0].loss
    return records[-1].net, data


def test_temporal_xor_learns_the_predictable_bits_only() -> None:
    net, _ = train_task("temporal-xor")
    test = make_task("temporal-xor", seed=99)
    _, score, ys = evaluate(net, test)
    err = np.concatenate([np.abs(y - s.d)[:, 0] for y, s in zip(ys, test.sequences, strict=True)])
    scored = np.concatenate([s.scored for s in test.sequences])
    assert score is not None and score >= 0.95
    assert err[scored].mean() < 0.15  # Elman's dips at every third bit
    assert 0.4 < err[~scored].mean() < 0.6  # the random bits stay at chance
    right = err[~scored] < 0.5
    assert 0.35 < right.mean() < 0.65


def test_letters_vowels_are_predicted_consonants_are_not() -> None:
    net, _ = train_task("letters")
    test = make_task("letters", seed=99)
    _, score, ys = evaluate(net, test)
    err = np.concatenate(
        [np.sum((y - s.d) ** 2, axis=1) for y, s in zip(ys, test.sequences, strict=True)]
    )
    vowel = np.concatenate([s.d[:, 1] == 1 for s in test.sequences])
    assert score is not None and score >= 0.95
    assert err[vowel].mean() < 0.1 * err[~vowel].mean()
    assert err[~vowel].mean() > 0.3  # which consonant comes next cannot be known


def test_embedded_reber_held_out_strings_are_predicted_at_every_step() -> None:
    net, _ = train_task("reber")
    test = make_task("reber", seed=99, n_sequences=300, balanced=False)  # independent draws
    _, _, ys = evaluate(net, test)
    whole = [bool(test.correct(i, y)[test.sequences[i].scored].all()) for i, y in enumerate(ys)]
    assert np.mean(whole) >= 0.95
    # The second-to-last prediction needs the branch from the start of the string.
    penultimate = [bool(test.correct(i, y)[-2]) for i, y in enumerate(ys)]
    assert np.mean(penultimate) >= 0.95


def test_anbn_predicts_every_deterministic_symbol_for_the_trained_n() -> None:
    net, data = train_task("anbn")
    seen = sorted({n for ns in data.meta["n"] for n in ns})
    assert seen == list(range(1, TASKS["anbn"].params["n_max"] + 1))
    for n in seen:
        probe = make_task("anbn", seed=0, n_sequences=1, n_min=n, n_max=n)
        _, score, _ = evaluate(net, probe)
        assert score == 1.0, f"n = {n}"


def test_delayed_recall_needs_full_bptt() -> None:
    full, _ = train_task("delayed-recall")
    k1, _ = train_task("delayed-recall", truncation=1)
    test = make_task("delayed-recall", seed=99)
    full_score, k1_score = evaluate(full, test)[1], evaluate(k1, test)[1]
    assert full_score is not None and k1_score is not None
    assert TASKS["delayed-recall"].params["delay"] >= 3
    assert full_score >= 0.95
    assert k1_score <= 0.75  # Elman's truncation k = 1 cannot carry the error back 4 steps


def test_two_back_rule_is_learned() -> None:
    net, _ = train_task("two-back")
    assert evaluate(net, make_task("two-back", seed=99))[1] >= 0.95


def test_sine_beats_repeating_the_last_value() -> None:
    net, _ = train_task("sine")
    test = make_task("sine", seed=99)
    baseline = np.mean([np.mean(0.5 * (s.x - s.d) ** 2) for s in test.sequences])
    assert evaluate(net, test)[0] < baseline / 4


def test_char_text_memorises_the_text() -> None:
    net, data = train_task("char-text")
    loss, score, _ = evaluate(net, data)
    assert loss < 0.3 * math.log(data.n_out)
    assert score is not None and score > 0.8


def test_training_from_a_file_shaped_data_set() -> None:
    """A hand-made data set with unscored steps and no symbols trains like a task."""
    rng = np.random.default_rng(0)
    seqs = []
    for T in (5, 7, 7, 9):
        x = rng.integers(0, 2, (T, 1)).astype(float)
        d = np.roll(x, 1, axis=0)
        d[0] = 0.5
        seqs.append(Sequence(x, d, scored=np.arange(T) > 0))
    data = Dataset("echo", seqs, ("x",), ("x(t-1)",), output="logistic", scoring="threshold")
    net = SRN.init(1, 4, 1, output="logistic", seed=0)
    records = run(net, data, epochs=200, lr=0.5, momentum=0.5, update="epoch")
    assert records[-1].score == 1.0


# -- stopping inside an epoch -------------------------------------------------------------------
def long_epoch_data(n_sequences: int = 400) -> Dataset:
    """Many short sequences: an epoch that is long by its data, not by its network."""
    return make_task("temporal-xor", seed=0, n_sequences=n_sequences)


def stop_after(generator, n_progress: int) -> tuple[list, list]:
    """Pull items until ``n_progress`` Progress records came, then close the generator (what
    the GUI worker does when Stop is pressed). Returns (progress records, epoch records)."""
    progress, records = [], []
    for item in generator:
        (progress if isinstance(item, Progress) else records).append(item)
        if len(progress) == n_progress:
            generator.close()
            break
    with pytest.raises(StopIteration):
        next(generator)  # closed: nothing more is computed
    return progress, records


@pytest.mark.parametrize("n", [1, 3, 250], ids=["first", "third", "250th"])
def test_a_stopped_run_holds_the_network_after_the_last_whole_update(n: int) -> None:
    data = long_epoch_data()
    net = SRN.init(1, 6, 1, output="logistic", seed=0)
    config = TrainConfig(lr=0.1, momentum=0.5, clip=1.0, shuffle=False, epochs=5)
    progress, records = stop_after(train(net, data, config, progress_every=0), n)
    assert records == []  # no epoch was completed, none is claimed
    last = progress[-1]
    assert (last.epoch, last.stage, last.updates, last.n_updates) == (1, "updates", n, len(data))
    assert [p.updates for p in progress] == list(range(1, n + 1))  # one per update, in order
    # The same n updates as a whole epoch on the first n sequences: the weights are identical.
    first_n = dataclasses.replace(data, sequences=data.sequences[:n])
    (expected,) = run(net, first_n, **{**config.as_dict(), "epochs": 1})
    for name in PARAM_NAMES:
        np.testing.assert_array_equal(getattr(last.net, name), getattr(expected.net, name))


def test_an_epoch_update_run_stops_between_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(training, "BATCH_WORK", 1)  # one sequence per batch
    data = long_epoch_data(20)
    net = SRN.init(1, 6, 1, output="logistic", seed=0)
    config = TrainConfig(lr=0.1, update="epoch", epochs=3)
    # Stopped while the first gradient is summed: no update has been applied.
    progress, records = stop_after(train(net, data, config, progress_every=0), 1)
    assert records == [] and progress[-1].net is net
    assert (progress[-1].stage, progress[-1].done, progress[-1].updates) == ("gradient", 1, 0)
    # Stopped while the loss of the updated network is measured: the update is whole. (The
    # gradient pass yields after each of its first N - 1 batches, then the loss pass begins.)
    n_progress = len(data) - 1 + 3
    progress, records = stop_after(train(net, data, config, progress_every=0), n_progress)
    last = progress[-1]
    assert records == [] and (last.epoch, last.stage, last.done, last.updates) == (1, "loss", 3, 1)
    (expected,) = run(net, data, **{**config.as_dict(), "epochs": 1})
    assert last.net.same_weights(expected.net)


@pytest.mark.parametrize("algorithm", ["bptt", "rtrl"])
@pytest.mark.parametrize("update", ["sequence", "epoch"])
def test_progress_records_do_not_change_training(
    update: str, algorithm: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(training, "BATCH_WORK", 200)  # a few sequences per batch
    data = long_epoch_data(30)
    net = SRN.init(1, 5, 1, output="logistic", seed=0)
    config = TrainConfig(lr=0.2, update=update, epochs=3, algorithm=algorithm)
    plain = list(train(net, data, config))
    items = list(train(net, data, config, progress_every=0))
    records = [r for r in items if isinstance(r, EpochRecord)]
    assert len(records) == len(plain) == 3
    for a, b in zip(plain, records, strict=True):
        assert a.net.same_weights(b.net) and a.loss == b.loss and a.score == b.score
    for item, after in itertools.pairwise(items):
        if isinstance(item, Progress) and isinstance(after, Progress) and item.stage == after.stage:
            assert after.done > item.done and after.epoch == item.epoch
        assert after.elapsed >= item.elapsed
    progress = [p for p in items if isinstance(p, Progress)]
    assert all(0 < p.done < p.total == len(data) for p in progress)
    assert all(0 <= p.updates <= p.n_updates for p in progress)
    # Every progress record of epoch e holds that epoch's updates so far; after its last update,
    # the network the epoch's record gets.
    for record in records:
        after_updates = [p for p in progress if p.epoch == record.epoch and p.stage == "loss"]
        assert after_updates and all(p.net.same_weights(record.net) for p in after_updates)


def test_small_batches_give_the_same_losses_and_gradients(monkeypatch: pytest.MonkeyPatch) -> None:
    data = make_task("anbn", seed=0, n_sequences=12, n_min=1, n_max=4)
    net = SRN.init(3, 4, 3, seed=2)
    config = TrainConfig(lr=0.3, update="epoch", epochs=2)
    whole = run(net, data, **config.as_dict())
    loss, score, ys = evaluate(net, data)
    monkeypatch.setattr(training, "BATCH_WORK", 1)
    split = run(net, data, **config.as_dict())
    for a, b in zip(whole, split, strict=True):
        assert b.loss == pytest.approx(a.loss, rel=1e-12)
        np.testing.assert_allclose(b.net.W, a.net.W, rtol=1e-12)
    loss_split, score_split, ys_split = evaluate(net, data)
    assert loss_split == pytest.approx(loss, rel=1e-12) and score_split == score
    for y, y_split in zip(ys, ys_split, strict=True):
        np.testing.assert_allclose(y_split, y, rtol=1e-12)


@pytest.mark.parametrize("every", [-1.0, math.nan, math.inf, "0.1"])
def test_progress_every_is_checked(every: object) -> None:
    with pytest.raises(ValueError, match="progress_every"):
        train(SRN.init(3, 4, 3), small_data(), TrainConfig(), progress_every=every)  # type: ignore[call-overload]
