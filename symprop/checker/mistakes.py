"""The mistakes the checker can name, and every quantity's one-step definition with
one of them injected.

Each quantity's definition (z from W, a and b; δ from the consumers' δ; w′ from w
and its gradient) is built from the tape as an expression over flat names, so
recomputing "from their own values" is a substitution (check.py). Recomputing
with a mistake (updated weights in the backward pass, σ′ from z, a dropped
factor 2, ...) is the same definition built with the slip made. Which slips a
function invites is the registry's word (Function.mistakes); which quantity a
symbol stands for is the tape's (its Quantity: kind, layer, index, sample).
"""

from dataclasses import replace

import sympy as sp

from ..model import naming
from ..model.functions import Conventions

__all__ = ["MISTAKES", "Definitions", "symbol"]

MISTAKES = {
    "updated_weights": "back-propagated through the already-updated weights of a later layer "
                       "(use the weights from before the update)",
    "relu_convention": "ReLU′(0) taken with the other convention (the problem says ReLU′(0) = {c})",
    "no_activation_derivative": "the activation derivative f′(z) was left out of δ",
    "sigma_from_z": "σ′ was computed from z, as z(1 − z), instead of a(1 − a) with a = σ(z)",
    "sigma_not_derivative": "σ′(z) was taken as σ(z) instead of σ(z)(1 − σ(z))",
    "sign_flipped": "the sign is flipped: (y − ŷ) where the derivative of the loss needs (ŷ − y)",
    "factor_half": "a factor 2 is missing (½·SSE and SSE mixed up: the derivative of (ŷ − y)² "
                   "is 2(ŷ − y))",
    "factor_double": "a factor 2 too many (½·SSE and SSE mixed up: ½(ŷ − y)² has the derivative "
                     "ŷ − y, and the ½ belongs in the loss)",
    "w_not_transposed": "W was used instead of Wᵀ when propagating δ back (w_jk instead of w_kj)",
    "z_for_a": "z was used where the activation a belongs (the activation was forgotten)",
    "bias_left_out": "the bias was left out of z",
    "lr_added": "the learning-rate step was added instead of subtracted (w + η·∂L/∂w)",
    "target_is_output": "the loss compares the output with itself (the target was replaced by the "
                        "rounded output), so it came out 0",
}



def symbol(name):
    """The symbol of a flat name in the definitions."""
    return sp.Symbol(name, real=True)


