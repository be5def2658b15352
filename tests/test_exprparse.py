"""The whitelisting expression parser: exact numbers, allowed constructs only, bounded size."""

import os
import time

import pytest
import sympy as sp

from symprop.errors import ExpressionError
from symprop.model.exprparse import check_name, parse

x, w = sp.symbols("x w", real=True)
NAMES = {"x": x, "w": w}


@pytest.mark.parametrize("text, expected", [
    ("0.1", sp.Rational(1, 10)),
    ("-2.5e-3", sp.Rational(-1, 400)),
    ("1/3", sp.Rational(1, 3)),
    ("0.1+0.2", sp.Rational(3, 10)),
    ("2^3", sp.Integer(8)),
    ("+.5", sp.Rational(1, 2)),
    ("5.", sp.Integer(5)),
])
def test_numbers_are_exact(text, expected):
    """Decimal literals are read from their text: 0.1 is 1/10, never a binary float."""
    assert parse(text) == expected


def test_functions_become_elementary_sympy():
    """sigmoid, relu, ... are rewritten to what sympy.diff differentiates."""
    assert parse("sigmoid(x)", NAMES) == 1 / (1 + sp.exp(-x))
    assert parse("max(x, w)", NAMES) == sp.Max(x, w)
    assert parse("relu(w*x)", NAMES).subs({w: 2, x: 3}) == 6
    assert parse("relu(w*x)", NAMES).subs({w: -2, x: 3}) == 0


def test_display_form_keeps_the_written_order():
    """evaluate=False keeps w2*h1 + w3*h0 as written, with relu as a named call."""
    e = parse("w*x + x", NAMES, evaluate=False)
    assert e.args[0] == sp.Mul(w, x, evaluate=False)
    assert type(parse("relu(x)", NAMES, evaluate=False)).__name__ == "relu"


SENTINEL = "PWNED_symprop_test"


@pytest.mark.parametrize("text", [
    f"__import__('os').system('touch {SENTINEL}')",
    "().__class__.__bases__[0]",
    "(lambda: 1)()",
    "[x for x in ()]",
    "f'{x}'",
    "x.real",
    "x[0]",
    "'abc'",
    "x if w else 1",
    "x == w",
    "x and w",
    "exp(x=1)",
    "True",
    "(x := 1)",
])
def test_code_is_refused(text, tmp_path, monkeypatch):
    """Anything but numbers, names, + - * / ** and listed calls is refused; nothing runs."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ExpressionError):
        parse(text, NAMES)
    assert not os.path.exists(SENTINEL)


@pytest.mark.parametrize("text, words", [
    ("9**9**9", "exponent"),
    ("10**10**10", "exponent"),
    ("((((((((2**16)**16)**16)**16)**16)**16)**16)**16)", "too large"),
    ("1e1000000000", "too large"),
    ("1" * 5000, "too long"),
    ("x**17", "at most 16"),
    ("-" * 150 + "1", "too complex"),
    ("(" * 300 + "1" + ")" * 300, "too long"),
])
def test_sizes_are_bounded(text, words):
    """Huge numbers, long or deeply nested expressions are refused quickly."""
    start = time.monotonic()
    with pytest.raises(ExpressionError, match=words):
        parse(text, NAMES)
    assert time.monotonic() - start < 1


@pytest.mark.parametrize("text, words", [
    ("1/0", "division by zero"),
    ("x/(0)", "division by zero"),
    ("w3", "unknown name 'w3'.*did you mean 'w'"),
    ("sigmoid", "is a function"),
    ("sigmod(x)", "unknown function 'sigmod'.*did you mean 'sigmoid'"),
    ("1,5", "decimal comma"),
    ("１２", "non-ASCII"),
    ("x y", "cannot parse"),
    ("", "empty"),
    ("relu(x, w)", "takes 1 argument"),
])
def test_bad_expressions_get_clear_messages(text, words):
    with pytest.raises(ExpressionError, match=words):
        parse(text, NAMES)


@pytest.mark.parametrize("name", ["lambda", "x y", "w#1", "_x", "__class__", "a}b", "α", "x" * 40])
def test_bad_names(name):
    with pytest.raises(ExpressionError):
        check_name(name)


@pytest.mark.parametrize("name", ["E", "I", "N", "S", "O", "Q", "pi", "gamma", "beta", "test"])
def test_symbol_names_sympy_would_misread_are_refused(name):
    """A symbol named E or I would read back as Euler's number or the imaginary unit."""
    with pytest.raises(ExpressionError, match="reserved"):
        check_name(name, symbol=True)


@pytest.mark.parametrize("text, expected", [
    ("2**(1/2)", sp.sqrt(2)),
    ("(1/2)*2**(1/2)", sp.sqrt(2) / 2),
    ("3**(-2/3)", sp.Integer(3) ** sp.Rational(-2, 3)),
    ("8**(1/3)", sp.Integer(2)),
    ("(1 + 1/2)**(3/2)", sp.Rational(3, 2) ** sp.Rational(3, 2)),
])
def test_values_take_small_fractional_powers_of_numbers(text, expected):
    """How the JSON writes sqrt(2): the parser reads it back when asked (values only)."""
    assert parse(text, rational_powers=True) == expected


@pytest.mark.parametrize("text, words", [
    ("2**(1/2)", "integer numbers"),                # graph expressions: integer powers only
    ("x**(1/2)", "integer numbers"),
])
def test_fractional_powers_are_refused_by_default(text, words):
    with pytest.raises(ExpressionError, match=words):
        parse(text, NAMES)


@pytest.mark.parametrize("text, words", [
    ("x**(1/2)", "integer numbers"),                 # never a symbol's root
    ("2**(1/17)", "small fractions"),
    ("2**(17/2)", "small fractions"),
    ("2**x", "integers or small fractions"),
    ("0**(-1/2)", "division by zero"),
    ("(2**4000)**(3/2)", "too large"),
])
def test_fractional_powers_are_bounded(text, words):
    start = time.monotonic()
    with pytest.raises(ExpressionError, match=words):
        parse(text, NAMES, rational_powers=True)
    assert time.monotonic() - start < 1
