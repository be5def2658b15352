"""The engine: a forward pass, a short reverse sweep, a gradient step; repeated.

The reverse sweep is the chain rule one node at a time: walking the tape
backwards, every node passes adjoint · ∂node/∂input to each of its inputs, so
an input's adjoint is the sum over its consumers. At a pre-activation z that
sum is δ = ∂L/∂a · f′(z), and at an activation a it is Σ_k W_kj δ_k: the δ
recursion falls out of the sweep instead of being coded beside it.
"""

import functools

import sympy as sp

from .. import budget
from ..model import naming
from ..model import numeric
from .arith import add, is_symbolic, mul, substitute   # re-exported: engine.substitute etc. still work
from ..errors import ComputationError, PrecisionError
from ..model.losses import LOSSES
from .solution import Adjoint, Forward, Solution, Step, Term
from .tape import build_tape, with_values

__all__ = ["solve", "forward", "backward", "substitute", "add", "mul", "is_symbolic"]


def _env(tape, values):
    return {tape.symbols[name]: v for name, v in values.items()}


def _check(value, name, where, source):
    """Refuse non-finite, complex, too large or runaway exact values (and symbolic
    values beyond the budget), naming the quantity. Decimals are certified where they
    are printed: certifying every intermediate here would run SymPy's equals(0) on
    each closed form that is exactly 0 by cancellation."""
    budget.tick(source)
    at = f" {where}" if where else ""
    if value.is_Rational:
        limit = budget.current().exact_digits
        bound = _power_of_ten(limit)
        if abs(value.p) >= bound or value.q >= bound:
            raise budget.fail("exact_digits", f"more than {limit:,} exact digits{at}",
                              source=source, key=name)
        return value
    try:
        numeric.check(value)
        if numeric.is_symbolic(value):
            limit = budget.current().symbolic
            if numeric.tree_size(value, limit + 1) > limit:
                raise budget.fail("symbolic", f"a symbolic value of more than {limit:,} nodes")
    except numeric.Invalid as exc:
        reason = {"not a real number": "is not a real number"}.get(str(exc), "is not finite")
        detail = "" if str(exc) in reason else f" ({exc})"
        raise ComputationError(f"{name} {reason}{at}{detail}", source=source, key=name) from None
    except (PrecisionError, budget.LimitError) as exc:
        if where and exc.key is None:
            exc.message = f"{where}: {exc.message}"
        raise exc.at(source=source, key=name) from None
    return value


@functools.lru_cache(maxsize=8)
def _power_of_ten(n):
    return 10 ** n


def _check_domain(tape, node, values, loss, where, source):
    """A loss defined only for some outputs (bce: 0 < a < 1) refuses the others by name,
    before log(1 − a) of an output of 2 turns into a complex number."""
    lo, hi = loss.domain
    for name, _ in node.partials:
        leaf = tape.leaves.get(name)
        if leaf is not None and leaf.kind == "target":
            continue
        v = values[name]
        if numeric.is_symbolic(v):
            continue
        below = sp.Add(v, -lo, evaluate=False)
        above = sp.Add(hi, sp.Mul(-1, v, evaluate=False), evaluate=False) if hi is not None else None
        if numeric.sign(below) <= 0 or (above is not None and numeric.sign(above) <= 0):
            shown = numeric.decimal(v, 6) if not v.is_Rational else str(v)
            inside = f"({lo}, {hi})" if hi is not None else f"({lo}, ∞)"
            at = f" {where}" if where else ""
            raise ComputationError(
                f"loss '{loss.name}' needs every output in {inside}, but {name} = {shown}{at}; "
                f"use an output activation with that range ({loss.domain_hint})",
                source=source, key="loss")


