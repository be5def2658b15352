"""The exam's PDF sheets: every variant's question (or answer) sheet in one document,
each variant on a new page with its own page numbers.

The question sheet asks what the exam asks (the [exam] table's selection, given as
`asked(solution)` lists of questions with .name, .points, .tolerance, .number), each
with its points and tolerance, and carries the questions on the method only with
`method_questions`. The answer sheet is the worked solution with, first, the exam's
key: each question's exact value, decimal, tolerance and points.

An exam PDF costs about 55 ms per variant and full pdflatex run (pages and diagram;
texcompile.py makes one picture-less draft run for longtable's widths, then one full
run, two when the log still asks for a rerun): 300 variants of two_layer_relu took
27-34 s, 500 (issue 7's load test) about a minute; so one PDF holds at most
MAX_EXAM_VARIANTS variants (more: --split).
"""

from pylatex import NoEscape, Section

from ..errors import RenderError
from ..output.files import MARK
from . import practice
from .document import appendix, check_size, new_document, problem_section, title
from .latexprint import wrap_lines
from .sheet import _cells, build, items
from .texnames import escape, spelling, tex_name

__all__ = ["exam_latex", "MAX_EXAM_VARIANTS"]

MAX_EXAM_VARIANTS = 500     # variants in one exam PDF (more: --split, one PDF per variant)


def exam_latex(variants, seed, questions, select=None, method=False):
    """All variants' sheets in one document, each starting on a new page. `select(v)`
    gives a variant's questions (the exam part's selection; None: every quantity, on the
    worksheet's own question sheet); `method`: the questions on the method too."""
    counts = [len(items(v.solution)) for v in variants]
    check_size(max(counts, default=0), "variant's sheet", "use a smaller network for an exam")
    split = "use --split (one PDF per variant) or fewer variants"
    if len(variants) > MAX_EXAM_VARIANTS:
        raise RenderError(f"an exam PDF of {len(variants):,} variants is beyond the "
                          f"{MAX_EXAM_VARIANTS:,}-variant limit of one PDF; {split}")
    check_size(sum(counts), f"{len(variants)}-variant exam PDF", split)
    doc = None
    for v in variants:
        heading = f"Variant {v.number} (seed {seed})"
        if select is None:
            doc = build(v.solution, questions, doc=doc, heading=heading)
            continue
        fs = select(v)
        if questions:
            with spelling(v.solution):
                doc = _questions(v.solution, [f.asked for f in fs], heading, doc, method)
        else:
            with spelling(v.solution):
                doc = _key(doc, v.solution, fs, heading)
            doc = build(v.solution, False, doc=doc, heading=heading)
    return wrap_lines(f"% {MARK}\n" + doc.dumps())


def _short(decimal_text, digits=6):
    """A fixed-point decimal cut to `digits` significant digits (the key's mistake values)."""
    from decimal import Decimal

    d = Decimal(decimal_text)
    if not d or len(d.normalize().as_tuple().digits) <= digits:
        return decimal_text
    return format(round(d, digits - 1 - d.adjusted()).normalize(), "f")


def _points(p):
    text = str(p.p) if p.q == 1 else f"{p.p}/{p.q}"
    return f"{text} point" + ("" if p == 1 else "s")


def _questions(solution, qs, heading, doc, method):
    if doc is None:
        doc = new_document()
    else:
        doc.append(NoEscape(r"\clearpage\setcounter{section}{0}\setcounter{page}{1}"))
    title(doc, solution, "Exam", heading)
    full = problem_section(doc, solution)
    if method:
        practice.section(doc, solution)
    total = sum(q.points for q in qs)
    with doc.create(Section("Questions")):
        doc.append(NoEscape(
            rf"Compute each quantity ({_points(total)} in all). Give exact values (fractions) "
            r"where you can, decimals otherwise; the tolerance a decimal is accepted within is "
            r"given with each question.\par\medskip" "\n"))
        labels = [_label(q.name) for q in qs]
        doc.append(NoEscape(                     # the label column as wide as its widest label
            r"\ifdefined\sympropq\else\newlength{\sympropq}\newlength{\sympropw}\fi"
            r"\setlength{\sympropq}{6em}" + "".join(
                rf"\settowidth{{\sympropw}}{{{l}}}\ifdim\sympropw>\sympropq\setlength{{\sympropq}}{{\sympropw}}\fi"
                for l in labels) + "\n"))
        for i, (q, label) in enumerate(zip(qs, labels), 1):
            doc.append(NoEscape(
                rf"\makebox[2.2em][r]{{({i})}}\quad "
                rf"\makebox[\sympropq][l]{{{label}}}\enspace "
                rf"\answerbox\quad{{\small {escape(_points(q.points))}; "
                rf"{escape(q.tolerance.describe())}}}\par\smallskip" "\n"))
    appendix(doc, solution, full)
    return doc


def _label(name):
    """A question's label: the quantity, and when it is not the first step's, which."""
    shown, after = name, ""
    if name.startswith("final."):
        shown, after = name.split(".", 1)[1], r"\text{ (after the update)}"
    elif name.startswith("step"):
        step, shown = name.split(".", 1)
        after = rf"\text{{ (step {step[4:]})}}"
    return rf"$\displaystyle {tex_name(shown)}{after} = $"


def _key(doc, solution, fs, heading):
    """The exam key on a page of its own before the variant's worked solution: each
    question's exact value, decimal, tolerance and points, and the values the checker's
    mistakes give (the wrong answers the LMS exports name)."""
    if doc is None:
        doc = new_document()
    else:
        doc.append(NoEscape(r"\clearpage\setcounter{section}{0}\setcounter{page}{1}"))
    title(doc, solution, "Exam key", heading)
    doc.append(NoEscape(r"{\renewcommand{\arraystretch}{1.45}"
                        r"\begin{longtable}{r>{$}l<{$}>{$}p{3cm}<{$}>{$}l<{$}p{4.4cm}r}" "\n"
                        r"\toprule Q. & \text{quantity} & \text{exact} & \text{decimal} & "
                        r"accepted & points \\ \midrule" "\n" r"\endhead"))
    for i, f in enumerate(fs, 1):
        q = f.asked
        exact, dec = _cells(q.value)
        if not q.value.is_Rational:
            exact = None                 # a closed form does not fit the key's column
        cells = (rf"{exact} & {dec}" if exact is not None else
                 rf"\multicolumn{{2}}{{>{{$}}l<{{$}}}}{{\approx {dec}}}")
        doc.append(NoEscape(rf"{i} & {tex_name(q.name)} & {cells} & "
                            rf"{escape(q.tolerance.describe())} & {escape(_points(q.points))} \\" "\n"))
    doc.append(NoEscape(r"\bottomrule\end{longtable}}"))
    listed = [(i, f) for i, f in enumerate(fs, 1) if f.alternatives]
    if listed:
        doc.append(NoEscape(r"\textbf{Mistake values} (wrong answers the LMS exports name):"
                            r"\begin{itemize}\small" "\n"))
        for i, f in listed:
            vals = "; ".join(rf"{escape(_short(a.decimal))} ({escape(a.label)})" for a in f.alternatives)
            doc.append(NoEscape(rf"\item ({i}) ${tex_name(f.asked.name)}$: {vals}" "\n"))
        doc.append(NoEscape(r"\end{itemize}"))
    return doc
