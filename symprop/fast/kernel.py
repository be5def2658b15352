"""The fast path: a layered network's loss and gradients, a whole layer at a time, in C.

The SymPy engine (core/engine.py) keeps every equation, every local partial and every
term of every sum, because the worksheets show them; that costs SymPy objects and
microseconds per scalar. When only the numbers are wanted (a real model's
gradients checked exactly, thousands of exam candidates) the same forward pass
and δ recursion run here on matrices, with python-flint:

- exact values are an integer matrix over one common denominator
  (`flint.fmpz_mat` and an `fmpz`), so a layer is one integer matrix product;
- closed forms (a record whose fast rule is a closed form, log losses, and
  everything after them) are arb balls (`flint.arb_mat`): intervals whose every
  operation is rigorous. The working precision is raised until every reported
  value is certain to `digits` significant digits.

The matrices are in matrices.py; what each activation and loss does comes from
its record (model/functions.py, model/losses.py) through rules.py; this module
is the run: forward pass, δ recursion, update, precision.

A network stays exact up to its first transcendental step, so every kink
before it is decided exactly, with the problem's ReLU′(0) convention. A kink
that a ball cannot decide raises the precision; a problem this path does not
cover (a graph, symbolic values, a value that is not finite) raises
`Unsupported`, and `symprop.gradients` then asks the SymPy engine.

The SymPy path stays the reference: tests/test_fast.py proves on random
networks that both return the same exact values and the same certified digits.
"""

import math
from fractions import Fraction
from itertools import chain

import flint

from .. import budget
from ..model.functions import ACTIVATIONS
from ..model.losses import LOSSES
from . import reading, rules
from ..model.rules import Linear, Squares
from .base import PerProblem, have_numpy, names
from .matrices import B, Q, Undecided, Unsupported, add, mm, ones, sub

__all__ = ["run", "prepare", "forget", "names", "Run", "Step", "Q", "B", "Unsupported"]

MAX_BITS = 1 << 14


# -- the run ----------------------------------------------------------------------

class Step:
    """One step's numbers: the loss, every layer's (∂L/∂W, ∂L/∂b), ∂L/∂x, the parameters
    after, and every layer's pre-activations z (one column per sample) in this step."""

    __slots__ = ("loss", "grads", "grad_x", "after", "pre", "_grad_x_t")

    def __init__(self, loss, grads, grad_x, after, pre=()):
        self.loss, self.grads, self.grad_x, self.after, self.pre = loss, grads, grad_x, after, pre
        self._grad_x_t = None

    def input_gradients(self):
        """∂L/∂x with one row per sample (grad_x transposed, computed once)."""
        if self._grad_x_t is None and self.grad_x is not None:
            self._grad_x_t = self.grad_x.transpose()
        return self._grad_x_t


class Run:
    """What the fast path computed: exact Q matrices and Fractions, or arb balls."""

    def __init__(self, problem, steps, final_loss, bits):
        self.problem, self.steps, self.final_loss, self.bits = problem, steps, final_loss, bits

    @property
    def exact(self):
        return self.bits is None


def _setup(problem):
    """The problem's exact matrices, read once per Problem object and kept while it lives
    (a Problem is frozen and its matrices are never changed in place), so a second
    gradients() call on one problem (more digits, gradcheck after gradients) skips reading."""
    prepared = _READ.held(problem)
    if prepared is None:
        limbs = _limbs(problem)
        prepared = limbs and reading.read_floats(problem, limbs.all_from_floats)
        prepared = prepared or reading.read(problem, limbs and limbs.from_rationals)
        _READ.keep(problem, prepared)
    return prepared


_READ = PerProblem()


LIMBS_FROM = 2000       # values (parameters and sample entries) from which limbs.L pays off


def _limbs(problem):
    """The limbs module (its readers from_rationals, all_from_floats) when the problem is large
    and everything in its run has a form limbs.L covers (Linear activations: identity,
    ReLU, leaky ReLU; a squared-error loss) and numpy is installed; else None (flint's
    matrices)."""
    if not problem.is_layered:
        return None
    layers = problem.network.layers
    if not isinstance(LOSSES[problem.loss].fast, Squares) or any(
            not isinstance(ACTIVATIONS[layer.activation].fast, Linear) for layer in layers):
        return None
    size = sum(len(l.weights) * (len(l.weights[0]) + 1) for l in layers)
    size += len(problem.samples) * (len(layers[0].weights[0]) + len(layers[-1].weights))
    if size < LIMBS_FROM or not have_numpy():
        return None
    from . import limbs
    return limbs


