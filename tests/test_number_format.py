"""How sheets write numbers (render/numbers.py): scientific notation as ×10^k, the sheet's
significant digits, certified rounding, closed forms in textbook form.

Every expected string is written by hand: the decimals from the values' definitions
(e^{-18.3} = 1.1282646e-8 so σ(18.3) = 0.999999988717...; e^{-40} = 4.2483543e-18), the
LaTeX as a textbook prints it.
"""

import sympy as sp

import symprop
from helpers import EXAMPLES
from symprop.render.latexprint import closed_form, latex, latex_short, latex_value
from symprop.render.numbers import (SIGMOID, digits_for, sheet_decimal, sheet_digits, sig_decimal,
                                    tex_decimal, textbook)

R = sp.Rational


def sigma(u):
    return 1 / (1 + sp.exp(-u))


# -- scientific notation ------------------------------------------------------------

def test_exponent_is_a_power_of_ten_never_an_e():
    assert tex_decimal("-3.836099724e-7") == r"-3.836099724 \times 10^{-7}"
    assert tex_decimal("4.2e-18") == r"4.2 \times 10^{-18}"
    assert tex_decimal("7e-9") == r"7 \times 10^{-9}"
    assert tex_decimal("1.5e15") == r"1.5 \times 10^{15}"


def test_four_zeros_after_the_point_become_a_power_of_ten_three_do_not():
    assert tex_decimal("0.0000123") == r"1.23 \times 10^{-5}"
    assert tex_decimal("-0.00001") == r"-1 \times 10^{-5}"
    assert tex_decimal("0.000664361") == "0.000664361"
    assert tex_decimal("0.00223252") == "0.00223252"


def test_ordinary_numbers_are_unchanged():
    for s in ("0", "12.5", "-34.00000002", "289.0000004", "0.1", "-7"):
        assert tex_decimal(s) == s
    assert tex_decimal(None) is None


# -- significant digits, certified ----------------------------------------------------

def test_rounded_to_the_digits_asked_with_their_trailing_zeros():
    assert sig_decimal(R(2, 3), 6) == "0.666667"
    assert sig_decimal(R(2, 3), 4) == "0.6667"
    assert sig_decimal(sigma(R(2, 5)), 6) == "0.598688"          # σ(0.4) = 0.5986876601...
    assert sig_decimal(sigma(R(2, 5)), 4) == "0.5987"
    assert sig_decimal(sigma(R(-3, 1)), 4) == "0.04743"          # σ(-3) = 0.0474258731...
    assert sig_decimal(sp.sqrt(2) / 100, 3) == "0.0141"
    assert sig_decimal(sp.Integer(5) / 4 + sp.exp(-20), 6) == "1.25000"   # rounded: the zeros stay


def test_an_exact_decimal_is_shown_as_it_is():
    assert sig_decimal(R(1, 8), 6) == "0.125"
    assert sig_decimal(R(29, 10), 6) == "2.9"
    assert sig_decimal(sp.Integer(-12), 6) == "-12"
    assert sig_decimal(R(-383, 10**9), 4) == "-3.83e-7"


def test_rounding_is_certified_on_both_sides_of_a_half():
    half = R(1234565, 10**7)                                     # 0.1234565 exactly
    assert sig_decimal(half + R(1, 10**20), 6) == "0.123457"
    assert sig_decimal(half - R(1, 10**20), 6) == "0.123456"
    assert sig_decimal(half + sp.exp(-60), 6) == "0.123457"      # e^-60 = 8.7e-27: just above the half


def test_a_non_integer_is_never_rounded_to_an_integer():
    # σ(18.3) = 1 - 1.1282646e-8...: 8 digits first tell it from 1 (0.99999999), then 2 more
    assert sig_decimal(sigma(R(183, 10)), 6) == "0.9999999887"
    assert sig_decimal(R(5000001, 10**6), 3) == "5.000001"      # exact after 7 digits
    assert sig_decimal(-36 + 2 * sigma(R(183, 10)), 6) == "-34.0000000226"   # -34 - 2.2565e-8: 10 + 2 digits


