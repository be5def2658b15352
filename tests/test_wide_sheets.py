"""Worksheets for every network the solver accepts (issue 11, part 6).

Large matrices are shortened (with the full values in an appendix), long sums show
their first and last terms around a counted ellipsis, the diagram draws a few units
of a wide layer and a few layers of a deep net, every line of the .tex stays short,
the answer table stays complete, and a sheet too large to typeset is refused with a
clear message before pdflatex runs.
"""

import random
import re
import shutil
from decimal import Decimal
import subprocess

import pytest
import sympy as sp

import symprop
from helpers import EXAMPLES
from symprop.render import document, examsheet, sheet
from symprop.errors import RenderError
from symprop.render.latexprint import MATRIX_COLS, MATRIX_ROWS, MAX_TERMS, MAX_TEX_LINE, matrix, wrap_lines
from symprop.model.numeric import decimal
from symprop.render.examsheet import exam_latex
from symprop.render.feedback import feedback_latex
from symprop.render.sheet import items, to_latex

needs_tex = pytest.mark.skipif(shutil.which("pdflatex") is None or shutil.which("pdftotext") is None,
                               reason="pdflatex/pdftotext not installed (make test installs them)")

VALUES = ['"1/2"', "-1", "2", '"-1/2"', "1", '"1/4"', "0"]


def net_toml(sizes, acts=None, steps=1, seed=0, samples=1, randomize=False):
    """A layered problem file with random rational weights (relu hidden layers)."""
    r = random.Random(seed)
    row = lambda n: "[" + ", ".join(r.choice(VALUES) for _ in range(n)) + "]"
    acts = acts or ["relu"] * (len(sizes) - 2) + ["sigmoid"]
    lines = [f'title = "Net {"-".join(map(str, sizes))}"', 'loss = "half_sse"',
             'learning_rate = "1/10"', f"steps = {steps}"]
    for _ in range(samples):
        lines += ["", "[[samples]]" if samples > 1 else "[data]", f"x = {row(sizes[0])}",
                  f"y = {row(sizes[-1])}"]
    for l in range(1, len(sizes)):
        lines += ["", "[[layers]]", "weights = [" + ", ".join(row(sizes[l - 1]) for _ in range(sizes[l])) + "]",
                  f"bias = {row(sizes[l])}", f'activation = "{acts[l - 1]}"']
    if randomize:
        lines += ["", "[randomize.values]", 'x = {choices = ["-1", "1/2", "1", "2"]}',
                  "", "[randomize.constraints]", 'dead_relu = "any"', "allow_kinks = true"]
    return "\n".join(lines) + "\n"


def solved(sizes, **kw):
    return symprop.solve(symprop.loads(net_toml(sizes, **kw)))


def longest_line(tex):
    return max(len(line) for line in tex.split("\n"))


# -- the mechanism ------------------------------------------------------------------------

def cells(tex):
    body = tex[tex.index(r"\begin{bmatrix}") + len(r"\begin{bmatrix}"):tex.index(r"\end{bmatrix}")]
    return [row.split(" & ") for row in body.split(r" \\ ")]


def test_matrices_beyond_amsmath_columns_are_shortened():
    tex, shortened = matrix([[sp.Integer(k) for k in range(1, 13)]] * 2)
    assert shortened and r"\underset{2 \times 12}" in tex
    assert all(len(row) <= MATRIX_COLS for row in cells(tex))
    assert r"\cdots" in tex and cells(tex)[0][-1].endswith("12")          # the last column is shown
    tex, shortened = matrix([[sp.Integer(j * 20 + k) for k in range(20)] for j in range(20)])
    rows = cells(tex)
    assert len(rows) <= MATRIX_ROWS and all(len(r) <= MATRIX_COLS for r in rows)
    assert r"\vdots" in tex and r"\ddots" in tex and rows[-1][-1].endswith("399")
    tex, shortened = matrix([[sp.Integer(1)] * MATRIX_COLS] * MATRIX_ROWS)             # the largest shown in full
    assert not shortened and len(cells(tex)) == MATRIX_ROWS and r"\cdots" not in tex


def test_long_sums_show_first_and_last_terms_with_the_count():
    s = solved([40, 1, 1], steps=0)
    tex = to_latex(s)
    row = tex[tex.index(r"z^{(1)}_{1} &="):tex.index(r"\tag{1}")]
    assert r"{\underbrace{\cdots}_{\text{36 more}}}" in row                # 40 products + bias: 41 terms
    assert r"w^{(1)}_{1,40}" in row and r"w^{(1)}_{1,20}" not in row and r"b^{(1)}_{1}" in row
    assert row.count(" + ") < 2 * MAX_TERMS


def test_multi_sample_loss_sum_is_shortened_inside_its_product():
    s = solved([2, 1], acts=["identity"], steps=0, samples=30)
    tex = to_latex(s)
    assert r"\text{25 more}" in tex and longest_line(tex) <= MAX_TEX_LINE


