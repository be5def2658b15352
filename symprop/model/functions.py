"""Activations and graph functions as data: one record per name, every interpretation.

A record holds everything symprop knows about a function, so that adding one
(ELU below) is one record plus its tests:

- its elementary SymPy form: `sympy.diff` of it is the local derivative the
  engine uses, and the textbook derivative (σ′ = a(1 − a)) beside it is what the
  printed δ recursion shows (tests/test_registry.py proves the two equal);
- `fast`: the fast path's rule (a shape from rules.py: piecewise linear, closed
  form on arb balls, two closed forms split at 0, layer-wide);
- `primitive` and `interval`: for a record whose elementary form is itself a SymPy
  primitive (exp, log, tanh, abs, max, min, sign), the interval rule model.numeric
  uses to certify signs and decimals; the other records are built from those;
- spellings: `text`, `latex` (as the sheets print it), `diagram` (a graph node's
  label; empty: \\mathrm{name});
- `relu_like` (its derivative at 0 follows the problem's relu_derivative_at_zero),
  `rational` (rational in, rational out), `mistakes` (keys of checker.check.MISTAKES
  that only this function invites).
"""

from dataclasses import dataclass
from fractions import Fraction
from typing import Callable, Optional

import sympy as sp

from .rules import Closed, Columns, Linear, Sided

__all__ = ["Conventions", "Function", "FUNCTIONS", "ACTIVATIONS", "GRAPH_FUNCTIONS", "lookup"]


@dataclass(frozen=True)
class Conventions:
    """Choices a network's derivatives depend on at kinks.

    relu_derivative_at_zero: ReLU′(0) (0 as in PyTorch, or 1 as some courses use);
    it also decides leaky ReLU′(0): the slope of the side that includes 0.
    leaky_slope: leaky ReLU's slope for negative inputs (PyTorch default 1/100).
    """

    relu_derivative_at_zero: int = 0
    leaky_slope: sp.Rational = sp.Rational(1, 100)


