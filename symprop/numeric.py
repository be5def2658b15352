"""Decimals that are right to every digit shown.

Rationals are divided exactly (Decimal, round half away from zero). Closed
forms (σ(2/5) = 1/(1 + exp(-2/5)), 1 − σ(800), ...) are evaluated in mpmath's
interval arithmetic, memoised over the expression DAG, at rising precision
until both ends of the interval round to the same digits: no cancellation can
hide, and SymPy's silent `0.e-125` cannot happen.
"""

from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

import mpmath
import sympy as sp
from mpmath import libmp
from mpmath.ctx_iv import MPIntervalContext

from .errors import PrecisionError

__all__ = ["decimal", "format_rational", "DIGITS", "MAX_BITS"]

DIGITS = 15           # significant digits in JSON
MAX_BITS = 1 << 16    # working precision at which certification gives up


class _Undecided(Exception):
    """The interval is too wide to decide a sign, a branch or the digits."""


def format_rational(value, digits=DIGITS):
    """p/q rounded to `digits` significant digits, exact when it terminates sooner."""
    value = Fraction(int(value.p), int(value.q)) if isinstance(value, sp.Rational) else Fraction(value)
    if value == 0:
        return "0"
    with localcontext() as ctx:
        ctx.prec = digits
        ctx.rounding = ROUND_HALF_UP
        ctx.Emax, ctx.Emin = 10**9, -(10**9)
        d = Decimal(value.numerator) / Decimal(value.denominator)
    return _format(d)


def _format(d):
    d = d.normalize()
    if -5 <= d.adjusted() < 15:
        text = format(d, "f")
    else:
        text = format(d, "e").replace("e+", "e")
    return text


def _fraction(raw):
    sign, man, exp, _ = raw
    if not man and exp:
        raise _Undecided("infinite or undefined interval end")
    f = Fraction(man) * (Fraction(2) ** exp)
    return -f if sign else f


class _Interval:
    """Evaluate a numeric SymPy expression as an mpmath interval, memoised."""

    def __init__(self, bits):
        self.ctx = MPIntervalContext()
        self.ctx.prec = bits
        self.memo = {}

    def __call__(self, root):
        """Post-order walk with an explicit stack: closed forms after a few update
        steps nest deeper than Python's recursion limit allows."""
        memo, stack = self.memo, [root]
        while stack:
            e = stack[-1]
            if e in memo:
                stack.pop()
                continue
            pending = [a for a in e.args if a not in memo]
            if pending:
                stack.extend(pending)
                continue
            stack.pop()
            memo[e] = self._eval(e)
        return memo[root]

    def _ends(self, x):
        a, b = x._mpi_
        return _fraction(a), _fraction(b)

    def _sign(self, x):
        a, b = self._ends(x)
        if a > 0:
            return 1
        if b < 0:
            return -1
        if a == b == 0:
            return 0
        raise _Undecided("sign")

    def _eval(self, e):
        c = self.ctx
        if e.is_Rational:
            return c.mpf(int(e.p)) / c.mpf(int(e.q))
        if e is sp.E:
            return c.e
        if e is sp.pi:
            return c.pi
        args = [self.memo[a] for a in e.args]
        if e.is_Add:
            return sum(args[1:], args[0])
        if e.is_Mul:
            out = args[0]
            for a in args[1:]:
                out = out * a
            return out
        if e.is_Pow:
            n = e.exp
            if n.is_Integer:
                return args[0] ** int(n)
            if n == sp.Rational(1, 2):
                return c.sqrt(args[0])
            return c.exp(c.log(args[0]) * args[1])
        if isinstance(e, sp.exp):
            return c.exp(args[0])
        if isinstance(e, sp.log):
            if self._sign(args[0]) <= 0:
                raise _Undecided("log of a non-positive value")
            return c.log(args[0])
        if isinstance(e, sp.tanh):
            return 1 - 2 / (c.exp(2 * args[0]) + 1)
        if isinstance(e, sp.Abs):
            return args[0] if self._sign(args[0]) >= 0 else -args[0]
        if isinstance(e, sp.sign):
            return c.mpf(self._sign(args[0]))
        if isinstance(e, (sp.Max, sp.Min)):
            return self._extreme(args, isinstance(e, sp.Max))
        raise _Undecided(f"no interval rule for {type(e).__name__}")

    def _extreme(self, args, biggest):
        ends = [self._ends(a) for a in args]
        pick = max if biggest else min
        lo, hi = pick(a for a, _ in ends), pick(b for _, b in ends)
        return self.ctx.mpf([mpmath.mpf(lo.numerator) / lo.denominator,
                             mpmath.mpf(hi.numerator) / hi.denominator]) if lo != hi else \
            self.ctx.mpf(lo.numerator) / lo.denominator


def decimal(expr, digits=DIGITS):
    """The decimal of a numeric SymPy value to `digits` significant digits, every
    digit certain; None for a symbolic value."""
    if expr.free_symbols:
        return None
    if expr.is_Rational:
        return format_rational(expr, digits)
    bits = int(digits * 3.33) + 32
    while bits <= MAX_BITS:
        try:
            lo, hi = _Interval(bits)(expr)._mpi_
            a, b = format_rational(_fraction(lo), digits), format_rational(_fraction(hi), digits)
            if a == b:
                return a
        except _Undecided:
            pass
        except RecursionError:
            break
        bits *= 4
    if expr.equals(0):
        return "0"
    raise PrecisionError(f"could not certify {digits} digits of {str(expr)[:60]}")
