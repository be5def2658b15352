"""`symprop exam`: many variants of one exercise, with sheets, keys and LMS export.

Writes into --out: questions.pdf and answers.pdf (one document each, a variant
per page run; --split: one PDF per variant instead), answers.json (each
variant's problem file and every answer under its flat name), moodle.xml (a
cloze question per variant, one numerical field per quantity) and, with
--gift, questions.gift. The PDFs are built in memory (pdflatex jobs that a
Ctrl-C kills at once); then output.folder.write_folder installs every file, all or
nothing, and removes the files of an earlier exam in the same folder.

Every file must stay valid for its reader whatever the title holds. User text
reaches the exports only through `_text` (characters XML 1.0 forbids and other
control characters become spaces), `_line` (one line, cut to a length) and
`_html` (escaped; braces as entities, so a title cannot open a cloze field).
Category paths are escaped as Moodle splits them (a "/" inside a name is
"//", question/format.php's assemble_category_path); in GIFT, the $CATEGORY
line is read raw (only a doubled backslash is unescaped there), names and
question text have the GIFT specials (tilde, =, #, braces, colon, backslash)
escaped with a backslash. Numbers are written in fixed-point notation (GIFT
readers do not accept 5e-05).
"""

import html
import json
import re
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor, as_completed
from decimal import Decimal

from ..render.latexprint import latex_short
from ..model.numeric import decimal
from ..output.files import MARK, check_folder, write_folder
from ..core.solution import value_json
from ..render.texnames import spelling, tex_name
from .variants import draw, problem_toml

__all__ = ["write_exam", "answers_json", "moodle_xml", "gift", "tolerance", "category_name"]

NAME_LIMIT = 120          # characters of the title in a Moodle category or question name
_BAD = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")


def _text(text):
    """User text with every control character (and whatever XML 1.0 forbids) a space."""
    return _BAD.sub(" ", str(text))


def _line(text, limit=None):
    """User text on one line: whitespace runs as one space, cut to `limit` characters."""
    text = " ".join(_text(text).split())
    if limit is not None and len(text) > limit:
        text = text[:limit - 1].rstrip() + "…"
    return text


def _html(text):
    return html.escape(_line(text), quote=False).replace("{", "&#123;").replace("}", "&#125;")


def category_name(title):
    """The Moodle category (and question-name prefix) for an exam's title."""
    return _line(title, NAME_LIMIT) or "symprop exam"


def _moodle_category(name):
    """Moodle's assemble_category_path for one name: "/" doubled, a space against a
    leading or trailing "/" (Moodle trims it when it splits the path)."""
    name = name.replace("/", "//")
    if name.startswith("/"):
        name = " " + name
    if name.endswith("/"):
        name += " "
    return "$course$/top/symprop/" + name


def _fixed(text):
    """A decimal string in fixed-point notation ("1.13e-8" -> "0.0000000113")."""
    return format(Decimal(text), "f")


def tolerance(value):
    """Moodle's absolute tolerance for an exact value, in fixed-point notation: half a
    unit in its 4th significant digit ("0.00005" for 0.4, "0.000000000005" for
    1.13e-8, "5000" for 12345678); "0.00005" for 0."""
    d = decimal(value, 15)
    if d is None or Decimal(d) == 0:
        return "0.00005"
    return format(Decimal(5).scaleb(Decimal(d).adjusted() - 4), "f")


def answers_json(vs, seed):
    return {"generator": MARK, "seed": seed, "variants": [
        {"variant": v.number, "problem": problem_toml(v.problem),
         "answers": {n: value_json(x) for n, x in v.solution.answers().items()}} for v in vs]}


def _problem_html(solution):
    """The exercise (Solution.statement) as HTML with LaTeX for MathJax (\\( ... \\))."""
    st = solution.statement
    math_ = lambda s: r"\(" + html.escape(s, quote=False) + r"\)"
    parts = [f"<p><strong>{_html(st.title)}</strong></p>"]
    for l, layer in enumerate(st.layers, start=1):
        rows = r" \\ ".join(" & ".join(latex_short(w) for w in row) for row in layer.weights)
        text = rf"W^{{({l})}} = \begin{{bmatrix}}{rows}\end{{bmatrix}}"
        if layer.bias is not None:
            text += r",\quad b^{(%d)} = \begin{bmatrix}%s\end{bmatrix}" % (
                l, r" \\ ".join(latex_short(b) for b in layer.bias))
        parts.append(f"<p>Layer {l} ({html.escape(layer.activation)}): {math_(text)}</p>")
    given = ", ".join(rf"{tex_name(g.name)} = {latex_short(g.value)}"
                      for g in st.givens if not g.param or not st.layered)
    parts.append(f"<p>Given: {math_(given)}</p>")
    if st.steps:
        eta = math_(r"\eta = " + latex_short(st.learning_rate))
        parts.append(f"<p>Loss: {html.escape(st.loss)}; learning rate {eta}.</p>")
    return "".join(parts)


