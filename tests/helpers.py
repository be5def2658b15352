"""Small helpers shared by the tests."""

from pathlib import Path

import mpmath as mp
import sympy as sp

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def R(text):
    """An exact Rational from text ('2.645', '3/8')."""
    return sp.Rational(text)


def close(value, expected, rel=1e-14):
    """A symprop value (SymPy) against an mpmath/float oracle, relative tolerance.

    The value is turned into digits by symprop's certified decimals (checked
    against SymPy's evalf in test_numeric): evalf walks a closed form as a tree,
    which after a few update steps is exponentially large."""
    from symprop.model.numeric import decimal

    got = mp.mpf(decimal(value, 40))
    exp = mp.mpf(expected)
    return abs(got - exp) <= rel * max(abs(exp), mp.mpf("1e-300"))
