"""What a student reads on a sheet (issue 18, "Ugly today"): every example's answer sheet,
question sheet, feedback sheet and a 3-variant exam's sheets hold no "e-7" number form,
no "(closed form)" filler, no internal id of a loss or activation, no file path; every
decimal has at least the digits the question sheet asks for; every closed form printed,
read back from its LaTeX by a translation written here, equals the value to 50 digits.

The LaTeX strings are built for every sheet; only a few are compiled (pdftotext checks
what TeX typeset).
"""

import functools
import re
import shutil
import subprocess

import mpmath
import pytest
import sympy as sp

import symprop
from helpers import EXAMPLES, ROOT
from symprop.exam.variants import draw
from symprop.model.losses import LOSSES
from symprop.model.functions import FUNCTIONS
from symprop.output.texcompile import compile_pdf
from symprop.render.examsheet import exam_latex
from symprop.render.feedback import feedback_latex
from symprop.render.latexprint import closed_form, latex_value
from symprop.render.sheet import to_latex
from symprop.render.texnames import escape, spelling

NAMES = sorted(p.stem for p in EXAMPLES.glob("*.toml"))
WITH_ANSWERS = sorted(p.stem for p in (EXAMPLES / "answers").glob("*.toml"))
RANDOMIZED = [n for n in NAMES if "[randomize" in (EXAMPLES / f"{n}.toml").read_text()]
needs_tex = pytest.mark.skipif(shutil.which("pdflatex") is None or shutil.which("pdftotext") is None,
                               reason="pdflatex/pdftotext not installed")


@functools.lru_cache(maxsize=None)
def solution(name):
    return symprop.solve(symprop.load(EXAMPLES / f"{name}.toml"))


@functools.lru_cache(maxsize=None)
def feedback(name):
    report = symprop.check(solution(name), symprop.load_answers(EXAMPLES / "answers" / f"{name}.toml"))
    return feedback_latex(report)


@functools.lru_cache(maxsize=None)
def exam(name, questions):
    return exam_latex(draw(symprop.load(EXAMPLES / f"{name}.toml"), 3, 11), 11, questions)


# -- what must not be on a sheet -----------------------------------------------------

_E_NUMBER = re.compile(r"\d\s*[eE]\s*[-−+]?\s*\d")          # 3.8e-7, 3.8e − 7, 1e5
_WORDS = ("softplus", "softmax", "sigmoid", "identity")     # ids that are also the words a sheet uses
_IDS = sorted({name for name in LOSSES if name != "none"} |
              {f.name for f in FUNCTIONS.values() if f.activation and f.name not in _WORDS})


def _body(tex):
    """The document's body: what is typeset (the preamble holds package names)."""
    return tex.split(r"\begin{document}", 1)[1]


def problems_in_latex(tex):
    """What a student must not read, found in a sheet's LaTeX."""
    body = _body(tex)
    found = [f"number {m[0]!r}" for m in _E_NUMBER.finditer(re.sub(r"\\[A-Za-z]+", " ", body))]
    if "closed form)" in body:
        found.append("(closed form) filler")
    for name in _IDS:
        if re.search(rf"(?<![\\A-Za-z]){re.escape(escape(name))}(?![A-Za-z])", body):
            found.append(f"internal id {name!r}")
    for path in (str(ROOT), str(EXAMPLES), "examples/", ".toml"):
        if path in body:
            found.append(f"path {path!r}")
    return found


def problems_in_text(text):
    """The same, in what pdftotext reads from the PDF."""
    found = [f"number {m[0]!r}" for m in _E_NUMBER.finditer(text)]
    found += ["(closed form) filler"] * ("closed form)" in text)
    found += [f"internal id {n!r}" for n in _IDS if re.search(rf"(?<![A-Za-z]){re.escape(n)}(?![A-Za-z])", text)]
    found += [f"path {p!r}" for p in (str(ROOT), "examples/", ".toml") if p in text]
    return found


