"""`symprop.gradients(problem)`: the numbers without the derivation, fast.

A Solution keeps every equation, partial and term for the worksheets; users who
want only the loss and the gradients (a real model checked exactly, many
candidates screened) call `gradients`. It runs the fast path (kernel.py) when the
problem is a layered network with numeric values, and the SymPy engine otherwise,
and returns the same thing either way: exact values as `sympy.Rational`, closed
forms as `decimal.Decimal` with `digits` significant digits, every one certain.
"""

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import sympy as sp

from .. import budget
from . import kernel as fast
from ..model import naming
from ..model import numeric

__all__ = ["gradients", "Gradients", "GradientStep"]


@dataclass(frozen=True)
class GradientStep:
    loss: object
    gradients: dict          # flat name (W1[1,2], b2[1], a0[1]) → value
    params_after: dict       # flat name → value after the update ({} without one)

    def __repr__(self):
        return (f"<GradientStep: loss {_short(self.loss)}, {len(self.gradients)} gradients, "
                f"{len(self.params_after)} updated parameters>")


@dataclass(frozen=True)
class Gradients:
    """Every step's loss, gradients and updated parameters, and the loss after the last update."""

    steps: tuple
    final_loss: object
    digits: int
    engine: str              # "fast" or "sympy"

    @property
    def loss(self):
        return self.steps[0].loss

    @property
    def gradients(self):
        return self.steps[0].gradients

    def __repr__(self):
        parts = [f"dL/d{name} ({'×'.join(map(str, shape))})" if shape else f"dL/d{name}"
                 for name, shape, _ in _tensors(self.gradients)]
        shown = ", ".join(parts[:6]) + (f", … {len(parts) - 6} more" if len(parts) > 6 else "")
        loss = _short(self.loss)
        steps = f", {len(self.steps)} steps" if len(self.steps) != 1 else ""
        return (f"<Gradients of {len(self.gradients)} values: {shown}; loss {loss}{steps} "
                f"({self.engine}, {self.digits} digits)>")

    def _repr_markdown_(self):
        """Jupyter: a table per parameter matrix or vector, exact value and decimal."""
        from ..core.solution import renderer

        return renderer("gradients")(self, [_tensors(s.gradients) for s in self.steps])


def _tensors(grads):
    """The gradients grouped as the names were made, a matrix or vector at a time:
    (name, shape, [flat names]); W1[1,2] belongs to W1, a graph's w0 stands alone
    (shape ()). Display only: the names are the ones _convert spelled."""
    groups = {}
    for n in grads:
        stem, _, index = n.partition("[")
        groups.setdefault(stem, []).append((n, index.rstrip("]").split(",") if index else []))
    out = []
    for stem, entries in groups.items():
        width = max(len(ix) for _, ix in entries)
        shape = tuple(len({ix[i] for _, ix in entries}) for i in range(width))
        out.append((stem, shape, [n for n, _ in entries]))
    return out


def _short(v):
    """A value for a one-line repr: '= 3/8' for a short Rational, else '≈ ' and 6 digits."""
    if isinstance(v, Decimal):
        return "≈ " + numeric.format_rational(Fraction(v), 6) if v.is_finite() else str(v)
    if getattr(v, "is_Rational", False) and len(str(v)) <= 12:
        return f"= {v}"
    d = numeric.decimal(v, 6) if not numeric.is_symbolic(v) else None
    return f"≈ {d}" if d is not None else "(symbolic)"


def gradients(problem, digits=30, engine="auto"):
    """Loss and gradients of `problem` (every step), exact or certain to `digits` digits.

    engine: "auto" (the fast path when it covers the problem), "fast" (raise
    fast.Unsupported when it does not) or "sympy" (the reference engine)."""
    if engine not in ("auto", "fast", "sympy"):
        raise ValueError(f"engine must be 'auto', 'fast' or 'sympy', not {engine!r}")
    with budget.session():
        try:
            return _gradients(problem, digits, engine)
        except budget.LimitError as exc:
            raise exc.at(source=problem.source) from None


def _gradients(problem, digits, engine):
    if engine != "sympy":
        try:
            return _from_fast(problem, digits)
        except fast.Unsupported:
            if engine == "fast":
                raise
    return _from_solution(problem, digits)


# -- from the fast path -------------------------------------------------------

class _Ambiguous(Exception):
    """A ball's two ends round to different decimals: compute with more digits."""


def _from_fast(problem, digits):
    extra = 0
    while True:
        result = fast.run(problem, digits + extra)
        try:
            return _convert(problem, result, digits)
        except _Ambiguous:
            if extra > 200:
                raise fast.Unsupported("a value sits on a rounding boundary") from None
            extra = extra * 2 + 10


def _convert(problem, run, digits):
    names = fast.names(problem)
    base, count = problem.index_base, len(problem.samples)
    steps = []
    for s in run.steps:
        grads = {}
        after = {}
        for (wn, bn), (gw, gb), pair in zip(names, s.grads, s.after or [(None, None)] * len(names)):
            grads.update(_named(wn, gw, digits))
            if bn is not None:
                grads.update(_named([[n] for n in bn], gb, digits))
            if s.after is not None:
                after.update(_named(wn, pair[0], digits))
                if bn is not None:
                    after.update(_named([[n] for n in bn], pair[1], digits))
        if s.grad_x is not None:
            xnames = [[naming.sample_prefix(p, count) + naming.act(0, k, base) for p in range(count)]
                      for k in range(_rows(s.grad_x))]
            grads.update(_named(xnames, s.grad_x, digits))
        steps.append(GradientStep(_value(s.loss, digits), grads, after))
    final = _value(run.final_loss, digits) if run.final_loss is not None else None
    return Gradients(tuple(steps), final, digits, "fast")


def _rows(m):
    return m.shape[0]


def _named(rows, m, digits):
    flat = [n for r in rows for n in r]
    values = m.fractions() if isinstance(m, fast.Q) else m.values()
    return {n: _value(v, digits) for n, v in zip(flat, values)}


def _value(v, digits):
    """A Fraction as a Rational, a ball as its certified Decimal; 1×1 matrices unwrapped."""
    if isinstance(v, (fast.Q, fast.B)):
        v = (v.fractions() if isinstance(v, fast.Q) else v.values())[0]
    if isinstance(v, Fraction):
        return sp.Rational(v.numerator, v.denominator)
    return _ball(v, digits)


def _ball(e, digits):
    """An arb ball as the Decimal both its ends round to (round half away from zero)."""
    if e.is_exact() and e.is_zero():
        return sp.Integer(0)
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


# -- from the SymPy engine ----------------------------------------------------

def _from_solution(problem, digits):
    from ..core.engine import solve
    solution = solve(problem)

    def conv(v):
        if v.is_Rational:
            return v
        d = numeric.decimal(v, digits)
        if d is None:
            return v
        return sp.Integer(0) if d == "0" else Decimal(d)      # "0" only when both ends are 0

    steps = tuple(GradientStep(conv(s.loss), {n: conv(v) for n, v in s.gradients.items()},
                               {n: conv(v) for n, v in (s.params_after or {}).items()})
                  for s in solution.steps)
    final = conv(solution.final.loss) if solution.final is not None else None
    return Gradients(steps, final, digits, "sympy")
