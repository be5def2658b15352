"""Feedback on wrong answers: a reason for every one, on the sheet in the same row (and
page) as its verdict; the correct value never shorter than the student's; one minus.

Recomputed values are computed here with sympy/mpmath from the problem's numbers and
the student's answers, not taken from symprop.
"""

import re
import shutil
import subprocess
from decimal import Decimal

import mpmath as mp
import pytest
import sympy as sp

import symprop
from helpers import EXAMPLES
from symprop.checker.answers import load_answers
from symprop.checker.check import check
from symprop.render.feedback import feedback_latex

SEEDS = ["two_layer_sigmoid", "saturated_sigmoid", "two_layer_relu", "relu_2_3_1", "skip_connection"]
needs_tex = pytest.mark.skipif(shutil.which("pdflatex") is None or shutil.which("pdftotext") is None,
                               reason="pdflatex/pdftotext not installed (make test installs them)")


def report(seed):
    return check(symprop.solve(symprop.load(EXAMPLES / f"{seed}.toml")),
                 load_answers(EXAMPLES / "answers" / f"{seed}.toml"))


def results(seed):
    return {r.name: r for r in report(seed).results}


def sig(text):
    """Significant digits of a decimal text, trailing zeros included."""
    return len(Decimal(text.lstrip("≈")).as_tuple().digits)


@pytest.mark.parametrize("seed", SEEDS)
def test_every_wrong_verdict_has_a_reason_and_only_those(seed):
    rep = report(seed)
    for r in rep.results:
        if r.verdict == "wrong":
            assert r.reason and f"you wrote {r.given.text}." in r.reason, r
            if r.diagnosis:
                assert r.diagnosis[1:] in r.reason
        else:
            assert r.reason is None
    js = rep.to_json()["results"]
    assert [x["reason"] for x in js] == [r.reason for r in rep.results]
    for r in rep.results:
        if r.reason:
            assert f"({r.number}) {r.name}: {r.reason}" in str(rep)


def test_sigmoid_reasons_name_the_students_values_and_what_they_give():
    r = results("two_layer_sigmoid")
    # rows 1-2: nothing of theirs feeds z1 = W1 x + b1; the correct value to their digits
    z11 = sp.Rational("0.1") * sp.Rational("0.5") + sp.Rational("0.2") * sp.Rational("0.5") \
        + sp.Rational("0.5") * sp.Rational("0.1") + sp.Rational("0.2")
    assert z11 == sp.Rational(2, 5)
    assert r["z1[1]"].reason == "The correct value to your digits is z1[1] = 0.4; you wrote 0.6."
    assert "z1[2] = 0.5; you wrote 0.7." in r["z1[2]"].reason
    # row 42: W2[2,1]' = W2[2,1] − η·δ2[2]·a1[1] from their δ2[2] = 0.1241 and a1[1] = 0.646
    w = sp.Rational("0.5") - sp.Rational("0.1") * sp.Rational("0.1241") * sp.Rational("0.646")
    assert f"{float(w):.5g}" == "0.49198"
    assert r["W2[2,1]'"].reason == ("From your a1[1] = 0.646 and delta2[2] = 0.1241 the definition "
                                    "gives W2[2,1]' = 0.49198, to your digits 0.492; you wrote 0.491.")
    # row 14: diagnosed, and what their δ2 give through the weights before the update
    d = sp.Rational("0.6") * sp.Rational("-0.05446") + sp.Rational("0.5") * sp.Rational("0.1241")
    assert f"{float(d):.5g}" == "0.029374"
    assert r["dL/da1[1]"].reason.startswith("Back-propagated through the already-updated weights")
    assert "From your delta2[1] = -0.05446 and delta2[2] = 0.1241 the definition gives " \
           "dL/da1[1] = 0.029374, to your digits 0.02937; you wrote 0.02803." in r["dL/da1[1]"].reason


