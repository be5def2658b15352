"""LaTeX printing of expressions and values, the TextPrinter's twin.

Same dispatch and precedence as the text printer; only the spelling differs:
fractions as \\frac, products as \\cdot, names as the seeds write them
(w^{(1)}_{12}, \\delta^{(2)}_1), σ for sigmoid, cases for ReLU′.
"""

import sympy as sp

from .numeric import is_symbolic, tree_size
from .printing import MAX_SHOWN, TextPrinter, approx, rational_text
from .texnames import tex_name

__all__ = ["LatexPrinter", "latex", "latex_value", "latex_short", "MAX_CLOSED"]

_ADD, _NEG, _SUM, _MUL, _POW, _ATOM = 10, 15, 16, 20, 30, 40
MAX_CLOSED = 20     # tree nodes: larger closed forms are typeset by their decimal only
_FUNCS = {"sigmoid": r"\sigma", "relu": r"\operatorname{ReLU}", "leaky_relu": r"\operatorname{LReLU}",
          "softplus": r"\operatorname{softplus}", "identity": r"\operatorname{id}", "tanh": r"\tanh",
          "exp": r"\exp", "log": r"\ln", "max": r"\max", "min": r"\min", "sign": r"\operatorname{sgn}"}
_REL = {"<": "<", ">": ">", "<=": r"\le", ">=": r"\ge", "==": "=", "!=": r"\ne"}


class LatexPrinter(TextPrinter):
    """expr → LaTeX (math mode). `leaf(symbol)` may return LaTeX to print instead."""

    def __init__(self, leaf=None, decimals=False):
        super().__init__(leaf=leaf, mul=r" \cdot ", decimals=decimals)

    def _wrap(self, s):
        return rf"\left({s}\right)"

    def _print_Rational(self, e):
        if e.is_Integer:
            return str(e), (_NEG if e < 0 else _ATOM)
        if self.decimals:
            s = rational_text(e)
            if "/" not in s:
                return s, (_NEG if s.startswith("-") else _ATOM)
        frac = rf"\frac{{{abs(e.p)}}}{{{e.q}}}"
        return ("-" + frac, _NEG) if e < 0 else (frac, _ATOM)

    def _print_Symbol(self, e):
        return tex_name(e.name), _ATOM

    def _print_Exp1(self, e):
        return "e", _ATOM

    def _print_Indexed(self, e):
        return tex_name(f"{e.base}[{','.join(str(i) for i in e.indices)}]"), _ATOM

    def _print_Mul(self, e):
        args = list(e.args)
        if args and args[0] == -1:
            rest = args[1:]
            inner = rest[0] if len(rest) == 1 else sp.Mul(*rest, evaluate=False)
            return "-" + self._paren(inner, _MUL + 1), _NEG
        num = [a for a in args if not (a.is_Pow and a.exp == -1)]
        den = [a.base for a in args if a.is_Pow and a.exp == -1]
        top = self.mul.join(self._paren(a, _MUL + 1) if i or not (a.is_Rational and a > 0) else self(a)
                            for i, a in enumerate(num)) if num else "1"
        if not den:
            return top, _MUL
        bottom = self.mul.join(self._paren(a, _MUL + 1) for a in den)
        return rf"\frac{{{top}}}{{{bottom}}}", _ATOM

    def _print_Pow(self, e):
        if e.exp == -1:
            return rf"\frac{{1}}{{{self(e.base)}}}", _ATOM
        if e.exp == sp.Rational(1, 2):
            return rf"\sqrt{{{self(e.base)}}}", _ATOM
        return f"{self._paren(e.base, _ATOM)}^{{{self(e.exp)}}}", _POW

    def _print_exp(self, e):
        return f"e^{{{self(e.args[0])}}}", _POW

    def _print_Function(self, e):
        name = type(e).__name__
        head = _FUNCS.get(name, r"\operatorname{" + name.replace("_", r"\_") + "}")
        return rf"{head}\left({', '.join(self(a) for a in e.args)}\right)", _ATOM

    def _print_Derivative(self, e):
        f, (var, count) = e.expr, e.variable_count[0]
        if len(f.args) == 1 and f.args[0] == var and count == 1:
            head = _FUNCS.get(type(f).__name__, type(f).__name__)
            return rf"{head}'\left({self(var)}\right)", _ATOM
        return rf"\frac{{\partial}}{{\partial {self(var)}}} {self._paren(f, _ATOM)}", _MUL

    def _print_Subs(self, e):
        d, (point,) = e.expr, e.point
        head = _FUNCS.get(type(d.expr).__name__, type(d.expr).__name__)
        return rf"{head}'\left({self(point)}\right)", _ATOM

    def _print_Abs(self, e):
        return rf"\left\lvert {self(e.args[0])} \right\rvert", _ATOM

    def _print_Max(self, e):
        return rf"\max\left({', '.join(self(a) for a in e.args)}\right)", _ATOM

    def _print_Min(self, e):
        return rf"\min\left({', '.join(self(a) for a in e.args)}\right)", _ATOM

    def _print_sign(self, e):
        return rf"\operatorname{{sgn}}\left({self(e.args[0])}\right)", _ATOM

    def _print_Piecewise(self, e):
        rows = []
        for value, cond in e.args:
            rows.append(f"{self(value)} & " + (r"\text{otherwise}" if cond is sp.true
                                                else rf"\text{{if }} {self(cond)}"))
        return r"\begin{cases}" + r" \\ ".join(rows) + r"\end{cases}", _ATOM

    def _print_Relational(self, e):
        return f"{self(e.lhs)} {_REL.get(e.rel_op, e.rel_op)} {self(e.rhs)}", 5

    def _print_KroneckerDelta(self, e):
        return rf"\delta_{{{self(e.args[0])}{self(e.args[1])}}}", _ATOM

    def _print_Sum(self, e):
        (index, lo, hi), = e.limits
        return rf"\sum_{{{self(index)}}} {self._paren(e.function, _MUL)}", _SUM

    def _print_MatrixSymbol(self, e):
        name = str(e.name)
        if name.endswith(")") and "'(" in name:          # f'(z2): an elementwise derivative
            f, arg = name[:-1].split("'(")
            return rf"{_FUNCS.get(f, f)}'\left({tex_name(arg, vector=True)}\right)", _ATOM
        return tex_name(name, vector=True), _ATOM

    def _print_Transpose(self, e):
        return f"{{{self._paren(e.arg, _ATOM)}}}^{{\\mathsf{{T}}}}", _ATOM

    def _print_MatMul(self, e):
        return " ".join(self._paren(a, _MUL + 1) for a in e.args), _MUL

    def _print_HadamardProduct(self, e):
        return r" \odot ".join(self._paren(a, _MUL + 1) for a in e.args), _MUL


