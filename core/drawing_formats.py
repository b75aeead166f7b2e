"""Writing a :class:`core.drawing.Drawing`: an SVG document and a TikZ ``standalone`` document.

Both put the same things at the same places: every edge (an arrow from sender to receiver, its
colour the weight's and its width growing with |weight|; a loop for a unit's own recurrent
weight), every node (a disk filled with the colour of its value, its symbol inside), the value
below the node and, once known, the delta below the value. The SVG has the title and the
caption as text; the TikZ document has them as comments, so that the picture can go in a slide
or a figure with a caption of the author's own. TikZ text uses only the packages tikz and xcolor
of a standard TeX Live; every node text is math made by :func:`core.explain.latex.to_latex`.
"""

from __future__ import annotations

import math
from xml.sax.saxutils import escape, quoteattr

from core.drawing import RADIUS, Drawing, Edge, Label, Node, Palette, plain_palette
from core.explain.latex import to_latex
from core.explain.text import fmt

#: the widest edge, in points, for the largest |weight| of the drawing
MAX_EDGE_WIDTH = 3.0
#: TikZ length of one point of the drawing (a drawing is some 1000 points wide)
TIKZ_UNIT = 0.6
#: a white outline drawn under a text, so that it stays readable where edges cross it
HALO = 'fill="#ffffff" stroke="#ffffff" stroke-width="3" class="halo"'
FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"


def _edge_width(edge: Edge, peak: float) -> float:
    if edge.param not in ("U", "W", "V") or peak == 0.0:
        return 0.6
    return 0.6 + (MAX_EDGE_WIDTH - 0.6) * min(1.0, abs(edge.weight) / peak)


def _peak(drawing: Drawing) -> float:
    weights = [abs(e.weight) for e in drawing.edges if e.param in ("U", "W", "V")]
    return max(weights, default=0.0)


def _ends(a: Node, b: Node) -> tuple[float, float, float, float]:
    """The straight edge from disk a to disk b, shortened to the disks' rims."""
    dx, dy = b.x - a.x, b.y - a.y
    n = math.hypot(dx, dy) or 1.0
    ux, uy = dx / n, dy / n
    return a.x + RADIUS * ux, a.y + RADIUS * uy, b.x - RADIUS * ux, b.y - RADIUS * uy


def _edge_colour(edge: Edge, palette: Palette) -> str:
    return palette("weight", edge.weight) if edge.param in ("U", "W", "V") else "#888888"


def label_math(label: Label) -> str:
    """A node's symbol as LaTeX math: ``h_{2}(3)``."""
    unit = "" if label.unit is None else f"[{label.unit}]"
    step = "" if label.t is None else f"({label.t})"
    return to_latex(f"{label.symbol}{unit}{step}")


