r"""Numbers and closed forms as a sheet prints them.

Decimals: certified (model.numeric.decimal: every digit shown is right), to the
sheet's significant digits — SHEET_DIGITS, or more when the question sheet asks
for more (Solution.question_digits) so that the answer sheet shows every digit a
student was asked for — and never a non-integer rounded to an integer (σ(18.3) is
not 1: digits are added until it shows, then two more). Scientific notation is
typeset as -3.836 \times 10^{-7}, never "e-7" (which reads as a subtraction).
JSON and text keep their full precision; only sheets go through here.

Closed forms: `textbook(expr)` rewrites a value for printing as a textbook writes
it: 1/(1 + e^{-u}) is σ(u), e^{-u}/(1 + e^{-u})² is σ(u)(1 − σ(u)), a common
rational factor comes out of a sum (−36 + 2σ(18.3) → 2(σ(18.3) − 18)), and a
sum's constant goes last unless the sum would then begin with a minus (1 − √3/6). The rewritten expression is equal to the value (it is
built with evaluate=False, so nothing is simplified or reordered on the way).
"""

import math
import re
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal

import sympy as sp

from ..model.numeric import DIGITS, decimal, is_symbolic

__all__ = ["SHEET_DIGITS", "SIGMOID", "tex_decimal", "sig_decimal", "sheet_decimal", "sheet_digits",
           "digits_for", "textbook", "visible_width"]

SHEET_DIGITS = 6        # significant digits of a decimal on a sheet (more if the questions ask more)
_MORE = 2               # digits shown past the first that tells a value from the integer it rounds to
_MAX_DIGITS = DIGITS    # beyond this, a value that still rounds to an integer is shown as n ± d×10^k
SIGMOID = sp.Function("sigmoid")        # printed \sigma (the function registry's LaTeX)

_SOLUTION = ContextVar("symprop_sheet_solution", default=None)


@contextmanager
def digits_for(solution):
    """Inside the block, sheet_digits() is the digits the sheets of `solution` show."""
    token = _SOLUTION.set(solution)
    try:
        yield
    finally:
        _SOLUTION.reset(token)


def sheet_digits():
    """SHEET_DIGITS, or the question sheet's digits (Solution.question_digits) when more:
    the answer sheet shows at least the digits the question sheet asks for."""
    solution = _SOLUTION.get()
    if solution is None:
        return SHEET_DIGITS
    return max(SHEET_DIGITS, solution.question_digits.digits)


def _is_integer_text(s):
    return "." not in s and "e" not in s


def sig_decimal(value, digits=None):
    """The certified decimal of `value` (plain text, as model.numeric.decimal writes it) to
    `digits` significant digits (None: sheet_digits()), trailing zeros kept when it is rounded
    (2/3 → 0.666667, σ(0.4) to 6 digits → 0.598688, 0.65055 → 0.650550); a non-integer that
    would round to an integer gets digits until it does not, and _MORE more (at most
    _MAX_DIGITS; still an integer then: that integer's text, see sheet_decimal). None for a
    symbolic value. Remembered for a closed form (by identity: a sheet prints a value often)."""
    digits = digits or sheet_digits()
    if value.is_Rational:
        return _sig_decimal(value, digits)
    if len(_SIG) > 100_000:
        _SIG.clear()
    if (id(value), digits) not in _SIG:                  # the value kept: its id stays its own
        _SIG[id(value), digits] = (value, _sig_decimal(value, digits))
    return _SIG[id(value), digits][1]


_SIG = {}


def _sig_decimal(value, digits):
    d = decimal(value, digits)
    if d is None or value.is_Integer:
        return d
    n = digits
    while _is_integer_text(d) and n < _MAX_DIGITS:
        n += 1
        d = decimal(value, n)
    if _is_integer_text(d):
        return d
    if n > digits:
        n = min(n + _MORE, max(_MAX_DIGITS, n))
        d = decimal(value, n)
    return d if value.is_Rational and sp.Rational(d.replace("e", "E")) == value else _padded(d, n)


def _padded(d, digits):
    """A rounded decimal string with `digits` significant digits (its trailing zeros back)."""
    mantissa, e, exponent = d.partition("e")
    shown = sum(ch.isdigit() for ch in mantissa.lstrip("-0.")) if "." in mantissa else \
        len(mantissa.lstrip("-").rstrip("0")) or 1
    missing = digits - shown
    if missing <= 0 or ("." not in mantissa and len(mantissa.lstrip("-")) >= digits):
        return d
    return (mantissa if "." in mantissa else mantissa + ".") + "0" * missing + e + exponent