def test_beyond_fifteen_digits_an_integer_and_its_distance():
    # σ(40) = 1/(1 + e^-40) = 1 - 4.2483543e-18 + ...
    assert sheet_decimal(sigma(40), 6) == r"1 - 4.248 \times 10^{-18}"
    assert sheet_decimal(2 + sp.exp(-50), 6) == r"2 + 1.929 \times 10^{-22}"    # e^-50 = 1.9287e-22


def test_sheet_decimal_spells_the_certified_digits_in_latex():
    value = 2 * (sigma(R(183, 10)) - 18) * sigma(R(183, 10)) * (1 - sigma(R(183, 10)))
    # 2 · (-17.0000000113) · 1.1282646e-8 · (1 - 1.1e-8) = -3.8360997e-7
    assert sheet_decimal(value, 4) == r"-3.836 \times 10^{-7}"
    assert sheet_decimal(value, 10) == r"-3.836099724 \times 10^{-7}"
    assert sheet_decimal(sp.Symbol("x")) is None


def test_a_sheet_shows_the_digits_its_questions_ask_for():
    saturated = symprop.solve(symprop.load(EXAMPLES / "saturated_sigmoid.toml"))
    plain = symprop.solve(symprop.load(EXAMPLES / "two_layer_sigmoid.toml"))
    assert sheet_digits() == 6
    with digits_for(saturated):
        assert sheet_digits() == saturated.question_digits.digits > 6
        a2 = {name: v for _, _, name, v in saturated.items()}["a2[1]"]
        assert latex_value(a2) == \
            r"= \sigma\left(18.3\right) \approx 0.9999999887"
    with digits_for(plain):
        assert sheet_digits() == 6
        assert latex_short(sigma(R(2, 5))) == r"0.598688\ldots"
    assert sheet_digits() == 6


def test_the_answer_table_has_the_digits_of_the_rest_of_the_sheet():
    from symprop.render.sheet import to_latex
    table = lambda tex: tex[tex.index("All answers"):]
    plain = table(to_latex(symprop.solve(symprop.load(EXAMPLES / "two_layer_sigmoid.toml"))))
    # a1[1] = σ(0.4) = 1/(1 + e^{-0.4}), e^{-0.4} = 0.670320046: 0.598687660 → 6 digits
    assert r"& \sigma\left(0.4\right) & 0.598688 \\" in plain
    assert "0.5986876601" not in plain                  # not the 10 digits of before
    saturated = table(to_latex(symprop.solve(symprop.load(EXAMPLES / "saturated_sigmoid.toml"))))
    # its questions ask for 10 digits: σ(18.3) = 1 - e^{-18.3} + ... = 0.99999998872
    assert r"& \sigma\left(18.3\right) & 0.9999999887 \\" in saturated


# -- closed forms in textbook form ----------------------------------------------------

def test_the_sigmoid_pattern_prints_as_sigma_with_a_decimal_argument():
    assert latex(sigma(R(183, 10))) == r"\sigma\left(18.3\right)"
    assert latex(1 / (1 + sp.exp(R(1, 2)))) == r"\sigma\left(-0.5\right)"
    assert latex(sigma(R(1, 3))) == r"\sigma\left(\frac{1}{3}\right)"       # no short decimal
    x = sp.Symbol("x")
    assert latex(1 / (1 + sp.exp(-x))) == r"\sigma\left(x\right)"


def test_a_common_factor_comes_out_and_the_constant_goes_last():
    assert latex(-36 + 2 * sigma(R(183, 10))) == r"2 \left(\sigma\left(18.3\right) - 18\right)"
    assert latex((sigma(R(183, 10)) - 18) ** 2) == r"\left(\sigma\left(18.3\right) - 18\right)^{2}"
    z = R(1, 5) + sigma(R(1, 2)) / 10 + 3 * sigma(R(2, 5)) / 5
    assert latex(z) == r"\frac{1}{10} \left(\sigma\left(0.5\right) + 6 \sigma\left(0.4\right) + 2\right)"
    assert latex(sigma(z)) == (r"\sigma\left(0.1 \sigma\left(0.5\right) + 0.6 \sigma\left(0.4\right) "
                               r"+ 0.2\right)")         # in an argument: decimals, nothing factored


