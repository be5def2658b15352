"""The Problem: a network, its data, its loss and its training set-up.

A Problem is plain data (frozen dataclasses). `Problem.from_dict` validates a
dict shaped like a problem file (see README; the checks are in reader.py) and
converts every number to an exact SymPy value; `symprop.load` reads the dict
from TOML. `Problem.with_values` makes the same problem with other numbers
(values.py), which is how exam variants are drawn. Every error names the key
path where it was found.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Optional

import sympy as sp

from . import exprparse
from .exact import checked, parse_value, shown, sign
from ..errors import ExpressionError, ProblemFileError
from .functions import Conventions
from .losses import LOSSES

__all__ = ["Layer", "Layered", "Graph", "Sample", "Problem", "to_value", "check_targets",
           "MAX_UNITS", "MAX_LAYERS"]

MAX_UNITS = 512      # units per layer accepted from a file
MAX_LAYERS = 32
MAX_STEPS = 50
MAX_SAMPLES = 256
MAX_NODES = 500      # graph nodes


@dataclass(frozen=True)
class Layer:
    """One dense layer: z = W a + b, a = f(z). W[j][k] joins unit k below to unit j."""

    weights: tuple
    bias: Optional[tuple]
    activation: str

    @property
    def shape(self):
        return len(self.weights), len(self.weights[0])


@dataclass(frozen=True)
class Layered:
    layers: tuple

    @property
    def sizes(self):
        """Units per layer, inputs first: (3, 2, 2) for a 3-2-2 net."""
        return (self.layers[0].shape[1],) + tuple(l.shape[0] for l in self.layers)


@dataclass(frozen=True)
class Graph:
    """Named scalar nodes defined in order; `nodes` maps name → expression text."""

    nodes: tuple          # ((name, text), ...), in definition order
    output: str


@dataclass(frozen=True)
class Sample:
    """One training example: input values by name and the target (or None)."""

    inputs: tuple         # ((name, value or tuple of values), ...)
    target: Optional[tuple]


@dataclass(frozen=True)
class Problem:
    network: object                       # Layered | Graph
    samples: tuple
    loss: str = "half_sse"
    learning_rate: Optional[sp.Expr] = None
    steps: int = 1
    title: str = "Backpropagation exercise"
    notes: str = ""
    index_base: int = 1
    relu_derivative_at_zero: int = 0
    leaky_slope: sp.Expr = sp.Rational(1, 100)
    update_biases: bool = True
    reduction: str = "mean"
    params: tuple = ()                    # graph form: ((name, value), ...)
    gradients_for: tuple = ()
    source: Optional[str] = field(default=None, compare=False)
    exam: object = field(default=None, compare=False, repr=False)   # ExamSettings ([exam])
    # the dict it was read from; after with_values, that dict with the new values written in
    raw: Optional[dict] = field(default=None, compare=False, repr=False)

    @property
    def conventions(self):
        return Conventions(self.relu_derivative_at_zero, self.leaky_slope)

    @property
    def is_layered(self):
        return isinstance(self.network, Layered)

    @property
    def has_loss(self):
        """False for loss = "none": the output itself is differentiated (df/d…)."""
        return LOSSES[self.loss].needs_target

    def __repr__(self):
        return f"<Problem {self.title!r}: {_net_summary(self)}>"

    def _repr_markdown_(self):
        """Jupyter: the network's table (units and activation per layer, or the graph's
        nodes) and the training set-up. Plain Markdown written here, not by the
        renderers: the model sits below them and needs no LaTeX names for this."""
        return _markdown(self)

    @classmethod
    def from_dict(cls, data, *, source=None):
        """Validate a problem-file dict; raise ProblemFileError naming the key."""
        from .reader import read

        return read(data, source)

    def with_values(self, values):
        """This problem with some leaf values replaced: `values` maps a slot (see
        values.py: ("weight", l, j, k), ("bias", l, j), ("param", name),
        ("input", s, name, k), ("target", s, j), indices from 0) to a number, which
        is converted and checked as loading would (exact Rationals stay exact)."""
        from .values import with_values

        return with_values(self, values)


# ---------------------------------------------------------------------------
# short displays (repr, Jupyter)

def _short(value):
    from .numeric import tree_size

    text = sp.sstr(value) if value.is_Rational or tree_size(value, 30) < 30 else None
    return text if text is not None and len(text) <= 40 else "(a closed form)"


def _net_summary(p):
    if p.is_layered:
        acts = ", ".join(l.activation for l in p.network.layers)
        net = f"{'-'.join(map(str, p.network.sizes))} layered net ({acts})"
    else:
        net = f"graph of {len(p.network.nodes)} nodes → {p.network.output}"
    parts = [net, f"loss {p.loss}"]
    if p.learning_rate is not None:
        parts.append(f"η = {_short(p.learning_rate)}, {p.steps} step{'s' if p.steps != 1 else ''}")
    parts.append(f"{len(p.samples)} sample{'s' if len(p.samples) != 1 else ''}")
    return ", ".join(parts)


def _md(text):
    text = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", " ")
    return "".join("\\" + c if c in "\\`*_{}[]#+!|$~" else c for c in text)


def _code(text):
    return "`" + str(text).replace("`", "'").replace("|", "¦").replace("\n", " ") + "`"


def _markdown(p):
    out = [f"**{_md(p.title)}**" + (f" ({_md(p.source)})" if p.source else "")]
    if p.is_layered:
        rows = ["| layer | units | activation | weights | bias |", "|---:|---:|---|---|---|",
                f"| 0 (inputs) | {p.network.sizes[0]} | | | |"]
        for i, layer in enumerate(p.network.layers, 1):
            rows.append(f"| {i} | {layer.shape[0]} | {_md(layer.activation)} | "
                        f"{layer.shape[0]}×{layer.shape[1]} | {'yes' if layer.bias is not None else 'no'} |")
    else:
        rows = ["| node | definition |", "|---|---|"]
        rows += [f"| {_code(n)} | {_code(t.strip())} |" for n, t in p.network.nodes[:200]]
        if len(p.network.nodes) > 200:
            rows.append(f"| … | {len(p.network.nodes) - 200} more nodes: `problem.network.nodes` |")
    out.append("\n".join(rows))
    setup = [f"loss **{_md(p.loss)}**" + (f" ({p.reduction} over the samples)" if len(p.samples) > 1 else ""),
             f"{len(p.samples)} sample{'s' if len(p.samples) != 1 else ''}"]
    if p.learning_rate is not None:
        setup.append(f"learning rate η = {_md(_short(p.learning_rate))}, {p.steps} "
                     f"step{'s' if p.steps != 1 else ''}")
    setup.append(f"indices from {p.index_base}")
    out.append(" · ".join(setup))
    return "\n\n".join(out)


# ---------------------------------------------------------------------------
# values

def to_value(raw, *, allow_symbols=True):
    """An exact SymPy value from a TOML value: int, Decimal, or a string.

    Strings are numbers ('1/2', '-2.5e-3'), exact closed forms ('sqrt(2)/2',
    '1 + sin(pi/4)'; model/exact.py), symbol names ('w') or small expressions of
    these ('2*w'); never eval'd.
    """
    if isinstance(raw, bool):
        raise ExpressionError(f"expected a number, got {str(raw).lower()}")
    if isinstance(raw, int):
        if abs(raw).bit_length() > exprparse.MAX_BITS:
            raise ExpressionError("number too large")
        return sp.Integer(raw)
    if isinstance(raw, Decimal):
        if not raw.is_finite():
            raise ExpressionError(f"non-finite number '{raw}'")
        return exprparse.parse_number(str(raw))
    if isinstance(raw, Fraction):
        return sp.Rational(raw.numerator, raw.denominator)
    if isinstance(raw, float):
        # Only reachable from Python callers; a float is taken at its shortest repr.
        return exprparse.parse_number(repr(raw))
    if isinstance(raw, sp.Basic) and raw.is_number:
        if raw.is_Float:
            return sp.nsimplify(raw)
        return raw if raw.is_Rational else checked(raw)
    if isinstance(raw, str):
        return parse_value(raw, allow_symbols=allow_symbols)
    raise ExpressionError(f"expected a number, got {type(raw).__name__}")


def check_targets(problem):
    """Refuse targets outside [0, 1] for the losses that need them (bce, cross entropy):
    checked when a file is read and when values are replaced."""
    if problem.loss in ("bce", "cross_entropy"):
        for s in problem.samples:
            for v in s.target:
                if not v.free_symbols and (sign(v) < 0 or sign(1 - v) < 0):
                    raise ProblemFileError(f"target {shown(v)} is outside [0, 1], which loss "
                                           f"'{problem.loss}' needs", source=problem.source, key="y")
