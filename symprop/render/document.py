"""The pieces every PDF document shares: the PyLaTeX document, its title, the
problem section, the appendix of shortened values, and the size limit.

The answer/question sheet (sheet.py), the feedback sheet (feedback.py) and the
exam sheets (examsheet.py) are built from these. User text enters LaTeX through
`texnames.escape`; SymPy's LaTeX enters as NoEscape.
"""

from pylatex import Document, NoEscape, Package, Section

from ..errors import RenderError
from ..model.losses import LOSSES
from .diagram import diagram
from .latexprint import MATRIX_COLS, MATRIX_ROWS, MAX_TERMS, SHOWN, latex, latex_short, matrix
from .texlayout import groups, split_equation, sum_chunks
from .textout import uses_kinks
from .texnames import escape, tex_name

__all__ = ["MAX_QUANTITIES", "check_size", "new_document", "title", "problem_section", "appendix"]

_LISTED = 10    # values per row of the appendix tables

# The largest PDFs built, checked before any LaTeX is written (check_size). Measured: an
# answer sheet costs pdflatex 0.4-0.7 ms and 1/12 page per quantity (a 128-128-10 net,
# 18,355 quantities: 8-13 s, 1,526 pages; its question sheet 3-7 s, 990 pages), so
# 20,000 quantities stay well under a minute. (The exam's limit on variants: examsheet.py.)
MAX_QUANTITIES = 20000      # numbered quantities in one PDF (worksheet, feedback rows, exam document)


def check_size(count, what="worksheet", advice="use --format json for every value"):
    """RenderError, before any LaTeX is written, for a sheet of more than MAX_QUANTITIES
    quantities: it would take minutes and thousands of pages."""
    if count > MAX_QUANTITIES:
        raise RenderError(f"a {what} with {count:,} quantities is beyond the {MAX_QUANTITIES:,}-quantity "
                          f"limit of one PDF; {advice}")


def new_document():
    """An empty A4 article with the packages and macros every sheet uses."""
    doc = Document(documentclass="article", document_options=["11pt", "a4paper"],
                   geometry_options={"margin": "2cm"}, lmodern=True, textcomp=True,
                   page_numbers=True, indent=False)
    for pkg in ("amsmath", "amssymb", "tikz", "longtable", "booktabs", "array"):
        doc.packages.append(Package(pkg))
    doc.preamble.append(NoEscape(r"\usetikzlibrary{arrows.meta}"))
    doc.preamble.append(NoEscape(r"\allowdisplaybreaks"))
    doc.preamble.append(NoEscape(r"\pdfinfo{/Creator (symprop) /Producer (symprop)}"))
    doc.preamble.append(NoEscape(r"\newcommand{\answerbox}{\framebox[4.2cm]{\rule{0pt}{1.1em}}}"))
    doc.preamble.append(NoEscape(r"\setlength{\parskip}{0.4em}"))
    return doc


def title(doc, solution, kind, heading=None):
    """The title, `kind` ("Answer sheet", ...) with the problem file or `heading`
    beside it, and the problem's notes."""
    p = solution.problem
    doc.append(NoEscape(r"{\LARGE\bfseries " + escape(p.title) + r"\par}\smallskip"))
    source = rf" \quad --- \quad \texttt{{{escape(p.source)}}}" if p.source else ""
    if heading:
        source = rf" \quad --- \quad {escape(heading)}"
    doc.append(NoEscape(r"{\large " + kind + source + r"\par}\medskip"))
    if p.notes:
        doc.append(NoEscape(escape(p.notes) + r"\par"))


class _Given:
    """The problem's matrices and vectors as displayed; the shortened ones are kept to be
    listed in full in the appendix."""

    def __init__(self):
        self.full = []          # (LaTeX name, text after it, index name, rows, is a vector)

    def matrix(self, name, entry, rows):
        tex, shortened = matrix(rows)
        if shortened:
            self.full.append((name, "", entry, rows, False))
        return tex

    def column(self, name, entry, values, which=""):
        tex, shortened = matrix([[v] for v in values])
        if shortened:
            self.full.append((name, which, entry, [list(values)], True))
        return tex


def _shortening_note(problem):
    sizes = problem.network.sizes
    if max(sizes[:-1]) <= MATRIX_COLS and max(sizes) <= MATRIX_ROWS:      # W: sizes[l] × sizes[l-1]
        return ""
    return (rf" A matrix or vector with more than {MATRIX_COLS} columns or {MATRIX_ROWS} rows is "
            rf"shown by its first {SHOWN} rows and columns and its last; the appendix lists every value.")