def forward(tape, leaf_values, where="", source=None, symbolic=False, loss=None):
    """Every node's exact value, given the leaves' values (name → value). `loss`: the
    loss's name, whose domain (bce: outputs in (0, 1)) is checked before it is computed."""
    values = dict(leaf_values)
    env = _env(tape, values)
    record = LOSSES.get(loss)
    for node in tape.nodes:
        per_sample = node.kind in ("loss", "sample_loss") and node.sample is not None
        if record is not None and record.domain and per_sample:
            _check_domain(tape, node, values, record, where, source)
        value = _check(substitute(node.expr, env, symbolic), node.name, where, source)
        values[node.name] = value
        env[tape.symbols[node.name]] = value
    return values


def backward(tape, values, where="", source=None, symbolic=False):
    """Adjoints of every node and leaf: name → Adjoint (with its consumer terms)."""
    env = _env(tape, values)
    terms = {name: [] for name in list(tape.leaves) + [n.name for n in tape.nodes]}
    adjoint = {tape.loss: sp.Integer(1)}
    for node in reversed(tape.nodes):
        g = adjoint.get(node.name)
        if g is None:
            g = adjoint[node.name] = add(*[t.contribution for t in terms[node.name]], symbolic=symbolic)
        # go one input at a time and apply the chain rule
        for name, partial in node.partials:
            local = _check(substitute(partial, env, symbolic), f"∂{node.name}/∂{name}", where, source)
            terms[name].append(Term(node.name, node.adjoint, partial, local,
                                    mul(g, local, symbolic=symbolic)))
    result = {}
    for name, ts in terms.items():
        if name == tape.loss:
            continue
        value = adjoint.get(name)
        if value is None:
            value = add(*[t.contribution for t in ts], symbolic=symbolic)
        label = tape.leaves[name].adjoint if name in tape.leaves else tape.node(name).adjoint
        result[name] = Adjoint(label, name, tuple(reversed(ts)), _check(value, label, where, source))
    return result


def _step(tape, problem, params, number, data, symbolic):
    where = f"at step {number}" if problem.steps > 1 else ""
    values = forward(tape, {**data, **params}, where, problem.source, symbolic, problem.loss)
    adjoints = backward(tape, values, where, problem.source, symbolic)
    gradients = {l.name: adjoints[l.name].value for l in tape.reported}
    after = {}
    if number <= problem.steps:
        lr = problem.learning_rate
        for leaf in tape.params:
            step = mul(-1, lr, gradients[leaf.name], symbolic=symbolic)
            new = add(params[leaf.name], step, symbolic=symbolic) if leaf.updated else params[leaf.name]
            after[leaf.name] = _check(new, naming.updated(leaf.name), where, problem.source)
    node_values = {n.name: values[n.name] for n in tape.nodes}
    return Step(number, dict(params), node_values, values[tape.loss], adjoints, gradients, after)


def solve(problem, tape=None):
    """Solve `problem` exactly: every step's forward pass, adjoints, gradients and
    update, then the forward pass after the last update. `tape`: the tape of a
    problem of the same structure, reused with this problem's values.

    Runs within the budget (symprop.budget): sizes, digits and wall time."""
    with budget.session():
        try:
            return _solve(problem, tape)
        except RecursionError:
            raise ComputationError(
                "the exact expressions nest too deeply for Python's recursion limit; "
                + ("use fewer steps" if problem.steps > 1 else "use a smaller network"),
                source=problem.source, key="steps" if problem.steps > 1 else None) from None


def _solve(problem, tape):
    tape = build_tape(problem) if tape is None else with_values(tape, problem)
    params = {l.name: l.value for l in tape.params}
    data = {l.name: l.value for l in tape.leaves.values() if l.kind != "param"}
    symbolic = is_symbolic(problem)
    steps = []
    for number in range(1, max(problem.steps, 1) + 1):
        step = _step(tape, problem, params, number, data, symbolic)
        steps.append(step)
        params = step.params_after or params
    final = None
    if problem.steps >= 1:
        values = forward(tape, {**data, **params}, "after the last update", problem.source, symbolic,
                         problem.loss)
        final = Forward(dict(params), {n.name: values[n.name] for n in tape.nodes}, values[tape.loss])
    return Solution(problem, tape, tuple(steps), final)
