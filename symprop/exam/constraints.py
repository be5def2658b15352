"""[randomize.constraints]: what every exam variant must satisfy, read and tested.

Each constraint is of its own type, refused when it is not, never coerced
("false" is not false, 1.5 is not a denominator):

    dead_relu       "none" | "at_least_one" | "any": ReLU-like units with z ≤ 0
    allow_kinks     true/false: may a ReLU-like argument be exactly 0
    max_denominator a whole number: every exact answer's denominator at most this
    max_abs         a number ≥ 0: every answer at most this in absolute value
    loss_decreases  true/false: does the update lower the loss (Solution.loss_change;
                    refused for loss "none", whose output is not a loss)
    alive_after_update  true/false (default false: not checked): must every hidden layer of
                    ReLU-like units keep a unit that passes gradient after the last update
                    (Solution.dead_after_update); nothing to check without an update

ReLU-like is the registry's `relu_like` (model/functions.py): the argument of
every such application on the tape is found once per exam and evaluated per
candidate from the Solution's first step.
"""

from decimal import Decimal

import sympy as sp

from ..core.arith import substitute
from ..model.numeric import decimal
from ..model.losses import LOSSES
from .randomize import fail, number

__all__ = ["read_constraints", "relu_arguments", "failures", "CONSTRAINTS"]

CONSTRAINTS = {"dead_relu", "max_denominator", "max_abs", "loss_decreases", "allow_kinks",
               "alive_after_update"}
_DEAD_RELU = ("none", "at_least_one", "any")


def read_constraints(problem):
    """The [randomize.constraints] table, checked: {name: value} (max_abs as a Rational)."""
    raw = ((problem.raw or {}).get("randomize") or {}).get("constraints", {})
    key = "randomize.constraints"
    if not isinstance(raw, dict):
        raise fail(problem, key, "expected a table of constraints")
    unknown = sorted(set(raw) - CONSTRAINTS)
    if unknown:
        raise fail(problem, f"{key}.{unknown[0]}",
                   f"unknown constraint; known: {', '.join(sorted(CONSTRAINTS))}")
    rules = dict(raw)
    if "dead_relu" in raw and raw["dead_relu"] not in _DEAD_RELU:
        raise fail(problem, f"{key}.dead_relu", f"expected one of: {', '.join(_DEAD_RELU)}")
    for name in ("allow_kinks", "loss_decreases", "alive_after_update"):
        if name in raw and not isinstance(raw[name], bool):
            raise fail(problem, f"{key}.{name}",
                       f"expected true or false (without quotes), got {_shown(raw[name])}")
    if "loss_decreases" in raw and not LOSSES[problem.loss].needs_target:
        raise fail(problem, f"{key}.loss_decreases",
                   f"this problem has no loss to go down (loss '{problem.loss}' differentiates "
                   "the output itself)")
    if "max_denominator" in raw:
        v = raw["max_denominator"]
        if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 10**12:
            raise fail(problem, f"{key}.max_denominator",
                       f"expected a whole number from 1 to 10^12, got {_shown(v)}")
    if "max_abs" in raw:
        v = raw["max_abs"]
        if isinstance(v, (bool, str)) or not isinstance(v, (int, Decimal)):
            raise fail(problem, f"{key}.max_abs", f"expected a number, got {_shown(v)}")
        limit = number(problem, f"{key}.max_abs", v)
        if limit < 0:
            raise fail(problem, f"{key}.max_abs", f"expected a number ≥ 0, got {_shown(v)}")
        rules["max_abs"] = limit
    return rules


def _shown(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return f'the string "{v[:40]}"'
    if isinstance(v, (list, dict)):
        return "a list" if isinstance(v, list) else "a table"
    return str(v)[:40]


def relu_arguments(tape, conv):
    """The argument of every ReLU-like application on the tape, in elementary form: a
    layered unit's z, and in a graph every relu(...) wherever it sits in an expression
    (relu(w*x), relu(relu(x)) + 1). Which functions a node applies is the tape's
    record (node.functions), not guessed from names."""
    out = []
    for node in tape.nodes:
        records = {r.name: r for r in node.functions}
        kinked = {name for name, r in records.items() if r.relu_like}
        if not kinked:
            continue

        def elementary(e):           # the display's written functions as SymPy functions
            return e.replace(lambda x: type(x).__name__ in records and not x.is_Symbol,
                             lambda x: records[type(x).__name__].elementary(list(x.args), conv))

        out += [elementary(sub.args[0]) for sub in sp.preorder_traversal(node.display)
                if type(sub).__name__ in kinked]
    return out


def _relu_inputs(solution, arguments):
    """The values of `arguments` (see relu_arguments) in the first step."""
    tape = solution.tape
    env = {tape.symbols[n]: v for n, v in solution.values_at(solution.steps[0]).items()}
    return [env[arg] if arg in env else substitute(arg, env) for arg in arguments]


def failures(solution, rules, arguments):
    """Every constraint a candidate breaks (each tested alone), in a fixed order.
    `arguments`: relu_arguments of the exam's tape."""
    out = []
    z = [v for v in _relu_inputs(solution, arguments) if v is not None]
    dead = [v for v in z if v.is_Rational and v <= 0]
    if not rules.get("allow_kinks", False) and any(v == 0 for v in z):
        out.append("allow_kinks")
    mode = rules.get("dead_relu", "any")
    if (mode == "none" and dead) or (mode == "at_least_one" and not dead):
        out.append("dead_relu")
    values = list(solution.answers().values())
    if "max_denominator" in rules and any(v.is_Rational and v.q > rules["max_denominator"]
                                          for v in values):
        out.append("max_denominator")
    if "max_abs" in rules:
        limit = rules["max_abs"]
        if any((v.is_Rational and abs(v) > limit) or (not v.is_Rational and
                                                      abs(sp.Rational(decimal(v, 6))) > limit)
               for v in values):
            out.append("max_abs")
    change = solution.loss_change() if "loss_decreases" in rules else None   # None: steps = 0
    if change is not None and change.went_down != rules["loss_decreases"]:
        out.append("loss_decreases")
    if rules.get("alive_after_update", False) and solution.dead_after_update:
        out.append("alive_after_update")
    return out
