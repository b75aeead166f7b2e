"""Predict the number: the value the next step computes, the common slips, and a score.

Before the cursor moves on, the learner types the value the step will compute; :func:`check`
compares it with the engine's value and, when it is wrong, recomputes the common mistakes from
the trace and names the one the typed value matches. The quantities (written as in
:mod:`core.lesson_text`, 1-based units and steps, deltas with the notation's sign):

* ``h[i](t)``, forward: h_i(t) = f(a_i(t)), a(t) = b + W c(t) + U x(t) (Eqs. 1-2).
  Slips: the activation f left out (a_i(t) given); W read transposed (Σj W[j,i] h_j(t-1));
  the recurrent term W c(t) left out.
* ``dh[i](t)``, backward: δh_i(t) = f'(a_i(t)) (Vᵀ δo(t) + Wᵀ δh(t+1))_i for an Elman network
  (Goodfellow et al. 2016 §10.2.2; Bodén 2001 eq. 27). Slips: f'(a) left out (∂L/∂h_i(t));
  f' taken at step t+1 (h(t+1) where h(t) belongs, as in the ∂L/∂h form of the recursion);
  W where Wᵀ belongs; the other notation's δ sign; the immediate derivative ∂L(t)/∂a(t) (the
  step's own loss only) for the total ∂L/∂a(t).
* ``do[k](t)``: δo_k(t) = y_k(t) - d_k(t) for the matched output/loss pairs (Bodén 2001 §3).
  Slips: the sign of the other notation; the output's derivative g'(o) multiplied in as if the
  loss were not matched; for a Jordan network, the immediate part alone.
* ``grad P[i,j](t)``, the step's term of ∂L/∂P: δ_i(t) partner_j(t). Slips: h(t) where h(t-1)
  belongs (W), h(t-1) where h(t) belongs (V); f'(a) left out; W's indices transposed; the sign;
  the gradient accumulated so far (the total) for this step's term (the immediate).

A typed value v matches a target u when |v - u| <= ``ATOL`` + ``RTOL`` |u|: one per cent, or
half a unit of the fourth decimal for numbers near 0, so that a value copied with the four
significant digits every view shows always matches. A slip whose value matches the correct one
is not offered (it would not tell the mistakes apart).
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from typing import Final

import numpy as np

from core.functions import hidden_forward
from core.lesson_text import PlaceholderError, Quantity, check, parse, value
from core.model import SRN
from core.notation import Notation
from core.tdl import TDL
from core.trace import Trace

#: relative and absolute tolerance of a match (see the module docstring)
RTOL: Final = 0.01
ATOL: Final = 5e-4
#: the quantities predict mode asks for
KINDS: Final = ("h", "dh", "do", "grad")


@dataclass(frozen=True, slots=True)
class Slip:
    """One common mistake: its key (in the engine's names, the same in every notation, for
    exports and tests), its name in the reader's symbols, what the learner did (in the reader's
    symbols too), and the value it gives."""

    key: str
    name: str
    description: str
    value: float


#: the engine's symbols a slip's key may hold, each standing alone (not inside a word)
_KEY_SYMBOLS = re.compile(r"(?<![A-Za-z])(U|W|V|a|h|o)(?![A-Za-z])")


def _slip(n: Notation, key: str, description: str, value: float) -> Slip:
    """A slip whose name is ``key`` in ``n``'s symbols ("W for Wᵀ" is "U for Uᵀ" in Bodén's)."""
    return Slip(key, _KEY_SYMBOLS.sub(lambda m: n[m.group(1)], key), description, value)


@dataclass(frozen=True, slots=True)
class Question:
    """A quantity to predict with its correct value and the values of the common slips."""

    source: str
    label: str
    correct: float
    slips: tuple[Slip, ...]


@dataclass(frozen=True, slots=True)
class Verdict:
    """The outcome of one prediction: correct, a named slip, or neither."""

    source: str
    label: str
    typed: float
    correct: float
    right: bool
    slip: Slip | None

    @property
    def message(self) -> str:
        if self.right:
            return f"Right: {self.label} = {self.correct:.4g}."
        if self.slip is not None:
            return (
                f"Not quite: {self.label} = {self.correct:.4g}. Your {self.typed:.4g} is what "
                f"you get with {self.slip.description} ({self.slip.name})."
            )
        return (
            f"Not quite: {self.label} = {self.correct:.4g}; "
            f"{self.typed:.4g} matches no common slip."
        )


def matches(typed: float, target: float) -> bool:
    """Whether ``typed`` is ``target`` within the tolerance of the module docstring."""
    return bool(abs(typed - target) <= ATOL + RTOL * abs(target))


def question(source: str, trace: Trace, notation: Notation) -> Question:
    """The question for a quantity (``h[1](2)``, ``dh[1](3)``, ``do[1](3)``,
    ``grad W[1,2](3)``) of a single-sequence trace; PlaceholderError if it cannot be asked.

    The label and every slip's description are written in ``notation``'s symbols (the one-unit
    example's δ, z, y, w, E; Bodén's δj, netj, yj, U, C; ...), as the views around them are."""
    q = parse(source)
    check(q, trace)
    if q.kind == "step" and q.name in ("h", "dh", "do") and q.t[0] >= 1:
        recompute = {"h": _hidden_slips, "dh": _delta_h_slips, "do": _delta_o_slips}[q.name]
        raw = recompute(trace, q, notation)
    elif q.kind == "grad" and q.t and q.name in ("U", "W", "V"):
        raw = _gradient_slips(trace, q, notation)
    else:
        raise PlaceholderError(
            f"{{{source}}}: predict mode asks for h[i](t), dh[i](t), do[k](t) or a step's "
            "gradient term grad U/W/V[i,j](t)"
        )
    correct = value(q, trace, notation)
    slips = tuple(s for s in raw if np.isfinite(s.value) and not matches(s.value, correct))
    return Question(source, _label(q, notation), correct, slips)


def judge(question: Question, typed: float) -> Verdict:
    """Compare a typed value with the question's answer and name the nearest matching slip."""
    if matches(typed, question.correct):
        return Verdict(question.source, question.label, typed, question.correct, True, None)
    near = [s for s in question.slips if matches(typed, s.value)]
    slip = min(near, key=lambda s: abs(s.value - typed)) if near else None
    return Verdict(question.source, question.label, typed, question.correct, False, slip)


