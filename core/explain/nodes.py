"""Worked examples of the hidden units, the inputs and the initial context.

a(t) = b + W c(t) + U x(t),  h(t) = f(a(t))      forward (c(t) = h(t-1), y(t-1) or d(t-1))
δh(t) = f'(a(t)) (W^T δh(t+1) + V^T δo(t))       backward (Jordan: no W^T term)
"""

from __future__ import annotations

from core.explain.cells import h0_gradient
from core.explain.symbols import Scope
from core.explain.text import Factor, Step, Term, paren, product, total, written

#: the hidden activation f as written in an equation
F = {"tanh": "tanh", "logistic": "σ", "relu": "max(0, ·)", "linear": "identity"}


def hidden(sc: Scope, j: int, t: int) -> tuple[str, list[Step]]:
    """Hidden unit j at step t (t = 0: the initial state)."""
    if t == 0:
        return initial(sc, j)
    return f"hidden unit {sc.u('h', j, t)}", [hidden_forward(sc, j, t), hidden_delta(sc, j, t)]


def initial(sc: Scope, j: int) -> tuple[str, list[Step]]:
    """The initial context h(0) (a Jordan network's y(0) or d(0)): its value and gradient."""
    what = "initial state" if sc.ctx == "h" else "initial context"
    return f"{what} {sc.u(sc.ctx, j, 0)}", [initial_value(sc, j), h0_gradient(sc, j)]


def hidden_forward(sc: Scope, j: int, t: int) -> Step:
    """a_j(t) = b_j + Σ_i W_ji c_i(t) + Σ_i U_ji x_i(t); h_j(t) = f(a_j(t)), the context c(t)
    being h(t-1) (or a Jordan network's y(t-1) or d(t-1))."""
    net = sc.net
    bias = [product([sc.w("b", j)], [sc.show("b", j)])]
    recurrent = [
        product(
            [sc.w("W", j, i), sc.u(sc.ctx, i, t - 1)],
            [sc.show("W", j, i), sc.show("context", t, i)],
        )
        for i in range(net.n_context)
    ]
    inputs = [
        product([sc.w("U", j, i), sc.x_unit(i, t)], [sc.show("U", j, i), sc.show("x", t, i)])
        for i in range(sc.n_inputs)
    ]
    a_f, h_f = sc.show("a", t, j), sc.show("h", t, j)
    a, h, f = sc.u("a", j, t), sc.u("h", j, t), F[net.hidden]
    tdl = net.context == "none"  # a tapped delay line: the window's inputs, no context
    if tdl:
        U, x = sc.n["U"], sc.n["x"]
        equation = f"{a} = {sc.w('b', j)} + Σk Σi {U}k[{j + 1},i]·{x}[i]({t}-k)\n{h} = {f}({a})"
    else:
        equation = (
            f"{a} = {sc.w('b', j)} + Σi {sc.n['W']}[{j + 1},i]·{sc.n[sc.ctx]}[i]({t - 1})"
            f" + Σi {sc.n['U']}[{j + 1},i]·{sc.n['x']}[i]({t})\n{h} = {f}({a})"
        )
    parts = (bias, inputs) if tdl else (bias, recurrent, inputs)
    sums = " + ".join(f"({written(s)})" if len(s) > 1 else written(s) for s in parts)
    return Step(
        "forward",
        equation,
        f"{a} = {sums} = {a_f.text}\n{h} = {f}({a_f.text}) = {h_f.text}",
        f"{a} = {a_f.text},  {h} = {h_f.text}",
        sc.cite(
            "tdl-net-hidden" if tdl else "net-hidden",
            "hidden",
            *(("jordan-context",) if net.jordan else ()),
        ),
        h_f.value,
        (*bias, *recurrent, *inputs),
        total=a_f.value,
        notes=sc.fwd_note(t, h),
        quantity=("h", t, j),
        shown=(a_f, h_f),
    )


def derivative(sc: Scope, j: int, t: int) -> tuple[str, str, tuple[Factor, ...]]:
    """f'(a_j(t)) for the network's activation, written through h = f(a) where it can be:
    (symbols, numbers, (f' and the number it is written with))."""
    kind = sc.net.hidden
    a, h = sc.u("a", j, t), sc.u("h", j, t)
    slope = sc.show("slope", t, j)  # the Trace's f'(a(t))
    if kind in ("tanh", "logistic"):
        h_f = sc.show("h", t, j)
        if kind == "tanh":
            return f"(1 - {h}²)", f"(1 - {h_f.factor}²)", (slope, h_f)
        return f"{h}(1 - {h})", f"{h_f.factor}·(1 - {h_f.factor})", (slope, h_f)
    if kind == "relu":
        a_f = sc.show("a", t, j)
        return f"[{a} > 0]", f"[{a_f.text} > 0]", (slope, a_f)
    return "1", "1", (slope,)


