"""The generic backpropagation equations, specialised to one network.

For a layered net: the δ recursion (BP1–BP4) with this network's activations
and loss put in, in index form (δ2[j] = (a2[j] − y[j])·a2[j]·(1 − a2[j])) and
in matrix form (δ1 = (W2ᵀ δ2) ⊙ f′(z1)). For a graph: every adjoint as the sum
over the node's consumers (dL/dh0 = dL/dz1·w1 + dL/dz2·w3). Formulas are SymPy
expressions over names; the renderers print them.
"""

from dataclasses import dataclass

import sympy as sp

from ..model.functions import ACTIVATIONS
from ..model.losses import LOSSES

__all__ = ["Formula", "layered_formulas", "graph_formulas", "chain_paths", "fprime", "output_delta"]


@dataclass(frozen=True)
class Formula:
    label: str                # "BP1", "BP2", "forward", ...
    lhs: sp.Basic
    rhs: sp.Basic
    note: str = ""


_j, _k = sp.symbols("j k", integer=True)


def _ix(name):
    return sp.IndexedBase(name)


def _mul(*factors):
    flat = []
    for f in factors:
        flat.extend(f.args if isinstance(f, sp.Mul) else [f])
    factors = [f for f in flat if f != 1]
    if not factors:
        return sp.Integer(1)
    return factors[0] if len(factors) == 1 else sp.Mul(*factors, evaluate=False)


def _fprime(activation, layer, conv, unit=_j):
    """Textbook f′(z) of a layer, written with that layer's z and a."""
    record = ACTIVATIONS[activation]
    with sp.evaluate(False):      # keep the textbook order: a(1 - a), not (1 - a)·a
        return record.derivative(_ix(f"z{layer}")[unit], _ix(f"a{layer}")[unit], conv)


def fprime(activation, layer, conv):
    """The textbook f′(z^(layer)_j) of an activation (a(1 − a), cases for ReLU)."""
    return _fprime(activation, layer, conv)


def output_delta(problem):
    """(scale, ∂L/∂a^(L)_j): the textbook derivative of this problem's loss by an output,
    and the 1/N of a mean over N > 1 samples (1 otherwise)."""
    count = len(problem.samples)
    scale = sp.Rational(1, count) if problem.reduction == "mean" and count > 1 else sp.Integer(1)
    big_l, sizes = len(problem.network.layers), problem.network.sizes
    with sp.evaluate(False):
        return scale, LOSSES[problem.loss].grad(_ix(f"a{big_l}")[_j], _ix("y")[_j], sizes[-1])


def layered_formulas(problem):
    """{'index': [...], 'matrix': [...]} for a layered problem."""
    layers = problem.network.layers
    sizes = problem.network.sizes
    big_l = len(layers)
    conv = problem.conventions
    base = problem.index_base
    loss = LOSSES[problem.loss]
    count = len(problem.samples)
    scale = sp.Rational(1, count) if problem.reduction == "mean" and count > 1 else 1
    index, matrix = [], []

    for l, layer in enumerate(layers, start=1):
        w, a_prev = _ix(f"W{l}"), _ix(f"a{l - 1}")
        z = sp.Sum(sp.Mul(w[_j, _k], a_prev[_k], evaluate=False), (_k, base, sizes[l - 1] - 1 + base))
        if layer.bias is not None:
            z = sp.Add(z, _ix(f"b{l}")[_j], evaluate=False)
        index.append(Formula("forward", _ix(f"z{l}")[_j], z))
        act = ACTIVATIONS[layer.activation]
        fz = sp.Function(act.name)(_ix(f"z{l}")[_j]) if act.generic is None else \
            act.generic(_ix(f"z{l}"), _j, _k, base, sizes[l] - 1 + base)
        index.append(Formula("forward", _ix(f"a{l}")[_j], fz))

    a_out, y = _ix(f"a{big_l}"), _ix("y")
    with sp.evaluate(False):
        dlda = loss.grad(a_out[_j], y[_j], sizes[-1])
    out_act = layers[-1].activation
    note = "summed over the samples; " if count > 1 else ""
    if out_act == loss.cancels_with:
        bp1 = _mul(scale, a_out[_j] - y[_j])
        note += f"{out_act} with {problem.loss.replace('_', '-')}, targets summing to 1"
    elif ACTIVATIONS[out_act].unit is not None:
        g = loss.grad(a_out[_k], y[_k], sizes[-1])
        bp1 = _mul(scale, sp.Sum(g * a_out[_k] * (sp.KroneckerDelta(_j, _k) - a_out[_j]),
                                 (_k, base, sizes[-1] - 1 + base)))
    else:
        bp1 = _mul(scale, dlda, _fprime(out_act, big_l, conv))
    index.append(Formula("BP1", _ix(f"delta{big_l}")[_j], bp1, note.rstrip("; ")))
    for l in range(big_l - 1, 0, -1):
        back = sp.Sum(sp.Mul(_ix(f"W{l + 1}")[_k, _j], _ix(f"delta{l + 1}")[_k], evaluate=False),
                      (_k, base, sizes[l + 1] - 1 + base))
        act = layers[l - 1].activation
        if ACTIVATIONS[act].unit is not None:
            rhs = sp.Sum(_ix(f"dL/da{l}")[_k] * _ix(f"a{l}")[_k]
                         * (sp.KroneckerDelta(_j, _k) - _ix(f"a{l}")[_j]), (_k, base, sizes[l] - 1 + base))
            index.append(Formula("BP2", _ix(f"dL/da{l}")[_j], back))
        else:
            rhs = _mul(back, _fprime(act, l, conv))
        index.append(Formula("BP2", _ix(f"delta{l}")[_j], rhs))
    for l in range(big_l, 0, -1):
        index.append(Formula("BP4", _ix(f"dL/dW{l}")[_j, _k],
                             _mul(_ix(f"delta{l}")[_j], _ix(f"a{l - 1}")[_k]),
                             "summed over the samples" if count > 1 else ""))
        if layers[l - 1].bias is not None:
            index.append(Formula("BP3", _ix(f"dL/db{l}")[_j], _ix(f"delta{l}")[_j]))
    matrix = _matrix_forms(problem, sizes)
    return {"index": index, "matrix": matrix}


