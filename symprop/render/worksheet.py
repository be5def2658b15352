"""The PDF worksheet: a Solution as an answer sheet or a blank question sheet.

Built with PyLaTeX; the renderer only reads the Solution. User text enters
LaTeX through `texnames.escape`; SymPy's LaTeX enters as NoEscape, here and
nowhere else. Answer sheet and question sheet number the same quantities in
the same order, so that they correspond one to one.

    build(solution, questions=False) -> pylatex.Document
    to_latex(solution, questions=False) -> str
"""

from pylatex import Document, NoEscape, Package, Section, Subsection

from ..model import naming
from .diagram import diagram
from ..errors import RenderError
from .formulas import chain_paths, graph_formulas, layered_formulas
from .latexprint import (MATRIX_COLS, MATRIX_ROWS, MAX_CLOSED, MAX_TERMS, SHOWN, add_terms, latex,
                         latex_short, latex_value, matrix, shown_terms, term_lines, wrap_lines)
from ..model.losses import LOSSES
from ..output.files import MARK
from .printing import text
from .textout import uses_kinks
from .texnames import escape, tex_name

__all__ = ["build", "to_latex", "exam_latex", "feedback_latex", "items", "check_size", "check_problem",
           "quantities", "MAX_QUANTITIES", "MAX_EXAM_VARIANTS"]

_LINE = 70      # characters of text above which an equation is split over lines
_PER_LINE = 3   # terms of a long sum per line
_ALIGN_ROWS = 40    # equations per align* (one environment of thousands of rows exhausts TeX's memory)
_LISTED = 10    # values per row of the appendix tables

# The largest PDFs built, checked before any LaTeX is written (check_size). Measured: an
# answer sheet costs pdflatex 0.4-0.7 ms and 1/12 page per quantity (a 128-128-10 net,
# 18,355 quantities: 8-13 s, 1,526 pages; its question sheet 3-7 s, 990 pages), so
# 20,000 quantities stay well under a minute. An exam PDF costs about 55 ms per variant
# and run (pages and diagram; two runs): 300 variants of two_layer_relu took 27-34 s,
# 500 (issue 7's load test) about a minute.
MAX_QUANTITIES = 20000      # numbered quantities in one PDF (worksheet, feedback rows, exam document)
MAX_EXAM_VARIANTS = 500     # variants in one exam PDF (more: --split, one PDF per variant)


def items(solution):
    """The numbered quantities (see Solution.items)."""
    return solution.items()


def _document(solution, questions):
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


def _title(doc, solution, questions, heading=None):
    p = solution.problem
    kind = "Exercise sheet" if questions else "Answer sheet"
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


def _problem(doc, solution):
    """The problem section; returns the shortened matrices and vectors (for the appendix)."""
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
            eqs = [_lines(tex_name(n.name), _sum_lines(n.display, None, False))
                   for n in solution.tape.nodes if n.kind == "node" and n.sample in (None, 0)]
            for group in _groups(eqs):
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


def _appendix(doc, solution, full):
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


def _equation(number, name_tex, formula, numbers, result, short):
    tag = rf" \tag{{{number}}}"
    if short:
        line = rf"{name_tex} &= {formula}"
        if numbers:
            line += f" = {numbers}"
        return line + f" {result}" + tag
    lines = [rf"{name_tex} &= {formula}"]
    if numbers:
        lines.append(rf"&= {numbers}")
    lines.append(rf"&{result}" + tag)
    return r" \\ ".join(lines)


def _sum_lines(expr, leaf, decimals):
    """A long sum printed as chunks of terms (the caller joins them with line breaks);
    with numbers put in (leaf given), fewer terms per line, as numbers are wider. A sum
    of more than MAX_TERMS terms: its first and last terms around an ellipsis (term_lines)."""
    per = _PER_LINE if leaf is None else _PER_LINE - 1
    terms = add_terms(expr)
    if len(terms) <= _PER_LINE + 1:     # four terms still fit a line
        return [latex(expr, leaf, decimals, MAX_TERMS)]
    chunks = []
    for i, line in enumerate(term_lines(terms, per)):
        dots = [t for t in line if isinstance(t, str)]          # the ellipsis
        s = latex(expr.func(*[t for t in line if not isinstance(t, str)], evaluate=False), leaf, decimals,
                  MAX_TERMS)
        if i:
            s = s if s.startswith("-") else "+ " + s
        chunks.append("+ " + dots[0] + " " + s if dots else s)
    return chunks