def latex(expr, leaf=None, decimals=False):
    return LatexPrinter(leaf, decimals)(expr)


def latex_short(value, digits=6):
    """A value as substituted into a formula: 0.5, \\frac{1}{3}, 0.598688\\ldots"""
    if is_symbolic(value):
        return latex(value) if tree_size(value, MAX_SHOWN) < MAX_SHOWN else r"\ldots"
    if value.is_Rational:
        s = rational_text(value)
        if len(s) <= 16:
            return latex(value, decimals=True)
    return _sci(approx(value, digits)) + r"\ldots"


def latex_value(value, digits=6):
    """'= \\frac{2}{5} = 0.4', '= \\frac{1}{1 + e^{-2/5}} \\approx 0.598688', '\\approx 0.1705'."""
    if is_symbolic(value):
        return "= " + latex_short(value)
    dec = _sci(approx(value, digits))
    if value.is_Rational:
        if value.is_Integer:
            return f"= {value}"
        exact_decimal = "/" not in rational_text(value, 15)
        if exact_decimal and dec == rational_text(value, 15):
            return f"= {latex(value)} = {dec}"
        return f"= {latex(value)} \\approx {dec}"
    if tree_size(value, MAX_CLOSED) < MAX_CLOSED:
        return f"= {latex(value)} \\approx {dec}"
    return rf"\approx {dec}"


def _sci(s):
    if "e" in s:
        mant, exp = s.split("e")
        return rf"{mant} \cdot 10^{{{int(exp)}}}"
    return s
