"""Wrong-answer alternatives: the values the checker's mistakes give for an asked quantity.

For every asked quantity and every mistake the checker names (checker/mistakes.py,
MISTAKES), two values are tried, as the checker tries them when it diagnoses an
answer: the quantity's one-step definition with the slip made in this very step,
from the right earlier values (`Definitions.definition(name, mistake)`), and the
whole solution recomputed with the slip made everywhere it can be made (the
checker's `_propagate`: a factor 2 dropped in δ² reaches every gradient below).
Nothing is derived here; the checker's definitions are evaluated.

A value within the question's tolerance of the right one is never listed (it would
mark a right answer wrong); values closer to each other than the right value's tolerance
are one alternative naming every mistake that gives it (an LMS accepts each within
that same distance).
"""

from dataclasses import dataclass

import sympy as sp
from mpmath import libmp

from ..checker.check import _propagate, _recompute
from ..checker.mistakes import MISTAKES, Definitions, symbol
from ..model.numeric import decimal

__all__ = ["Alternative", "alternatives", "mistake_text", "LABELS"]

MAX_PER_QUANTITY = 12
# the mistakes students make most, tried (and so listed) first; then the rest of MISTAKES
FIRST = ("factor_double", "factor_half", "updated_weights", "no_activation_derivative",
         "lr_added", "w_not_transposed", "sign_flipped")
ORDER = FIRST + tuple(k for k in MISTAKES if k not in FIRST)

LABELS = {                     # a few words for the answer sheet's key (plain ASCII)
    "updated_weights": "updated weights used", "relu_convention": "other ReLU'(0)",
    "no_activation_derivative": "f'(z) dropped", "sigma_from_z": "sigma' from z",
    "sigma_not_derivative": "sigma for sigma'", "sign_flipped": "sign of the loss derivative",
    "factor_half": "factor 2 missing", "factor_double": "factor 2 too many",
    "w_not_transposed": "W not transposed", "z_for_a": "z for a", "bias_left_out": "bias left out",
    "lr_added": "update sign (w + eta g)", "target_is_output": "target taken as the output",
}


@dataclass(frozen=True)
class Alternative:
    """A wrong value a named mistake gives: exact, as a 15-digit decimal string, the
    mistakes (MISTAKES keys) and the feedback text naming them."""

    value: object
    decimal: str
    mistakes: tuple
    feedback: str

    @property
    def label(self):
        """A few plain words naming the mistakes ("factor 2 too many or z for a")."""
        return " or ".join(LABELS.get(k, k.replace("_", " ")) for k in self.mistakes)


def mistake_text(solution, key):
    """The MISTAKES message of `key` for this problem (ReLU′(0)'s convention filled in)."""
    return MISTAKES[key].format(c=solution.problem.relu_derivative_at_zero)


def _approx(value):
    """A right value as the mistaken definitions are evaluated on: a Rational itself, a
    closed form as a 50-digit Float (its certified decimal). Wrong values are only shown
    and compared with tolerances far wider than 10^-45, and recomputing a sigmoid net's
    nested closed forms exactly with every slip took minutes. A net whose values are all
    Rational is recomputed exactly (the checker's own _recompute and _propagate)."""
    if value.is_Rational:
        return value
    d = decimal(value, 50)
    return sp.Float(d, 50) if d is not None else value


def _float(expr, env):
    """A definition evaluated on 50-digit Floats (None if it has no finite real value).
    A value that comes out Rational stays exact: made a Float, a slip that cancels to
    exactly 0 further down (z used for a: W·z + b) came out as 50-digit rounding noise,
    listed as "-0.000…000167" (52 zeros) beside the mistake's name.

    A definition over Floats is evaluated by `_fast` (mpmath at PREC bits, rounded to
    50 digits once); one it does not know (or with no Float in it) by SymPy, `_sympy_n`."""
    if expr is None:
        return None
    try:
        value = _fast(expr, env)
    except _Other:
        return _sympy_n(expr, env)
    except (ZeroDivisionError, OverflowError, ValueError):   # 1/0: no value, as in SymPy
        return None
    if value.__class__ is tuple:
        return sp.Float._new(libmp.mpf_pos(value, _DIGITS50, "n"), _DIGITS50)
    return value


