"""The shapes of computation a function's or a loss's record can ask the fast path for.

A record (functions.py, losses.py) says *what* it is in each interpretation; for
the fast path (symprop.fast) that is one of the rule shapes below, holding the
scalar callables the kernel applies entry by entry. They are plain data here so
the model layer needs neither python-flint nor the kernel: the kernel owns one
implementation per shape (symprop/fast/rules.py) and dispatches on the type.

Scalars handed to these callables are `fractions.Fraction` when the value is
known exactly and arb balls otherwise; a callable written for balls uses only
arithmetic and the ball methods .exp(), .log(), .tanh(). A callable written for
exact values gets Fraction-or-None (None: not known exactly) and returns a
Fraction, or None when the result is not rational.

A new activation of an existing shape (ELU is a `Sided` rule) is one record; a
new shape is a class here plus its implementation in symprop/fast/rules.py.
"""

from dataclasses import dataclass
from typing import Callable

__all__ = ["Linear", "Closed", "Sided", "Columns", "Squares", "AbsoluteErrors", "LogTerms", "Output"]


# -- activations --------------------------------------------------------------

@dataclass(frozen=True)
class Linear:
    """Piecewise linear with its kink at 0, so rational in, rational out: f(z) = s·z
    with s the slope of z's side. slopes(conv) -> (right, left) as Fractions; equal
    slopes (the identity) need no sign. Where 0 goes: see the record's relu_like."""

    slopes: Callable


@dataclass(frozen=True)
class Closed:
    """An entrywise closed form: evaluated on balls, kept exact where it is rational.

    value(z) -> f(z) for a ball; exact(z) -> f(z) for an exact z, or None (σ(0) = 1/2);
    jvp(g, z, a) -> g·f′(z) for balls (a = f(z)); factors(z, a) -> the factors of
    f′(z) known exactly (None for one that is not): g·f′ is then exact when every
    factor is known, or 0 when one of them is 0 — what SymPy's engine gives."""

    value: Callable
    exact: Callable
    jvp: Callable
    factors: Callable


@dataclass(frozen=True)
class Sided:
    """One closed form right of 0 and another left of it (ELU). Each entry's side is
    decided exactly, or by a certified ball; 0 goes right only for a ReLU-like record
    under ReLU′(0) = 1, and left otherwise (the elementary Piecewise's `z > 0`)."""

    right: Closed
    left: Closed


@dataclass(frozen=True)
class Columns:
    """A layer-wide activation (softmax), one column (one sample) at a time.

    value(z, ball) -> a; jvp(g, a, ball) -> the Jacobian-vector product J(z)ᵀg.
    Entries are Fractions or balls; ball(v) turns a Fraction into a ball."""

    value: Callable
    jvp: Callable


# -- losses -------------------------------------------------------------------

@dataclass(frozen=True)
class Squares:
    """c·Σ_j (a_j − y_j)², ∂/∂a = 2c(a − y); scale(n) -> c for n outputs (a Fraction)."""

    scale: Callable


@dataclass(frozen=True)
class AbsoluteErrors:
    """Σ_j |a_j − y_j|, ∂/∂a = sign(a − y): the signs decided exactly or by certified balls."""


@dataclass(frozen=True)
class LogTerms:
    """−Σ_j term(a_j, y_j) with ∂/∂a_j = grad(a_j, y_j): term and grad for balls,
    term_exact and grad_exact for Fraction-or-None arguments (see the module)."""

    term: Callable
    term_exact: Callable
    grad: Callable
    grad_exact: Callable


@dataclass(frozen=True)
class Output:
    """No loss: the network's single output itself, ∂/∂a = 1."""
