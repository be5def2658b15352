"""Replacing a problem's leaf values: the same network and set-up with other numbers.

A leaf value is named by a slot, a tuple of plain indices (all from 0, whatever
the problem's index_base):

    ("weight", l, j, k)    W[j][k] of layer l (layers[l])
    ("bias", l, j)         b[j] of layer l
    ("param", name)        a graph parameter
    ("input", s, name, k)  sample s's input `name`: element k of a layered net's x,
                           k None for a graph's (scalar) input
    ("target", s, j)       sample s's target y[j] (j = 0 in a graph)

`with_values` builds the new Problem with dataclasses.replace (nothing is parsed
again) and converts every value as loading does (to_value: ints, Decimals,
Fractions and "p/q" strings become exact Rationals, and stay exact; closed-form
strings such as "sqrt(2)/2" and SymPy numbers stay the closed forms they are). Targets
are checked as loading checks them. The new problem's `raw` is the old dict
with the new values written in, as TOML values that read back exactly, so the
variant's problem file (exam.problemfile) is the original file with new numbers.
"""

import copy
from dataclasses import replace
from decimal import Decimal

from ..errors import ExpressionError, ProblemFileError
from .exact import closed_form_text
from .problem import check_targets, to_value

__all__ = ["with_values", "toml_value"]


def with_values(problem, values):
    """`problem` with the leaf values named by the slots of `values` replaced."""
    new = {}
    for slot, raw in values.items():
        key = _key(problem, slot)
        try:
            new[slot] = to_value(raw)
        except ExpressionError as exc:
            raise exc.at(source=problem.source, key=key) from None
    network = problem.network
    if problem.is_layered:
        network = replace(network, layers=tuple(
            replace(layer,
                    weights=tuple(tuple(new.get(("weight", l, j, k), w) for k, w in enumerate(row))
                                  for j, row in enumerate(layer.weights)),
                    bias=None if layer.bias is None else
                    tuple(new.get(("bias", l, j), b) for j, b in enumerate(layer.bias)))
            for l, layer in enumerate(network.layers)))
    params = tuple((name, new.get(("param", name), v)) for name, v in problem.params)
    samples = tuple(
        replace(sample,
                inputs=tuple((name, _input(new, s, name, v)) for name, v in sample.inputs),
                target=None if sample.target is None else
                tuple(new.get(("target", s, j), y) for j, y in enumerate(sample.target)))
        for s, sample in enumerate(problem.samples))
    raw = None
    if problem.raw is not None:
        raw = copy.deepcopy(problem.raw)
        for slot, value in values.items():
            _write(raw, _raw_path(problem, raw, slot), _spelled(value, new[slot], problem, slot))
    out = replace(problem, network=network, params=params, samples=samples, raw=raw)
    check_targets(out)
    return out


def _input(new, s, name, value):
    if isinstance(value, tuple):
        return tuple(new.get(("input", s, name, k), v) for k, v in enumerate(value))
    return new.get(("input", s, name, None), value)


def _key(problem, slot):
    """The key path of `slot` in a problem file ("layers[1].weights[2][1]"), or
    ProblemFileError when the problem has no such value."""
    kind, rest = (slot[0], slot[1:]) if isinstance(slot, tuple) and slot else (None, ())
    one = lambda i: f"[{i + 1}]"
    samples = problem.samples
    in_data = "samples" not in problem.raw if problem.raw is not None else len(samples) == 1
    sample_key = (lambda s: "data") if in_data else (lambda s: "samples" + one(s))
    try:
        if kind == "weight" and problem.is_layered:
            l, j, k = rest
            problem.network.layers[l].weights[j][k]
            return f"layers{one(l)}.weights{one(j)}{one(k)}"
        if kind == "bias" and problem.is_layered:
            l, j = rest
            problem.network.layers[l].bias[j]
            return f"layers{one(l)}.bias{one(j)}"
        if kind == "param":
            (name,) = rest
            dict(problem.params)[name]
            return f"params.{name}"
        if kind == "input":
            s, name, k = rest
            value = dict(samples[s].inputs)[name]
            if (k is None) != (not isinstance(value, tuple)):
                raise KeyError(k)
            if k is not None:
                value[k]
            return f"{sample_key(s)}.{name}" + (one(k) if k is not None else "")
        if kind == "target":
            s, j = rest
            samples[s].target[j]
            return f"{sample_key(s)}.y" + (one(j) if problem.is_layered else "")
    except (KeyError, IndexError, TypeError, ValueError):
        pass
    raise ProblemFileError(f"{slot!r} names no value of this problem", source=problem.source)


def _raw_path(problem, raw, slot):
    """Where `slot` sits in the problem-file dict `raw`. A file may write a one-row
    matrix as a flat list and a one-element vector as a bare number: the path then
    has no index for that dimension."""
    kind = slot[0]
    if kind in ("weight", "bias"):
        l, index = slot[1], slot[2:]
        field = "weights" if kind == "weight" else "bias"
        return _cells(raw["layers"][l][field], ("layers", l, field), index)
    if kind == "param":
        return ("params", slot[1])
    s = slot[1]
    sample = ("samples", s) if "samples" in raw else ("data",)
    name, index = (slot[2], slot[3:] if slot[3] is not None else ()) if kind == "input" \
        else ("y", (slot[2],))
    return _cells(_get(raw, sample + (name,)), sample + (name,), index)


def _cells(value, path, index):
    """The path of element `index` of a vector or matrix written as `value`."""
    if len(index) == 2 and value and not isinstance(value[0], list):
        index = index[1:]                     # a flat list: the one row of a matrix
    if not isinstance(value, list):
        return path                           # a bare number: a vector of one element
    return path + tuple(index)


def _get(data, path):
    for step in path:
        data = data[step]
    return data


def _write(data, path, value):
    _get(data, path[:-1])[path[-1]] = value


def _spelled(given, value, problem, slot):
    """How a new value is written into the problem's dict: as the TOML value given
    (an int, a Decimal or a string reads back as itself), an exact Rational (a Fraction,
    a float at its shortest repr) as `toml_value` writes it, a closed form (sqrt(2)/2,
    E) as the text model/exact.py reads back to the same value, proved by reading it."""
    if isinstance(given, (int, Decimal, str)) and not isinstance(given, bool):
        return given
    if value.is_Rational:
        return toml_value(value)
    text = closed_form_text(value)
    if text is not None:
        return text
    raise ProblemFileError(f"{value} is not a rational number; give a closed form as text "
                           "(e.g. \"exp(1/3)\"): SymPy's spelling of it does not read back "
                           "as the same value", source=problem.source, key=_key(problem, slot))


def toml_value(v):
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
