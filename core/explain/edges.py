"""Worked examples of one weighted edge at one step: the signal it carries forward, the delta it
carries back, and its term of the gradient.

    signal:        w_rc · sender_c        (a term of the receiver's net input)
    carried back:  w_rc · δ_r(t)          (a term of the sender's delta)
    gradient:      ∂L/∂w_rc at t = δ_r(t) · sender_c
"""

from __future__ import annotations

from core.explain.symbols import Scope
from core.explain.text import UNKNOWN, Step, Term, fmt, paren, product
from core.trace import WEIGHT_KINDS

#: the equation of the net input each kind of edge feeds
_NET_INPUT = {"a": "net-hidden", "o": "net-output"}


def edge(sc: Scope, p: str, t: int, r: int, c: int) -> tuple[str, list[Step]]:
    """Weight p[r, c] at step t: its value, the signal it carries, its gradient term."""
    kind = WEIGHT_KINDS[p]
    weight = sc.w(p, r, c)
    sending = sc.u(sc.sender(kind.sender), c, t + kind.lag)
    receiving = sc.u(kind.receiver, r, t)
    d = sc.sign * float(sc.trace.delta_of(p)[t - 1, r]) if sc.bwd(t) else None
    steps = [signal(sc, p, t, r, c), gradient(sc, p, t, r, c, d)]
    if p == "V" or (p == "W" and sc.net.context != "target"):
        steps.insert(1, carried_back(sc, p, t, r, c, d))
    return f"edge {weight} at t = {t}: {sending} → {receiving}", steps


def signal(sc: Scope, p: str, t: int, r: int, c: int) -> Step:
    """w_rc · sender_c(t + lag): the edge's term of the receiver's net input."""
    kind = WEIGHT_KINDS[p]
    wv = float(sc.net.params()[p][r, c])
    act = float(sc.trace.partner(p)[t - 1, c])
    act_known = sc.partner_known(p, t)
    weight = sc.w(p, r, c)
    sending = sc.u(sc.sender(kind.sender), c, t + kind.lag)
    receiving = sc.u(kind.receiver, r, t)
    value = float(wv * act) if act_known else None
    shown = paren(act) if act_known else UNKNOWN
    return Step(
        "signal",
        f"{weight}·{sending}  (a term of {receiving})",
        f"{paren(wv)}·{shown} = {fmt(value)}",
        f"{weight} = {fmt(wv)},  signal = {fmt(value)}",
        sc.cite(*forward_keys(sc, p)),
        value,
        (Term(f"{weight}·{sending}", f"{paren(wv)}·{shown}", value),),
        total=value,
        notes=() if act_known else (f"{sending} is computed at forward t = {t + kind.lag}",),
    )


def gradient(sc: Scope, p: str, t: int, r: int, c: int, d: float | None) -> Step:
    """∂L/∂p[r, c] at step t = δ_r(t) · sender_c: the edge's term of the gradient."""
    kind = WEIGHT_KINDS[p]
    act_known = sc.partner_known(p, t)
    act = float(sc.trace.partner(p)[t - 1, c]) if act_known else None
    sending = sc.u(sc.sender(kind.sender), c, t + kind.lag)
    grad = float(sc.sign * d * act) if d is not None and act is not None else None
    dsym = sc.u(kind.delta, r, t)
    sign = "-" if sc.sign < 0 else ""
    target = f"{sc.dw(p, r, c)} at t = {t}"
    return Step(
        "gradient",
        f"{target} = {sign}{dsym}·{sending}",
        f"{target} = {sign}{paren(d)}·{paren(act)} = {fmt(grad)}",
        f"{target} = {fmt(grad)}",
        sc.cite(f"grad-{p}", delta=True),
        grad,
        (Term(f"{sign}{dsym}·{sending}", f"{sign}{paren(d)}·{paren(act)}", grad),),
        total=grad,
        notes=sc.bwd_note(t, dsym),
    )


def carried_back(sc: Scope, p: str, t: int, r: int, c: int, d: float | None) -> Step:
    """What this edge carries back into the sending unit's delta: w_rc·δ_r(t), the term of the
    earlier delta's sum, only as far as the truncation lets δ travel (:meth:`Scope.carried`)."""
    wv = float(sc.net.params()[p][r, c])
    weight, dsym = sc.w(p, r, c), sc.u(WEIGHT_KINDS[p].delta, r, t)
    into, note = sc.u("delta_h", c, t), ""
    if p == "W" and t == 1:
        into = f"{'-' if sc.sign < 0 else ''}∂{sc.L}/∂{sc.w('h0', c)}"
    elif p == "W":
        back, note = sc.carried(t - 1)
        into = sc.u("delta_h", c, t - 1)
        if sc.net.jordan:
            into = f"r[{c + 1}] of {sc.u('delta_o', c, t - 1)}, through {sc.u('y', c, t - 1)}"
        if back is None:
            return Step(
                "carried back",
                f"{weight}·{dsym}  (no term of {into})",
                f"nothing comes back into {into}",
                "carried back = none",
                sc.cite(*back_keys(sc, p, t), delta=True),
                None,
                notes=(note,),
            )
        d = sc.sign * float(back[r]) if sc.bwd(t) else None
    v = float(wv * d) if d is not None else None
    term = product(weight, dsym, wv, v, d is not None, d)
    return Step(
        "carried back",
        f"{weight}·{dsym}  (a term of {into})",
        f"{term.numbers} = {fmt(v)}",
        f"carried back = {fmt(v)}",
        sc.cite(*back_keys(sc, p, t), delta=True),
        v,
        (term,),
        total=v,
        notes=(*sc.bwd_note(t, dsym), *((note,) if note else ())),
    )


def forward_keys(sc: Scope, p: str) -> tuple[str, ...]:
    """The equations of the net input an edge of p feeds (a Jordan context: its own)."""
    if p == "W" and sc.net.jordan:
        return ("jordan-context",)
    return (_NET_INPUT[WEIGHT_KINDS[p].receiver],)


def back_keys(sc: Scope, p: str, t: int) -> tuple[str, ...]:
    """The equations of the delta an edge of p carries back into."""
    if p == "W" and t == 1:
        return ("grad-h0",)
    if p == "W" and sc.net.jordan:
        return ("jordan-delta-output", *sc.truncation_key())
    if p == "W":
        return ("delta-hidden", *sc.truncation_key())
    return ("jordan-delta-hidden",) if sc.net.jordan else ("delta-hidden",)
