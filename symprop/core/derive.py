"""`symprop.derive(problem)`: the generic backpropagation equations, one per quantity.

With symbols for weights, substituting every value into every later one (what
`solve` does, and what differentiating the composed loss does) re-expands the
network into each gradient: a 10-layer chain's first gradient nests the whole
chain, and the total size grows with the square of the depth or worse. The
reverse sweep does not need that. Each adjoint is the sum over its consumers of
the consumer's adjoint *symbol* times one local partial,

    dL/da1[1] = W2[1,1]·delta2[1] + W2[2,1]·delta2[2]
    delta1[1] = dL/da1[1]·σ′(z1[1])
    dL/dW1[1,2] = a0[2]·delta1[1]

so every equation has the size of one node's fan-out and the whole derivation
grows linearly with the network. `expand` substitutes back when the composed
form is wanted (tests/test_derive.py checks it against sympy.diff).
"""

from collections import defaultdict
from dataclasses import dataclass

import sympy as sp

from ..model.numeric import tree_size
from .tape import build_tape

__all__ = ["derive", "Derivation"]


@dataclass(frozen=True)
class Derivation:
    """Forward definitions, adjoint equations in sweep order, and every reported gradient."""

    tape: object
    forward: tuple            # ((node Symbol, definition over earlier symbols), ...)
    backward: tuple           # ((adjoint Symbol, Σ consumer adjoint · local partial), ...)
    gradients: dict           # leaf name → its gradient over adjoint and node symbols

    def __repr__(self):
        return (f"<Derivation: {len(self.forward)} forward definitions, {len(self.backward)} adjoint "
                f"equations, {len(self.gradients)} gradients>")

    def _repr_markdown_(self):
        """Jupyter: every definition and equation, displayed (render.jupyter)."""
        from .solution import renderer

        return renderer("derivation")(self)

    def size(self):
        """Tree nodes of every adjoint equation and gradient together."""
        return sum(tree_size(e) for _, e in self.backward) + sum(tree_size(e) for e in self.gradients.values())

    def expand(self, name):
        """The gradient of leaf `name` over the leaves only (every symbol substituted back)."""
        expr = self.gradients[name]
        for sym, value in reversed(self.backward):  # an adjoint refers to those before it
            expr = expr.xreplace({sym: value}) if expr.has(sym) else expr
        for sym, value in reversed(self.forward):
            expr = expr.xreplace({sym: value}) if expr.has(sym) else expr
        return expr


def derive(problem, tape=None):
    """The δ recursion of `problem` as equations over adjoint symbols (values are not used)."""
    tape = build_tape(problem) if tape is None else tape
    adjoint = {n.name: sp.Symbol(n.adjoint, real=True) for n in tape.nodes}
    adjoint[tape.loss] = sp.Integer(1)
    consumers = defaultdict(list)
    for node in tape.nodes:
        for name, partial in node.partials:
            consumers[name].append((node.name, partial))

    def total(name):
        return sp.Add(*[adjoint[c] * partial for c, partial in consumers[name]])

    backward = tuple((adjoint[n.name], total(n.name)) for n in reversed(tape.nodes) if n.name != tape.loss)
    forward = tuple((tape.symbols[n.name], n.expr) for n in tape.nodes)
    gradients = {leaf.name: total(leaf.name) for leaf in tape.reported}
    return Derivation(tape, forward, backward, gradients)