def _lines(name_tex, chunks):
    r"""'name &= first chunk \\ &\quad next chunk ...' (align* rows of one equation)."""
    return r" \\ ".join([rf"{name_tex} &= {chunks[0]}"] + [rf"&\quad {c}" for c in chunks[1:]])


def _groups(rows):
    return [rows[i:i + _ALIGN_ROWS] for i in range(0, len(rows), _ALIGN_ROWS)] or [[]]


def _node_equation(number, node, values, value, name):
    leaf = lambda s: latex_short(values[s.name]) if s.name in values else None
    formula = _sum_lines(node.display, None, False)
    numbers = _sum_lines(node.display, leaf, True)
    plain = text(node.display)
    informative = numbers != formula
    short = len(plain) * (2 if informative else 1) <= _LINE and len(formula) == 1
    if short or len(formula) == 1:
        return _equation(number, tex_name(name), " ".join(formula),
                         " ".join(numbers) if informative else "", latex_value(value), short)
    lines = [rf"{tex_name(name)} &= {formula[0]}"] + [rf"&\quad {c}" for c in formula[1:]]
    if informative:
        lines += [rf"&= {numbers[0]}"] + [rf"&\quad {c}" for c in numbers[1:]]
    lines.append(rf"&{latex_value(value)} \tag{{{number}}}")
    return r" \\ ".join(lines)


def _align(lines):
    """align* environments of at most _ALIGN_ROWS equations each."""
    return NoEscape("%\n".join(r"\begin{align*}" + r" \\[2pt] ".join(group) + r"\end{align*}"
                               for group in _groups(lines)))


def _forward(doc, solution, values, numbering, title, final=False):
    tape = solution.tape
    with doc.create(Subsection(title)):
        lines = []
        for node in tape.nodes:
            name = solution.flat(node.name)
            key = (naming.FINAL if final else "") + name
            lines.append(_node_equation(numbering[key], node, values, values[node.name], name))
        doc.append(_align(lines))


def _generic(doc, solution):
    p = solution.problem
    if p.is_layered:
        forms = layered_formulas(p)
        doc.append(NoEscape(r"The backpropagation equations for this network, in index form"))
        rows = [rf"{latex(f.lhs)} &= {latex(f.rhs)} && \text{{{f.label}}}" for f in forms["index"]
                if f.label != "forward"]
        doc.append(_align(rows))
        doc.append(NoEscape(r"and in matrix form ($\odot$: elementwise product):"))
        rows = [rf"{latex(f.lhs)} &= {latex(f.rhs)} && \text{{{f.label}}}" for f in forms["matrix"]]
        doc.append(_align(rows))
    else:
        doc.append(NoEscape(r"Each adjoint is the sum over the node's consumers:"))
        rows = [_lines(latex(f.lhs), _sum_lines(f.rhs, None, False)) for f in graph_formulas(solution.tape)]
        doc.append(_align(rows))


def _adjoint_equation(number, solution, adj, adj_values, forward, shown):
    tape = solution.tape
    formula, numbers = [], []
    terms, left_out = shown_terms(adj.terms)        # only the terms shown are printed
    for t in terms:
        partial = shown[(t.consumer, adj.of)]
        if t.consumer == tape.loss:
            formula.append(latex(partial, max_terms=MAX_TERMS))
            numbers.append(latex(partial, lambda s: latex_short(forward[s.name]) if s.name in forward
                                 else None, True, MAX_TERMS))
            continue
        head = tex_name(t.consumer_adjoint)
        val = _paren(latex_short(adj_values[t.consumer_adjoint]))
        if partial == 1:
            formula.append(head)
            numbers.append(val)
        else:
            formula.append(rf"{head} \cdot {latex(partial, max_terms=MAX_TERMS)}")
            numbers.append(rf"{val} \cdot {_paren(latex_short(t.partial_value))}")
    if not formula:
        formula, numbers = ["0"], []
    if len(formula) > _PER_LINE - 1:             # a long sum over consumers: a few terms per line
        lines = (_chunks(tex_name(adj.name), formula, left_out=left_out)
                 + _chunks("", numbers, left_out=left_out))
        return r" \\ ".join(lines + [rf"&{latex_value(adj.value)} \tag{{{number}}}"])
    f, n = " + ".join(formula), " + ".join(numbers)
    if len(numbers) == 1 and numbers[0].strip(r"\left()right") == latex_short(adj.value):
        n = ""                                   # '= z = -4 = -4': the numbers say nothing new
    short = len(adj.terms) <= 1
    return _equation(number, tex_name(adj.name), f, n if n != f else "", latex_value(adj.value), short)