def _fields(v):
    """(number, name, answer, tolerance) of each quantity with a decimal, fixed-point."""
    for number, _, name, value in v.solution.items():
        d = decimal(value, 15)
        if d is not None:
            yield number, name, _fixed(d), tolerance(value)


def moodle_xml(vs, category):
    """A Moodle XML quiz: a category, then one cloze question per variant."""
    name = category_name(category)
    quiz = ET.Element("quiz")
    cat = ET.SubElement(quiz, "question", type="category")
    ET.SubElement(ET.SubElement(cat, "category"), "text").text = _moodle_category(name)
    for v in vs:
        with spelling(v.solution):
            _cloze(quiz, v, name)
    ET.indent(quiz)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + f"<!-- {MARK} -->\n"
            + ET.tostring(quiz, encoding="unicode") + "\n")


def _cloze(quiz, v, name):
    """One variant as a cloze question: the problem, then a numerical field per quantity."""
    q = ET.SubElement(quiz, "question", type="cloze")
    ET.SubElement(ET.SubElement(q, "name"), "text").text = f"{name}: variant {v.number}"
    fields = []
    for _, quantity, answer, tol in _fields(v):
        label = r"\(" + html.escape(tex_name(quantity), quote=False) + r"\)"
        fields.append(f"<p>{label} = {{1:NUMERICAL:={answer}:{tol}}}</p>")
    text = _problem_html(v.solution) + "\n" + "\n".join(fields)
    qt = ET.SubElement(q, "questiontext", format="html")
    ET.SubElement(qt, "text").text = text
    ET.SubElement(ET.SubElement(q, "generalfeedback", format="html"), "text").text = ""
    ET.SubElement(q, "penalty").text = "0.3333333"
    ET.SubElement(q, "hidden").text = "0"


_HOLDER = re.compile(r"&(?=&(?:0(?:58;|35;|61;|92;|10)|1(?:23;|25;|26;)))")


def _break_holders(text):
    """Moodle's GIFT importer uses '&&058;' and the like as placeholders for escaped
    characters and turns them back into ':' even where the user wrote them: a zero-width
    space keeps the two '&' apart (plain-text names and the category; HTML has &amp;)."""
    return _HOLDER.sub("&\u200b", text)


def _gift_escape(text):
    return "".join("\\" + c if c in "~=#{}:\\" else c for c in text)


def gift(vs, category):
    """GIFT: one numerical question per quantity of each variant, each on one line.

    Moodle's importer unescapes nothing on the $CATEGORY line but a doubled
    backslash (escapedchar_pre runs on it, escapedchar_post does not), so only
    backslashes are doubled there; question names and texts have every GIFT special escaped."""
    name = category_name(category)
    category_line = _break_holders(_moodle_category(name)).replace("\\", "\\\\")
    lines = [f"$CATEGORY: {category_line}", ""]
    for v in vs:
        with spelling(v.solution):
            lines += _gift_questions(v, name)
    return "\n".join(lines)


def _gift_questions(v, name):
    """One variant's numerical questions, each line followed by a blank one."""
    lines = []
    problem = _problem_html(v.solution)
    for number, quantity, answer, tol in _fields(v):
        title = _gift_escape(_break_holders(f"{name} v{v.number} q{number}"))
        label = r"\(" + html.escape(tex_name(quantity), quote=False) + r"\)"
        text = _gift_escape(f"{problem}<p>Compute {label}.</p>")
        lines += [f"::{title}::[html]{text}{{#{answer}:{tol}}}", ""]
    return lines


def write_exam(problem, n, seed, out, split=False, with_gift=False, force=False, progress=None):
    """Draw `n` variants and write every exam file into `out` (see module docstring).
    `progress(stage, k, total)`, if given, is called as the work goes on: stage
    "variants" as each variant is drawn, then "pdf" as each PDF is built."""
    from ..render.examsheet import exam_latex

    vs = draw(problem, n, seed, progress and (lambda k, total: progress("variants", k, total)))
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
    check_folder(out, set(files) | set(jobs), force)          # refuse before the long build
    pdfs = compile_all(jobs, progress=lambda k, total: progress("pdf", k, total)) if progress \
        else compile_all(jobs)
    names = write_folder(out, {**files, **pdfs}, force=force, group="exam")
    return vs, names


def compile_all(jobs, workers=2, progress=None):
    """{name: PDF bytes} for {name: LaTeX}, two pdflatex at a time; `progress(k, total)`
    after each build (and once with k = 0 before the first). On any exception
    (Ctrl-C, a failed build) every running pdflatex is killed, the builds not started
    are dropped and nothing is waited for, then the exception goes on."""
    from ..output.texcompile import Jobs, compile_pdf

    group = Jobs()
    pool = ThreadPoolExecutor(max_workers=workers)
    try:
        futures = {name: pool.submit(compile_pdf, tex, jobs=group) for name, tex in jobs.items()}
        if progress:
            progress(0, len(futures))
        for done, future in enumerate(as_completed(futures.values()), 1):   # the first failure
            future.result()                                                # stops all
            if progress:
                progress(done, len(futures))
        pdfs = {name: future.result() for name, future in futures.items()}
    except BaseException:
        group.cancel()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return pdfs
