"""Exam variants: the same exercise with other numbers, drawn fairly and reproducibly.

A problem's [randomize] table says what varies (`[randomize.values]`: a whole
matrix or vector, one element, or a graph parameter/input, each with `choices`
or a `range` and `step`) and what every variant must satisfy
(`[randomize.constraints]`). Candidates are drawn from one random.Random(seed)
and rejected until they pass; the same file, seed and count give the same
variants on any machine.
"""

import copy
import random
import re
from decimal import Decimal
from fractions import Fraction

import sympy as sp

from .. import budget
from ..core.engine import solve
from ..errors import ProblemFileError, SympropError
from ..model.problem import Problem, to_value
from ..core.tape import build_tape

__all__ = ["variants", "draw", "Variant", "problem_toml"]
_CONSTRAINTS = {"dead_relu", "max_denominator", "max_abs", "loss_decreases", "allow_kinks"}


class Variant:
    """One variant: its number, its problem (with values drawn) and its solution."""

    def __init__(self, number, problem, solution):
        self.number, self.problem, self.solution = number, problem, solution


def _fail(problem, key, message):
    return ProblemFileError(message, source=problem.source, key=key)


def _pool(problem, key, spec):
    """The allowed values of one [randomize.values] entry, as exact Rationals."""
    if not isinstance(spec, dict) or set(spec) - {"choices", "range", "step"}:
        raise _fail(problem, key, "expected {choices = [...]} or {range = [lo, hi], step = s}")
    if "choices" in spec:
        values = spec["choices"]
        if not isinstance(values, list) or not values:
            raise _fail(problem, key, "choices must be a non-empty list")
        out = [_number(problem, f"{key}.choices", v) for v in values]
    else:
        rng, step = spec.get("range"), spec.get("step")
        if not (isinstance(rng, list) and len(rng) == 2) or step is None:
            raise _fail(problem, key, "range needs [lo, hi] and a step")
        lo, hi = (_number(problem, f"{key}.range", v) for v in rng)
        step = _number(problem, f"{key}.step", step)
        if step <= 0 or hi < lo:
            raise _fail(problem, key, "range needs lo ≤ hi and a positive step")
        count = int((hi - lo) / step) + 1
        if count > 10_000:
            raise _fail(problem, key, "range has more than 10000 values")
        out = [lo + i * step for i in range(count)]
    return out


def _number(problem, key, raw):
    try:
        value = to_value(raw, allow_symbols=False)
    except SympropError as exc:
        raise exc.at(source=problem.source, key=key) from None
    if not value.is_Rational:
        raise _fail(problem, key, "randomized values must be rational numbers")
    return value


_ELEMENT = re.compile(r"^([A-Za-z]\w*)\[(\d+)(?:,(\d+))?\]$")


def _targets(problem):
    """Where each [randomize.values] key lives in the problem dict: a list of
    (path, ...) slots, each a place a drawn value goes."""
    spec = (problem.raw or {}).get("randomize")
    if spec is None:
        raise _fail(problem, "randomize", "this problem has no [randomize] table")
    if not isinstance(spec, dict) or set(spec) - {"values", "constraints"}:
        raise _fail(problem, "randomize", "expected [randomize.values] and [randomize.constraints]")
    values = spec.get("values", {})
    if not isinstance(values, dict) or not values:
        raise _fail(problem, "randomize.values", "say what varies, e.g. W1 = {choices = [...]}")
    out = []
    for key, entry in values.items():
        where = f"randomize.values.{key}"
        slots = [s for k in _group(problem, key) for s in _slots(problem, where, k)]
        out.append((slots, _pool(problem, where, entry)))
    return out


def _group(problem, key):
    """Group names: weights (every W), biases (every b), inputs (x), targets (y), params."""
    raw = problem.raw
    layers = raw.get("layers") or []
    if key == "weights" and layers:
        return [f"W{l}" for l in range(1, len(layers) + 1)]
    if key == "biases" and layers:
        return [f"b{l}" for l in range(1, len(layers) + 1) if "bias" in layers[l - 1]]
    if key == "inputs" and layers:
        return ["x"]
    if key == "targets":
        if problem.loss == "none":
            raise _fail(problem, f"randomize.values.{key}", "this problem has no targets (loss 'none')")
        return ["y"]
    if key == "params" and "params" in raw:
        return list(raw["params"])
    return [key]


