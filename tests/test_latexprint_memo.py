"""closed_form's memo (render/latexprint.py): a remembered closed form, and every node's
LaTeX kept from one value to the next, print exactly what a fresh printer prints."""

import sympy as sp

import symprop
from helpers import EXAMPLES
from symprop.render import latexprint
from symprop.render.latexprint import CLOSED_NODES, LatexPrinter, closed_form
from symprop.render.numbers import textbook, visible_width
from symprop.model.numeric import tree_size

R = sp.Rational


def fresh(value, width):
    """closed_form's rule with a new printer and no memo."""
    if tree_size(value, CLOSED_NODES) >= CLOSED_NODES:
        return None
    tex = LatexPrinter()(textbook(value))
    return tex if visible_width(tex) <= width else None


def test_sigma_by_hand_and_again():
    s = 1 / (1 + sp.exp(-R(2, 5)))
    assert closed_form(s) == r"\sigma\left(0.4\right)"
    assert closed_form(s) == r"\sigma\left(0.4\right)"            # remembered
    outer = 1 / (1 + sp.exp(-(R(1, 2) * s - R(1, 10))))            # σ(0.4) inside, shared
    assert closed_form(outer) == r"\sigma\left(0.5 \sigma\left(0.4\right) - 0.1\right)"
    assert closed_form(2 * s - 1) == r"2 \sigma\left(0.4\right) - 1"
    assert closed_form(outer, 10) is None                          # too wide for 10 characters


def test_every_value_of_a_sigmoid_net_as_a_fresh_printer_prints_it():
    solution = symprop.solve(symprop.load(EXAMPLES / "two_layer_sigmoid.toml"))
    values = [v for _, _, _, v in solution.items() if not v.is_Rational]
    assert len(values) > 20
    for width in (16, 30, 44, 10 ** 6):
        for value in values + values:                              # the second time: remembered
            assert closed_form(value, width) == fresh(value, width), (value, width)
    shown = [closed_form(v, 10 ** 6) for v in values]
    assert sum(t is not None for t in shown) > 10


def test_a_symbolic_value_is_not_remembered():
    x = sp.Symbol("x", real=True)
    value = 1 / (1 + sp.exp(-x))
    assert closed_form(value) == r"\sigma\left(x\right)"
    assert all(entry[0] is not value for entry in latexprint._CLOSED[0].values())


def test_the_memo_starts_afresh_when_full(monkeypatch):
    monkeypatch.setattr(latexprint, "MEMO_SIZE", 5)
    values = [1 / (1 + sp.exp(-R(k, 10))) for k in range(1, 30)]
    for v in values:
        assert closed_form(v) == fresh(v, 30)
    assert len(latexprint._CLOSED[0]) + len(latexprint._CLOSED[2]) <= 5 + 10


def test_sig_decimal_remembered_is_the_certified_decimal():
    from symprop.render import numbers

    s = 1 / (1 + sp.exp(-R(2, 5)))
    for _ in range(2):
        assert numbers.sig_decimal(s, 6) == "0.598688"
        assert numbers.sig_decimal(s, 12) == str(sp.Float(sp.N(s, 50), 12))
    solution = symprop.solve(symprop.load(EXAMPLES / "two_layer_sigmoid.toml"))
    for _, _, _, value in list(solution.items()) * 2:
        for digits in (4, 6, 15):
            assert numbers.sig_decimal(value, digits) == numbers._sig_decimal(value, digits)
