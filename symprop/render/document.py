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
from .latexprint import MATRIX_COLS, MATRIX_ROWS, MAX_TERMS, SHOWN, latex, latex_given, latex_short, matrix
from .texlayout import groups, split_equation, sum_chunks
from .texnames import ENCODINGS, activation_words, escape, loss_words, switch, tex_name, title_tex

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


_T1 = r"\usepackage[T1]{fontenc}"


class _Sheet(Document):
    """A PyLaTeX Document that loads the Cyrillic (T2A) and Greek (LGR) font encodings when its
    text has a run of those letters (escape() sets each in its encoding, texnames.switch):
    a sheet in Latin letters needs no Cyrillic or Greek fonts and its LaTeX is as it was.
    Latin Modern has no Cyrillic: T2A takes Computer Modern's (the CM-Super fonts); the
    Greek of Latin Modern's families is the CB fonts (lgrlmr.fd).

    Its sections have no \\label (nothing refers to one, and an exam repeats every name)
    and it does not load lastpage (no page says "of N"): either would make pdflatex ask
    for a second run that changes nothing (output/texcompile.py)."""

    def create(self, child):
        if isinstance(child, Section):           # Subsection and Subsubsection too
            child.label = None
        return super().create(child)

    def dumps(self):
        tex = super().dumps()
        used = [enc for enc in ENCODINGS if switch(enc, "")[:-1] in tex]
        if not used:
            return tex
        fonts = rf"\usepackage[{','.join(used)},T1]{{fontenc}}%"
        if "T2A" in used:
            fonts += "".join(f"\n\\DeclareFontFamilySubstitution{{T2A}}{{lm{f}}}{{cm{f}}}%"
                             for f in ("r", "ss", "tt"))
        return tex.replace(_T1 + "%", fonts, 1)


def new_document():
    """An empty A4 article with the packages and macros every sheet uses (and the font
    encodings its text needs, _Sheet)."""
    doc = _Sheet(documentclass="article", document_options=["11pt", "a4paper"],
                   geometry_options={"margin": "2cm"}, lmodern=True, textcomp=True,
                   page_numbers=True, indent=False)
    doc.packages.discard(Package("lastpage"))    # page_numbers=True: plain page numbers
    for pkg in ("amsmath", "amssymb", "tikz", "longtable", "booktabs", "array"):
        doc.packages.append(Package(pkg))
    doc.preamble.append(NoEscape(r"\usetikzlibrary{arrows.meta}"))
    doc.preamble.append(NoEscape(r"\allowdisplaybreaks"))
    doc.preamble.append(NoEscape(r"\pdfinfo{/Creator (symprop) /Producer (symprop)}"))
    doc.preamble.append(NoEscape(r"\newcommand{\answerbox}{\framebox[4.2cm]{\rule{0pt}{1.1em}}}"))
    doc.preamble.append(NoEscape(r"\setlength{\parskip}{0.4em}"))
    return doc


def title(doc, solution, kind, heading=None):
    """The title (a formula in it in math, texnames.title_tex), `kind` ("Answer sheet", ...)
    with `heading` beside it, and the problem's notes. Never the problem file's path: the
    sheet is handed to students."""
    st = solution.statement
    doc.append(NoEscape(r"{\LARGE\bfseries " + title_tex(st.title) + r"\par}\smallskip"))
    beside = rf" \quad --- \quad {escape(heading)}" if heading else ""
    doc.append(NoEscape(r"{\large " + kind + beside + r"\par}\medskip"))
    if st.notes:
        doc.append(NoEscape(escape(st.notes) + r"\par"))


class _Given:
    """The problem's matrices and vectors as displayed; the shortened ones are kept to be
    listed in full in the appendix."""

    def __init__(self):
        self.full = []          # (LaTeX name, text after it, index name, rows, is a vector)

    def matrix(self, name, entry, rows):
        tex, shortened = matrix(rows, latex_given)
        if shortened:
            self.full.append((name, "", entry, rows, False))
        return tex

    def column(self, name, entry, values, which=""):
        tex, shortened = matrix([[v] for v in values], latex_given)
        if shortened:
            self.full.append((name, which, entry, [list(values)], True))
        return tex