def _slots(problem, where, key):
    raw, base = problem.raw, problem.index_base
    data_key = "samples" if "samples" in raw else "data"
    samples = raw["samples"] if data_key == "samples" else [raw.get("data", {})]
    m = _ELEMENT.match(key)
    name, i, j = (m[1], int(m[2]) - base, int(m[3]) - base if m[3] else None) if m else (key, None, None)
    slots = []
    lm = re.match(r"^([Wb])(\d+)$", name)
    if lm and "layers" in raw:
        l = int(lm[2])
        if not 1 <= l <= len(raw["layers"]):
            raise _fail(problem, where, f"there is no layer {l}")
        field = "weights" if lm[1] == "W" else "bias"
        if field not in raw["layers"][l - 1]:
            raise _fail(problem, where, f"layer {l} has no {field}")
        container = ("layers", l - 1, field)
        slots = _cells(raw["layers"][l - 1][field], container, i, j)
    elif name in ("x", "y") and "layers" in raw:
        if name == "y" and problem.loss == "none":
            raise _fail(problem, where, "this problem has no target y (loss 'none')")
        for p, sample in enumerate(samples):
            prefix = (data_key, p) if data_key == "samples" else (data_key,)
            slots += _cells(sample[name], prefix + (name,), i, j)
    elif "params" in raw and name in raw["params"] and m is None:
        slots = [("params", name)]
    elif m is None and any(name in s for s in samples):
        slots = [((data_key, p) if data_key == "samples" else (data_key,)) + (name,)
                 for p, s in enumerate(samples) if name in s]
    if not slots:
        raise _fail(problem, where, f"'{key}' is not a parameter, matrix, vector or input of this problem")
    return slots


def _cells(value, path, i, j):
    if not isinstance(value, list):
        return [path] if i is None else []
    if value and isinstance(value[0], list):
        rows = range(len(value)) if i is None else [i]
        return [path + (r, c) for r in rows if 0 <= r < len(value)
                for c in (range(len(value[r])) if j is None else [j]) if 0 <= c < len(value[r])]
    return [path + (c,) for c in (range(len(value)) if i is None else [i]) if 0 <= c < len(value)]


def _set(data, path, value):
    for step in path[:-1]:
        data = data[step]
    data[path[-1]] = value


def _toml_value(v):
    """An exact Rational as a TOML value that reads back exactly: an int, an exact
    Decimal (a terminating decimal of at most 40 characters, written as a TOML float),
    or the string "p/q"."""
    if v.is_Integer:
        return int(v)
    p, q = int(v.p), int(v.q)
    twos, fives, rest = 0, 0, q
    while rest % 2 == 0:
        rest //= 2
        twos += 1
    while rest % 5 == 0:
        rest //= 5
        fives += 1
    if rest == 1:
        k = max(twos, fives)
        exact = Decimal(p * 2 ** (k - twos) * 5 ** (k - fives)).scaleb(-k)
        if len(str(exact)) <= 40:
            return exact
    return f"{p}/{q}"


_DEAD_RELU = ("none", "at_least_one", "any")


def _constraints(problem):
    """[randomize.constraints], each of its own type: a string from a list, true/false,
    a whole number, a positive number. Wrong types are refused, never coerced
    ("false" is not false, 1.5 is not a denominator)."""
    raw = ((problem.raw or {}).get("randomize") or {}).get("constraints", {})
    key = "randomize.constraints"
    if not isinstance(raw, dict):
        raise _fail(problem, key, "expected a table of constraints")
    unknown = sorted(set(raw) - _CONSTRAINTS)
    if unknown:
        raise _fail(problem, f"{key}.{unknown[0]}",
                    f"unknown constraint; known: {', '.join(sorted(_CONSTRAINTS))}")
    rules = dict(raw)
    if "dead_relu" in raw and raw["dead_relu"] not in _DEAD_RELU:
        raise _fail(problem, f"{key}.dead_relu", f"expected one of: {', '.join(_DEAD_RELU)}")
    for name in ("allow_kinks", "loss_decreases"):
        if name in raw and not isinstance(raw[name], bool):
            raise _fail(problem, f"{key}.{name}",
                        f"expected true or false (without quotes), got {_shown(raw[name])}")
    if "max_denominator" in raw:
        v = raw["max_denominator"]
        if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 10**12:
            raise _fail(problem, f"{key}.max_denominator",
                        f"expected a whole number from 1 to 10^12, got {_shown(v)}")
    if "max_abs" in raw:
        v = raw["max_abs"]
        if isinstance(v, (bool, str)) or not isinstance(v, (int, Decimal)):
            raise _fail(problem, f"{key}.max_abs", f"expected a number, got {_shown(v)}")
        limit = _number(problem, f"{key}.max_abs", v)
        if limit < 0:
            raise _fail(problem, f"{key}.max_abs", f"expected a number ≥ 0, got {_shown(v)}")
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


