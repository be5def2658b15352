"""A layered problem's numbers as the fast path's exact matrices, read straight from
the file's numbers.

Loading a problem turns every number into a SymPy value for the worksheets; the
fast path needs integers over a common denominator. `read` takes them from the
dict the problem was read from (`problem.raw`): TOML integers as they are,
decimals by `Decimal.as_integer_ratio`, strings such as "3/10" or "-0.25" split by
one regular expression over the whole matrix and converted by `int` in bulk,
Fractions (from `symprop.from_torch`) by their numerator and denominator. A
matrix whose raw numbers are anything else (an expression such as "exp(1)/3", a
symbol) or do not match the loaded problem's shape is read from the SymPy values
instead (their `p` and `q`); a value that is not a rational number raises
`Unsupported` (the SymPy engine takes the problem).

Every matrix read from the raw dict is checked against the loaded values at its
first, middle and last entries, so a Problem whose values were replaced without
its dict fails over to the SymPy values instead of computing with stale numbers.
"""

import math
import re
from decimal import Decimal
from fractions import Fraction
from itertools import repeat
from operator import attrgetter, floordiv, mul

from flint import fmpz_mat

from .matrices import Q, Unsupported

__all__ = ["read", "rational", "from_values"]

_INT_OR_RATIO = re.compile(r"[-+]?\d+(?:/\d+)?(?:,[-+]?\d+(?:/\d+)?)*")
_BARE_INT = re.compile(r"(^|,)([-+]?\d+)(?=,|$)")
_DECIMAL = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_P, _Q = attrgetter("p"), attrgetter("q")


def read(problem):
    """(params [(W, b or None) per layer], x, y or None) as Q matrices, one column per sample."""
    if not problem.is_layered:
        raise Unsupported("the fast path covers layered networks; graphs use the SymPy engine")
    for value in (problem.learning_rate, problem.leaky_slope):
        if value is not None and not getattr(value, "is_Rational", False):
            raise Unsupported("a symbolic or irrational setting uses the SymPy engine")
    raw = problem.raw if isinstance(problem.raw, dict) else {}
    raw_layers = raw.get("layers")
    if not isinstance(raw_layers, list) or len(raw_layers) != len(problem.network.layers):
        raw_layers = [{}] * len(problem.network.layers)
    params = []
    for spec, layer in zip(raw_layers, problem.network.layers):
        spec = spec if isinstance(spec, dict) else {}
        w = _matrix(_rows(spec.get("weights")), layer.weights)
        b = None
        if layer.bias is not None:
            b = _matrix(_column(spec.get("bias")), tuple((v,) for v in layer.bias))
        params.append((w, b))
    samples = problem.samples
    raw_samples = raw.get("samples") if "samples" in raw else [raw.get("data")]
    if not isinstance(raw_samples, list) or len(raw_samples) != len(samples):
        raw_samples = [None] * len(samples)
    raw_samples = [s if isinstance(s, dict) else {} for s in raw_samples]
    xs = [dict(s.inputs)["x"] for s in samples]
    x = _matrix(_columns([s.get("x") for s in raw_samples]), tuple(zip(*xs)))
    y = None
    if samples[0].target is not None:
        y = _matrix(_columns([s.get("y") for s in raw_samples]), tuple(zip(*[s.target for s in samples])))
    return params, x, y


def rational(value):
    """A loaded scalar (a SymPy Rational) as a Fraction; Unsupported for anything else."""
    if not getattr(value, "is_Rational", False):
        raise Unsupported("a symbolic or irrational value uses the SymPy engine")
    return Fraction(int(value.p), int(value.q))


# -- the raw dict's shapes, as the reader accepts them -----------------------------

def _rows(raw):
    """A weights entry as rows: a flat list is one row (a layer of one unit)."""
    if not isinstance(raw, list) or not raw:
        return None
    return raw if isinstance(raw[0], list) else [raw]


def _column(raw):
    """A bias entry (a list, or one number) as a column."""
    if raw is None:
        return None
    return [[v] for v in raw] if isinstance(raw, list) else [[raw]]


def _columns(vectors):
    """Per-sample vectors (x or y, a list or one number) as rows of a matrix with one column each."""
    if any(v is None for v in vectors):
        return None
    vectors = [v if isinstance(v, list) else [v] for v in vectors]
    if len({len(v) for v in vectors}) != 1:
        return None
    return [list(r) for r in zip(*vectors)]


# -- numbers to integers over one denominator --------------------------------------

def _matrix(raw_rows, values):
    """The Q matrix of `values` (rows of loaded SymPy values), from `raw_rows` when they
    are plain numbers of the same shape and agree with the values spot-checked."""
    r, c = len(values), len(values[0])
    if raw_rows is not None and len(raw_rows) == r and all(isinstance(row, list) and len(row) == c
                                                          for row in raw_rows):
        read = _integers([v for row in raw_rows for v in row])
        if read is not None and _agrees(read, values, c):
            nums, den = read
            return Q(fmpz_mat(r, c, nums), den)
    return from_values(values)


def from_values(values):
    """The Q matrix of rows of SymPy Rationals (Unsupported if one is not rational)."""
    flat = [v for row in values for v in row]
    if not all(getattr(v, "is_Rational", False) for v in flat):
        raise Unsupported("a symbolic or irrational value uses the SymPy engine")
    nums, den = _over_one(list(map(int, map(_P, flat))), list(map(int, map(_Q, flat))))
    return Q(fmpz_mat(len(values), len(values[0]), nums), den)


def _agrees(read, values, c):
    nums, den = read
    n = len(nums)
    for i in {0, n // 2, n - 1}:
        v = values[i // c][i % c]
        if not getattr(v, "is_Rational", False) or int(v.p) * den != nums[i] * int(v.q):
            return False
    return True


def _integers(flat):
    """(numerators, common denominator) of plain numbers, or None when one is not plain."""
    kinds = set(map(type, flat))
    if kinds == {int}:
        return flat, 1
    if kinds == {str}:
        return _strings(flat)
    if kinds <= {int, Decimal, Fraction}:
        pairs = [(v, 1) if type(v) is int else
                 (v.numerator, v.denominator) if type(v) is Fraction else _decimal(v) for v in flat]
        if any(p is None for p in pairs):
            return None
        return _over_one(*map(list, zip(*pairs)))
    return None


def _decimal(d):
    return d.as_integer_ratio() if d.is_finite() else None


def _strings(flat):
    """Strings as the parser reads numbers: integers and ratios in bulk, decimals one by one."""
    joined = ",".join(flat)
    if _INT_OR_RATIO.fullmatch(joined):
        tokens = list(map(int, _BARE_INT.sub(r"\1\2/1", joined).replace("/", ",").split(",")))
        nums, dens = tokens[0::2], tokens[1::2]
        if len(nums) != len(flat) or 0 in dens:
            return None
        return _over_one(nums, dens)
    pairs = []
    for s in flat:
        if _DECIMAL.fullmatch(s):
            pairs.append(Decimal(s).as_integer_ratio())
        elif _INT_OR_RATIO.fullmatch(s):
            p, _, q = s.partition("/")
            if q and int(q) == 0:
                return None
            pairs.append((int(p), int(q) if q else 1))
        else:
            return None
    return _over_one(*map(list, zip(*pairs)))


def _over_one(nums, dens):
    """Numerators over the least common denominator (denominators positive)."""
    den = math.lcm(*set(dens)) if dens else 1
    if den == 1:
        return nums, 1
    return list(map(mul, nums, map(floordiv, repeat(den), dens))), den
