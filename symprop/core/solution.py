"""The Solution: the one intermediate representation every output reads.

It holds, for every step, every exact value, adjoint (with the consumer terms
it sums), gradient and updated parameter, and the forward pass after the last
update. Renderers (terminal text, JSON, LaTeX) and the checker read it and
never differentiate anything themselves.
"""

from dataclasses import dataclass, field

import sympy as sp

from ..model import naming
from ..model.naming import Quantity
from .numeric import decimal, tree_size

__all__ = ["Term", "Adjoint", "Step", "Forward", "Solution", "value_json", "exact_string"]


@dataclass(frozen=True)
class Term:
    """One consumer's share of an adjoint: adjoint(consumer) · ∂consumer/∂input."""

    consumer: str
    consumer_adjoint: str     # flat name of the consumer's adjoint
    partial: sp.Expr          # ∂consumer/∂input, symbolic over tape names
    partial_value: sp.Expr
    contribution: sp.Expr


@dataclass(frozen=True)
class Adjoint:
    name: str                 # flat name: delta2[1], dL/da1[1], dL/dw0
    of: str                   # the node or leaf it belongs to
    terms: tuple
    value: sp.Expr


@dataclass(frozen=True)
class Step:
    number: int
    params: dict              # parameter values before the step
    values: dict              # node name → value (forward pass)
    loss: sp.Expr
    adjoints: dict            # node/leaf name → Adjoint
    gradients: dict           # leaf name → ∂L/∂leaf
    params_after: dict        # parameter name → value after the update (empty if steps = 0)

    @property
    def prefix(self):
        return naming.step_prefix(self.number)


@dataclass(frozen=True)
class Forward:
    params: dict
    values: dict
    loss: sp.Expr


MAX_EXACT_NODES = 4000    # a closed form larger than this (as a tree) is not written out


def exact_string(expr):
    """The exact value as text SymPy reads back ('3/8', '1/(1 + exp(-2/5))'), or None
    when the closed form is too large to print (it nests the whole network after
    an update step: as a tree it grows exponentially with the steps).

    Printed by `_exact`, not sympy.sstr: SymPy's printer drops the parentheses of a
    reciprocal in a denominator of an unevaluated product (−y/a with a = 1/(1 + e^−z)
    came out '-1*y/1/(1 + exp(-z))', which reads back as −y·a/1), and it would
    order (so evaluate) every term of a closed form."""
    if not expr.is_Rational and tree_size(expr, MAX_EXACT_NODES + 1) > MAX_EXACT_NODES:
        return None
    return _exact(expr, 0)


# precedence of the context a subexpression is printed in
_TOP, _TERM, _FACTOR, _TIGHT = 0, 1, 2, 3


def _wrap(text, needed):
    return f"({text})" if needed else text


def _exact(e, where):
    """e as text that sympify reads back to the same number, parenthesised for `where`."""
    if e.is_Rational:
        return _wrap(str(e), where >= _FACTOR and (e.q != 1 or e < 0))
    if e.is_Add:
        parts = [_exact(a, _TERM) for a in e.args]
        text = parts[0] + "".join(f" - {p[1:]}" if p.startswith("-") else f" + {p}"
                                  for p in parts[1:])
        return _wrap(text, where >= _FACTOR)
    if e.is_Mul:
        args = list(e.args)
        sign = ""
        if args[0] == -1 and len(args) > 1:
            sign, args = "-", args[1:]
        over = [a.base for a in args if a.is_Pow and a.exp == -1]
        factors = [a for a in args if not (a.is_Pow and a.exp == -1)]
        text = "*".join(_exact(a, _FACTOR) for a in factors) or "1"
        text = sign + text + "".join("/" + _exact(b, _TIGHT) for b in over)
        return _wrap(text, where >= _TIGHT or (sign and where >= _FACTOR))
    if e.is_Pow:
        if e.exp == -1:
            return _wrap("1/" + _exact(e.base, _TIGHT), where >= _TIGHT)
        return _wrap(f"{_exact(e.base, _TIGHT)}**{_exact(e.exp, _TIGHT)}", where >= _TIGHT)
    if e.args and isinstance(e, sp.Function):
        return f"{type(e).__name__}({', '.join(_exact(a, _TOP) for a in e.args)})"
    return sp.sstr(e)


def value_json(expr, digits=15):
    """{"exact": "3/8", "decimal": "0.375"}; no decimal for a symbolic value; exact is
    null for a closed form of more than MAX_EXACT_NODES nodes."""
    out = {"exact": exact_string(expr)}
    dec = decimal(expr, digits)
    if dec is not None:
        out["decimal"] = dec
    return out


