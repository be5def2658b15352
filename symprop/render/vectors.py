"""The backward pass of a layered net in vector and matrix form, with the numbers
(seed 000's (W²)ᵀδ² ⊙ ReLU′(z¹) = [2.07, −0.92, 1.61], seed 002's dL/dW₂ row and
3 × 3 dL/dW₁, seed 003's first-layer gradients "in matrix notation").

Every entry is the Solution's own exact value (an adjoint, a gradient, a parameter, a
partial ∂a/∂z); nothing is recomputed. A matrix wider than MAX_COLS or taller than
MAX_ROWS is not typeset (the per-entry equations above it hold every value).

    layer_vectors(solution, step) -> LayerVectors (sympy matrices by layer), or None
    rows(solution, step) -> [align* rows], or None
"""

import re
from dataclasses import dataclass, field

import sympy as sp

from ..model.functions import ACTIVATIONS
from .derivation import slopes
from .latexprint import latex, latex_short, matrix
from .texnames import tex_name

__all__ = ["LayerVectors", "layer_vectors", "rows", "forward_rows", "available", "MAX_COLS", "MAX_ROWS"]

MAX_COLS, MAX_ROWS = 6, 8
DIGITS = 4          # significant digits of a decimal entry (exact entries are shown whole)
WIDE = 75           # printed characters of a row before its result goes on the next line


@dataclass
class LayerVectors:
    """The vectors and matrices of one step, keyed by layer (1 … L); per sample p (0-based)
    where they depend on the sample."""

    samples: int
    weights: dict = field(default_factory=dict)     # l → W^(l) (rows j, columns k)
    inputs: dict = field(default_factory=dict)      # (l, p) → a^(l−1) of sample p, a column
    biases: dict = field(default_factory=dict)      # l → b^(l), a column (layers with a bias)
    pre: dict = field(default_factory=dict)         # (l, p) → z^(l)
    act: dict = field(default_factory=dict)         # (l, p) → a^(l)
    dlda: dict = field(default_factory=dict)        # (l, p) → ∂L/∂a^(l)  (= (W^(l+1))ᵀ δ^(l+1) for l < L)
    slope: dict = field(default_factory=dict)       # (l, p) → f′(z^(l))
    delta: dict = field(default_factory=dict)       # (l, p) → δ^(l)
    grad_w: dict = field(default_factory=dict)      # l → ∂L/∂W^(l)
    grad_b: dict = field(default_factory=dict)      # l → ∂L/∂b^(l), a column (layers with a bias)


def available(solution):
    """Whether rows() shows anything: a layered net with elementwise activations and a layer
    small enough to typeset."""
    p = solution.problem
    if not p.is_layered or any(ACTIVATIONS[l.activation].unit is not None for l in p.network.layers):
        return False
    return any(n <= MAX_ROWS for n in p.network.sizes[1:])


def _by_index(items):
    return [x for _, x in sorted(items, key=lambda t: t[0])]


def layer_vectors(solution, step):
    """The LayerVectors of `step` for a layered net with elementwise activations; None for
    a graph or a layer-wide activation (softmax: its δ is no elementwise product)."""
    p, tape = solution.problem, solution.tape
    if not p.is_layered or any(ACTIVATIONS[l.activation].unit is not None for l in p.network.layers):
        return None
    big_l = len(p.network.layers)
    samples = sorted({n.sample or 0 for n in tape.nodes if n.layer is not None})
    out = LayerVectors(len(samples))
    slope_of = {node.name: value for node, _, value in slopes(solution, step)}
    params = [leaf for leaf in tape.params]
    for l in range(1, big_l + 1):
        ws = [(leaf.quantity.index, leaf) for leaf in params
              if leaf.quantity.kind == "weight" and leaf.quantity.layer == l]
        rows_n = 1 + max(ix[0] for ix, _ in ws)
        cols_n = 1 + max(ix[1] for ix, _ in ws)
        w = sp.zeros(rows_n, cols_n)
        g = sp.zeros(rows_n, cols_n)
        for (j, k), leaf in ws:
            w[j, k] = step.params[leaf.name]
            g[j, k] = step.gradients[leaf.name]
        out.weights[l], out.grad_w[l] = w, g
        bs = [(leaf.quantity.index, leaf) for leaf in params
              if leaf.quantity.kind == "bias" and leaf.quantity.layer == l]
        if bs:
            out.grad_b[l] = sp.Matrix([step.gradients[leaf.name] for leaf in _by_index(bs)])
            out.biases[l] = sp.Matrix([step.params[leaf.name] for leaf in _by_index(bs)])
    for s in samples:
        nodes = [n for n in tape.nodes if n.layer is not None and (n.sample or 0) == s]
        for l in range(1, big_l + 1):
            zs = _by_index([(n.unit, n) for n in nodes if n.kind == "z" and n.layer == l])
            acts = _by_index([(n.unit, n) for n in nodes if n.kind == "a" and n.layer == l])
            out.delta[l, s] = sp.Matrix([step.adjoints[n.name].value for n in zs])
            out.pre[l, s] = sp.Matrix([step.values[n.name] for n in zs])
            out.act[l, s] = sp.Matrix([step.values[n.name] for n in acts])
            out.dlda[l, s] = sp.Matrix([step.adjoints[n.name].value for n in acts])
            out.slope[l, s] = sp.Matrix([slope_of.get(n.name, sp.Integer(1)) for n in acts])
            if l == 1:
                leaves = [leaf for leaf in tape.leaves.values() if leaf.quantity is not None
                          and leaf.quantity.kind == "input" and (leaf.sample or 0) == s]
                column = [solution.values_at(step)[leaf.name] for leaf in _by_index(
                    [(leaf.quantity.index, leaf) for leaf in leaves])]
            else:
                prev = _by_index([(n.unit, n) for n in nodes if n.kind == "a" and n.layer == l - 1])
                column = [step.values[n.name] for n in prev]
            out.inputs[l, s] = sp.Matrix(column)
    return out


