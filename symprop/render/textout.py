"""The terminal renderer: a Solution as a step-by-step worked solution in text.

Every equation is written three times, as on a worksheet: the formula, the
formula with the numbers put in, and the result (exact, then decimal).
"""

import ast

from ..model import naming
from ..model.functions import ACTIVATIONS, GRAPH_FUNCTIONS
from ..core.engine import add, mul
from ..errors import printable
from .formulas import graph_formulas, layered_formulas
from ..model.losses import LOSSES
from ..core.numeric import decimal, is_symbolic
from .printing import TextPrinter, short_value, text, value_text

__all__ = ["render"]

_WIDE = 160     # substituted lines longer than this are left out


def render(solution):
    """The whole worked solution as one string."""
    out = _header(solution)
    for step in solution.steps:
        out += _forward(solution, step.number, _values(solution, step.params, step.values), step.loss)
        out += _backward(solution, step)
        if step.params_after:
            out += _update(solution, step)
    if solution.final is not None:
        f = solution.final
        out += _forward(solution, "final", _values(solution, f.params, f.values), f.loss)
        out += _verdict(solution)
    return "\n".join(out) + "\n"


def _step_title(solution, number, what):
    if solution.problem.steps > 1:
        return f"Step {number}: {what}"
    return what[0].upper() + what[1:]


def _values(solution, params, nodes):
    data = {l.name: l.value for l in solution.tape.leaves.values() if l.kind != "param"}
    return {**data, **params, **nodes}


def _header(solution):
    p = solution.problem
    title = printable(p.title, 200)
    lines = [title, "=" * len(title)]
    if p.source:
        lines.append(f"Problem file: {p.source}")
    if p.notes:
        lines.append(printable(p.notes, newlines=True))
    if p.is_layered:
        sizes = "-".join(str(n) for n in p.network.sizes)
        acts = ", ".join(l.activation for l in p.network.layers)
        lines.append(f"Network: {sizes} units, activations {acts}")
        b = p.index_base
        lines.append(f"Indices: W1[j,k] joins unit k of layer 0 (the inputs a0[k]) to unit j of layer 1; "
                     f"counting from {b}")
    else:
        lines.append(f"Computational graph with output {p.network.output}")
    loss = LOSSES[p.loss]
    lines.append(f"Loss: {p.loss} = {loss.text}" if p.loss != "none" else
                 "No loss: the output itself is differentiated")
    if len(p.samples) > 1:
        lines.append(f"Training set: {len(p.samples)} samples, loss {p.reduction} over samples")
    if p.steps:
        lines.append(f"Learning rate: η = {_plain(p.learning_rate)}; {p.steps} gradient-descent step(s)")
    if uses_kinks(p):
        lines.append(f"Convention: relu'(0) = {p.relu_derivative_at_zero}")
    lines += _given(solution)
    return lines


def uses_kinks(p):
    """Whether the network has a ReLU-like kink, so that ReLU′(0)'s convention matters:
    a layer's activation, or a function a graph node calls (not a name containing "relu")."""
    if p.is_layered:
        return any(ACTIVATIONS[l.activation].relu_like for l in p.network.layers)
    called = {n.func.id for _, text in p.network.nodes for n in ast.walk(ast.parse(text.strip(), mode="eval"))
              if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    return any(GRAPH_FUNCTIONS[f].relu_like for f in called if f in GRAPH_FUNCTIONS)


def _plain(v):
    return short_value(v) if v.is_Rational or is_symbolic(v) else text(v)


def _vec(values):
    return "[" + ", ".join(short_value(v) for v in values) + "]"


def _given(solution):
    """The numbers of the problem: matrices and vectors for a layered net."""
    p = solution.problem
    lines = ["Given:"]
    if p.is_layered:
        for l, layer in enumerate(p.network.layers, start=1):
            rows = ", ".join(_vec(r) for r in layer.weights)
            bias = f",  b{l} = {_vec(layer.bias)}" if layer.bias is not None else ""
            lines.append(f"  W{l} = [{rows}]{bias}")
        for i, s in enumerate(p.samples):
            label = f"  sample {i + 1}: " if len(p.samples) > 1 else "  "
            target = f",  y = {_vec(s.target)}" if s.target is not None else ""
            lines.append(f"{label}x = {_vec(dict(s.inputs)['x'])}{target}")
        return lines
    items = [f"{l.name} = {short_value(l.value)}" for l in solution.tape.leaves.values()]
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


def _adjoint_lines(solution, adj, values, shown, forward):
    """adjoint = Σ consumer adjoint · ∂consumer/∂input, with numbers, then its value."""
    tape = solution.tape
    if not adj.terms:
        return [f"  {adj.name} = 0   (no consumer)"]
    formula, numbers = [], []
    for t in adj.terms:
        partial = shown[(t.consumer, adj.of)]
        if t.consumer == tape.loss:
            formula.append(text(partial))
            numbers.append(_substituted(partial, forward))
        elif partial == 1:
            formula.append(t.consumer_adjoint)
            numbers.append(short_value(values[t.consumer_adjoint]) if len(adj.terms) == 1
                           else _paren_value(values[t.consumer_adjoint]))
        else:
            formula.append(f"{t.consumer_adjoint}·{TextPrinter()._paren(partial, 21)}")
            numbers.append(f"{_paren_value(values[t.consumer_adjoint])}·{_paren_value(t.partial_value)}")
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
    shown = {(n.name, inp): d for n in tape.nodes for inp, d in n.shown_partials}
    values = {a.name: a.value for a in step.adjoints.values()}
    forward = _values(solution, step.params, step.values)
    for node in tape.backward_order():
        lines += _adjoint_lines(solution, step.adjoints[node.name], values, shown, forward)
    lines += ["", "  Gradients:"]
    for leaf in tape.reported:
        lines += _adjoint_lines(solution, step.adjoints[leaf.name], values, shown, forward)
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
    before, after = solution.steps[0].loss, solution.final.loss
    if is_symbolic(before) or is_symbolic(after) or solution.problem.loss == "none":
        return []
    d = decimal(add(after, mul(-1, before)), 6)
    word = "went down" if d.startswith("-") else ("did not change" if d == "0" else "went UP")
    return ["", f"The loss {word}: {short_value(before)} → {short_value(after)} (change {d})"]
