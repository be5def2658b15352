r"""How a worked equation is laid out in LaTeX: align* rows, long sums over lines.

Shared by the problem section (graph equations), the worked solution and the
chain rule. The rows are strings of LaTeX; `align` wraps them into align*
environments of at most _ALIGN_ROWS equations (one environment of thousands
of rows exhausts TeX's memory).
"""

from pylatex import NoEscape

from .latexprint import MAX_TERMS, add_terms, latex, term_lines

__all__ = ["LINE", "PER_LINE", "equation", "sum_chunks", "split_equation", "groups", "align", "chunks", "paren"]

LINE = 70       # characters of text above which an equation is split over lines
PER_LINE = 3    # terms of a long sum per line
_ALIGN_ROWS = 40    # equations per align*


def equation(number, name_tex, formula, numbers, result, short):
    """One numbered equation: 'name = formula = numbers result' on one row when `short`,
    else one row each."""
    tag = rf" \tag{{{number}}}"
    if short:
        line = rf"{name_tex} &= {formula}"
        if numbers:
            line += f" = {numbers}"
        return line + f" {result}" + tag
    rows = [rf"{name_tex} &= {formula}"]
    if numbers:
        rows.append(rf"&= {numbers}")
    rows.append(rf"&{result}" + tag)
    return r" \\ ".join(rows)


def sum_chunks(expr, leaf, decimals):
    """A long sum printed as chunks of terms (the caller joins them with line breaks);
    with numbers put in (leaf given), fewer terms per line, as numbers are wider. A sum
    of more than MAX_TERMS terms: its first and last terms around an ellipsis (term_lines)."""
    per = PER_LINE if leaf is None else PER_LINE - 1
    terms = add_terms(expr)
    if len(terms) <= PER_LINE + 1:     # four terms still fit a line
        return [latex(expr, leaf, decimals, MAX_TERMS)]
    out = []
    for i, line in enumerate(term_lines(terms, per)):
        dots = [t for t in line if isinstance(t, str)]          # the ellipsis
        s = latex(expr.func(*[t for t in line if not isinstance(t, str)], evaluate=False), leaf, decimals,
                  MAX_TERMS)
        if i:
            s = s if s.startswith("-") else "+ " + s
        out.append("+ " + dots[0] + " " + s if dots else s)
    return out


def split_equation(name_tex, parts):
    r"""'name &= first chunk \\ &\quad next chunk ...' (align* rows of one equation)."""
    return r" \\ ".join([rf"{name_tex} &= {parts[0]}"] + [rf"&\quad {c}" for c in parts[1:]])


def groups(rows):
    """The rows in groups of at most _ALIGN_ROWS (one group, empty, for no rows)."""
    return [rows[i:i + _ALIGN_ROWS] for i in range(0, len(rows), _ALIGN_ROWS)] or [[]]


def align(rows):
    """align* environments of at most _ALIGN_ROWS equations each."""
    return NoEscape("%\n".join(r"\begin{align*}" + r" \\[2pt] ".join(group) + r"\end{align*}"
                               for group in groups(rows)))


def chunks(head, terms, per=PER_LINE - 1, left_out=0):
    """align* lines 'head &= t1 + t2 + t3', '&\\quad + t4 ...' for a long sum (shortened
    around an ellipsis beyond MAX_TERMS terms, or where `left_out` terms were taken out)."""
    return [(rf"{head} &= " if i == 0 else r"&\quad + ") + " + ".join(line)
            for i, line in enumerate(term_lines(terms, per, left_out))]


def paren(s):
    """A negative number in parentheses (it follows an operator)."""
    return rf"\left({s}\right)" if s.startswith("-") else s
