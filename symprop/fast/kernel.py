"""The fast path: a layered network's loss and gradients, a whole layer at a time, in C.

The SymPy engine (engine.py) keeps every equation, every local partial and every
term of every sum, because the worksheets show them; that costs SymPy objects and
microseconds per scalar. When only the numbers are wanted (a real model's
gradients checked exactly, thousands of exam candidates) the same forward pass
and δ recursion run here on matrices, with python-flint:

- exact values are an integer matrix over one common denominator
  (`flint.fmpz_mat` and an `fmpz`), so a layer is one integer matrix product;
- closed forms (sigmoid, tanh, softplus, softmax, log losses, and everything
  after them) are arb balls (`flint.arb_mat`): intervals whose every operation
  is rigorous. The working precision is raised until every reported value is
  certain to `digits` significant digits.

A network stays exact up to its first transcendental step, so every ReLU kink
before it is decided exactly, with the problem's ReLU′(0) convention. A kink
that a ball cannot decide raises the precision; a problem this path does not
cover (a graph, symbolic values, a value that is not finite) raises
`Unsupported`, and `symprop.gradients` then asks the SymPy engine.

The SymPy path stays the reference: tests/test_fast.py proves on random
networks that both return the same exact values and the same certified digits.
"""

import math
from fractions import Fraction

import flint
from flint import arb, arb_mat, fmpq, fmpz, fmpz_mat

from ..model import naming

__all__ = ["run", "prepare", "Run", "Unsupported", "RATIONAL_ACTIVATIONS"]

RATIONAL_ACTIVATIONS = {"identity", "relu", "leaky_relu"}
MAX_BITS = 1 << 14


class Unsupported(Exception):
    """The fast path does not cover this problem (the reason says why)."""


class _Undecided(Exception):
    """A ball straddles a kink or is not yet accurate enough: raise the precision."""


# -- exact matrices: integers over one denominator --------------------------------

