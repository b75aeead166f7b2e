"""Exports for lectures: the graphs at the cursor as SVG and TikZ, the worked example as a LaTeX
align block. The numbers they write are the engine's, at the precision shown, in every notation."""

from __future__ import annotations

import math
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from core import NOTATIONS, Selection, bptt, explain, state_at
from core.drawing import folded_drawing, unfolded_drawing
from core.drawing_formats import label_math, svg_text, tikz_text
from core.examples import example_dataset, example_network
from core.explain.latex import align_block, to_latex
from core.explain.text import fmt
from core.model import SRN

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def trace():
    seq = example_dataset().sequences[0]
    return bptt(example_network(), seq.x, seq.d)


def shown(text: str, value: float) -> None:
    """``text`` is ``value`` written with four significant digits."""
    assert text == fmt(value)
    tolerance = 0.0 if value == 0 else 0.5 * 10 ** (math.floor(math.log10(abs(value))) - 3)
    assert abs(float(text) - value) <= tolerance * (1 + 1e-9)


def engine_value(trace, layer: str, t: int, unit: int) -> float:
    if t == 0:
        return float(trace.net.h0[unit])
    return float(
        {"x": trace.x[t - 1], "h": trace.h[t], "y": trace.y[t - 1], "L": trace.loss_t[t - 1 :]}[
            layer
        ][unit]
    )


def svg_nodes(text: str) -> list[dict[str, str]]:
    root = ET.fromstring(text)  # well-formed XML, or this raises
    nodes = []
    for group in root.iter(f"{SVG}g"):
        if group.get("class") == "node":
            texts = {t.get("class"): t.text or "" for t in group.iter(f"{SVG}text")}
            nodes.append(texts)
    return nodes


@pytest.mark.parametrize("key", list(NOTATIONS))
@pytest.mark.parametrize("position", [0, 3, 8, 12], ids=lambda k: f"k{k}")
def test_unfolded_svg_shows_the_engines_values_known_at_the_cursor(trace, key, position) -> None:
    notation, state = NOTATIONS[key], state_at(trace, position)
    drawing = unfolded_drawing(trace, state, notation)
    nodes = svg_nodes(svg_text(drawing))
    net = trace.net
    T = trace.T
    assert len(nodes) == T * (net.n_in + net.n_hidden + net.n_out + 1) + net.n_hidden
    for node, texts in zip(drawing.nodes, nodes, strict=True):
        layer, t, unit = _parse(node.label.plain, notation)
        known = layer == "x" or t == 0 or t <= state.forward_known
        if known:
            shown(texts["value"], engine_value(trace, layer, t, 0 if layer == "L" else unit))
        else:
            assert texts["value"] == "?"
        if state.phase == "backward" and layer in ("h", "y") and t >= 1:
            symbol = notation["delta_h" if layer == "h" else "delta_o"]
            if t >= state.backward_from:
                arr = trace.delta_h if layer == "h" else trace.delta_o
                value = notation.delta_sign * float(arr[t - 1, unit])
                assert texts["delta"] == f"{symbol} = {fmt(value)}"
                shown(texts["delta"].split(" = ")[1], value)
            else:
                assert texts["delta"] == f"{symbol} = ?"
        else:
            assert "delta" not in texts


def _parse(plain: str, notation) -> tuple[str, int, int]:
    """(layer, t, 0-based unit) back from a node's label such as "yj3(2)" or "L(4)"."""
    for layer in ("x", "h", "y", "L"):
        symbol = re.escape(notation[layer])
        m = re.fullmatch(rf"{symbol}(\d*)\((\d+)\)", plain)
        if m:
            return layer, int(m.group(2)), int(m.group(1) or 1) - 1
    raise AssertionError(f"unexpected label {plain!r}")


