"""What the fast path shares without python-flint: its exceptions, whether flint is
installed, the flat names of a layered problem's parameters, and what it keeps per
Problem object (PerProblem).

python-flint is optional (Pyodide, the browser page's Python, has no build of it):
`import symprop` and everything but the fast path work without it, and
`symprop.gradients` then uses the SymPy engine (engine="auto") or raises
`FlintMissing` (engine="fast"). Only this module asks whether flint is there; the
modules that compute (matrices, reading, rules, kernel) import it at the top and
are imported only when it is.
"""

import importlib
import weakref

from ..model import naming

__all__ = ["Unsupported", "Undecided", "FlintMissing", "have_flint", "kernel", "names", "PerProblem"]


class Unsupported(Exception):
    """The fast path does not cover this problem (the reason says why)."""


class Undecided(Exception):
    """A ball straddles a kink or is not yet accurate enough: raise the precision."""


class FlintMissing(Unsupported, ImportError):
    """python-flint is not installed: the fast path cannot run."""

    def __init__(self):
        super().__init__("symprop's fast path needs python-flint, which is not installed "
                         "(pip install python-flint); engine='auto' uses the SymPy engine")


_HAVE = None


def have_flint():
    """True when python-flint can be imported (asked once)."""
    global _HAVE
    if _HAVE is None:
        try:
            importlib.import_module("flint")
            _HAVE = True
        except ImportError:
            _HAVE = False
    return _HAVE


_NUMPY = None


def have_numpy():
    """True when numpy can be imported (asked once): limbs.py's matrices need it."""
    global _NUMPY
    if _NUMPY is None:
        try:
            importlib.import_module("numpy")
            _NUMPY = True
        except ImportError:
            _NUMPY = False
    return _NUMPY


def kernel():
    """The fast path's kernel module (imports python-flint); FlintMissing without it."""
    if not have_flint():
        raise FlintMissing()
    from . import kernel as k
    return k


def names(problem):
    """Flat names of every layer's weights and biases, as the SymPy path reports them."""
    b = problem.index_base
    out = []
    for l, layer in enumerate(problem.network.layers, start=1):
        w = [[naming.weight(l, j, k, b) for k in range(len(row))] for j, row in enumerate(layer.weights)]
        bias = [naming.bias(l, j, b) for j in range(len(layer.bias))] if layer.bias is not None else None
        out.append((w, bias))
    return out


class PerProblem(dict):
    """Values kept per Problem object while it lives: id(problem) → (weak reference, value).
    A Problem is frozen, so what was made of it stays true; a changed copy is another
    object and has nothing kept. The entry goes when the problem does."""

    def held(self, problem):
        """The value kept for `problem`, or None."""
        entry = self.get(id(problem))
        return entry[1] if entry is not None and entry[0]() is problem else None

    def keep(self, problem, value):
        """Keep `value` for `problem` (nothing is kept for an object without weak references)."""
        key = id(problem)
        try:
            self[key] = (weakref.ref(problem, lambda _, key=key: self.pop(key, None)), value)
        except TypeError:
            pass