def _matrix_forms(problem, sizes):
    layers = problem.network.layers
    big_l = len(layers)
    m = lambda name, rows, cols=1: sp.MatrixSymbol(name, rows, cols)
    out = []
    grad = m(f"dL/da{big_l}", sizes[-1])
    last = layers[-1].activation
    if ACTIVATIONS[last].unit is not None:
        out.append(Formula("BP1", m(f"delta{big_l}", sizes[-1]),
                           m(f"J{big_l}", sizes[-1], sizes[-1]).T * grad,
                           f"J{big_l} = diag(a{big_l}) - a{big_l} a{big_l}ᵀ, the {last} Jacobian"))
    else:
        out.append(Formula("BP1", m(f"delta{big_l}", sizes[-1]),
                           sp.HadamardProduct(grad, m(f"{last}'(z{big_l})", sizes[-1]))))
    for l in range(big_l - 1, 0, -1):
        back = m(f"W{l + 1}", sizes[l + 1], sizes[l]).T * m(f"delta{l + 1}", sizes[l + 1])
        act = layers[l - 1].activation
        out.append(Formula("BP2", m(f"delta{l}", sizes[l]),
                           sp.HadamardProduct(back, m(f"{act}'(z{l})", sizes[l]))))
    for l in range(big_l, 0, -1):
        out.append(Formula("BP4", m(f"dL/dW{l}", sizes[l], sizes[l - 1]),
                           m(f"delta{l}", sizes[l]) * m(f"a{l - 1}", sizes[l - 1]).T))
        if layers[l - 1].bias is not None:
            out.append(Formula("BP3", m(f"dL/db{l}", sizes[l]), m(f"delta{l}", sizes[l])))
    return out


def graph_formulas(tape):
    """Each adjoint as the sum over its consumers, in the order the sweep meets them."""
    consumers = {}
    for node in tape.nodes:
        for name, partial in node.shown_partials:
            consumers.setdefault(name, []).append((node, partial))
    wanted = [n.name for n in reversed(tape.nodes) if n.name != tape.loss]
    wanted += [l.name for l in tape.reported]
    out = []
    for name in wanted:
        terms = [p if c.name == tape.loss else _mul(sp.Symbol(c.adjoint), p)
                 for c, p in consumers.get(name, [])]
        rhs = terms[0] if len(terms) == 1 else sp.Add(*terms, evaluate=False) if terms else sp.Integer(0)
        adjoint = tape.leaves[name].adjoint if name in tape.leaves else tape.node(name).adjoint
        out.append(Formula("adjoint", sp.Symbol(adjoint), rhs))
    return out


def chain_paths(tape, leaf, limit=8):
    """Every path leaf → … → loss through the tape, as lists of (node, input) edges;
    None when there are more than `limit` (the written-out chain rule would not fit)."""
    consumers = {}
    for node in tape.nodes:
        for name, _ in node.partials:
            consumers.setdefault(name, []).append(node)
    paths = []

    def walk(name, edges):
        if len(paths) > limit:
            return
        if name == tape.loss:
            paths.append(edges)
            return
        for node in consumers.get(name, []):
            walk(node.name, edges + [(node, name)])

    walk(leaf, [])
    return paths if 0 < len(paths) <= limit else None