def _chunks(head, terms, per=_PER_LINE - 1, left_out=0):
    """align* lines 'head &= t1 + t2 + t3', '&\\quad + t4 ...' for a long sum (shortened
    around an ellipsis beyond MAX_TERMS terms, or where `left_out` terms were taken out)."""
    return [(rf"{head} &= " if i == 0 else r"&\quad + ") + " + ".join(line)
            for i, line in enumerate(term_lines(terms, per, left_out))]


def _paren(s):
    return rf"\left({s}\right)" if s.startswith("-") else s


def _backward(doc, solution, step, numbering):
    tape = solution.tape
    pre = step.prefix
    shown = {(n.name, inp): d for n in tape.nodes for inp, d in n.shown_partials}
    adj_values = {a.name: a.value for a in step.adjoints.values()}
    forward = {**{l.name: l.value for l in tape.leaves.values()}, **step.params, **step.values}
    with doc.create(Subsection("Backward pass")):
        if step.number == 1:
            _generic(doc, solution)
        doc.append(NoEscape("With the numbers of this exercise:"))
        lines = [_adjoint_equation(numbering[pre + n.adjoint], solution, step.adjoints[n.name],
                                   adj_values, forward, shown) for n in tape.backward_order()]
        doc.append(_align(lines))
    with doc.create(Subsection("Gradients")):
        lines = [_adjoint_equation(numbering[pre + l.adjoint], solution, step.adjoints[l.name],
                                   adj_values, forward, shown) for l in tape.reported]
        doc.append(_align(lines))
        if step.number == 1:
            _chain_rule(doc, solution, step)


def _chain_rule(doc, solution, step):
    """The chain rule written out, path by path, for the first parameter (seed 001's style)."""
    tape = solution.tape
    if not tape.params:
        return
    leaf = tape.params[0]
    paths = chain_paths(tape, leaf.name, limit=4)
    if not paths or len(paths[0]) < 3:
        return
    partial_values = {(t.consumer, a.of): t.partial_value
                      for a in step.adjoints.values() for t in a.terms}
    frac = lambda node, inp: (rf"\frac{{\partial {tex_name(node.name) if node.name != tape.loss else 'L'}}}"
                              rf"{{\partial {tex_name(inp)}}}")
    products = [r" \cdot ".join(frac(n, i) for n, i in reversed(path)) for path in paths]
    numbers = [r" \cdot ".join(_paren(latex_short(partial_values[(n.name, i)])) for n, i in reversed(path))
               for path in paths]
    doc.append(NoEscape(rf"The chain rule written out for ${tex_name(leaf.name)}$, one product per "
                        r"path from the weight to the loss:"))
    lines = _chunks(tex_name(leaf.adjoint), products, 1) + _chunks("", numbers, 1)
    lines.append(rf"&{latex_value(step.gradients[leaf.name])}")
    doc.append(_align([r" \\ ".join(lines)]))


def _update(doc, solution, step, numbering):
    p, tape, pre = solution.problem, solution.tape, step.prefix
    with doc.create(Subsection(r"Gradient-descent update")):
        doc.append(NoEscape(rf"Every parameter takes a step against its gradient, "
                            rf"$w \leftarrow w - \eta\, \partial L/\partial w$ with $\eta = {latex_short(p.learning_rate)}$."))
        lines = []
        for leaf in tape.params:
            if not leaf.updated:
                continue
            name = naming.updated(leaf.name)
            formula = rf"{tex_name(leaf.name)} - \eta \cdot {tex_name(leaf.adjoint)}"
            numbers = (rf"{latex_short(step.params[leaf.name])} - {latex_short(p.learning_rate)} \cdot "
                       rf"{_paren(latex_short(step.gradients[leaf.name]))}")
            short = len(numbers) < 70      # LaTeX characters: about 40 printed
            lines.append(_equation(numbering[pre + name], tex_name(name), formula, numbers,
                                   latex_value(step.params_after[leaf.name]), short))
        fixed = [l for l in tape.params if not l.updated]
        if fixed:
            doc.append(NoEscape("Kept fixed: $" + ", ".join(tex_name(l.name) for l in fixed) + "$."))
        doc.append(_align(lines))