def problem_section(doc, solution):
    """The problem section; returns the shortened matrices and vectors (for `appendix`)."""
    p = solution.problem
    shown = _Given()
    with doc.create(Section("The problem")):
        if p.is_layered:
            sizes = "-".join(str(n) for n in p.network.sizes)
            acts = ", ".join(escape(l.activation) for l in p.network.layers)
            doc.append(NoEscape(
                rf"A {sizes} network (layer by layer: {acts}). Unit $j$ of layer $l$ computes "
                r"$z^{(l)}_j = \sum_k w^{(l)}_{jk} a^{(l-1)}_k + b^{(l)}_j$ and "
                r"$a^{(l)}_j = f_l(z^{(l)}_j)$; $w^{(l)}_{jk}$ joins unit $k$ of layer $l-1$ "
                rf"to unit $j$ of layer $l$; the inputs are $x_k = a^{{(0)}}_k$; indices start at {p.index_base}."
                + _shortening_note(p)))
            for l, layer in enumerate(p.network.layers, start=1):     # one display per layer
                parts = [rf"W^{{({l})}} = {shown.matrix(rf'W^{{({l})}}', rf'w^{{({l})}}_{{jk}}', layer.weights)}"]
                if layer.bias is not None:
                    parts.append(rf"b^{{({l})}} = {shown.column(rf'b^{{({l})}}', rf'b^{{({l})}}_j', layer.bias)}")
                doc.append(NoEscape(r"\[" + r",\qquad ".join(parts) + r"\]"))
            for i, s in enumerate(p.samples):
                tag = rf"\text{{sample {i + 1}: }}\ " if len(p.samples) > 1 else ""
                which = f" (sample {i + 1})" if len(p.samples) > 1 else ""
                x = shown.column("x", "x_k", dict(s.inputs)["x"], which)
                y = (rf",\qquad y = {shown.column('y', 'y_j', s.target, which)}"
                     if s.target is not None else "")
                doc.append(NoEscape(rf"\[{tag}x = {x}{y}\]"))
        else:
            doc.append(NoEscape("A computational graph, evaluated in this order:"))
            eqs = [split_equation(tex_name(n.name), sum_chunks(n.display, None, False))
                   for n in solution.tape.nodes if n.kind == "node" and n.sample in (None, 0)]
            for group in groups(eqs):
                doc.append(NoEscape(r"\begin{align*}" + r" \\ ".join(group) + r"\end{align*}"))
            given = [rf"{tex_name(l.name)} = {latex_short(l.value)}" for l in solution.tape.leaves.values()]
            doc.append(NoEscape(r"Given: $" + r",\ ".join(given) + "$. "))
        loss = LOSSES[p.loss]
        if p.loss != "none" and not p.is_layered and len(p.samples) == 1:
            node = solution.tape.node(solution.tape.loss)
            doc.append(NoEscape(rf"Loss: $L = {latex(node.display, max_terms=MAX_TERMS)}$ ({escape(p.loss)}). "))
        elif p.loss != "none":
            red = ""
            if len(p.samples) > 1:
                red = rf" per sample, and the {p.reduction} over the {len(p.samples)} samples"
            doc.append(NoEscape(rf"Loss: ${loss.latex}$ ({escape(p.loss)}){red}. "))
        else:
            doc.append(NoEscape(r"No loss: the output itself is differentiated. "))
        if p.steps:
            doc.append(NoEscape(rf"Learning rate $\eta = {latex_short(p.learning_rate)}$, "
                                rf"{p.steps} gradient-descent step{'s' if p.steps > 1 else ''}. "))
        if uses_kinks(p):
            doc.append(NoEscape(rf"Convention at a kink: $\operatorname{{ReLU}}'(0) = "
                                rf"{p.relu_derivative_at_zero}$."))
        picture = diagram(solution)
        if picture:
            doc.append(NoEscape(r"\begin{center}" + picture + r"\end{center}"))
    return shown.full


def appendix(doc, solution, full):
    """Every value of the matrices and vectors the problem section shortened, in tables
    of _LISTED columns (row index j, column index k)."""
    if not full:
        return
    base = solution.problem.index_base
    doc.append(NoEscape(r"\section*{Appendix: the given values in full}"))
    for name, which, entry, rows, vector in full:
        size = f"{len(rows[0])} entries" if vector else rf"${len(rows)} \times {len(rows[0])}$"
        what = (rf"${entry}$ is in column $k$" if vector else
                rf"${entry}$ is in row $j$, column $k$")
        doc.append(NoEscape(rf"\subsection*{{${name}${which} ({size})}}{what}.\par" "\n"))
        lines = [r"{\footnotesize\begin{longtable}{r|*{" + str(_LISTED) + r"}{>{$}r<{$}}}"]
        head = r"\multicolumn{1}{r|}{$k$}" if vector else r"\multicolumn{1}{r|}{$j \backslash k$}"
        for start in range(0, len(rows[0]), _LISTED):
            cols = range(start, min(start + _LISTED, len(rows[0])))
            lines.append(head + "".join(f" & {k + base}" for k in cols) + r" \\ \midrule")
            for j, row in enumerate(rows):
                label = f"${name}$" if vector else str(j + base)
                lines.append(label + "".join(f" & {latex_short(row[k])}" for k in cols) + r" \\")
            lines.append(r"\addlinespace")
        doc.append(NoEscape("\n".join(lines) + "\n" + r"\end{longtable}}"))
