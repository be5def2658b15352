"""Losses as data: one record per loss, every interpretation of it.

`build(a, y)` returns the per-sample loss of outputs a and targets y in SymPy
terms (what `sympy.diff` differentiates); `grad(a_j, y_j, n)` is the textbook
∂L/∂a_j the printed δ recursion uses, proven equal to `sympy.diff` by
tests/test_registry.py; `fast` is the fast path's rule (a shape from rules.py);
`domain` is the range of outputs it is defined on, checked before it is computed.
"""

from dataclasses import dataclass
from fractions import Fraction
from typing import Callable

import sympy as sp

from .rules import AbsoluteErrors, LogTerms, Output, Squares

__all__ = ["Loss", "LOSSES"]


@dataclass(frozen=True)
class Loss:
    name: str
    text: str                 # how the loss is written, over a and y
    latex: str
    build: Callable           # (a: list, y: list, evaluate: bool) -> Expr
    grad: Callable            # (a_j, y_j, n) -> textbook ∂L/∂a_j
    needs_target: bool = True
    domain: tuple = ()        # (lo, hi): outputs must lie strictly between (hi None: no bound)
    domain_hint: str = ""
    fast: object = None       # a rules.py rule for symprop.fast (None: the SymPy engine only)
    # the output activation with which δ = ∂L/∂z simplifies to a − y (targets summing to 1)
    cancels_with: str = ""
    words: str = ""           # the loss in words on a sheet, LaTeX text (empty: its name)


def _sum(terms, evaluate):
    return terms[0] if len(terms) == 1 else sp.Add(*terms, evaluate=evaluate)


def _sq(a, y, ev):
    return sp.Pow(sp.Add(a, sp.Mul(-1, y, evaluate=ev), evaluate=ev), 2, evaluate=ev)


def _scaled(c, expr, ev):
    return sp.Mul(c, expr, evaluate=ev)


def _half_sse(a, y, ev=True):
    return _scaled(sp.Rational(1, 2), _sum([_sq(ai, yi, ev) for ai, yi in zip(a, y)], ev), ev)


def _sse(a, y, ev=True):
    return _sum([_sq(ai, yi, ev) for ai, yi in zip(a, y)], ev)


def _mse(a, y, ev=True):
    return _scaled(sp.Rational(1, len(a)), _sum([_sq(ai, yi, ev) for ai, yi in zip(a, y)], ev), ev)


def _l1(a, y, ev=True):
    return _sum([sp.Abs(sp.Add(ai, sp.Mul(-1, yi, evaluate=ev), evaluate=ev), evaluate=ev)
                 for ai, yi in zip(a, y)], ev)


def _bce(a, y, ev=True):
    terms = [sp.Add(sp.Mul(yi, sp.log(ai, evaluate=ev), evaluate=ev),
                    sp.Mul(sp.Add(1, sp.Mul(-1, yi, evaluate=ev), evaluate=ev),
                           sp.log(sp.Add(1, sp.Mul(-1, ai, evaluate=ev), evaluate=ev), evaluate=ev),
                           evaluate=ev), evaluate=ev)
             for ai, yi in zip(a, y)]
    return sp.Mul(-1, _sum(terms, ev), evaluate=ev)


def _ce(a, y, ev=True):
    terms = [sp.Mul(yi, sp.log(ai, evaluate=ev), evaluate=ev) for ai, yi in zip(a, y)]
    return sp.Mul(-1, _sum(terms, ev), evaluate=ev)


def _none(a, y, ev=True):
    return a[0]


def _known(*values):
    return all(v is not None for v in values)


def _bce_term_exact(a, y):
    """y log a + (1 − y) log(1 − a) is exactly 0 only when both terms vanish."""
    first = Fraction(0) if y == 0 or a == 1 else None
    second = Fraction(0) if y == 1 or a == 0 else None
    return Fraction(0) if first == 0 and second == 0 else None


_BCE_FAST = LogTerms(lambda a, y: y * a.log() + (1 - y) * (1 - a).log(), _bce_term_exact,
                     lambda a, y: (a - y) / (a * (1 - a)),
                     lambda a, y: (a - y) / (a * (1 - a)) if _known(a, y) else None)
_CE_FAST = LogTerms(lambda a, y: y * a.log(),
                    lambda a, y: Fraction(0) if y == 0 or a == 1 else None,
                    lambda a, y: -y / a,
                    lambda a, y: Fraction(0) if y == 0 else (-y / a if _known(a, y) else None))


LOSSES = {loss.name: loss for loss in [
    Loss("half_sse", "1/2 Σ_j (a_j - y_j)^2", r"\frac{1}{2}\sum_j (a_j - y_j)^2", _half_sse,
         lambda a, y, n: a - y, fast=Squares(lambda n: Fraction(1, 2)), words=r"$\tfrac12$ squared error"),
    Loss("sse", "Σ_j (a_j - y_j)^2", r"\sum_j (a_j - y_j)^2", _sse,
         lambda a, y, n: 2 * (a - y), fast=Squares(lambda n: Fraction(1)), words="squared error"),
    Loss("mse", "1/n Σ_j (a_j - y_j)^2", r"\frac{1}{n}\sum_j (a_j - y_j)^2", _mse,
         lambda a, y, n: 2 * (a - y) / n, fast=Squares(lambda n: Fraction(1, n)), words="mean squared error"),
    Loss("l1", "Σ_j |a_j - y_j|", r"\sum_j \lvert a_j - y_j \rvert", _l1,
         lambda a, y, n: sp.sign(a - y), fast=AbsoluteErrors(), words="absolute error"),
    Loss("bce", "-Σ_j [y_j log a_j + (1 - y_j) log(1 - a_j)]",
         r"-\sum_j \left[y_j \log a_j + (1 - y_j)\log(1 - a_j)\right]", _bce,
         lambda a, y, n: (a - y) / (a * (1 - a)), domain=(0, 1), domain_hint="sigmoid",
         fast=_BCE_FAST, words="binary cross-entropy"),
    Loss("cross_entropy", "-Σ_j y_j log a_j", r"-\sum_j y_j \log a_j", _ce,
         lambda a, y, n: -y / a, domain=(0, None), domain_hint="softmax or sigmoid",
         fast=_CE_FAST, cancels_with="softmax", words="cross-entropy"),
    Loss("none", "the output itself", r"f", _none, lambda a, y, n: sp.Integer(1),
         needs_target=False, fast=Output(), words="no loss"),
]}
