"""The terminal renderer: a Solution as a step-by-step worked solution in text.

Every equation is written three times, as on a worksheet: the formula, the
formula with the numbers put in, and the result (exact, then decimal). The
facts come from the Solution (statement, values_at, adjoint_terms, loss_change);
this module only spells them.
"""

from functools import lru_cache

from ..model.numeric import is_symbolic
from ..errors import printable
from ..model import naming
from ..model.losses import LOSSES
from .formulas import graph_formulas, layered_formulas
from .printing import TextPrinter, short_value, text, value_text

__all__ = ["render", "dead_clause"]

_WIDE = 160     # substituted lines longer than this are left out
# A value is substituted into many equations (an activation into every unit of the next
# layer): each is spelled once. Pure functions of exact values, so the text is the same.
short_value = lru_cache(maxsize=1 << 16)(short_value)
value_text = lru_cache(maxsize=1 << 14)(value_text)


def render(solution):
    """The whole worked solution as one string."""
    out = _header(solution)
    for step in solution.steps:
        out += _forward(solution, step.number, solution.values_at(step), step.loss)
        out += _backward(solution, step)
        if step.params_after:
            out += _update(solution, step)
    if solution.final is not None:
        f = solution.final
        out += _forward(solution, "final", solution.values_at(f), f.loss)
        out += _verdict(solution)
    return "\n".join(out) + "\n"


def _step_title(solution, number, what):
    if solution.problem.steps > 1:
        return f"Step {number}: {what}"
    return what[0].upper() + what[1:]


def _header(solution):
    st = solution.statement
    title = printable(st.title, 200)
    lines = [title, "=" * len(title)]
    if st.source:
        lines.append(f"Problem file: {st.source}")
    if st.notes:
        lines.append(printable(st.notes, newlines=True))
    if st.layered:
        sizes = "-".join(str(n) for n in st.sizes)
        acts = ", ".join(l.activation for l in st.layers)
        lines.append(f"Network: {sizes} units, activations {acts}")
        b = st.index_base
        lines.append(f"Indices: W1[j,k] joins unit k of layer 0 (the inputs a0[k]) to unit j of layer 1; "
                     f"counting from {b}")
    else:
        lines.append(f"Computational graph with output {st.output}")
    loss = LOSSES[st.loss]
    lines.append(f"Loss: {st.loss} = {loss.text}" if loss.needs_target else
                 "No loss: the output itself is differentiated")
    if st.sample_count > 1:
        lines.append(f"Training set: {st.sample_count} samples, loss {st.reduction} over samples")
    if st.steps:
        lines.append(f"Learning rate: η = {_plain(st.learning_rate)}; {st.steps} gradient-descent step(s)")
    if st.relu_derivative_at_zero is not None:
        lines.append(f"Convention: relu'(0) = {st.relu_derivative_at_zero}")
    lines += _given(st)
    return lines


def _plain(v):
    return short_value(v) if v.is_Rational or is_symbolic(v) else text(v)


def _vec(values):
    return "[" + ", ".join(short_value(v) for v in values) + "]"


def _given(st):
    """The numbers of the problem: matrices and vectors for a layered net."""
    lines = ["Given:"]
    if st.layered:
        for l, layer in enumerate(st.layers, start=1):
            rows = ", ".join(_vec(r) for r in layer.weights)
            bias = f",  b{l} = {_vec(layer.bias)}" if layer.bias is not None else ""
            lines.append(f"  W{l} = [{rows}]{bias}")
        for i, (x, y) in enumerate(st.samples):
            label = f"  sample {i + 1}: " if len(st.samples) > 1 else "  "
            target = f",  y = {_vec(y)}" if y is not None else ""
            lines.append(f"{label}x = {_vec(x)}{target}")
        return lines
    items = [f"{g.name} = {short_value(g.value)}" for g in st.givens]
    return lines + ["  " + ", ".join(items)]


def _equation(name, display, values, value):
    """'name = formula', '= numbers', '= exact ≈ decimal' for one tape equation."""
    return _lines3(name, text(display), _substituted(display, values), value)


def _forward(solution, number, values, loss_value):
    tape = solution.tape
    title = "Forward pass after the update" if number == "final" else _step_title(solution, number, "forward pass")
    lines = ["", title, "-" * len(title)]
    for node in tape.nodes:
        lines += _equation(node.name, node.display, values, values[node.name])
    return lines


def _generic(solution):
    p = solution.problem
    lines = []
    if p.is_layered:
        forms = layered_formulas(p)
        lines.append("  The δ recursion for this network (index form):")
        for f in forms["index"]:
            if f.label != "forward":
                note = f"   ({f.note})" if f.note else ""
                lines.append(f"    {f.label}: {text(f.lhs)} = {text(f.rhs)}{note}")
        lines.append("  and in matrix form (⊙: elementwise product):")
        for f in forms["matrix"]:
            note = f"   ({f.note})" if f.note else ""
            lines.append(f"    {f.label}: {text(f.lhs)} = {text(f.rhs)}{note}")
    else:
        lines.append("  Each adjoint is the sum over the node's consumers:")
        for f in graph_formulas(solution.tape):
            lines.append(f"    {text(f.lhs)} = {text(f.rhs)}")
    return lines + [""]


