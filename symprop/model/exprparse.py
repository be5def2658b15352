"""A whitelisting parser: text → SymPy expression, without eval.

Problem and answer files come from other people, so their strings are parsed
with Python's `ast` and rebuilt node by node from a short list of allowed
constructs: numbers, names, + - * / ** (``^`` means power too), unary signs
and calls to the functions in `symprop.functions`. Anything else (attributes,
subscripts, lambdas, comprehensions, strings, keywords) is refused with its
construct named. Sizes are bounded so that nothing can hang or eat memory.

Decimal literals are exact: ``0.1`` is 1/10, read from the source text, never
through a binary float.
"""

import ast
import builtins
import keyword
import re
import warnings
from decimal import Decimal, InvalidOperation
from fractions import Fraction

import sympy as sp

from ..errors import ExpressionError, did_you_mean

__all__ = ["parse", "parse_number", "check_name", "MAX_CHARS", "MAX_NODES", "MAX_POWER"]

MAX_CHARS = 500        # longest expression accepted
MAX_NODES = 200        # most AST nodes accepted
MAX_POWER = 16         # largest integer exponent |n| in x**n
MAX_LITERAL = 40       # longest numeric literal, in characters
MAX_EXP10 = 60         # largest |exponent| in scientific notation (1e60)
MAX_BITS = 4096        # largest numerator/denominator a constant power may reach
MAX_NAME = 32

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
# Names SymPy would read as something else (E, I, N, S, O, Q, pi, beta, ...):
# refused as symbols so that an exported exact value reads back unchanged.
_SYMPY_NAMES = frozenset(dir(sp)) | frozenset(dir(builtins))   # sympify reads "sum" as Python's
# Words people mean as numbers: "inf" as a value must not become a symbol named inf.
_NUMBER_WORDS = frozenset({"inf", "infinity", "nan"})     # in any case; and "e" itself

_BINOPS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)


def check_name(name, *, what="name", symbol=False):
    """Raise ExpressionError unless `name` is a plain ASCII identifier we allow."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise ExpressionError(
            f"{what} {clip(name)!s} is not allowed: use letters, digits and _ "
            "(starting with a letter)")
    if len(name) > MAX_NAME:
        raise ExpressionError(f"{what} '{clip(name)}' is longer than {MAX_NAME} characters")
    if keyword.iskeyword(name):
        raise ExpressionError(f"{what} '{name}' is a Python keyword")
    if symbol and (name.lower() in _NUMBER_WORDS or name == "e"):
        raise ExpressionError(
            f"'{name}' is not a number here: symprop's values are finite exact numbers; "
            "as a symbol name, choose another")
    if symbol and name in _SYMPY_NAMES:
        raise ExpressionError(
            f"symbol name '{name}' is reserved (SymPy reads it as something else); "
            "choose another name")
    return name


def clip(text, n=40):
    text = repr(text) if not isinstance(text, str) else text
    return text if len(text) <= n else text[:n] + "…"


def parse_number(text, max_exp10=MAX_EXP10):
    """Exact Rational from a decimal literal's text ('0.15' → 3/20, '1e-3' → 1/1000).

    Problem files keep literals within 1e±60; an answer may be as small or large
    as anything symprop prints (3.67e-348), up to the budget's magnitude."""
    if not text.isascii():
        raise ExpressionError(f"'{clip(text)}' is not a number: write numbers with the digits 0-9")
    if len(text) > MAX_LITERAL:
        raise ExpressionError(f"number '{clip(text)}' is too large (more than {MAX_LITERAL} characters)")
    try:
        d = Decimal(text)
    except InvalidOperation:
        raise ExpressionError(f"'{clip(text)}' is not a number") from None
    if not d.is_finite():
        raise ExpressionError(f"non-finite number '{text}'")
    if abs(d.adjusted()) > max_exp10:
        raise ExpressionError(f"number '{clip(text)}' is too large or too small (limit 1e±{max_exp10})")
    f = Fraction(d)
    return sp.Rational(f.numerator, f.denominator)


