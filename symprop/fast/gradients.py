"""`symprop.gradients(problem)`: the numbers without the derivation, fast.

A Solution keeps every equation, partial and term for the worksheets; users who
want only the loss and the gradients (a real model checked exactly, many
candidates screened) call `gradients`. It runs the fast path (kernel.py) when the
problem is a layered network with numeric values and python-flint is installed
(kernel.py is imported only then: base.py), and the SymPy engine otherwise,
and returns the same thing either way: exact values as `sympy.Rational`, closed
forms as `decimal.Decimal` with `digits` significant digits, every one certain.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

import sympy as sp

from .. import budget
from . import results
from .base import Unsupported, kernel as _kernel, names as _names
from ..model import naming
from ..model import numeric

__all__ = ["gradients", "Gradients", "GradientStep"]


@dataclass(frozen=True)
class GradientStep:
    loss: object
    gradients: Mapping       # flat name (W1[1,2], b2[1], a0[1]) → value (a lazy view on the fast path)
    params_after: Mapping    # flat name → value after the update ({} without one)
    tensors: dict = field(default_factory=dict, compare=False, repr=False)        # "W1" → Tensor
    tensors_after: dict = field(default_factory=dict, compare=False, repr=False)

    def grad(self, name):
        """∂L/∂(the parameter matrix or vector `name`: "W1", "b2", "a0") as a Tensor."""
        return _pick(self.tensors, name, "gradient")

    def after(self, name):
        """The parameter `name` after this step's update, as a Tensor."""
        return _pick(self.tensors_after, name, "updated parameter")

    def __repr__(self):
        return (f"<GradientStep: loss {_short(self.loss)}, {len(self.gradients)} gradients, "
                f"{len(self.params_after)} updated parameters>")


def _pick(tensors, name, what):
    try:
        return tensors[name]
    except KeyError:
        known = ", ".join(tensors) or "none (a graph's values are in .gradients)"
        raise KeyError(f"no {what} named {name!r}; known: {known}") from None


