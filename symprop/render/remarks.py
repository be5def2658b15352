"""The remarks a teacher writes beside a worked solution, each computed from the Solution
and written only when its condition holds (never per example):

    kinks        why ReLU′ is 1 or 0 here: each unit's z > 0, < 0, or = 0 and the convention
    dead         units (and whole layers) with ReLU′ = 0 for every sample after the update
    saturation   an activation whose derivative is tiny (σ′(18.3) ≈ 1.1·10⁻⁸): the gradient
                 vanishes, and floating point (float32, 4 digits) loses it to cancellation
    skip         a value reaching the loss along paths of different lengths (a skip
                 connection): its short path carries gradient past a dead long one
    training_set J = 1/(2N) Σ_p … when the loss is a mean (or sum) over a training set

    remarks(solution) -> [(key, LaTeX paragraph)]
"""

import math
import struct
from dataclasses import replace

import sympy as sp

from ..model.losses import LOSSES
from ..model.numeric import decimal, is_symbolic, sign
from .derivation import slopes
from .formulas import chain_paths
from .latexprint import latex, latex_short
from .texnames import tex_name

__all__ = ["remarks", "SATURATED", "dead_units"]

SATURATED = sp.Rational(1, 1000)     # |f′(z)| below this (and not 0): the unit saturates


def _sign(v):
    if v.is_Rational:
        return int(bool(v > 0)) - int(bool(v < 0))
    return sign(v)


def _names(names):
    names = [f"${n}$" for n in names]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def kinks(solution):
    step = solution.steps[0] if solution.steps else None
    if step is None:
        return None
    values = solution.values_at(step)
    relu = [(node, z, v) for node, z, v in slopes(solution, step) if node.functions[0].relu_like
            and not is_symbolic(values[z])]
    if not relu:
        return None
    c = solution.problem.conventions.relu_derivative_at_zero
    groups = {1: [], -1: [], 0: []}
    for node, z, value in relu:
        groups[_sign(values[z])].append((node, z, value))
    records = {node.functions[0].name: node.functions[0] for node, _, _ in relu}
    zs, a_s = sp.symbols("z a")
    shapes, lows = [], []
    for record in records.values():
        low = record.derivative(zs, a_s, solution.problem.conventions).subs({zs: -1, a_s: -1})
        lows.append(low)
        shapes.append(rf"${record.latex}$ has slope 1 for $z > 0$ and ${latex_short(low)}$ for $z < 0$")
    names = "/".join(rf"${r.latex}'$" for r in records.values())
    head = rf"Why {names} is 1 or 0 here." if all(l == 0 for l in lows) else rf"Which slope {names} takes here."
    text = (rf"\emph{{{head}}} " + "; ".join(shapes) +
            r"; at the kink $z = 0$ it has no derivative, and this problem takes "
            rf"$\operatorname{{ReLU}}'(0) = {c}$. ")
    slope = lambda g: latex_short(g[0][2])
    if groups[1]:
        text += (rf"{_names(tex_name(z) for _, z, _ in groups[1])} "
                 rf"{'is' if len(groups[1]) == 1 else 'are'} $> 0$, so the slope there is ${slope(groups[1])}$"
                 + (r": the gradient arriving from above passes unchanged. " if groups[1][0][2] == 1 else ". "))
    if groups[-1]:
        zero = all(v == 0 for _, _, v in groups[-1])
        text += (rf"{_names(tex_name(z) for _, z, _ in groups[-1])} "
                 rf"{'is' if len(groups[-1]) == 1 else 'are'} $< 0$, so the slope there is "
                 rf"${slope(groups[-1])}$" +
                 (r": such a unit is \emph{dead} for this input; it passes no gradient back, and the "
                  r"weights into it get gradient 0. " if zero else ". "))
    if groups[0]:
        text += (rf"{_names(tex_name(z) for _, z, _ in groups[0])} "
                 rf"{'is' if len(groups[0]) == 1 else 'are'} exactly 0, where the convention decides: "
                 rf"slope ${c}$. ")
    return text


def dead_units(solution):
    """The ReLU-like nodes of the units whose slope is 0 for every sample in the forward pass
    after the last update ([(node name, its z name)]); [] without an update."""
    if solution.final is None:
        return []
    p, tape = solution.problem, solution.tape
    values = solution.values_at(solution.final)
    out = {}
    for node in tape.nodes:
        record = node.functions[0] if node.functions and len(node.shown_partials) == 1 else None
        if record is None or not record.relu_like or node.kind not in ("a", "node"):
            continue
        z = node.shown_partials[0][0]
        if is_symbolic(values[z]):
            continue
        zs, a_s = sp.symbols("z a")      # the slope on z's side of the kink (certified sign)
        side = sp.Integer(_sign(values[z]))
        slope = record.derivative(zs, a_s, p.conventions).subs({zs: side, a_s: max(side, 0)})
        unit = replace(node.quantity, sample=None) if node.quantity is not None else node.name
        out.setdefault(unit, []).append((node.name, z) if slope == 0 else None)
    return [x for nodes in out.values() if None not in nodes for x in nodes]


