"""The worked solution of the answer sheet, in LaTeX: per step the forward pass, the
backward pass (the generic equations first, then with the numbers), the gradients,
the chain rule written out once, the update; then the forward pass after it and
the loss change.

Each function appends to a PyLaTeX document; `numbering` maps a flat quantity
name to its number on the sheet (Solution.items), so that the tags here match
the answer table and the question sheet.
"""

from pylatex import NoEscape, Subsection

from ..model import naming
from . import derivation, practice, vectors
from .formulas import chain_paths, graph_formulas, layered_formulas
from .latexprint import MAX_TERMS, latex, latex_short, latex_value
from .printing import text
from .texlayout import (LINE, PER_LINE, align, chunks, equation, paren, split_equation,
                        sum_chunks)
from .texnames import tex_name
from .worked import adjoint_terms_tex
from .textout import dead_clause

__all__ = ["forward", "backward", "update", "verdict"]


def _node_equation(number, node, values, value, name):
    leaf = lambda s: latex_short(values[s.name]) if s.name in values else None
    formula = sum_chunks(node.display, None, False)
    numbers = sum_chunks(node.display, leaf, True)
    plain = text(node.display)
    informative = numbers != formula
    short = len(plain) * (2 if informative else 1) <= LINE and len(formula) == 1
    if short or len(formula) == 1:
        shown = " ".join(numbers) if informative else ""
        return equation(number, tex_name(name), " ".join(formula), shown,
                        latex_value(value, shown=shown or " ".join(formula)), short)
    lines = [rf"{tex_name(name)} &= {formula[0]}"] + [rf"&\quad {c}" for c in formula[1:]]
    if informative:
        lines += [rf"&= {numbers[0]}"] + [rf"&\quad {c}" for c in numbers[1:]]
    lines.append(rf"&{latex_value(value, shown=numbers[-1] if informative else formula[-1])} \tag{{{number}}}")
    return r" \\ ".join(lines)


def forward(doc, solution, values, numbering, title, final=False):
    """One forward pass: every node's equation, with numbers, and its value."""
    tape = solution.tape
    with doc.create(Subsection(title)):
        lines = []
        for node in tape.nodes:
            name = solution.flat(node.name)
            key = (naming.FINAL if final else "") + name
            lines.append(_node_equation(numbering[key], node, values, values[node.name], name))
        doc.append(align(lines))


def _generic(doc, solution):
    p = solution.problem
    derived = derivation.rows(solution)
    if derived is not None:
        which = practice.letters(solution, "delta_out", "delta_hidden", "gradients")
        doc.append(NoEscape(r"The backpropagation equations derived for this network by the chain rule"
                            + (f" ({which})" if which else "") + ":"))
        doc.append(align(derived))
    elif p.is_layered:
        forms = layered_formulas(p)
        doc.append(NoEscape(r"The backpropagation equations for this network, in index form"))
        rows = [rf"{latex(f.lhs)} &= {latex(f.rhs)} && \text{{{f.label}}}" for f in forms["index"]
                if f.label != "forward"]
        doc.append(align(rows))
        doc.append(NoEscape(r"and in matrix form ($\odot$: elementwise product):"))
        rows = [rf"{latex(f.lhs)} &= {latex(f.rhs)} && \text{{{f.label}}}" for f in forms["matrix"]]
        doc.append(align(rows))
    else:
        which = practice.letters(solution, "consumers")
        doc.append(NoEscape(r"Each adjoint is the sum over the node's consumers"
                            + (f" ({which})" if which else "") + ":"))
        rows = [split_equation(latex(f.lhs), sum_chunks(f.rhs, None, False))
                for f in graph_formulas(solution.tape)]
        doc.append(align(rows))


def _adjoint_equation(number, solution, step, adj, forward):
    formula, numbers, left_out = adjoint_terms_tex(solution, step, adj, forward)  # only the terms shown
    if not formula:
        formula, numbers = ["0"], []
    if len(formula) > PER_LINE - 1:             # a long sum over consumers: a few terms per line
        lines = (chunks(tex_name(adj.name), formula, left_out=left_out)
                 + chunks("", numbers, left_out=left_out))
        return r" \\ ".join(lines + [rf"&{latex_value(adj.value)} \tag{{{number}}}"])
    f, n = " + ".join(formula), " + ".join(numbers)
    if len(numbers) == 1 and numbers[0].strip(r"\left()right") == latex_short(adj.value):
        n = ""                                   # '= z = -4 = -4': the numbers say nothing new
    short = len(adj.terms) <= 1
    n = n if n != f else ""
    return equation(number, tex_name(adj.name), f, n, latex_value(adj.value, shown=n or f), short)


