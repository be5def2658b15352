"""What `symprop.gradients` hands back, built as it is asked for.

The fast path ends with one exact matrix per parameter (integers over a common
denominator) or one matrix of certified balls. Nothing is converted until it is
read:

- `Tensor`: one parameter's gradient (or updated value) as a matrix (`W1`,
  shape (rows, columns)) or a vector (`b1`, shape (units,)); entries are
  `Fraction`s where exact and `Decimal`s certain to `digits` significant digits
  where a closed form; `tolist()`, `to_fmpq()`, `to_sympy()`, `to_numpy()`,
  `floats()` on demand;
- `FlatView`: the flat-name mapping (`W1[1,2]` → `sympy.Rational` or `Decimal`,
  the values and types of the SymPy engine's results), a read-only Mapping whose
  names are spelled (model/naming.py) on first use and whose values are
  converted per key and kept.

A ball whose two ends round to different decimals asks its `Source` to run the
fast path again with more digits (the value is then the same unique rounding).
"""

import importlib
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction

import sympy as sp

from .. import budget
from ..model import numeric
from .base import Unsupported

__all__ = ["Tensor", "FlatView", "Source", "ball_decimal"]


class _Ambiguous(Exception):
    """A ball's two ends round to different decimals: compute with more digits."""


def ball_decimal(e, digits):
    """An arb ball as the Decimal both its ends round to (round half away from zero);
    Fraction(0) for an exact zero."""
    if e.is_exact() and e.is_zero():
        return Fraction(0)
    man, exp = e.mid().man_exp()
    exponent10 = (int(exp) + int(abs(man)).bit_length()) / 3.3219280948873626
    if abs(exponent10) > budget.current().magnitude:        # σ(-10**7) ≈ 10^-4342945
        raise budget.fail("magnitude", f"a value of about 10^{exponent10:,.0f} arises")
    mid, rad = _fraction(e.mid()), _fraction(e.rad())
    lo = numeric.format_rational(mid - rad, digits)
    if lo != numeric.format_rational(mid + rad, digits):
        raise _Ambiguous
    return Decimal(lo)


def _fraction(x):
    man, exp = x.man_exp()
    return Fraction(int(man)) * Fraction(2) ** int(exp)


def as_sympy(v):
    """A Tensor entry as the flat mapping holds it: Fraction → Rational, Decimal as it is."""
    return sp.Rational(v.numerator, v.denominator) if isinstance(v, Fraction) else v


class Source:
    """The run behind a result: the problem, the digits asked for, and the fast path's Run;
    `rerun(problem, digits)` computes it again with more digits when a ball is ambiguous."""

    def __init__(self, problem, digits, run, rerun):
        self.problem, self.digits, self.run, self._rerun, self._extra = problem, digits, run, rerun, 0

    def entry(self, locate, i):
        """Entry i (row-major) of the matrix `locate(run)` as a Fraction or certified Decimal."""
        while True:
            m = locate(self.run)
            try:
                return _entry(m, i, self.digits)
            except _Ambiguous:
                if self._extra > 200:
                    raise Unsupported("a value sits on a rounding boundary") from None
                self._extra = self._extra * 2 + 10
                self.run = self._rerun(self.problem, self.digits + self._extra)


def _entry(m, i, digits):
    if _exact(m):
        return m.fraction(i)
    c = m.ball.ncols()
    j, k = divmod(i, c)
    if not m.unknown[j, k]:
        return Fraction(int(m.q.num[j, k]), int(m.q.den))
    return ball_decimal(m.ball[j, k], digits)


def _exact(m):
    """Whether a fast-path matrix is a matrices.Q (exact) rather than a B (balls), without
    importing matrices (python-flint) for the SymPy engine's Tensors (matrix None)."""
    return m is not None and m.exact