@pytest.mark.parametrize("key", list(NOTATIONS))
def test_folded_svg_shows_the_units_at_the_cursor_step(trace, key) -> None:
    notation = NOTATIONS[key]
    state = state_at(trace, 2 * trace.T - 1)  # backward, t = 2
    drawing = folded_drawing(trace, state, notation)
    nodes = svg_nodes(svg_text(drawing))
    for node, texts in zip(drawing.nodes, nodes, strict=True):
        layer, t, unit = _parse(node.label.plain, notation)
        assert t == 2
        shown(texts["value"], engine_value(trace, layer, t, unit))
    root = ET.fromstring(svg_text(drawing))
    weights = [e.text for e in root.iter(f"{SVG}text") if e.get("class") == "weight"]
    assert weights == []  # 60 edges: too many to label; the colours carry the weights
    small = SRN.init(2, 2, 1, output="linear", seed=4)
    tr = bptt(small, np.ones((3, 2)), np.zeros((3, 1)))
    drawing = folded_drawing(tr, state_at(tr, 2), notation)
    root = ET.fromstring(svg_text(drawing))
    weights = [e.text for e in root.iter(f"{SVG}text") if e.get("class") == "weight"]
    expected = [fmt(v) for v in (*small.U.ravel(), *small.W.ravel(), *small.V.ravel())]
    assert sorted(weights) == sorted(expected)


def test_start_of_the_sweep_shows_h0_and_nothing_computed(trace) -> None:
    drawing = folded_drawing(trace, state_at(trace, 0), NOTATIONS["deep-learning"])
    hidden = [n for n in drawing.nodes if n.quantity == "hidden"]
    assert [n.value for n in hidden] == [float(v) for v in trace.net.h0]
    assert all(n.value is None for n in drawing.nodes if n.quantity == "output")


def test_svg_colours_come_from_the_palette(trace) -> None:
    def palette(quantity: str, value: float | None) -> str:
        return "#bdbdbd" if value is None else ("#ff0000" if value > 0 else "#0000ff")

    state = state_at(trace, 2)
    drawing = unfolded_drawing(trace, state, NOTATIONS["deep-learning"])
    root = ET.fromstring(svg_text(drawing, palette))
    fills = [c.get("fill") for c in root.iter(f"{SVG}circle")]
    assert fills == [palette(n.quantity, n.value) for n in drawing.nodes]
    assert {"#ff0000", "#0000ff", "#bdbdbd"} <= set(fills)


def tikz_body(text: str) -> list[str]:
    return [line for line in text.splitlines() if not line.startswith("%")]


@pytest.mark.parametrize("key", list(NOTATIONS))
def test_tikz_is_a_standalone_document_with_the_shown_numbers(trace, key) -> None:
    notation, state = NOTATIONS[key], state_at(trace, trace.T + 2)
    drawing = unfolded_drawing(trace, state, notation)
    text = tikz_text(drawing)
    body = tikz_body(text)
    assert body[0] == r"\documentclass[tikz,border=6pt]{standalone}"
    assert body[-1] == r"\end{document}" and any(b.startswith(r"\begin{tikzpicture}") for b in body)
    joined = "\n".join(body)
    assert joined.isascii()  # pdflatex reads the math; no Unicode outside comments
    assert joined.count("{") == joined.count("}")
    commands = [line for line in body if line.startswith(("\\node", "\\draw"))]
    assert all(line.endswith(";") for line in commands)
    units = re.findall(
        r"\\node\[unit, fill=(u\d+)\] \(n(\d+)\) at \(([-\d.]+),([-\d.]+)\) \{\$(.*)\$\};", joined
    )
    assert len(units) == len(drawing.nodes)
    defined = set(re.findall(r"\\definecolor\{(u\d+)\}\{HTML\}\{[0-9A-F]{6}\}", joined))
    assert {u[0] for u in units} <= defined
    values = re.findall(r"\\node\[value\] at \([-\d.]+,[-\d.]+\) \{\$(.*)\$\};", joined)
    assert values == [to_latex(n.value_text) for n in drawing.nodes]
    for node, (_c, _i, _x, _y, label) in zip(drawing.nodes, units, strict=True):
        assert label == label_math(node.label)
        if node.value is not None and abs(node.value) >= 1e-4:
            shown(to_plain(to_latex(node.value_text)), node.value)
    assert len(re.findall(r"^\\draw\[edge", joined, re.M)) == len(drawing.edges)


def to_plain(latex: str) -> str:
    return latex.replace(r" \times 10^{", "e").rstrip("}")


# -- the worked example as LaTeX ------------------------------------------------------------
SELECTIONS = [
    Selection("node", "h", t=2, unit=0),
    Selection("node", "y", t=3, unit=1),
    Selection("node", "L", t=2),
    Selection("edge", "W", t=3, row=1, col=2),
    Selection("cell", "V", row=2, col=1),
]


