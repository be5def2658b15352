"""Checking hand-computed answers exactly, and naming the mistake.

For every answer, in worksheet order:
- exact: equal, as numbers, to the true value;
- rounded: the true value rounded to the decimals the person gave, or the value
  recomputed from their own (correctly rounded) earlier answers;
- carried_forward: wrong, but right when recomputed from their own earlier
  wrong answers (one early slip is not marked wrong ten times);
- wrong: with a diagnosis when recomputing with a known mistake injected
  (updated weights in the backward pass, σ′ from z, a dropped factor 2, ...)
  gives their number.

Each quantity's one-step definition (z from W, a and b; δ from the consumers'
δ; w′ from w and its gradient) is built from the tape as an expression over
flat names, so recomputing "from their own values" is a substitution.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Optional

import sympy as sp

from .. import budget
from ..model import naming
from .answers import Given, parse_answer
from ..core.arith import add, mul, substitute
from ..errors import AnswerFileError
from ..model.functions import ACTIVATIONS, Conventions
from ..core.numeric import decimal
from ..core.solution import value_json

__all__ = ["check", "Report", "Result", "MISTAKES"]

MISTAKES = {
    "updated_weights": "back-propagated through the already-updated weights of a later layer "
                       "(use the weights from before the update)",
    "relu_convention": "ReLU′(0) taken with the other convention (the problem says ReLU′(0) = {c})",
    "no_activation_derivative": "the activation derivative f′(z) was left out of δ",
    "sigma_from_z": "σ′ was computed from z, as z(1 − z), instead of a(1 − a) with a = σ(z)",
    "sigma_not_derivative": "σ′(z) was taken as σ(z) instead of σ(z)(1 − σ(z))",
    "sign_flipped": "the sign is flipped: (y − ŷ) where the derivative of the loss needs (ŷ − y)",
    "factor_half": "a factor 2 is missing (½·SSE and SSE mixed up: the derivative of (ŷ − y)² "
                   "is 2(ŷ − y))",
    "factor_double": "a factor 2 too many (½·SSE and SSE mixed up: ½(ŷ − y)² has the derivative "
                     "ŷ − y, and the ½ belongs in the loss)",
    "w_not_transposed": "W was used instead of Wᵀ when propagating δ back (w_jk instead of w_kj)",
    "z_for_a": "z was used where the activation a belongs (the activation was forgotten)",
    "bias_left_out": "the bias was left out of z",
    "lr_added": "the learning-rate step was added instead of subtracted (w + η·∂L/∂w)",
    "target_is_output": "the loss compares the output with itself (the target was replaced by the "
                        "rounded output), so it came out 0",
}


@dataclass(frozen=True)
class Result:
    number: int
    name: str
    given: Given
    correct: sp.Expr
    verdict: str                   # exact | rounded | carried_forward | wrong
    diagnosis: Optional[str] = None
    mistake: Optional[str] = None  # the key in MISTAKES that explains a wrong answer


@dataclass(frozen=True)
class Report:
    solution: object
    results: tuple

    def summary(self):
        counts = {v: 0 for v in ("exact", "rounded", "carried_forward", "wrong")}
        for r in self.results:
            counts[r.verdict] += 1
        return {**counts, "total": len(self.results)}

    @property
    def ok(self):
        return all(r.verdict != "wrong" for r in self.results)

    def to_json(self):
        return {
            "results": [{"name": r.name, "given": r.given.text, "correct": value_json(r.correct),
                         "verdict": r.verdict, "diagnosis": r.diagnosis, "mistake": r.mistake}
                        for r in self.results],
            "summary": self.summary(),
        }

    def __str__(self):
        from ..render.printing import short_value

        rows = [("No.", "quantity", "yours", "correct", "verdict")]
        for r in self.results:
            digits = max(8, len(r.given.text.replace("-", "").replace(".", "").lstrip("0")) + 2)
            rows.append((str(r.number), r.name, r.given.text, short_value(r.correct, digits).rstrip("…"),
                         r.verdict.replace("_", " ")))
        widths = [max(len(row[i]) for row in rows) for i in range(5)]
        lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows]
        lines.insert(1, "  ".join("-" * w for w in widths))
        for r in self.results:
            if r.diagnosis:
                lines.append(f"({r.number}) {r.name}: {r.diagnosis}")
        s = self.summary()
        lines.append(f"{s['exact']} exact, {s['rounded']} rounded, {s['carried_forward']} carried "
                     f"forward, {s['wrong']} wrong (of {s['total']})")
        return "\n".join(lines) + "\n"


def _sym(name):
    return sp.Symbol(name, real=True)


class _Definitions:
    """One-step definitions of every quantity, over flat names; optionally with a mistake."""

    def __init__(self, solution):
        self.s = solution
        self.tape = solution.tape
        self.items = {name: (number, section) for number, section, name, _ in solution.items()}

    def _leaf(self, leaf, step, final, mistake):
        """A leaf's value in the equations of `step`: a given constant or a previous update."""
        if leaf.kind == "param" and leaf.updated:
            last = len(self.s.steps)
            before = last if final else step - 1
            if before >= 1:
                return _sym(naming.step_prefix(before) + naming.updated(leaf.name))
        if mistake == "bias_left_out" and leaf.name.startswith("b") and self.s.problem.is_layered:
            return sp.Integer(0)
        return leaf.value

    def _map(self, step, final=False, mistake=None, updated=False):
        pre = naming.FINAL if final else naming.step_prefix(step)
        out = {}
        for name, leaf in self.tape.leaves.items():
            value = self._leaf(leaf, step, final, mistake)
            if updated and leaf.kind == "param" and leaf.updated:
                value = _sym(naming.step_prefix(step) + naming.updated(leaf.name))
            out[self.tape.symbols[name]] = value
        for node in self.tape.nodes:
            out[self.tape.symbols[node.name]] = _sym(pre + self.s.flat(node.name))
        return out

    def forward(self, node, step, final=False, mistake=None):
        if mistake == "z_for_a" and node.kind == "a":
            (inp, _), = node.partials
            return self._map(step, final)[self.tape.symbols[inp]]
        if mistake == "target_is_output" and node.name == self.tape.loss:
            return sp.Integer(0)
        if mistake in ("factor_half", "factor_double") and node.kind == "loss":
            factor = sp.Rational(1, 2) if mistake == "factor_half" else 2
            return factor * node.expr.xreplace(self._map(step, final))
        return node.expr.xreplace(self._map(step, final, mistake))

    def adjoint(self, of, step, mistake=None):
        pre = naming.step_prefix(step)
        terms = []
        for node in self.tape.nodes:
            for inp, partial in node.partials:
                if inp != of:
                    continue
                local = self._partial(node, inp, partial, step, mistake)
                if node.name == self.tape.loss:
                    terms.append(local)
                else:
                    terms.append(_sym(pre + node.adjoint) * local)
        return sp.Add(*terms)

    def _partial(self, node, inp, partial, step, mistake):
        tape, base = self.tape, self.s.problem.index_base
        mapping = self._map(step, updated=(mistake == "updated_weights" and node.kind == "z"))
        z_of = lambda: mapping[tape.symbols[inp]]
        activation = self._activation(node)
        if node.kind == "a" and mistake == "no_activation_derivative":
            return sp.Integer(1)
        if node.kind == "a" and activation == "sigmoid" and mistake == "sigma_from_z":
            return z_of() * (1 - z_of())
        if node.kind == "a" and activation == "sigmoid" and mistake == "sigma_not_derivative":
            return mapping[tape.symbols[node.name]]
        if node.kind == "a" and activation and activation != "softmax" and mistake != "relu_convention":
            # as a hand solution writes it: σ′ = a(1 − a) from the unit's own (rounded) a
            z = z_of()
            return ACTIVATIONS[activation].derivative(z, mapping[tape.symbols[node.name]],
                                                      self.s.problem.conventions)
        if node.kind == "a" and activation in ("relu", "leaky_relu") and mistake == "relu_convention":
            conv = self.s.problem.conventions
            flipped = Conventions(1 - conv.relu_derivative_at_zero, conv.leaky_slope)
            z = sp.Symbol("z", real=True)
            d = sp.diff(ACTIVATIONS[activation].elementary([z], flipped), z)
            return d.subs(z, z_of())
        if node.name == tape.loss and node.kind in ("loss",) and mistake in ("sign_flipped", "factor_half",
                                                                             "factor_double"):
            factor = {"sign_flipped": -1, "factor_half": sp.Rational(1, 2), "factor_double": 2}[mistake]
            return factor * partial.xreplace(mapping)
        if node.kind == "z" and mistake == "w_not_transposed" and inp not in tape.leaves:
            source = tape.node(inp)
            swapped = naming.weight(node.layer, source.unit, node.unit, base)
            if swapped in tape.symbols:
                return mapping[tape.symbols[swapped]]
            return None
        if node.kind == "z" and mistake == "z_for_a" and inp in tape.leaves and node.layer and node.layer > 1:
            k = partial                                   # ∂z/∂W = a of the layer below ...
            if isinstance(k, sp.Symbol) and k.name.startswith(f"a{node.layer - 1}["):
                return mapping[tape.symbols[k.name.replace("a", "z", 1)]]   # ... taken as its z
        return partial.xreplace(mapping)

    def _activation(self, node):
        p = self.s.problem
        if node.kind != "a" or not p.is_layered:
            return None
        return p.network.layers[node.layer - 1].activation

    def definition(self, name, mistake=None):
        """The expression of a flat name over other flat names (None if it has none)."""
        tape = self.tape
        number, (section, step) = self.items[name]
        pre = naming.FINAL if section == "final" else naming.step_prefix(step or 1)
        bare = name[len(pre):]
        if section in ("forward", "final"):
            node = next(n for n in tape.nodes if self.s.flat(n.name) == bare)
            return self.forward(node, step or len(self.s.steps), section == "final", mistake)
        if section in ("backward", "gradients"):
            of = next((n.name for n in tape.nodes if n.adjoint == bare),
                      None) or next(l.name for l in tape.leaves.values() if l.adjoint == bare)
            try:
                return self.adjoint(of, step, mistake)
            except TypeError:
                return None
        if section == "update":
            leaf = tape.leaves[bare[:-1]]
            eta = self.s.problem.learning_rate
            before = self._map(step)[tape.symbols[leaf.name]]
            grad = _sym(naming.step_prefix(step) + leaf.adjoint)
            sign = 1 if mistake == "lr_added" else -1
            return before + sign * eta * grad
        return None