def forget(problem=None):
    """Drop the kept matrices of `problem` (of every problem: None); the benchmark uses it
    to time a first call."""
    if problem is None:
        _READ.clear()
    else:
        _READ.pop(id(problem), None)


def _forward(problem, params, x, y):
    """(loss, ∂loss/∂output, per-layer (a_prev, deriv, z)) for all samples at once (one column each)."""
    conv = problem.conventions
    a, tape = x, []
    n = x.shape[1]
    for layer, (w, b) in zip(problem.network.layers, params):
        z = mm(w, a)
        if b is not None:
            z = add(z, _widen(b, n))
        if isinstance(z, Q):
            z = z.reduced()
        a_next, deriv = rules.activate(ACTIVATIONS[layer.activation], z, conv)
        tape.append((a, deriv, z))
        a = a_next
    total, grad = rules.loss(LOSSES[problem.loss], a, y, a.shape[0])
    if n > 1 and problem.reduction == "mean":
        total = total.scale(Fraction(1, n))
        grad = grad.scale(Fraction(1, n))
    return total, grad, tape


def _backward(params, grad, tape, want_x):
    """The δ recursion: δ = g ⊙ f′(z), ∂L/∂W = δ aᵀ, ∂L/∂b = δ·1, g ← Wᵀ δ."""
    grads = [None] * len(params)
    for i in range(len(params) - 1, -1, -1):
        a_prev, deriv, _ = tape[i]
        delta = deriv(grad)
        if isinstance(delta, Q):
            delta = delta.reduced()
        w, b = params[i]
        gw = mm(delta, a_prev.transpose())
        gb = _row_sums(delta) if b is not None else None
        grads[i] = (gw, gb)
        if i > 0 or want_x:
            grad = mm(w.transpose(), delta)
    return grads, (grad if want_x else None)


def _widen(b, n):
    """b·1ᵀ: a bias column once per sample."""
    return mm(b, ones(1, n)) if isinstance(b, (Q, B)) else b.widen(n)


def _row_sums(delta):
    """δ·1: a bias's gradient, summed over the samples."""
    return mm(delta, ones(delta.shape[1], 1)) if isinstance(delta, (Q, B)) else delta.row_sums()


def _update(problem, params, grads):
    eta = reading.rational(problem.learning_rate)
    out = []
    for (w, b), (gw, gb) in zip(params, grads):
        w2 = sub(w, gw.scale(eta))
        b2 = b
        if b is not None and problem.update_biases:
            b2 = sub(b, gb.scale(eta))
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
        if after is not None:
            _within_limit(after, number, problem.source)
        steps.append(Step(loss, grads, grad_x, after, [z for _, _, z in tape]))
        params = after or params
    final = _forward(problem, params, x, y)[0] if problem.steps >= 1 else None
    return steps, final


def _within_limit(params, number, source):
    """Unsupported when an updated exact parameter has more bits than the exact_digits budget
    allows (numerators over a common denominator, not reduced: never below the reduced
    values). The SymPy engine then decides: it reduces every value and stops with a
    LimitError naming the first beyond the limit. Unchecked, numbers that triple in length
    each step would run on here for minutes (a 2-2-1 net, 15 steps) and come back too
    long to print."""
    budget.tick(source)
    limit = math.ceil(budget.current().exact_digits * math.log2(10))
    for m in chain.from_iterable(params):
        if m is not None and _bits(m.q if isinstance(m, B) else m) > limit:
            raise Unsupported(f"exact numbers beyond the exact_digits limit after step {number}")


def _bits(m):
    """Bits of the largest numerator or the denominator of an exact matrix (Q or limbs.L)."""
    if not isinstance(m, Q):
        return m.bits()
    ints = m.ints()
    size = max(int(max(ints)), -int(min(ints))) if ints else 0
    return max(size.bit_length(), int(m.den).bit_length())


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
        balls = v.ball.entries()
        # the common case at C speed: every ball accurate enough (known entries too) and
        # finite (an infinite or NaN entry makes the sum of all entries non-finite)
        if min(map(_REL, balls)) >= need and _total(v.ball).is_finite():
            continue
        for e, u in zip(balls, v.unknown.entries()):
            if not u:
                continue
            if not e.is_finite():
                raise Unsupported("a value is not finite")
            if e.rel_accuracy_bits() < need:
                short += 1
                zero += e.contains(0)
    return short, zero


_REL = flint.arb.rel_accuracy_bits


def _total(m):
    """Σ of an arb_mat's entries as one ball (two matrix products)."""
    r, c = m.nrows(), m.ncols()
    return (flint.arb_mat(1, r, [1] * r) * m * flint.arb_mat(c, 1, [1] * c))[0, 0]


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
            except Undecided:
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


