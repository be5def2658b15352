"""Plain-text printing of expressions and values, as a worksheet writes them.

SymPy's own str printer reorders terms and writes `*`; a worksheet keeps the
order the equation was written in, writes `·`, and shows substituted numbers
in parentheses when they are negative. Dispatch is on the class name
(`_print_Add`, ...), as in SymPy's printers.
"""

from fractions import Fraction

import sympy as sp

from ..model.numeric import decimal, is_symbolic, tree_size

__all__ = ["TextPrinter", "text", "short_value", "value_text", "rational_text", "approx"]

_ADD, _NEG, _SUM, _MUL, _POW, _ATOM = 10, 15, 16, 20, 30, 40
_REL = {"<": "<", ">": ">", "<=": "≤", ">=": "≥", "==": "=", "!=": "≠"}


def rational_text(r, max_digits=8):
    """3/8 → '0.375' (a short terminating decimal), 1/3 → '1/3', 7 → '7'."""
    if r.is_Integer:
        return str(r)
    f = Fraction(int(r.p), int(r.q))
    q = f.denominator
    for prime in (2, 5):
        while q % prime == 0:
            q //= prime
    if q == 1:
        dec = decimal(r, max_digits + 2)
        if len(dec.replace("-", "").replace("0.", "").replace(".", "").lstrip("0")) <= max_digits \
                and "e" not in dec:
            return dec
    return f"{r.p}/{r.q}"


class TextPrinter:
    """expr → text. `leaf(symbol)` may return text to print instead of a symbol."""

    def __init__(self, leaf=None, mul="·", decimals=False, latex=False):
        self.leaf = leaf
        self.mul = mul
        self.decimals = decimals
        self.latex = latex          # LatexPrinter: the spellings below in LaTeX

    def __call__(self, expr):
        return self._render(expr)[0]

    def _paren(self, expr, prec):
        s, p = self._render(expr)
        return self._wrap(s) if p < prec else s

    def _wrap(self, s):
        return f"({s})"

    def _render(self, e):
        if self.leaf is not None and isinstance(e, (sp.Symbol, sp.Indexed)):
            s = self.leaf(e)
            if s is not None:
                return s, (_NEG if s.startswith("-") or " " in s else _ATOM)
        method = getattr(self, "_print_" + type(e).__name__, None)
        if method is None:
            for cls in type(e).__mro__:
                method = getattr(self, "_print_" + cls.__name__, None)
                if method:
                    break
        if method is None:
            return self._fallback(e), _ATOM
        return method(e)

    def _fallback(self, e):
        """A node no _print_ method knows: SymPy's own spelling (in LaTeX sp.latex, never raw str)."""
        return sp.latex(e) if self.latex else str(e)

    # conditions of Piecewise values (ReLU of symbols): and, or, not, if-then-else
    _WORDS = {False: (" and ", " or ", "not ", "{} if {}, else {}"),
              True: (r" \wedge ", r" \vee ", r"\neg ", r"{} \text{{ if }} {}, \text{{ else }} {}")}

    def _print_And(self, e):
        return self._WORDS[self.latex][0].join(self._paren(a, 5) for a in e.args), 4

    def _print_Or(self, e):
        return self._WORDS[self.latex][1].join(self._paren(a, 4) for a in e.args), 3

    def _print_Not(self, e):
        return self._WORDS[self.latex][2] + self._paren(e.args[0], 5), 4

    def _print_ITE(self, e):
        cond, then, other = e.args
        return self._wrap(self._WORDS[self.latex][3].format(self(then), self(cond), self(other))), _ATOM

    def _print_Rational(self, e):
        s = rational_text(e) if self.decimals else str(e)
        if s.startswith("-"):
            return s, _NEG
        return s, (_MUL if "/" in s else _ATOM)

    def _print_Symbol(self, e):
        return e.name, _ATOM

    def _print_Exp1(self, e):
        return "e", _ATOM

    def _print_Indexed(self, e):
        return f"{e.base}[{','.join(self(i) for i in e.indices)}]", _ATOM

    def _print_IndexedBase(self, e):
        return str(e.label), _ATOM

    def _print_Add(self, e):
        parts = []
        for i, term in enumerate(e.args):
            negative = _is_negative(term)
            if i == 0:
                parts.append(self._paren(term, _ADD + 1) if not negative else "-" + self._paren(-term, _MUL))
            elif negative:
                parts.append(" - " + self._paren(_negate(term), _NEG + 1))
            else:
                parts.append(" + " + self._paren(term, _NEG + 1))
        return "".join(parts), _ADD

    def _print_Mul(self, e):
        args = list(e.args)
        if args and args[0] == -1:
            rest = args[1:]
            inner = rest[0] if len(rest) == 1 else sp.Mul(*rest, evaluate=False)
            return "-" + self._paren(inner, _MUL + 1), _NEG
        num = [a for a in args if not (a.is_Pow and a.exp == -1)]
        den = [a.base for a in args if a.is_Pow and a.exp == -1]
        shown = [self._paren(a, _MUL + 1) if i or not (a.is_Rational and a > 0) else self(a)
                 for i, a in enumerate(num)]       # a leading 1/2 needs no parentheses
        top = self.mul.join(shown) if num else "1"
        if not den:
            return top, _MUL
        if len(den) == 1:
            bottom = self._paren(den[0], _ATOM)
        else:
            bottom = "(" + self.mul.join(self._paren(a, _MUL + 1) for a in den) + ")"
        return f"{top}/{bottom}", _MUL

    def _print_Pow(self, e):
        if e.exp == -1:
            return "1/" + self._paren(e.base, _ATOM), _MUL
        if e.exp == sp.Rational(1, 2):
            return f"sqrt({self(e.base)})", _ATOM
        return f"{self._paren(e.base, _ATOM)}^{self._paren(e.exp, _ATOM)}", _POW

    def _print_Function(self, e):
        name = type(e).__name__
        return f"{name}({', '.join(self(a) for a in e.args)})", _ATOM

    def _print_Derivative(self, e):
        f, (var, count) = e.expr, e.variable_count[0]
        if len(f.args) == 1 and f.args[0] == var and count == 1:
            return f"{type(f).__name__}'({self(var)})", _ATOM
        return f"d/d{self(var)} {self._paren(f, _ATOM)}", _MUL

    def _print_Subs(self, e):
        d, (var,), (point,) = e.expr, e.variables, e.point
        if isinstance(d, sp.Derivative) and len(d.expr.args) == 1 and d.expr.args[0] == var:
            return f"{type(d.expr).__name__}'({self(point)})", _ATOM
        return str(e), _ATOM

    def _print_Abs(self, e):
        return f"|{self(e.args[0])}|", _ATOM

    def _print_Max(self, e):
        return f"max({', '.join(self(a) for a in e.args)})", _ATOM

    def _print_Min(self, e):
        return f"min({', '.join(self(a) for a in e.args)})", _ATOM

    def _print_Piecewise(self, e):
        pieces = []
        for value, cond in e.args:
            if cond is sp.true:
                pieces.append(f"{self(value)} otherwise")
            else:
                pieces.append(f"{self(value)} if {self(cond)}")
        return "{" + "; ".join(pieces) + "}", _ATOM

    def _print_Relational(self, e):
        return f"{self(e.lhs)} {_REL.get(e.rel_op, e.rel_op)} {self(e.rhs)}", 5

    def _print_Sum(self, e):
        (index, lo, hi), = e.limits
        return f"Σ_{index} {self._paren(e.function, _MUL)}", _SUM

    def _print_MatrixSymbol(self, e):
        return str(e.name), _ATOM

    def _print_Transpose(self, e):
        return f"{self._paren(e.arg, _ATOM)}ᵀ", _ATOM

    def _print_MatMul(self, e):
        return " ".join(self._paren(a, _MUL + 1) for a in e.args), _MUL

    def _print_HadamardProduct(self, e):
        return " ⊙ ".join(self._paren(a, _MUL + 1) for a in e.args), _MUL

    def _print_MatAdd(self, e):
        return self._print_Add(e)