def _dead_layers(solution, dead):
    """The hidden layers all of whose ReLU-like nodes are dead (Solution.dead_after_update's
    definition; computed here from the dead nodes, so symbolic values elsewhere do not matter)."""
    p, tape = solution.problem, solution.tape
    if not p.is_layered:
        return ()
    output, units = len(p.network.layers), {}
    for node in tape.nodes:
        record = node.functions[0] if node.kind == "a" and node.functions else None
        if record is None or not record.relu_like or node.layer is None or node.layer >= output:
            continue
        units.setdefault(node.layer, []).append(node.name in dead)
    return tuple(sorted(l for l, flags in units.items() if all(flags)))


def dead(solution):
    units = dead_units(solution)
    if not units:
        return None
    layers = _dead_layers(solution, {n for n, _ in units})
    final = solution.values_at(solution.final)
    names = [rf"{tex_name(z)} = {latex_short(final[z])}" for _, z in units[:6]]
    text = (r"\emph{Dead after the update.} In the forward pass after the update "
            rf"{_names(names)}{', …' if len(units) > 6 else ''}"
            + (" (every sample)" if len(solution.problem.samples) > 1 else "") + ": "
            r"$\operatorname{ReLU}' = 0$ there, so "
            + ("these units pass" if len(units) > 1 else "this unit passes")
            + r" no gradient back, and the next step cannot change the weights into "
            + ("them" if len(units) > 1 else "it") + ". ")
    big_l = len(solution.problem.network.layers) if solution.problem.is_layered else None
    tape = solution.tape
    if big_l is not None and any(tape.node(n).layer == big_l for n, _ in units):
        text += (r"That is an output unit: its output is stuck at "
                 rf"${latex_short(final[units[0][0]])}$ and no weight of the network gets a gradient any more. "
                 if len(units) == 1 else r"Among them is an output unit: no weight before it gets a gradient any more. ")
    if layers:
        which = ", ".join(str(l) for l in layers)
        text += (rf"Every unit of layer {which} is dead: no gradient reaches $W^{{({layers[0]})}}$ or anything "
                 r"before it, and gradient descent alone cannot revive the layer, even though the loss "
                 r"may have gone down in this step. ")
    return text


def _f32(x):
    try:
        return struct.unpack("f", struct.pack("f", x))[0]
    except OverflowError:
        return math.copysign(math.inf, x)


def saturation(solution):
    step = solution.steps[0] if solution.steps else None
    if step is None:
        return None
    tape, p = solution.tape, solution.problem
    values = solution.values_at(step)
    tiny = [(node, z, v) for node, z, v in slopes(solution, step)
            if not node.functions[0].relu_like and not is_symbolic(v) and v != 0
            and abs(float(decimal(v, 6))) < SATURATED]
    if not tiny:
        return None
    node, z, value = tiny[0]
    record = node.functions[0]
    name = rf"{record.latex}'\left({tex_name(z)}\right)"
    zs, a_s = tape.symbols[z], tape.symbols[node.name]
    with sp.evaluate(False):
        textbook = record.derivative(zs, a_s, p.conventions)
    approx = latex_short(value).replace(r"\ldots", "")
    text = (rf"\emph{{The {'output' if node.layer == len(getattr(p.network, 'layers', ())) else 'unit'} "
            rf"saturates.}} ${tex_name(z)} = {latex_short(values[z])}$ gives "
            rf"${tex_name(node.name)} = {latex_short(values[node.name], 12)}$, and "
            rf"${name} = {latex(textbook)} \approx "
            rf"{approx}$: every gradient through this unit is that "
            r"tiny factor times what arrives from above, so the weights before it barely move (a vanishing "
            r"gradient). ")
    f = sp.lambdify((zs, a_s), record.derivative(zs, a_s, p.conventions), "math")
    try:
        z64, a64 = float(decimal(values[z], 17)), float(decimal(values[node.name], 17))
        s64, s32 = f(z64, a64), _f32(f(_f32(z64), _f32(a64)))
    except (ValueError, OverflowError, TypeError):
        return text
    exact = float(decimal(value, 17))
    err = abs(s64 - exact) / abs(exact)
    text += (rf"Floating point loses digits of it: $1 - {tex_name(node.name)}$ cancels the leading 9s. "
             rf"In float64 the textbook ${latex(textbook)}$ keeps about half of its 16 digits (here "
             rf"${_float(s64)}$, relative error ${_float(err)}$); in float32 it gives ${_float(s32)}$"
             + (r", that is 0, and so every gradient through it, as with 4 significant digits by hand"
                if s32 == 0 else "") +
             r". The exact value above is computed from $z$ itself, so none of its digits is lost. ")
    return text