def backward(doc, solution, step, numbering):
    """The backward pass and the gradients of one step (the generic equations and the
    chain rule in the first step only)."""
    tape = solution.tape
    pre = step.prefix
    forward = solution.values_at(step)
    with doc.create(Subsection("Backward pass")):
        if step.number == 1:
            _generic(doc, solution)
            slopes = derivation.slope_rows(solution, step)
            if slopes:
                which = practice.letters(solution, "slopes")
                doc.append(NoEscape("The slopes of the activations at this input"
                                    + (f" ({which})" if which else "") + ":"))
                kinks = [r for r in slopes if "&&" in r]       # the ReLU rows have a comment column
                doc.append(align(kinks) if kinks else "")
                rest = [r for r in slopes if "&&" not in r]
                if rest:
                    doc.append(align(rest))
        doc.append(NoEscape("With the numbers of this exercise:"))
        lines = [_adjoint_equation(numbering[pre + n.adjoint], solution, step, step.adjoints[n.name],
                                   forward) for n in tape.backward_order()]
        doc.append(align(lines))
    with doc.create(Subsection("Gradients")):
        lines = [_adjoint_equation(numbering[pre + l.adjoint], solution, step, step.adjoints[l.name],
                                   forward) for l in tape.reported]
        doc.append(align(lines))
        if step.number == 1:
            out, hidden = practice.chain_weights(solution)
            for leaf, key in ((out, "chain_out"), (hidden, "chain_hidden")):
                if leaf is not None:
                    _chain_rule(doc, solution, step, leaf, practice.letters(solution, key))
    if step.number == 1:
        rows = vectors.rows(solution, step)
        if rows:
            which = practice.letters(solution, "matrix")
            title = "In vector and matrix form" + (" (step 1)" if solution.problem.steps > 1 else "")
            with doc.create(Subsection(title + (f" ({which})" if which else ""))):
                ahead = vectors.forward_rows(solution, step)
                if ahead:
                    doc.append(NoEscape(r"The forward pass, a layer at a time (rational entries exact, "
                                        r"others to 4 significant digits):"))
                    doc.append(align(ahead))
                doc.append(NoEscape(r"The backward pass, a layer at a time ($\odot$: elementwise product):"))
                doc.append(align(rows))


def _chain_rule(doc, solution, step, leaf, which):
    """The chain rule written out, path by path, for one parameter (seed 001's style): the
    partial derivatives, what each is for this network, and their values."""
    tape = solution.tape
    paths = chain_paths(tape, leaf.name, limit=4)
    if not paths:
        return
    shown = {(n.name, inp): d for n in tape.nodes for inp, d in n.shown_partials}
    partial_values = {(t.consumer, a.of): t.partial_value
                      for a in step.adjoints.values() for t in a.terms}
    top = lambda node: "L" if node.name == tape.loss and solution.problem.has_loss else tex_name(node.name)
    frac = lambda node, inp: (rf"\frac{{\partial {top(node)}}}"
                              rf"{{\partial {tex_name(inp)}}}")
    products = [r" \cdot ".join(frac(n, i) for n, i in reversed(path)) for path in paths]
    numbers = [r" \cdot ".join(paren(latex_short(partial_values[(n.name, i)])) for n, i in reversed(path))
               for path in paths]
    symbolic = [r" \cdot ".join(_factor(latex(shown[(n.name, i)], max_terms=MAX_TERMS)) for n, i in reversed(path))
                for path in paths]
    many = len(paths) > 1
    doc.append(NoEscape(rf"The chain rule written out for ${tex_name(leaf.name)}$"
                        + (", one product per path from the weight to the loss" if many else "")
                        + (f" ({which})" if which else "") + ":"))
    lines = chunks(tex_name(leaf.adjoint), products, 1) + chunks("", symbolic, 1) + chunks("", numbers, 1)
    lines.append(rf"&{latex_value(step.gradients[leaf.name])}")
    doc.append(align([r" \\ ".join(lines)]))


def _factor(s):
    """A factor of a product: a sum or a case split in parentheses."""
    if s.startswith(r"\begin{cases}") or (("+" in s or " - " in s) and not s.startswith(r"\left(")):
        return rf"\left({s}\right)"
    return s


def update(doc, solution, step, numbering):
    """The gradient-descent update of one step: w - η·∂L/∂w for every parameter."""
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
                       rf"{paren(latex_short(step.gradients[leaf.name]))}")
            short = len(numbers) < 70      # LaTeX characters: about 40 printed
            lines.append(equation(numbering[pre + name], tex_name(name), formula, numbers,
                                  latex_value(step.params_after[leaf.name]), short))
        fixed = [l for l in tape.params if not l.updated]
        if fixed:
            doc.append(NoEscape("Kept fixed: $" + ", ".join(tex_name(l.name) for l in fixed) + "$."))
        doc.append(align(lines))


def verdict(solution):
    """The sentence on how the loss changed over the steps ("" without one)."""
    change = solution.loss_change()
    if change is None:
        return ""
    word = {"down": "went down", "unchanged": "did not change", "up": "went up"}[change.direction]
    d = change.decimal
    if "e" in d:
        mantissa, exponent = d.split("e")
        d = rf"{mantissa} \cdot 10^{{{int(exponent)}}}"
    dead = dead_clause(solution.dead_after_update, lambda l: rf"$W^{{({l})}}$", r"$z \le 0$")
    return (rf"The loss {word}: from ${latex_short(change.before)}$ to ${latex_short(change.after)}$ "
            rf"(change ${d}$)" + (rf", but {dead}." if dead else "."))