def _substituted(expr, values):
    return TextPrinter(leaf=lambda s: short_value(values[s.name]) if s.name in values else None,
                       decimals=True)(expr)


def _adjoint_lines(solution, step, adj, forward):
    """adjoint = Σ consumer adjoint · ∂consumer/∂input, with numbers, then its value."""
    if not adj.terms:
        return [f"  {adj.name} = 0   (no consumer)"]
    formula, numbers = [], []
    for t in solution.adjoint_terms(step, adj.of):
        if t.from_loss:
            formula.append(text(t.partial))
            numbers.append(_substituted(t.partial, forward))
        elif t.partial == 1:
            formula.append(t.adjoint)
            numbers.append(short_value(t.adjoint_value) if len(adj.terms) == 1
                           else _paren_value(t.adjoint_value))
        else:
            formula.append(f"{t.adjoint}·{TextPrinter()._paren(t.partial, 21)}")
            numbers.append(f"{_paren_value(t.adjoint_value)}·{_paren_value(t.partial_value)}")
    f, n = " + ".join(formula), " + ".join(numbers)
    return _lines3(adj.name, f, n, adj.value)


def _lines3(name, formula, numbers, value):
    """The formula, the numbers put in (unless they say nothing new), the result;
    on one line when that fits in 100 characters."""
    result = value_text(value)
    parts = [f"{name} = {formula}"]
    single = not any(op in numbers.lstrip("-") for op in (" + ", " - ", "·", "/", "("))
    if numbers != formula and len(numbers) <= _WIDE and not single:
        parts.append(f"= {numbers}")
    if result[2:] not in (numbers if len(parts) > 1 else None, formula):
        parts.append(result)
    if sum(len(p) + 1 for p in parts) <= 100:
        return ["  " + " ".join(parts)]
    pad = "  " + " " * (len(name) + 1)
    return ["  " + parts[0]] + [pad + p for p in parts[1:]]


def _paren_value(v):
    s = short_value(v)
    return f"({s})" if s.startswith("-") or " " in s else s


def _backward(solution, step):
    tape = solution.tape
    title = _step_title(solution, step.number, "backward pass")
    lines = ["", title, "-" * len(title)]
    if step.number == 1:
        lines += _generic(solution)
    forward = solution.values_at(step)
    for node in tape.backward_order():
        lines += _adjoint_lines(solution, step, step.adjoints[node.name], forward)
    lines += ["", "  Gradients:"]
    for leaf in tape.reported:
        lines += _adjoint_lines(solution, step, step.adjoints[leaf.name], forward)
    return lines


def _update(solution, step):
    p = solution.problem
    eta = _plain(p.learning_rate)
    what = f"gradient-descent update, w ← w − η·dL/dw with η = {eta}"
    lines = ["", _step_title(solution, step.number, what)]
    lines.append("-" * (len(lines[-1]) - 1))
    for leaf in solution.tape.params:
        new = step.params_after[leaf.name]
        if not leaf.updated:
            lines.append(f"  {naming.updated(leaf.name)} = {leaf.name} (kept fixed) = {short_value(new)}")
            continue
        grad = step.gradients[leaf.name]
        formula = f"{leaf.name} - η·{leaf.adjoint}"
        numbers = f"{short_value(step.params[leaf.name])} - {_paren_value(p.learning_rate)}·{_paren_value(grad)}"
        lines += _lines3(naming.updated(leaf.name), formula, numbers, new)
    return lines


def _verdict(solution):
    change = solution.loss_change()
    if change is None:
        return []
    word = {"down": "went down", "unchanged": "did not change", "up": "went UP"}[change.direction]
    dead = dead_clause(solution.dead_after_update, lambda l: f"W{l}", "z ≤ 0")
    return ["", f"The loss {word}: {short_value(change.before)} → {short_value(change.after)} "
                f"(change {change.decimal})" + (f", but {dead}" if dead else "")]


def dead_clause(layers, weights, nonpositive):
    """The clause on the hidden `layers` dead after the update (Solution.dead_after_update),
    `weights(l)` spelling the weights of layer l, `nonpositive` "z ≤ 0"; "" for none."""
    if not layers:
        return ""
    names = [str(l) for l in layers]
    which = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return (f"every unit of layer{'s' if len(names) > 1 else ''} {which} is dead after the update "
            f"({nonpositive}): the next steps cannot change {' or '.join(weights(l) for l in layers)}")