def tex_reading(tex):
    """What TeX reads, up to spacing: a line end is a space, '%' joins two lines."""
    out = []
    for line in tex.split("\n"):
        if line.endswith("%") and not line.endswith("\\%"):
            out.append(line[:-1])
        else:
            out.append(line + " ")
    return re.sub(r"\s+", " ", "".join(out)).strip()


def test_wrap_lines_changes_nothing_tex_reads():
    r = random.Random(1)
    tokens = [r"\cdot", r"\frac{1}{2}", "x_{1}", r"\ ", r"\\", r"\\[2pt]", "&=", "+", "123456789" * 40,
              r"\text{sample 1: }", r"\%", "a" * 300, "{", "}", r"\left(", r"\right)"]
    for _ in range(200):
        line = " ".join(r.choice(tokens) for _ in range(r.randint(50, 600)))
        if r.random() < 0.3:
            line += "%"
        wrapped = wrap_lines(line, 120)
        assert longest_line(wrapped) <= 120
        assert tex_reading(wrapped) == tex_reading(line)
        assert "\n\n" not in wrapped and not re.search(r"(?<!\\)\\\n", wrapped)    # no '\' at a line end


# -- the examples are unchanged -----------------------------------------------------------

@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.toml")), ids=lambda p: p.stem)
def test_examples_are_shown_in_full(path, monkeypatch):
    s = symprop.solve(symprop.load(path))
    for questions in (False, True):
        tex = to_latex(s, questions)
        assert longest_line(tex) <= MAX_TEX_LINE
        for marker in (r"\underbrace", r"\vdots", r"\ddots", r"\underset", "Appendix", "left out",
                       "matrices above", "too large to draw", "is shown by its first"):
            assert marker not in tex, marker
        monkeypatch.setattr(sheet, "wrap_lines", lambda t: t)
        unwrapped = to_latex(s, questions)
        monkeypatch.undo()
        assert re.sub(r"\s+", " ", unwrapped) == re.sub(r"\s+", " ", tex)   # wrapping: line ends only
        n = len(items(s))
        assert tex.count(r"\tag{") == (0 if questions else n)
        assert tex.count(r"\answerbox\par") == (n if questions else 0)
    p = s.problem
    if p.is_layered:
        for l, layer in enumerate(p.network.layers, start=1):      # every weight in its matrix
            display = tex[tex.index(rf"W^{{({l})}} = "):]
            assert [len(r) for r in cells(display)] == [len(row) for row in layer.weights]
        labels = re.findall(r"\\node\[weight[^\]]*\] at", tex)       # every weight on its edge
        assert len(labels) == sum(len(r) * len(r[0]) for r in (l.weights for l in p.network.layers))
        assert "x=3.4cm" in tex
    else:                                          # every graph node drawn, by its TeX name
        from symprop.render.texnames import tex as tex_of

        picture = tex[tex.index(r"\begin{tikzpicture}"):tex.index(r"\end{tikzpicture}")]
        for name, _ in p.network.nodes:
            assert tex_of(s.quantity(name), p.index_base) in picture, name


# -- limits -------------------------------------------------------------------------------

def test_a_sheet_beyond_the_quantity_limit_is_refused_before_any_latex():
    from symprop.core.tape import build_tape

    problem = symprop.loads(net_toml([128, 160, 1], acts=["relu", "identity"], steps=0))
    n = 21_446
    message = (f"a worksheet with {n:,} quantities is beyond the {document.MAX_QUANTITIES:,}-quantity "
               f"limit of one PDF; use --format json")
    with pytest.raises(RenderError, match=re.escape(message)):
        sheet.check_problem(problem, build_tape(problem))              # before solving
    s = symprop.solve(problem)
    assert len(items(s)) == n > document.MAX_QUANTITIES
    for questions in (False, True):
        with pytest.raises(RenderError, match=re.escape(message)):
            to_latex(s, questions)


