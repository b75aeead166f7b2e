"""Predict mode speaks the reader's notation: the question, every slip's name and description
and the verdict use the symbols of the notation chosen (the one-unit example's hidden delta
is δ, not δh; Bodén's recurrent weights are U), never the engine's where they differ."""

from __future__ import annotations

import re
from types import MappingProxyType

import pytest

from core.bptt import bptt
from core.examples import example_dataset, example_network
from core.model import SRN
from core.notation import MEANING, NOTATIONS, Notation
from core.predict import judge, question

#: every kind of question, on an Elman trace and on a Jordan one (T = 4 for the example)
SOURCES = ("h[1](2)", "dh[1](2)", "dh[2](3)", "do[1](2)", "grad U[1,2](2)", "grad W[1,2](2)",
           "grad W[2,1](3)", "grad V[2,1](2)")  # fmt: skip
#: an engine symbol standing alone (not inside a word such as "activation")
ENGINE = re.compile(r"(?<![A-Za-zδ])(U|W|V|b|c|a|h|o|y|d|L|x|h0|δh|δo)(?![A-Za-z])")


def traces():
    seq = example_dataset().sequences[0]
    net = example_network()
    shape = (net.n_in, net.n_hidden, net.n_out)
    jordan = SRN.init(*shape, hidden=net.hidden, output=net.output, seed=1, context="output")
    return {
        "elman": bptt(net, seq.x, seq.d),
        "jordan": bptt(jordan, seq.x, seq.d),
    }


TRACES = traces()


def every_text(trace, notation: Notation) -> list[str]:
    """The label, each slip's name and description, and each verdict, for every question."""
    texts = []
    for source in SOURCES:
        try:
            q = question(source, trace, notation)
        except ValueError:  # e.g. no W term to ask about in this network
            continue
        texts.append(q.label)
        for slip in q.slips:
            texts += [slip.name, slip.description, judge(q, slip.value).message]
        texts.append(judge(q, q.correct + 1e3).message)
    return texts


@pytest.mark.parametrize("kind", list(TRACES))
@pytest.mark.parametrize("sign", [1, -1], ids=["plus", "minus"])
def test_no_engine_symbol_survives_a_notation_of_markers(kind: str, sign: int) -> None:
    markers = Notation("markers", "", "", MappingProxyType({k: f"‹{k}›" for k in MEANING}), sign)
    texts = every_text(TRACES[kind], markers)
    assert len(texts) > 30
    for text in texts:
        bare = re.sub(r"‹[^›]*›", "", text)
        assert ENGINE.search(bare) is None, text


@pytest.mark.parametrize("key", list(NOTATIONS))
def test_each_notation_names_the_hidden_delta_its_own_way(key: str) -> None:
    n, trace = NOTATIONS[key], TRACES["elman"]
    q = question("dh[1](2)", trace, n)
    assert q.label == f"{n['delta_h']}1(2)"
    by_key = {s.key: s for s in q.slips}
    missing = by_key["missing f'(a)"]
    assert missing.name == f"missing f'({n['a']})"
    assert f"∂{n['L']}/∂{n['h']} instead of ∂{n['L']}/∂{n['a']}" in missing.description
    assert by_key["W for Wᵀ"].name == f"{n['W']} for {n['W']}ᵀ"
    assert f"{n['W']} instead of {n['W']}ᵀ" in by_key["W for Wᵀ"].description


def test_the_one_unit_example_never_says_dh_and_bodens_names_his_weights() -> None:
    one_unit = " ".join(every_text(TRACES["elman"], NOTATIONS["one-unit"]))
    assert "δh" not in one_unit and "δ1(2)" in one_unit and "∂E/∂z" in one_unit
    q = question("grad W[1,2](2)", TRACES["elman"], NOTATIONS["boden"])
    assert q.label == "step 2's term of ∂C/∂U[1,2]"
    assert {s.name for s in q.slips} >= {"yj(t) for yj(t-1)", "U for Uᵀ"}