@dataclass(frozen=True)
class Function:
    """A named function usable in graph expressions and/or as an activation.

    elementary(args, conv) -> SymPy expression that sympy.diff differentiates.
    derivative(z, a, conv) -> textbook f′(z) written with z and a = f(z)
    (activations only). interval(ev, args) -> the interval of a `primitive` node
    from its arguments' intervals (ev: model.numeric's evaluator, see there).
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
    fast: object = None       # a rules.py rule for symprop.fast (None: the SymPy engine only)
    primitive: type = None    # the SymPy class of its elementary form, when that is one node
    interval: Optional[Callable] = None
    diagram: str = ""         # label of a graph node applying it (empty: \mathrm{name})
    words: str = ""           # the function in words on a sheet, LaTeX text (empty: its name)
    slope_hint: str = ""      # LaTeX: how to evaluate f′ by hand, for the question sheet
    # A layer-wide activation (softmax): unit(zs, j) -> (display, elementary) of unit j
    # from the layer's pre-activations; generic(z, j, k, lo, hi) -> a_j over IndexedBase z.
    unit: Optional[Callable] = None
    generic: Optional[Callable] = None


def _kink(u, c):
    """The condition under which a ReLU-like function takes its right branch."""
    return u >= 0 if c == 1 else u > 0


def _fraction(r):
    return Fraction(int(r.p), int(r.q))


# -- the records' rules -------------------------------------------------------

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


def _elu(args, conv):
    (u,) = args
    return sp.Piecewise((u, u > 0), (sp.exp(u) - 1, True))


def _ball_sigmoid(z):
    return 1 / (1 + (-z).exp())


def _at_zero(value):
    """`exact` of a function that is rational only at 0 (σ(0) = 1/2, tanh(0) = 0)."""
    return lambda z: value if z == 0 else None


_SIGMOID_FAST = Closed(_ball_sigmoid, _at_zero(Fraction(1, 2)),
                       lambda g, z, a: g * a * (1 - a),
                       lambda z, a: [a, None if a is None else 1 - a])
_TANH_FAST = Closed(lambda z: z.tanh(), _at_zero(Fraction(0)),
                    lambda g, z, a: g * (1 - a * a),
                    lambda z, a: [None if a is None else 1 - a * a])
_SOFTPLUS_FAST = Closed(lambda z: (1 + z.exp()).log(), lambda z: None,
                        lambda g, z, a: g * _ball_sigmoid(z),
                        lambda z, a: [Fraction(1, 2) if z == 0 else None])
_ELU_FAST = Sided(right=Closed(lambda z: z, lambda z: z, lambda g, z, a: g, lambda z, a: []),
                  left=Closed(lambda z: z.exp() - 1, _at_zero(Fraction(0)),
                              lambda g, z, a: g * (a + 1),
                              lambda z, a: [None if a is None else a + 1]))


def _softmax_unit(zs, j):
    """Unit j of a softmax layer: e^{z_j} / Σ_k e^{z_k}, as written and elementary."""
    denom = sp.Add(*[sp.exp(z, evaluate=False) for z in zs], evaluate=False)
    display = sp.Mul(sp.exp(zs[j], evaluate=False), sp.Pow(denom, -1, evaluate=False),
                     evaluate=False)
    return display, sp.exp(zs[j]) / sp.Add(*[sp.exp(z) for z in zs])


def _softmax_generic(z, j, k, lo, hi):
    """a_j = e^{z_j} / Σ_k e^{z_k} in the generic formulas (z an IndexedBase)."""
    return sp.exp(z[j]) / sp.Sum(sp.exp(z[k]), (k, lo, hi))


def _softmax_column(z, ball):
    """A column of exact zeros is exactly 1/n each (exp(0) = 1, as SymPy evaluates it).
    Equal nonzero entries give 1/n too, but SymPy keeps exp(c)/(exp(c) + exp(c)) as a
    closed form, and the fast path returns what the SymPy engine returns."""
    if all(v == 0 for v in z):
        return [Fraction(1, len(z))] * len(z)
    ex = [ball(v).exp() for v in z]
    total = sum(ex[1:], ex[0])
    return [e / total for e in ex]


def _softmax_jvp(g, a, ball):
    """(diag(a) − a aᵀ) g = a ⊙ (g − a·g), exact when every entry is."""
    if not all(isinstance(v, Fraction) for v in g + a):
        g, a = [ball(v) for v in g], [ball(v) for v in a]
    terms = [gi * ai for gi, ai in zip(g, a)]
    dot = sum(terms[1:], terms[0])
    return [ai * (gi - dot) for gi, ai in zip(g, a)]


def _log_interval(ev, args):
    if ev.sign_of(args[0]) <= 0:
        ev.invalid("log of a non-positive value")
    return ev.ctx.log(args[0])


def _extreme(pick):
    """Interval rule of max/min: the pick of the lower ends and of the upper ends."""
    def rule(ev, args):
        ends = [ev.ends(a) for a in args]
        return ev.interval(pick(lo for lo, _ in ends), pick(hi for _, hi in ends))
    return rule


_RELU_HINT = r"for ReLU: on which side of 0 is $z$, and what does that make $\operatorname{ReLU}'$?"

_RECORDS = [
    Function("identity", (1, 1), lambda args, conv: args[0], "id", r"\operatorname{id}",
             lambda z, a, conv: sp.Integer(1), "1", graph=False, rational=True,
             fast=Linear(lambda conv: (Fraction(1), Fraction(1))), words="linear"),
    Function("relu", (1, 1), _relu, "relu", r"\operatorname{ReLU}", _relu_prime,
             "1 if z > 0, else 0", relu_like=True, rational=True, mistakes=("relu_convention",),
             fast=Linear(lambda conv: (Fraction(1), Fraction(0))), diagram=r"\mathrm{ReLU}", words="ReLU",
             slope_hint=_RELU_HINT),
    Function("leaky_relu", (1, 2), _leaky, "leaky_relu", r"\operatorname{LReLU}", _leaky_prime,
             "1 if z > 0, else the slope", relu_like=True, rational=True, mistakes=("relu_convention",),
             fast=Linear(lambda conv: (Fraction(1), _fraction(conv.leaky_slope))),
             diagram=r"\mathrm{LReLU}", words="leaky ReLU", slope_hint=_RELU_HINT),
    Function("sigmoid", (1, 1), _sigmoid, "sigmoid", r"\sigma",
             lambda z, a, conv: a * (1 - a), "a(1 - a)",
             mistakes=("sigma_from_z", "sigma_not_derivative"), fast=_SIGMOID_FAST, diagram=r"\sigma",
             words=r"sigmoid $\sigma$", slope_hint=r"for $\sigma$: $\sigma' = \sigma(1 - \sigma)$ with the numbers put in"),
    Function("tanh", (1, 1), lambda args, conv: sp.tanh(args[0]), "tanh", r"\tanh",
             lambda z, a, conv: 1 - a**2, "1 - a^2", fast=_TANH_FAST, primitive=sp.tanh,
             interval=lambda ev, args: 1 - 2 / (ev.exp(2 * args[0]) + 1), diagram=r"\tanh",
             words=r"$\tanh$", slope_hint=r"for $\tanh$: $\tanh' = 1 - \tanh^2$ with the numbers put in"),
    Function("softplus", (1, 1), _softplus, "softplus", r"\operatorname{softplus}",
             lambda z, a, conv: 1 / (1 + sp.exp(-z)), "sigmoid(z)", fast=_SOFTPLUS_FAST),
    # ELU (alpha = 1): C¹ at 0, so no kink convention; exp(z) − 1 = a on the left.
    Function("elu", (1, 1), _elu, "elu", r"\operatorname{ELU}",
             lambda z, a, conv: sp.Piecewise((1, z > 0), (a + 1, True)), "1 if z > 0, else a + 1",
             fast=_ELU_FAST, diagram=r"\mathrm{ELU}", words="ELU"),
    Function("exp", (1, 1), lambda args, conv: sp.exp(args[0]), "exp", r"\exp", activation=False,
             primitive=sp.exp, interval=lambda ev, args: ev.exp(args[0]), diagram=r"\exp"),
    Function("log", (1, 1), lambda args, conv: sp.log(args[0]), "log", r"\ln", activation=False,
             primitive=sp.log, interval=_log_interval, diagram=r"\ln"),
    Function("abs", (1, 1), lambda args, conv: sp.Abs(args[0]), "abs", "", activation=False,
             rational=True, primitive=sp.Abs, diagram=r"\lvert\cdot\rvert",
             interval=lambda ev, args: args[0] if ev.sign_of(args[0]) >= 0 else -args[0]),
    Function("max", (2, 2), lambda args, conv: sp.Max(*args), "max", r"\max", activation=False,
             rational=True, primitive=sp.Max, interval=_extreme(max), diagram=r"\max"),
    Function("min", (2, 2), lambda args, conv: sp.Min(*args), "min", r"\min", activation=False,
             rational=True, primitive=sp.Min, interval=_extreme(min), diagram=r"\min"),
    # sign appears in derivatives (l1's ∂L/∂a, abs′), never in what a user writes.
    Function("sign", (1, 1), lambda args, conv: sp.sign(args[0]), "sign", r"\operatorname{sgn}",
             activation=False, graph=False, rational=True, primitive=sp.sign,
             interval=lambda ev, args: ev.ctx.mpf(ev.sign_of(args[0]))),
    # softmax is a layer-wide activation; the tape builds it unit by unit.
    Function("softmax", (0, 0), None, "softmax", r"\operatorname{softmax}", None,
             "a_j(δ_jk − a_k)", graph=False, fast=Columns(_softmax_column, _softmax_jvp),
             unit=_softmax_unit, generic=_softmax_generic),
]

FUNCTIONS = {f.name: f for f in _RECORDS}
ACTIVATIONS = {f.name: f for f in _RECORDS if f.activation}
GRAPH_FUNCTIONS = {f.name: f for f in _RECORDS if f.graph}


def lookup(table, name):
    """The record for `name`, or None; kept tiny so callers word their own error."""
    return table.get(name)
