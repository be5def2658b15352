"""A ReLU of symbols is a Piecewise whose conditions SymPy writes with And, Or, Not and
ITE (a condition that is itself piecewise). The printers spell them (and/∧, if-else)
and anything they do not know goes through SymPy's own LaTeX printer, never raw str():
str(And(...)) holds '&', which broke pdflatex inside align ("Extra alignment tab")."""

import shutil

import pytest
import sympy as sp

import symprop
from symprop.render.latexprint import latex
from symprop.render.printing import text

x, w, v = sp.symbols("x w v")

SYMBOLIC_RELU = """
title = "symbolic ReLU"
loss = "half_sse"
learning_rate = "eta"
[data]
x = [1, "x2"]
y = 1
[[layers]]
weights = [["w", "1/2"], [1, -1]]
activation = "relu"
[[layers]]
weights = [[1, "v"]]
activation = "identity"
"""


def test_conditions_are_spelled():
    cond = sp.And(x < 1, w > 0)
    assert text(cond) in ("x < 1 and w > 0", "w > 0 and x < 1")      # SymPy orders And's args
    assert latex(cond) in (r"x < 1 \wedge w > 0", r"w > 0 \wedge x < 1")
    assert text(sp.Or(x < 1, w <= 0)) in ("x < 1 or w ≤ 0", "w ≤ 0 or x < 1")
    p = sp.Symbol("p")                               # Not of a relational evaluates; of a symbol it stays
    assert text(sp.Not(p)) == "not p" and latex(sp.Not(p)) == r"\neg p"
    ite = sp.ITE(x < 1, w > 0, v > 0)
    assert text(ite) == "(w > 0 if x < 1, else v > 0)"
    assert latex(ite) == r"\left(w > 0 \text{ if } x < 1, \text{ else } v > 0\right)"


def test_unknown_nodes_print_through_sympy_latex():
    e = sp.Xor(x > 0, w > 0)
    assert "&" not in latex(e) and latex(e) == sp.latex(e)


def test_the_answer_sheet_of_a_symbolic_relu_net_has_no_raw_sympy():
    tex = symprop.solve(symprop.loads(SYMBOLIC_RELU)).to_latex()
    assert "ITE(" not in tex and "&(" not in tex and r"\wedge" in tex
    assert " & (" not in tex


@pytest.mark.skipif(not shutil.which("pdflatex"), reason="pdflatex is not installed (make tex)")
def test_the_answer_sheet_of_a_symbolic_relu_net_compiles(tmp_path):
    symprop.solve(symprop.loads(SYMBOLIC_RELU)).to_pdf(tmp_path / "sheet.pdf")
    assert (tmp_path / "sheet.pdf").stat().st_size > 1000
