"""Unfold's own numbered derivation of BPTT: the equations the Help > Equations page lists.

Every worked example cites these numbers ("Eq. 10"), so a reader needs no other document. Each
equation is written once with the engine's names in braces ({W}, {delta_h}, ...) and shown in any
notation (:mod:`core.notation`) by putting that notation's symbols in. Deltas are gradients,
delta = +dL/dnet; a notation whose delta is -dL/dnet (Bodén 2001) gets the equation's
``negative`` form where the sign shows.

Sources a reader can find: Goodfellow, Bengio and Courville (2016), *Deep Learning*, §10.2 (the
tanh/softmax network, its forward equations and the gradients of §10.2.2); Bodén (2001/2002),
*A guide to recurrent neural networks and backpropagation* (the cost/output pairs and the
delta = -dC/dnet convention); Elman (1990), *Finding structure in time*; Jordan (1986), *Serial
order*; Williams and Peng (1990) and Williams and Zipser (1989) for truncation; Williams and Zipser
(1989) for real-time recurrent learning; Bodén (2002) §4 for the tapped delay line
(:mod:`core.tdl`).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from core.notation import Notation


@dataclass(frozen=True, slots=True)
class Equation:
    """One numbered equation.

    Attributes
    ----------
    number : its number on the Help > Equations page (1-based).
    key : a stable name the code cites it by.
    group : the section of the page ("Forward sweep", ...).
    title : what it computes.
    text : the equation with engine names in braces, gradient-sign deltas.
    negative : the same for a notation with delta = -dL/dnet, when it differs.
    source : where the published literature states it.
    """

    number: int
    key: str
    group: str
    title: str
    text: str
    negative: str = ""
    source: str = ""

    def render(self, notation: Notation) -> str:
        """The equation in ``notation``'s symbols."""
        text = self.negative if notation.delta_sign < 0 and self.negative else self.text
        return text.format(**notation.symbols)


FORWARD = "Forward sweep (Elman network)"
LOSS = "Output functions and their losses"
BACKWARD = "Backward sweep (Elman network)"
GRADIENTS = "Parameter gradients"
JORDAN = "Jordan network and teacher forcing"
TRUNCATION = "Truncation"
RTRL = "Real-time recurrent learning (forward accumulation)"
WZ = "Williams and Zipser (1989)"
TDL = "Tapped delay line (a feedforward network over a window of inputs)"
BODEN_TDL = "Bodén (2002) §4"
DL = "Goodfellow et al. (2016) §10.2"
DL_GRAD = "Goodfellow et al. (2016) §10.2.2"
BODEN = "Bodén (2001)"