def _m(mat):
    return matrix(mat.tolist(), lambda v: latex_short(v, DIGITS))[0]


def _width(tex):
    """Roughly the printed characters of a row (to break it before it runs off the page)."""
    tex = re.sub(r"\\(begin|end)\{bmatrix\}|\\(mathsf|bigl|bigr|left|right|cdot|odot|ldots)", "", tex)
    widest = 0
    for part in re.split(r"\\begin\{bmatrix\}", tex):
        widest += len(re.sub(r"\\[a-zA-Z]+|[{}^_&]", "", part))
    return widest


def _row(lhs, middle, result, tag=""):
    """'lhs &= middle = result', the result on a line of its own when the row is wide."""
    one = rf"{lhs} &= {middle} = {result}{tag}"
    if _width(one) <= WIDE:
        return one
    return rf"{lhs} &= {middle}{tag} \\ &= {result}"


def _fits(*mats):
    return all(m.cols <= MAX_COLS and m.rows <= MAX_ROWS for m in mats)


def forward_rows(solution, step):
    """align* rows of the forward pass in vector form: z^(l) = W^(l) a^(l−1) + b^(l) with the
    matrices, and a^(l) = f(z^(l)); None when the net has none (see layer_vectors)."""
    v = layer_vectors(solution, step)
    if v is None:
        return None
    layers = solution.problem.network.layers
    vec = lambda name: tex_name(name, vector=True)
    out = []
    for s in range(v.samples):
        tag = rf" && \text{{sample {s + 1}}}" if v.samples > 1 else ""
        for l in range(1, len(layers) + 1):
            w, a_prev, z = v.weights[l], v.inputs[l, s], v.pre[l, s]
            if not _fits(w, a_prev, z):
                continue
            bias = l in v.biases
            head = rf"{vec(f'W{l}')} {vec(f'a{l - 1}')}" + (rf" + {vec(f'b{l}')}" if bias else "")
            middle = rf"{_m(w)} {_m(a_prev)}" + (rf" + {_m(v.biases[l])}" if bias else "")
            out.append(rf"{vec(f'z{l}')} &= {head}{tag} \\ " + _row("", middle, _m(z)))
            act = ACTIVATIONS[layers[l - 1].activation].latex
            out.append(rf"{vec(f'a{l}')} &= {act}\bigl({vec(f'z{l}')}\bigr) = {_m(v.act[l, s])}")
    return out


def rows(solution, step):
    """align* rows of the vector and matrix form with the numbers of `step`; None when the
    net has none (see layer_vectors)."""
    v = layer_vectors(solution, step)
    if v is None:
        return None
    p = solution.problem
    layers = p.network.layers
    big_l = len(layers)
    vec = lambda name: tex_name(name, vector=True)
    out = []
    many = v.samples > 1
    for s in range(v.samples):
        tag = rf" && \text{{sample {s + 1}}}" if many else ""
        for l in range(big_l, 0, -1):
            act = ACTIVATIONS[layers[l - 1].activation].latex
            delta, dlda, slope = v.delta[l, s], v.dlda[l, s], v.slope[l, s]
            if not _fits(delta):
                continue
            if l < big_l and _fits(v.weights[l + 1].T):
                wt = v.weights[l + 1].T
                out.append(_row(rf"({vec(f'W{l + 1}')})^{{\mathsf T}} {vec(f'delta{l + 1}')}",
                                rf"{_m(wt)} {_m(v.delta[l + 1, s])}", _m(dlda), tag))
            head = (rf"{tex_name(f'dL/da{big_l}', vector=True)} \odot {act}'({vec(f'z{l}')})" if l == big_l
                    else rf"({vec(f'W{l + 1}')})^{{\mathsf T}} {vec(f'delta{l + 1}')} \odot {act}'({vec(f'z{l}')})")
            out.append(rf"{vec(f'delta{l}')} &= {head}{tag} \\ "
                       + _row("", rf"{_m(dlda)} \odot {_m(slope)}", _m(delta)))
    for l in range(big_l, 0, -1):
        g = v.grad_w[l]
        if not _fits(g):
            continue
        a_prev = vec(f"a{l - 1}")
        pre = ""            # a sample's δ already carries the 1/N of a mean
        if many:
            out.append(rf"{tex_name(f'dL/dW{l}', vector=True)} &= {pre}\sum_p {vec(f'delta{l}')}_{{(p)}}"
                       rf"\bigl({a_prev}_{{(p)}}\bigr)^{{\mathsf T}} = {_m(g)}")
        else:
            delta, a = v.delta[l, 0], v.inputs[l, 0]
            out.append(_row(rf"{tex_name(f'dL/dW{l}', vector=True)}",
                            rf"{vec(f'delta{l}')}\bigl({a_prev}\bigr)^{{\mathsf T}} = {_m(delta)} {_m(a.T)}",
                            _m(g)))
        if l in v.grad_b and _fits(v.grad_b[l]):
            out.append(rf"{tex_name(f'dL/db{l}', vector=True)} &= "
                       + (rf"{pre}\sum_p {vec(f'delta{l}')}_{{(p)}}" if many else vec(f"delta{l}"))
                       + rf" = {_m(v.grad_b[l])}")
    return out