@pytest.mark.parametrize("key", list(NOTATIONS))
@pytest.mark.parametrize("selection", SELECTIONS, ids=lambda s: f"{s.kind}-{s.layer}")
def test_align_block_writes_every_number_of_the_worked_example(trace, key, selection) -> None:
    state = state_at(trace, 2 * trace.T - 1)
    example = explain(trace, state, selection, NOTATIONS[key])
    block = align_block(example, header="at the cursor")
    lines = block.splitlines()
    body = [line for line in lines if not line.startswith("%")]
    assert body[0] == r"\begin{align}" and body[-1] == r"\end{align}"
    assert "\n".join(body).isascii() and block.count("{") == block.count("}")
    rows = "\n".join(body[1:-1])
    for step in example.steps:
        for term in step.terms:
            for factor in term.factors:
                assert to_latex(factor.text) in rows
        if step.value is not None:
            # every result the inspector shows is written, to its four digits
            assert f"= {to_latex(fmt(step.value))}" in rows.replace(" \\\\\n  &\\quad ", " ")
    n_lines = sum(
        len(s.equation.splitlines()) + len(s.substituted.splitlines()) for s in example.steps
    )
    assert len([r for r in rows.splitlines() if not r.startswith("  &\\quad")]) == n_lines


def test_align_block_numbers_equal_the_trace(trace) -> None:
    state = state_at(trace, 2 * trace.T - 1)
    for key in NOTATIONS:
        notation = NOTATIONS[key]
        block = align_block(explain(trace, state, Selection("node", "h", t=2, unit=0), notation))
        h = float(trace.h[2, 0])
        delta = notation.delta_sign * float(trace.delta_h[1, 0])
        assert f"= {fmt(h)} \\\\" in block
        assert block.rstrip().endswith(f"= {to_latex(fmt(delta))}\n\\end{{align}}".rstrip())


def test_to_latex_translates_symbols() -> None:
    assert (
        to_latex("δh[1](2) = ŷ[3](1)·W[1,2]") == r"\delta h_{1}(2) = \hat{y}_{3}(1) \cdot W_{1,2}"
    )
    assert to_latex("Σk 1.5e-05") == r"\sum_{k} 1.5 \times 10^{-5}"
    assert to_latex("tanh(netj[1](2))") == r"\tanh(\mathit{netj}_{1}(2))"
    assert (
        to_latex("(t = 1..2 still to come)")
        == r"(t = 1..2 \text{ still } \text{ to } \text{ come })"
    )
    assert to_latex("h⁽⁰⁾[1] = ?") == r"h^{(0)}_{1} = \mathord{?}"


def test_a_graph_too_large_for_a_picture_is_refused_with_its_size() -> None:
    from core.drawing import DrawingTooLarge

    net = SRN.init(10, 20, 10, seed=1)
    T = 60
    tr = bptt(net, np.zeros((T, 10)), np.eye(10)[np.zeros(T, int)])
    with pytest.raises(DrawingTooLarge, match="has 48,600 edges, more than the limit of 20,000"):
        unfolded_drawing(tr, state_at(tr, 0), NOTATIONS["deep-learning"])
    assert len(folded_drawing(tr, state_at(tr, 0), NOTATIONS["deep-learning"]).edges) == 800


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="no pdflatex on this machine")
@pytest.mark.parametrize("kind", ["unfolded", "folded", "align"])
def test_the_latex_exports_compile_with_pdflatex(trace, kind, tmp_path) -> None:
    state = state_at(trace, 2 * trace.T - 1)
    notation = NOTATIONS["boden"]  # Greek letters and accents: the hardest notation to typeset
    if kind == "align":
        block = align_block(explain(trace, state, SELECTIONS[0], notation), header="at the cursor")
        head = [r"\documentclass{article}", r"\usepackage{amsmath}", r"\begin{document}"]
        text = "\n".join([*head, block, r"\end{document}", ""])
    else:
        draw = unfolded_drawing if kind == "unfolded" else folded_drawing
        text = tikz_text(draw(trace, state, notation))
    (tmp_path / "figure.tex").write_text(text, encoding="utf-8")
    run = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "figure.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout[-2000:]
    assert (tmp_path / "figure.pdf").stat().st_size > 1000
