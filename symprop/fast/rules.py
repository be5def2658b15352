"""The fast path's implementation of each rule shape in symprop/model/rules.py.

A function's or loss's record names its shape and holds the scalar callables
(model/functions.py, model/losses.py); here each shape becomes matrix work,
dispatched on the rule's type, so no function or loss is spelled in the kernel.
A record without a fast rule raises `Unsupported`, and symprop.gradients asks
the SymPy engine instead.
"""

import math
from fractions import Fraction

from flint import fmpz_mat

from .. import budget

from ..model import rules
from .matrices import (Q, B, Unsupported, ball, elementwise, from_columns, ones, product, sub,
                       sum_entries, sum_squares)

__all__ = ["activate", "loss"]


# -- activations: (a, deriv) where deriv(g) = g ⊙ f′(z), a Jacobian-vector product ---

def activate(record, z, conv):
    """The activation `record` applied to the pre-activations z (one column per sample)."""
    rule = record.fast
    if rule is None:
        raise Unsupported(f"no fast rule for the activation {record.name!r}")
    if not isinstance(rule, rules.Linear):
        _guard(z)
    return _ACTIVATIONS[type(rule)](rule, record, z, conv)


def _guard(z):
    """The magnitude limit, checked where closed forms begin: exp(±z) beyond 10^±limit
    (|z| > limit·ln 10) is a value the limit refuses (σ(-10**7) ≈ 10^-4342945); reported
    values are checked again as they are converted (results.py)."""
    limit = budget.current().magnitude
    bound = limit * 2.302585092994046
    if isinstance(z, Q):
        cap = int(bound * int(z.den)) + 1
        big = any(abs(int(n)) > cap for n in z.num.entries())
    else:
        big = any(abs(e) > bound for e in z.ball.entries())
    if big:
        raise budget.fail("magnitude", f"a closed form of a pre-activation beyond ±{bound:,.0f} "
                          f"(exp of it is beyond 10^±{limit})")


def _right_of_kink(record, z, conv):
    """Per entry: True on the right side. A ReLU-like record puts 0 on the side its
    convention says (ReLU′(0) = 1: right); every other record puts 0 on the left."""
    return z.right_of_kink(record.relu_like and conv.relu_derivative_at_zero == 1)


def _linear(rule, record, z, conv):
    right, left = rule.slopes(conv)
    if right == left == 1:
        return z, lambda g: g
    q = math.lcm(right.denominator, left.denominator)
    if right == left:
        factors = [int(right * q)] * (z.shape[0] * z.shape[1])
    else:
        r, l = int(right * q), int(left * q)
        sides = _right_of_kink(record, z, conv)
        if (r, l, q) == (1, 0, 1):          # ReLU: keep or zero each entry, no products
            return _keep(z, sides), lambda g: _keep(g, sides)
        if not isinstance(z, (Q, B)):       # limbs.L: one numpy operation per side
            return z.sided(sides, r, l, q), lambda g: g.sided(sides, r, l, q)
        factors = [r if side else l for side in sides]
    return z.times(factors, q), lambda g: g.times(factors, q)


def _keep(m, sides):
    return m.times([int(k) for k in sides]) if isinstance(m, B) else m.kept(sides)


def _exact_jvp(closed):
    return lambda g, z, a: product(g, *closed.factors(z, a))


def _closed(rule, record, z, conv):
    a = elementwise(rule.value, rule.exact, z)
    return a, lambda g: elementwise(rule.jvp, _exact_jvp(rule), g, z, a)


def _sided(rule, record, z, conv):
    sides = [rule.right if side else rule.left for side in _right_of_kink(record, z, conv)]
    a = elementwise(None, None, z, per_entry=[(c.value, c.exact) for c in sides])
    jvps = [(c.jvp, _exact_jvp(c)) for c in sides]
    return a, lambda g: elementwise(None, None, g, z, a, per_entry=jvps)


def _columns(rule, record, z, conv):
    z = B.of(z)
    r, c = z.shape
    values = z.values()
    a_cols = [rule.value([values[i * c + j] for i in range(r)], ball) for j in range(c)]

    def jvp(g):
        g_values = B.of(g).values()
        return from_columns([rule.jvp([g_values[i * c + j] for i in range(r)], ac, ball)
                             for j, ac in enumerate(a_cols)])
    return from_columns(a_cols), jvp


_ACTIVATIONS = {rules.Linear: _linear, rules.Closed: _closed, rules.Sided: _sided,
                rules.Columns: _columns}


# -- losses: the loss summed over samples (1×1), and ∂ of it w.r.t. every output ---

def loss(record, a, y, n_out):
    """(Σ over samples of the loss, ∂ of it w.r.t. every output) for outputs a, targets y."""
    rule = record.fast
    if rule is None:
        raise Unsupported(f"no fast rule for the loss {record.name!r}")
    return _LOSSES[type(rule)](rule, record, a, y, n_out)


def _output(rule, record, a, y, n_out):
    if n_out != 1:
        raise Unsupported(f"loss {record.name!r} needs one output")
    r, c = a.shape
    return sum_entries(a), ones(r, c)


def _squares(rule, record, a, y, n_out):
    d = sub(a, y)
    c = rule.scale(n_out)
    return sum_squares(d).scale(c), d.scale(2 * c)


def _absolute(rule, record, a, y, n_out):
    d = sub(a, y)
    s = d.signs()
    r, cols = d.shape
    return sum_entries(d.times(s)), Q(fmpz_mat(r, cols, s))


def _log_terms(rule, record, a, y, n_out):
    terms = elementwise(rule.term, rule.term_exact, a, y)
    grad = elementwise(rule.grad, rule.grad_exact, a, y)
    return sum_entries(terms).scale(Fraction(-1)), grad


_LOSSES = {rules.Output: _output, rules.Squares: _squares, rules.AbsoluteErrors: _absolute,
           rules.LogTerms: _log_terms}