def pdf_text(tex, tmp_path):
    pdf = tmp_path / "sheet.pdf"
    pdf.write_bytes(compile_pdf(tex))
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def test_the_checks_find_what_they_look_for():
    bad = (r"\begin{document}$-3.836099724e-7$ \text{(closed form)} (half\_sse) relu, bias "
           + str(EXAMPLES / "circuit.toml"))
    found = problems_in_latex(bad)
    assert len([f for f in found if f.startswith("number")]) == 1
    assert "(closed form) filler" in found and "internal id 'half_sse'" in found
    assert "internal id 'relu'" in found and any(f.startswith("path") for f in found)
    assert problems_in_text("−3.836099724e − 7 sse /x/examples/a.toml") == [
        "number '4e − 7'", "internal id 'sse'", "path 'examples/'", "path '.toml'"]
    assert problems_in_latex(r"\begin{document}$1.1em$ \\[2pt] sigmoid $\sigma$ ReLU 3 \times 10^{-7}") == []


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("questions", [False, True], ids=["answers", "questions"])
def test_a_sheet_reads_as_a_teacher_writes(name, questions):
    assert problems_in_latex(to_latex(solution(name), questions)) == []


@pytest.mark.parametrize("name", WITH_ANSWERS)
def test_a_feedback_sheet_reads_as_a_teacher_writes(name):
    assert problems_in_latex(feedback(name)) == []


@pytest.mark.parametrize("name", RANDOMIZED)
@pytest.mark.parametrize("questions", [False, True], ids=["answers", "questions"])
def test_an_exams_sheets_read_as_a_teacher_writes(name, questions):
    tex = exam(name, questions)
    assert tex.count("Variant ") >= 3
    assert problems_in_latex(tex) == []


@needs_tex
@pytest.mark.parametrize("which", ["answers", "questions", "feedback", "exam"])
def test_the_typeset_sheet_reads_as_a_teacher_writes(which, tmp_path):
    tex = {"answers": lambda: to_latex(solution("saturated_sigmoid")),
           "questions": lambda: to_latex(solution("two_layer_sigmoid"), True),
           "feedback": lambda: feedback("saturated_sigmoid"),
           "exam": lambda: exam(RANDOMIZED[0], False)}[which]()
    text = pdf_text(tex, tmp_path)
    assert problems_in_text(text) == []
    if which == "answers":
        assert "× 10" in text and "σ(18.3)" in text.replace(" ", "")


def test_losses_and_activations_are_in_words():
    tex = to_latex(solution("two_layer_relu"))
    assert "squared error" in tex and "ReLU" in tex
    sat = to_latex(solution("saturated_sigmoid"))
    assert r"ReLU\\ with bias" in sat or "ReLU with bias" in sat
    assert r"sigmoid $\sigma$" in sat
    assert r"Circuit: $f = (x + y) z$" in to_latex(solution("circuit"))


@needs_tex
def test_user_text_is_escaped(tmp_path):
    toml = (EXAMPLES / "circuit.toml").read_text().replace(
        'title = "Circuit: f = (x + y) z"', r"""title = '50% of A&B_1 #2 {x} ~y^ \ $5'""")
    text = pdf_text(to_latex(symprop.solve(symprop.loads(toml))), tmp_path)
    assert r"50% of A&B_1 #2 {x} ~y^ \ $5" in text


# -- digits: at least what the question sheet asks ---------------------------------------

def _significant(dec):
    mantissa = re.split(r"\s*\\times", dec)[0].lstrip("-")
    return len(mantissa.replace(".", "").lstrip("0"))


@pytest.mark.parametrize("name", NAMES)
def test_every_rounded_answer_has_the_digits_the_questions_ask_for(name):
    s = solution(name)
    asked = s.question_digits.digits
    with spelling(s):
        for _, _, quantity, value in s.items():
            shown = latex_value(value)
            if r"\approx" not in shown:
                continue                                  # exact: '= 3', '= \frac{3}{8} = 0.375'
            dec = shown.rsplit(r"\approx ", 1)[1]
            assert _significant(dec) >= asked, (quantity, shown, asked)


# -- closed forms read back --------------------------------------------------------------

