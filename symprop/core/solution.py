"""The Solution: the one intermediate representation every output reads.

It holds, for every step, every exact value, adjoint (with the consumer terms
it sums), gradient and updated parameter, and the forward pass after the last
update, with the facts renderers ask (core/facts.py) and the Quantity of every
answer. Renderers (terminal text, JSON, LaTeX) and the exam code read it and never
differentiate anything; the checker differentiates only its own one-step
definitions, for the first-order bound of how far a person's rounding moves a value.
"""

from dataclasses import dataclass, field
from functools import cached_property, lru_cache

import sympy as sp

from ..model import naming
from ..model.naming import Quantity
from . import facts
from ..model.numeric import decimal, tree_size

__all__ = ["Term", "Adjoint", "Step", "Forward", "Solution", "value_json", "exact_string", "register",
           "renderer", "RENDERERS"]


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
    reciprocal in a denominator of an unevaluated product (−y/a with a = 1/(1 + e^−z) came
    out '-1*y/1/(1 + exp(-z))', read back as −y·a/1), and it would order every term."""
    if not expr.is_Rational and tree_size(expr, MAX_EXACT_NODES + 1) > MAX_EXACT_NODES:
        return None
    return _exact(expr, 0)


# precedence of the context a subexpression is printed in
_TOP, _TERM, _FACTOR, _TIGHT = 0, 1, 2, 3


def _wrap(text, needed):
    return f"({text})" if needed else text


@lru_cache(maxsize=4096)     # values share subexpressions: each is printed once
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
        loss_key = "loss" if self.problem.has_loss else self.tape.loss
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
        if node_name == self.tape.loss and self.problem.has_loss:
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

    # -- what the renderers ask (core/facts.py); each fact computed once --------------
    @cached_property
    def statement(self):
        """The problem as the exercise states it (facts.Statement): givens, loss,
        learning rate, steps, conventions; text, LaTeX and HTML format it."""
        return facts.statement(self)

    @cached_property
    def has_kinks(self):
        """Whether the net has a ReLU-like kink (so ReLU′(0)'s convention matters)."""
        return facts.has_kinks(self.problem)

    # the digits a question sheet asks for; the hidden layers dead after the last update
    question_digits = cached_property(facts.question_digits)
    dead_after_update = cached_property(facts.dead_after_update)

    def loss_change(self):
        """facts.LossChange from the first step's loss to the loss after the last
        update; None without an update, without a loss, or for symbolic values."""
        if "_loss_change" not in self.__dict__:
            object.__setattr__(self, "_loss_change", facts.loss_change(self))
        return self._loss_change

    def values_at(self, step):
        """Every value of a forward pass by tape name: the data (inputs, targets), the
        parameters and the node values of `step` (a Step, or `final`)."""
        data = self.__dict__.get("_data")
        if data is None:
            data = {l.name: l.value for l in self.tape.leaves.values() if l.kind != "param"}
            object.__setattr__(self, "_data", data)
        return {**data, **step.params, **step.values}

    def adjoint_terms(self, step, of):
        """The terms of the adjoint of `of` (a node or leaf name) at `step`, as the worked
        solutions show them (facts.ShownTerm: consumer, its adjoint and value, the
        partial as written and its value)."""
        cache = self.__dict__.get("_adjoint_values")
        if cache is None:
            cache = {"shown": facts.shown_partials(self.tape)}
            object.__setattr__(self, "_adjoint_values", cache)
        if step.number not in cache:
            cache[step.number] = {a.name: a.value for a in step.adjoints.values()}
        return facts.adjoint_terms(self.tape.loss, cache["shown"], cache[step.number], step.adjoints[of])

    # -- outputs: the renderers register themselves (render/__init__.py) ----------------
    def __str__(self):
        return _renderer("text")(self)

    def to_latex(self, questions=False):
        """The worksheet's LaTeX source (answer sheet, or question sheet)."""
        return _renderer("latex")(self, questions)

    def to_pdf(self, path, questions=False, force=False):
        """Compile the worksheet with pdflatex and write it to `path` (atomically)."""
        from ..output.files import write_atomic
        from ..output.texcompile import compile_pdf

        write_atomic(path, compile_pdf(self.to_latex(questions)), force=force)
        return path

    def _repr_latex_(self):
        """Jupyter (LaTeX): the answers, exact and decimal, as one aligned display (the
        first render.jupyter.MAX_SHOWN, then how many more there are)."""
        return _renderer("jupyter")(self)

    def _repr_markdown_(self):
        """Jupyter: the solution in sections with headings (problem, forward pass, loss,
        backward pass, gradients, update, after the update), math for MathJax/KaTeX;
        a large net's display says how many quantities it left out."""
        return _renderer("markdown")(self)

    def __repr__(self):
        p = self.problem
        return (f"<Solution of {p.title!r}: {len(self.items())} quantities over {len(self.steps)} "
                f"step{'s' if len(self.steps) != 1 else ''}>")


# The renderers of Solution.__str__ ("text"), to_latex ("latex"), _repr_latex_
# ("jupyter") and _repr_markdown_ ("markdown"), and the Jupyter displays of Gradients
# ("gradients") and Derivation ("derivation"). The render package fills this when it
# is imported (symprop/__init__.py imports it), so neither the core nor the fast path
# imports a renderer: the layers stay one-way.
RENDERERS = {}


def register(kind, render):
    """Make `render` the renderer of `kind` ("text", "latex", "jupyter", "markdown",
    "gradients", "derivation")."""
    RENDERERS[kind] = render


def renderer(kind):
    """The registered renderer of `kind` (RuntimeError when symprop.render is not imported)."""
    return _renderer(kind)


def _renderer(kind):
    try:
        return RENDERERS[kind]
    except KeyError:
        raise RuntimeError(f"no {kind!r} renderer registered for Solution; import symprop.render") from None
