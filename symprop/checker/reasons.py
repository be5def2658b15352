"""Why a wrong answer is wrong, in words the person can act on, and the correct value
shown with at least as many digits as they gave.

A diagnosed mistake (mistakes.py) says what slip explains their number; either way
the reason says what their own earlier values give for this quantity ("from your
z1[1] = 0.6 the definition gives a1[1] = 0.64566; you wrote 0.491"), or, for a
quantity none of their answers feed, what the problem's values give, rounded to the
digits they gave. A Reason keeps its parts, so the text output spells names flat and
the feedback sheet spells them in LaTeX from the same parts (`Reason.format`).
"""

import re
from dataclasses import dataclass
from decimal import Decimal, ROUND_HALF_UP, localcontext
from typing import Optional

import sympy as sp

from ..model.numeric import decimal

__all__ = ["Reason", "significant", "correct_text", "reason"]

MAX_INPUTS = 4          # the person's values a reason names before it says "and n more"
_NUMBER = re.compile(r"[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?")


def significant(given):
    """The significant digits the person wrote (None for a fraction or an expression)."""
    text = given.text.lstrip("≈~").strip()
    if not _NUMBER.fullmatch(text):
        return None
    digits = Decimal(text).as_tuple().digits
    return max(1, len(digits)) if any(digits) else 1


def _digits(text):
    """Significant digits of a decimal text as `decimal` writes it (0.004, -3.8e-7)."""
    mantissa = re.split(r"[eE]", text.lstrip("-+"))[0].replace(".", "")
    return len(mantissa.lstrip("0"))


def shown(value, digits):
    """A value to `digits` significant digits, every digit certain; trailing zeros kept
    unless the value is exactly what is shown (0.5 stays 0.5, 0.40000000012 is 0.40000000)."""
    text = decimal(value, digits)
    if text is None or (value.is_Rational and sp.Rational(text) == value):
        return text
    missing = digits - _digits(text)
    if missing <= 0 or text.lstrip("-+") in ("0",):
        return text
    mantissa, _, exponent = text.partition("e")
    mantissa += ("" if "." in mantissa else ".") + "0" * missing
    return mantissa + ("e" + exponent if exponent else "")


def _styled(text, given):
    """A decimal text in the person's notation: 0.0000015344 beside their 0.00000163,
    not 1.5344e-6 (e-notation stays where they used it, or past 12 decimals)."""
    if text is None or "e" not in text or significant(given) is None or "e" in given.text.lower():
        return text
    d = Decimal(text)
    return format(d, "f") if d.adjusted() >= -12 else text


def correct_text(value, given):
    """The correct value with at least the person's significant digits (8, or theirs + 2)."""
    sig = significant(given)
    try:
        return _styled(shown(value, max(8, (sig or 0) + 2)), given)
    except Exception:                     # a closed form past the precision budget
        return None


def _at_digits(value, given):
    """`value` rounded where the person rounded (their last decimal), as they write numbers."""
    if given.ulp is None or significant(given) is None:
        return None
    exponent = Decimal(given.ulp.p).adjusted() - Decimal(given.ulp.q).adjusted()
    with localcontext() as ctx:
        ctx.prec = 80
        exact = Decimal(decimal(value, 40))
        d = exact.quantize(Decimal(1).scaleb(exponent), ROUND_HALF_UP)
        if not d and abs(exact) * 10 < Decimal(1).scaleb(exponent):
            return None      # 1e30 for 0.4: "to your digits 0" would say nothing
        if "e" in given.text.lower():
            return format(d, f".{max(0, d.adjusted() - exponent)}e").replace("e+", "e") if d else "0"
        return format(d, "f")


@dataclass(frozen=True)
class Reason:
    name: str                        # the quantity (flat name)
    given: str                       # what the person wrote
    inputs: tuple                    # ((flat name, their text), …) the value is recomputed from
    value: str                       # what those inputs (or the problem's values) give
    at_digits: Optional[str] = None  # that value rounded to the person's digits
    more: int = 0                    # inputs not named
    diagnosis: Optional[str] = None  # the mistake that explains their number

    def format(self, name=str, number=str, text=str):
        """The sentence; `name` spells a flat name, `number` a number, `text` plain words."""
        parts = []
        if self.diagnosis:
            parts.append(text(self.diagnosis[0].upper() + self.diagnosis[1:] + ". "))
        quantity = name(self.name) + text(" = ") + number(self.value)
        rounded = ""
        if self.at_digits is not None and self.at_digits != self.value:
            rounded = text(", to your digits ") + number(self.at_digits)
        if self.inputs:
            named = [name(n) + text(" = ") + number(v) for n, v in self.inputs]
            if self.more:
                named.append(text(f"{self.more} more of your values"))
            listed = named[0] if len(named) == 1 else text(", ").join(named[:-1]) + text(" and ") + named[-1]
            parts.append(text("From your ") + listed + text(" the definition gives ") + quantity + rounded)
        elif self.at_digits is not None and not rounded:
            parts.append(text("The correct value to your digits is ") + quantity)
        else:
            parts.append(text("The problem's values give ") + quantity + rounded)
        parts.append(text("; you wrote ") + number(self.given) + text("."))
        return "".join(parts)

    def __str__(self):
        return self.format()


def reason(name, given, value, inputs, diagnosis=None):
    """The Reason of a wrong answer: `value` is what `inputs` [(name, Given)] give for
    `name` (the correct value when `inputs` is empty)."""
    sig = significant(given)
    try:
        text = _styled(shown(value, max(4, (sig or 6) + 2)), given)
    except Exception:                     # a closed form past the precision budget
        text = None
    try:
        at = _at_digits(value, given)
    except Exception:                     # ... or far more digits than their rounding has
        at = None
    if text is None:
        text = str(value)
    named = tuple((n, g.text) for n, g in inputs[:MAX_INPUTS])
    return Reason(name, given.text, named, text, at, max(0, len(inputs) - MAX_INPUTS), diagnosis)
