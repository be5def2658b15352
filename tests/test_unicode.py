"""Issue 14: user text in Polish, German, French, Spanish, Czech, Greek and Cyrillic reaches
every PDF (answer, question, feedback and exam sheets) as those letters; LaTeX specials are
still escaped and control characters dropped (render.texnames.escape, render.document)."""

import re
import shutil
import subprocess

import pytest

import symprop
from helpers import EXAMPLES
from symprop.exam.variants import draw
from symprop.output.texcompile import compile_pdf
from symprop.render.examsheet import exam_latex
from symprop.render.feedback import feedback_latex
from symprop.render.sheet import to_latex
from symprop.render.texnames import escape, switch

SENTENCE = "Sieć neuronowa – ćwiczenie (Однослойная сеть)"
GREEK = "Νευρωνικό δίκτυο"
PHRASES = [
    "Sieć neuronowa – ćwiczenie",                       # Polish
    "Zażółć gęślą jaźń, Łódź",
    "Größe, Straße, Ärger, öffnen, über",               # German
    "élève, très, façon, cœur, Œuvre",                  # French
    "niño, ¿Qué tal? ¡Sí!",                             # Spanish
    "řeka, kůň, čočka, Řím, děti, Šťastný",             # Czech
    GREEK,                                              # Greek
    "Однослойная сеть",                                 # Cyrillic
]
NOTES = " / ".join(PHRASES)


def _kpsewhich(name):
    if shutil.which("kpsewhich") is None:
        return False
    return bool(subprocess.run(["kpsewhich", name], capture_output=True, text=True).stdout.strip())


needs_tex = pytest.mark.skipif(
    shutil.which("pdflatex") is None or shutil.which("pdftotext") is None
    or not all(_kpsewhich(f) for f in ("t2aenc.def", "lgrenc.def", "sfrm1095.pfb")),
    reason="pdflatex, pdftotext or the Cyrillic/Greek TeX packages not installed (make tex installs them)")


# --- escape() -------------------------------------------------------------------------

def test_latex_specials_are_still_escaped():
    assert escape(r"\ { } $ & # % _ ^ ~") == (r"\textbackslash{} \{ \} \$ \& \# \% \_ "
                                              r"\textasciicircum{} \textasciitilde{}")
    tex = escape(r"Сеть \input{/etc/passwd} σ_1")
    assert r"\input{" not in tex and r"\textbackslash{}input\{/etc/passwd\}" in tex


def test_control_and_format_characters_are_dropped():
    assert escape("a\x00b\x07c\x1bd\x7fe\x85f\u200bg\ufeffh\ri") == "abcdefghi"
    assert escape("line\nnext\ttab") == "line next tab"


def test_latin_letters_of_every_language_are_kept():
    for text in ["Sieć neuronowa – ćwiczenie", "Zażółć gęślą jaźń, Łódź", "Größe Straße ÄÖÜ",
                 "élève très façon cœur Œ", "niño ¿Qué? ¡Sí!", "řeka kůň čočka Ř Ů Č",
                 "„Zitat“ «citation» ‘a’ — b"]:
        assert escape(text) == text


def test_decomposed_accents_are_composed():
    assert escape("e\u0301le\u0300ve") == "élève"


def test_cyrillic_and_greek_runs_are_set_in_their_encodings():
    assert escape(SENTENCE) == ("Sieć neuronowa – ćwiczenie ("
                                + switch("T2A", "Однослойная сеть") + ")")
    assert switch("T2A", "x") == r"{\fontencoding{T2A}\selectfont x}"
    assert escape(GREEK + ", σ") == switch("LGR", GREEK) + ", " + switch("LGR", "σ")
    assert escape("Σ = 1") == switch("LGR", "Σ") + " = 1"


def test_a_lone_greek_letter_stays_a_mathematical_symbol():
    assert escape("σ′(z) ≈ η δ µ") == r"$\sigma$$'$(z) $\approx$ $\eta$ $\delta$ $\mu$"


def test_letters_without_a_glyph_are_visible():
    assert escape("中文 ħ ŉ ☃") == "?? ? ? ?"


def test_user_text_cannot_switch_encodings():
    text = r"{\fontencoding{T2A}\selectfont x}"
    assert r"\fontencoding" not in escape(text)


# --- the documents ------------------------------------------------------------------------