@dataclass(frozen=True)
class Solution:
    problem: object
    tape: object = field(repr=False)
    steps: tuple = field(repr=False)
    final: object = field(repr=False)

    # -- grouped views, all keyed by flat names ------------------------------
    def step_groups(self, step):
        """The quantities of one step, grouped as in the JSON `steps` list."""
        tape = self.tape
        deltas = {}
        for node in tape.nodes:
            if node.name != tape.loss:
                deltas[node.adjoint] = step.adjoints[node.name].value
        loss_name = tape.loss
        return {
            "values": {n: v for n, v in step.values.items() if n != loss_name},
            "loss": step.loss,
            "deltas": deltas,
            "gradients": {tape.leaves[n].adjoint: v for n, v in step.gradients.items()},
            "params_after": {naming.updated(n): v for n, v in step.params_after.items()},
        }

    def answers(self):
        """Every quantity under its one flat name, in solving order."""
        out = {}
        loss_key = "loss" if self.problem.loss != "none" else self.tape.loss
        for step in self.steps:
            g = self.step_groups(step)
            pre = step.prefix
            out.update({pre + k: v for k, v in g["values"].items()})
            out[pre + loss_key] = g["loss"]
            for group in ("deltas", "gradients", "params_after"):
                out.update({pre + k: v for k, v in g[group].items()})
        if self.final is not None:
            for n, v in self.final.values.items():
                out[naming.FINAL + n] = v
        return out

    def flat(self, node_name):
        """The flat name of a node's value: 'loss' for the loss node, else its own name."""
        if node_name == self.tape.loss and self.problem.loss != "none":
            return "loss"
        return node_name

    def quantity(self, name):
        """The Quantity an answer's flat name spells ('step2.dL/dW1[1,2]' → the gradient
        of that weight at step 2); KeyError for a name that is not an answer."""
        return self._quantities()[name]

    def _quantities(self):
        cached = self.__dict__.get("_quantity_map")
        if cached is None:
            tape, cached = self.tape, {}
            for _, (section, step), name, _ in self.items():
                flat = name.split(".", 1)[1] if section == "final" or (step or 1) > 1 else name
                q = tape.quantities[flat]
                cached[name] = q.at(final=True) if section == "final" else q.at(step)
            for step in self.steps:                 # parameters kept fixed are answers too
                for leaf in step.params_after:
                    q = Quantity("updated", of=tape.leaves[leaf].quantity).at(step.number)
                    cached.setdefault(step.prefix + naming.updated(leaf), q)
            object.__setattr__(self, "_quantity_map", cached)
        return cached

    def items(self):
        """Every asked quantity in worksheet order: (number, (section, step), name, value).

        Forward pass, backward pass (sweep order), gradients and update of each
        step, then the forward pass after the last update. Every consumer of a
        numbered list (worksheets, the checker) reads it from here."""
        tape, out = self.tape, []

        def add(section, name, value):
            out.append((len(out) + 1, section, name, value))

        for step in self.steps:
            pre = step.prefix
            for node in tape.nodes:
                add(("forward", step.number), pre + self.flat(node.name), step.values[node.name])
            for node in tape.backward_order():
                add(("backward", step.number), pre + node.adjoint, step.adjoints[node.name].value)
            for leaf in tape.reported:
                add(("gradients", step.number), pre + leaf.adjoint, step.gradients[leaf.name])
            for leaf in tape.params:
                if leaf.updated and step.params_after:
                    add(("update", step.number), pre + naming.updated(leaf.name),
                        step.params_after[leaf.name])
        if self.final is not None:
            for node in tape.nodes:
                add(("final", None), naming.FINAL + self.flat(node.name), self.final.values[node.name])
        return out

    def to_json(self, digits=15):
        """The solution as a JSON-ready dict (see README: JSON output)."""
        from ..errors import PrecisionError

        def named(name, e):
            try:
                return value_json(e, digits)
            except PrecisionError as exc:       # the message names the quantity it failed on
                raise exc.at(source=self.problem.source, key=name) from None

        answers = {k: named(k, v) for k, v in self.answers().items()}
        vj = lambda e: value_json(e, digits)
        steps = []
        for step in self.steps:
            g = self.step_groups(step)
            steps.append({k: (vj(v) if k == "loss" else {n: vj(x) for n, x in v.items()})
                          for k, v in g.items()})
        out = {
            "title": self.problem.title,
            "answers": answers,
            "steps": steps,
        }
        if self.final is not None:
            values = {n: vj(v) for n, v in self.final.values.items() if n != self.tape.loss}
            out["final"] = {"values": values, "loss": vj(self.final.loss)}
        return out

    def __str__(self):
        from ..render.textout import render

        return render(self)

    def to_latex(self, questions=False):
        """The worksheet's LaTeX source (answer sheet, or question sheet)."""
        from ..render.sheet import to_latex

        return to_latex(self, questions)

    def to_pdf(self, path, questions=False, force=False):
        """Compile the worksheet with pdflatex and write it to `path` (atomically)."""
        from ..output.files import write_atomic
        from ..output.texcompile import compile_pdf

        write_atomic(path, compile_pdf(self.to_latex(questions)), force=force)
        return path

    def _repr_latex_(self):
        """Jupyter: every answer, exact and decimal, as rendered math."""
        from ..render.latexprint import latex_value
        from ..render.texnames import tex_name

        rows = [rf"{tex_name(n)} &{latex_value(v)}" for n, v in list(self.answers().items())[:60]]
        return r"$\begin{aligned}" + r" \\ ".join(rows) + r"\end{aligned}$"