def _label(q: Quantity, notation: Notation) -> str:
    """The quantity in the reader's symbols, 1-based: ``δh1(3)``, ``δj1(3)`` (Bodén)."""
    if q.kind == "grad":
        where = ",".join(map(str, q.index))
        return f"step {q.t[0]}'s term of ∂{notation['L']}/∂{notation[q.name]}[{where}]"
    names = {"h": "h", "dh": "delta_h", "do": "delta_o"}
    return f"{notation[names[q.name]]}{q.index[0]}({q.t[0]})"


# -- the slips, recomputed from the trace -------------------------------------------------------
def _pre_activation_delta(trace: Trace, t: int) -> tuple[np.ndarray, np.ndarray]:
    """(immediate, total) ∂L/∂h(t) of an Elman network: Vᵀ δo(t), and that plus what comes
    back through W from step t+1 (Wᵀ carried(t)). For a Jordan network the future arrives
    through δo(t), so both are Vᵀ δo(t) with the immediate δo(t) = the local part."""
    net = trace.net
    if net.jordan:
        return net.V.T @ trace.local_delta_o(t), net.V.T @ trace.delta_o[t - 1]
    immediate = net.V.T @ trace.delta_o[t - 1]
    back = trace.carried(t)
    total = immediate + (net.W.T @ back if back is not None else 0.0)
    return immediate, total


def _hidden_slips(trace: Trace, q: Quantity, n: Notation) -> list[Slip]:
    (i,), (t,) = (q.index[0] - 1,), q.t
    net = trace.net
    a, c = trace.a[t - 1], trace.context[t - 1]
    out = [
        _slip(
            n, "activation left out", f"the net input {n['a']}{i + 1}({t}) without f", float(a[i])
        )
    ]
    if net.context == "none":  # a tapped delay line: no recurrent term to misread
        return out
    W, h = n["W"], n["h"]
    if not net.jordan:
        transposed = net.b[i] + net.W[:, i] @ c + net.U[i] @ trace.x[t - 1]
        by_columns = f"{W} read by columns, Σj {W}[j,{i + 1}] {h}j({t - 1})"
        out.append(_slip(n, "W for Wᵀ", by_columns, _f(net, transposed)))
    plain = net.b[i] + net.U[i] @ trace.x[t - 1]
    out.append(
        _slip(
            n, "recurrence left out", f"the recurrent term (through {W}) left out", _f(net, plain)
        )
    )
    return out


def _f(net: SRN | TDL, a: float) -> float:
    """f(a) for one net input."""
    return float(hidden_forward(net.hidden, np.array([a]))[0])


def _delta_h_slips(trace: Trace, q: Quantity, n: Notation) -> list[Slip]:
    i, t, sign = q.index[0] - 1, q.t[0], n.delta_sign
    fp = trace.slope()
    immediate, total = _pre_activation_delta(trace, t)
    L, a, h, W = n["L"], n["a"], n["h"], n["W"]
    out = [
        _slip(n, "missing f'(a)", f"f'({a}) left out: ∂{L}/∂{h} instead of ∂{L}/∂{a}",
             sign * float(total[i])),
        _slip(n, "other δ sign", "the other notation's sign of δ",
             -sign * float(trace.delta_h[t - 1, i])),
        _slip(n, "immediate for total",
             f"only this step's own loss {L}({t}), not what comes back from later steps",
             sign * float(fp[t - 1, i] * immediate[i])),
    ]  # fmt: skip
    if t < trace.T:
        late = float(fp[t, i] * total[i])
        out.append(
            _slip(n, "h(t+1) for h(t)", f"f' taken at step {t + 1} instead of {t}", sign * late)
        )
    back = trace.carried(t) if not trace.net.jordan else None
    if back is not None:
        wrong = immediate + trace.net.W @ back
        out.append(_slip(n, "W for Wᵀ", f"{W} instead of {W}ᵀ on the way back",
                        sign * float(fp[t - 1, i] * wrong[i])))  # fmt: skip
    return out


