"""Exact values that are not rationals: a problem file's leaf value as a closed form.

Textbook problems give values such as t = 1 + sin(π/4) or √2/2. Every numeric leaf
of a problem file (weights, biases, inputs, targets, parameters, the learning rate,
the leaky slope) is read here: the whitelisting parser (model/exprparse.py) over

    constants  pi, e (and E, as SymPy and the JSON write it)
    functions  sqrt, sin, cos (of exact numbers), exp, log
    powers     integers, and small fractions of a number: 2**(1/2), 3**(-2/3)

plus the symbol names that keep a value symbolic (`"w"`, `"2*w"`) where symbols are
allowed. SymPy evaluates what it knows exactly (sin(pi/4) is sqrt(2)/2); the value
is then proved a finite real number by model.numeric's interval arithmetic, so
sqrt(-1), log(0), log(-1) and 1/(1 - 1) are refused by name when the file is read,
never deep inside the solution.

model.numeric holds interval rules for sin and cos (no graph or activation uses them,
so model/functions.py has no record of them): sin(1) gets certified decimals like
every other closed form, whatever was imported first. Their arguments are
bounded (|x| ≤ MAX_TRIG_ARGUMENT), so that no argument reduction of sin(10**256) runs.
"""

from dataclasses import dataclass
from fractions import Fraction
from typing import Callable

import sympy as sp

from . import exprparse, numeric
from ..budget import LimitError
from ..errors import ExpressionError, PrecisionError
from .functions import GRAPH_FUNCTIONS

__all__ = ["parse_value", "checked", "closed_form_text", "sign", "shown", "VALUE_FUNCTIONS",
           "CONSTANTS", "MAX_TRIG_ARGUMENT"]

MAX_TRIG_ARGUMENT = 10 ** 6

CONSTANTS = {"pi": sp.pi, "e": sp.E, "E": sp.E}


@dataclass(frozen=True)
class _ValueFunction:
    """What exprparse needs of a function: its name, arity and elementary form."""

    name: str
    arity: tuple
    elementary: Callable


def _number_argument(name, x):
    """x, unless it is not an exact number sin/cos/sqrt can take."""
    if x.free_symbols:
        raise ExpressionError(f"{name}(...) takes an exact number here, not a symbol "
                              f"({', '.join(sorted(map(str, x.free_symbols)))})")
    _real(x, f"the argument of {name}(...)")
    return x


def _trig(name, cls):
    def elementary(args, conventions):
        x = _number_argument(name, args[0])
        if abs(_certain_float(x)) > MAX_TRIG_ARGUMENT:
            raise ExpressionError(f"{name}(...) of a number beyond ±{MAX_TRIG_ARGUMENT} "
                                  "is not accepted")
        return cls(x)
    return _ValueFunction(name, (1, 1), elementary)


def _sqrt(args, conventions):
    x = _number_argument("sqrt", args[0])
    if sign(x) < 0:
        raise ExpressionError("sqrt(...) of a negative number is not a real number")
    return sp.sqrt(x)


VALUE_FUNCTIONS = {
    "sqrt": _ValueFunction("sqrt", (1, 1), _sqrt),
    "sin": _trig("sin", sp.sin),
    "cos": _trig("cos", sp.cos),
    "exp": GRAPH_FUNCTIONS["exp"],
    "log": GRAPH_FUNCTIONS["log"],
}


class _Names:
    """The names of a value: the constants, and (if allowed) any other identifier as a
    real symbol, which is how '"w"' keeps a weight symbolic."""

    def __init__(self, symbols):
        self.symbols = symbols

    def __contains__(self, name):
        return name not in CONSTANTS and name not in VALUE_FUNCTIONS

    def __getitem__(self, name):
        if not self.symbols:
            raise ExpressionError(f"unknown name '{exprparse.clip(name)}': this value must be a "
                                  "number, not a symbol (constants: pi, e)")
        exprparse.check_name(name, what="symbol name", symbol=True)
        return sp.Symbol(name, real=True)

    def __iter__(self):
        return iter(())


def parse_value(text, *, allow_symbols=True):
    """The exact SymPy value of a value string ('1 + sin(pi/4)' is 1 + sqrt(2)/2):
    ExpressionError unless it is a finite real number (or, with allow_symbols, an
    expression of symbols)."""
    value = exprparse.parse(text, _Names(allow_symbols), functions=VALUE_FUNCTIONS,
                            constants=CONSTANTS, rational_powers=True)
    if value.has(sp.zoo, sp.oo, -sp.oo, sp.nan):
        raise ExpressionError(f"'{exprparse.clip(text)}' is not a finite number "
                              "(division by zero, or log(0)?)")
    if value.has(sp.I):
        raise ExpressionError(f"'{exprparse.clip(text)}' is not a real number")
    if not value.is_Rational and not value.free_symbols:
        _real(value, f"'{exprparse.clip(text)}'")
    return value


def closed_form_text(value):
    """A closed form (sqrt(2)/2, E, 1 + sin(1)) as text that parse_value reads back to the
    very same SymPy value, or None when SymPy's spelling does not (too long, or a
    construct the parser refuses)."""
    if numeric.tree_size(value, exprparse.MAX_NODES) >= exprparse.MAX_NODES:
        return None
    text = sp.sstr(value)
    if len(text) > exprparse.MAX_CHARS:
        return None
    try:
        back = parse_value(text, allow_symbols=False)
    except ExpressionError:
        return None
    return text if back == value else None


def checked(value):
    """A SymPy number given by a Python caller, once proved a finite real number."""
    if value.has(sp.zoo, sp.oo, -sp.oo, sp.nan):
        raise ExpressionError(f"{exprparse.clip(str(value))} is not a finite number")
    _real(value, exprparse.clip(str(value)))
    return value


def _real(value, what):
    """Refuse a closed form that is not a finite real number, or beyond the limits."""
    try:
        numeric.check(value)
    except numeric.Invalid as exc:
        reason = str(exc)
        if "real" in reason or "non-positive" in reason:
            reason = "not a real number" + ("" if "real" in reason else f" ({reason})")
        elif "no interval rule" in reason:
            reason = f"not a number symprop can evaluate ({reason})"
        else:
            reason = f"not a finite number ({reason})"
        raise ExpressionError(f"{what} is {reason}") from None
    except LimitError as exc:
        raise ExpressionError(exc.message) from None
    try:                                       # an undecidable 0 (cos(1)**2 + sin(1)**2 - 1)
        numeric.decimal(value)
    except PrecisionError:
        raise ExpressionError(f"{what} cannot be certified to {numeric.DIGITS} digits (is it "
                              "exactly 0? symprop cannot prove it; write it simpler)") from None
    except LimitError as exc:
        raise ExpressionError(exc.message) from None


def shown(x):
    """A value as a message shows it: '1/2', 'sqrt(2)/2', or its decimal if long."""
    text = sp.sstr(x) if x.is_Rational or numeric.tree_size(x, 30) < 30 else ""
    if text and len(text) <= 40:
        return text
    return f"≈ {numeric.decimal(x, 6)}"


def sign(x):
    """-1, 0 or 1 for a checked finite real number (certified, model.numeric)."""
    if x.is_Rational:
        return (x.p > 0) - (x.p < 0)
    try:
        return numeric.sign(x)
    except PrecisionError as exc:
        raise ExpressionError(f"cannot decide the sign of {exprparse.clip(str(x))}: {exc}") from None


def _certain_float(x):
    """A float near x (a checked finite real number), for bounds only."""
    if x.is_Rational:
        return float(x)
    return float(Fraction(numeric.decimal(x, 3)))
