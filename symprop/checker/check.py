"""Checking hand-computed answers exactly, and naming the mistake.

For every answer, in worksheet order:
- exact: equal, as numbers, to the true value;
- rounded: the true value rounded to the decimals the person gave, or the value
  recomputed from their own (correctly rounded) earlier answers;
- carried_forward: wrong, but right when recomputed from their own earlier
  wrong answers (one early slip is not marked wrong ten times);
- wrong: with a diagnosis when recomputing with a known mistake injected
  (mistakes.py: updated weights in the backward pass, σ′ from z, a dropped
  factor 2, ...) gives their number.

The checker reads the Solution only: its numbered items, its values, and the
tape's equations and quantities it carries; nothing is solved or differentiated
here but the first-order rounding bound of `_spread`.
"""

from decimal import Decimal

import sympy as sp

from .. import budget
from ..core.arith import add, mul, substitute
from ..model.numeric import decimal
from ..core.solution import Solution
from ..errors import AnswerFileError
from .answers import Given, parse_answer
from .mistakes import MISTAKES, Definitions, symbol as _sym
from .reasons import correct_text, reason as _reason
from .report import Report, Result

__all__ = ["check", "Report", "Result", "MISTAKES"]


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
    if not isinstance(solution, Solution):
        raise TypeError(f"check() marks answers against a Solution (symprop.solve(problem)), "
                        f"not a {type(solution).__name__}")
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
    defs = Definitions(solution)
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
        why = _why(name, g, correct, defs, own, given, items, diagnosis) if verdict == "wrong" else None
        results.append(Result(items[name][0], name, g, correct, verdict, diagnosis, mistake,
                              why, correct_text(correct, g)))
    return Report(solution, tuple(results))


def _why(name, g, correct, defs, own, given, items, diagnosis):
    """The Reason of a wrong answer: what the person's own earlier answers give for this
    quantity by its (correct) definition, or the correct value where none of theirs feed it."""
    inputs = sorted(_upstream(defs, name, given), key=lambda n: items[n][0])
    value = None
    if inputs:
        value = _recompute(defs.definition(name), {_sym(n): v for n, v in own.items()})
    if value is None:
        value, inputs = correct, []
    return _reason(name, g, value, [(n, given[n]) for n in inputs], diagnosis)


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


def _propagate(defs, truth, mistake, evaluate=None):
    """The whole solution recomputed with one mistake made everywhere it can be made.
    evaluate(definition, env): exact by default; the exam's alternatives pass their
    50-digit evaluator for nets with closed forms."""
    evaluate = evaluate or _recompute
    env = {_sym(n): v for n, v in truth.items()}
    out = {}
    for _, _, name, _ in defs.s.items():
        value = evaluate(defs.definition(name, mistake), env)
        if value is None:
            value = truth[name]
        out[name] = env[_sym(name)] = value
    return out


def _recompute(expr, env):
    if expr is None:
        return None
    try:
        value = substitute(expr, env)
        if not value.is_Rational:
            decimal(value, 6)      # beyond the magnitude limit (σ of a wild 1e30): no value
        return value
    except Exception as exc:   # a mistaken definition can divide by zero; it just does not match
        if isinstance(exc, budget.LimitError) and exc.limit == "time":
            raise
        return None
