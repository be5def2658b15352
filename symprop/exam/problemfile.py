"""A variant's problem file: the TOML text `symprop solve` accepts (answers.json holds it).

The text is the original file's dict (`Problem.raw`, with the variant's values
written in by Problem.with_values) without the [randomize] table, so every value
the exam did not draw keeps its spelling ("1/3" stays "1/3").
"""

from decimal import Decimal
from fractions import Fraction

import sympy as sp

from ..errors import ProblemFileError

__all__ = ["problem_toml"]


def problem_toml(problem):
    """The variant's complete problem file as TOML text that `symprop solve` accepts.

    Written by tomli-w (a maintained TOML writer, so any string, key or control
    character is escaped correctly), without the [randomize] table. Every value
    reads back exactly with symprop's reader (tomllib with parse_float=Decimal):
    a Decimal whose shortest float repr is the same number is written as that
    TOML float, any other as its exact decimal string ("0.1234567890123456789"),
    and Fractions and SymPy Rationals as "p/q" strings."""
    import tomli_w

    raw = {k: v for k, v in problem.raw.items() if k != "randomize"}
    return tomli_w.dumps(_toml(raw, ""))


def _key(path, k):
    return f"{path}.{k}" if path else str(k)


def _toml(v, path):
    """A raw problem value as what tomli-w writes so that it reads back exactly."""
    if isinstance(v, (bool, int, str)):
        return v
    if isinstance(v, float):
        return v                     # written as repr(v), which is what to_value() reads
    if isinstance(v, Decimal):
        if v.is_finite():
            as_float = float(v)
            if Decimal(repr(as_float)) == v:
                return as_float
        return str(v)
    if isinstance(v, Fraction):
        return v.numerator if v.denominator == 1 else f"{v.numerator}/{v.denominator}"
    if isinstance(v, sp.Basic):
        if v.is_Integer:
            return int(v)
        if v.is_Rational:
            return f"{v.p}/{v.q}"
        return str(v)
    if isinstance(v, dict):
        return {str(k): _toml(x, _key(path, k)) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_toml(x, f"{path}[{i + 1}]") for i, x in enumerate(v)]
    if hasattr(v, "isoformat"):      # TOML dates and times
        return v
    raise ProblemFileError(f"cannot be written as TOML (a {type(v).__name__})", key=path or None)