def _relu_arguments(tape, conv):
    """The argument of every ReLU-like application on the tape, in elementary form: a
    layered unit's z, and in a graph every relu(...) wherever it sits in an expression
    (relu(w*x), relu(relu(x)) + 1). Found once per exam, evaluated per candidate."""
    from ..model.functions import GRAPH_FUNCTIONS

    def elementary(e):               # the display's written functions as SymPy functions
        return e.replace(lambda x: type(x).__name__ in GRAPH_FUNCTIONS and not x.is_Symbol,
                         lambda x: GRAPH_FUNCTIONS[type(x).__name__].elementary(list(x.args), conv))

    return [elementary(sub.args[0]) for node in tape.nodes
            for sub in sp.preorder_traversal(node.display)
            if type(sub).__name__ in ("relu", "leaky_relu")]


def _relu_inputs(solution, arguments):
    """The values of `arguments` (see _relu_arguments) in the first step."""
    from ..core.arith import substitute

    tape, step = solution.tape, solution.steps[0]
    values = {n: l.value for n, l in tape.leaves.items()}
    values.update(step.params)
    values.update(step.values)
    env = {tape.symbols[n]: v for n, v in values.items()}
    return [env[arg] if arg in env else substitute(arg, env) for arg in arguments]


def _failures(solution, rules, relu_arguments):
    """Every constraint a candidate breaks (each tested alone), in a fixed order."""
    from ..core.numeric import decimal

    out = []
    z = [v for v in _relu_inputs(solution, relu_arguments) if v is not None]
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
    if "loss_decreases" in rules and solution.final is not None:
        from ..core.numeric import sign

        before, after = solution.steps[0].loss, solution.final.loss
        change = sp.Add(after, sp.Mul(-1, before, evaluate=False), evaluate=False)
        went_down = after < before if after.is_Rational and before.is_Rational else sign(change) < 0
        if went_down != rules["loss_decreases"]:
            out.append("loss_decreases")
    return out


def _identity(solution):
    """What makes two variants the same: their exact rationals and the certified 30-digit
    decimals of their closed forms (str() of a closed form makes SymPy order every term)."""
    from ..core.numeric import decimal

    return tuple((name, v if v.is_Rational else decimal(v, 30))
                 for name, v in solution.answers().items())


_PROBE = 200      # candidates after which "none passed" is clear evidence


class _Tally:
    """How many candidates each constraint rejected (tested alone), and the verdict
    when the variants cannot be had: stop as soon as the evidence is clear."""

    def __init__(self, problem, n):
        self.problem, self.n = problem, n
        self.tries, self.found = 0, 0
        self.counts = {}
        self.limit = budget.current().candidates * n

    def reject(self, names):
        for name in names:
            self.counts[name] = self.counts.get(name, 0) + 1

    def check(self):
        """Raise when the remaining variants cannot be found within the budget."""
        t, k = self.tries, self.found
        hopeless = t >= _PROBE and (k == 0 or t * self.n / k > self.limit)
        if t < self.limit and not hopeless:
            return
        worst = max(self.counts, key=self.counts.get) if self.counts else "distinct"
        share = self.counts.get(worst, 0)
        why = (f"constraint '{worst}' rejected most ({share} of {t} candidates, tested alone)"
               if worst not in ("distinct", "computable") else
               {"distinct": f"only {k} distinct variants turned up",
                "computable": f"{share} of {t} candidates could not be computed"}[worst])
        if k and t < self.limit:
            rate = f"; at {k} in {t} candidates, {self.n} variants would need about " \
                   f"{t * self.n // k:,} candidates, beyond {budget.hint('candidates')}"
        else:
            rate = f" ({budget.hint('candidates')})" if t >= self.limit else ""
        raise SympropError(f"found only {k} of {self.n} variants in {t} candidates; {why}: "
                           f"loosen it or widen the values{rate}",
                           source=self.problem.source, key="randomize")