def tex_decimal(s):
    r"""A decimal string as LaTeX (math mode): '-3.836099724e-7' → '-3.836099724 \times 10^{-7}',
    a fixed-point string with 4 zeros or more after the point written the same way
    (0.0000123 → 1.23 \times 10^{-5}); others unchanged. None for None."""
    if s is None:
        return None
    if s.startswith("-"):
        return "-" + tex_decimal(s[1:])
    d = Decimal(s)
    exponent = d.adjusted()
    if d == 0 or -5 < exponent < 15:
        return s if "e" not in s.lower() else format(d, "f")
    digits = d.as_tuple().digits
    mantissa = str(digits[0]) + ("." + "".join(map(str, digits[1:])) if len(digits) > 1 else "")
    return rf"{mantissa} \times 10^{{{exponent}}}"


def sheet_decimal(value, digits=None):
    r"""The decimal of `value` as a sheet typesets it (math mode): sig_decimal in tex_decimal's
    spelling; a non-integer still equal to an integer at _MAX_DIGITS digits is written as that
    integer and its certified distance from it (1 - 4.248 \times 10^{-18}). None if symbolic."""
    d = sig_decimal(value, digits)
    if d is None or value.is_Integer or not _is_integer_text(d):
        return tex_decimal(d)
    rest = sp.Add(value, -sp.Integer(int(d)))
    gap = decimal(rest, 4)
    if gap == "0":
        return d
    sign = " - " if gap.startswith("-") else " + "
    return d + sign + tex_decimal(gap.lstrip("-"))


def visible_width(tex):
    """About how many characters wide `tex` prints: control words one character (\\sigma),
    sizing, braces and scripts' markers none, a fraction as wide as its wider part."""
    tex = re.sub(r"\\(left|right|mathit|operatorname|text)\b", "", tex)
    tex = re.sub(r"\\frac\{([^{}]*)\}\{([^{}]*)\}", lambda m: max(m[1], m[2], key=len), tex)
    tex = re.sub(r"\\frac", "", tex)
    tex = re.sub(r"\\[A-Za-z]+", "x", tex)
    return len(re.sub(r"[{}^_ ]", "", tex))


# -- closed forms in textbook form ----------------------------------------------------

def _exp_arg(e):
    """A of exp(A), else None."""
    return e.args[0] if isinstance(e, sp.exp) else None


def _one_plus_exp(e):
    """A of 1 + exp(A), else None."""
    if e.is_Add and len(e.args) == 2:
        a, b = e.args
        if a == 1:
            return _exp_arg(b)
        if b == 1:
            return _exp_arg(a)
    return None


def textbook(expr, memo=None):
    """`expr` rewritten for printing as a textbook writes it (see the module docstring);
    equal to `expr`. Walks the expression as a DAG (memoised; in `memo`, if given, from
    one call to the next: each node's rewriting is a function of it alone)."""
    return _Rewriter({} if memo is None else memo).go(expr, False)[0]