class Definitions:
    """One-step definitions of every quantity, over flat names; optionally with a mistake."""

    def __init__(self, solution):
        self.s = solution
        self.tape = solution.tape
        self.items = {name: (number, section) for number, section, name, _ in solution.items()}
        # Quantity → tape name, for every leaf and node (what a quantity's symbol is)
        self.names = {x.quantity: x.name for x in (*solution.tape.leaves.values(),
                                                   *solution.tape.nodes)}
        self._maps, self._defs = {}, {}     # memos: _map's dicts (read only), definitions

    def _leaf(self, leaf, step, final, mistake):
        """A leaf's value in the equations of `step`: a given constant or a previous update."""
        if leaf.kind == "param" and leaf.updated:
            last = len(self.s.steps)
            before = last if final else step - 1
            if before >= 1:
                return symbol(naming.step_prefix(before) + naming.updated(leaf.name))
        if mistake == "bias_left_out" and leaf.quantity.kind == "bias":
            return sp.Integer(0)
        return leaf.value

    def _map(self, step, final=False, mistake=None, updated=False):
        """{tape symbol: its value or flat-name symbol} in `step`'s equations (built once
        per arguments; callers only read it)."""
        key = (step, final, mistake == "bias_left_out", updated)     # _leaf's one slip
        if key not in self._maps:
            self._maps[key] = self._build_map(step, final, mistake, updated)
        return self._maps[key]

    def _build_map(self, step, final, mistake, updated):
        pre = naming.FINAL if final else naming.step_prefix(step)
        out = {}
        for name, leaf in self.tape.leaves.items():
            value = self._leaf(leaf, step, final, mistake)
            if updated and leaf.kind == "param" and leaf.updated:
                value = symbol(naming.step_prefix(step) + naming.updated(leaf.name))
            out[self.tape.symbols[name]] = value
        for node in self.tape.nodes:
            out[self.tape.symbols[node.name]] = symbol(pre + self.s.flat(node.name))
        return out

    def forward(self, node, step, final=False, mistake=None):
        if mistake == "z_for_a" and node.kind == "a":       # a_j taken as its own z_j
            pre = self.names[replace(node.quantity, kind="pre")]
            return self._map(step, final)[self.tape.symbols[pre]]
        if mistake == "target_is_output" and node.name == self.tape.loss:
            return sp.Integer(0)
        if mistake in ("factor_half", "factor_double") and node.kind == "loss":
            factor = sp.Rational(1, 2) if mistake == "factor_half" else 2
            return factor * node.expr.xreplace(self._map(step, final))
        return node.expr.xreplace(self._map(step, final, mistake))

    def adjoint(self, of, step, mistake=None):
        pre = naming.step_prefix(step)
        terms = []
        for node in self.tape.nodes:
            for inp, partial in node.partials:
                if inp != of:
                    continue
                local = self._partial(node, inp, partial, step, mistake)
                if node.name == self.tape.loss:
                    terms.append(local)
                else:
                    terms.append(symbol(pre + node.adjoint) * local)
        return sp.Add(*terms)

    def _partial(self, node, inp, partial, step, mistake):
        tape = self.tape
        mapping = self._map(step, updated=(mistake == "updated_weights" and node.kind == "z"))
        z_of = lambda: mapping[tape.symbols[inp]]
        record = self._activation(node)
        invited = record is not None and mistake in record.mistakes   # σ′ slips only at a σ
        if node.kind == "a" and mistake == "no_activation_derivative":
            return sp.Integer(1)
        if node.kind == "a" and invited and mistake == "sigma_from_z":
            return z_of() * (1 - z_of())
        if node.kind == "a" and invited and mistake == "sigma_not_derivative":
            return mapping[tape.symbols[node.name]]
        if node.kind == "a" and record is not None and record.derivative is not None:
            # as a hand solution writes it: σ′ = a(1 − a) from the unit's own (rounded) a;
            # ReLU′(0) with the other convention if that is the mistake tried
            conv = self.s.problem.conventions
            if invited and mistake == "relu_convention":
                conv = Conventions(1 - conv.relu_derivative_at_zero, conv.leaky_slope)
            return record.derivative(z_of(), mapping[tape.symbols[node.name]], conv)
        if node.name == tape.loss and node.kind in ("loss",) and mistake in ("sign_flipped", "factor_half",
                                                                             "factor_double"):
            factor = {"sign_flipped": -1, "factor_half": sp.Rational(1, 2), "factor_double": 2}[mistake]
            return factor * partial.xreplace(mapping)
        if node.kind == "z" and mistake == "w_not_transposed" and inp not in tape.leaves:
            (j,), (k,) = node.quantity.index, tape.node(inp).quantity.index
            swapped = self.names.get(naming.Quantity("weight", node.quantity.layer, (k, j)))
            if swapped is not None:                       # W_kj where W_jk belongs
                return mapping[tape.symbols[swapped]]
            return None
        if node.kind == "z" and mistake == "z_for_a" and inp in tape.leaves:
            below = _node_quantity(tape, partial)         # ∂z/∂W = a of the layer below ...
            if below is not None and below.kind == "act":
                return mapping[tape.symbols[self.names[replace(below, kind="pre")]]]  # ... as its z
        return partial.xreplace(mapping)

    def _activation(self, node):
        """The registry record of an activation node's function (None for other nodes)."""
        return node.functions[0] if node.kind == "a" and node.functions else None

    def definition(self, name, mistake=None):
        """The expression of a flat name over other flat names (None if it has none);
        built once per (name, mistake)."""
        key = (name, mistake)
        if key not in self._defs:
            self._defs[key] = self._definition(name, mistake)
        return self._defs[key]

    def _definition(self, name, mistake):
        tape = self.tape
        number, (section, step) = self.items[name]
        q = self.s.quantity(name).base_quantity
        if section in ("forward", "final"):
            node = tape.node(self.names[q])
            return self.forward(node, step or len(self.s.steps), section == "final", mistake)
        if section in ("backward", "gradients"):
            try:
                return self.adjoint(self.names[q.of], step, mistake)
            except TypeError:
                return None
        if section == "update":
            leaf = tape.leaves[self.names[q.of]]
            eta = self.s.problem.learning_rate
            before = self._map(step)[tape.symbols[leaf.name]]
            grad = symbol(naming.step_prefix(step) + leaf.adjoint)
            sign = 1 if mistake == "lr_added" else -1
            return before + sign * eta * grad
        return None


def _node_quantity(tape, expr):
    """The Quantity of the tape node `expr` is the symbol of (None for anything else)."""
    if isinstance(expr, sp.Symbol) and expr.name in tape.symbols and expr.name not in tape.leaves:
        return tape.node(expr.name).quantity
    return None
