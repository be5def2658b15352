"""The δ recursion derived for this network by the chain rule (seed 000's "Derive/Find
formulas"), and each activation's derivative with this exercise's numbers put in.

For a layered net with elementwise activations:

    δ^(L)_j = ∂L/∂z^(L)_j = ∂L/∂a^(L)_j · ∂a^(L)_j/∂z^(L)_j = (a^(L)_j − y_j) · ReLU′(z^(L)_j)
    δ^(l)_j = Σ_k ∂L/∂z^(l+1)_k · ∂z^(l+1)_k/∂a^(l)_j · ∂a^(l)_j/∂z^(l)_j
            = (Σ_k w^(l+1)_kj δ^(l+1)_k) · f′(z^(l)_j),   δ^(l) = ((W^(l+1))ᵀ δ^(l+1)) ⊙ f′(z^(l))
    ∂L/∂w^(l)_jk = ∂L/∂z^(l)_j · ∂z^(l)_j/∂w^(l)_jk = δ^(l)_j a^(l−1)_k,   ∂L/∂W^(l) = δ^(l) (a^(l−1))ᵀ

with this net's loss and activations written in (formulas.output_delta). The rows are
LaTeX strings for align*; nothing is differentiated here: the textbook ∂L/∂a and f′
are the registry's, the values of f′ the Solution's own partials.

    rows(solution) -> [align* rows], or None (a layer-wide activation such as softmax)
    slope_rows(solution, step) -> [align* rows]: f′(z) = textbook = numbers = value, per unit
    slopes(solution, step) -> [(a node, z name, f′ value)] of every activation node
"""

import sympy as sp

from ..model.functions import ACTIVATIONS
from ..model.numeric import is_symbolic, sign
from .formulas import fprime, layered_formulas, output_delta
from .latexprint import latex, latex_short, latex_value
from .texnames import tex_name

__all__ = ["rows", "slope_rows", "slopes", "sloped", "derivable", "has_slopes", "MAX_SLOPES"]

_j, _k = sp.symbols("j k", integer=True)
MAX_SLOPES = 6          # slope rows shown per layer (and sample); the rest are alike


def _d(top, bottom):
    return rf"\frac{{\partial {top}}}{{\partial {bottom}}}"


def _act(layer_activation, l, unit="j"):
    record = ACTIVATIONS[layer_activation]
    return rf"{record.latex}'\left({tex_name(f'z{l}[{unit}]')}\right)"


def derivable(solution):
    """Whether the net is layered with elementwise activations (rows is not None)."""
    p = solution.problem
    return p.is_layered and all(ACTIVATIONS[l.activation].unit is None for l in p.network.layers)


def rows(solution):
    """The derivation's align* rows for a layered net; None for a graph or a layer-wide
    output activation (the stated BP1 is all there is)."""
    p = solution.problem
    if not derivable(solution):
        return None
    layers = p.network.layers
    big_l = len(layers)
    conv = p.conventions
    z = lambda l, i="j": tex_name(f"z{l}[{i}]")
    a = lambda l, i="j": tex_name(f"a{l}[{i}]")
    delta = lambda l, i="j": tex_name(f"delta{l}[{i}]")
    w = lambda l, i: tex_name(f"W{l}[{i}]")
    out = []
    matrix = {str(f.lhs): f for f in layered_formulas(p)["matrix"]}
    scale, dlda = output_delta(p)
    pre = "" if scale == 1 else latex(scale) + r" \cdot "
    last = layers[-1].activation
    record = ACTIVATIONS[last]
    loss_d = latex(dlda)
    slope = latex(fprime(last, big_l, conv))
    out.append(rf"{delta(big_l)} &= {_d('L', z(big_l))} = {pre}{_d('L', a(big_l))}\,{_d(a(big_l), z(big_l))}"
               r" && \text{chain rule: } L \text{ depends on } " + z(big_l) +
               r" \text{ only through } " + a(big_l))
    if scale != 1:
        out.append(r"&&& \text{(a sample's } \delta \text{ carries the } 1/N \text{ of the mean over the samples)}")
    loss_w = _wrap(loss_d)
    out.append(rf"&= {pre}{loss_w} \cdot {_act(last, big_l)}"
               + rf" && {_d('L', a(big_l))} \text{{ of the loss, }} {_d(a(big_l), z(big_l))} = {record.latex}'")
    if slope not in ("1", ""):
        both = dlda * fprime(last, big_l, conv)
        short = None if both.has(sp.Piecewise) else sp.factor(sp.cancel(both))
        if short is not None and 2 * sp.count_ops(short) < sp.count_ops(both):     # bce with σ: a − y
            out.append(rf"&= {pre}{loss_w} \cdot {_wrap(slope)}")
            if short.is_Add:                   # a − y, not −y + a
                a_out = sp.IndexedBase(f"a{big_l}")
                terms = sorted(short.args, key=lambda t: (not t.has(a_out), str(t)))
                short = sp.Add(*terms, evaluate=False)
            shown = _wrap(latex(short)) if pre else latex(short)
            out.append(rf"&= {pre}{shown} && \text{{BP1 (}}{record.latex}'\text{{ cancels)}}")
        else:
            out.append(rf"&= {pre}{loss_w} \cdot {_wrap(slope)} && \text{{BP1}}")
    else:
        bare = pre + r"\left(" + loss_d + r"\right)" if pre else loss_d
        out.append(rf"&= {bare} && \text{{BP1 (}}{record.latex}' = 1\text{{)}}")
    if scale == 1:
        out.append(rf"{latex(matrix[f'delta{big_l}'].lhs)} &= {latex(matrix[f'delta{big_l}'].rhs)}"
                   r" && \text{BP1, all units at once}")
    for l in range(big_l - 1, 0, -1):
        act = layers[l - 1].activation
        slope = latex(fprime(act, l, conv))
        out.append(rf"{delta(l)} &= {_d('L', z(l))} = \sum_k {_d('L', z(l + 1, 'k'))}\,"
                   rf"{_d(z(l + 1, 'k'), a(l))}\,{_d(a(l), z(l))} && \text{{every }} "
                   rf"{z(l + 1, 'k')} \text{{ uses }} {a(l)}")
        out.append(rf"&= \Bigl(\sum_k {w(l + 1, 'k,j')}\, {delta(l + 1, 'k')}\Bigr) \cdot {_act(act, l)}"
                   rf" && {_d(z(l + 1, 'k'), a(l))} = {w(l + 1, 'k,j')}")
        if slope not in ("1", ""):
            out.append(rf"&= \Bigl(\sum_k {w(l + 1, 'k,j')}\, {delta(l + 1, 'k')}\Bigr) \cdot {_wrap(slope)}"
                       r" && \text{BP2}")
        out.append(rf"{latex(matrix[f'delta{l}'].lhs)} &= {latex(matrix[f'delta{l}'].rhs)}"
                   r" && \text{BP2, all units at once}")
    for l in range(big_l, 0, -1):
        prev = a(l - 1, "k")
        out.append(rf"{tex_name(f'dL/dW{l}[j,k]')} &= {_d('L', z(l))}\,{_d(z(l), w(l, 'j,k'))} = "
                   rf"{delta(l)}\, {prev} && {_d(z(l), w(l, 'j,k'))} = {prev}, \text{{ BP4}}")
        out.append(rf"{latex(matrix[f'dL/dW{l}'].lhs)} &= {latex(matrix[f'dL/dW{l}'].rhs)}"
                   r" && \text{BP4, all weights at once}")
        if layers[l - 1].bias is not None:
            out.append(rf"{tex_name(f'dL/db{l}[j]')} &= {delta(l)} \cdot {_d(z(l), tex_name(f'b{l}[j]'))}"
                       rf" = {delta(l)} && \text{{BP3}}")
    return out


