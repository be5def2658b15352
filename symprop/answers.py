"""Reading hand-computed answers: a TOML [answers] table of flat names → values.

Values may be numbers, fractions ("3/8"), decimal commas ("2,645") or small
expressions ("1/(1+e^(-0.6))"), parsed by the same whitelisting parser as
problem files (never eval). Each answer keeps the text the person wrote, since
how many decimals they gave decides what "correctly rounded" means.
"""

import re
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from typing import Optional

import sympy as sp

from . import exprparse
from .errors import AnswerFileError, ExpressionError
from .functions import GRAPH_FUNCTIONS

__all__ = ["Given", "parse_answer", "load_answers", "loads_answers"]

_COMMA = re.compile(r"^\s*[-+]?\d+,\d+\s*$")


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
    if re.fullmatch(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?", text):
        value = exprparse.parse_number(text)
        exponent = Decimal(text).as_tuple().exponent
        rounded = approximate or "." in text or "e" in text.lower()
        shown = ("≈" if approximate else "") + text.replace("E", "e")
        return Given(name, shown, value, sp.Rational(10) ** exponent if rounded else None)
    value = exprparse.parse(text, {}, functions=GRAPH_FUNCTIONS, constants={"e": sp.E})
    if value.has(sp.zoo, sp.oo, -sp.oo, sp.nan):
        raise ExpressionError(f"'{text}' is not a finite number")
    return Given(name, text, value, None)


def loads_answers(text, source=None):
    """{name: Given} from TOML text with an [answers] table."""
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise AnswerFileError(f"not valid TOML: {exc}", source=source) from None
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
    try:
        with open(path, "rb") as fh:
            raw = fh.read(1 << 20)
        text = raw.decode("utf-8-sig")
    except FileNotFoundError:
        raise AnswerFileError("no such file", source=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise AnswerFileError(f"cannot read: {exc}", source=str(path)) from None
    return loads_answers(text, source=str(path))