# -- SVG --------------------------------------------------------------------------------------
def svg_text(drawing: Drawing, palette: Palette = plain_palette) -> str:
    """The drawing as an SVG 1.1 document (UTF-8 text)."""
    w, h = drawing.width, drawing.height
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w:.0f}" height="{h:.0f}" '
        f'viewBox="0 0 {w:.0f} {h:.0f}" font-family={quoteattr(FONT)}>',
        f"<title>{escape(drawing.title)}</title>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="5" '
        'markerHeight="5" orient="auto"><path d="M 0 0 L 10 5 L 0 10 z" fill="#444444"/>'
        "</marker></defs>",
        '<rect width="100%" height="100%" fill="#ffffff"/>',
        f'<text x="20" y="28" font-size="15" font-weight="bold">{escape(drawing.title)}</text>',
        '<g id="edges" fill="none">',
    ]
    peak = _peak(drawing)
    for edge in drawing.edges:
        out.append(_svg_edge(drawing, edge, palette, peak))
    out.append("</g>")
    out.append('<g id="nodes" text-anchor="middle">')
    for i, node in enumerate(drawing.nodes):
        out.append(_svg_node(i, node, palette))
    out.append("</g>")
    lines = drawing.caption.splitlines()
    for k, line in enumerate(lines):
        y = h - 14 - 16 * (len(lines) - 1 - k)
        out.append(f'<text x="20" y="{y:.0f}" font-size="12" fill="#333333">{escape(line)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _svg_edge(drawing: Drawing, edge: Edge, palette: Palette, peak: float) -> str:
    a, b = drawing.nodes[edge.sender], drawing.nodes[edge.receiver]
    if edge.sender == edge.receiver:  # a unit's own recurrent weight: a loop above it
        x, y = a.x, a.y - RADIUS
        path = f"M {x - 7:.1f} {y:.1f} C {x - 30:.1f} {y - 45:.1f} {x + 30:.1f} {y - 45:.1f} "
        path += f"{x + 7:.1f} {y:.1f}"
        mid = (x, y - 34.0)
    elif abs(a.y - b.y) < 1e-6 and edge.param == "W":  # within one row: a curve above it
        x1, y1, x2, y2 = _ends(a, b)
        cx, cy = (x1 + x2) / 2, y1 - 0.35 * abs(x2 - x1)
        path = f"M {x1:.1f} {y1:.1f} Q {cx:.1f} {cy:.1f} {x2:.1f} {y2:.1f}"
        mid = (cx, (y1 + cy) / 2)
    else:
        x1, y1, x2, y2 = _ends(a, b)
        path = f"M {x1:.1f} {y1:.1f} L {x2:.1f} {y2:.1f}"
        mid = ((x1 + x2) / 2, (y1 + y2) / 2)
    title = f"{edge.param} {a.label.plain} -> {b.label.plain}: {edge.weight:.4g}"
    text = (
        f'<path d="{path}" stroke="{_edge_colour(edge, palette)}" '
        f'stroke-width="{_edge_width(edge, peak):.2f}" marker-end="url(#arrow)">'
        f"<title>{escape(title)}</title></path>"
    )
    if edge.labelled:
        text += (
            f'<text x="{mid[0]:.1f}" y="{mid[1]:.1f}" font-size="10" text-anchor="middle" '
            f'fill="#222222" class="weight">{escape(fmt(edge.weight))}</text>'
        )
    return text


def _svg_node(i: int, node: Node, palette: Palette) -> str:
    fill = palette(node.quantity, node.value)
    parts = [
        f'<g class="node" id="n{i}">',
        f'<circle cx="{node.x:.1f}" cy="{node.y:.1f}" r="{RADIUS:.0f}" fill="{fill}" '
        'stroke="#333333" stroke-width="1"/>',
        f'<text x="{node.x:.1f}" y="{node.y + 4:.1f}" font-size="10" class="symbol">'
        f"{escape(node.label.plain)}</text>",
        _haloed(node.x, node.y + RADIUS + 12, 'font-size="11"', "value", node.value_text),
    ]
    if node.show_delta:
        style = 'font-size="10" font-style="italic"'
        parts.append(_haloed(node.x, node.y + RADIUS + 24, style, "delta", node.delta_text))
    parts.append("</g>")
    return "".join(parts)


def _haloed(x: float, y: float, style: str, kind: str, text: str) -> str:
    """A text of class ``kind`` over a white outline of itself (an SVG 1.1 halo)."""
    at = f'x="{x:.1f}" y="{y:.1f}" {style}'
    return f'<text {at} {HALO}>{escape(text)}</text><text {at} class="{kind}">{escape(text)}</text>'


# -- TikZ -------------------------------------------------------------------------------------
def tikz_text(drawing: Drawing, palette: Palette = plain_palette) -> str:
    """The drawing as a LaTeX ``standalone`` document with one ``tikzpicture``."""
    colours: dict[str, str] = {}

    def colour(hex_colour: str) -> str:
        key = hex_colour.lstrip("#").upper()
        return colours.setdefault(key, f"u{len(colours)}")

    body = []
    peak = _peak(drawing)
    for i, node in enumerate(drawing.nodes):
        fill = colour(palette(node.quantity, node.value))
        body.append(
            f"\\node[unit, fill={fill}] (n{i}) at ({node.x:.1f},{node.y:.1f}) "
            f"{{${label_math(node.label)}$}};"
        )
        body.append(
            f"\\node[value] at ({node.x:.1f},{node.y + RADIUS + 2:.1f}) "
            f"{{${to_latex(node.value_text)}$}};"
        )
        if node.show_delta:
            body.append(
                f"\\node[delta] at ({node.x:.1f},{node.y + RADIUS + 14:.1f}) "
                f"{{${to_latex(node.delta_text)}$}};"
            )
    # the edges go on a layer under the disks and texts, which stay readable where edges cross
    body.append(r"\begin{pgfonlayer}{edges}")
    for edge in drawing.edges:
        a, b = drawing.nodes[edge.sender], drawing.nodes[edge.receiver]
        style = (
            f"edge, draw={colour(_edge_colour(edge, palette))}, "
            f"line width={_edge_width(edge, peak) * TIKZ_UNIT:.2f}pt"
        )
        if edge.sender == edge.receiver:
            path = "to[out=120, in=60, looseness=6]"
        elif abs(a.y - b.y) < 1e-6 and edge.param == "W":
            path = "to[bend right=35]"  # y points down: "right" bends the curve upwards
        else:
            path = "--"
        label = f" node[weight, midway] {{${to_latex(fmt(edge.weight))}$}}" if edge.labelled else ""
        body.append(f"\\draw[{style}] (n{edge.sender}) {path}{label} (n{edge.receiver});")
    body.append(r"\end{pgfonlayer}")
    size = 2 * RADIUS * TIKZ_UNIT
    lines = [
        f"% {drawing.title}",
        *(f"% {line}" for line in drawing.caption.splitlines()),
        "% Compiles with pdflatex (TeX Live: standalone, tikz, xcolor).",
        r"\documentclass[tikz,border=6pt]{standalone}",
        r"\pgfdeclarelayer{edges}",
        r"\pgfsetlayers{edges,main}",
        r"\begin{document}",
        *(f"\\definecolor{{{name}}}{{HTML}}{{{key}}}" for key, name in colours.items()),
        f"\\begin{{tikzpicture}}[x={TIKZ_UNIT}pt, y=-{TIKZ_UNIT}pt,",
        f"  unit/.style={{circle, draw=black!80, inner sep=0pt, minimum size={size:.1f}pt, "
        r"font=\scriptsize},",
        r"  value/.style={anchor=north, inner sep=1pt, font=\scriptsize, fill=white},",
        r"  delta/.style={anchor=north, inner sep=1pt, font=\tiny, fill=white},",
        r"  weight/.style={fill=white, inner sep=1pt, font=\tiny},",
        "  edge/.style={->, >=stealth}]",
        *body,
        r"\end{tikzpicture}",
        r"\end{document}",
        "",
    ]
    return "\n".join(lines)