class _Builder:
    """Rebuilds an allowed AST as SymPy, unevaluated (for display) or evaluated."""

    def __init__(self, source, names, functions, constants, evaluate, conventions):
        self.rational_powers = False   # values: 2**(1/2) of a number (how JSON writes sqrt(2))
        self.conventions = conventions
        self.source = source
        self.names = names
        self.functions = functions
        self.constants = constants
        self.evaluate = evaluate
        self.used = None          # a list: every function record the expression calls, in order

    def build(self, node):
        method = getattr(self, "_" + type(node).__name__, None)
        if method is None:
            raise ExpressionError(f"construct not allowed: {_describe(node)}")
        return method(node)

    def _Expression(self, node):
        return self.build(node.body)

    def _Constant(self, node):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise ExpressionError(f"construct not allowed: {_describe(node)}")
        text = ast.get_source_segment(self.source, node) or repr(node.value)
        return parse_number(text)

    def _Name(self, node):
        if node.id in self.names:
            return self.names[node.id]
        if node.id in self.constants:
            return self.constants[node.id]
        if node.id in self.functions:
            raise ExpressionError(f"'{node.id}' is a function: call it, as {node.id}(...)")
        raise _unknown_name(node.id, list(self.names) + list(self.constants))

    def _UnaryOp(self, node):
        operand = self.build(node.operand)
        if isinstance(node.op, ast.UAdd):
            return operand
        if isinstance(node.op, ast.USub):
            if operand.is_Number:
                return -operand
            return sp.Mul(-1, operand, evaluate=self.evaluate)
        raise ExpressionError(f"construct not allowed: {_describe(node)}")

    def _BinOp(self, node):
        if not isinstance(node.op, _BINOPS):
            raise ExpressionError(f"operator not allowed: {_describe(node)}")
        left = self.build(node.left)
        if isinstance(node.op, ast.Pow):
            return self._power(left, node.right)
        right = self.build(node.right)
        ev = self.evaluate
        if isinstance(node.op, ast.Add):
            return sp.Add(left, right, evaluate=ev)
        if isinstance(node.op, ast.Sub):
            return sp.Add(left, sp.Mul(-1, right, evaluate=ev), evaluate=ev)
        if isinstance(node.op, ast.Mult):
            return sp.Mul(left, right, evaluate=ev)
        if right.is_zero:
            raise ExpressionError("division by zero")
        return sp.Mul(left, sp.Pow(right, -1, evaluate=ev), evaluate=ev)

    def _power(self, base, exponent_node):
        if base is sp.E:                       # e^(...) where e is Euler's number (answer files)
            power = sp.exp(self.build(exponent_node), evaluate=self.evaluate)
            return _bounded(power) if self.evaluate else power
        n = _integer_literal(exponent_node)
        if n is None and self.rational_powers and not base.free_symbols:
            return self._root(base, self.build(exponent_node))
        if n is None:
            raise ExpressionError("exponents must be integer numbers (as in x**2)")
        if abs(n) > MAX_POWER:
            raise ExpressionError(f"exponent {n} is too large (at most {MAX_POWER})")
        if base.is_zero and n < 0:
            raise ExpressionError("division by zero")
        if base.is_Rational and _bits(base) * abs(n) > MAX_BITS:
            raise ExpressionError("number too large")
        return sp.Pow(base, n, evaluate=self.evaluate)

    def _root(self, base, n):
        """A number to a small rational power (2**(1/2), 3**(-2/3)): realness is the caller's."""
        if not (n.is_Rational and abs(n.p) <= MAX_POWER and n.q <= MAX_POWER):
            raise ExpressionError("exponents must be integers or small fractions "
                                  f"(p/q with |p|, q at most {MAX_POWER}, as in 2**(1/2))")
        if base.is_zero and n < 0:
            raise ExpressionError("division by zero")
        if base.is_Rational and _bits(base) * abs(n.p) > MAX_BITS:
            raise ExpressionError("number too large")
        power = sp.Pow(base, n, evaluate=self.evaluate)
        return _bounded(power) if self.evaluate else power

    def _Call(self, node):
        if not isinstance(node.func, ast.Name):
            raise ExpressionError(f"construct not allowed: {_describe(node.func)}")
        name = node.func.id
        record = self.functions.get(name)
        if record is None:
            raise _unknown_name(name, list(self.functions), what="function")
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            raise ExpressionError(f"{name}(...) takes plain positional arguments")
        lo, hi = record.arity
        if not lo <= len(node.args) <= hi:
            want = str(lo) if lo == hi else f"{lo} or {hi}"
            raise ExpressionError(f"{name}(...) takes {want} argument(s), got {len(node.args)}")
        args = [self.build(a) for a in node.args]
        if self.used is not None and record not in self.used:
            self.used.append(record)
        if self.evaluate:
            return _bounded(record.elementary(args, self.conventions))
        return sp.Function(name)(*args)