def _float(x):
    if x == 0:
        return "0"
    s = f"{x:.3g}"
    if "e" in s:
        m, e = s.split("e")
        return rf"{m} \cdot 10^{{{int(e)}}}"
    return s


def skip(solution):
    p, tape = solution.problem, solution.tape
    if p.is_layered or not solution.steps:
        return None
    step = solution.steps[0]
    dist = {}
    for node in reversed(tape.nodes):
        paths = chain_paths(tape, node.name, limit=16)
        dist[node.name] = min(len(x) for x in paths) if paths else (0 if node.name == tape.loss else None)
    for node in tape.nodes:
        if node.name not in step.adjoints or node.name == tape.loss:
            continue
        terms = step.adjoints[node.name].terms
        if len(terms) < 2:
            continue
        lengths = [dist.get(t.consumer) for t in terms]
        if None in lengths or len(set(lengths)) < 2:
            continue
        short = min(range(len(terms)), key=lambda i: lengths[i])
        longer = [i for i in range(len(terms)) if i != short]
        via = lambda i: rf"${tex_name(terms[i].consumer)}$: $\partial L/\partial {tex_name(terms[i].consumer)} \cdot "\
                        rf"\partial {tex_name(terms[i].consumer)}/\partial {tex_name(node.name)} = "\
                        rf"{latex_short(terms[i].contribution)}$"
        text = (rf"\emph{{The skip connection.}} ${tex_name(node.name)}$ reaches the loss along paths of "
                rf"different lengths: straight into the skip connection's "
                rf"{via(short)}, and the longer way through {', '.join(via(i) for i in longer)}. "
                r"The adjoint is their sum. The short path passes fewer units, so it carries gradient back "
                r"even when a unit on the long path is dead ($\operatorname{ReLU}' = 0$ there) or saturated: "
                r"this is how skip connections ease vanishing gradients. ")
        if all(terms[i].contribution == 0 for i in longer):
            text += r"Here the long path passes nothing, and all of the gradient comes through the skip connection. "
        return text
    return None


def training_set(solution):
    p = solution.problem
    n = len(p.samples)
    stated = p.raw is not None and ("samples" in p.raw or "reduction" in p.raw)
    if not p.has_loss or not (n > 1 or stated):
        return None
    loss = LOSSES[p.loss]
    mean = p.reduction == "mean"
    body = loss.latex.replace("a_j", "a^{(p)}_j").replace("y_j", "y^{(p)}_j")
    if mean and body.startswith(r"\frac{1}{2}"):
        whole = r"\frac{1}{2N}\sum_{p=1}^{N}" + body[len(r"\frac{1}{2}"):]
    else:
        whole = (r"\frac{1}{N}" if mean else "") + r"\sum_{p=1}^{N}" + (
            body if body.startswith(r"\sum") else rf"\left({body}\right)")
    text = (rf"\emph{{A training set.}} The cost $J$ (the sheet's $L$) is over the $N = {n}$ training pair{'s' if n > 1 else ''} "
            rf"$(x^{{(p)}}, y^{{(p)}})$: $J = {whole}$ (each pair's loss $L^{{(p)}}$, "
            rf"{'averaged' if mean else 'summed'}). Its gradient is the "
            rf"{'mean' if mean else 'sum'} of the per-pair gradients, "
            r"$\partial J/\partial w = " + (r"\frac{1}{N}" if mean else "") + r"\sum_p \partial L^{(p)}/\partial w$"
            + (r"; with $N = 1$ it is the one pair's gradient. " if n == 1 else
               rf", with each pair's own $\delta^{{(p)}}$ and $a^{{(p)}}$. "))
    return text


_ALL = (("kinks", kinks), ("saturation", saturation), ("skip", skip), ("dead", dead),
        ("training_set", training_set))


def remarks(solution):
    """[(key, LaTeX paragraph)] of every remark whose condition holds, in this order:
    kinks, saturation, skip, dead, training_set."""
    out = []
    for key, make in _ALL:
        text = make(solution)
        if text:
            out.append((key, text))
    return out