def _delta_o_slips(trace: Trace, q: Quantity, n: Notation) -> list[Slip]:
    k, t, sign = q.index[0] - 1, q.t[0], n.delta_sign
    delta = float(trace.delta_o[t - 1, k])
    y = float(trace.y[t - 1, k])
    ys, ds = f"{n['y']}{k + 1}({t})", f"{n['d']}{k + 1}({t})"
    out = [_slip(n, "other δ sign", f"the other notation's sign ({ds} - {ys} for {ys} - {ds})",
                -sign * delta)]  # fmt: skip
    if trace.net.output in ("softmax", "logistic"):
        g = y * (1 - y)
        out.append(_slip(n, "g'(o) multiplied in",
                        f"the output's derivative {ys}(1 - {ys}) multiplied in, as for an "
                        "unmatched cost", sign * delta * g))  # fmt: skip
    if trace.net.jordan:
        local = float(trace.local_delta_o(t)[k])
        out.append(_slip(n, "immediate for total", f"only {ys} - {ds}, not what comes back",
                        sign * local))  # fmt: skip
    return out


def _gradient_slips(trace: Trace, q: Quantity, n: Notation) -> list[Slip]:
    (i, j), t, p = (q.index[0] - 1, q.index[1] - 1), q.t[0], q.name
    delta, partner = trace.delta_of(p)[t - 1], trace.partner(p)[t - 1]
    P, h = n[p], n["h"]
    out = [
        _slip(n, "other δ sign", "the other notation's sign of δ", -float(delta[i] * partner[j])),
        _slip(
            n,
            "total for immediate",
            f"the gradient summed over steps ≥ {t} instead of step {t}'s term",
            float(trace.accumulated(t)[p][i, j]),
        ),
    ]
    if p == "W" and not trace.net.jordan:
        out.append(_slip(n, "h(t) for h(t-1)", f"{h}({t}) where {h}({t - 1}) belongs",
                        float(delta[i] * trace.h[t, j])))  # fmt: skip
    if p == "V":
        out.append(_slip(n, "h(t-1) for h(t)", f"{h}({t - 1}) where {h}({t}) belongs",
                        float(delta[i] * trace.h[t - 1, j])))  # fmt: skip
    if p in ("U", "W"):
        fp = trace.slope()[t - 1, i]
        pre = delta[i] / fp if fp != 0 else np.nan
        a = n["a"]
        out.append(_slip(n, "missing f'(a)", f"f'({a}) left out of δ", float(pre * partner[j])))
    if p == "W" and delta.shape[0] == partner.shape[0]:
        out.append(_slip(n, "W for Wᵀ", f"the indices of {P} swapped",
                        float(delta[j] * partner[i])))  # fmt: skip
    return out


# -- the score ----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Score:
    """The verdicts of a session, oldest first; immutable (``add`` returns a new score)."""

    verdicts: tuple[Verdict, ...] = ()

    def add(self, verdict: Verdict) -> Score:
        return Score((*self.verdicts, verdict))

    @property
    def right(self) -> int:
        return sum(v.right for v in self.verdicts)

    @property
    def total(self) -> int:
        return len(self.verdicts)

    @property
    def label(self) -> str:
        return f"score {self.right} / {self.total}"

    def rows(self) -> list[dict[str, object]]:
        """One plain row per prediction (for CSV and JSON)."""
        return [
            {
                "n": n,
                "quantity": v.source,
                "typed": v.typed,
                "correct": v.correct,
                "right": v.right,
                "slip": v.slip.key if v.slip else "",
            }
            for n, v in enumerate(self.verdicts, start=1)
        ]

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.DictWriter(
            out, fieldnames=["n", "quantity", "typed", "correct", "right", "slip"]
        )
        writer.writeheader()
        writer.writerows(self.rows())
        return out.getvalue()

    def to_json(self) -> str:
        return json.dumps(
            {"format": "unfold-predictions", "version": 1, "right": self.right,
             "total": self.total, "predictions": self.rows()},
            indent=2, ensure_ascii=False,
        )  # fmt: skip


__all__ = ["ATOL", "RTOL", "Question", "Score", "Slip", "Verdict", "judge", "matches", "question"]