def _answers(doc, solution, listing):
    with doc.create(Section("All answers")):
        doc.append(NoEscape(r"\begin{longtable}{r>{$}l<{$}>{$}p{6.5cm}<{$}>{$}l<{$}}" "\n"
                            r"\toprule No. & \text{quantity} & \text{exact} & \text{decimal} \\ \midrule" "\n"
                            r"\endhead"))
        from ..core.numeric import decimal, tree_size

        for number, _, name, value in listing:
            exact = latex(value) if tree_size(value, MAX_CLOSED) < MAX_CLOSED else r"\text{(closed form)}"
            dec = decimal(value, 10) or ""
            doc.append(NoEscape(rf"{number} & {tex_name(name)} & {exact} & {dec} \\" "\n"))
        doc.append(NoEscape(r"\bottomrule\end{longtable}"))


def _questions(doc, solution, listing):
    titles = {"forward": "Forward pass", "backward": "Backward pass", "gradients": "Gradients",
              "update": "Gradient-descent update", "final": "Forward pass after the update"}
    with doc.create(Section("Questions")):
        doc.append(NoEscape(r"Compute each quantity; give exact values (fractions) where you can, "
                            r"and decimals to 4 significant digits otherwise."))
        current = None
        for number, (section, step), name, value in listing:
            if (section, step) != current:
                current = (section, step)
                label = titles[section] + (f" (step {step})" if step and solution.problem.steps > 1 else "")
                doc.append(NoEscape(rf"\subsection*{{{label}}}"))
            shown = name.split(".", 1)[1] if name.startswith(("final.", "step")) else name
            doc.append(NoEscape(rf"\makebox[2.2em][r]{{({number})}}\quad "
                                rf"\makebox[8em][l]{{$\displaystyle {tex_name(shown)} = $}}"
                                rf"\answerbox\par\smallskip" "\n"))


def build(solution, questions=False, doc=None, heading=None):
    """The worksheet as a PyLaTeX Document (answer sheet, or question sheet); with
    `doc`, appended to it on a new page (exam variants), under `heading`."""
    if doc is None:
        doc = _document(solution, questions)
    else:
        doc.append(NoEscape(r"\clearpage\setcounter{section}{0}\setcounter{page}{1}"))
    _title(doc, solution, questions, heading)
    full = _problem(doc, solution)
    listing = items(solution)
    if questions:
        _questions(doc, solution, listing)
        _appendix(doc, solution, full)
        return doc
    numbering = {name: number for number, _, name, _ in listing}
    tape = solution.tape
    data = {l.name: l.value for l in tape.leaves.values() if l.kind != "param"}
    with doc.create(Section("Solution")):
        for step in solution.steps:
            values = {**data, **step.params, **step.values}
            if solution.problem.steps > 1:
                doc.append(NoEscape(rf"\subsection*{{Step {step.number}}}"))
            _forward(doc, solution, values, _step_numbers(numbering, step), "Forward pass")
            _backward(doc, solution, step, numbering)
            if step.params_after:
                _update(doc, solution, step, numbering)
        if solution.final is not None:
            f = solution.final
            _forward(doc, solution, {**data, **f.params, **f.values}, numbering,
                     "Forward pass after the update", final=True)
            doc.append(NoEscape(_verdict(solution)))
    _answers(doc, solution, listing)
    _appendix(doc, solution, full)
    return doc


def _step_numbers(numbering, step):
    """The numbers of one step's forward quantities, keyed without the step prefix."""
    pre = step.prefix
    return {k[len(pre):]: v for k, v in numbering.items() if k.startswith(pre)} if pre else numbering


def _verdict(solution):
    from ..core.engine import add, mul
    from ..core.numeric import decimal, is_symbolic

    before, after = solution.steps[0].loss, solution.final.loss
    if solution.problem.loss == "none" or is_symbolic(before) or is_symbolic(after):
        return ""
    change = decimal(add(after, mul(-1, before)), 6)
    word = "went down" if change.startswith("-") else ("did not change" if change == "0" else "went up")
    if "e" in change:
        mantissa, exponent = change.split("e")
        change = rf"{mantissa} \cdot 10^{{{int(exponent)}}}"
    return (rf"The loss {word}: from ${latex_short(before)}$ to ${latex_short(after)}$ "
            rf"(change ${change}$).")