def _within(given, value, slack):
    """|given − value| ≤ slack, decided on certified decimals."""
    diff = decimal(add(value, mul(-1, given.value)), 30)
    return diff is not None and abs(Decimal(diff)) <= Decimal(slack.p) / Decimal(slack.q)


def _equal(a, b):
    """Equal as numbers (rationals exactly, closed forms to 30 certified digits)."""
    if a.is_Rational and b.is_Rational:
        return a == b
    return decimal(a, 30) == decimal(b, 30)


def _aliases(name):
    import re

    m = re.match(r"^(.*)dL/dz(\d+)\[(.+)\]$", name)
    if m:
        return f"{m[1]}delta{m[2]}[{m[3]}]"
    return name[len("step1."):] if name.startswith("step1.") else name


def check(solution, answers):
    """Mark `answers` ({name: Given or raw value}) against `solution`; a Report."""
    with budget.session():
        return _check(solution, answers)


def _check(solution, answers):
    from ..core.solution import Solution

    if not isinstance(solution, Solution):
        from ..core.engine import solve

        solution = solve(solution)
    items = {name: (number, value) for number, _, name, value in solution.items()}
    given, written = {}, {}
    for raw_name, g in answers.items():
        name = _aliases(raw_name)
        if name not in items:
            known = ", ".join(list(items)[:40])
            raise AnswerFileError(f"unknown quantity '{raw_name}'; the solution has: {known}"
                                  + (", …" if len(items) > 40 else ""), key=f"answers.{raw_name}")
        if name in given:
            raise AnswerFileError(f"{name} is given twice, as '{written[name]}' and as '{raw_name}' "
                                  "(dL/dz is delta)", key=f"answers.{raw_name}")
        written[name] = raw_name
        given[name] = g if isinstance(g, Given) else parse_answer(g, name)
    defs = _Definitions(solution)
    truth = {name: value for name, (_, value) in items.items()}
    cache = {}

    def mistaken(mistake):
        if mistake not in cache:
            cache[mistake] = _propagate(defs, truth, mistake)
        return cache[mistake]

    own, spread = _own_values(defs, truth, given)
    verdicts, results = {}, []
    for name in sorted(given, key=lambda n: items[n][0]):
        g, correct = given[name], truth[name]
        verdict, mistake = _judge(name, g, correct, defs, own, spread, given, verdicts, solution,
                                  mistaken)
        verdicts[name] = verdict
        diagnosis = MISTAKES[mistake].format(c=solution.problem.relu_derivative_at_zero) if mistake else None
        results.append(Result(items[name][0], name, g, correct, verdict, diagnosis, mistake))
    return Report(solution, tuple(results))