def _is_negative(term):
    if term.is_Number:
        return term < 0
    return term.is_Mul and term.args and term.args[0].is_Number and term.args[0] < 0


def _negate(term):
    if term.is_Number:
        return -term
    first, rest = term.args[0], term.args[1:]
    if first == -1:
        return rest[0] if len(rest) == 1 else sp.Mul(*rest, evaluate=False)
    return sp.Mul(-first, *rest, evaluate=False)


def text(expr, leaf=None):
    """Print `expr` as a worksheet line would."""
    return TextPrinter(leaf)(expr)


def approx(value, digits=6):
    """A rounded decimal that never rounds a non-integer to an integer (σ(18.3) is not 1)."""
    d = decimal(value, digits)
    if "." not in d and "e" not in d and not value.is_Integer:
        d = decimal(value, 15)
    return d


MAX_SHOWN = 60      # tree nodes: a closed form larger than this is shown by its decimal


def short_value(value, digits=6):
    """A value as it is substituted into a formula: 0.5, 1/3, or 0.598688… (rounded)."""
    if is_symbolic(value):
        return text(value) if tree_size(value, MAX_SHOWN * 50) < MAX_SHOWN * 50 else "(a long formula)"
    if value.is_Rational:
        s = rational_text(value)
        if len(s) <= 16:
            return s
    return approx(value, digits) + "…"


def value_text(value, digits=6, max_exact=40):
    """'= 2/5 = 0.4', '= 3', '= 1/(1 + exp(-2/5)) ≈ 0.598688', or '≈ 0.170528'."""
    if is_symbolic(value):
        return "= " + short_value(value)
    if value.is_Rational:
        exact = f"{value.p}/{value.q}" if not value.is_Integer else str(value)
        dec = decimal(value, 15)
        if exact == dec:
            return f"= {exact}"
        short = decimal(value, digits)
        sign = "=" if short == dec else "≈"
        if len(exact) > max_exact:
            return f"{sign} {short}"
        return f"= {exact} {sign} {short}"
    rounded = approx(value, digits)
    closed = text(value) if tree_size(value, MAX_SHOWN) < MAX_SHOWN else ""
    if closed and len(closed) <= max_exact:
        return f"= {closed} ≈ {rounded}"
    return f"≈ {rounded}"