_ROWS: tuple[tuple[str, str, str, str, str, str], ...] = (
    # key, group, title, text, negative form, source
    ("net-hidden", FORWARD, "hidden net input",
     "{a}(t) = {b} + {W} {h}(t-1) + {U} {x}(t),   {h}(0) = {h0}", "", f"{DL}; Elman (1990)"),
    ("hidden", FORWARD, "hidden state", "{h}(t) = f({a}(t))", "", DL),
    ("net-output", FORWARD, "output net input", "{o}(t) = {c} + {V} {h}(t)", "", DL),
    ("output", FORWARD, "output", "{y}(t) = g({o}(t))", "", DL),
    ("total-loss", LOSS, "total loss", "{L} = Σt {L}(t)", "", DL),
    ("loss-softmax", LOSS, "softmax output, cross-entropy loss",
     "{y}k = exp({o}k) / Σq exp({o}q),   {L}(t) = -Σk {d}k(t) ln {y}k(t)", "",
     f"{DL}; {BODEN}"),
    ("loss-logistic", LOSS, "logistic outputs, cross-entropy loss",
     "{y}k = σ({o}k),   {L}(t) = -Σk [{d}k ln {y}k + (1 - {d}k) ln(1 - {y}k)]", "", BODEN),
    ("loss-linear", LOSS, "linear outputs, squared error",
     "{y}k = {o}k,   {L}(t) = ½ Σk ({y}k(t) - {d}k(t))²", "", BODEN),
    ("delta-output", BACKWARD, "output delta (every matched output/loss pair)",
     "{delta_o}(t) = ∂{L}/∂{o}(t) = {y}(t) - {d}(t)",
     "{delta_o}(t) = -∂{L}/∂{o}(t) = {d}(t) - {y}(t)", f"{DL_GRAD}; {BODEN}"),
    ("delta-hidden", BACKWARD, "hidden delta",
     "{delta_h}(t) = f'({a}(t)) ⊙ ({V}ᵀ {delta_o}(t) + {W}ᵀ {delta_h}(t+1)),   "
     "{delta_h}(T+1) = 0",
     "{delta_h}(t) = -∂{L}/∂{a}(t) = f'({a}(t)) ⊙ ({V}ᵀ {delta_o}(t) + {W}ᵀ {delta_h}(t+1))",
     f"{DL_GRAD}; {BODEN}"),
    ("derivative", BACKWARD, "derivative of the hidden activation",
     "tanh: 1 - {h}²   σ: {h}(1 - {h})   max(0, ·): [{a} > 0]   identity: 1", "", BODEN),
    ("grad-c", GRADIENTS, "output bias", "∂{L}/∂{c} = Σt {delta_o}(t)",
     "∂{L}/∂{c} = -Σt {delta_o}(t)", DL_GRAD),
    ("grad-b", GRADIENTS, "hidden bias", "∂{L}/∂{b} = Σt {delta_h}(t)",
     "∂{L}/∂{b} = -Σt {delta_h}(t)", DL_GRAD),
    ("grad-V", GRADIENTS, "hidden → output weights", "∂{L}/∂{V} = Σt {delta_o}(t) {h}(t)ᵀ",
     "∂{L}/∂{V} = -Σt {delta_o}(t) {h}(t)ᵀ", DL_GRAD),
    ("grad-W", GRADIENTS, "recurrent weights; c(t) is the context, h(t-1) or a Jordan network's",
     "∂{L}/∂{W} = Σt {delta_h}(t) c(t)ᵀ", "∂{L}/∂{W} = -Σt {delta_h}(t) c(t)ᵀ",
     f"{DL_GRAD}; {BODEN}"),
    ("grad-U", GRADIENTS, "input → hidden weights", "∂{L}/∂{U} = Σt {delta_h}(t) {x}(t)ᵀ",
     "∂{L}/∂{U} = -Σt {delta_h}(t) {x}(t)ᵀ", f"{DL_GRAD}; {BODEN}"),
    ("grad-h0", GRADIENTS, "initial context", "∂{L}/∂{h0} = {W}ᵀ {delta_h}(1)",
     "∂{L}/∂{h0} = -{W}ᵀ {delta_h}(1)", DL_GRAD),
    ("jordan-context", JORDAN, "the context of a Jordan network",
     "c(1) = {h0},   c(t) = {y}(t-1), teacher forced c(t) = {d}(t-1);   "
     "{a}(t) = {b} + {W} c(t) + {U} {x}(t)", "", "Jordan (1986); Goodfellow et al. (2016) §10.2.1"),
    ("jordan-delta-output", JORDAN, "output delta through the fed-back output",
     "{delta_o}(t) = {y}(t) - {d}(t) + J_g(t)ᵀ {W}ᵀ {delta_h}(t+1)   (teacher forced: no J_g term)",
     "{delta_o}(t) = {d}(t) - {y}(t) + J_g(t)ᵀ {W}ᵀ {delta_h}(t+1)   (teacher forced: no J_g term)",
     "Goodfellow et al. (2016) §10.2.1"),
    ("jordan-delta-hidden", JORDAN, "hidden delta of a Jordan network",
     "{delta_h}(t) = f'({a}(t)) ⊙ {V}ᵀ {delta_o}(t)", "", "Goodfellow et al. (2016) §10.2.1"),
    ("output-jacobian", JORDAN, "the output function's Jacobian",
     "softmax: J_g = diag({y}) - {y} {y}ᵀ   σ: diag({y}(1 - {y}))   identity: I", "", DL),
    ("sliding", TRUNCATION, "sliding BPTT(k)",
     "{L}(s) propagates back through steps s, s-1, …, s-k+1 only; "
     "{delta_h}(t) = Σ over the windows that hold t", "", "Williams and Peng (1990)"),
    ("bptt-1", TRUNCATION, "BPTT(1)",
     "k = 1: no {W}ᵀ term, the context is a plain extra input", "", "Elman (1990)"),
    ("chunked", TRUNCATION, "chunked truncation",
     "chunks t = 1..k, k+1..2k, …: the {W}ᵀ {delta_h}(t+1) term is dropped where t+1 starts a "
     "chunk; the state is carried across", "", "Williams and Zipser (1989)"),
    ("rtrl-sensitivity", RTRL, "sensitivity of the hidden state, carried forward",
     "P(t) = ∂{h}(t)/∂θ = f'({a}(t)) ⊙ ({W} S(t-1) + ∂⁺{a}(t)/∂θ),   S(0) = ∂{h0}/∂θ;   "
     "∂⁺{a}j/∂{U}jk = {x}k(t), ∂⁺{a}j/∂{W}jk = ck(t), ∂⁺{a}j/∂{b}j = 1", "",
     f"{WZ} §2"),
    ("rtrl-carried", RTRL, "the sensitivity of the next context",
     "Elman: S(t) = P(t);   Jordan: S(t) = ∂{y}(t)/∂θ = J_g(t) ({V} P(t) + ∂⁺{o}(t)/∂θ);   "
     "teacher forced: S(t) = 0", "", f"{WZ}; Jordan (1986)"),
    ("rtrl-gradient", RTRL, "gradient added forward, step by step",
     "∂({L}(1)+…+{L}(t))/∂θ = ∂({L}(1)+…+{L}(t-1))/∂θ + ({y}(t) - {d}(t))ᵀ "
     "({V} P(t) + ∂⁺{o}(t)/∂θ);   at t = T: the BPTT gradient", "", f"{WZ} §2"),
    ("rtrl-cost", RTRL, "cost against BPTT",
     "S is C × n (n = |θ|): {W} S costs H C n multiply-adds a step, O(H⁴) for Elman, and S "
     "holds O(H³) floats whatever T;   BPTT: O(H²) a step, O(T H) floats stored", "",
     f"{WZ} §3; Williams and Zipser (1995)"),
    ("tdl-net-hidden", TDL, "hidden net input over the window x(t), …, x(t-ω)",
     "{a}(t) = {b} + Σk=0..ω {U}k {x}(t-k),   {x}(s) = 0 for s < 1 (the buffer starts empty)",
     "", BODEN_TDL),
    ("tdl-delta-hidden", TDL, "hidden delta: ordinary backpropagation, nothing from step t+1",
     "{delta_h}(t) = f'({a}(t)) ⊙ {V}ᵀ {delta_o}(t)",
     "{delta_h}(t) = -∂{L}/∂{a}(t) = f'({a}(t)) ⊙ {V}ᵀ {delta_o}(t)",
     f"{BODEN_TDL}; Rumelhart, Hinton and Williams (1986)"),
    ("tdl-grad-U", TDL, "weights of tap k, from x(t-k)",
     "∂{L}/∂{U}k = Σt {delta_h}(t) {x}(t-k)ᵀ", "∂{L}/∂{U}k = -Σt {delta_h}(t) {x}(t-k)ᵀ",
     BODEN_TDL),
)  # fmt: skip

#: every equation, in page order
EQUATIONS: Final = tuple(
    Equation(i + 1, key, group, title, text, negative, source)
    for i, (key, group, title, text, negative, source) in enumerate(_ROWS)
)
BY_KEY: Final = MappingProxyType({e.key: e for e in EQUATIONS})


def number(key: str) -> int:
    """The page number of the equation called ``key`` (KeyError for an unknown key)."""
    return BY_KEY[key].number


def cite(*keys: str) -> str:
    """ "Eq. 3" or "Eq. 9, 10" for the equations called ``keys``, in the order given."""
    numbers = [str(number(k)) for k in keys]
    return ("Eq. " if len(numbers) == 1 else "Eqs. ") + ", ".join(numbers)


def groups() -> tuple[tuple[str, tuple[Equation, ...]], ...]:
    """The page's sections in order, each with its equations."""
    order = list(dict.fromkeys(e.group for e in EQUATIONS))
    return tuple((g, tuple(e for e in EQUATIONS if e.group == g)) for g in order)