def test_the_cli_says_which_limit_before_running_pdflatex(tmp_path, monkeypatch, capsys):
    from symprop import cli
    from symprop.output import texcompile

    monkeypatch.setattr(document, "MAX_QUANTITIES", 10)
    monkeypatch.setattr(texcompile, "compile_pdf", lambda *a, **k: pytest.fail("pdflatex ran"))
    out = tmp_path / "sheet.pdf"
    code = cli.main(["solve", str(EXAMPLES / "two_layer_sigmoid.toml"), "--pdf", "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and not out.exists()
    assert err.count("\n") == 1 and "beyond the 10-quantity limit of one PDF" in err


def test_exam_pdf_limits_name_the_limit_and_suggest_split(monkeypatch):
    from symprop.exam.variants import draw

    vs = draw(symprop.load(EXAMPLES / "two_layer_relu.toml"), 3, 1)
    monkeypatch.setattr(examsheet, "MAX_EXAM_VARIANTS", 2)
    with pytest.raises(RenderError, match="3 variants is beyond the 2-variant limit of one PDF; use --split"):
        exam_latex(vs, 1, True)
    exam_latex(vs[:1], 1, True)                                         # --split: one variant per PDF
    monkeypatch.setattr(examsheet, "MAX_EXAM_VARIANTS", 500)
    monkeypatch.setattr(document, "MAX_QUANTITIES", len(items(vs[0].solution)) * 2)
    with pytest.raises(RenderError, match="3-variant exam PDF with .* quantities .* use --split"):
        exam_latex(vs, 1, False)


# -- PDFs ---------------------------------------------------------------------------------

def pdf_text(tex, tmp_path, name):
    from symprop.output.texcompile import compile_pdf

    pdf = tmp_path / f"{name}.pdf"
    pdf.write_bytes(compile_pdf(tex))
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True).stdout.replace("−", "-")


NETS = {
    "11 inputs": dict(sizes=[11, 2, 1], steps=1),
    "12-column matrix": dict(sizes=[3, 12, 2], steps=1),
    "wide": dict(sizes=[3, 200, 2], steps=0),
    "deep narrow": dict(sizes=[2] * 32 + [1], steps=1),
}


@needs_tex
@pytest.mark.parametrize("name", NETS)
def test_answer_and_question_sheets_build(name, tmp_path):
    s = solved(**NETS[name])
    listing = items(s)
    answers, questions = to_latex(s), to_latex(s, questions=True)
    assert longest_line(answers) <= MAX_TEX_LINE and longest_line(questions) <= MAX_TEX_LINE
    words = pdf_text(answers, tmp_path, "answers")
    table = words[words.index("All answers"):]
    # every row's number starts a line, in order (alone on its line when the row's cells are
    # taller than it; [ \t], not \s: a fraction's numerator above must not swallow it)
    at = 0
    for n in range(1, len(listing) + 1):
        m = re.compile(rf"^[ \t]*{n}(?=[ \t]|$)", re.MULTILINE).search(table, at)
        assert m, f"row {n} of {len(listing)}"
        at = m.end()
    last_gradient = [(n, v) for n, section, _, v in listing if section[0] == "gradients"][-1]
    number, value = last_gradient
    row = re.split(rf"^[ \t]*{number + 1}(?=[ \t]|$)", re.split(rf"^[ \t]*{number}(?=[ \t]|$)", table, flags=re.MULTILINE)[1],
                   flags=re.MULTILINE)[0]
    digits = max(6, s.question_digits.digits)       # the sheet's digits: 6, or more if the questions ask
    d = Decimal(decimal(value, digits))             # the sheet writes 2.7e-5 and 0.000027 as 2.7×10⁻⁵
    shown = f"{d.scaleb(-d.adjusted())}×10{d.adjusted()}" if d and d.adjusted() <= -5 else str(d)
    assert shown in row.split("Appendix")[0].replace(" ", "")   # its row holds its value
    words = pdf_text(questions, tmp_path, "questions")
    assert f"({len(listing)})" in words
    if max(NETS[name]["sizes"][:-1]) > MATRIX_COLS or max(NETS[name]["sizes"]) > MATRIX_ROWS:
        assert "Appendix: the given values in full" in words


@needs_tex
def test_feedback_and_exam_sheets_build_for_a_wide_net(tmp_path):
    from symprop.checker.answers import load_answers
    from symprop.checker.check import check
    from symprop.exam.variants import draw

    s = solved([20, 20, 3], steps=0)
    answers = tmp_path / "a.toml"
    answers.write_text('[answers]\n"z1[1]" = "0"\n"dL/dW1[20,20]" = "0"\n')
    tex = feedback_latex(check(s, load_answers(answers)))
    assert longest_line(tex) <= MAX_TEX_LINE
    assert "Your answers" in pdf_text(tex, tmp_path, "feedback")
    vs = draw(symprop.loads(net_toml([12, 17, 2], steps=0, randomize=True)), 2, 3)
    for questions in (True, False):
        tex = exam_latex(vs, 3, questions)
        assert longest_line(tex) <= MAX_TEX_LINE
        assert "Variant 2 (seed 3)" in pdf_text(tex, tmp_path, f"exam-{questions}")


def test_tanh_hidden_layer_squares_its_activation_without_a_double_superscript():
    tex = to_latex(solved([2, 3, 1], acts=["tanh", "sigmoid"]))
    assert r"{a^{(1)}_{j}}^{2}" in tex and r"a^{(1)}_{j}^{2}" not in tex


@pytest.mark.parametrize("source", ["examples", "generated"])
def test_quantities_are_counted_from_the_tape_before_solving(source):
    from symprop.core.tape import build_tape

    if source == "examples":
        problems = [symprop.load(p) for p in sorted(EXAMPLES.glob("*.toml"))]
    else:
        problems = [symprop.loads(net_toml(sizes, steps=steps, samples=samples))
                    for sizes, steps, samples in [([3, 12, 2], 0, 1), ([2, 3, 1], 2, 1), ([4, 2], 1, 3)]]
    for p in problems:
        assert sheet.quantities(p, build_tape(p)) == len(items(symprop.solve(p))), p.title
