"""A graph problem's nodes as gates: every sub-operation of a node's expression as it
is written (`Node.display`) is one gate (w2·h1 + w3·h0: two × gates feeding a +),
so the drawing computes what the node computes. A node of more than MAX_GATES gates
may be one formula gate instead. graphdiagram lays the gates out and draws them."""

from dataclasses import dataclass
from typing import Optional

import sympy as sp

from ..model.functions import FUNCTIONS
from .latexprint import latex
from .texnames import escape

__all__ = ["Gate", "gates", "MAX_GATES"]

MAX_GATES = 8       # gates one node may take before it is drawn as its formula


@dataclass(frozen=True)
class Gate:
    """One operation. `inputs` are ("leaf", name), ("gate", id) or ("const", value);
    `op` is "+", "-" (first minus second), "*", "/" (first over second), "pow"
    (`param` the exponent; with two inputs base and exponent), "id", "formula"
    (`param` the node's expression over the input names) or a function's name."""

    id: str
    op: str
    inputs: tuple
    label: str                  # LaTeX inside the gate
    node: Optional[str] = None  # the tape node whose value is this gate's output
    param: object = None


def gates(tape, formulas=()):
    """The gates of every node of `tape`, in evaluation order; the nodes named in
    `formulas` (and any of more than MAX_GATES gates) are one formula gate each."""
    out, output_of = [], {}
    for node in tape.nodes:
        builder = _Builder(tape, output_of, len(out))
        if node.name not in formulas:
            builder.expand(node.display)
        if node.name in formulas or not builder.made or len(builder.made) > MAX_GATES:
            builder = _Builder(tape, output_of, len(out))
            builder.formula(node.display)
        last = builder.made[-1]
        builder.made[-1] = Gate(last.id, last.op, last.inputs, last.label, node.name, last.param)
        output_of[node.name] = last.id
        out.extend(builder.made)
    return out


def count(tape, node):
    """How many gates `node` expands to (0: it is drawn as its formula)."""
    builder = _Builder(tape, {}, 0)
    builder.expand(node.display)
    return len(builder.made)


class _Builder:
    def __init__(self, tape, output_of, start):
        self.tape, self.output_of, self.start, self.made = tape, output_of, start, []

    def _gate(self, op, inputs, label, param=None):
        gate = Gate(f"g{self.start + len(self.made)}", op, tuple(inputs), label, param=param)
        self.made.append(gate)
        return ("gate", gate.id)

    def _ref(self, symbol):
        name = symbol.name
        if name in self.output_of:
            return ("gate", self.output_of[name])
        return ("leaf", name)

    def formula(self, expr):
        symbols = sorted(expr.free_symbols, key=lambda s: s.name)
        inputs = [self._ref(s) for s in symbols]
        return self._gate("formula", inputs, latex(expr), param=(tuple(s.name for s in symbols), expr))

    def expand(self, expr):
        """The top gate computing `expr` (a node's whole display)."""
        ref = self.wire(expr)
        if ref[0] != "gate" or not self.made:        # n1 = p0, n1 = 3: an identity gate
            ref = self._gate("id", [ref], r"\mathrm{id}")
        return ref

    def wire(self, e):
        """The input carrying the value of `e`: a leaf, a constant, or a new gate."""
        if e.is_Symbol:
            return self._ref(e)
        if e.is_Number or e.is_NumberSymbol or not e.free_symbols:
            return ("const", e)
        if e.is_Add:
            return self._add(e)
        if e.is_Mul:
            return self._mul(e)
        if e.is_Pow:
            return self._pow(e)
        name = type(e).__name__
        record = FUNCTIONS.get(name.lower()) or FUNCTIONS.get(name)
        label = record.diagram if record is not None and record.diagram else r"\mathrm{" + escape(name) + "}"
        if isinstance(e, sp.Abs):
            label = r"\lvert\cdot\rvert"
        return self._gate(name, [self.wire(a) for a in e.args], label)

    def _add(self, e):
        plus, minus = [], []
        for a in _terms(e):
            coeff, rest = a.as_coeff_Mul()
            (minus if coeff == -1 and rest != 1 else plus).append(rest if coeff == -1 else a)
        if not plus or not minus:
            return self._gate("+", [self.wire(a) for a in _terms(e)], "+")
        left = self.wire(plus[0]) if len(plus) == 1 else self._gate("+", [self.wire(a) for a in plus], "+")
        right = self.wire(minus[0]) if len(minus) == 1 else self._gate("+", [self.wire(a) for a in minus], "+")
        return self._gate("-", [left, right], "-")

    def _mul(self, e):
        num, den = [], []
        for a in e.args:
            if a.is_Rational and a.p == 1 and a.q != 1:
                den.append(sp.Integer(a.q))
            elif a.is_Pow and a.exp.is_Number and a.exp < 0:
                den.append(a.base if a.exp == -1 else sp.Pow(a.base, -a.exp, evaluate=False))
            else:
                num.append(a)
        if not den:
            return self._gate("*", [self.wire(a) for a in num], r"\times")
        top = self._product(num) if num else ("const", sp.Integer(1))
        return self._gate("/", [top, self._product(den)], "/")

    def _product(self, factors):
        if len(factors) == 1:
            return self.wire(factors[0])
        return self._gate("*", [self.wire(a) for a in factors], r"\times")

    def _pow(self, e):
        base, exp = e.args
        if not exp.is_Number:
            return self._gate("pow", [self.wire(base), self.wire(exp)], r"x^y")
        if exp == sp.Rational(1, 2):
            label = r"\sqrt{\cdot}"
        elif exp == -1:
            label = r"1/\cdot"
        else:
            label = rf"(\cdot)^{{{latex(exp)}}}"
        return self._gate("pow", [self.wire(base)], label, param=exp)


def _terms(e):
    """The terms of a sum, nested sums opened: (h0 + h1) + h2 is one + of three."""
    for a in e.args:
        if a.is_Add:
            yield from _terms(a)
        else:
            yield a
