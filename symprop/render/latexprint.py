"""LaTeX printing of expressions and values, the TextPrinter's twin.

Same dispatch and precedence as the text printer; only the spelling differs: fractions
as \\frac, products as \\cdot, names as the seeds write them (w^{(1)}_{12}, \\delta^{(2)}_1),
σ for sigmoid (and for 1/(1 + e^{-u}), numbers.textbook), cases for ReLU′.
"""

import sympy as sp

from ..model.numeric import is_symbolic, tree_size
from ..model.functions import FUNCTIONS
from .numbers import sheet_decimal, tex_decimal, textbook, visible_width
from .printing import MAX_SHOWN, TextPrinter, rational_text
from .texnames import tex_name
from .texwrap import MAX_TEX_LINE, wrap_lines       # re-exported: the sheets wrap through here

__all__ = ["LatexPrinter", "latex", "latex_value", "latex_short", "latex_given", "MAX_CLOSED", "closed_form",
           "add_terms", "elide", "matrix", "term_lines", "shown_terms", "ellipsis", "wrap_lines", "MAX_TEX_LINE", "MATRIX_COLS",
           "MATRIX_ROWS", "MAX_TERMS"]

_ADD, _NEG, _SUM, _MUL, _POW, _ATOM = 10, 15, 16, 20, 30, 40
MAX_CLOSED = 20     # tree nodes: larger closed forms are typeset by their decimal only
_FUNCS = {f.name: f.latex for f in FUNCTIONS.values() if f.latex}     # σ, \operatorname{ReLU}, \ln
_REL = {"<": "<", ">": ">", "<=": r"\le", ">=": r"\ge", "==": "=", "!=": r"\ne"}


class LatexPrinter(TextPrinter):
    """expr → LaTeX (math mode). `leaf(symbol)` may return LaTeX to print instead;
    with `max_terms`, a sum of more terms is shortened around an ellipsis (worked
    equations; never an exact value)."""

    def __init__(self, leaf=None, decimals=False, max_terms=None):
        super().__init__(leaf=leaf, mul=r" \cdot ", decimals=decimals, latex=True)
        self.max_terms = max_terms

    def _wrap(self, s):
        return rf"\left({s}\right)"

    def _print_Add(self, e):
        terms = add_terms(e)        # h0 + h1 + h2, not ((h0 + h1) + h2)
        if self.max_terms and len(terms) > self.max_terms:
            head, _ = super()._print_Add(sp.Add(*terms[:SUM_HEAD], evaluate=False))
            tail, _ = super()._print_Add(sp.Add(*terms[-SUM_TAIL:], evaluate=False))
            dots = ellipsis(len(terms) - SUM_HEAD - SUM_TAIL)
            return f"{head} + {dots} {tail if tail.startswith('-') else '+ ' + tail}", _ADD
        if len(terms) > len(e.args):
            e = sp.Add(*terms, evaluate=False)
        return super()._print_Add(e)

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

    def _print_NumberSymbol(self, e):       # π (e is the text printer's _print_Exp1: "e")
        return (r"\pi" if e is sp.pi else str(e)), _ATOM

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
        sign = ""
        if len(num) > 1 and num[0].is_Rational and not num[0].is_Integer and all(map(_constant, num[1:])):
            p, q = num[0].p, num[0].q           # a constant's fraction as a textbook writes it: √2/2, -3π/4
            num, den = ([sp.Integer(abs(p))] if abs(p) != 1 else []) + num[1:], [sp.Integer(q)] + den
            sign = "-" if p < 0 else ""
        shown = [self._paren(a, _MUL + 1) if i or not (a.is_Rational and a > 0) else self(a)
                 for i, a in enumerate(num)]
        glue = [self.mul] * len(shown)
        if len(num) > 1 and num[0].is_Rational and not shown[1][:1].isdigit() and not num[1].is_Number:
            glue[1] = " "                   # a coefficient: 2\left(\sigma(18.3) - 18\right), \frac{2}{5}x
        top = "".join(g + s if i else s for i, (g, s) in enumerate(zip(glue, shown))) if num else "1"
        if not den:
            return top, _MUL
        bottom = self.mul.join(self._paren(a, _MUL + 1) for a in den)
        return rf"{sign}\frac{{{top}}}{{{bottom}}}", (_NEG if sign else _ATOM)

    def _print_Pow(self, e):
        if e.exp == -1:
            return rf"\frac{{1}}{{{self(e.base)}}}", _ATOM
        if e.exp == sp.Rational(1, 2):
            return rf"\sqrt{{{self(e.base)}}}", _ATOM
        base = self._paren(e.base, _ATOM)
        if "^" in base and not base.startswith(r"\left("):
            base = "{" + base + "}"          # a^{(1)}_{j} squared: {a^{(1)}_{j}}^{2}, not a double superscript
        return f"{base}^{{{self(e.exp)}}}", _POW

    def _argument(self, e):
        """A function's argument: its rationals as short decimals, σ(18.3) (textbook form)."""
        return (self if self.decimals else LatexPrinter(self.leaf, True, self.max_terms))(e)

    def _print_exp(self, e):
        return f"e^{{{self._argument(e.args[0])}}}", _POW

    def _print_Function(self, e):
        name = type(e).__name__
        head = _FUNCS.get(name, r"\operatorname{" + name.replace("_", r"\_") + "}")
        return rf"{head}\left({', '.join(self._argument(a) for a in e.args)}\right)", _ATOM

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

    def _print_Max(self, e):            # and Min: \max(a, b), \min(a, b)
        return rf"\{type(e).__name__.lower()}\left({', '.join(self(a) for a in e.args)}\right)", _ATOM

    _print_Min = _print_Max

    def _print_sign(self, e):
        return rf"{_FUNCS['sign']}\left({self(e.args[0])}\right)", _ATOM

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