def _own_values(defs, truth, given):
    """The person's solution as far as their answers imply it: each quantity they gave,
    and each one they did not, recomputed from theirs; with a first-order bound of how
    far their rounding can move each (Σ |∂/∂input| · that input's rounding)."""
    own, spread, env = {}, {}, {_sym(n): v for n, v in truth.items()}
    for _, _, name, _ in defs.s.items():
        if name in given:
            value = given[name].value
            exact = given[name].ulp is None or _equal(value, truth[name])
            spread[name] = sp.Integer(0) if exact else given[name].ulp / 2
        else:
            definition = defs.definition(name)
            value = _recompute(definition, env)
            if value is None:
                value = truth[name]
            spread[name] = _spread(definition, spread, env)
        own[name] = env[_sym(name)] = value
    return own, spread


def _spread(definition, spread, env):
    """Σ |∂definition/∂x| · spread(x) over the inputs with a nonzero spread."""
    if definition is None:
        return sp.Integer(0)
    total = sp.Integer(0)
    for symbol in definition.free_symbols:
        s = spread.get(symbol.name)
        if not s:
            continue
        slope = _recompute(sp.diff(definition, symbol), env)
        mag = decimal(slope, 6) if slope is not None else None
        if mag is not None:
            total += abs(sp.Rational(mag)) * s * sp.Rational(11, 10)
    return total


