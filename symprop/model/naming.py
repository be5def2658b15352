"""Quantities, and the one place their flat names are spelled: W1[1,2], delta2[1], dL/dw0.

A `Quantity` is what a value *is* (a weight of layer 1 from unit 2 to unit 1, the
adjoint of a pre-activation, a parameter after the update, at step 2); a flat name
(`W1[2,1]`, `delta2[1]`, `step2.w0'`) is only how outputs spell it. The tape gives
every leaf and node its Quantity, so renderers and the checker ask the structure
(kind, layer, index, sample, step) and never parse a name back. Names a person
typed (answer files, [randomize] keys) are the only ones parsed, where they are read.

Indices are 0-based inside a Quantity and spelled with the problem's index_base;
layers count from 1 (inputs are layer 0, a0[k]). An index may also be a letter
(`j`, `k`) in the generic formulas, spelled as it is.
"""

from dataclasses import dataclass, replace
from typing import Optional

__all__ = [
    "Quantity", "KINDS", "weight", "bias", "pre", "act", "target", "delta", "adjoint", "updated",
    "sample_prefix", "step_prefix", "FINAL", "LOSS", "TARGET", "RESERVED",
]

FINAL = "final."
LOSS = "loss"
TARGET = "y"          # a graph's target (a layered net's are y[1], y[2], ...)
# Names a user's node, parameter or input cannot take: they name symprop's own
# quantities (the loss, and in [data] the target).
RESERVED = frozenset({LOSS, TARGET})

KINDS = {
    "weight": "a layered net's weight W{layer}[j,k]",
    "bias": "a layered net's bias b{layer}[j]",
    "input": "an input: a layered net's a0[k], or a graph's named input",
    "target": "a target: y[j], or a graph's y",
    "pre": "a pre-activation z{layer}[j]",
    "act": "an activation a{layer}[j]",
    "param": "a graph's parameter (its own name)",
    "node": "a graph's node (its own name)",
    "sample_loss": "one sample's loss when there are several",
    "loss": "the loss",
    "adjoint": "∂L/∂(a node): δ at a pre-activation, dL/d… elsewhere",
    "gradient": "∂L/∂(a leaf): a parameter's or an asked-for input's gradient",
    "updated": "a parameter after the gradient-descent step",
}


@dataclass(frozen=True)
class Quantity:
    """What a value is. `of` is the quantity an adjoint, gradient or updated value
    belongs to; `by` is what an adjoint differentiates (L, or the output's name
    when loss = "none"); `step` None is the first step (not spelled); `final` is
    the forward pass after the last update."""

    kind: str
    layer: Optional[int] = None
    index: tuple = ()
    name: str = ""
    sample: Optional[int] = None      # 0-based; None when the problem has one sample
    of: Optional["Quantity"] = None
    by: str = "L"
    step: Optional[int] = None
    final: bool = False

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown quantity kind {self.kind!r}")

    @property
    def is_delta(self):
        """An adjoint of a pre-activation: the δ of the δ recursion."""
        return self.kind == "adjoint" and self.of.kind == "pre"

    @property
    def base_quantity(self):
        """The quantity at step 1, without a step or final tag (what the tape holds)."""
        return replace(self, step=None, final=False) if self.step or self.final else self

    def at(self, step=None, final=False):
        """The same quantity at a step (1 is not spelled) or in the final forward pass."""
        return replace(self, step=None if step in (None, 1) else step, final=final)

    def flat(self, base=1):
        """The flat name: 'W1[1,2]', 'sample2.z1[1]', 'dL/dw0', 'step2.b2[1]'', 'final.loss'."""
        tag = FINAL if self.final else step_prefix(self.step or 1)
        return tag + self._untagged(base)

    def _untagged(self, base):
        k = self.kind
        if k == "updated":
            return self.of._untagged(base) + "'"
        if k == "adjoint" and self.of.kind == "pre":
            return _sample(self.of.sample) + f"delta{self.of.layer}{_ix(self.of.index, base)}"
        if k in ("adjoint", "gradient"):
            return f"d{self.by}/d{self.of._untagged(base)}"
        return _sample(self.sample) + self._own(base)

    def _own(self, base):
        k = self.kind
        if k in ("param", "node") or (k == "input" and self.layer is None):
            return self.name
        if k == "target":
            return TARGET + (_ix(self.index, base) if self.index else "")
        if k in ("loss", "sample_loss"):
            return LOSS
        letter = {"weight": "W", "bias": "b", "pre": "z", "act": "a", "input": "a"}[k]
        return f"{letter}{self.layer}{_ix(self.index, base)}"


def _ix(indices, base):
    return "[" + ",".join(str(i + base) if isinstance(i, int) else str(i) for i in indices) + "]"


def _sample(s):
    return "" if s is None else f"sample{s + 1}."


# -- the spellings as functions (what the tape and a few renderers call) ----------
def weight(layer, j, k, base=1):
    return Quantity("weight", layer, (j, k)).flat(base)


def bias(layer, j, base=1):
    return Quantity("bias", layer, (j,)).flat(base)


def pre(layer, j, base=1):
    return Quantity("pre", layer, (j,)).flat(base)


def act(layer, j, base=1):
    return Quantity("input" if layer == 0 else "act", layer, (j,)).flat(base)


def target(j, base=1):
    return Quantity("target", index=(j,)).flat(base)


def delta(layer, j, base=1):
    """δ of a pre-activation; the same quantity as dL/dz{layer}[j]."""
    return Quantity("adjoint", of=Quantity("pre", layer, (j,))).flat(base)


def adjoint(name, of="L"):
    """dL/d<name> (or df/d<name> when the output f itself is differentiated)."""
    return f"d{of}/d{name}"


def updated(name):
    return name + "'"


def sample_prefix(p, count):
    """'' for a single sample, else 'sample2.' (p is 0-based)."""
    return "" if count == 1 else _sample(p)


def step_prefix(s):
    """'' for step 1, else 'step2.' (s is 1-based)."""
    return "" if s == 1 else f"step{s}."
