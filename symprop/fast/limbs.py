"""Exact rational matrices as numpy int64 limbs, for large piecewise-linear networks.

python-flint converts every Python int into a matrix entry at ~0.3 µs and every
per-entry step (a ReLU mask, a bias sum) leaves C, so a batch of 64 through an
8-64-64-8 ReLU net spends most of its time outside the integer products
(benchmarks/RESULTS.md). Here an exact matrix is `L`: integers over one common
denominator, the integers held as base-2²² limbs in an int64 array of shape
(limbs, rows, columns) —

- value of an entry = Σᵢ xᵢ·2²²ⁱ, lower limbs in [0, 2²²), the top limb signed in
  [-2²¹, 2²¹); Python ints go in and out as their two's complement bytes
  (`int.to_bytes`/`int.from_bytes`, read as 16-bit limbs and regrouped);
- a product is one float64 matrix product (BLAS) of every limb of one factor
  against every limb of the other: a product of two limbs is below 2⁴⁴ and every
  sum BLAS forms is an integer below 2⁵³ (longer sums are split), so it is exact
  whatever order BLAS adds in; then a carry pass;
- a sign, a ReLU mask, a bias sum, a scale is one numpy operation over every
  entry and limb.

Only what kernel.py's run of Linear activations and a squared-error loss calls
is here (matrices.py's helpers hand an L to these methods); the carries and
products are in limbmath.py; kernel._limbs decides when a problem is read into L
instead of flint's matrices. Every result is exact: tests/test_limbs.py checks
each operation against Python integers, tests/test_fast_limbs.py whole runs
against the flint path and the SymPy engine.
"""

import functools
import math
from fractions import Fraction

import numpy as np

__all__ = ["L", "from_ints", "from_rationals", "from_floats", "all_from_floats", "ones"]

from .limbmath import (BYTES, MASK, R, SMALL, _normal, _pad, _product, _reradix, _times_int, _trim,
                       left_layout, right_layout)