def _constant(e):
    """π, e, or a surd (√2, 3^{1/3}): a factor a textbook writes over a fraction's line."""
    return isinstance(e, sp.NumberSymbol) or (e.is_Pow and e.base.is_Integer and e.exp.is_Rational
                                              and not e.exp.is_Integer)


def add_terms(expr):
    """The terms of a sum, with a sum in first place (a left-nested chain such as
    (h0 + h1) + h2, as the parser builds a + b + c) opened up."""
    if not expr.is_Add:
        return [expr]
    first = expr.args[0]
    return (add_terms(first) if first.is_Add else [first]) + list(expr.args[1:])


def latex(expr, leaf=None, decimals=False, max_terms=None):
    """`expr` in LaTeX, in textbook form (numbers.textbook: σ(u) for 1/(1 + e^{-u}))."""
    return LatexPrinter(leaf, decimals, max_terms)(textbook(expr))


def _fewer(expr, cap):      # tree_size(expr, cap) < cap, walking at most cap nodes of the tree
    stack, seen = [expr], 0
    while stack and seen < cap:
        seen += 1
        stack.extend(stack.pop().args)
    return seen < cap


class _Memo(LatexPrinter):  # closed_form's printer: each node's LaTeX kept in _CLOSED[2]
    def _render(self, e):
        if (id(e), self.decimals) not in _CLOSED[2]:
            _CLOSED[2][id(e), self.decimals] = (e, super()._render(e))
        return _CLOSED[2][id(e), self.decimals][1]

    def _argument(self, e):
        return (self if self.decimals else _Memo(None, True))(e)


CLOSED_NODES = 400  # tree nodes: a larger closed form is never printed (typeset by its decimal)
CLOSED_WIDTH = 30   # visible characters of a closed form shown beside its decimal (a worked line's end)
_CLOSED, MEMO_SIZE = ({}, {}, {}), 200_000   # closed_form's results, rewritings, LaTeX; size


def closed_form(value, width=CLOSED_WIDTH):
    """A value's exact LaTeX in textbook form (numbers.textbook: \\sigma(18.3),
    2\\left(\\sigma(18.3) - 18\\right)); None when it prints wider than `width`
    characters (visible_width) or has more than CLOSED_NODES nodes. Remembered, as every
    node's LaTeX (a sheet prints a value twice, the σ of the layer below in many)."""
    if value.is_Rational:
        return latex(value)
    key = (id(value), width)
    if key not in _CLOSED[0]:
        small = _fewer(value, CLOSED_NODES)
        if small and is_symbolic(value):        # spelled as the sheet it is on names symbols
            tex = latex(value)
            return tex if visible_width(tex) <= width else None
        if len(_CLOSED[0]) + len(_CLOSED[2]) > MEMO_SIZE:   # each entry keeps its node alive:
            [memo.clear() for memo in _CLOSED]               # its id stays its own till then
        tex = _Memo()(textbook(value, _CLOSED[1])) if small else None
        _CLOSED[0][key] = (value, tex if tex and visible_width(tex) <= width else None)
    return _CLOSED[0][key][1]


def latex_short(value, digits=None):
    """A value as substituted into a formula: 0.5, \\frac{1}{3}, 0.598688\\ldots (sheet_decimal)."""
    if is_symbolic(value):
        return latex(value) if tree_size(value, MAX_SHOWN) < MAX_SHOWN else r"\ldots"
    if value.is_Rational:
        s = rational_text(value)
        if len(s) <= 16:
            return latex(value, decimals=True)
    return sheet_decimal(value, digits) + r"\ldots"


