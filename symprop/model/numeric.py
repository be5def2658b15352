"""Decimals that are right to every digit shown, and decisions on closed forms.

Rationals are divided exactly (Decimal, round half away from zero). Closed
forms (σ(2/5) = 1/(1 + exp(-2/5)), 1 − σ(800), ...) are evaluated in mpmath's
interval arithmetic at rising precision until both ends of the interval round
to the same digits: no cancellation can hide, and SymPy's silent `0.e-125`
cannot happen.

The rule for each function (exp, log, tanh, abs, max, min, sign) is its
record's `interval` (model/functions.py); this module holds the arithmetic,
powers, the precision ladder and the limits.

Closed forms after a few update steps share subexpressions heavily: as trees
they are exponentially large, as DAGs they are small. Everything here walks
the DAG once (memoised, with an explicit stack), never the tree: no SymPy
`has`, `free_symbols`, `evalf` or printing on a value of unknown size.
"""

import math
from decimal import MAX_EMAX, MIN_EMIN, ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

import sympy as sp
from mpmath import libmp
from mpmath.ctx_iv import MPIntervalContext

from .. import budget
from ..errors import PrecisionError
from .functions import FUNCTIONS
from .zero import provably_zero

__all__ = ["decimal", "format_rational", "sign", "check", "is_symbolic", "tree_size",
           "Invalid", "DIGITS"]

DIGITS = 15           # significant digits in JSON
START_BITS = 160     # the working precision raises from here up to budget.current().precision
_LOG2_10 = 3.321928094887362
_LN10 = 2.302585092994046
_CACHE_LIMIT = 200_000


class _Undecided(Exception):
    """The interval is too wide to decide a sign or the digits: raise the precision."""


class Invalid(ArithmeticError):
    """The value is not a finite real number (1/0, log of a non-positive value, I)."""


class _Symbolic(Exception):
    """The expression contains a symbol: it has no decimal."""


class _TooLarge(Exception):
    """A value's magnitude is beyond budget.current().magnitude (10^±N): exp(10**7),
    exp(exp(exp(exp(10)))) would take minutes and gigabytes to evaluate, and
    printing its decimal would need an integer of millions of digits."""

    def __init__(self, exponent10=None):
        super().__init__(exponent10)
        self.exponent10 = exponent10          # None: mpmath overflowed before we could tell

    def error(self):
        e = self.exponent10                   # a float, or a Fraction too big for one
        if e is None:
            return budget.fail("magnitude", "a value too large for mpmath arises")
        sign = "-" if e < 0 else ""
        size = abs(e)
        if size < 10**15:
            shown = f"10^{sign}{float(size):,.0f}"
        else:
            digits = math.log10(size.numerator) - math.log10(size.denominator) \
                if isinstance(size, Fraction) else math.log10(size)
            shown = f"10^{sign}(10^{digits:.0f})"
        return budget.fail("magnitude", f"a value of about {shown} arises")


def format_rational(value, digits=DIGITS):
    """p/q rounded to `digits` significant digits, exact when it terminates sooner."""
    value = Fraction(int(value.p), int(value.q)) if isinstance(value, sp.Rational) else Fraction(value)
    if value == 0:
        return "0"
    with localcontext() as ctx:
        ctx.prec = digits
        ctx.rounding = ROUND_HALF_UP
        # 10**9 where the C decimal allows it; 32-bit builds (WebAssembly) cap it lower
        ctx.Emax, ctx.Emin = min(10**9, MAX_EMAX), max(-(10**9), MIN_EMIN)
        d = Decimal(value.numerator) / Decimal(value.denominator)
        return _format(d)          # inside the context: normalize() rounds to its precision


def _format(d):
    d = d.normalize()
    if -5 <= d.adjusted() < 15:
        return format(d, "f")
    return format(d, "e").replace("e+", "e")


def _fraction(raw):
    sign_bit, man, exp, _ = raw
    if not man and exp:
        raise Invalid("not a finite number")
    f = Fraction(man) * (Fraction(2) ** exp)
    return -f if sign_bit else f


