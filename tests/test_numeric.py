"""Decimals are right to every digit shown, even where floats cancel."""

from fractions import Fraction

import mpmath as mp
import pytest
import sympy as sp

from symprop.model import numeric
from symprop.model.numeric import decimal, format_rational


def sigma(z):
    return 1 / (1 + sp.exp(-z))


@pytest.mark.parametrize("z, expected", [
    (sp.Rational(183, 10), "1.12826463681985e-8"),     # BAD_INPUTS D1: 1.128264636819850e-8
    (sp.Integer(40), "4.24835425529159e-18"),          # 4.248354255291589e-18
    (sp.Integer(800), "3.66787458417769e-348"),        # 3.66787458417769e-348
])
def test_one_minus_saturated_sigmoid(z, expected):
    """1 − σ(z) for saturated z: never 0, never SymPy's 0.e-125."""
    assert decimal(1 - sigma(z)) == expected


@pytest.mark.parametrize("expr", [
    sigma(sp.Rational(2, 5)), sp.tanh(sp.Rational(1, 2)), sp.log(3) - 1, sp.exp(-30) * 7,
    sigma(sp.Rational(183, 10)) * (1 - sigma(sp.Rational(183, 10))),
])
def test_decimals_agree_with_mpmath_at_100_digits(expr):
    """30 certified digits equal mpmath's 100-digit value rounded to 30 digits."""
    with mp.workdps(100):
        ref = mp.mpf(sp.N(expr, 100))
        man, exp = ref.man_exp
        expected = format_rational(Fraction(int(man)) * Fraction(2) ** int(exp), 30)
    assert decimal(expr, 30) == expected


@pytest.mark.parametrize("value, digits, expected", [
    (Fraction(2675, 1000), 3, "2.68"),     # half away from zero, as the decimal number says
    (Fraction(-2675, 1000), 3, "-2.68"),
    (Fraction(1, 3), 15, "0.333333333333333"),
    (Fraction(3, 8), 15, "0.375"),
    (Fraction(10**20, 3), 15, "3.33333333333333e19"),
    (Fraction(1, 2**40), 6, "9.09495e-13"),
    (Fraction(0), 15, "0"),
])
def test_rational_rounding(value, digits, expected):
    """Rationals are rounded in decimal, half away from zero, never through float round()."""
    assert format_rational(value, digits) == expected


def test_symbolic_value_has_no_decimal():
    assert decimal(sp.Symbol("w") * 2) is None


def test_exact_zero_that_is_not_syntactically_zero():
    """A closed form that equals 0 is reported as 0 (no PrecisionExhausted)."""
    expr = sp.Add(sp.log(6), -sp.log(2), -sp.log(3), evaluate=False)
    assert decimal(expr) == "0"


def test_more_digits_than_decimals_default_context():
    """Regression: 40 requested digits are 40 digits (normalize() once rounded them to 28)."""
    assert format_rational(Fraction(-1, 6), 40) == "-0." + "1" + "6" * 38 + "7"
    # log 3 = 1.09861228866810969139524523692252570464749055|78…: the 46th digit rounds up
    assert decimal(sp.log(3), 45) == "1.09861228866810969139524523692252570464749056"


@pytest.mark.parametrize("expr", [
    sp.Max(sp.exp(sp.Rational(1, 3)), 1, evaluate=False),
    sp.Min(sp.exp(sp.Rational(1, 3)), 2, evaluate=False),
    sp.Max(sp.tanh(sp.Rational(1, 2)), sigma(sp.Rational(-1, 3)), evaluate=False),
    sp.Abs(sp.log(sp.Rational(2, 7)), evaluate=False),
])
def test_max_min_abs_keep_every_digit(expr):
    """Regression: max/min intervals were rebuilt from 53-bit floats, so 30 'certified'
    digits of max(exp(1/3), 1) were wrong after the 16th (…0895141812… for …0895286281…)."""
    with mp.workdps(100):
        ref = mp.mpf(sp.N(expr.func(*expr.args), 100))
        man, exp = ref.man_exp
        expected = format_rational(Fraction(int(man)) * Fraction(2) ** int(exp), 30)
    assert decimal(expr, 30) == expected


@pytest.mark.parametrize("value, expected", [(sp.Rational(1, 3), 1), (sp.Rational(-7, 2), -1),
                                             (sp.Integer(0), 0), (sp.Integer(-5), -1)])
def test_sign_of_a_rational(value, expected):
    assert numeric.sign(value) == expected
