"""moodle.xml: a Moodle XML quiz, a category per exam (optionally one per variant) and
one cloze (multianswer) question per variant.

Each asked quantity is a NUMERICAL field `{points:NUMERICAL:=answer:tolerance#Right.
~%c%value:tolerance#Likely mistake: ...}`, the alternatives being the values the
checker's mistakes give (alternatives.py), at `mistake_credit` percent, each within
the right answer's tolerance (fixed point, as the multianswer NUMBER_REGEX reads it).
Feedback is HTML with `~`, `{` and `}` as character references: the multianswer
parser ends a feedback at `~` or `}` (ANSWER_ALTERNATIVE_FEEDBACK_REGEX). The weights
before `:NUMERICAL:` are whole numbers (ANSWER_START_REGEX reads `[0-9]*`): points
scaled to whole numbers by their common denominator; the question's default grade is
the points' sum.

Category paths are escaped as Moodle splits them (a "/" inside a name is "//",
question/format.php's assemble_category_path; a space against a leading or trailing
"/", which Moodle trims).
"""

import math
import xml.etree.ElementTree as ET

from ..output.files import MARK
from ..render.texnames import spelling
from .lmstext import category_name, fields, html_text, label_html, percent, problem_html

__all__ = ["moodle_xml", "moodle_category"]


def moodle_category(*names):
    """Moodle's assemble_category_path for names under $course$/top/symprop."""
    parts = []
    for name in names:
        name = name.replace("/", "//")
        if name.startswith("/"):
            name = " " + name
        if name.endswith("/"):
            name += " "
        parts.append(name)
    return "$course$/top/symprop/" + "/".join(parts)


def _category(quiz, path):
    cat = ET.SubElement(quiz, "question", type="category")
    ET.SubElement(ET.SubElement(cat, "category"), "text").text = path


def moodle_xml(vs, category, settings=None, per_variant=False, mistakes=True):
    """A Moodle XML quiz: a category, then one cloze question per variant (with
    `per_variant`, each variant in a subcategory "variant N" of the exam's)."""
    name = category_name(category)
    quiz = ET.Element("quiz")
    if not per_variant:
        _category(quiz, moodle_category(name))
    for v in vs:
        if per_variant:
            _category(quiz, moodle_category(name, f"variant {v.number}"))
        with spelling(v.solution):
            _cloze(quiz, v, name, fields(v, settings, mistakes))
    ET.indent(quiz)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + f"<!-- {MARK} -->\n"
            + ET.tostring(quiz, encoding="unicode") + "\n")


def _weights(fs):
    """Whole-number cloze weights proportional to the points (and their sum)."""
    scale = math.lcm(*[int(f.asked.points.q) for f in fs]) if fs else 1
    return [int(f.asked.points * scale) for f in fs], sum(f.asked.points for f in fs)


def cloze_field(f, weight):
    """`{w:NUMERICAL:=answer:tol#Right.~%c%alt:tol#feedback...}` for one Field."""
    parts = [f"={f.answer}:{f.tolerance}#Right."]
    for a in f.alternatives:
        parts.append(f"%{percent(f.mistake_credit)}%{a.decimal}:{f.tolerance}#{html_text(a.feedback)}")
    return "{" + f"{weight}:NUMERICAL:" + "~".join(parts) + "}"


def _cloze(quiz, v, name, fs):
    """One variant as a cloze question: the problem, then a numerical field per question."""
    q = ET.SubElement(quiz, "question", type="cloze")
    ET.SubElement(ET.SubElement(q, "name"), "text").text = f"{name}: variant {v.number}"
    weights, total = _weights(fs)
    rows = []
    for f, w in zip(fs, weights):
        pts = f.asked.points
        shown = f"{pts} point{'s' if pts != 1 else ''}"
        rows.append(f"<p>({f.number}) {label_html(f.asked.name)} = {cloze_field(f, w)} "
                    f"<small>({shown}; {html_text(f.asked.tolerance.describe())})</small></p>")
    text = problem_html(v.solution) + "\n<p>Compute:</p>\n" + "\n".join(rows)
    qt = ET.SubElement(q, "questiontext", format="html")
    ET.SubElement(qt, "text").text = text
    ET.SubElement(ET.SubElement(q, "generalfeedback", format="html"), "text").text = ""
    ET.SubElement(q, "defaultgrade").text = _number(total)
    ET.SubElement(q, "penalty").text = "0.3333333"
    ET.SubElement(q, "hidden").text = "0"


def _number(r):
    from decimal import Decimal

    d = Decimal(r.p) / Decimal(r.q)
    return format(d.quantize(Decimal("0.0000001")).normalize(), "f")