@dataclass(frozen=True)
class Gradients:
    """Every step's loss, gradients and updated parameters, and the loss after the last update.

    `grad("W1")` is a parameter's gradient as a Tensor (exact Fractions, or certified
    Decimals; `.to_sympy()`, `.to_numpy()`, `.to_fmpq()`); `gradients["W1[1,2]"]` the
    same values by flat name, as sympy.Rational or Decimal."""

    steps: tuple
    final_loss: object
    digits: int
    engine: str              # "fast" or "sympy"
    # the fast path's run (results.Source: .run.steps[i].pre are the pre-activations), or None
    source: object = field(default=None, compare=False, repr=False)

    @property
    def loss(self):
        return self.steps[0].loss

    @property
    def gradients(self):
        return self.steps[0].gradients

    def grad(self, name, step=1):
        """∂L/∂(parameter `name`) at `step` (from 1) as a Tensor: g.grad("W1")[0, 1]."""
        return self.steps[step - 1].grad(name)

    def after(self, name, step=1):
        """The parameter `name` after the update of `step`, as a Tensor."""
        return self.steps[step - 1].after(name)

    @property
    def names(self):
        """The parameter matrices and vectors with a Tensor: ["W1", "b1", "W2", ...]."""
        return list(self.steps[0].tensors)

    def __repr__(self):
        shapes = ([(n, t.shape) for n, t in self.steps[0].tensors.items()] if self.steps[0].tensors
                  else [(name, shape) for name, shape, _ in _tensors(self.gradients)])
        parts = [f"dL/d{name} ({'×'.join(map(str, shape))})" if shape else f"dL/d{name}"
                 for name, shape in shapes]
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
    fast.Unsupported when it does not, FlintMissing without python-flint) or "sympy"
    (the reference engine)."""
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
        except Unsupported:            # FlintMissing too: the SymPy engine gives the same values
            if engine == "fast":
                raise
    return _from_solution(problem, digits)


# -- from the fast path -------------------------------------------------------

def _from_fast(problem, digits):
    fast = _kernel()
    source = results.Source(problem, digits, fast.run(problem, digits), fast.run)
    base, count = problem.index_base, len(problem.samples)
    stems = [(_stem(naming.weight(l, 0, 0, base)),
              _stem(naming.bias(l, 0, base)) if layer.bias is not None else None)
             for l, layer in enumerate(problem.network.layers, start=1)]
    steps = []
    for number, s in enumerate(source.run.steps):
        grads = _layer_tensors(source, stems, number, "grads")
        spell = [lambda: _spelled(problem)]
        if s.grad_x is not None:            # one row per sample, as torch's x.grad
            inputs, count = s.grad_x.shape
            name = _stem(naming.act(0, 0, base))
            grads[name] = results.Tensor(name, (inputs,) if count == 1 else (count, inputs), source,
                                         lambda run, n=number: run.steps[n].input_gradients())
            spell.append(lambda: [[naming.sample_prefix(p, count) + naming.act(0, k, base)
                                   for p in range(count) for k in range(inputs)]])
        after = _layer_tensors(source, stems, number, "after") if s.after is not None else {}
        steps.append(GradientStep(
            _scalar(source, lambda run, n=number: run.steps[n].loss),
            results.FlatView(list(grads.values()), lambda spell=spell: [names for f in spell for names in f()]),
            results.FlatView(list(after.values()), lambda: _spelled(problem)) if after else {},
            grads, after))
    final = (_scalar(source, lambda run: run.final_loss) if source.run.final_loss is not None else None)
    return Gradients(tuple(steps), final, digits, "fast", source)


def _stem(name):
    """W1 of W1[1,1]: the matrix a flat name belongs to (display and Tensor names only)."""
    return name.partition("[")[0]


def _layer_tensors(source, stems, number, field):
    out = {}
    for i, ((wn, bn), layer) in enumerate(zip(stems, source.problem.network.layers)):
        rows, cols = layer.shape
        out[wn] = results.Tensor(wn, (rows, cols), source,
                                 lambda run, i=i: getattr(run.steps[number], field)[i][0])
        if bn is not None:
            out[bn] = results.Tensor(bn, (rows,), source,
                                     lambda run, i=i: getattr(run.steps[number], field)[i][1])
    return out


def _spelled(problem):
    """Every tensor's flat names, row-major, in the order of _layer_tensors."""
    out = []
    for wn, bn in _names(problem):
        out.append([n for row in wn for n in row])
        if bn is not None:
            out.append(bn)
    return out


def _scalar(source, locate):
    """A 1×1 result (a loss) as the SymPy engine gives it: Rational, or certified Decimal."""
    return results.as_sympy(source.entry(locate, 0))


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

    steps = []
    for s in solution.steps:
        grads = {n: conv(v) for n, v in s.gradients.items()}
        after = {n: conv(v) for n, v in (s.params_after or {}).items()}
        steps.append(GradientStep(conv(s.loss), grads, after, _dict_tensors(problem, grads),
                                  _dict_tensors(problem, after)))
    steps = tuple(steps)
    final = conv(solution.final.loss) if solution.final is not None else None
    return Gradients(steps, final, digits, "sympy")


def _dict_tensors(problem, values):
    """The SymPy engine's flat values as Tensors per weight matrix and bias (layered nets)."""
    if not problem.is_layered or not values:
        return {}
    out = {}
    for wn, bn in _names(problem):
        for names, shape in ((wn, (len(wn), len(wn[0]))), ([[n] for n in bn] if bn else None, None)):
            if names is None:
                continue
            flat = [n for row in names for n in row]
            if not all(n in values for n in flat):
                continue
            stem = _stem(flat[0])
            out[stem] = results.Tensor.of_values(stem, shape or (len(flat),), [values[n] for n in flat])
    return out
