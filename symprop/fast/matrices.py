"""The fast path's matrices: exact rationals over one denominator, and arb balls
that remember which entries are still exact.

- `Q`: an integer matrix over one common denominator (`flint.fmpz_mat` and an
  `fmpz`), so a layer is one integer matrix product;
- `B`: a matrix of arb balls (`flint.arb_mat`, intervals whose every operation is
  rigorous) with an exact shadow, for values after the first closed form.

The helpers (mm, add, sub, hadamard, elementwise, ...) take either kind and
return a Q while every argument is exact. The run is in kernel.py; the rules
per function and loss shape in rules.py.
"""

import math
from fractions import Fraction
from operator import mul

import flint
from flint import arb, arb_mat, fmpq, fmpz, fmpz_mat

from .base import Undecided, Unsupported       # flint-free, so symprop imports without flint

__all__ = ["Q", "B", "Unsupported", "Undecided", "q_from", "ones", "elementwise", "known", "product",
           "mm", "add", "sub", "sum_entries", "sum_squares", "hadamard", "ball", "from_columns"]


# -- exact matrices: integers over one denominator --------------------------------

class Q:
    """An exact rational matrix: num / den with num an fmpz_mat and den > 0."""

    __slots__ = ("num", "den", "_arb", "_nz", "_t", "_ints")
    exact = True             # results.py tells Q from B by this, without importing flint

    def __init__(self, num, den=1, ints=None):
        self.num, self.den, self._arb, self._nz, self._t = num, fmpz(den), None, None, None
        self._ints = ints        # the numerators as Python ints, row-major, when known (reading.py)

    @property
    def shape(self):
        return self.num.nrows(), self.num.ncols()

    def __matmul__(self, other):
        return Q(self.num * other.num, self.den * other.den)

    def _common(self, other):
        if self.den == other.den:
            return self.num, other.num, self.den
        d = self.den * other.den // self.den.gcd(other.den)
        return self.num * (d // self.den), other.num * (d // other.den), d

    def __add__(self, other):
        a, b, d = self._common(other)
        return Q(a + b, d)

    def __sub__(self, other):
        a, b, d = self._common(other)
        return Q(a - b, d)

    def scale(self, r):
        return Q(self.num * int(r.numerator), self.den * int(r.denominator))

    def transpose(self):
        if self._t is None:              # cached: a weight matrix is transposed every step
            self._t = Q(self.num.transpose(), self.den)
            self._t._t = self
        return self._t

    def ints(self):
        """The numerators row-major, as fmpz (or the Python ints they were read from): taken
        out of flint once and kept, so every per-entry step of a matrix shares one pass.
        They stay fmpz: int() of a 120-bit fmpz and fmpz_mat() of Python ints cost 4-9 ms per
        4,096 entries, fmpz arithmetic and fmpz_mat() of fmpz a fifth of that."""
        if self._ints is None:
            self._ints = self.num.entries()
        return self._ints

    def times(self, factors, q=1):
        """Entry i multiplied by the integer factors[i] / q."""
        r, c = self.shape
        ints = list(map(mul, self.ints(), factors))
        return Q(fmpz_mat(r, c, ints), self.den * q, ints)

    def kept(self, keep):
        """Entry i where keep[i], else 0 (a ReLU mask: no products)."""
        r, c = self.shape
        ints = [n if k else 0 for n, k in zip(self.ints(), keep)]
        return Q(fmpz_mat(r, c, ints), self.den, ints)

    def reduced(self):
        """The same matrix with numerators and denominator divided by their common factor."""
        g = self.den
        ints = self.ints()
        for n in ints:
            if g == 1:
                return self
            g = g.gcd(n)
        if g == 1:
            return self
        return Q(self.num / g, self.den // g, [n // g for n in ints])

    def signs(self):
        return [(n > 0) - (n < 0) for n in self.ints()]

    def right_of_kink(self, at_zero):
        """Per entry: > 0 (≥ 0 when at_zero); one comparison per numerator (den > 0)."""
        return [n >= 0 for n in self.ints()] if at_zero else [n > 0 for n in self.ints()]

    def fraction(self, i):
        c = self.num.ncols()
        return Fraction(int(self.num[i // c, i % c]), int(self.den))

    def fractions(self):
        d = int(self.den)
        return [Fraction(int(n), d) for n in self.ints()]

    def to_arb(self):
        """As an arb_mat at the current precision (cached per precision)."""
        prec = flint.ctx.prec
        if self._arb is None or self._arb[0] != prec:
            self._arb = (prec, arb_mat(flint.fmpq_mat(self.num) / self.den))
        return self._arb[1]


def q_from(fractions, rows, cols):
    den = math.lcm(*[v.denominator for v in fractions]) if fractions else 1
    return Q(fmpz_mat(rows, cols, [int(v * den) for v in fractions]), den)


_ONES = {}


def ones(rows, cols):
    """A matrix of ones (shared: matrices here are never changed in place)."""
    m = _ONES.get((rows, cols))
    if m is None:
        m = _ONES[(rows, cols)] = Q(fmpz_mat(rows, cols, [1] * (rows * cols)))
    return m


# -- balls that remember which entries are still exact ----------------------------

class B:
    """A matrix of arb balls with an exact shadow: `known` entries (unknown == 0)
    are the rationals in `q`; the others are closed forms known only as balls.

    The shadow is what keeps σ(0) = 1/2, a weight times an exactly-zero activation,
    or an all-zero initialisation exact after the first transcendental step, as
    SymPy keeps them. It costs integer matrix products: an entry of A·B is known
    when every term pairs known entries or has a factor known to be 0.
    """

    __slots__ = ("ball", "q", "unknown", "_nz")
    exact = False

    def __init__(self, ball, q, unknown):
        self.ball, self.q, self.unknown, self._nz = ball, q, unknown, None

    @classmethod
    def of(cls, m):
        if isinstance(m, B):
            return m
        r, c = m.shape
        return cls(m.to_arb(), m, fmpz_mat(r, c))

    @property
    def shape(self):
        return self.ball.nrows(), self.ball.ncols()

    def nonzero(self):
        """Nonnegative integers, 0 exactly where the entry is known to be 0."""
        if self._nz is None:
            self._nz = self.unknown + _nonzero(self.q)
        return self._nz

    def __matmul__(self, o):
        return B(self.ball * o.ball, self.q @ o.q,
                 self.unknown * o.nonzero() + self.nonzero() * o.unknown)

    def __add__(self, o):
        return B(self.ball + o.ball, self.q + o.q, self.unknown + o.unknown)

    def __sub__(self, o):
        return B(self.ball - o.ball, self.q - o.q, self.unknown + o.unknown)

    def scale(self, r):
        return B(self.ball * arb(fmpq(r.numerator, r.denominator)), self.q.scale(r), self.unknown)

    def transpose(self):
        return B(self.ball.transpose(), self.q.transpose(), self.unknown.transpose())

    def times(self, factors, q=1):
        r, c = self.shape
        inv = arb(fmpq(1, q))
        return B(arb_mat(r, c, [e * f * inv for e, f in zip(self.ball.entries(), factors)]),
                 self.q.times(factors, q),
                 fmpz_mat(r, c, [u if f else 0 for u, f in zip(self.unknown.entries(), factors)]))

    def signs(self):
        out = []
        for e, u, s in zip(self.ball.entries(), self.unknown.entries(), self.q.signs()):
            if not u:
                out.append(s)
            elif e > 0:
                out.append(1)
            elif e < 0:
                out.append(-1)
            else:
                raise Undecided("sign")
        return out

    def right_of_kink(self, at_zero):
        return [s > 0 or (s == 0 and at_zero) for s in self.signs()]

    def values(self):
        """Per entry: the exact Fraction, or the ball when only the ball is known."""
        fr = self.q.fractions()
        return [b if u else f for b, u, f in zip(self.ball.entries(), self.unknown.entries(), fr)]


def _nonzero(q):
    """1 where q's entry is nonzero, else 0 (cached; a transpose's from its original's)."""
    if q._nz is None:
        t = q._t
        if t is not None and t._nz is not None:
            q._nz = t._nz.transpose()
        else:
            r, c = q.shape
            zeros = [i for i, n in enumerate(q.ints()) if not n]
            q._nz = fmpz_mat(ones(r, c).num)    # ones with the few zeros set: no fmpz_mat
            for i in zeros:                     # of r·c Python ints (0.3 µs each)
                q._nz[i // c, i % c] = 0
    return q._nz


def elementwise(ball_fn, exact_fn, *ms, per_entry=None):
    """f applied entry by entry to matrices of one shape. exact_fn gets each argument
    as a Fraction (known) or None and returns the exact result or None; ball_fn
    gets the balls and is used when the result is not known exactly. per_entry:
    a list of (ball_fn, exact_fn), one per entry, instead (a function with sides)."""
    hs = [B.of(m) for m in ms]
    r, c = hs[0].shape
    cols = [(h.ball.entries(), h.unknown.entries(), h.q.num.entries(), int(h.q.den)) for h in hs]
    balls, exact, unknown = [], {}, []
    for i in range(r * c):
        if per_entry is not None:
            ball_fn, exact_fn = per_entry[i]
        ex = exact_fn(*[None if u[i] else Fraction(int(n[i]), d) for _, u, n, d in cols])
        if ex is None:
            balls.append(ball_fn(*[b[i] for b, _, _, _ in cols]))
            unknown.append(1)
        else:
            balls.append(arb(fmpq(ex.numerator, ex.denominator)))
            exact[i] = ex
            unknown.append(0)
    q = q_from([exact.get(i, Fraction(0)) for i in range(r * c)], r, c) if exact else Q(fmpz_mat(r, c))
    return B(arb_mat(r, c, balls), q, fmpz_mat(r, c, unknown))


def known(*values):
    return all(v is not None for v in values)


def product(*values):
    """The exact product when every factor is known or any known factor is 0."""
    if any(v == 0 for v in values if v is not None):
        return Fraction(0)
    if known(*values):
        out = Fraction(1)
        for v in values:
            out *= v
        return out
    return None


def _exact(*ms):
    return all(isinstance(m, Q) for m in ms)


def _lift(*ms):
    return ms if _exact(*ms) else [B.of(m) for m in ms]


def mm(a, b):
    """a · b. An exact factor times balls multiplies its integer numerators (exact balls)
    and divides the result by its denominator once: no 1/10 rounded per weight.
    Matrices of another kind (limbs.L) do their own arithmetic, as in add, sub, sum_squares."""
    if not isinstance(a, (Q, B)):
        return a @ b
    if isinstance(a, Q) and isinstance(b, B):
        return B(_div(arb_mat(a.num) * b.ball, a.den), a @ b.q, _nonzero(a) * b.unknown)
    if isinstance(a, B) and isinstance(b, Q):
        return B(_div(a.ball * arb_mat(b.num), b.den), a.q @ b, a.unknown * _nonzero(b))
    a, b = _lift(a, b)
    return a @ b


def _div(m, den):
    return m if den == 1 else m / arb(den)


def add(a, b):
    a, b = (a, b) if not isinstance(a, (Q, B)) else _lift(a, b)
    return a + b


def sub(a, b):
    a, b = (a, b) if not isinstance(a, (Q, B)) else _lift(a, b)
    return a - b


def sum_entries(m):
    """Σ of all entries, as a 1×1 matrix."""
    r, c = m.shape
    return mm(mm(ones(1, r), m), ones(c, 1))


def hadamard(a, b):
    if _exact(a, b):
        r, c = a.shape
        ints = list(map(mul, a.ints(), b.ints()))
        return Q(fmpz_mat(r, c, ints), a.den * b.den, ints)
    return elementwise(lambda x, y: x * y, product, a, b)


def sum_squares(d):
    """Σ of the squares of d's entries, 1×1: the trace of d·dᵀ (or dᵀ·d, the smaller) when d
    is exact, one integer matrix product instead of a pass over the entries."""
    if not isinstance(d, (Q, B)):
        return d.sum_squares()
    if not isinstance(d, Q):
        return sum_entries(hadamard(d, d))
    r, c = d.shape
    s = d.num * d.num.transpose() if r <= c else d.num.transpose() * d.num
    return Q(fmpz_mat(1, 1, [sum(int(s[i, i]) for i in range(min(r, c)))]), d.den * d.den)


def ball(v):
    """A Fraction as an exact ball at the current precision (a ball stays itself)."""
    return arb(fmpq(v.numerator, v.denominator)) if isinstance(v, Fraction) else v


def from_columns(cols):
    """A B matrix from columns of Fractions and balls (mixed arithmetic gives balls)."""
    r, c = len(cols[0]), len(cols)
    entries = [cols[j][i] for i in range(r) for j in range(c)]
    is_exact = [isinstance(e, Fraction) for e in entries]
    balls = [arb(fmpq(e.numerator, e.denominator)) if k else e for e, k in zip(entries, is_exact)]
    exact = [e if k else Fraction(0) for e, k in zip(entries, is_exact)]
    return B(arb_mat(r, c, balls), q_from(exact, r, c), fmpz_mat(r, c, [0 if k else 1 for k in is_exact]))
