"""[randomize.values]: what varies in an exam, read against the problem model.

Each key names values of the problem as a person writes them: a whole matrix or
vector (W1, b2, x, y), one element (W1[1,2], x[2]), a graph parameter or input
by its name, or a group (weights, biases, inputs, targets, params). Each is
resolved to slots of the Problem (model/values.py: ("weight", l, j, k), ...),
in a fixed order, and paired with its pool of allowed values: `choices`, or a
`range` with a `step`, every one an exact rational.
"""

import re

from ..errors import ProblemFileError, SympropError
from ..model.losses import LOSSES
from ..model.problem import to_value

__all__ = ["drawn_values", "number", "fail"]

_ELEMENT = re.compile(r"^([A-Za-z]\w*)\[(\d+)(?:,(\d+))?\]$")
_LAYER = re.compile(r"^([Wb])(\d+)$")


def fail(problem, key, message):
    return ProblemFileError(message, source=problem.source, key=key)


def number(problem, key, raw):
    """An exact rational from a TOML value in [randomize], or the error at `key`."""
    try:
        value = to_value(raw, allow_symbols=False)
    except SympropError as exc:
        raise exc.at(source=problem.source, key=key) from None
    if not value.is_Rational:
        raise fail(problem, key, "randomized values must be rational numbers")
    return value


def drawn_values(problem):
    """[(slots, pool), ...]: for each [randomize.values] key, the slots it sets and the
    values it draws from."""
    spec = (problem.raw or {}).get("randomize")
    if spec is None:
        raise fail(problem, "randomize", "this problem has no [randomize] table")
    if not isinstance(spec, dict) or set(spec) - {"values", "constraints"}:
        raise fail(problem, "randomize", "expected [randomize.values] and [randomize.constraints]")
    values = spec.get("values", {})
    if not isinstance(values, dict) or not values:
        raise fail(problem, "randomize.values", "say what varies, e.g. W1 = {choices = [...]}")
    out = []
    for key, entry in values.items():
        where = f"randomize.values.{key}"
        slots = [s for k in _group(problem, key) for s in _slots(problem, where, k)]
        out.append((slots, _pool(problem, where, entry)))
    return out


def _pool(problem, key, spec):
    """The allowed values of one [randomize.values] entry, as exact Rationals."""
    if not isinstance(spec, dict) or set(spec) - {"choices", "range", "step"}:
        raise fail(problem, key, "expected {choices = [...]} or {range = [lo, hi], step = s}")
    if "choices" in spec:
        values = spec["choices"]
        if not isinstance(values, list) or not values:
            raise fail(problem, key, "choices must be a non-empty list")
        return [number(problem, f"{key}.choices", v) for v in values]
    rng, step = spec.get("range"), spec.get("step")
    if not (isinstance(rng, list) and len(rng) == 2) or step is None:
        raise fail(problem, key, "range needs [lo, hi] and a step")
    lo, hi = (number(problem, f"{key}.range", v) for v in rng)
    step = number(problem, f"{key}.step", step)
    if step <= 0 or hi < lo:
        raise fail(problem, key, "range needs lo ≤ hi and a positive step")
    count = int((hi - lo) / step) + 1
    if count > 10_000:
        raise fail(problem, key, "range has more than 10000 values")
    return [lo + i * step for i in range(count)]


def _has_targets(problem):
    return LOSSES[problem.loss].needs_target


def _group(problem, key):
    """Group names: weights (every W), biases (every b), inputs (x), targets (y), params."""
    layered = problem.is_layered
    if key == "weights" and layered:
        return [f"W{l}" for l in range(1, len(problem.network.layers) + 1)]
    if key == "biases" and layered:
        return [f"b{l}" for l, layer in enumerate(problem.network.layers, start=1)
                if layer.bias is not None]
    if key == "inputs" and layered:
        return ["x"]
    if key == "targets":
        if not _has_targets(problem):
            raise fail(problem, f"randomize.values.{key}",
                       f"this problem has no targets (loss '{problem.loss}')")
        return ["y"]
    if key == "params" and problem.params:
        return [name for name, _ in problem.params]
    return [key]


def _slots(problem, where, key):
    """The slots one key (not a group) names, in the order they are drawn."""
    base = problem.index_base
    m = _ELEMENT.match(key)
    name, i, j = (m[1], int(m[2]) - base, int(m[3]) - base if m[3] else None) if m else (key, None, None)
    lm = _LAYER.match(name)
    slots = []
    if lm and problem.is_layered:
        l, layers = int(lm[2]), problem.network.layers
        if not 1 <= l <= len(layers):
            raise fail(problem, where, f"there is no layer {l}")
        layer = layers[l - 1]
        if lm[1] == "W":
            slots = [("weight", l - 1) + cell for cell in _matrix_cells(layer.weights, i, j)]
        else:
            if layer.bias is None:
                raise fail(problem, where, f"layer {l} has no bias")
            slots = [("bias", l - 1, c) for c in _vector_cells(layer.bias, i, j)]
    elif name in ("x", "y") and problem.is_layered:
        if name == "y" and not _has_targets(problem):
            raise fail(problem, where, f"this problem has no target y (loss '{problem.loss}')")
        for s, sample in enumerate(problem.samples):
            if name == "x":
                slots += [("input", s, "x", c) for c in _vector_cells(dict(sample.inputs)["x"], i, j)]
            else:
                slots += [("target", s, c) for c in _vector_cells(sample.target, i, j)]
    elif not problem.is_layered and m is None:
        if name in dict(problem.params):
            slots = [("param", name)]
        else:
            for s, sample in enumerate(problem.samples):
                if name in dict(sample.inputs):
                    slots.append(("input", s, name, None))
                elif name == "y" and sample.target is not None:
                    slots.append(("target", s, 0))
    if not slots:
        raise fail(problem, where, f"'{key}' is not a parameter, matrix, vector or input of this problem")
    return slots


def _matrix_cells(rows, i, j):
    """(row, column) of a matrix: all of them, row i, or element (i, j); none out of range."""
    return [(r, c) for r in (range(len(rows)) if i is None else [i]) if 0 <= r < len(rows)
            for c in (range(len(rows[r])) if j is None else [j]) if 0 <= c < len(rows[r])]


def _vector_cells(values, i, j):
    """Indices of a vector: all, or element i; none for two indices or out of range."""
    if j is not None:
        return []
    return [c for c in (range(len(values)) if i is None else [i]) if 0 <= c < len(values)]