def _sympy_n(expr, env):
    """The definition substituted with SymPy and evaluated with N(…, 50)."""
    try:
        value = expr.xreplace(env)
        if not value.is_Rational:
            value = sp.N(value, 50)
    except Exception:              # a mistaken definition can divide by zero: no value
        return None
    return value if value.is_Float and value.is_finite else (value if value.is_Rational else None)


# -- the 50-digit evaluation, without building SymPy expressions ---------------------------
# Substituting 50-digit Floats into a definition with xreplace rebuilt (and re-sorted) every
# sum and product, ~10x the cost of the arithmetic. `_fast` walks the definition instead:
# exact parts as Rationals, the rest as mpmath mpf values at PREC bits (~77 digits; the
# Floats in it carry 169 bits, 50 digits), and the result is rounded to 50 digits once.
# A sum of Floats that cancels to below 2^-CANCEL of its largest term is exactly 0:
# further down its inputs' own 50 digits say nothing (SymPy's 50-digit sums made exactly
# 0 of the same cancellations, as the xreplace evaluation did).

PREC, CANCEL = 256, 160
_DIGITS50 = 169                  # bits of a 50-digit Float (sympy dps_to_prec(50))


class _Other(Exception):
    """A node _fast does not evaluate (or a definition with no Float in it): SymPy's."""


def _fast(expr, env):
    """The definition's value: a Rational (exact) or an mpf tuple; _Other to leave it to
    SymPy (no Float reached: its exact or N() value as before)."""
    seen = [False]
    value = _walk(expr, env, seen)
    if not seen[0]:
        raise _Other
    return value


def _mpf(v):
    return libmp.from_rational(int(v.p), int(v.q), PREC, "n") if v.__class__ is not tuple else v


def _walk(e, env, seen):
    if e.is_Symbol:
        v = env.get(e)
        if v is None:
            raise _Other
        e = v
    if e.is_Rational:
        return e
    if e.is_Float:
        seen[0] = True
        return e._mpf_
    if e.is_Add:
        exact, floats = sp.Integer(0), []
        for a in e.args:
            v = _walk(a, env, seen)
            if v.__class__ is tuple:
                floats.append(v)
            else:
                exact += v
        if not floats:
            return exact
        if exact:
            floats.append(_mpf(exact))
        total = libmp.mpf_sum(floats, PREC, "n")
        top = max(f[2] + f[3] for f in floats if f[1])        # exponent + bits: 2^top > |f|
        if not total[1] or total[2] + total[3] < top - CANCEL:
            return sp.Integer(0)
        return total
    if e.is_Mul:
        parts = [_walk(a, env, seen) for a in e.args]
        exact = sp.Integer(1)
        product = None
        for v in parts:
            if v.__class__ is tuple:
                product = v if product is None else libmp.mpf_mul(product, v, PREC, "n")
            else:
                exact *= v
        if exact == 0 or product is None:
            return exact
        return product if exact == 1 else libmp.mpf_mul(product, _mpf(exact), PREC, "n")
    if e.is_Pow:
        base, n = _walk(e.base, env, seen), e.exp
        if not n.is_Integer:
            raise _Other
        if base.__class__ is not tuple:
            if base == 0 and n < 0:
                raise ZeroDivisionError
            return base ** n
        return libmp.mpf_pow_int(base, int(n), PREC, "n")
    if isinstance(e, sp.exp):
        v = _walk(e.args[0], env, seen)
        if v.__class__ is not tuple and v == 0:
            return sp.Integer(1)
        return libmp.mpf_exp(_mpf(v), PREC, "n")
    raise _Other


def _number(value):
    """The value as a Rational or a real number with known digits, else None."""
    if value is None or not isinstance(value, sp.Basic) or value.free_symbols:
        return None
    if value.is_Rational:
        return value
    if value.is_Float:
        return value if value.is_finite else None
    try:
        return value if decimal(value, 15) is not None else None
    except Exception:              # a wrong value beyond the magnitude limit: not listed
        return None