class _Reader:
    """The LaTeX symprop prints for a closed form, read back into SymPy: numbers, + − ·,
    juxtaposition, \\frac, ^{}, e^{}, \\left( \\right), \\sigma, \\tanh, \\ln, \\sqrt."""

    _TOKEN = re.compile(r"\s*(\\[A-Za-z]+|\d+\.\d+|\d+|[{}()^+\-e])")
    _FUNCS = {r"\sigma": lambda u: 1 / (1 + sp.exp(-u)), r"\tanh": sp.tanh, r"\ln": sp.log}

    def __init__(self, tex):
        self.tokens = [t for t in self._TOKEN.findall(tex) if t not in (r"\left", r"\right", r"\cdot")]
        assert "".join(self.tokens) == re.sub(r"\s|\\left|\\right|\\cdot", "", tex), tex
        self.i = 0

    def read(self):
        value = self.sum()
        assert self.i == len(self.tokens), self.tokens[self.i:]
        return value

    def peek(self):
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self, expected=None):
        t = self.tokens[self.i]
        assert expected is None or t == expected, (t, expected)
        self.i += 1
        return t

    def sum(self):
        value = self.product() if self.peek() != "-" else (self.take(), -self.product())[1]
        while self.peek() in ("+", "-"):
            sign = self.take()
            value = value + self.product() if sign == "+" else value - self.product()
        return value

    def product(self):
        value = self.power()
        while self.peek() not in (None, "+", "-", ")", "}"):
            value = value * self.power()
        return value

    def power(self):
        base = self.atom()
        if self.peek() == "^":
            self.take()
            base = base ** self.group()
        return base

    def group(self):
        self.take("{")
        value = self.sum()
        self.take("}")
        return value

    def atom(self):
        t = self.take()
        if t == "(":
            value = self.sum()
            self.take(")")
            return value
        if t == "{":
            self.i -= 1
            return self.group()
        if t == r"\frac":
            return self.group() / self.group()
        if t == r"\sqrt":
            return sp.sqrt(self.group())
        if t in self._FUNCS:
            self.take("(")
            value = self._FUNCS[t](self.sum())
            self.take(")")
            return value
        if t == "e":
            return sp.E
        assert re.fullmatch(r"\d+(\.\d+)?", t), t
        return sp.Rational(t)


def test_the_reader_reads_what_a_textbook_writes():
    assert _Reader(r"2 \left(\sigma\left(18.3\right) - 18\right)").read() == 2 * (1 / (1 + sp.exp(-sp.Rational(183, 10))) - 18)
    assert _Reader(r"\frac{1}{10} \left(6 \sigma\left(0.4\right) + 2\right)^{2}").read() == \
        sp.Rational(1, 10) * (6 / (1 + sp.exp(-sp.Rational(2, 5))) + 2) ** 2
    assert _Reader(r"-e^{-0.5} \cdot 3").read() == -3 * sp.exp(-sp.Rational(1, 2))


@pytest.mark.parametrize("name", NAMES)
def test_every_printed_closed_form_reads_back_to_its_value(name):
    s = solution(name)
    read = 0
    with spelling(s), mpmath.workdps(60):
        for _, _, quantity, value in s.items():
            tex = closed_form(value, width=400)
            if tex is None or value.is_Rational:
                continue
            back = _Reader(tex).read()
            diff = sp.N(back - value, 60)
            assert diff == 0 or abs(diff) <= sp.Float(10, 60) ** -50 * max(1, abs(sp.N(value, 20))), (quantity, tex)
            read += 1
    assert read or all(v.is_Rational for _, _, _, v in s.items())


# -- no sheet ends on a nearly empty page -----------------------------------------------

def _pages(pdf):
    """Each page's text lines (pdftotext, one string per page), the page number left out."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    pages = [[line for line in page.splitlines() if line.strip()] for page in text.split("\f")]
    return [lines[:-1] if lines and lines[-1].strip().isdigit() else lines for lines in pages if lines]


@needs_tex
@pytest.mark.parametrize("name, questions", [("saturated_sigmoid", False), ("two_layer_relu", False),
                                             ("two_layer_relu", True), ("relu_2_3_1", True)])
def test_the_last_page_is_not_nearly_empty(name, questions, tmp_path):
    # these four ended on a page holding the answer table's last 4-6 rows, or 7 answer boxes
    pdf = tmp_path / "sheet.pdf"
    pdf.write_bytes(compile_pdf(to_latex(solution(name), questions=questions)))
    pages = _pages(pdf)
    full = max(len(p) for p in pages)
    assert len(pages) == 1 or len(pages[-1]) >= full // 3, [len(p) for p in pages]
    for page in pages[1:]:                   # a section heading is never the last line of a page
        assert not re.match(r"\s*\d\s+[A-Z]", page[-1]), page[-1]