class _Intervals:
    """Interval values of numeric SymPy expressions at one precision, memoised.

    A record's interval rule gets this evaluator and its arguments' intervals, and
    may use ctx (mpmath's interval context), ends, sign_of, exp, invalid, interval."""

    def __init__(self, bits, magnitude):
        self.ctx = MPIntervalContext()
        self.ctx.prec = bits
        self.memo = {}
        self.max_exp2 = int(magnitude * _LOG2_10) + 1     # largest |binary exponent| allowed
        self.max_exp_arg = magnitude * _LN10              # largest |x| in exp(x)

    def __call__(self, root):
        value = _postorder(root, self.memo, self._eval)
        if isinstance(value, Exception):
            raise value
        return value

    def ends(self, x):
        a, b = x._mpi_
        return _fraction(a), _fraction(b)

    def sign_of(self, x):
        a, b = self.ends(x)
        if a > 0:
            return 1
        if b < 0:
            return -1
        if a == b == 0:
            return 0
        raise _Undecided("sign")

    def _eval(self, e):
        """One node from its arguments' intervals; errors are memoised as values."""
        try:
            return self._bounded(self._node(e))
        except (_Undecided, Invalid, _Symbolic, _TooLarge) as exc:
            return exc
        except (OverflowError, MemoryError):
            return _TooLarge()

    def _bounded(self, x):
        """x, unless an end lies beyond the magnitude limit."""
        for sign_bit, man, exp, bc in x._mpi_:
            if man and abs(exp + bc) > self.max_exp2:
                raise _TooLarge((exp + bc) / _LOG2_10)
            if not man and exp:                         # ±inf or nan
                raise Invalid("not a finite number")
        return x

    # -- what a record's interval rule may use (model/functions.py) ------------
    def exp(self, x):
        """exp of an interval, refused before it is computed when it would be too large
        or too small: mpmath takes minutes on exp(10**7) and gigabytes on exp(10**16)."""
        for end in self.ends(x):
            if abs(end) > self.max_exp_arg:
                raise _TooLarge(end / Fraction(_LN10))
        return self.ctx.exp(x)

    def invalid(self, reason):
        """Refuse the value: it is not a finite real number."""
        raise Invalid(reason)

    def interval(self, lo, hi):
        """The interval [lo, hi] from Fractions, rounded outwards at the working precision
        (exact for the ends of intervals at this precision)."""
        prec = self.ctx.prec
        return self.ctx.make_mpf((libmp.from_rational(lo.numerator, lo.denominator, prec, "f"),
                                  libmp.from_rational(hi.numerator, hi.denominator, prec, "c")))

    def _node(self, e):
        c = self.ctx
        if e.is_Rational:
            return c.mpf(int(e.p)) / c.mpf(int(e.q))
        if e is sp.E:
            return c.e
        if e is sp.pi:
            return c.pi
        if isinstance(e, sp.Symbol):
            raise _Symbolic(e.name)
        if e in (sp.zoo, sp.oo, -sp.oo, sp.nan):
            raise Invalid("division by zero or an infinite value")
        if e is sp.I:
            raise Invalid("not a real number")
        args = []
        for a in e.args:
            v = self.memo[a]
            if isinstance(v, Exception):
                raise v
            args.append(v)
        if e.is_Add:
            return sum(args[1:], args[0])
        if e.is_Mul:
            out = args[0]
            for a in args[1:]:
                out = out * a
            return out
        if e.is_Pow:
            return self._pow(e, args)
        rule = _rule(type(e))
        if rule is None:
            raise Invalid(f"no interval rule for {type(e).__name__}")
        return rule(self, args)

    def _pow(self, e, args):
        c, n = self.ctx, e.exp
        if n.is_Integer:
            if n < 0 and self.sign_of(args[0]) == 0:
                raise Invalid("division by zero")
            return args[0] ** int(n)
        if self.sign_of(args[0]) <= 0:
            raise Invalid("power of a non-positive value")
        return self.exp(c.log(args[0]) * args[1])


