"""pdflatex runs of a document (output/texcompile.py): a document with a longtable gets a
draft run (no PDF, no pictures) for its column widths and then one full run, and its
PDF is the one two plain pdflatex runs give (what every build did before); a document
without one gets one run; a draft that misses a width (a picture in a table) or fails
still ends in the plain build's PDF. The reference builds here run pdflatex directly,
twice, in a folder of their own, with the environment a reproducible build needs."""

import os
import shutil
import subprocess

import pytest

import symprop
from helpers import EXAMPLES
from symprop.exam.exports import exam_settings
from symprop.exam.lmstext import fields
from symprop.exam.variants import draw
from symprop.output import texcompile
from symprop.output.texcompile import compile_pdf
from symprop.render.examsheet import exam_latex

pytestmark = pytest.mark.skipif(shutil.which("pdflatex") is None or shutil.which("pdftotext") is None,
                                reason="pdflatex/pdftotext not installed (make test installs them)")

PICTURE = (r"\begin{tikzpicture}\draw[->] (0,0) -- (4,1) node[right] {$w_{%d}$};"
           r"\node[circle, draw] at (0,0) {$x$};\end{tikzpicture}")


def _document(rows=70, cell_picture=False):
    """Pictures, and a longtable over more than one page whose head repeats and whose
    widest cells come late (the first chunk of rows is narrower)."""
    body = []
    for i in range(1, rows + 1):
        wide = r"\text{a much wider cell than the first ones}" if i > 40 else "x"
        picture = r"\tikz\draw (0,0) rectangle (6,0.2);" if cell_picture and i == 60 else ""
        body.append(rf"{i} & ${wide}_{{{i}}}$ & {picture}{i * 7} \\")
    return "\n".join([
        r"\documentclass[11pt,a4paper]{article}", r"\usepackage{tikz,longtable,booktabs,amsmath}",
        r"\begin{document}", r"\section{Pictures}", *(PICTURE % i for i in range(3)),
        r"\begin{longtable}{rlr}\toprule No. & quantity & value \\ \midrule\endhead",
        *body, r"\bottomrule\end{longtable}", PICTURE % 9, r"\end{document}", ""])


def _plain_runs(tex, tmp_path):
    """(PDF, runs) of `pdflatex doc.tex` run until its log asks for no rerun (no draft)."""
    folder = tmp_path / "plain"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    (folder / "doc.tex").write_text(tex, encoding="utf-8")
    env = dict(os.environ, SOURCE_DATE_EPOCH=texcompile.EPOCH, FORCE_SOURCE_DATE="1")
    for runs in range(1, 5):
        subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
                       cwd=folder, env=env, stdout=subprocess.DEVNULL, check=True)
        if "Rerun" not in (folder / "doc.log").read_text(errors="replace"):
            break
    return (folder / "doc.pdf").read_bytes(), runs


def _two_plain_runs(tex, tmp_path):
    pdf, runs = _plain_runs(tex, tmp_path)
    assert runs == 2
    return pdf


def _text(pdf, tmp_path, name):
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


@pytest.fixture
def runs(monkeypatch):
    """The kinds of pdflatex run compile_pdf starts: "draft" or "full"."""
    seen = []
    run = texcompile._run

    def counted(workdir, timeout, jobs, draft=False):
        seen.append("draft" if draft else "full")
        return run(workdir, timeout, jobs, draft)
    monkeypatch.setattr(texcompile, "_run", counted)
    return seen


def test_a_longtable_takes_a_draft_and_one_full_run_and_gives_the_two_run_pdf(tmp_path, runs):
    tex = _document()
    pdf = compile_pdf(tex)
    assert runs == ["draft", "full"]
    plain = _two_plain_runs(tex, tmp_path)
    assert pdf == plain
    text = _text(pdf, tmp_path, "drafted")
    assert text.count("\f") >= 2 and text.count("No.") >= 2      # the head on every page


def test_a_picture_in_a_table_cell_costs_a_rerun_not_a_wrong_page(tmp_path, runs):
    tex = _document(cell_picture=True)
    pdf = compile_pdf(tex)
    assert runs == ["draft", "full", "full"]      # the draft skipped the cell's picture
    assert pdf == _two_plain_runs(tex, tmp_path)


def test_a_failing_draft_is_dropped(tmp_path, runs, monkeypatch):
    monkeypatch.setattr(texcompile, "DRAFT", r"\undefinedmacro\input{doc.tex}")
    tex = _document()
    assert compile_pdf(tex) == _two_plain_runs(tex, tmp_path)
    assert runs == ["draft", "full", "full"]


def test_a_document_without_longtable_takes_one_run(runs):
    compile_pdf(r"\documentclass{article}\usepackage{tikz}\begin{document}" + PICTURE % 1 + r"\end{document}")
    assert runs == ["full"]


def test_the_exam_sheets_take_fewer_runs_and_give_the_plain_pdfs(tmp_path, runs):
    """No section label, no lastpage: the question sheet is built in one run; the answer
    sheet (longtables, and variants set tighter: sheet.py's second decision through the
    .aux) in a draft and at most as many full runs as plain runs take; both PDFs are the
    plain build's."""
    problem = symprop.load(EXAMPLES / "two_layer_relu.toml")
    settings = exam_settings(problem, None)
    vs = draw(problem, 3, 11)
    for questions in (True, False):
        tex = exam_latex(vs, 11, questions, lambda v: fields(v, settings))
        assert r"\label" not in tex and "lastpage" not in tex
        runs.clear()
        pdf = compile_pdf(tex)
        plain, count = _plain_runs(tex, tmp_path)
        assert pdf == plain
        if questions:
            assert runs == ["full"] and count == 1
        else:
            assert runs[0] == "draft" and 1 <= runs.count("full") <= count


def test_the_draft_keeps_only_longtable_widths():
    aux = ("\\relax \n\\newlabel{sec:A}{{1}{1}}\n\\gdef \\LT@i {\\LT@entry \n    {1}{23.5pt}\\LT@entry \n"
           "    {2}{46.0pt}}\n\\sympropfill{1}{1}\n\\gdef \\LT@xiv {\\LT@entry \n    {1}{5pt}}\n")
    assert texcompile._widths(aux) == ("\\gdef \\LT@i {\\LT@entry \n    {1}{23.5pt}\\LT@entry \n"
                                       "    {2}{46.0pt}}\n\\gdef \\LT@xiv {\\LT@entry \n    {1}{5pt}}\n")