def latex_value(value, digits=None, shown=None):
    """'= \\frac{2}{5} = 0.4', '= \\sigma\\left(0.4\\right) \\approx 0.598688', '\\approx 0.1705':
    the decimal to the sheet's digits (numbers.sheet_decimal) unless `digits` is given, after
    the closed form when it is short (closed_form) and not the `shown` numbers before it."""
    if is_symbolic(value):
        return "= " + latex_short(value)
    dec = sheet_decimal(value, digits)
    if value.is_Rational:
        if value.is_Integer:
            return f"= {value}"
        full = rational_text(value, 15)
        if "/" not in full and dec == tex_decimal(full):
            return f"= {latex(value)} = {dec}"
        return f"= {latex(value)} \\approx {dec}"
    closed = closed_form(value)
    return f"= {closed} \\approx {dec}" if closed and closed != shown else rf"\approx {dec}"


GIVEN_WIDTH = 16    # visible characters of a given value's closed form (the problem's matrices, the diagram)


def latex_given(value, beside=True):
    """A given value as the problem states it: a rational as latex_short writes it (0.5,
    \\frac{1}{3}); a closed form exactly, in textbook form (\\frac{\\sqrt{2}}{2}, \\frac{\\pi}{8}),
    with its decimal beside (`beside`), when it is short (GIVEN_WIDTH); else latex_short."""
    if is_symbolic(value) or value.is_Rational:
        return latex_short(value)
    closed = closed_form(value, GIVEN_WIDTH)
    if closed is None:
        return latex_short(value)
    return closed + (rf" \approx {sheet_decimal(value)}" if beside else "")


# -- big objects in a readable reduced form ---------------------------------------------
# One mechanism for everything that grows with the network: a matrix or vector with more
# than MATRIX_COLS columns or MATRIX_ROWS rows shows its first SHOWN rows/columns, an
# ellipsis and the last one; a sum of more than MAX_TERMS terms shows its first
# SUM_HEAD terms, an ellipsis with the count left out, and its last SUM_TAIL terms.

MATRIX_COLS = 10    # amsmath's bmatrix holds at most 10 columns (MaxMatrixCols)
MATRIX_ROWS = 16    # rows of a displayed matrix or vector before it is shortened
SHOWN = 6           # leading rows/columns of a shortened matrix (then the ellipsis, then the last)
MAX_TERMS = 12      # terms of a sum written out in full in a worked equation
SUM_HEAD, SUM_TAIL = 3, 2


def elide(seq, limit, head=SHOWN, tail=1):
    """`seq` as a list when it has at most `limit` items; else its first `head` items,
    None (where the ellipsis goes) and its last `tail` items."""
    seq = list(seq)
    if len(seq) <= limit:
        return seq
    return seq[:head] + [None] + seq[len(seq) - tail:]


def matrix(rows, entry=None):
    """A bmatrix of values (a list of rows); shortened with \\cdots, \\vdots and \\ddots
    when it is larger than MATRIX_ROWS × MATRIX_COLS, its size written beneath it.
    Returns (LaTeX, shortened)."""
    entry = entry or latex_short
    m, n = len(rows), len(rows[0])
    row_ix, col_ix = elide(range(m), MATRIX_ROWS), elide(range(n), MATRIX_COLS)
    small = len(col_ix) > 8
    cells = []
    for i in row_ix:
        line = []
        for j in col_ix:
            if i is None:
                s = r"\ddots" if j is None else r"\vdots"
            else:
                s = r"\cdots" if j is None else entry(rows[i][j])
            line.append(r"\scriptstyle " + s if small else s)
        cells.append(" & ".join(line))
    body = r"\begin{bmatrix}" + r" \\ ".join(cells) + r"\end{bmatrix}"
    shortened = len(row_ix) < m or len(col_ix) < n
    if shortened:
        body = rf"\underset{{{m} \times {n}}}{{{body}}}"
    return body, shortened


def ellipsis(left_out):
    """The ellipsis standing for `left_out` terms of a shortened sum."""
    return rf"{{\underbrace{{\cdots}}_{{\text{{{left_out:,} more}}}}}}"


def term_lines(terms, per, left_out=0):
    """Terms of a sum as lines of `per` terms; more than MAX_TERMS terms (or `left_out`
    terms already taken out after the first SUM_HEAD): two lines, the first SUM_HEAD
    terms, then the ellipsis (a string) with the last SUM_TAIL."""
    terms = list(terms)
    if not left_out and len(terms) > MAX_TERMS:
        left_out = len(terms) - SUM_HEAD - SUM_TAIL
        terms = terms[:SUM_HEAD] + terms[-SUM_TAIL:]
    if left_out:
        return [terms[:SUM_HEAD], [ellipsis(left_out)] + terms[SUM_HEAD:]]
    return [terms[i:i + per] for i in range(0, len(terms), per)]


def shown_terms(terms):
    """(the terms a worked equation shows, how many it leaves out): the first SUM_HEAD
    and last SUM_TAIL of more than MAX_TERMS, so that only those are printed."""
    terms = list(terms)
    if len(terms) <= MAX_TERMS:
        return terms, 0
    return terms[:SUM_HEAD] + terms[-SUM_TAIL:], len(terms) - SUM_HEAD - SUM_TAIL
