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

from .engine import solve
from .errors import ProblemFileError, SympropError
from .problem import Problem, to_value
from .tape import build_tape

__all__ = ["variants", "draw", "Variant", "problem_toml", "MAX_TRIES"]

MAX_TRIES = 400          # candidates per requested variant before giving up
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
    """An exact Rational as a TOML value that reads back exactly."""
    if v.is_Integer:
        return int(v)
    f = Fraction(int(v.p), int(v.q))
    q = f.denominator
    while q % 2 == 0:
        q //= 2
    while q % 5 == 0:
        q //= 5
    return Decimal(f.numerator) / Decimal(f.denominator) if q == 1 else f"{v.p}/{v.q}"


def _constraints(problem):
    raw = ((problem.raw or {}).get("randomize") or {}).get("constraints", {})
    if not isinstance(raw, dict) or set(raw) - _CONSTRAINTS:
        bad = sorted(set(raw) - _CONSTRAINTS) if isinstance(raw, dict) else ["constraints"]
        raise _fail(problem, f"randomize.constraints.{bad[0]}",
                    f"unknown constraint; known: {', '.join(sorted(_CONSTRAINTS))}")
    if raw.get("dead_relu", "any") not in ("none", "at_least_one", "any"):
        raise _fail(problem, "randomize.constraints.dead_relu", "one of: none, at_least_one, any")
    return raw


def _relu_inputs(solution):
    """Pre-activation values of every ReLU-like unit in the first step."""
    tape, step = solution.tape, solution.steps[0]
    out = []
    for node in tape.nodes:
        kind = type(node.display).__name__
        if kind in ("relu", "leaky_relu"):
            (inp, _), = node.partials
            out.append(step.values.get(inp, tape.leaves.get(inp) and tape.leaves[inp].value))
    return out


def _rejects(solution, rules, seen):
    """The name of the first constraint a candidate breaks, or None."""
    from .numeric import decimal

    z = [v for v in _relu_inputs(solution) if v is not None]
    dead = [v for v in z if v.is_Rational and v <= 0]
    if not rules.get("allow_kinks", False) and any(v == 0 for v in z):
        return "allow_kinks"
    mode = rules.get("dead_relu", "any")
    if (mode == "none" and dead) or (mode == "at_least_one" and not dead):
        return "dead_relu"
    values = list(solution.answers().values())
    if "max_denominator" in rules and any(v.is_Rational and v.q > rules["max_denominator"] for v in values):
        return "max_denominator"
    if "max_abs" in rules:
        limit = sp.Rational(str(rules["max_abs"]))
        for v in values:
            if (v.is_Rational and abs(v) > limit) or (not v.is_Rational and
                                                      abs(sp.Rational(decimal(v, 6))) > limit):
                return "max_abs"
    if "loss_decreases" in rules and solution.final is not None:
        went_down = sp.Rational(decimal(solution.final.loss - solution.steps[0].loss, 15)) < 0 \
            if not solution.final.loss.is_Rational else solution.final.loss < solution.steps[0].loss
        if went_down != bool(rules["loss_decreases"]):
            return "loss_decreases"
    key = tuple(sorted((n, str(v)) for n, v in solution.answers().items()))
    if key in seen:
        return "distinct"
    seen.add(key)
    return None


def variants(problem, n, seed):
    """`n` variants of `problem`, as Problems, drawn with random.Random(seed)."""
    return [v.problem for v in draw(problem, n, seed)]


def draw(problem, n, seed, progress=None):
    """`n` variants of `problem` with their solutions (a list of Variant)."""
    if n < 1 or n > 5000:
        raise _fail(problem, None, "the number of variants must be between 1 and 5000")
    targets = _targets(problem)
    rules = _constraints(problem)
    rng = random.Random(seed)
    tape = build_tape(problem)
    out, seen, rejected, tries = [], set(), {}, 0
    while len(out) < n:
        tries += 1
        if tries > MAX_TRIES * n:
            worst = max(rejected, key=rejected.get) if rejected else "none"
            raise SympropError(
                f"found only {len(out)} of {n} variants in {tries - 1} candidates; constraint "
                f"'{worst}' rejected most ({rejected.get(worst, 0)}): loosen it or widen the values",
                source=problem.source, key="randomize")
        data = copy.deepcopy(problem.raw)
        for slots, pool in targets:
            for path in slots:
                _set(data, path, _toml_value(rng.choice(pool)))
        candidate = Problem.from_dict(data, source=problem.source)
        try:
            solution = solve(candidate, tape=tape)
        except SympropError:
            rejected["computable"] = rejected.get("computable", 0) + 1
            continue
        reason = _rejects(solution, rules, seen)
        if reason:
            rejected[reason] = rejected.get(reason, 0) + 1
            continue
        out.append(Variant(len(out) + 1, candidate, solution))
        if progress:
            progress(len(out), n)
    return out


def problem_toml(problem):
    """The variant's complete problem file as TOML text that `symprop solve` accepts."""
    lines = []
    raw = {k: v for k, v in problem.raw.items() if k != "randomize"}
    tables = {k: v for k, v in raw.items() if isinstance(v, dict)}
    arrays = {k: v for k, v in raw.items() if isinstance(v, list) and v and isinstance(v[0], dict)}
    for k, v in raw.items():
        if k not in tables and k not in arrays:
            lines.append(f"{_key(k)} = {_toml(v)}")
    for k, v in tables.items():
        lines += ["", f"[{_key(k)}]"] + [f"{_key(a)} = {_toml(b)}" for a, b in v.items()]
    for k, rows in arrays.items():
        for row in rows:
            lines += ["", f"[[{_key(k)}]]"] + [f"{_key(a)} = {_toml(b)}" for a, b in row.items()]
    return "\n".join(lines) + "\n"


def _key(k):
    return k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else '"' + k.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _toml(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, Decimal)):
        return str(v)
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    if isinstance(v, list):
        return "[" + ", ".join(_toml(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_key(a)} = {_toml(b)}" for a, b in v.items()) + "}"
    return _toml(str(v))