class _Rewriter:
    """The rewriting of `textbook`; go(e, in_arg) -> (rewritten, has no symbols); in_arg: inside
    a function's argument, where rationals print as decimals (no fraction to factor out)."""

    def __init__(self, memo):
        self.memo = memo

    def go(self, e, in_arg):
        key = (id(e), in_arg)           # by identity: unevaluated sums equal to e may differ in order
        hit = self.memo.get(key)
        if hit is None:
            hit = self.memo[key] = (e, self._rewrite(e, in_arg))     # e kept: its id stays its own
        return hit[1]

    def _rewrite(self, e, in_arg):
        if e.is_Atom:
            return e, bool(e.is_number)         # an Indexed is an atom too, not a number
        if e.is_Pow:
            return self._pow(e, in_arg)
        if e.is_Mul:
            return self._mul(e, in_arg)
        if e.is_Add:
            return self._add(e, in_arg)
        if not isinstance(e, sp.Function) or isinstance(e, sp.Piecewise):
            return e, not e.free_symbols        # a relation, a matrix, ...: printed as it is
        parts = [self.go(a, True) for a in e.args]
        numeric = all(n for _, n in parts)
        if all(a is b for a, (b, _) in zip(e.args, parts)):
            return e, numeric
        return e.func(*[a for a, _ in parts], evaluate=False), numeric

    def _sigmoid(self, u):
        arg, numeric = self.go(u, True)
        return SIGMOID(arg), numeric

    def _pow(self, e, in_arg):
        base, n = e.args
        a = _one_plus_exp(base)
        if a is not None and n.is_Integer and n < 0:
            s, numeric = self._sigmoid(-a)
            return (s if n == -1 else sp.Pow(s, -n, evaluate=False)), numeric
        (b, nb), (x, nx) = self.go(base, in_arg), self.go(n, in_arg)
        if b is base and x is n:
            return e, nb and nx
        return sp.Pow(b, x, evaluate=False), nb and nx

    def _mul(self, e, in_arg):
        args = list(e.args)
        out = []
        for i, f in enumerate(args):           # e^A · (1 + e^A)^-k: σ(A) (k = 1), σ'(-A) (k = 2)
            if f is None or not f.is_Pow or not f.exp.is_Integer or f.exp not in (-1, -2):
                continue
            a = _one_plus_exp(f.base)
            j = next((j for j, g in enumerate(args) if g is not None and _exp_arg(g) == a), None) \
                if a is not None else None
            if j is None:
                continue
            args[i] = args[j] = None
            if f.exp == -1:
                out.append(self._sigmoid(a))
            else:
                s, numeric = self._sigmoid(-a)
                out += [(s, numeric), (sp.Add(1, -s, evaluate=False), numeric)]
        rest = [(f, self.go(f, in_arg)) for f in args if f is not None]
        numeric = all(n for _, n in out) and all(n for _, (_, n) in rest)
        if not out and all(f is g for f, (g, _) in rest) and not numeric:
            return e, False             # a formula's product, as written
        return _product(out + [r for _, r in rest])

    def _add(self, e, in_arg):
        parts = [self.go(t, in_arg) for t in e.args]
        numeric = all(n for _, n in parts)
        terms = [t for t, _ in parts]
        if not numeric:
            return (e if all(a is b for a, b in zip(e.args, terms)) else sp.Add(*terms, evaluate=False)), False
        moved = [t for t in terms if not t.is_Rational] + [t for t in terms if t.is_Rational]
        if not moved[0].could_extract_minus_sign() or moved[-1].is_negative is not False:
            terms = moved               # the constant last, unless the sum would begin with a minus
        else:
            terms = [t for t in terms if t.is_Rational] + [t for t in terms if not t.is_Rational]
        factor, inner = _common_factor(terms, in_arg)
        if factor == 1:
            return sp.Add(*terms, evaluate=False), True
        return _product([(factor, True), (sp.Add(*inner, evaluate=False), True)])


def _coefficient(t):
    """(rational coefficient, the rest) of a term (rest None for a rational term)."""
    if t.is_Rational:
        return t, None
    if t.is_Mul and t.args[0].is_Rational:
        rest = t.args[1:]
        return t.args[0], (rest[0] if len(rest) == 1 else sp.Mul(*rest, evaluate=False))
    return sp.Integer(1), t


def _common_factor(terms, in_arg):
    """(g, the terms divided by g): g the greatest common rational factor of the terms'
    coefficients (negative when all are), taken out when it shortens the sum: an integer
    above 1, or (outside a function's argument) when every coefficient is a fraction and
    two terms or more are not constants; else (1, terms)."""
    split = [_coefficient(t) for t in terms]
    if all(rest is None for _, rest in split):
        return 1, terms
    coeffs = [c for c, _ in split]
    g = sp.Rational(math.gcd(*(abs(int(c.p)) for c in coeffs)), math.lcm(*(int(c.q) for c in coeffs)))
    if all(c < 0 for c in coeffs):
        g = -g
    variable = sum(1 for _, rest in split if rest is not None)
    fractions = all(not c.is_Integer for c in coeffs) and variable >= 2 and not in_arg
    if abs(g) == 1 or not (g.is_Integer or fractions):
        return 1, terms
    inner = []
    for c, rest in split:
        k = c / g
        if rest is None:
            inner.append(k)
        else:
            inner.append(rest if k == 1 else sp.Mul(k, rest, evaluate=False))
    return g, inner


def _product(parts):
    """An unevaluated product of (factor, numeric) parts, flat: the rational factors (also
    those of a factor that is itself a product) multiplied into one leading coefficient."""
    coeff, factors, numeric = sp.Integer(1), [], True
    for f, n in parts:
        numeric = numeric and n
        if f.is_Rational:
            coeff *= f
            continue
        if f.is_Mul:                    # an unevaluated product inside: its factors join these
            coeff *= sp.Mul(*(a for a in f.args if a.is_Rational))
            factors.extend(a for a in f.args if not a.is_Rational)
            continue
        factors.append(f)
    if coeff == 0:
        return sp.Integer(0), numeric
    if not factors:
        return coeff, numeric
    if coeff == 1 and len(factors) == 1:
        return factors[0], numeric
    return sp.Mul(*([coeff] if coeff != 1 else []), *factors, evaluate=False), numeric