def _wrap(s):
    """A factor after '·': a sum in parentheses (a product or a case split as it is)."""
    bare = s.replace(r"\left(", "(").replace(r"\right)", ")")
    depth, top_sum = 0, False
    for i, ch in enumerate(bare):
        depth += ch == "(" or ch == "{"
        depth -= ch == ")" or ch == "}"
        top_sum = top_sum or (depth == 0 and ch in "+-" and i > 0)
    return rf"\left({s}\right)" if top_sum and not s.startswith(r"\begin{cases}") else s


def sloped(tape):
    """The nodes applying one elementwise function (not the identity) to one input."""
    return [node for node in tape.nodes
            if node.functions and len(node.shown_partials) == 1 and node.kind in ("a", "node")
            and node.functions[0].derivative is not None and node.functions[0].name != "identity"]


def has_slopes(solution):
    return bool(sloped(solution.tape))


def slopes(solution, step):
    """[(activation node, its z input's name, the exact f′(z))] of every node applying one
    elementwise function of one input, in tape order: the Solution's partial ∂a/∂z."""
    out = []
    for node in sloped(solution.tape):
        z = node.shown_partials[0][0]
        if z not in step.adjoints:
            continue
        value = next((t.partial_value for t in step.adjoints[z].terms if t.consumer == node.name), None)
        if value is not None:
            out.append((node, z, value))
    return out


def slope_rows(solution, step):
    """f′(z) per unit with the numbers: σ′(z) = a(1 − a) = 0.658·(1 − 0.658) ≈ 0.225; a ReLU
    unit's slope with the side of the kink its z is on."""
    tape, p = solution.tape, solution.problem
    values = solution.values_at(step)
    leaf = lambda s: latex_short(values[s.name]) if s.name in values else None
    out, per_layer = [], {}
    for node, z, value in slopes(solution, step):
        group = (node.layer, node.sample)
        per_layer[group] = per_layer.get(group, 0) + 1
        if node.layer is not None and per_layer[group] > MAX_SLOPES:
            if per_layer[group] == MAX_SLOPES + 1:
                out.append(r"&\vdots && \text{(the other units of the layer alike)}")
            continue
        record = node.functions[0]
        name = rf"{record.latex}'\left({tex_name(z)}\right)"
        with sp.evaluate(False):
            textbook = record.derivative(tape.symbols[z], tape.symbols[node.name], p.conventions)
        if record.relu_like or isinstance(textbook, sp.Piecewise):
            zv = values[z]
            side = _side(zv, p.conventions.relu_derivative_at_zero)
            out.append(rf"{name} &{latex_value(value)} && \text{{since }} {tex_name(z)} = "
                       rf"{latex_short(zv)} {side}")
            continue
        formula = latex(textbook)
        numbers = latex(textbook, leaf, True)
        shown = latex_value(value)
        if not value.is_Rational:          # the closed form is in the answer table
            shown = r"\approx " + shown.rsplit(r"\approx ", 1)[-1]
        out.append(rf"{name} &= {formula} = {numbers} {shown}")
    return out


def _side(zv, at_zero):
    if is_symbolic(zv):
        return r"\text{ (its sign depends on the symbols)}"
    s = (int(bool(zv > 0)) - int(bool(zv < 0))) if zv.is_Rational else sign(zv)
    if s > 0:
        return "> 0"
    if s < 0:
        return "< 0"
    return rf"= 0 \text{{ (this problem's convention: }}\operatorname{{ReLU}}'(0) = {at_zero}\text{{)}}"