def hidden_delta(sc: Scope, j: int, t: int) -> Step:
    """δh_j(t) = f'(a_j(t)) (Σ_i W_ij δh_i(t+1) + Σ_k V_kj δo_k(t)) (Jordan: no W term)."""
    net = sc.net
    dh, do = sc.n["delta_h"], sc.n["delta_o"]
    back, cut_note = recurrence(sc, t)
    terms: list[Term] = []
    if back:
        terms += [
            product(
                [sc.w("W", i, j), sc.u("delta_h", i, t + 1)],
                [sc.show("W", i, j), sc.show("carried", t, i)],
            )
            for i in range(net.n_hidden)
        ]
    terms += [
        product(
            [sc.w("V", k, j), sc.u("delta_o", k, t)], [sc.show("V", k, j), sc.show("delta_o", t, k)]
        )
        for k in range(net.n_out)
    ]
    fp_sym, fp_num, shown = derivative(sc, j, t)
    delta = sc.show("delta_h", t, j)
    bracket = total(terms) if delta.value is not None else None
    target = sc.u("delta_h", j, t)
    rec = f"Σi {sc.n['W']}[i,{j + 1}]·{dh}[i]({t + 1}) + " if back else ""
    notes = [*sc.bwd_note(t, target), *((cut_note,) if cut_note else ())]
    if sc.sign < 0:
        notes.append(
            f"{sc.n.delta_definition('h')}: the negative of the gradient (Bodén 2001); "
            "the recursion keeps its form because every δ flips sign"
        )
    own = {"output": "jordan-delta-hidden", "target": "jordan-delta-hidden"}
    own |= {"hidden": "delta-hidden", "none": "tdl-delta-hidden"}
    truncated = sc.truncation_key() if cut_note else ()
    return Step(
        "delta",
        f"{target} = {fp_sym}·({rec}Σk {sc.n['V']}[k,{j + 1}]·{do}[k]({t}))",
        f"{target} = {fp_num}·({written(terms)}) = {shown[0].text}·{paren(bracket)} = {delta.text}",
        f"{target} = {delta.text}",
        sc.cite(own[net.context], "derivative", *truncated, delta=True),
        delta.value,
        tuple(terms),
        total=bracket,
        factor=shown[0].value,
        notes=tuple(notes),
        quantity=("delta_h", t, j),
        shown=(*shown, delta),
    )


def recurrence(sc: Scope, t: int) -> tuple[bool, str]:
    """Whether δh(t) has W terms (the part of δh(t+1) that comes back), and a note."""
    if not sc.net.jordan:
        back, note = sc.carried(t)
        return back is not None, note
    if sc.net.context == "output":  # the recurrence runs through the output: no W term here
        y, dh, do = sc.n["y"], sc.n["delta_h"], sc.n["delta_o"]
        return False, (
            f"Jordan network: {dh}({t + 1}) comes back through the output {y}({t}), "
            f"so it is part of {do}({t})"
        )
    return False, "teacher forcing: the context is the target, no δ comes back through W"


def initial_value(sc: Scope, j: int) -> Step:
    """h(0) = h0 (a Jordan network's initial context y(0) = h0)."""
    h = sc.u(sc.ctx, j, 0)
    h0 = sc.show("h0", j)
    return Step(
        "initial",
        f"{h} = {sc.w('h0', j)}",
        f"{h} = {h0.text}",
        f"{h} = {h0.text}",
        sc.cite("jordan-context" if sc.net.jordan else "net-hidden"),
        h0.value,
        (product([sc.w("h0", j)], [h0]),),
        h0.value,
        quantity=("h0", j),
    )


def input_unit(sc: Scope, i: int, t: int) -> tuple[str, list[Step]]:
    """Input x_i(t): the signals it sends and its given value."""
    x, x_f = sc.x_unit(i, t), sc.show("x", t, i)
    key = "tdl-net-hidden" if sc.net.context == "none" else "net-hidden"
    terms = tuple(
        product([sc.w("U", j, i), x], [sc.show("U", j, i), x_f]) for j in range(sc.net.n_hidden)
    )
    given = Step(
        "input",
        f"{x} (given by the sequence)",
        f"{x} = {x_f.text}",
        f"{x} = {x_f.text}",
        sc.cite(key),
        x_f.value,
        (product([x], [x_f]),),
        x_f.value,
        quantity=("x", t, i),
    )
    feeds = Step(
        "feeds",
        f"{sc.n['U']}[j,{i + 1}]·{x} enters {sc.n['a']}[j]({t}) for every hidden unit j",
        written(terms, " ,  "),
        f"{len(terms)} signals",
        sc.cite(key),
        None,
        terms,
        notes=_window_note(sc, i, t),
    )
    return f"input {x}", [feeds, given]


def _window_note(sc: Scope, i: int, t: int) -> tuple[str, ...]:
    """For a tapped delay line: the other steps whose net input the same input reaches."""
    window = sc.net.U.shape[1] // sc.net.n_in - 1
    if sc.net.context != "none" or window == 0:
        return ()
    s = t - i // sc.net.n_in  # buffer unit i of step t holds the input of step s
    a = sc.n["a"]
    return (
        f"the same input reaches {a}({s}), …, {a}({s + window}) through {sc.n['U']}0, …, "
        f"{sc.n['U']}{window} as the window slides (Bodén 2002 §4)",
    )