class Q:
    """An exact rational matrix: num / den with num an fmpz_mat and den > 0."""

    __slots__ = ("num", "den", "_arb", "_nz", "_t")

    def __init__(self, num, den=1):
        self.num, self.den, self._arb, self._nz, self._t = num, fmpz(den), None, None, None

    @classmethod
    def of(cls, rows):
        """From rows of SymPy rationals (or ints/Fractions)."""
        pairs = [(int(v.p), int(v.q)) for r in rows for v in r]      # SymPy Rationals, in lowest terms
        den = math.lcm(*[q for _, q in pairs]) if pairs else 1
        return cls(fmpz_mat(len(rows), len(rows[0]), [p * (den // q) for p, q in pairs]), den)

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

    def times(self, factors, q=1):
        """Entry i multiplied by the integer factors[i] / q."""
        r, c = self.shape
        return Q(fmpz_mat(r, c, [n * f for n, f in zip(self.num.entries(), factors)]), self.den * q)

    def reduced(self):
        """The same matrix with numerators and denominator divided by their common factor."""
        g = self.den
        for n in self.num.entries():
            if g == 1:
                return self
            g = g.gcd(n)
        return Q(self.num / g, self.den // g) if g != 1 else self

    def signs(self):
        return [(n > 0) - (n < 0) for n in self.num.entries()]

    def fractions(self):
        d = int(self.den)
        return [Fraction(int(n), d) for n in self.num.entries()]

    def to_arb(self):
        """As an arb_mat at the current precision (cached per precision)."""
        prec = flint.ctx.prec
        if self._arb is None or self._arb[0] != prec:
            self._arb = (prec, arb_mat(flint.fmpq_mat(self.num) / self.den))
        return self._arb[1]


def _q_from(fractions, rows, cols):
    den = math.lcm(*[v.denominator for v in fractions]) if fractions else 1
    return Q(fmpz_mat(rows, cols, [int(v * den) for v in fractions]), den)


_ONES = {}


def _ones(rows, cols):
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
                raise _Undecided("sign")
        return out

    def values(self):
        """Per entry: the exact Fraction, or the ball when only the ball is known."""
        fr = self.q.fractions()
        return [b if u else f for b, u, f in zip(self.ball.entries(), self.unknown.entries(), fr)]


def _nonzero(q):
    if q._nz is None:
        r, c = q.shape
        q._nz = fmpz_mat(r, c, [1 if n else 0 for n in q.num.entries()])
    return q._nz


def _elementwise(ball_fn, exact_fn, *ms):
    """f applied entry by entry to matrices of one shape. exact_fn gets each argument
    as a Fraction (known) or None and returns the exact result or None; ball_fn
    gets the balls and is used when the result is not known exactly."""
    hs = [B.of(m) for m in ms]
    r, c = hs[0].shape
    cols = [(h.ball.entries(), h.unknown.entries(), h.q.num.entries(), int(h.q.den)) for h in hs]
    balls, exact, unknown = [], {}, []
    for i in range(r * c):
        ex = exact_fn(*[None if u[i] else Fraction(int(n[i]), d) for _, u, n, d in cols])
        if ex is None:
            balls.append(ball_fn(*[b[i] for b, _, _, _ in cols]))
            unknown.append(1)
        else:
            balls.append(arb(fmpq(ex.numerator, ex.denominator)))
            exact[i] = ex
            unknown.append(0)
    q = _q_from([exact.get(i, Fraction(0)) for i in range(r * c)], r, c) if exact else Q(fmpz_mat(r, c))
    return B(arb_mat(r, c, balls), q, fmpz_mat(r, c, unknown))


def _known(*values):
    return all(v is not None for v in values)


def _product(*values):
    """The exact product when every factor is known or any known factor is 0."""
    if any(v == 0 for v in values if v is not None):
        return Fraction(0)
    if _known(*values):
        out = Fraction(1)
        for v in values:
            out *= v
        return out
    return None


def _exact(*ms):
    return all(isinstance(m, Q) for m in ms)


def _lift(*ms):
    return ms if _exact(*ms) else [B.of(m) for m in ms]


def _mm(a, b):
    a, b = _lift(a, b)
    return a @ b


def _add(a, b):
    a, b = _lift(a, b)
    return a + b


def _sub(a, b):
    a, b = _lift(a, b)
    return a - b


def _sum_entries(m):
    """Σ of all entries, as a 1×1 matrix."""
    r, c = m.shape
    return _mm(_mm(_ones(1, r), m), _ones(c, 1))


def _hadamard(a, b):
    if _exact(a, b):
        r, c = a.shape
        return _q_from([x * y for x, y in zip(a.fractions(), b.fractions())], r, c)
    return _elementwise(lambda x, y: x * y, _product, a, b)


# -- activations: forward value and what the backward pass needs ------------------

def _sigmoid(z):
    return 1 / (1 + (-z).exp())


def _at_zero(value):
    """exact_fn of a function that is rational only at 0 (σ(0) = 1/2, tanh(0) = 0)."""
    return lambda z: value if z == 0 else None


def _activate(name, z, conv):
    """(a, deriv) where deriv(g) = g ⊙ f′(z) (a Jacobian-vector product for softmax)."""
    if name == "identity":
        return z, lambda g: g
    if name in ("relu", "leaky_relu"):
        right = [s > 0 or (s == 0 and conv.relu_derivative_at_zero == 1) for s in z.signs()]
        if name == "relu":
            factors, q = [1 if r else 0 for r in right], 1
        else:
            slope = Fraction(int(conv.leaky_slope.p), int(conv.leaky_slope.q))
            q = slope.denominator
            factors = [q if r else slope.numerator for r in right]
        return z.times(factors, q), lambda g: g.times(factors, q)
    if name == "sigmoid":
        a = _elementwise(_sigmoid, _at_zero(Fraction(1, 2)), z)
        return a, lambda g: _elementwise(lambda gi, ai: gi * ai * (1 - ai),
                                         lambda gi, ai: _product(gi, ai, None if ai is None else 1 - ai),
                                         g, a)
    if name == "tanh":
        a = _elementwise(lambda e: e.tanh(), _at_zero(Fraction(0)), z)
        return a, lambda g: _elementwise(lambda gi, ai: gi * (1 - ai * ai),
                                         lambda gi, ai: _product(gi, None if ai is None else 1 - ai * ai),
                                         g, a)
    if name == "softplus":
        a = _elementwise(lambda e: (1 + e.exp()).log(), lambda e: None, z)
        return a, lambda g: _elementwise(lambda gi, zi: gi * _sigmoid(zi),
                                         lambda gi, zi: _product(gi, Fraction(1, 2) if zi == 0 else None),
                                         g, z)
    if name == "softmax":
        return _softmax(z)
    raise Unsupported(f"no fast rule for the activation {name!r}")


def _softmax(z):
    """Column by column; a column of exact zeros is exactly 1/n each. (Equal nonzero
    entries give 1/n too, but SymPy keeps exp(c)/(exp(c) + exp(c)) as a closed form,
    and this path returns what the SymPy engine returns.)"""
    z = B.of(z)
    r, c = z.shape
    balls, values = z.ball.entries(), z.values()
    a_cols = []
    for j in range(c):
        col = [values[i * c + j] for i in range(r)]
        if all(v == 0 for v in col):      # exp(0) = 1: rational, as SymPy evaluates it
            a_cols.append([Fraction(1, r)] * r)
            continue
        ex = [_ball(col[i]).exp() if isinstance(col[i], Fraction) else balls[i * c + j].exp()
              for i in range(r)]
        total = sum(ex[1:], ex[0])
        a_cols.append([e / total for e in ex])
    a = _from_columns(a_cols)

    def jvp(g):
        g_values = B.of(g).values()
        out = []
        for j, ac in enumerate(a_cols):
            gc = [g_values[i * c + j] for i in range(r)]
            if not all(isinstance(v, Fraction) for v in gc + ac):
                gc, ac = [_ball(v) for v in gc], [_ball(v) for v in ac]
            terms = [gi * ai for gi, ai in zip(gc, ac)]
            dot = sum(terms[1:], terms[0])
            out.append([ai * (gi - dot) for gi, ai in zip(gc, ac)])
        return _from_columns(out)
    return a, jvp


def _ball(v):
    return arb(fmpq(v.numerator, v.denominator)) if isinstance(v, Fraction) else v


def _from_columns(cols):
    """A B matrix from columns of Fractions and balls (mixed arithmetic gives balls)."""
    r, c = len(cols[0]), len(cols)
    entries = [cols[j][i] for i in range(r) for j in range(c)]
    known = [isinstance(e, Fraction) for e in entries]
    balls = [arb(fmpq(e.numerator, e.denominator)) if k else e for e, k in zip(entries, known)]
    exact = [e if k else Fraction(0) for e, k in zip(entries, known)]
    return B(arb_mat(r, c, balls), _q_from(exact, r, c), fmpz_mat(r, c, [0 if k else 1 for k in known]))


# -- losses: the loss summed over samples (1×1), and ∂ of it w.r.t. every output ---

def _bce_exact(a, y):
    first = Fraction(0) if y == 0 or a == 1 else None
    second = Fraction(0) if y == 1 or a == 0 else None
    return Fraction(0) if first == 0 and second == 0 else None


def _loss(name, a, y, n_out):
    if name == "none":
        if n_out != 1:
            raise Unsupported("loss 'none' needs one output")
        r, c = a.shape
        return _sum_entries(a), _ones(r, c)
    d = _sub(a, y)
    if name in ("half_sse", "sse", "mse"):
        c = {"half_sse": Fraction(1, 2), "sse": Fraction(1), "mse": Fraction(1, n_out)}[name]
        return _sum_entries(_hadamard(d, d)).scale(c), d.scale(2 * c)
    if name == "l1":
        s = d.signs()
        r, cols = d.shape
        return _sum_entries(d.times(s)), Q(fmpz_mat(r, cols, s))
    if name == "bce":
        terms = _elementwise(lambda ai, yi: yi * ai.log() + (1 - yi) * (1 - ai).log(), _bce_exact, a, y)
        grad = _elementwise(lambda ai, yi: (ai - yi) / (ai * (1 - ai)),
                            lambda ai, yi: (ai - yi) / (ai * (1 - ai)) if _known(ai, yi) else None, a, y)
        return _sum_entries(terms).scale(Fraction(-1)), grad
    if name == "cross_entropy":
        terms = _elementwise(lambda ai, yi: yi * ai.log(),
                             lambda ai, yi: Fraction(0) if yi == 0 or ai == 1 else None, a, y)
        grad = _elementwise(lambda ai, yi: -yi / ai,
                            lambda ai, yi: Fraction(0) if yi == 0 else (-yi / ai if _known(ai, yi) else None),
                            a, y)
        return _sum_entries(terms).scale(Fraction(-1)), grad
    raise Unsupported(f"no fast rule for the loss {name!r}")


# -- the run ----------------------------------------------------------------------

class Step:
    """One step's numbers: the loss, every layer's (∂L/∂W, ∂L/∂b), ∂L/∂x, the parameters after."""

    __slots__ = ("loss", "grads", "grad_x", "after")

    def __init__(self, loss, grads, grad_x, after):
        self.loss, self.grads, self.grad_x, self.after = loss, grads, grad_x, after


class Run:
    """What the fast path computed: exact Q matrices and Fractions, or arb balls."""

    def __init__(self, problem, steps, final_loss, bits):
        self.problem, self.steps, self.final_loss, self.bits = problem, steps, final_loss, bits

    @property
    def exact(self):
        return self.bits is None


def _setup(problem):
    if not problem.is_layered:
        raise Unsupported("the fast path covers layered networks; graphs use the SymPy engine")
    from ..core.engine import is_symbolic
    if is_symbolic(problem):
        raise Unsupported("symbolic values use the SymPy engine")
    params = []
    for layer in problem.network.layers:
        w = Q.of(layer.weights)
        b = Q.of([[v] for v in layer.bias]) if layer.bias is not None else None
        params.append((w, b))
    xs = [dict(s.inputs)["x"] for s in problem.samples]
    x = Q.of([list(col) for col in zip(*xs)])
    y = None
    if problem.samples[0].target is not None:
        y = Q.of([list(col) for col in zip(*[s.target for s in problem.samples])])
    return params, x, y


def _forward(problem, params, x, y):
    """(loss, per-layer (a_prev, deriv)) for all samples at once (one column each)."""
    conv = problem.conventions
    a, tape = x, []
    n = x.shape[1]
    for layer, (w, b) in zip(problem.network.layers, params):
        z = _mm(w, a)
        if b is not None:
            z = _add(z, _mm(b, _ones(1, n)))
        if isinstance(z, Q):
            z = z.reduced()
        a_next, deriv = _activate(layer.activation, z, conv)
        tape.append((a, deriv))
        a = a_next
    total, grad = _loss(problem.loss, a, y, a.shape[0])
    if n > 1 and problem.reduction == "mean":
        total = total.scale(Fraction(1, n))
        grad = grad.scale(Fraction(1, n))
    return total, grad, tape


def _backward(params, grad, tape, want_x):
    """The δ recursion: δ = g ⊙ f′(z), ∂L/∂W = δ aᵀ, ∂L/∂b = δ·1, g ← Wᵀ δ."""
    grads = [None] * len(params)
    for i in range(len(params) - 1, -1, -1):
        a_prev, deriv = tape[i]
        delta = deriv(grad)
        if isinstance(delta, Q):
            delta = delta.reduced()
        w, b = params[i]
        gw = _mm(delta, a_prev.transpose())
        gb = _mm(delta, _ones(delta.shape[1], 1)) if b is not None else None
        grads[i] = (gw, gb)
        if i > 0 or want_x:
            grad = _mm(w.transpose(), delta)
    return grads, (grad if want_x else None)


def _update(problem, params, grads):
    lr = problem.learning_rate
    eta = Fraction(int(lr.p), int(lr.q))
    out = []
    for (w, b), (gw, gb) in zip(params, grads):
        w2 = _sub(w, gw.scale(eta))
        b2 = b
        if b is not None and problem.update_biases:
            b2 = _sub(b, gb.scale(eta))
        out.append((w2, b2))
    return out


def prepare(problem):
    """The problem's parameters and data as exact matrices (reusable across runs:
    matrices here are never changed in place)."""
    return _setup(problem)


def _once(problem, prepared=None):
    params, x, y = prepared or _setup(problem)
    steps = []
    want_x = "x" in problem.gradients_for
    for number in range(1, max(problem.steps, 1) + 1):
        loss, grad, tape = _forward(problem, params, x, y)
        grads, grad_x = _backward(params, grad, tape, want_x)
        after = _update(problem, params, grads) if number <= problem.steps else None
        steps.append(Step(loss, grads, grad_x, after))
        params = after or params
    final = _forward(problem, params, x, y)[0] if problem.steps >= 1 else None
    return steps, final


def _values(steps, final):
    for s in steps:
        yield s.loss
        yield s.grad_x
        for gw, gb in s.grads:
            yield gw
            yield gb
        for w, b in s.after or ():
            yield w
            yield b
    yield final


def _uncertified(steps, final, need):
    """How many reported balls lack `need` bits of relative accuracy, and how many of those contain 0."""
    short = zero = 0
    for v in _values(steps, final):
        if not isinstance(v, B):
            continue
        for e, u in zip(v.ball.entries(), v.unknown.entries()):
            if not u:
                continue
            if not e.is_finite():
                raise Unsupported("a value is not finite")
            if e.rel_accuracy_bits() < need:
                short += 1
                zero += e.contains(0)
    return short, zero


def run(problem, digits=30, prepared=None):
    """Loss and gradients of a layered problem, every step, and the loss after the last update.

    Exact when every value is rational; otherwise balls certain to `digits` significant digits.
    `prepared`: what prepare(problem) returned, to skip reading the problem's values again.
    Raises Unsupported when the problem needs the SymPy engine: a graph, symbols, a value
    that is not finite, or a closed form that is exactly 0 by cancellation (a ball cannot
    certify that; SymPy's `equals` can)."""
    need = int(digits * 3.33) + 4
    start = bits = need + 60
    saved = flint.ctx.prec
    try:
        while bits <= MAX_BITS:
            flint.ctx.prec = bits
            try:
                steps, final = _once(problem, prepared)
            except _Undecided:
                bits *= 2
                continue
            except (ZeroDivisionError, ValueError) as exc:
                raise Unsupported(f"not a finite real value ({exc})") from None
            if not any(isinstance(v, B) for v in _values(steps, final)):
                return Run(problem, steps, final, None)
            short, zero = _uncertified(steps, final, need)
            if not short:
                return Run(problem, steps, final, bits)
            if short == zero and bits >= 4 * start:
                raise Unsupported("a closed form looks exactly 0 (cancellation); balls cannot certify it")
            bits *= 2
    finally:
        flint.ctx.prec = saved
    raise Unsupported(f"could not certify {digits} digits at {MAX_BITS} bits (a kink at exactly 0?)")


def names(problem):
    """Flat names of every layer's weights and biases, as the SymPy path reports them."""
    b = problem.index_base
    out = []
    for l, layer in enumerate(problem.network.layers, start=1):
        w = [[naming.weight(l, j, k, b) for k in range(len(row))] for j, row in enumerate(layer.weights)]
        bias = [naming.bias(l, j, b) for j in range(len(layer.bias))] if layer.bias is not None else None
        out.append((w, bias))
    return out
