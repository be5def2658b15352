"""Activations and graph functions as data: one record per name.

Each record says how the function is written (text, LaTeX) and what it is in
elementary SymPy terms; `sympy.diff` of that elementary form is the local
derivative the engine uses. The textbook derivative (σ′ = a(1 − a)) is kept
beside it for the printed δ recursion, and tests/test_functions.py proves each
one equal to `sympy.diff` of the elementary form, so a wrong entry cannot ship.
"""

from dataclasses import dataclass
from typing import Callable, Optional

import sympy as sp

__all__ = ["Conventions", "Function", "FUNCTIONS", "ACTIVATIONS", "lookup"]


@dataclass(frozen=True)
class Conventions:
    """Choices a network's derivatives depend on at kinks.

    relu_derivative_at_zero: ReLU′(0) (0 as in PyTorch, or 1 as some courses use);
    it also decides leaky ReLU′(0): the slope of the side that includes 0.
    leaky_slope: leaky ReLU's slope for negative inputs (PyTorch default 1/100).
    """

    relu_derivative_at_zero: int = 0
    leaky_slope: sp.Rational = sp.Rational(1, 100)


def _kink(u, c):
    """The condition under which a ReLU-like function takes its right branch."""
    return u >= 0 if c == 1 else u > 0


@dataclass(frozen=True)
class Function:
    """A named function usable in graph expressions and/or as an activation.

    elementary(args, conv) -> SymPy expression that sympy.diff differentiates.
    derivative(z, a, conv) -> textbook f′(z) written with z and a = f(z)
    (activations only).
    """

    name: str
    arity: tuple
    elementary: Callable
    text: str
    latex: str
    derivative: Optional[Callable] = None
    derivative_text: str = ""
    activation: bool = True
    graph: bool = True
    relu_like: bool = False   # its derivative at 0 follows the problem's relu_derivative_at_zero
    rational: bool = False    # rational arguments give a rational value (exact fast path)
    mistakes: tuple = ()      # keys of checker.MISTAKES that only this function invites


def _relu(args, conv):
    (u,) = args
    return sp.Piecewise((u, _kink(u, conv.relu_derivative_at_zero)), (0, True))


def _relu_prime(z, a, conv):
    return sp.Piecewise((1, _kink(z, conv.relu_derivative_at_zero)), (0, True))


def _leaky(args, conv):
    u = args[0]
    slope = args[1] if len(args) > 1 else conv.leaky_slope
    return sp.Piecewise((u, _kink(u, conv.relu_derivative_at_zero)), (slope * u, True))


def _leaky_prime(z, a, conv):
    return sp.Piecewise((1, _kink(z, conv.relu_derivative_at_zero)), (conv.leaky_slope, True))


def _sigmoid(args, conv):
    return 1 / (1 + sp.exp(-args[0]))


def _softplus(args, conv):
    return sp.log(1 + sp.exp(args[0]))


_RECORDS = [
    Function("identity", (1, 1), lambda args, conv: args[0], "id", r"\operatorname{id}",
             lambda z, a, conv: sp.Integer(1), "1", graph=False, rational=True),
    Function("relu", (1, 1), _relu, "relu", r"\operatorname{ReLU}", _relu_prime,
             "1 if z > 0, else 0", relu_like=True, rational=True, mistakes=("relu_convention",)),
    Function("leaky_relu", (1, 2), _leaky, "leaky_relu", r"\operatorname{LReLU}", _leaky_prime,
             "1 if z > 0, else the slope", relu_like=True, rational=True, mistakes=("relu_convention",)),
    Function("sigmoid", (1, 1), _sigmoid, "sigmoid", r"\sigma",
             lambda z, a, conv: a * (1 - a), "a(1 - a)",
             mistakes=("sigma_from_z", "sigma_not_derivative")),
    Function("tanh", (1, 1), lambda args, conv: sp.tanh(args[0]), "tanh", r"\tanh",
             lambda z, a, conv: 1 - a**2, "1 - a^2"),
    Function("softplus", (1, 1), _softplus, "softplus", r"\operatorname{softplus}",
             lambda z, a, conv: 1 / (1 + sp.exp(-z)), "sigmoid(z)"),
    Function("exp", (1, 1), lambda args, conv: sp.exp(args[0]), "exp", r"\exp", activation=False),
    Function("log", (1, 1), lambda args, conv: sp.log(args[0]), "log", r"\ln", activation=False),
    Function("abs", (1, 1), lambda args, conv: sp.Abs(args[0]), "abs", "", activation=False,
             rational=True),
    Function("max", (2, 2), lambda args, conv: sp.Max(*args), "max", r"\max", activation=False,
             rational=True),
    Function("min", (2, 2), lambda args, conv: sp.Min(*args), "min", r"\min", activation=False,
             rational=True),
    # softmax is a layer-wide activation; the tape builds it unit by unit.
    Function("softmax", (0, 0), None, "softmax", r"\operatorname{softmax}", None,
             "a_j(δ_jk − a_k)", graph=False),
]

FUNCTIONS = {f.name: f for f in _RECORDS}
ACTIVATIONS = {f.name: f for f in _RECORDS if f.activation}
GRAPH_FUNCTIONS = {f.name: f for f in _RECORDS if f.graph}


def lookup(table, name):
    """The record for `name`, or None; kept tiny so callers word their own error."""
    return table.get(name)