_RULES = {f.primitive: f.interval for f in FUNCTIONS.values() if f.interval is not None}
_RULES.update({sp.sin: lambda ev, a: ev.ctx.sin(a[0]), sp.cos: lambda ev, a: ev.ctx.cos(a[0])})  # values' sin/cos


def _rule(cls):
    """The interval rule of a SymPy function class, from the record whose elementary
    form it is (exp, log, tanh, abs, max, min, sign), or None."""
    if cls not in _RULES:
        _RULES[cls] = next((_RULES[b] for b in cls.__mro__ if b in _RULES), None)
    return _RULES[cls]


_LEVELS = {}


def _level(bits):
    """The shared evaluator at `bits`: memos are reused across quantities (and
    dropped when the magnitude limit changes)."""
    magnitude = budget.current().magnitude
    key = (bits, magnitude)
    ev = _LEVELS.get(key)
    if ev is None or len(ev.memo) > _CACHE_LIMIT:
        ev = _LEVELS[key] = _Intervals(bits, magnitude)
    return ev


def _precisions(digits):
    """Working precisions to try, rising to the budget's precision limit."""
    top = budget.current().precision
    bits = max(START_BITS, int(digits * 3.33) + 32)
    while bits <= top:
        budget.tick()
        yield bits
        bits *= 4


def is_symbolic(expr):
    """True when the value contains a symbol (a DAG walk, never the tree)."""
    if expr.is_Rational:
        return False
    try:
        _level(START_BITS)(expr)
    except _Symbolic:
        return True
    except (Invalid, _Undecided, _TooLarge):
        return False
    return False


def check(expr):
    """Raise Invalid unless a numeric value is a finite real number."""
    if expr.is_Rational:
        return
    for bits in _precisions(DIGITS):
        try:
            _level(bits)(expr)
            return
        except _Symbolic:
            return
        except _Undecided:
            continue
        except _TooLarge as exc:
            raise exc.error() from None


def sign(expr):
    """-1, 0 or 1 for a numeric value; exact for rationals, certified for closed forms."""
    if expr.is_Rational:
        return (expr.p > 0) - (expr.p < 0)          # q > 0 always; SymPy booleans do not subtract
    for bits in _precisions(DIGITS):
        ev = _level(bits)
        try:
            return ev.sign_of(ev(expr))
        except _Undecided:
            continue
        except _TooLarge as exc:
            raise exc.error() from None
    if provably_zero(expr):
        return 0
    raise PrecisionError("cannot decide the sign of a closed form (is it exactly 0?); "
                         + budget.hint("precision"))


def decimal(expr, digits=DIGITS):
    """The decimal of a numeric SymPy value to `digits` significant digits, every
    digit certain; None for a symbolic value."""
    if expr.is_Rational:
        return format_rational(expr, digits)
    for bits in _precisions(digits):
        try:
            lo, hi = _level(bits)(expr)._mpi_
            a, b = format_rational(_fraction(lo), digits), format_rational(_fraction(hi), digits)
            if a == b:
                return a
        except _Symbolic:
            return None
        except _Undecided:
            continue
        except _TooLarge as exc:
            raise exc.error() from None
    if provably_zero(expr):
        return "0"
    raise PrecisionError(f"could not certify {digits} digits of a closed form (is it exactly 0? "
                         f"symprop cannot prove it); {budget.hint('precision')}")


def _postorder(root, memo, visit):
    """memo[root] = visit(root), after every argument below it (each node once):
    a DAG walk with an explicit stack, as closed forms nest past the recursion limit."""
    stack = [root]
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
        memo[e] = visit(e)
    return memo[root]


def tree_size(expr, cap=10**6):
    """How many nodes the expression has as a tree (what printing walks), up to `cap`."""
    memo = {}
    return _postorder(expr, memo, lambda e: min(cap, 1 + sum(memo[a] for a in e.args)))