def unicode_problem(name="circuit.toml", old='title = "Circuit: f = (x + y) z"'):
    text = (EXAMPLES / name).read_text()
    assert old in text
    return symprop.loads(text.replace(old, f"title = '{SENTENCE}'\nnotes = '{NOTES}'"))


def test_encodings_are_loaded_only_when_used():
    ascii_tex = to_latex(symprop.solve(symprop.load(EXAMPLES / "circuit.toml")))
    assert r"\usepackage[T1]{fontenc}" in ascii_tex and "T2A" not in ascii_tex and "LGR" not in ascii_tex
    tex = to_latex(symprop.solve(unicode_problem()))
    assert r"\usepackage[T2A,LGR,T1]{fontenc}" in tex
    assert r"\DeclareFontFamilySubstitution{T2A}{lmr}{cmr}" in tex
    greek = symprop.loads((EXAMPLES / "circuit.toml").read_text().replace(
        'title = "Circuit: f = (x + y) z"', f"title = '{GREEK}'"))
    tex = to_latex(symprop.solve(greek))
    assert r"\usepackage[LGR,T1]{fontenc}" in tex and "T2A" not in tex


def words(pdf_bytes, tmp_path):
    pdf = tmp_path / "sheet.pdf"
    pdf.write_bytes(pdf_bytes)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    return " ".join(re.sub(r"(\w)-\n(\w)", r"\1\2", text).split())    # words hyphenated at a line end


def assert_all_shown(text):
    assert SENTENCE in text
    for phrase in PHRASES:
        assert phrase in text, phrase


@needs_tex
@pytest.mark.parametrize("questions", [False, True])
def test_answer_and_question_sheets_print_every_script(questions, tmp_path):
    s = symprop.solve(unicode_problem())
    assert_all_shown(words(compile_pdf(to_latex(s, questions)), tmp_path))


@needs_tex
def test_feedback_sheet_prints_every_script(tmp_path):
    """The feedback sheet shows the title (not the notes): every phrase in it."""
    problem = symprop.loads((EXAMPLES / "circuit.toml").read_text().replace(
        'title = "Circuit: f = (x + y) z"', f"title = '{SENTENCE} / {NOTES}'"))
    report = symprop.check(symprop.solve(problem), {"q": "3", "f": "≈ -12", "df/dx": 4})
    text = words(compile_pdf(feedback_latex(report)), tmp_path)
    assert_all_shown(text)
    assert "≈-12" in text.replace("−", "-")             # an answer text, echoed


@needs_tex
def test_exam_sheet_prints_every_script(tmp_path):
    problem = unicode_problem("two_layer_relu.toml", 'title = "Two-layer ReLU network with a dead unit"')
    for questions in (True, False):
        text = words(compile_pdf(exam_latex(draw(problem, 2, 7), 7, questions)), tmp_path)
        assert text.count(SENTENCE) == 2
        assert_all_shown(text)


@needs_tex
def test_exam_sheets_of_the_selection_print_every_script(tmp_path):
    """The exam as `symprop exam` builds it: the [exam] selection's question boxes, and
    the answer PDF's key page before each worked solution."""
    from symprop.exam.exports import exam_settings
    from symprop.exam.lmstext import fields

    problem = unicode_problem("two_layer_relu.toml", 'title = "Two-layer ReLU network with a dead unit"')
    settings = exam_settings(problem, None)
    vs = draw(problem, 2, 7)
    for questions in (True, False):
        tex = exam_latex(vs, 7, questions, lambda v: fields(v, settings), False)
        text = words(compile_pdf(tex), tmp_path)
        assert text.count(SENTENCE) == (2 if questions else 4)     # answers: a key page, then the solution
        assert_all_shown(text)


@needs_tex
def test_a_cyrillic_and_greek_file_name_compiles_and_stays_off_the_sheet(tmp_path, monkeypatch):
    """A student's sheet names the problem by its title, never by its file (issue 18)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "сеть_δίκτυο.toml").write_text((EXAMPLES / "circuit.toml").read_text(), encoding="utf-8")
    text = words(compile_pdf(to_latex(symprop.solve(symprop.load("сеть_δίκτυο.toml")))), tmp_path)
    assert "Circuit" in text and "сеть" not in text and str(tmp_path) not in text
