"""Problem → tape: the network as a flat list of scalar equations (the entry points).

Both problem forms become the same thing: leaves (parameters and data) and
nodes `name = expression(earlier names)` in evaluation order, ending in the
loss. Each node keeps its definition twice: as written (`display`, for the
worksheets) and in elementary SymPy terms (`expr`), together with the local
partial derivatives `sympy.diff(expr, input)` that the reverse sweep composes.
"""

from dataclasses import replace

from .. import budget
from ..model.functions import ACTIVATIONS
from .builder import _TEMPLATES, Builder  # noqa: F401  (_TEMPLATES: the partials cache)
from .equations import Leaf, Node, Tape

__all__ = ["Leaf", "Node", "Tape", "Builder", "build_tape", "with_values", "cost"]


def cost(problem):
    """An estimate of the tape's size in derivative terms, known before it is built:
    a dense layer's units each have inputs + 1 partials, a softmax layer's n units
    each depend on all n pre-activations, with n terms in every partial (n³)."""
    per_sample = 0
    if problem.is_layered:
        for layer in problem.network.layers:
            units, inputs = layer.shape
            per_sample += units * (2 * inputs + 2)
            if ACTIVATIONS[layer.activation].unit is not None:      # layer-wide: n³
                per_sample += units ** 3
    else:
        per_sample = sum(len(text) for _, text in problem.network.nodes)
    return per_sample * len(problem.samples)


def build_tape(problem):
    """The tape of `problem` (see module docstring), within the budget's tape limit."""
    size = cost(problem)
    budget.check("tape", size, f"this network's derivatives have about {size:,} terms",
                 source=problem.source, key="layers" if problem.is_layered else "graph")
    return Builder(problem).build()


def with_values(tape, problem):
    """`tape` with the leaf values of `problem`, a problem of the same structure (exam
    variants): the equations and their derivatives are reused, not rebuilt."""
    builder = Builder(problem, values_only=True)
    if problem.is_layered:
        builder.layered()
    else:
        builder.graph()
    leaves = {n: replace(l, value=builder.leaves[n].value) for n, l in tape.leaves.items()}
    return replace(tape, leaves=leaves)