def test_saturated_reason_is_sigmoid_of_their_z_and_the_correct_value_is_long_enough():
    r = results("saturated_sigmoid")
    a = r["a2[1]"]
    exact = 1 / (1 + sp.exp(-sp.Rational("18.3")))
    digits = mp.nstr(mp.mpf(str(sp.N(exact, 40))), 11)               # 0.9999999887173… to 11
    assert digits == "0.99999998872"
    assert a.verdict == "wrong"
    assert f"From your z2[1] = 18.3 the definition gives a2[1] = {digits}," in a.reason
    assert "to your digits 0.999999989; you wrote 0.999999988." in a.reason
    assert a.correct_text.startswith("0.99999998872") and sig(a.correct_text) >= 9 + 2
    assert "0.99999999 " not in str(report("saturated_sigmoid"))


@pytest.mark.parametrize("seed", SEEDS)
def test_the_correct_column_has_at_least_the_students_digits(seed):
    for r in report(seed).results:
        if re.fullmatch(r"≈?[-+]?[0-9.]+(e[-+]?[0-9]+)?", r.given.text) and r.correct_text:
            exact = r.correct.is_Rational and sp.Rational(r.correct_text) == r.correct
            assert exact or sig(r.correct_text) >= sig(r.given.text), (r, r.correct_text)
            assert ("e" in r.correct_text) <= ("e" in r.given.text) or abs(r.correct) < 1e-12


def test_correct_value_keeps_zeros_it_is_not_exactly():
    report = symprop.check(symprop.solve(symprop.load(EXAMPLES / "two_layer_sigmoid.toml")),
                           {"z1[1]": "0.40000", "a1[1]": "0.59869000"})
    z, a = report.results
    assert z.verdict == "exact" and z.correct_text == "0.4"          # exactly 2/5
    assert a.verdict == "wrong" and a.correct_text == "0.5986876601"  # σ(0.4) to 10 digits
    assert mp.nstr(1 / (1 + mp.exp(-mp.mpf("0.4"))), 10) == "0.5986876601"


def pages(tex, tmp_path):
    from symprop.output.texcompile import compile_pdf

    pdf = tmp_path / "f.pdf"
    pdf.write_bytes(compile_pdf(tex))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True).stdout
    return [" ".join(page.split()) for page in text.split("\f")], text.split("\f")


@needs_tex
@pytest.mark.parametrize("seed", ["two_layer_sigmoid", "saturated_sigmoid", "two_layer_relu"])
def test_each_reason_is_on_the_page_of_its_row(seed, tmp_path):
    rep = report(seed)
    tex = feedback_latex(rep)
    flat, raw = pages(tex, tmp_path)
    wrong = [r for r in rep.results if r.verdict == "wrong"]
    assert wrong
    for r in wrong:
        tail = f"you wrote {r.given.text.replace('-', '−')}."
        where = [i for i, page in enumerate(flat) if tail in page]
        assert len(where) == 1, (r, tail)
        rows = [line for line in raw[where[0]].splitlines()
                if re.match(rf"\s*{r.number}\s", line) and "wrong" in line]
        assert rows, f"row {r.number} is not on the page of its reason"
    # the row and its reason are one unit for longtable: no page break between them
    assert tex.count(r"\\*") == len([r for r in rep.results if r.why is not None or r.diagnosis])


@needs_tex
def test_one_minus_sign_in_both_columns(tmp_path):
    flat, _ = pages(feedback_latex(report("two_layer_sigmoid")), tmp_path)
    text = " ".join(flat)
    assert "−0.242 −0.24944980" in text and "−0.05446 −0.056708581" in text
    assert not re.search(r"-[0-9]", text.split("Your answers")[-1])
    flat, _ = pages(feedback_latex(report("saturated_sigmoid")), tmp_path)
    text = " ".join(flat)
    assert "−1.63 × 10−6 −1.5344399 × 10−6" in text      # −0.00000163 as 1.63·10⁻⁶, like −4.08 × 10−7