def _judge(name, g, correct, defs, own, spread, given, verdicts, solution, mistaken):
    if _equal(g.value, correct):
        return "exact", None
    half = g.ulp / 2 if g.ulp is not None else None
    if half is not None and _within(g, correct, half):
        return "rounded", None
    env = {_sym(n): v for n, v in own.items()}
    definition = defs.definition(name)
    upstream = _upstream(defs, name, given)
    slack = (half or 0) + _spread(definition, spread, env)
    close = lambda value: value is not None and (
        _equal(g.value, value) or (slack > 0 and _within(g, value, slack)))
    if upstream and close(_recompute(definition, env)):
        fine = all(verdicts.get(n) in ("exact", "rounded") for n in upstream)
        return ("rounded" if fine else "carried_forward"), None
    # a mistake made in this very step explains best; one made upstream, carried down, next
    for where in ("here", "upstream"):
        for mistake in MISTAKES:
            v = (_recompute(defs.definition(name, mistake), env) if where == "here"
                 else mistaken(mistake).get(name))
            if v is not None and not _equal(v, correct) and close(v):
                return "wrong", mistake
    return "wrong", None


def _upstream(defs, name, given):
    """The person's answers this quantity depends on, through quantities they did not give."""
    seen, stack, found = set(), [name], []
    while stack:
        definition = defs.definition(stack.pop())
        for symbol in (definition.free_symbols if definition is not None else ()):
            n = symbol.name
            if n in seen or n not in defs.items:
                continue
            seen.add(n)
            (found if n in given else stack).append(n)
    return found


def _propagate(defs, truth, mistake):
    """The whole solution recomputed with one mistake made everywhere it can be made."""
    env = {_sym(n): v for n, v in truth.items()}
    out = {}
    for _, _, name, _ in defs.s.items():
        value = _recompute(defs.definition(name, mistake), env)
        if value is None:
            value = truth[name]
        out[name] = env[_sym(name)] = value
    return out


def _recompute(expr, env):
    if expr is None:
        return None
    try:
        return substitute(expr, env)
    except Exception as exc:   # a mistaken definition can divide by zero; it just does not match
        if isinstance(exc, budget.LimitError) and exc.limit == "time":
            raise
        return None