def _shortening_note(sizes):
    if max(sizes[:-1]) <= MATRIX_COLS and max(sizes) <= MATRIX_ROWS:      # W: sizes[l] × sizes[l-1]
        return ""
    return (rf" A matrix or vector with more than {MATRIX_COLS} columns or {MATRIX_ROWS} rows is "
            rf"shown by its first {SHOWN} rows and columns and its last; the appendix lists every value.")


def problem_section(doc, solution):
    """The problem section (from Solution.statement); returns the shortened matrices
    and vectors (for `appendix`)."""
    st = solution.statement
    shown = _Given()
    with doc.create(Section("The problem")):
        if st.layered:
            sizes = "-".join(str(n) for n in st.sizes)
            acts = ", ".join(activation_words(l.activation) for l in st.layers)
            doc.append(NoEscape(
                rf"A {sizes} network (layer by layer: {acts}). Unit $j$ of layer $l$ computes "
                r"$z^{(l)}_j = \sum_k w^{(l)}_{jk} a^{(l-1)}_k + b^{(l)}_j$ and "
                r"$a^{(l)}_j = f_l(z^{(l)}_j)$; $w^{(l)}_{jk}$ joins unit $k$ of layer $l-1$ "
                rf"to unit $j$ of layer $l$; the inputs are $x_k = a^{{(0)}}_k$; indices start at {st.index_base}."
                + _shortening_note(st.sizes)))
            for l, layer in enumerate(st.layers, start=1):     # one display per layer
                parts = [rf"W^{{({l})}} = {shown.matrix(rf'W^{{({l})}}', rf'w^{{({l})}}_{{jk}}', layer.weights)}"]
                if layer.bias is not None:
                    parts.append(rf"b^{{({l})}} = {shown.column(rf'b^{{({l})}}', rf'b^{{({l})}}_j', layer.bias)}")
                doc.append(NoEscape(r"\[" + r",\qquad ".join(parts) + r"\]"))
            for i, (x, y) in enumerate(st.samples):
                tag = rf"\text{{sample {i + 1}: }}\ " if len(st.samples) > 1 else ""
                which = f" (sample {i + 1})" if len(st.samples) > 1 else ""
                x = shown.column("x", "x_k", x, which)
                y = rf",\qquad y = {shown.column('y', 'y_j', y, which)}" if y is not None else ""
                doc.append(NoEscape(rf"\[{tag}x = {x}{y}\]"))
        else:
            doc.append(NoEscape("A computational graph, evaluated in this order:"))
            eqs = [split_equation(tex_name(name), sum_chunks(display, None, False))
                   for name, display in st.equations]
            for group in groups(eqs):
                doc.append(NoEscape(r"\begin{align*}" + r" \\ ".join(group) + r"\end{align*}"))
            given = [rf"{tex_name(g.name)} = {latex_given(g.value)}" for g in st.givens]
            doc.append(NoEscape(r"Given: $" + r",\ ".join(given) + "$. "))
        if st.loss_display is not None:
            doc.append(NoEscape(rf"Loss: $L = {latex(st.loss_display, max_terms=MAX_TERMS)}$ ({loss_words(st.loss)}). "))
        elif LOSSES[st.loss].needs_target:
            red = ""
            if st.sample_count > 1:
                red = rf" per sample, and the {st.reduction} over the {st.sample_count} samples"
            doc.append(NoEscape(rf"Loss: ${LOSSES[st.loss].latex}$ ({loss_words(st.loss)}){red}. "))
        else:
            doc.append(NoEscape(r"No loss: the output itself is differentiated. "))
        if st.steps:
            doc.append(NoEscape(rf"Learning rate $\eta = {latex_short(st.learning_rate)}$, "
                                rf"{st.steps} gradient-descent step{'s' if st.steps > 1 else ''}. "))
        if st.relu_derivative_at_zero is not None:
            doc.append(NoEscape(rf"Convention at a kink: $\operatorname{{ReLU}}'(0) = "
                                rf"{st.relu_derivative_at_zero}$."))
        picture = diagram(solution)
        if picture:
            doc.append(NoEscape(r"\begin{center}" + picture + r"\end{center}"))
    return shown.full


def appendix(doc, solution, full):
    """Every value of the matrices and vectors the problem section shortened, in tables
    of _LISTED columns (row index j, column index k)."""
    if not full:
        return
    base = solution.statement.index_base
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
