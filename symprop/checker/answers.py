"""Reading hand-computed answers: a TOML [answers] table of flat names → values.

Values may be numbers, fractions ("3/8"), decimal commas ("2,645") or small
expressions ("1/(1+e^(-0.6))"), parsed by the same whitelisting parser as
problem files (never eval). Each answer keeps the text the person wrote, since
how many decimals they gave decides what "correctly rounded" means.
"""

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Optional

import sympy as sp

from ..model import exprparse
from ..model.exact import CONSTANTS, VALUE_FUNCTIONS
from ..model import numeric
from .. import budget
from ..budget import LimitError
from ..errors import AnswerFileError, ExpressionError
from ..model.functions import GRAPH_FUNCTIONS

__all__ = ["Given", "parse_answer", "load_answers", "loads_answers"]

# what an answer may be written with: the graph functions (sigmoid(0.4), exp, log) and the
# exact values a problem file takes (sqrt, sin, cos; pi, e): a value the problem gives
# as sqrt(2)/2 can be answered as written
_FUNCTIONS = {**GRAPH_FUNCTIONS, **VALUE_FUNCTIONS}

_COMMA = re.compile(r"^\s*[-+]?[0-9]+,[0-9]+\s*$")


@dataclass(frozen=True)
class Given:
    name: str
    text: str
    value: sp.Expr
    ulp: Optional[sp.Rational]     # half of it is the rounding allowance; None: an exact claim


def parse_answer(raw, name="answer"):
    """A Given from a TOML value (int, Decimal or string; a Python float by its repr)."""
    if isinstance(raw, float):
        raw = repr(raw)
    if isinstance(raw, bool) or not isinstance(raw, (int, Decimal, str)):
        raise ExpressionError(f"expected a number or a string, got {type(raw).__name__}")
    if isinstance(raw, int) and abs(raw).bit_length() > exprparse.MAX_BITS:
        raise ExpressionError("number too large")
    text = str(raw).strip()
    approximate = isinstance(raw, str) and text[:1] in ("≈", "~")
    if approximate:                                    # "≈ -34": rounded at its last digit
        text = text[1:].strip()
    if isinstance(raw, str) and _COMMA.match(text):
        text = text.replace(",", ".")                  # a decimal comma, as Europeans write it
    if isinstance(raw, Decimal) and not raw.is_finite():
        raise ExpressionError(f"non-finite number '{raw}'")
    if isinstance(raw, int) and not isinstance(raw, bool):
        return Given(name, text, sp.Integer(raw), None)
    if re.fullmatch(r"[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?", text):
        value = exprparse.parse_number(text, max_exp10=budget.current().magnitude)
        exponent = Decimal(text).as_tuple().exponent
        rounded = approximate or "." in text or "e" in text.lower()
        shown = ("≈" if approximate else "") + text.replace("E", "e")
        return Given(name, shown, value, sp.Rational(10) ** exponent if rounded else None)
    value = exprparse.parse(text, {}, functions=_FUNCTIONS, constants=CONSTANTS, rational_powers=True)
    if value.has(sp.zoo, sp.oo, -sp.oo, sp.nan):
        raise ExpressionError(f"'{text}' is not a finite number")
    try:
        numeric.check(value)           # log(-1), exp(10**7): refused here, by name
    except numeric.Invalid as exc:
        reason = "not a real number" if "real" in str(exc) else f"not a finite number ({exc})"
        raise ExpressionError(f"'{exprparse.clip(text)}' is {reason}") from None
    except LimitError as exc:
        raise ExpressionError(exc.message) from None
    return Given(name, text, value, None)


def loads_answers(text, source=None):
    """{name: Given} from TOML text with an [answers] table."""
    from ..model.loader import parse_toml

    data = parse_toml(text, source=source, error=AnswerFileError)
    table = data.get("answers")
    if not isinstance(table, dict) or not table:
        raise AnswerFileError("expected an [answers] table of name = value lines", source=source,
                              key="answers")
    extra = sorted(set(data) - {"answers"})
    if extra:
        raise AnswerFileError("unknown key; an answer file holds one [answers] table",
                              source=source, key=extra[0])
    out = {}
    for name, raw in table.items():
        try:
            out[name] = parse_answer(raw, name)
        except ExpressionError as exc:
            raise AnswerFileError(exc.message, source=source, key=f"answers.{name}") from None
    return out


def load_answers(path):
    """{name: Given} from an answer file; the same size, binary and encoding checks
    as a problem file."""
    from ..model.loader import read_text

    text = read_text(path, error=AnswerFileError, what="an answer file")
    return loads_answers(text, source=str(path))
