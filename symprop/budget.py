"""One budget for every run: how large, how precise, how long, how many tries.

A problem file of a few hundred bytes can ask for exp(10**16), for a 512-unit
softmax (n³ derivative terms), for exact numbers of a million digits or for an
exam whose constraints never hold. Every such cost is bounded here, in one
table, and every place that spends it asks this module first; when a limit is
hit the run stops with a `LimitError` that names the limit, what hit it and how
to raise it.

    limit          default  what it bounds
    magnitude        10000  |log10| of any value: 10^-10000 < |v| < 10^10000
    exact_digits      4000  digits of an exact rational's numerator or denominator
    precision        32768  bits of working precision when certifying decimals
    tape           1000000  terms of the network's local derivatives
                            (a dense layer costs units·inputs, softmax units³)
    symbolic        100000  nodes of one symbolic value, as a tree (symbolic
                            weights nest the whole network after an update)
    candidates         400  exam candidates drawn per requested variant
    time               600  seconds of wall time for one command or call
    memory            4096  MiB of memory (enforced by the command line only)

The command line takes `--limit NAME=VALUE` (repeatable); Python code uses
`with symprop.limits(time=60, magnitude=20000): ...`. Time is checked
cooperatively (`tick()`) in every loop that can run long; the command line
adds a hard stop (SIGALRM) a few seconds later, for a single SymPy call that
runs long, and an address-space limit for memory.
"""

import contextlib
import contextvars
import time
from dataclasses import dataclass, fields, replace

from .errors import ComputationError

__all__ = ["Limits", "LimitError", "current", "limits", "session", "tick", "check",
           "parse_assignment", "DEFAULTS"]


@dataclass(frozen=True)
class Limits:
    magnitude: int = 10_000
    exact_digits: int = 4000
    precision: int = 1 << 15
    tape: int = 1_000_000
    symbolic: int = 100_000
    candidates: int = 400
    time: float = 600.0
    memory: int = 4096


DEFAULTS = Limits()
_UNITS = {"magnitude": "values up to 10^±{}", "exact_digits": "{} digits",
          "precision": "{} bits", "tape": "{} terms", "symbolic": "{} nodes", "candidates": "{} candidates per variant",
          "time": "{} s", "memory": "{} MiB"}

_LIMITS = contextvars.ContextVar("symprop_limits", default=DEFAULTS)
_DEADLINE = contextvars.ContextVar("symprop_deadline", default=None)


class LimitError(ComputationError):
    """A run hit one of the budget's limits; `limit` names it."""

    def __init__(self, message, *, limit, source=None, key=None):
        super().__init__(message, source=source, key=key)
        self.limit = limit


def current():
    """The limits in force (the defaults unless a `limits(...)` block changed them)."""
    return _LIMITS.get()


def hint(name):
    """How to raise a limit, for the end of a message."""
    value = getattr(current(), name)
    shown = f"{value:g}" if isinstance(value, float) else f"{value}"
    return f"the {name} limit: {_UNITS[name].format(shown)}; raise it with --limit {name}=N"


def fail(name, what, *, source=None, key=None):
    """The LimitError for `what` (a phrase saying what was too big) at limit `name`."""
    return LimitError(f"{what}, beyond {hint(name)}", limit=name, source=source, key=key)


def check(name, amount, what, *, source=None, key=None):
    """Raise LimitError when `amount` exceeds the limit `name`."""
    if amount > getattr(current(), name):
        raise fail(name, what, source=source, key=key)


@contextlib.contextmanager
def limits(**changes):
    """Run a block under other limits: `with symprop.limits(time=60): ...`.

    The wall-time clock starts when the block is entered."""
    unknown = sorted(set(changes) - {f.name for f in fields(Limits)})
    if unknown:
        raise ValueError(f"unknown limit {unknown[0]!r}; limits: {', '.join(_UNITS)}")
    token = _LIMITS.set(replace(current(), **changes))
    deadline = _DEADLINE.set(time.monotonic() + current().time)
    try:
        yield current()
    finally:
        _DEADLINE.reset(deadline)
        _LIMITS.reset(token)


@contextlib.contextmanager
def session():
    """The scope of one top-level call (solve, check, an exam): starts the wall-time
    clock unless an enclosing call already did."""
    if _DEADLINE.get() is not None:
        yield
        return
    token = _DEADLINE.set(time.monotonic() + current().time)
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def tick(source=None):
    """Raise LimitError('time') once the current call has used its wall time."""
    deadline = _DEADLINE.get()
    if deadline is not None and time.monotonic() > deadline:
        raise fail("time", "the computation ran out of time", source=source)


def parse_assignment(text):
    """('time', 60.0) from the command line's 'time=60'; ValueError with a message."""
    name, sep, raw = text.partition("=")
    name = name.strip()
    if not raw.isascii():
        raise ValueError(f"--limit {name}: write the number with the digits 0-9, got {raw.strip()!r}")
    if not sep or name not in _UNITS:
        raise ValueError(f"expected NAME=VALUE with NAME one of {', '.join(_UNITS)}, got {text!r}")
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"--limit {name}: expected a number, got {raw.strip()!r}") from None
    if not value > 0 or value != value or value == float("inf"):
        raise ValueError(f"--limit {name}: expected a positive number, got {raw.strip()!r}")
    if name != "time":
        if value != int(value):
            raise ValueError(f"--limit {name}: expected a whole number, got {raw.strip()!r}")
        value = int(value)
    return name, value
