"""The engine: a forward pass, a short reverse sweep, a gradient step; repeated.

The reverse sweep is the chain rule one node at a time: walking the tape
backwards, every node passes adjoint · ∂node/∂input to each of its inputs, so
an input's adjoint is the sum over its consumers. At a pre-activation z that
sum is δ = ∂L/∂a · f′(z), and at an activation a it is Σ_k W_kj δ_k: the δ
recursion falls out of the sweep instead of being coded beside it.
"""

import functools

import sympy as sp
from sympy.core.relational import Relational
from sympy.functions.elementary.piecewise import ExprCondPair
from sympy.logic.boolalg import BooleanAtom

from .. import budget
from ..model import naming
from . import numeric
from ..errors import ComputationError, PrecisionError
from ..model.losses import LOSSES
from .solution import Adjoint, Forward, Solution, Step, Term
from .tape import build_tape, with_values

__all__ = ["solve", "forward", "backward", "substitute"]


def substitute(expr, env, symbolic=False):
    """expr with symbols replaced by their values (env: Symbol → value), evaluated.

    Rational arguments are evaluated exactly, so ReLU/polynomial nets give
    Rationals. A closed form (anything with exp, log, tanh of an irrational
    argument) is built unevaluated: values share subexpressions, and SymPy's
    automatic simplification would walk them as trees. Branches and signs
    (ReLU's Piecewise, abs, max, sign) are decided with certified interval
    signs. With symbols in the problem, SymPy evaluates as usual.
    """
    if expr in env:
        return env[expr]
    if not expr.args:
        return expr
    args = [substitute(a, env, symbolic) for a in expr.args]
    if not symbolic and (expr.is_Mul or expr.is_Add):
        zeros = [a for a in args if a.is_Rational and a == 0]
        if zeros and expr.is_Mul:
            return sp.Integer(0)            # 0·σ(1/2) is 0, not a closed form
        args = [a for a in args if a not in zeros] or [sp.Integer(0)]
    if symbolic or all(isinstance(a, (sp.Rational, BooleanAtom)) for a in args):
        return expr.func(*args)
    if isinstance(expr, Relational):
        return _compare(expr, numeric.sign(sp.Add(args[0], sp.Mul(-1, args[1], evaluate=False),
                                                  evaluate=False)))
    if isinstance(expr, (sp.Piecewise, ExprCondPair)):
        return expr.func(*args)             # the conditions are True/False by now
    if isinstance(expr, (sp.Abs, sp.sign, sp.Heaviside, sp.Max, sp.Min)):
        return _decide(expr, args)
    return expr.func(*args, evaluate=False)


def add(*terms, symbolic=False):
    """A sum: exact when every term is rational (or symbolic), unevaluated otherwise."""
    terms = [t for t in terms if t != 0]
    if not terms:
        return sp.Integer(0)
    if symbolic or all(isinstance(t, sp.Rational) for t in terms):
        return sp.Add(*terms)
    return terms[0] if len(terms) == 1 else sp.Add(*terms, evaluate=False)


def mul(*factors, symbolic=False):
    """A product, evaluated like `add`; 0 as soon as a factor is 0."""
    factors = [f if isinstance(f, sp.Basic) else sp.Integer(f) for f in factors]
    if any(f == 0 for f in factors):
        return sp.Integer(0)
    factors = [f for f in factors if f != 1]
    if not factors:
        return sp.Integer(1)
    if symbolic or all(isinstance(f, sp.Rational) for f in factors):
        return sp.Mul(*factors)
    return factors[0] if len(factors) == 1 else sp.Mul(*factors, evaluate=False)


def _compare(rel, s):
    return sp.true if {"<": s < 0, "<=": s <= 0, ">": s > 0, ">=": s >= 0, "==": s == 0,
                       "!=": s != 0}[rel.rel_op] else sp.false


def _decide(expr, args):
    """abs, sign, Heaviside, max, min of closed forms, by certified signs."""
    if isinstance(expr, sp.Abs):
        return args[0] if numeric.sign(args[0]) >= 0 else sp.Mul(-1, args[0], evaluate=False)
    if isinstance(expr, sp.sign):
        return sp.Integer(numeric.sign(args[0]))
    if isinstance(expr, sp.Heaviside):
        s = numeric.sign(args[0])
        return sp.Integer(1) if s > 0 else sp.Integer(0) if s < 0 else \
            (args[1] if len(args) > 1 else sp.Rational(1, 2))
    best = args[0]
    for a in args[1:]:
        s = numeric.sign(sp.Add(a, sp.Mul(-1, best, evaluate=False), evaluate=False))
        if (s > 0) == isinstance(expr, sp.Max) and s != 0:
            best = a
    return best


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


def is_symbolic(problem):
    """True when any given value (or the learning rate) is a symbol or contains one."""
    tape_values = [v for _, v in problem.params]
    for s in problem.samples:
        for _, v in s.inputs:
            tape_values.extend(v if isinstance(v, tuple) else [v])
        tape_values.extend(s.target or ())
    if problem.is_layered:
        for layer in problem.network.layers:
            tape_values.extend(w for row in layer.weights for w in row)
            tape_values.extend(layer.bias or ())
    if problem.learning_rate is not None:
        tape_values.append(problem.learning_rate)
    return any(v.free_symbols for v in tape_values)


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