def check_size(count, what="worksheet", advice="use --format json for every value"):
    """RenderError, before any LaTeX is written, for a sheet of more than MAX_QUANTITIES
    quantities: it would take minutes and thousands of pages."""
    if count > MAX_QUANTITIES:
        raise RenderError(f"a {what} with {count:,} quantities is beyond the {MAX_QUANTITIES:,}-quantity "
                          f"limit of one PDF; {advice}")


def quantities(problem, tape):
    """How many quantities the sheets of `problem` number (len(items(solution))), from its
    tape alone: a sheet too large can be refused before minutes of solving."""
    steps = problem.steps
    per_step = len(tape.nodes) + len(tape.backward_order()) + len(tape.reported)
    updated = sum(1 for leaf in tape.params if leaf.updated)
    return max(steps, 1) * per_step + steps * updated + (len(tape.nodes) if steps else 0)


def check_problem(problem, tape):
    """check_size for the worksheet of a problem not solved yet (`tape`: its build_tape)."""
    check_size(quantities(problem, tape))


def to_latex(solution, questions=False):
    """The worksheet's LaTeX source; its first line marks it as written by symprop.
    RenderError when it has more than MAX_QUANTITIES quantities."""
    check_size(len(items(solution)))
    return wrap_lines(f"% {MARK}\n" + build(solution, questions).dumps())


def exam_latex(variants, seed, questions):
    """All variants' sheets in one document, each starting on a new page."""
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
        if doc is None:
            doc = build(v.solution, questions, heading=heading)
        else:
            build(v.solution, questions, doc=doc, heading=heading)
    return wrap_lines(f"% {MARK}\n" + doc.dumps())


_MARKS = {"exact": r"\textcolor{green!50!black}{\checkmark\ exact}",
          "rounded": r"\textcolor{green!50!black}{\checkmark\ rounded}",
          "carried_forward": r"\textcolor{orange!80!black}{$\to$ follows from your values}",
          "wrong": r"\textcolor{red!70!black}{$\times$ wrong}"}


def feedback_latex(report):
    """A feedback sheet for checked answers: the problem, then every answer marked,
    the correct value beside it, and the diagnosis of each wrong one."""
    solution = report.solution
    check_size(len(report.results), "feedback sheet", "use --format json")
    doc = _document(solution, False)
    doc.packages.append(Package("xcolor"))
    doc.append(NoEscape(r"{\LARGE\bfseries " + escape(solution.problem.title) + r"\par}\smallskip"))
    doc.append(NoEscape(r"{\large Feedback on your answers\par}\medskip"))
    full = _problem(doc, solution)
    with doc.create(Section("Your answers")):
        s = report.summary()
        doc.append(NoEscape(rf"{s['exact']} exact, {s['rounded']} correctly rounded, "
                            rf"{s['carried_forward']} consistent with your earlier values, "
                            rf"{s['wrong']} wrong (of {s['total']})."))
        doc.append(NoEscape(r"\begin{longtable}{r>{$}l<{$}>{$}l<{$}>{$}l<{$}l}" "\n"
                            r"\toprule No. & \text{quantity} & \text{yours} & \text{correct} & \\ \midrule"
                            "\n" r"\endhead"))
        from ..core.numeric import decimal

        for r in report.results:
            yours = escape(r.given.text).replace("≈", r"\approx ")
            correct = decimal(r.correct, 8) or latex_short(r.correct)
            doc.append(NoEscape(rf"{r.number} & {tex_name(r.name)} & \text{{{yours}}} & {correct} & "
                                rf"{_MARKS[r.verdict]} \\" "\n"))
            if r.diagnosis:
                doc.append(NoEscape(r" & \multicolumn{4}{p{13cm}}{\small\emph{" + escape(r.diagnosis)
                                    + r"}} \\" "\n"))
        doc.append(NoEscape(r"\bottomrule\end{longtable}"))
    _appendix(doc, solution, full)
    return wrap_lines(f"% {MARK}\n" + doc.dumps())
