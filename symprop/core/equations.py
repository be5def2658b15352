"""The tape's data: leaves (parameters and data), nodes (one scalar equation each), the tape.

Plain frozen records that the builder (core/builder.py) fills and the engine,
the fast path and the Solution read. Each node keeps its definition twice: as
written (`display`, for the worksheets) and in elementary SymPy terms (`expr`),
with the local partial derivatives `sympy.diff(expr, input)` the sweep composes.
"""

from dataclasses import dataclass, field
from functools import cached_property
from typing import Optional

import sympy as sp

from ..model import naming
from ..model.naming import Quantity

__all__ = ["Leaf", "Node", "Tape"]


@dataclass(frozen=True)
class Leaf:
    """A parameter or a data value: an input of the tape."""

    name: str
    kind: str                 # "param" | "data" | "target"
    value: sp.Expr
    adjoint: str              # flat name of its gradient
    updated: bool = False     # changed by the gradient-descent step
    sample: Optional[int] = None
    asked: bool = False       # a data value whose gradient was asked for (gradients_for)
    quantity: Optional[Quantity] = None     # what it is; `name` is its flat spelling


@dataclass(frozen=True)
class Node:
    """One equation of the tape: name = display (= expr, elementary)."""

    name: str
    kind: str                 # "z" | "a" | "node" | "sample_loss" | "loss"
    display: sp.Expr
    expr: sp.Expr
    partials: tuple           # ((input name, ∂expr/∂input), ...)
    adjoint: str
    shown_partials: tuple = ()    # the same partials as written: w3, sigmoid'(z2[1])
    layer: Optional[int] = None
    unit: Optional[int] = None
    sample: Optional[int] = None
    quantity: Optional[Quantity] = None     # what it is; `name` is its flat spelling
    functions: tuple = ()     # the registry's records the node applies (sigmoid, relu, ...)


@dataclass(frozen=True)
class Tape:
    leaves: dict              # name → Leaf, in declaration order
    nodes: tuple              # Node, in evaluation order
    loss: str                 # name of the differentiated node
    of: str                   # "L", or the output's name when loss = "none"
    symbols: dict = field(repr=False)   # name → Symbol

    @property
    def params(self):
        return [l for l in self.leaves.values() if l.kind == "param"]

    @property
    def reported(self):
        """Leaves whose gradients the solution reports: parameters, then asked-for inputs."""
        return [l for l in self.leaves.values() if l.kind == "param" or l.asked]

    def node(self, name):
        return self._by_name[name]

    @cached_property
    def quantities(self):
        """Flat name → Quantity for every leaf, node, adjoint and gradient of the tape
        (step 1; `Quantity.at` gives other steps)."""
        out = {}
        for leaf in self.leaves.values():
            out[leaf.name] = leaf.quantity
            out[leaf.adjoint] = Quantity("gradient", of=leaf.quantity, by=self.of)
            if leaf.updated:
                out[naming.updated(leaf.name)] = Quantity("updated", of=leaf.quantity)
        for node in self.nodes:
            out[node.name] = node.quantity
            out[node.adjoint] = Quantity("adjoint", of=node.quantity, by=self.of)
        return out

    def backward_order(self):
        """Nodes in the order the sweep meets them, but the units of one layer in
        ascending order (delta2[1] before delta2[2]), without the loss itself."""
        groups, key = [], None
        for node in self.nodes:
            k = (node.kind, node.layer, node.sample) if node.layer is not None else node.name
            if k != key:
                groups.append([])
                key = k
            groups[-1].append(node)
        return [n for g in reversed(groups) for n in g if n.name != self.loss]

    def __post_init__(self):
        object.__setattr__(self, "_by_name", {n.name: n for n in self.nodes})