def test_the_sigmoid_slope_prints_as_sigma_times_one_minus_sigma():
    u = R(183, 10)
    slope = sp.exp(-u) / (1 + sp.exp(-u)) ** 2
    assert latex(slope) == r"\sigma\left(18.3\right) \cdot \left(1 - \sigma\left(18.3\right)\right)"
    assert latex(sp.exp(u) / (1 + sp.exp(u))) == r"\sigma\left(18.3\right)"


def test_formulas_keep_their_written_order():
    a = sp.IndexedBase("a2")[sp.Symbol("j", integer=True)]
    assert textbook(a * (1 - a)) is not None
    assert latex(a * (1 - a)) == latex(a * (1 - a))
    x, y = sp.symbols("x y")
    with sp.evaluate(False):
        written = x * 2 + y
    assert textbook(written) is written


def test_constants_print_as_a_textbook_writes_them():
    assert latex(sp.pi) == r"\pi" and latex(sp.E) == "e"
    assert latex(sp.sqrt(2) / 2) == r"\frac{\sqrt{2}}{2}"            # not \frac{1}{2} \sqrt{2}
    assert latex(sp.pi / 8) == r"\frac{\pi}{8}"
    assert latex(-3 * sp.pi / 4) == r"-\frac{3 \pi}{4}"
    assert latex(1 - sp.sqrt(3) / 6) == r"1 - \frac{\sqrt{3}}{6}"     # the constant first: no leading minus
    assert latex(sp.Symbol("x") / 2) == r"\frac{1}{2} x"              # a formula's coefficient stays in front


def test_textbook_form_equals_the_value():
    u = R(1, 5) + sigma(R(1, 2)) / 10 + 3 * sigma(R(2, 5)) / 5
    for value in (-36 + 2 * sigma(R(183, 10)), sigma(u), sp.exp(-u) / (1 + sp.exp(-u)) ** 2 * (sigma(u) - R(9, 10)),
                  R(3, 5) - R(1, 10) * sp.exp(-u) / (1 + sp.exp(-u)) ** 2 / (1 + sp.exp(-R(2, 5)))):
        back = textbook(value).replace(SIGMOID, sigma)
        assert sp.N(back - value, 60) == 0 or abs(sp.N(back - value, 60)) < sp.Float(10) ** -55


def test_closed_form_is_none_when_too_wide():
    assert closed_form(sigma(R(183, 10))) == r"\sigma\left(18.3\right)"
    assert closed_form(R(3, 8)) == r"\frac{3}{8}"
    u = R(1, 5) + sigma(R(1, 2)) / 10 + 3 * sigma(R(2, 5)) / 5
    assert closed_form(sp.exp(-u) / (1 + sp.exp(-u)) ** 2 * (sigma(u) - R(9, 10))) is None
    assert closed_form(sp.exp(-u) / (1 + sp.exp(-u)) ** 2 * (sigma(u) - R(9, 10)), width=200) is not None


def test_the_feedback_sheet_writes_small_numbers_as_the_other_sheets_do():
    from symprop.render.feedback import _number
    # a student's or the checker's fixed-point digits with 4 zeros after the point or more: ×10^k,
    # as tex_decimal writes them, the digits kept (−0.00000163 = −1.63·10⁻⁶)
    assert _number("-0.00000163") == r"{-}1.63 \times 10^{-6}"
    assert _number("0.0000015344399") == r"1.5344399 \times 10^{-6}"
    assert _number("0.000123") == "0.000123"                    # three zeros: as written
    assert _number("-1.63e-7") == r"{-}1.63\times 10^{-7}"
