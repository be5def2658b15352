"""`symprop exam`: many variants of one exercise, with sheets, keys and LMS export.

Writes into --out: questions.pdf and answers.pdf (one document each, a variant
per page run; --split: one PDF per variant instead), answers.json (each
variant's problem file and every answer under its flat name), moodle.xml (a
cloze question per variant, one numerical field per quantity) and, with
--gift, questions.gift. Everything is built in a staging folder beside --out
and moved in only when all of it succeeded.
"""

import html
import json
import math
import os
import shutil
import tempfile
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor

from .errors import OutputError
from .latexprint import latex_short
from .numeric import decimal
from .outputs import MARK, is_ours
from .solution import value_json
from .texnames import tex_name
from .variants import draw, problem_toml

__all__ = ["write_exam", "answers_json", "moodle_xml", "gift", "tolerance"]


def tolerance(value):
    """Moodle's absolute tolerance for an exact value: half a unit in its 4th
    significant digit (0.0005 for 0.4, 5e-10 for 1.13e-8); 0.00005 for 0."""
    d = decimal(value, 15)
    x = abs(float(d)) if d is not None else 0.0
    if x == 0.0:
        return "0.00005"
    exponent = math.floor(math.log10(x)) - 3
    return f"{5 * 10.0 ** (exponent - 1):.3g}"


def answers_json(vs, seed):
    return {"generator": MARK, "seed": seed, "variants": [
        {"variant": v.number, "problem": problem_toml(v.problem),
         "answers": {n: value_json(x) for n, x in v.solution.answers().items()}} for v in vs]}


def _problem_html(solution):
    """The exercise as HTML with LaTeX for MathJax (\\( ... \\))."""
    p = solution.problem
    math_ = lambda s: r"\(" + html.escape(s, quote=False) + r"\)"
    parts = [f"<p><strong>{html.escape(p.title)}</strong></p>"]
    if p.is_layered:
        for l, layer in enumerate(p.network.layers, start=1):
            rows = r" \\ ".join(" & ".join(latex_short(w) for w in row) for row in layer.weights)
            text = rf"W^{{({l})}} = \begin{{bmatrix}}{rows}\end{{bmatrix}}"
            if layer.bias is not None:
                text += r",\quad b^{(%d)} = \begin{bmatrix}%s\end{bmatrix}" % (
                    l, r" \\ ".join(latex_short(b) for b in layer.bias))
            parts.append(f"<p>Layer {l} ({html.escape(layer.activation)}): {math_(text)}</p>")
    given = ", ".join(rf"{tex_name(l.name)} = {latex_short(l.value)}"
                      for l in solution.tape.leaves.values() if l.kind != "param" or not p.is_layered)
    parts.append(f"<p>Given: {math_(given)}</p>")
    if p.steps:
        eta = math_(r"\eta = " + latex_short(p.learning_rate))
        parts.append(f"<p>Loss: {html.escape(p.loss)}; learning rate {eta}.</p>")
    return "\n".join(parts)


def moodle_xml(vs, category):
    """A Moodle XML quiz: a category, then one cloze question per variant."""
    quiz = ET.Element("quiz")
    cat = ET.SubElement(quiz, "question", type="category")
    ET.SubElement(ET.SubElement(cat, "category"), "text").text = f"$course$/top/symprop/{category}"
    for v in vs:
        q = ET.SubElement(quiz, "question", type="cloze")
        ET.SubElement(ET.SubElement(q, "name"), "text").text = f"{category}: variant {v.number}"
        fields = []
        for _, _, name, value in v.solution.items():
            number = decimal(value, 15)
            if number is None:
                continue
            label = r"\(" + html.escape(tex_name(name), quote=False) + r"\)"
            fields.append(f"<p>{label} = {{1:NUMERICAL:={number}:{tolerance(value)}}}</p>")
        text = _problem_html(v.solution) + "\n" + "\n".join(fields)
        qt = ET.SubElement(q, "questiontext", format="html")
        ET.SubElement(qt, "text").text = text
        ET.SubElement(ET.SubElement(q, "generalfeedback", format="html"), "text").text = ""
        ET.SubElement(q, "penalty").text = "0.3333333"
        ET.SubElement(q, "hidden").text = "0"
    ET.indent(quiz)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + f"<!-- {MARK} -->\n"
            + ET.tostring(quiz, encoding="unicode") + "\n")


def _gift_escape(text):
    return "".join("\\" + c if c in "~=#{}:\\" else c for c in text)


def gift(vs, category):
    """GIFT: one numerical question per quantity of each variant."""
    lines = [f"$CATEGORY: $course$/top/symprop/{_gift_escape(category)}", ""]
    for v in vs:
        problem = _gift_escape(problem_toml(v.problem).replace("\n", " | "))
        for number, _, name, value in v.solution.items():
            d = decimal(value, 15)
            if d is None:
                continue
            title = _gift_escape(f"{category} v{v.number} q{number}")
            lines.append(f"::{title}::[markdown]{problem} || Compute {_gift_escape(name)}. "
                         f"{{#{d}:{tolerance(value)}}}")
            lines.append("")
    return "\n".join(lines)


def _check_out(out, names, force):
    """Refuse an --out folder holding files that are not ours (unless force)."""
    if os.path.exists(out) and not os.path.isdir(out):
        raise OutputError("is not a folder", source=out)
    if not os.path.isdir(out) or force:
        return
    foreign = [f for f in os.listdir(out) if not is_ours(os.path.join(out, f))]
    if foreign:
        raise OutputError(f"holds files symprop did not write ({', '.join(sorted(foreign)[:3])}); "
                          "use --force or another folder", source=out)


def write_exam(problem, n, seed, out, split=False, with_gift=False, force=False, progress=None):
    """Draw `n` variants and write every exam file into `out` (see module docstring)."""
    from .texcompile import compile_pdf
    from .worksheet import exam_latex

    vs = draw(problem, n, seed, progress)
    category = problem.title
    files = {"answers.json": json.dumps(answers_json(vs, seed), indent=1, ensure_ascii=False) + "\n",
             "moodle.xml": moodle_xml(vs, category)}
    if with_gift:
        files["questions.gift"] = f"// {MARK}\n" + gift(vs, category)
    jobs = {}
    groups = [[v] for v in vs] if split else [vs]
    for group in groups:
        tag = f"-{group[0].number:03d}" if split else ""
        jobs[f"questions{tag}.pdf"] = exam_latex(group, seed, True)
        jobs[f"answers{tag}.pdf"] = exam_latex(group, seed, False)
    _check_out(out, set(files) | set(jobs), force)
    with ThreadPoolExecutor(max_workers=2) as pool:
        pdfs = dict(zip(jobs, pool.map(compile_pdf, jobs.values())))
    parent = os.path.dirname(os.path.abspath(out))
    os.makedirs(parent, exist_ok=True)
    stage = tempfile.mkdtemp(prefix=".symprop-exam-", dir=parent)
    try:
        for name, data in {**files, **pdfs}.items():
            with open(os.path.join(stage, name), "wb") as fh:
                fh.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.makedirs(out, exist_ok=True)
        for name in sorted(os.listdir(stage)):
            os.replace(os.path.join(stage, name), os.path.join(out, name))
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return vs, sorted({**files, **pdfs})
