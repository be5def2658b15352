"""One place for the flat names every output uses: W1[1,2], delta2[1], dL/dw0, final.loss.

Indices are 0-based inside symprop and shown with the problem's index_base;
layers count from 1 (inputs are layer 0, a0[k]).
"""

__all__ = [
    "weight", "bias", "pre", "act", "target", "delta", "adjoint", "updated",
    "sample_prefix", "step_prefix", "FINAL", "LOSS", "TARGET", "RESERVED",
]

FINAL = "final."
LOSS = "loss"
TARGET = "y"          # a graph's target (a layered net's are y[1], y[2], ...)
# Names a user's node, parameter or input cannot take: they name symprop's own
# quantities (the loss, and in [data] the target).
RESERVED = frozenset({LOSS, TARGET})


def _ix(*indices, base):
    return "[" + ",".join(str(i + base) for i in indices) + "]"


def weight(layer, j, k, base=1):
    return f"W{layer}{_ix(j, k, base=base)}"


def bias(layer, j, base=1):
    return f"b{layer}{_ix(j, base=base)}"


def pre(layer, j, base=1):
    return f"z{layer}{_ix(j, base=base)}"


def act(layer, j, base=1):
    return f"a{layer}{_ix(j, base=base)}"


def target(j, base=1):
    return f"y{_ix(j, base=base)}"


def delta(layer, j, base=1):
    """δ of a pre-activation; the same quantity as dL/dz{layer}[j]."""
    return f"delta{layer}{_ix(j, base=base)}"


def adjoint(name, of="L"):
    """dL/d<name> (or df/d<name> when the output f itself is differentiated)."""
    return f"d{of}/d{name}"


def updated(name):
    return name + "'"


def sample_prefix(p, count):
    """'' for a single sample, else 'sample2.' (p is 0-based)."""
    return "" if count == 1 else f"sample{p + 1}."


def step_prefix(s):
    """'' for step 1, else 'step2.' (s is 1-based)."""
    return "" if s == 1 else f"step{s}."