class Tensor:
    """One parameter's exact gradient or updated value, converted entry by entry on demand.

    t[j, k] (0-based; t[j] for a vector) is a Fraction, or a Decimal certain to the
    digits asked for where the value is a closed form."""

    __slots__ = ("name", "shape", "_source", "_locate", "_values")

    def __init__(self, name, shape, source=None, locate=None, values=None):
        self.name, self.shape = name, tuple(shape)
        self._source, self._locate, self._values = source, locate, values

    @classmethod
    def of_values(cls, name, shape, values):
        """A Tensor of given entries (row-major): the SymPy engine's results."""
        return cls(name, shape, values=[_plain(v) for v in values])

    @property
    def size(self):
        n = 1
        for s in self.shape:
            n *= s
        return n

    def _matrix(self):
        return self._locate(self._source.run) if self._locate is not None else None

    def flat(self, i):
        """Entry i in row-major order."""
        if self._values is not None:
            return self._values[i]
        return self._source.entry(self._locate, i)

    def values(self):
        """Every entry in row-major order (converted once, then kept)."""
        if self._values is None:
            m = self._matrix()
            if _exact(m):
                self._values = m.fractions()
            else:
                self._values = [self.flat(i) for i in range(self.size)]
        return self._values

    def __getitem__(self, index):
        index = index if isinstance(index, tuple) else (index,)
        if len(index) != len(self.shape):
            raise IndexError(f"{self.name} has shape {self.shape}: give {len(self.shape)} indices")
        i = 0
        for ix, n in zip(index, self.shape):
            if not -n <= ix < n:
                raise IndexError(f"index {index} is outside {self.name}'s shape {self.shape}")
            i = i * n + ix % n
        return self.flat(i)

    def __len__(self):
        return self.shape[0] if self.shape else 1

    @property
    def exact(self):
        """True when every entry is an exact rational (no closed form among them)."""
        m = self._matrix()
        if _exact(m):
            return True
        if m is not None:                    # a matrices.B: balls, some entries still exact
            return not any(m.unknown.entries())
        return all(isinstance(v, Fraction) for v in self.values())

    def tolist(self):
        """Nested lists (rows) of Fractions and Decimals, or a list for a vector."""
        v = self.values()
        if len(self.shape) == 2:
            c = self.shape[1]
            return [v[r * c:(r + 1) * c] for r in range(self.shape[0])]
        return list(v)

    def to_fmpq(self):
        """A flint.fmpq_mat (vectors as a column); ValueError if an entry is a closed form."""
        import flint
        m = self._matrix()
        rows, cols = (self.shape + (1,))[:2]
        if _exact(m):
            return flint.fmpq_mat(m.num) / m.den
        if not self.exact:
            raise ValueError(f"{self.name} holds closed forms, known as certified decimals only")
        return flint.fmpq_mat(rows, cols, [flint.fmpq(v.numerator, v.denominator) for v in self.values()])

    def to_sympy(self):
        """A SymPy Matrix (vectors as a column): Rationals, and Floats of the certified digits."""
        rows, cols = (self.shape + (1,))[:2]
        digits = self._source.digits if self._source is not None else 30
        return sp.Matrix(rows, cols, [sp.Rational(v.numerator, v.denominator) if isinstance(v, Fraction)
                                      else sp.Float(str(v), digits) for v in self.values()])

    def floats(self):
        """Nested lists of Python floats, each the correctly rounded float of the exact entry
        (of its certified decimal for a closed form)."""
        v = [float(x) for x in self.values()]
        if len(self.shape) == 2:
            c = self.shape[1]
            return [v[r * c:(r + 1) * c] for r in range(self.shape[0])]
        return v

    def to_numpy(self, dtype="float64"):
        """A numpy array of floats (numpy is not a symprop dependency: install it to use this)."""
        try:                    # optional, imported by name (see torchcheck._torch)
            numpy = importlib.import_module("numpy")
        except ImportError:
            raise ImportError("Tensor.to_numpy needs numpy (pip install numpy); "
                              "Tensor.floats() gives the same numbers as lists") from None
        return numpy.array(self.floats(), dtype=dtype)

    def __repr__(self):
        size = "×".join(map(str, self.shape))
        kind = "exact" if self.exact else f"certified to {self._source.digits if self._source else 30} digits"
        return f"<Tensor {self.name} ({size}), {kind}>"


def _plain(v):
    """A SymPy engine value as a Tensor entry: a Rational as a Fraction; others as they are."""
    if getattr(v, "is_Rational", False):
        return Fraction(int(v.p), int(v.q))
    return v


class FlatView(Mapping):
    """The flat-name mapping over Tensors: W1[1,2] → the entry as the SymPy engine
    returns it (sympy.Rational, or Decimal for a closed form). `spell()` gives every
    tensor's flat names (row-major); it is called once, on first use of the names."""

    def __init__(self, tensors, spell):
        self._tensors, self._spell = tensors, spell
        self._index, self._cache = None, {}

    def _names(self):
        if self._index is None:
            index = {}
            for tensor, names in zip(self._tensors, self._spell()):
                for i, n in enumerate(names):
                    index[n] = (tensor, i)
            self._index = index
        return self._index

    def __getitem__(self, name):
        try:
            return self._cache[name]
        except KeyError:
            pass
        tensor, i = self._names()[name]
        value = self._cache[name] = as_sympy(tensor.flat(i))
        return value

    def __iter__(self):
        return iter(self._names())

    def __len__(self):
        return sum(t.size for t in self._tensors)

    def __contains__(self, name):
        return name in self._names()

    def __repr__(self):
        return repr(dict(self))