def variants(problem, n, seed):
    """`n` variants of `problem`, as Problems, drawn with random.Random(seed)."""
    return [v.problem for v in draw(problem, n, seed)]


def draw(problem, n, seed, progress=None):
    """`n` variants of `problem` with their solutions (a list of Variant)."""
    if n < 1 or n > 5000:
        raise _fail(problem, None, "the number of variants must be between 1 and 5000")
    with budget.session():
        targets = _targets(problem)
        rules = _constraints(problem)
        from ..core.arith import is_symbolic

        if is_symbolic(problem):
            raise _fail(problem, "randomize", "exam variants need numbers: this problem has a "
                                              "symbolic value (a symbol name as a weight, input "
                                              "or learning rate)")
        rng = random.Random(seed)
        tape = build_tape(problem)
        relu_arguments = _relu_arguments(tape, problem.conventions)
        combinations = 1
        for slots, pool in targets:
            combinations *= len(set(pool)) ** len(slots)
        if combinations < n:
            raise _fail(problem, "randomize.values",
                        f"these values allow only {combinations} different variant(s); ask for at "
                        f"most {combinations} or widen the values")
        out, seen, tally = [], set(), _Tally(problem, n)
        while len(out) < n:
            tally.check()
            budget.tick(problem.source)
            tally.tries += 1
            data = copy.deepcopy(problem.raw)
            for slots, pool in targets:
                for path in slots:
                    _set(data, path, _toml_value(rng.choice(pool)))
            candidate = Problem.from_dict(data, source=problem.source)
            try:
                solution = solve(candidate, tape=tape)
            except budget.LimitError as exc:
                if exc.limit == "time":
                    raise
                tally.reject(["computable"])
                continue
            except SympropError:
                tally.reject(["computable"])
                continue
            failures = _failures(solution, rules, relu_arguments)
            key = _identity(solution)
            if not failures and key in seen:
                failures = ["distinct"]
            if failures:
                tally.reject(failures)
                continue
            seen.add(key)
            out.append(Variant(len(out) + 1, candidate, solution))
            tally.found += 1
            if progress:
                progress(len(out), n)
        return out


def problem_toml(problem):
    """The variant's complete problem file as TOML text that `symprop solve` accepts.

    Written by tomli-w (a maintained TOML writer, so any string, key or control
    character is escaped correctly), without the [randomize] table. Every value
    reads back exactly with symprop's reader (tomllib with parse_float=Decimal):
    a Decimal whose shortest float repr is the same number is written as that
    TOML float, any other as its exact decimal string ("0.1234567890123456789"),
    and Fractions and SymPy Rationals as "p/q" strings."""
    import tomli_w

    raw = {k: v for k, v in problem.raw.items() if k != "randomize"}
    return tomli_w.dumps(_toml(raw, ""))


def _key(path, k):
    return f"{path}.{k}" if path else str(k)


def _toml(v, path):
    """A raw problem value as what tomli-w writes so that it reads back exactly."""
    if isinstance(v, (bool, int, str)):
        return v
    if isinstance(v, float):
        return v                     # written as repr(v), which is what to_value() reads
    if isinstance(v, Decimal):
        if v.is_finite():
            as_float = float(v)
            if Decimal(repr(as_float)) == v:
                return as_float
        return str(v)
    if isinstance(v, Fraction):
        return v.numerator if v.denominator == 1 else f"{v.numerator}/{v.denominator}"
    if isinstance(v, sp.Basic):
        if v.is_Integer:
            return int(v)
        if v.is_Rational:
            return f"{v.p}/{v.q}"
        return str(v)
    if isinstance(v, dict):
        return {str(k): _toml(x, _key(path, k)) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_toml(x, f"{path}[{i + 1}]") for i, x in enumerate(v)]
    if hasattr(v, "isoformat"):      # TOML dates and times
        return v
    raise ProblemFileError(f"cannot be written as TOML (a {type(v).__name__})", key=path or None)
