"""A layered problem's numbers as the fast path's exact matrices: integers over one
common denominator per matrix, in bulk.

Loading a problem already turned every number of the file into an exact SymPy
value, whose numerator and denominator are Python integers (`p`, `q`). Reading
those two attributes per entry (`map(attrgetter("p"), ...)`) and scaling to the
least common denominator is the cheapest way to the integer matrices: re-parsing
the file's own numbers (`problem.raw`: "3/10" strings, TOML decimals) was
measured 4× slower on the 8-64-64-8 net (1.5 ms against 0.4 ms for its 4,096
hidden weights, benchmarks/RESULTS.md), because `int()` of a string costs more
than an attribute. No SymPy object is created or evaluated here. A value that is
not a rational number (a symbol, a closed form such as exp(1)/3) raises
`Unsupported`, and symprop.gradients hands the problem to the SymPy engine.

A problem made by `from_torch` has float arrays behind it: the tensors its
Rationals were converted from. `attach_floats` records them for that Problem
object (a Problem is frozen; a changed copy is another object and has none), and
`read_floats` reads them straight into limbs.L (limbs.all_from_floats: the floats'
bits, no Python number per entry): the same matrices `read` makes of the
Rationals (tests/test_limbs.py, tests/test_torchcheck.py), ~3× cheaper for a batch of 64.
"""

import math
from fractions import Fraction
from itertools import chain

from flint import fmpz_mat

from .base import PerProblem
from .matrices import Q, Unsupported

__all__ = ["read", "rational", "from_values", "attach_floats", "read_floats"]

def read(problem, make=None):
    """(params [(W, b or None) per layer], x, y or None) as Q matrices, one column per sample;
    make: another kind of matrix than Q (from_values)."""
    if not problem.is_layered:
        raise Unsupported("the fast path covers layered networks; graphs use the SymPy engine")
    for value in (problem.learning_rate, problem.leaky_slope):
        if value is not None and not getattr(value, "is_Rational", False):
            raise Unsupported("a symbolic or irrational setting uses the SymPy engine")
    params = []
    for layer in problem.network.layers:
        w = from_values(layer.weights, make)
        b = from_values(tuple((v,) for v in layer.bias), make) if layer.bias is not None else None
        params.append((w, b))
    samples = problem.samples
    x = from_values(tuple(zip(*[dict(s.inputs)["x"] for s in samples])), make)
    y = None
    if samples[0].target is not None:
        y = from_values(tuple(zip(*[s.target for s in samples])), make)
    return params, x, y


_FLOATS = PerProblem()


def attach_floats(problem, params, x, y):
    """Record that `problem`'s numbers are exactly these float arrays (numpy, any float
    dtype): params [(W, b or None) per layer], x and y (samples × features; y None)."""
    _FLOATS.keep(problem, (params, x, y))


def read_floats(problem, all_from_floats):
    """read()'s matrices from the attached float arrays, made by all_from_floats
    (limbs.all_from_floats, one call for every array); None when the problem has none."""
    held = _FLOATS.held(problem)
    if held is None:
        return None
    params, x, y = held
    arrays = []
    for w, b in params:
        arrays += [w] if b is None else [w, b.reshape(-1, 1)]
    made = iter(all_from_floats(arrays + [x.T] + ([] if y is None else [y.T])))
    pairs = [(next(made), None if b is None else next(made)) for _, b in params]
    return pairs, next(made), next(made, None)


def rational(value):
    """A loaded scalar (a SymPy Rational) as a Fraction; Unsupported for anything else."""
    if not getattr(value, "is_Rational", False):
        raise Unsupported("a symbolic or irrational value uses the SymPy engine")
    return Fraction(int(value.p), int(value.q))


# -- numbers to integers over one denominator --------------------------------------

def from_values(values, make=None):
    """The Q matrix of rows of SymPy Rationals (Unsupported if one is not rational);
    make(numerators, denominators, rows, columns): another kind of matrix (limbs.L).
    Only Integer and Rational have both p and q among SymPy's numbers."""
    flat = list(chain.from_iterable(values))
    try:
        dens = [v.q for v in flat]
        if make is not None:
            return make([v.p for v in flat], dens, len(values), len(values[0]))
        nums, den = _over_one(flat, dens)
    except AttributeError:          # a Symbol, a closed form: no p and q
        raise Unsupported("a symbolic or irrational value uses the SymPy engine") from None
    return Q(fmpz_mat(len(values), len(values[0]), nums), den, nums)


def _over_one(flat, dens):
    """The numerators of the Rationals `flat` over their least common denominator (a
    factor looked up per distinct denominator, not a division per entry)."""
    distinct = set(dens)
    den = math.lcm(*distinct) if dens else 1
    if den == 1:
        return [v.p for v in flat], 1
    factor = {d: den // d for d in distinct}
    return [v.p * factor[v.q] for v in flat], den
