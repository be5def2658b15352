"""The facts every renderer asks of a Solution, each computed here once.

The terminal text, the LaTeX sheets, the exam's HTML and the exam drawing used
to work these out each for itself (the loss change three times, the adjoint
terms and value environment twice, the problem statement three times); now
they read them through the Solution (Solution.statement, .loss_change(),
.values_at(), .adjoint_terms(), .has_kinks) and only format them. So no
renderer needs the engine's arithmetic or the tape's internals.

    Statement   the problem as an exercise states it (givens, loss, steps, conventions)
    LossChange  how the loss changed over the gradient-descent steps
    ShownTerm   one term of an adjoint as the worked solutions write it
"""

import ast
from dataclasses import dataclass, fields
from typing import Optional

import sympy as sp

from ..model.functions import ACTIVATIONS, GRAPH_FUNCTIONS
from .arith import add, mul
from ..model.numeric import decimal, is_symbolic

__all__ = ["Statement", "Given", "LossChange", "ShownTerm", "statement", "loss_change", "has_kinks"]


class _Shown:
    """A repr that never prints a closed form through SymPy (whose str orders, so
    evaluates, every term: minutes for a sigmoid net's loss change): rationals as
    they are, closed forms as ≈ their certified 6-digit decimal."""

    def __repr__(self):
        parts = []
        for f in fields(self):
            v = getattr(self, f.name)
            if isinstance(v, sp.Basic) and not v.is_Rational and not isinstance(v, sp.Symbol):
                shown = _approx(v)
            elif isinstance(v, (tuple, list)) and len(v) > 6:
                shown = f"<{len(v)} items>"
            else:
                shown = repr(v)
            parts.append(f"{f.name}={shown}")
        return f"{type(self).__name__}({', '.join(parts)})"


def _approx(v):
    if is_symbolic(v):
        return "<symbolic>"
    try:
        return f"≈{decimal(v, 6)}"
    except Exception:                      # a repr must not fail: PrecisionError, LimitError
        return "<closed form>"


@dataclass(frozen=True, repr=False)
class Given(_Shown):
    """One given value of the problem: a tape leaf (a parameter or a data value)."""

    name: str                 # flat name: w1, W1[1,2], x[1], y
    value: sp.Expr
    param: bool               # a parameter (trained), not an input or a target


@dataclass(frozen=True, repr=False)
class Statement(_Shown):
    """The exercise as every output states it; the renderers only choose the spelling.

    A layered net is stated by its layers (each the problem's Layer: weights,
    bias, activation) and its samples ((x, y) pairs of value tuples, y None
    without a target); a computational graph by its equations (the nodes of the
    first sample in evaluation order, as (name, display expression) pairs) and
    its output. `givens` are every tape leaf in tape order, for both kinds."""

    title: str
    source: Optional[str]
    notes: str
    layered: bool
    sizes: tuple              # layered: units per layer, inputs first; graph: ()
    layers: tuple             # layered: model.problem.Layer per layer; graph: ()
    samples: tuple            # layered: ((x, y), ...); graph: ()
    index_base: int
    output: Optional[str]     # graph: the output node's name; layered: None
    equations: tuple          # graph: ((name, display), ...); layered: ()
    givens: tuple             # (Given, ...)
    loss: str                 # the loss's name ("none": the output itself is differentiated)
    loss_display: Optional[sp.Expr]   # a graph with one sample: L written out; else None
    sample_count: int
    reduction: str            # "mean" or "sum" over the samples
    learning_rate: Optional[sp.Expr]
    steps: int
    relu_derivative_at_zero: Optional[int]    # the convention, when the net has a kink; else None


@dataclass(frozen=True, repr=False)
class LossChange(_Shown):
    """The loss before the first step and after the last update, and the change.

    `direction` is "down", "unchanged" or "up", read off `decimal` (its digits are
    certified, so its sign is the exact change's sign)."""

    before: sp.Expr
    after: sp.Expr
    change: sp.Expr           # after − before, exact (unevaluated for closed forms)
    decimal: str              # the change to 6 significant digits ("-0.0123", "1.5e-7", "0")
    direction: str

    @property
    def went_down(self):
        return self.direction == "down"