def _digits(value, n):
    """A decimal string of `value` to n significant digits (a Float: its own digits)."""
    if value.is_Float:
        return str(sp.Float(value, n))
    return decimal(value, n)


def alternatives(solution, questions):
    """{name: [Alternative, ...]} for each Asked in `questions` (selection.asked)."""
    defs = Definitions(solution)
    exact = {name: value for _, _, name, value in solution.items()}
    if all(v.is_Rational for v in exact.values()):
        truth, evaluate = exact, _recompute
    else:
        truth, evaluate = {n: _approx(v) for n, v in exact.items()}, _float
    evaluate = _remembered(evaluate)
    env = {symbol(n): v for n, v in truth.items()}
    here = lambda name, mistake: evaluate(defs.definition(name, mistake), env)
    spread_all = lambda mistake: _propagate(defs, truth, mistake, evaluate)
    spread = {}

    def propagated(mistake):
        if mistake not in spread:
            spread[mistake] = spread_all(mistake)
        return spread[mistake]

    out = {}
    for q in questions:
        right = exact[q.name]
        bound = q.tolerance.bound(right)
        accepts = _acceptor(q.tolerance, right, bound)
        found = []                       # [(value, its Rational approximation, [mistakes])]
        for mistake in ORDER:
            for value in (here(q.name, mistake), propagated(mistake).get(q.name)):
                value = _number(value)
                if value is None:
                    continue
                near = value if value.is_Rational else sp.Rational(_digits(value, 30))
                if accepts(near):
                    continue             # a right answer would be marked as this mistake
                same = next((f for f in found if abs(f[1] - near) <= bound), None)
                if same is None:
                    found.append((value, near, [mistake]))
                elif mistake not in same[2]:
                    same[2].append(mistake)
        out[q.name] = [Alternative(v, _fixed(v), tuple(keys), _feedback(solution, keys))
                       for v, _, keys in found[:MAX_PER_QUANTITY]]
    return out


def _remembered(evaluate):
    """evaluate(definition, env), remembered for an equal definition on the very same input
    values (by identity): a slip leaves most definitions as they are, and a recomputation
    with it gives their inputs' values back unchanged, so it is mostly done once."""
    inputs, memo = {}, {}

    def remembered(expr, env):
        if expr is None:
            return None
        if id(expr) not in inputs:
            inputs[id(expr)] = (expr, sorted(expr.free_symbols, key=lambda x: x.name))
        values = tuple(env.get(x) for x in inputs[id(expr)][1])
        key = (expr, tuple(map(id, values)))
        if key not in memo:
            memo[key] = (values, evaluate(expr, env))     # the values kept: their ids stay theirs
        return memo[key][1]
    return remembered


def _acceptor(tolerance, right, bound):
    """tolerance.accepts(right, ·) with `bound` = tolerance.bound(right) and a closed form's
    40-digit decimal certified once, not on every call: the same decisions, as accepts
    makes them (exactly for a Rational; on that decimal unless the distance is within its
    error of the bound, then by accepts itself)."""
    if right.is_Rational:
        return lambda near: abs(right - near) <= bound
    d = decimal(right, 40)
    if d is None:
        return lambda near: False
    approx = sp.Rational(d)
    slack = abs(approx) * sp.Rational(1, 10 ** 38) + sp.Rational(1, 10 ** 60)

    def accepts(near):
        dist = abs(approx - near)
        if dist + slack < bound or dist - slack > bound:
            return dist + slack < bound
        return tolerance.accepts(right, near)
    return accepts


def _fixed(value):
    """The 15-significant-digit decimal in fixed-point notation ("0.0000000113", not 1.13e-8)."""
    from decimal import Decimal

    return format(Decimal(_digits(value, 15)).normalize() if not value.is_Rational
                  else Decimal(decimal(value, 15)), "f")


def _feedback(solution, keys):
    """'Likely mistake: <the checker's message>' (several: joined with '; or: ')."""
    texts = [mistake_text(solution, k) for k in keys]
    return "Likely mistake: " + "; or: ".join(texts) + "."
