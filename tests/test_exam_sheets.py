"""The exam's sheets follow the [exam] selection: one answer box per asked quantity with
its points and tolerance, the questions on the method only with method_questions, and
the answer PDF's key with the mistake values (LaTeX read here, no pdflatex needed)."""

import re

import symprop
from helpers import EXAMPLES
from symprop.exam.exports import exam_settings
from symprop.exam.lmstext import fields
from symprop.exam.variants import draw
from symprop.render.examsheet import exam_latex


def sheets(extra="", ask=None, method=None):
    text = (EXAMPLES / "two_layer_relu.toml").read_text() + extra
    problem = symprop.loads(text)
    settings = exam_settings(problem, ask)
    vs = draw(problem, 2, 4)
    select = lambda v: fields(v, settings)
    method = settings.method_questions if method is None else method
    return vs, exam_latex(vs, 4, True, select, method), exam_latex(vs, 4, False, select)


def test_questions_are_the_selection_with_points_and_tolerance():
    extra = '\n[exam]\nask = ["loss", "dL/dW2[*]"]\npoints = {"dL/dW2[*]" = 2}\n' \
            '[exam.tolerance]\nrelative = 0.01\n'
    vs, questions, answers = sheets(extra)
    assert questions.count(r"\answerbox\quad") == 3 * len(vs)
    assert questions.count("2 points; within 1\\%") == 2 * len(vs)
    assert "5 points in all" in questions
    assert "Questions on the method" not in questions
    assert answers.count("Exam key") == len(vs)


def test_method_questions_and_the_ask_flag():
    vs, questions, _ = sheets("\n[exam]\nmethod_questions = true\n")
    assert "Questions on the method" in questions
    assert questions.count(r"\answerbox\quad") == 8 * len(vs)        # the default selection
    vs, questions, answers = sheets(ask=["delta1[*]"])
    assert questions.count(r"\answerbox\quad") == 2 * len(vs)
    assert re.search(r"Mistake values", answers)


def test_question_labels_fit_their_column():
    """The label column is as wide as the widest label (TeX measures them), so
    'L (after the update) =' does not run into its answer box; a later step says which."""
    from symprop.render.examsheet import _label

    assert _label("final.loss") == r"$\displaystyle L\text{ (after the update)} = $"
    assert _label("step2.loss") == r"$\displaystyle L\text{ (step 2)} = $"
    vs, questions, _ = sheets()
    questions = questions.replace("\n", " ")                # long lines are wrapped at spaces
    assert r"\settowidth{\sympropw}{$\displaystyle L\text{ (after the update)} = $}" in questions
    assert r"\makebox[\sympropq][l]" in questions and "[9em]" not in questions


def test_a_hostile_title_compiles_on_the_exam_sheets_and_key(tmp_path):
    """LaTeX's specials in the title and notes are text on the question sheet and the
    key page (pdftotext shows them), not commands."""
    import shutil
    import subprocess

    import pytest
    from symprop.output.texcompile import compile_pdf

    if not shutil.which("pdflatex"):
        pytest.skip("pdflatex is not installed (make tex)")
    title = r"50% & $5 #1 {x} ~y_z^2 \input{/etc/passwd}"
    text = (EXAMPLES / "two_layer_relu.toml").read_text().replace(
        'title = "Two-layer ReLU network with a dead unit"', f"title = '{title}'")
    problem = symprop.loads(text)
    settings = exam_settings(problem, None)
    vs = draw(problem, 1, 4)
    for questions in (True, False):
        pdf = tmp_path / "exam.pdf"
        pdf.write_bytes(compile_pdf(exam_latex(vs, 4, questions, lambda v: fields(v, settings))))
        shown = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
        assert title in " ".join(shown.split())