def _bounded(value):
    """A constant call (exp(10**7), exp(exp(exp(10)))) refused here when its magnitude is
    beyond the budget: SymPy's own assumption queries on it (is it zero? real?) would
    evaluate it with mpmath, which takes minutes, gigabytes or overflows."""
    from . import numeric
    from ..budget import LimitError

    if value.free_symbols:
        return value
    try:
        numeric.check(value)
    except LimitError as exc:
        raise ExpressionError(exc.message) from None
    except numeric.Invalid:
        pass                       # log(-1) and the like: the caller words its own error
    return value


def _integer_literal(node):
    sign = 1
    while isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        sign = -sign if isinstance(node.op, ast.USub) else sign
        node = node.operand
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return sign * node.value
    return None


def _bits(r):
    return max(abs(int(r.p)).bit_length(), int(r.q).bit_length())


def _describe(node):
    names = {
        "Attribute": "attribute access (a.b)", "Subscript": "subscripts (a[i])",
        "Lambda": "lambda", "ListComp": "comprehensions", "GeneratorExp": "comprehensions",
        "SetComp": "comprehensions", "DictComp": "comprehensions",
        "JoinedStr": "f-strings", "Tuple": "tuples (a decimal comma? write 1.5, not 1,5)",
        "Compare": "comparisons", "BoolOp": "and/or", "IfExp": "if-else",
        "BitXor": "^", "NamedExpr": ":=", "Starred": "*args",
    }
    kind = type(node).__name__
    if kind == "BinOp":
        kind = type(node.op).__name__
    if kind == "Constant":
        return f"the literal {clip(repr(node.value))}"
    return names.get(kind, kind)


def _unknown_name(name, known, what="name"):
    return ExpressionError(f"unknown {what} '{clip(name)}'{did_you_mean(name, known)}")


def parse(text, names=None, *, functions=None, constants=None, evaluate=True, conventions=None,
          used=None, rational_powers=False):
    """Parse `text` into a SymPy expression over `names` (a dict name → Symbol).

    evaluate=False keeps the written order and structure (for display) with
    calls as undefined SymPy functions; evaluate=True gives the elementary form
    that `sympy.diff` differentiates. `used` (a list) collects the function records
    the expression calls, so nobody has to recover them from SymPy class names.
    rational_powers=True also takes a number to a small fraction (2**(1/2)), as
    exact values are written back (model/exact.py); never a symbol's root.
    """
    from .functions import GRAPH_FUNCTIONS, Conventions

    if isinstance(text, bool) or not isinstance(text, str):
        raise ExpressionError(f"expected an expression string, got {clip(text)}")
    if len(text) > MAX_CHARS:
        raise ExpressionError(f"expression too long ({len(text)} characters, at most {MAX_CHARS})")
    if not text.isascii():
        bad = next(c for c in text if not c.isascii())
        if bad.isdigit() or bad.isnumeric():
            raise ExpressionError(f"'{clip(text)}' has the non-ASCII digit {bad!r}: "
                                  "write numbers with the digits 0-9")
        raise ExpressionError(f"non-ASCII character {bad!r} in expression '{clip(text)}'")
    if not text.strip():
        raise ExpressionError("empty expression")
    source = text.replace("^", "**")
    try:
        with warnings.catch_warnings():        # "\q" in a user's string: no warning on stderr
            warnings.simplefilter("ignore")
            tree = ast.parse(source.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        msg = getattr(exc, "msg", None) or str(exc) or type(exc).__name__
        raise ExpressionError(f"cannot parse '{clip(text)}': {msg}") from None
    count = sum(1 for _ in ast.walk(tree))
    if count > MAX_NODES:
        raise ExpressionError(f"expression too complex ({count} parts, at most {MAX_NODES})")
    builder = _Builder(source.strip(), names or {}, GRAPH_FUNCTIONS if functions is None else functions,
                       constants or {}, evaluate, conventions or Conventions())
    builder.used = used
    builder.rational_powers = rational_powers
    try:
        return builder.build(tree)
    except RecursionError:
        raise ExpressionError(f"expression too deeply nested: '{clip(text)}'") from None
