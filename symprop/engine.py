"""The engine: a forward pass, a short reverse sweep, a gradient step; repeated.

The reverse sweep is the chain rule one node at a time: walking the tape
backwards, every node passes adjoint · ∂node/∂input to each of its inputs, so
an input's adjoint is the sum over its consumers. At a pre-activation z that
sum is δ = ∂L/∂a · f′(z), and at an activation a it is Σ_k W_kj δ_k: the δ
recursion falls out of the sweep instead of being coded beside it.
"""

import sympy as sp

from . import naming
from .errors import ComputationError
from .solution import Adjoint, Forward, Solution, Step, Term
from .tape import build_tape

__all__ = ["solve", "forward", "backward", "substitute", "MAX_DIGITS"]

MAX_DIGITS = 4000     # exact rationals beyond this many digits stop the run with a clear error
_BAD = (sp.zoo, sp.oo, -sp.oo, sp.nan)


# Functions whose value depends on a decision (a branch, a sign): always evaluated.
_DECIDE = (sp.Piecewise, sp.Abs, sp.sign, sp.Max, sp.Min, sp.Heaviside)


def substitute(expr, env):
    """expr with symbols replaced by their values.

    Rational arguments are evaluated (exact arithmetic, so ReLU/polynomial nets
    give Rationals); a closed form (exp, log, tanh of something irrational) is
    built unevaluated: SymPy's automatic checks on nested closed forms cost
    seconds and change nothing. Branches and signs are always decided.
    """
    if expr in env:
        return env[expr]
    if not expr.args:
        return expr
    args = [substitute(a, env) for a in expr.args]
    if not isinstance(expr, sp.Expr) or isinstance(expr, _DECIDE):
        return expr.func(*args)
    if all(a.is_Rational for a in args if a.is_number) and not any(
            isinstance(a, (sp.exp, sp.log, sp.tanh)) or a.is_Pow or a.is_Add or a.is_Mul
            for a in args if a.is_number and not a.is_Rational):
        return expr.func(*args)
    return expr.func(*args, evaluate=False)


def _env(tape, values):
    return {tape.symbols[name]: v for name, v in values.items()}


def _check(value, name, where, source):
    """Refuse non-finite, complex or runaway exact values, naming the quantity."""
    if value.has(*_BAD):
        raise ComputationError(f"{name} is not finite {where} (a division by zero or log(0)?)",
                               source=source, key=name)
    if value.has(sp.I):
        raise ComputationError(f"{name} is not a real number {where} (log of a negative value?)",
                               source=source, key=name)
    if value.is_Rational and max(abs(value.p).bit_length(), value.q.bit_length()) > MAX_DIGITS * 3.33:
        raise ComputationError(
            f"{name} has grown past {MAX_DIGITS} exact digits {where}; use fewer steps",
            source=source, key=name)
    return value


def forward(tape, leaf_values, where="", source=None):
    """Every node's exact value, given the leaves' values (name → value)."""
    values = dict(leaf_values)
    env = _env(tape, values)
    for node in tape.nodes:
        value = _check(substitute(node.expr, env), node.name, where, source)
        values[node.name] = value
        env[tape.symbols[node.name]] = value
    return values


def backward(tape, values, where="", source=None):
    """Adjoints of every node and leaf: name → Adjoint (with its consumer terms)."""
    env = _env(tape, values)
    terms = {name: [] for name in list(tape.leaves) + [n.name for n in tape.nodes]}
    adjoint = {tape.loss: sp.Integer(1)}
    for node in reversed(tape.nodes):
        g = adjoint.get(node.name)
        if g is None:
            g = adjoint[node.name] = sp.Add(*[t.contribution for t in terms[node.name]])
        # go one input at a time and apply the chain rule
        for name, partial in node.partials:
            local = _check(substitute(partial, env), f"∂{node.name}/∂{name}", where, source)
            terms[name].append(Term(node.name, node.adjoint, partial, local, g * local))
    result = {}
    for name, ts in terms.items():
        if name == tape.loss:
            continue
        value = adjoint.get(name)
        if value is None:
            value = sp.Add(*[t.contribution for t in ts])
        label = tape.leaves[name].adjoint if name in tape.leaves else tape.node(name).adjoint
        result[name] = Adjoint(label, name, tuple(reversed(ts)), _check(value, label, where, source))
    return result


def _step(tape, problem, params, number, data):
    where = f"at step {number}" if problem.steps > 1 else ""
    values = forward(tape, {**data, **params}, where, problem.source)
    adjoints = backward(tape, values, where, problem.source)
    gradients = {l.name: adjoints[l.name].value for l in tape.reported}
    after = {}
    if number <= problem.steps:
        lr = problem.learning_rate
        for leaf in tape.params:
            new = params[leaf.name] - lr * gradients[leaf.name] if leaf.updated else params[leaf.name]
            after[leaf.name] = _check(new, naming.updated(leaf.name), where, problem.source)
    node_values = {n.name: values[n.name] for n in tape.nodes}
    return Step(number, dict(params), node_values, values[tape.loss], adjoints, gradients, after)


def solve(problem):
    """Solve `problem` exactly: every step's forward pass, adjoints, gradients and
    update, then the forward pass after the last update."""
    tape = build_tape(problem)
    params = {l.name: l.value for l in tape.params}
    data = {l.name: l.value for l in tape.leaves.values() if l.kind != "param"}
    steps = []
    for number in range(1, max(problem.steps, 1) + 1):
        step = _step(tape, problem, params, number, data)
        steps.append(step)
        params = step.params_after or params
    final = None
    if problem.steps >= 1:
        values = forward(tape, {**data, **params}, "after the last update", problem.source)
        final = Forward(dict(params), {n.name: values[n.name] for n in tape.nodes}, values[tape.loss])
    return Solution(problem, tape, tuple(steps), final)
