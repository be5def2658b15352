"""Each node's, adjoint's, gradient's and update's worked equation on one line, for displays
that show a quantity per row (Jupyter, the self-check page): the formula, then the
numbers put in, e.g. δ⁽²⁾₁ = ∂L/∂a⁽²⁾₁ · σ′ = (−0.249450…)·(0.227…) — so a student
revealing the backward pass sees the δ recursion, not only its values.

The terms are the Solution's (`adjoint_terms`, as the answer sheet prints them,
render/working.py); a sum over more consumers than a line holds shows its formula
without the numbers."""

from ..model import naming
from .latexprint import MAX_TERMS, latex, latex_short, shown_terms
from .texlayout import paren
from .texnames import tex_name

__all__ = ["worked_lines", "adjoint_terms_tex"]

PER_LINE = 3        # terms of a sum shown with their numbers; longer sums show the formula only


def worked_lines(solution):
    """{flat name: 'formula = numbers'} (LaTeX, without the value) for every adjoint,
    gradient and update of every step; call inside texnames.spelling(solution)."""
    out = {}
    rate = solution.problem.learning_rate
    eta = paren(latex_short(rate)) if rate is not None else None    # None: no step (steps = 0)
    for step in solution.steps:
        forward = solution.values_at(step)
        out.update(_forward(solution, forward, step.prefix))
        for adj in step.adjoints.values():
            out[step.prefix + adj.name] = _adjoint(solution, step, adj, forward)
        for leaf in solution.tape.params:
            if leaf.updated and step.params_after:
                out[step.prefix + naming.updated(leaf.name)] = (
                    rf"{tex_name(leaf.name)} - \eta\, {tex_name(leaf.adjoint)} = "
                    rf"{latex_short(step.params[leaf.name])} - {eta} \cdot "
                    rf"{paren(latex_short(step.gradients[leaf.name]))}")
    if solution.final is not None:
        out.update(_forward(solution, solution.values_at(solution.final), naming.FINAL))
    return out


def _forward(solution, values, prefix):
    """Each node's formula over the tape's names, then with the numbers put in."""
    leaf = lambda s: latex_short(values[s.name]) if s.name in values else None
    out = {}
    for node in solution.tape.nodes:
        formula = latex(node.display, max_terms=MAX_TERMS)
        numbers = latex(node.display, leaf, True, MAX_TERMS)
        out[prefix + solution.flat(node.name)] = formula if numbers == formula else f"{formula} = {numbers}"
    return out


def adjoint_terms_tex(solution, step, adj, forward):
    """An adjoint's terms as worked equations print them: (formulas, numbers, left_out),
    one LaTeX string per consumer shown (the answer sheet's working.py uses it too)."""
    formula, numbers = [], []
    terms, left_out = shown_terms(solution.adjoint_terms(step, adj.of))
    for t in terms:
        if t.from_loss:
            formula.append(latex(t.partial, max_terms=MAX_TERMS))
            numbers.append(latex(t.partial, lambda s: latex_short(forward[s.name]) if s.name in forward
                                 else None, True, MAX_TERMS))
        elif t.partial == 1:
            formula.append(tex_name(t.adjoint))
            numbers.append(paren(latex_short(t.adjoint_value)))
        else:
            formula.append(rf"{tex_name(t.adjoint)} \cdot {latex(t.partial, max_terms=MAX_TERMS)}")
            numbers.append(rf"{paren(latex_short(t.adjoint_value))} \cdot {paren(latex_short(t.partial_value))}")
    return formula, numbers, left_out


def _adjoint(solution, step, adj, forward):
    formula, numbers, left_out = adjoint_terms_tex(solution, step, adj, forward)
    if not formula:
        return "0"
    more = r" + \cdots" if left_out else ""
    f, n = " + ".join(formula) + more, " + ".join(numbers) + more
    if len(formula) > PER_LINE or n == f or (len(numbers) == 1 and numbers[0] == paren(latex_short(adj.value))):
        return f                        # too long, or the numbers say nothing new: δ = 0.0066… ≈ 0.0066
    return f"{f} = {n}"