class L:
    """An exact rational matrix: (Σ limbs) / den, den a Python int > 0."""

    __slots__ = ("x", "den", "_t", "_ints", "_left", "_right")
    exact = True

    def __init__(self, x, den=1):
        self.x, self.den, self._t, self._ints = x, int(den), None, None
        self._left = self._right = None         # float64 layouts for products (a weight's are kept)

    @property
    def shape(self):
        return self.x.shape[1], self.x.shape[2]

    # -- arithmetic ------------------------------------------------------------------

    def __matmul__(self, other):
        if self._left is None:
            self._left = left_layout(self.x)
        if other._right is None:
            other._right = right_layout(other.x)
        return L(_product(self.x, other.x, self._left, other._right), self.den * other.den)

    def __add__(self, other):
        a, b, d = self._common(other)
        return L(_normal(_pad(a, b.shape[0]) + _pad(b, a.shape[0])), d)

    def __sub__(self, other):
        a, b, d = self._common(other)
        return L(_normal(_pad(a, b.shape[0]) - _pad(b, a.shape[0])), d)

    def _common(self, other):
        if self.den == other.den:
            return self.x, other.x, self.den
        d = math.lcm(self.den, other.den)
        return _times_int(self.x, d // self.den), _times_int(other.x, d // other.den), d

    def scale(self, r):
        """Times the rational r."""
        r = Fraction(r)
        return L(_times_int(self.x, r.numerator), self.den * r.denominator)

    def transpose(self):
        if self._t is None:
            self._t = L(self.x.transpose(0, 2, 1), self.den)
            self._t._t = self
        return self._t

    def widen(self, n):
        """A column repeated n times (a bias added to every sample)."""
        return L(np.repeat(self.x, n, axis=2), self.den)

    def row_sums(self):
        """Σ over the columns, as a column (a bias's gradient: δ summed over samples)."""
        return L(_normal(self.x.sum(axis=2, keepdims=True)), self.den)

    def sum_squares(self):
        """Σ of the squares of the entries, 1×1: every limb pair's dot product over the
        entries in int64 when it cannot overflow (n·k products below 2^(2R) stay below
        2⁶³ with the sums along the diagonals), else one float64 product in chunks."""
        k = self.x.shape[0]
        flat = np.ascontiguousarray(self.x).reshape(k, -1)
        if flat.shape[1] * k < 1 << (63 - 2 * R):
            pairs = flat @ flat.T                                  # int64, exact
            out = np.zeros((2 * k - 1, 1, 1), dtype=np.int64)
            for i in range(k):
                out[i:i + k, 0, 0] += pairs[i]
            return L(_normal(out), self.den * self.den)
        flat = flat.reshape(k, 1, -1)
        return L(_product(flat, flat.transpose(0, 2, 1)), self.den * self.den)

    def right_of_kink(self, at_zero):
        """Per entry (row-major, a bool array): > 0, or ≥ 0 when at_zero."""
        top = self.x[-1]
        nonneg = top >= 0
        if at_zero:
            return nonneg.reshape(-1)
        return (nonneg & self.x.any(axis=0)).reshape(-1)

    def kept(self, keep):
        """Entry i where keep[i], else 0 (a ReLU mask)."""
        mask = np.asarray(keep, dtype=bool).reshape(self.shape)
        return L(_trim(np.where(mask, self.x, 0)), self.den)

    def sided(self, sides, right, left, q):
        """Entry i times right/q where sides[i], else left/q (a leaky ReLU's slopes)."""
        if max(abs(right), abs(left)) >= SMALL:
            return self.times([right if s else left for s in sides], q)
        mask = np.asarray(sides, dtype=bool).reshape(self.shape)
        return L(_normal(self.x * np.where(mask, right, left)), self.den * q)

    def times(self, factors, q=1):
        """Entry i times the integer factors[i] / q."""
        f = [int(v) for v in factors]
        if max(map(abs, f), default=0) < SMALL:
            return L(_normal(self.x * np.array(f, dtype=np.int64).reshape(self.shape)), self.den * q)
        return _of_ints([n * v for n, v in zip(self.ints(), f)], self.shape, self.den * q)

    def bits(self):
        """At least the bits of the largest numerator and of the denominator."""
        return max(R * self.x.shape[0], self.den.bit_length())

    def reduced(self):
        """The same matrix (its numerators and denominator are not reduced here: the
        integers stay as they are, which costs a few limbs, not a gcd per entry)."""
        return self

    # -- out to Python -----------------------------------------------------------------

    def ints(self):
        """The numerators row-major as Python ints (converted once, then kept)."""
        if self._ints is None:
            self._ints = _to_ints(self.x)
        return self._ints

    def signs(self):
        top = self.x[-1]
        nz = self.x.any(axis=0)
        return (nz.astype(np.int64) - 2 * (top < 0)).reshape(-1).tolist()

    def fraction(self, i):
        """Entry i (row-major) as a Fraction, from its limbs alone."""
        r, c = divmod(i, self.shape[1])
        limbs = self.x[:, r, c].tolist()
        n = limbs[-1]
        for v in reversed(limbs[:-1]):
            n = (n << R) + v
        return Fraction(n, self.den)

    def fractions(self):
        return [Fraction(n, self.den) for n in self.ints()]

    @property
    def num(self):
        """The numerators as a flint fmpz_mat (built on demand: to_fmpq)."""
        import flint
        r, c = self.shape
        return flint.fmpz_mat(r, c, self.ints())


# -- Python ints in and out --------------------------------------------------------

def from_ints(nums, rows, cols, den=1):
    """The L of the integers nums (row-major) over den."""
    return _of_ints(nums, (rows, cols), den)


def from_rationals(nums, dens, rows, cols):
    """The L of the rationals nums[i]/dens[i] (row-major, dens > 0) over their least
    common denominator: in int64 when numerators and denominators fit (a float's do:
    powers of two are placed at their shift), else through Python ints."""
    shape = (rows, cols)
    try:
        p, q = np.array(nums, dtype=np.int64), np.array(dens, dtype=np.int64)
    except OverflowError:
        p = q = None
    if q is not None and not (q & (q - 1)).any():             # powers of two: floats, integers
        den = int(q.max())
        size = max(int(p.max()), -int(p.min()))
        if size * den < 1 << 62:
            a = p * (den // q)
            return L(_limbs(a, shape, max(int(a.max()), -int(a.min()))), den)
        if size < 1 << 63:                                    # np.abs(-2^63) would wrap
            return L(_dyadic(p, q, den.bit_length() - 1).reshape((-1,) + shape), den)
    den = math.lcm(*set(dens))
    if p is not None and den < SMALL and max(int(p.max()), -int(p.min())) * den < 1 << 62:
        a = p * (den // q)
        return L(_limbs(a, shape, max(int(a.max()), -int(a.min()))), den)
    return _of_ints([n * (den // d) for n, d in zip(nums, dens)], shape, den)


def _dyadic(p, q, bits):
    """Limbs of p[i]·2^bits/q[i] for q powers of two (int64 arrays: a float's numerator and
    denominator): each numerator's limbs placed at its shift, no Python int per entry."""
    return _placed(p, bits - (np.frexp(q.astype(np.float64))[1] - 1))  # q = 2^(exponent - 1)


def _placed(p, shift):
    """Normal limbs of p[i]·2^shift[i] (int64 arrays, shift ≥ 0; |p| < 2^63)."""
    limb, at = np.divmod(shift, R)
    mag = np.abs(p)
    count = -(-63 // R)
    y = np.zeros((int(limb.max(initial=0)) + count + 1, p.size), dtype=np.int64)
    cols = np.arange(p.size)
    for j in range(count):                       # one cell per entry and j: no collisions
        y[limb + j, cols] += ((mag >> (R * j)) & MASK) << at
    return _normal(y * np.sign(p))


def from_floats(a):
    """The L of a float64 array (rows × columns, finite), exactly (see all_from_floats)."""
    return all_from_floats([a])[0]


def all_from_floats(arrays):
    """The L of each float array (2-D, finite), exactly: each float is num·2^t with num odd
    (or 0), read off its bits with frexp (one pass over all the arrays), over each array's
    least common denominator 2^D: the same L from_rationals makes of the reduced fractions."""
    arrays = [np.asarray(a, dtype=np.float64) for a in arrays]
    m, e = np.frexp(np.concatenate([a.reshape(-1) for a in arrays]))
    p = (m * 2.0 ** 53).astype(np.int64)                       # a = p·2^(e-53), exactly
    low = np.frexp((p & -p).astype(np.float64))[1] - 1          # trailing zero bits of p
    num_all = p >> np.maximum(low, 0)
    t_all = np.where(p == 0, 0, e - 53 + low)                   # a = num·2^t, num odd
    bits_all = np.frexp(num_all.astype(np.float64))[1]          # |num| < 2^bits
    out, start = [], 0
    for a in arrays:
        end = start + a.size
        num, t, bits = num_all[start:end], t_all[start:end], bits_all[start:end]
        start = end
        d = max(0, -int(t.min(initial=0)))
        shift = t + d
        if int((bits + shift).max(initial=0)) < 62:
            v = num << shift
            x = _limbs(v, a.shape, max(int(v.max(initial=0)), -int(v.min(initial=0))))
        else:
            x = _placed(num, shift).reshape((-1,) + a.shape)
        out.append(L(x, 1 << d))
    return out


def _of_ints(nums, shape, den):
    try:
        a = np.array(nums, dtype=np.int64)
    except OverflowError:
        return L(_from_bytes(nums, shape), den)
    return L(_limbs(a, shape, max(int(a.max()), -int(a.min())) if a.size else 0), den)


def _limbs(a, shape, size):
    """An int64 array's limbs (its two's complement in R-bit parts, as many as entries
    of magnitude ≤ size need), trimmed."""
    k = min(-(-64 // R), size.bit_length() // R + 1)
    x = np.empty((k,) + tuple(shape), dtype=np.int64)
    a = a.reshape(shape)
    for i in range(k - 1):
        x[i] = (a >> (R * i)) & MASK
    x[k - 1] = a >> (R * (k - 1))
    return _trim(x)


def _from_bytes(nums, shape):
    """Python ints of any size: their two's complement bytes, read as 16-bit limbs,
    then regrouped into R-bit limbs."""
    width = (max(map(int.bit_length, nums)) + BYTES) // BYTES      # 16-bit limbs, the sign bit included
    convert = functools.partial(int.to_bytes, length=2 * width, byteorder="little", signed=True)
    raw = np.frombuffer(b"".join(map(convert, nums)), dtype="<u2").reshape(-1, width)
    x = np.ascontiguousarray(raw.T).astype(np.int64)
    x[-1] -= (x[-1] >> (BYTES - 1)) << BYTES                          # the top limb signed
    return _reradix(x.reshape((width,) + tuple(shape)), BYTES, R)


def _to_ints(x):
    k = x.shape[0]
    if R * (k - 1) + int(np.abs(x[-1]).max(initial=0)).bit_length() < 63:    # int64 holds them
        v = x[-1].astype(np.int64)
        for i in range(k - 2, -1, -1):
            v = (v << R) + x[i]
        return v.reshape(-1).tolist()
    x = _reradix(x, R, BYTES)
    k = x.shape[0]
    raw = np.ascontiguousarray(x.reshape(k, -1).T).astype("<u2").tobytes()
    size = 2 * k
    view = memoryview(raw)
    read = int.from_bytes
    return [read(view[i:i + size], "little", signed=True) for i in range(0, len(raw), size)]


_ONES = {}


def ones(rows, cols):
    m = _ONES.get((rows, cols))
    if m is None:
        m = _ONES[(rows, cols)] = L(np.ones((1, rows, cols), dtype=np.int64))
    return m
