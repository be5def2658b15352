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
    listed as "-0.000…000167" (52 zeros) beside the mistake's name."""
    if expr is None:
        return None
    try:
        value = expr.xreplace(env)
        if not value.is_Rational:
            value = sp.N(value, 50)
    except Exception:              # a mistaken definition can divide by zero: no value
        return None
    return value if value.is_Float and value.is_finite else (value if value.is_Rational else None)


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
        found = []                       # [(value, its Rational approximation, [mistakes])]
        for mistake in ORDER:
            for value in (here(q.name, mistake), propagated(mistake).get(q.name)):
                value = _number(value)
                if value is None:
                    continue
                near = value if value.is_Rational else sp.Rational(_digits(value, 30))
                if q.tolerance.accepts(right, near):
                    continue             # a right answer would be marked as this mistake
                same = next((f for f in found if abs(f[1] - near) <= bound), None)
                if same is None:
                    found.append((value, near, [mistake]))
                elif mistake not in same[2]:
                    same[2].append(mistake)
        out[q.name] = [Alternative(v, _fixed(v), tuple(keys), _feedback(solution, keys))
                       for v, _, keys in found[:MAX_PER_QUANTITY]]
    return out


def _fixed(value):
    """The 15-significant-digit decimal in fixed-point notation ("0.0000000113", not 1.13e-8)."""
    from decimal import Decimal

    return format(Decimal(_digits(value, 15)).normalize() if not value.is_Rational
                  else Decimal(decimal(value, 15)), "f")


def _feedback(solution, keys):
    """'Likely mistake: <the checker's message>' (several: joined with '; or: ')."""
    texts = [mistake_text(solution, k) for k in keys]
    return "Likely mistake: " + "; or: ".join(texts) + "."