@dataclass(frozen=True, repr=False)
class ShownTerm(_Shown):
    """One consumer's term of an adjoint, with what a worked equation prints of it:
    adjoint(consumer) · ∂consumer/∂input, the partial as written (w3, σ′(z2[1]))."""

    consumer: str             # the node consuming the input
    adjoint: str              # flat name of the consumer's adjoint
    adjoint_value: sp.Expr
    partial: sp.Expr          # ∂consumer/∂input as the sheets write it, over tape names
    partial_value: sp.Expr
    from_loss: bool           # the consumer is the loss node: the term is its partial alone


def has_kinks(problem):
    """Whether the network has a ReLU-like kink, so that ReLU′(0)'s convention matters:
    a layer's activation, or a function a graph node calls (not a name containing "relu")."""
    if problem.is_layered:
        return any(ACTIVATIONS[l.activation].relu_like for l in problem.network.layers)
    called = {n.func.id for _, text in problem.network.nodes
              for n in ast.walk(ast.parse(text.strip(), mode="eval"))
              if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    return any(GRAPH_FUNCTIONS[f].relu_like for f in called if f in GRAPH_FUNCTIONS)


def statement(solution):
    """The Statement of a solved problem (read it as Solution.statement, built once)."""
    p, tape = solution.problem, solution.tape
    givens = tuple(Given(l.name, l.value, l.kind == "param") for l in tape.leaves.values())
    loss_display = None
    if p.has_loss and not p.is_layered and len(p.samples) == 1:
        loss_display = tape.node(tape.loss).display
    if p.is_layered:
        kind = dict(sizes=tuple(p.network.sizes), layers=tuple(p.network.layers),
                    samples=tuple((tuple(dict(s.inputs)["x"]), s.target) for s in p.samples),
                    output=None, equations=())
    else:
        kind = dict(sizes=(), layers=(), samples=(), output=p.network.output,
                    equations=tuple((n.name, n.display) for n in tape.nodes
                                    if n.kind == "node" and n.sample in (None, 0)))
    return Statement(title=p.title, source=p.source, notes=p.notes, layered=p.is_layered,
                     index_base=p.index_base, givens=givens, loss=p.loss, loss_display=loss_display,
                     sample_count=len(p.samples), reduction=p.reduction, learning_rate=p.learning_rate,
                     steps=p.steps, relu_derivative_at_zero=p.relu_derivative_at_zero if has_kinks(p) else None,
                     **kind)


def loss_change(solution):
    """The LossChange over the steps; None without an update step, without a loss
    (loss "none": the output is not a loss to go down) or with symbolic values."""
    if solution.final is None or not solution.problem.has_loss:
        return None
    before, after = solution.steps[0].loss, solution.final.loss
    if is_symbolic(before) or is_symbolic(after):
        return None
    change = add(after, mul(-1, before))
    d = decimal(change, 6)
    direction = "down" if d.startswith("-") else ("unchanged" if d == "0" else "up")
    return LossChange(before, after, change, d, direction)


def shown_partials(tape):
    """{(consumer, input): the partial as written} over the whole tape."""
    return {(n.name, inp): d for n in tape.nodes for inp, d in n.shown_partials}


def adjoint_terms(loss, shown, adjoint_values, adjoint):
    """The ShownTerms of `adjoint` (an Adjoint of a step): `loss` the loss node's name,
    `shown` the shown_partials, `adjoint_values` the step's {flat adjoint name: value}."""
    return tuple(ShownTerm(t.consumer, t.consumer_adjoint, adjoint_values.get(t.consumer_adjoint),
                           shown[(t.consumer, adjoint.of)], t.partial_value, t.consumer == loss)
                 for t in adjoint.terms)
