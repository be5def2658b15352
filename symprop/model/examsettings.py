"""The `[exam]` table: what an exam asks, for how many points, within which tolerance.

Read here (reader.py calls `read_exam`) into a frozen ExamSettings on Problem.exam;
which quantities the patterns select is decided against a solution by
exam/selection.py (a pattern that matches nothing is refused there, naming its key).

A pattern is a flat name (`loss`, `final.loss`, `W1[1,1]'`) in which `*` may stand,
inside brackets, for a whole index (`dL/dW2[*]`) or one position of it (`W1[*,2]'`).
Numbers are exact (Rationals), as everywhere in a problem file.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal

import sympy as sp

from ..errors import ExpressionError, ProblemFileError, did_you_mean

__all__ = ["ExamSettings", "Tolerance", "Credit", "read_exam", "EXAM_KEYS", "TOLERANCE_KEYS",
           "CREDIT_KEYS", "pattern_regex"]

EXAM_KEYS = ("ask", "points", "tolerance", "order", "credit", "mistake_credit", "method_questions")
TOLERANCE_KEYS = ("relative", "absolute", "digits")
CREDIT_KEYS = ("exact", "rounded", "carried", "diagnosed", "wrong", "unreadable")
ORDERS = ("pipeline", "as_asked")
MAX_PATTERNS = 500


@dataclass(frozen=True)
class Tolerance:
    """How far a given decimal may be from the exact value: within `absolute`, within
    `relative`·|value|, or within half a unit in the `digits`-th significant figure of
    the value (for a value 0: half a unit in the `digits`-th decimal); the widest of the
    ones set."""

    relative: object = None        # Rational or None
    absolute: object = None
    digits: object = None          # int or None

    def bound(self, value):
        """The largest accepted |given − value| for the exact `value`, a Rational."""
        from .numeric import decimal

        bounds = []
        if self.absolute is not None:
            bounds.append(self.absolute)
        size = None
        if self.relative is not None or self.digits is not None:
            d = decimal(value, 30) if not value.is_Rational else None
            size = abs(value) if value.is_Rational else abs(sp.Rational(d)) if d else None
        if self.relative is not None and size is not None:
            bounds.append(self.relative * size)
        if self.digits is not None:
            if size:
                exponent = Decimal(str(sp.Float(size, 30))).adjusted()
                while sp.Rational(10) ** exponent > size:        # float rounding at 10^k
                    exponent -= 1
                while sp.Rational(10) ** (exponent + 1) <= size:
                    exponent += 1
                bounds.append(sp.Rational(5) * sp.Rational(10) ** (exponent - self.digits))
            else:
                bounds.append(sp.Rational(5) * sp.Rational(10) ** (-self.digits - 1))
        return max(bounds) if bounds else sp.Integer(0)

    def accepts(self, value_exact, given_decimal):
        """Is `given_decimal` (a Decimal, str, int or Rational) within the tolerance of the
        exact value? Decided exactly (closed forms on certified 30-digit decimals)."""
        from .numeric import decimal

        given = given_decimal if isinstance(given_decimal, sp.Rational) else \
            sp.Rational(str(given_decimal))
        limit = self.bound(value_exact)
        if value_exact.is_Rational:
            return abs(value_exact - given) <= limit
        # a closed form: its certified 40-digit decimal decides unless the distance is
        # within that decimal's error of the bound; then the difference itself does
        # (an evaluated sympy difference of a nested closed form takes minutes)
        d = decimal(value_exact, 40)
        if d is None:
            return False
        approx = sp.Rational(d)
        slack = abs(approx) * sp.Rational(1, 10 ** 38) + sp.Rational(1, 10 ** 60)
        dist = abs(approx - given)
        if dist + slack < limit:
            return True
        if dist - slack > limit:
            return False
        diff = decimal(sp.Add(value_exact, -given, evaluate=False), 30)
        return diff is not None and abs(sp.Rational(diff)) <= limit

    def describe(self):
        """'to 3 significant figures', 'within 1% (or 0.001)'."""
        parts = []
        if self.digits is not None:
            parts.append(f"to {self.digits} significant figure{'s' if self.digits != 1 else ''}")
        if self.relative is not None:
            parts.append(f"within {_plain(self.relative * 100)}%")
        if self.absolute is not None:
            parts.append(f"within ±{_plain(self.absolute)}")
        return " or ".join(parts) if parts else "exactly"


def _plain(r):
    """A Rational as a short decimal ("0.001", "2.5") or p/q when it has no short one."""
    d = sp.Rational(r)
    text = format(Decimal(d.p) / Decimal(d.q), "f")
    if sp.Rational(text) == d and len(text) <= 20:
        return text.rstrip("0").rstrip(".") if "." in text else text
    return f"{d.p}/{d.q}"


@dataclass(frozen=True)
class Credit:
    """Fractions of a question's points for each verdict (issue 16's grader)."""

    exact: object = sp.Integer(1)
    rounded: object = sp.Integer(1)
    carried: object = sp.Integer(1)
    diagnosed: object = sp.Integer(0)
    wrong: object = sp.Integer(0)
    unreadable: object = sp.Integer(0)

    def __getitem__(self, verdict):
        if verdict not in CREDIT_KEYS:
            raise KeyError(verdict)
        return getattr(self, verdict)


DEFAULT_TOLERANCE = Tolerance(digits=3)


@dataclass(frozen=True)
class ExamSettings:
    """The [exam] table. `ask` None: the default selection (exam/selection.py);
    `points_for` / `tolerance_for`: (pattern, points or Tolerance) pairs, the first
    matching pattern wins, else `points` / `tolerance`."""

    ask: object = None                    # tuple of patterns, or None
    points: object = sp.Integer(1)
    points_for: tuple = ()
    tolerance: Tolerance = DEFAULT_TOLERANCE
    tolerance_for: tuple = ()
    order: str = "pipeline"
    credit: Credit = field(default_factory=Credit)
    mistake_credit: object = sp.Integer(0)
    method_questions: bool = False
    source: object = field(default=None, compare=False)
    ask_key: str = field(default="exam.ask", compare=False)     # "--ask" from the command line


_INDEX = re.compile(r"\[([^\[\]]*)\]")
_NAME = re.compile(r"[A-Za-z0-9_./'\[\],*]+")


def pattern_regex(pattern):
    """The compiled regex of a pattern, or ValueError saying what is wrong with it."""
    if not isinstance(pattern, str) or not pattern or len(pattern) > 200:
        raise ValueError("expected a quantity name or pattern (a string), e.g. \"dL/dW2[*]\"")
    if not _NAME.fullmatch(pattern):
        raise ValueError(f"'{pattern[:40]}' is not a quantity name (letters, digits, _ . / ' [ ] , *)")
    out, pos = [], 0
    for m in _INDEX.finditer(pattern):
        outside = pattern[pos:m.start()]
        if "*" in outside or "[" in outside or "]" in outside:
            raise ValueError(f"'{pattern}': '*' stands only inside brackets, e.g. \"dL/dW2[*]\"")
        out.append(re.escape(outside))
        inner = m[1]
        if inner == "*":
            out.append(r"\[[^\[\]]+\]")
        else:
            parts = inner.split(",")
            if any(p != "*" and "*" in p for p in parts) or not all(parts):
                raise ValueError(f"'{pattern}': '*' stands for a whole index or one position of it")
            out.append(r"\[" + ",".join(r"[^\[\],]+" if p == "*" else re.escape(p) for p in parts) + r"\]")
        pos = m.end()
    rest = pattern[pos:]
    if "*" in rest or "[" in rest or "]" in rest:
        raise ValueError(f"'{pattern}': '*' stands only inside brackets, e.g. \"dL/dW2[*]\"")
    out.append(re.escape(rest))
    return re.compile("".join(out))


def read_exam(raw, source=None):
    """ExamSettings of the [exam] table (None: the defaults); ProblemFileError naming the key."""
    if raw is None:
        return ExamSettings(source=source)
    return _ExamReader(source).read(raw)


class _ExamReader:
    def __init__(self, source):
        self.source = source

    def fail(self, key, message):
        return ProblemFileError(message, source=self.source, key=key)

    def fraction(self, raw, key, lo=0, hi=None, positive=False):
        from .problem import to_value

        if isinstance(raw, bool) or not isinstance(raw, (int, Decimal, str)):
            raise self.fail(key, "expected a number, e.g. 0.5 or \"1/2\"")
        try:
            v = to_value(raw, allow_symbols=False)
        except ExpressionError as exc:
            raise exc.at(source=self.source, key=key) from None
        if not v.is_Rational:
            raise self.fail(key, "expected a rational number, e.g. 0.5 or \"1/2\"")
        if v < lo or (hi is not None and v > hi) or (positive and v == 0):
            span = f"from {lo} to {hi}" if hi is not None else ("> 0" if positive else f"≥ {lo}")
            raise self.fail(key, f"expected a number {span}, got {raw}")
        return v

    def pattern(self, raw, key):
        try:
            pattern_regex(raw)
        except ValueError as exc:
            raise self.fail(key, str(exc)) from None
        return raw

    def read(self, raw):
        if not isinstance(raw, dict):
            raise self.fail("exam", "expected an [exam] table")
        unknown = sorted(set(raw) - set(EXAM_KEYS))
        if unknown:
            hint = did_you_mean(unknown[0], EXAM_KEYS)
            raise self.fail(f"exam.{unknown[0]}", f"unknown key{hint}; [exam] keys: {', '.join(EXAM_KEYS)}")
        kw = {}
        if "ask" in raw:
            ask = raw["ask"]
            ask = [ask] if isinstance(ask, str) else ask
            if not isinstance(ask, list) or not ask or len(ask) > MAX_PATTERNS:
                raise self.fail("exam.ask", "expected a non-empty list of quantity names or patterns, "
                                            "e.g. [\"loss\", \"dL/dW2[*]\"]")
            kw["ask"] = tuple(self.pattern(p, f"exam.ask[{i}]") for i, p in enumerate(ask, 1))
        if "points" in raw:
            p = raw["points"]
            if isinstance(p, dict):
                if not p or len(p) > MAX_PATTERNS:
                    raise self.fail("exam.points", "expected a number or a table pattern = points")
                kw["points_for"] = tuple((self.pattern(k, f"exam.points.{k}"),
                                          self.fraction(v, f"exam.points.{k}")) for k, v in p.items())
            else:
                kw["points"] = self.fraction(p, "exam.points")
        if "tolerance" in raw:
            kw.update(self._tolerances(raw["tolerance"]))
        if "order" in raw:
            order = raw["order"]
            if order not in ORDERS or not isinstance(order, str):
                hint = did_you_mean(order, ORDERS) if isinstance(order, str) else ""
                raise self.fail("exam.order", f"'{str(order)[:40]}' is not one of: {', '.join(ORDERS)}{hint}")
            kw["order"] = order
        if "credit" in raw:
            kw["credit"] = self._credit(raw["credit"])
        if "mistake_credit" in raw:
            kw["mistake_credit"] = self.fraction(raw["mistake_credit"], "exam.mistake_credit", 0, 1)
        if "method_questions" in raw:
            if not isinstance(raw["method_questions"], bool):
                raise self.fail("exam.method_questions", "expected true or false")
            kw["method_questions"] = raw["method_questions"]
        return ExamSettings(source=self.source, **kw)

    def _policy(self, table, key):
        """A Tolerance from a table of relative/absolute/digits."""
        kw = {}
        for k, v in table.items():
            where = f"{key}.{k}"
            if k == "digits":
                if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 15:
                    raise self.fail(where, "expected a whole number of significant figures from 1 to 15")
                kw["digits"] = v
            elif k in ("relative", "absolute"):
                kw[k] = self.fraction(v, where, positive=True)
            else:
                hint = did_you_mean(k, TOLERANCE_KEYS)
                raise self.fail(where, f"unknown tolerance{hint}; one of: {', '.join(TOLERANCE_KEYS)}")
        return Tolerance(**kw)

    def _tolerances(self, raw):
        """[exam.tolerance]: relative/absolute/digits for every quantity, and pattern =
        {relative/absolute/digits} tables for some."""
        if not isinstance(raw, dict) or not raw:
            raise self.fail("exam.tolerance", "expected a table, e.g. {digits = 3} or {relative = 0.01}")
        policy = {k: v for k, v in raw.items() if not isinstance(v, dict)}
        out = {}
        if policy:
            out["tolerance"] = self._policy(policy, "exam.tolerance")
        per = []
        for k, v in raw.items():
            if isinstance(v, dict):
                where = f"exam.tolerance.{k}"
                self.pattern(k, where)
                if not v:
                    raise self.fail(where, "expected {relative = …}, {absolute = …} or {digits = …}")
                per.append((k, self._policy(v, where)))
        if per:
            out["tolerance_for"] = tuple(per)
        return out

    def _credit(self, raw):
        if not isinstance(raw, dict):
            raise self.fail("exam.credit", "expected a table: exact, rounded, carried, diagnosed, "
                                           "wrong, unreadable = fractions of the points")
        kw = {}
        for k, v in raw.items():
            if k not in CREDIT_KEYS:
                hint = did_you_mean(k, CREDIT_KEYS)
                raise self.fail(f"exam.credit.{k}", f"unknown verdict{hint}; one of: {', '.join(CREDIT_KEYS)}")
            kw[k] = self.fraction(v, f"exam.credit.{k}", 0, 1)
        return Credit(**kw)
