"""What every LMS export shares: user text made safe, numbers in fixed point, the
network as HTML, and each variant's questions (`fields`) with their mistake alternatives.

User text reaches the exports only through `text` (characters XML 1.0 forbids and
other control characters become spaces), `line` (one line, cut to a length) and
`html_text` (escaped; braces, tilde and hash as entities, so a title cannot open or
close a cloze or GIFT field). Numbers are written in fixed-point notation (GIFT
readers do not accept 5e-05).
"""

import html
import re
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

import sympy as sp

from ..model.losses import LOSSES
from ..model.numeric import decimal
from ..render.latexprint import latex_short
from ..render.texnames import activation_words, tex_name
from .alternatives import alternatives
from .selection import asked

__all__ = ["text", "line", "html_text", "category_name", "fixed", "bound_text", "problem_html",
           "network_table", "Field", "fields", "plain", "label_html", "NAME_LIMIT", "percent"]

NAME_LIMIT = 120          # characters of the title in a category or question name
_BAD = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")


def text(value):
    """User text with every control character (and whatever XML 1.0 forbids) a space."""
    return _BAD.sub(" ", str(value))


def line(value, limit=None):
    """User text on one line: whitespace runs as one space, cut to `limit` characters."""
    value = " ".join(text(value).split())
    if limit is not None and len(value) > limit:
        value = value[:limit - 1].rstrip() + "…"
    return value


_ENTITIES = str.maketrans({"{": "&#123;", "}": "&#125;", "~": "&#126;", "#": "&#35;"})


def html_text(value):
    """Escaped HTML of user text on one line; {, }, ~ and # as character references."""
    return html.escape(line(value), quote=False).translate(_ENTITIES)


def category_name(title):
    """The category (and question-name prefix) for an exam's title."""
    return line(title, NAME_LIMIT) or "symprop exam"


def fixed(value_text):
    """A decimal string in fixed-point notation ("1.13e-8" -> "0.0000000113")."""
    return format(Decimal(value_text), "f")


def bound_text(bound):
    """An absolute tolerance (a Rational) in fixed point: exact when it has at most 15
    significant digits, else rounded down to 3 (an LMS then accepts a little less)."""
    bound = sp.Rational(bound)
    d = Decimal(bound.p) / Decimal(bound.q)
    if sp.Rational(str(d)) != bound or len(d.as_tuple().digits) > 15:
        d = d.quantize(Decimal(1).scaleb(d.adjusted() - 2), rounding=ROUND_DOWN)
    return format(d.normalize(), "f") if d else "0"


def percent(fraction):
    """A credit fraction as the whole percent Moodle's cloze and GIFT read (%50%)."""
    return int(sp.floor(sp.Rational(fraction) * 100 + sp.Rational(1, 2)))


def plain(value):
    """A value as plain text in a table cell: 1/2, -3, 0.598688…"""
    if value.is_Rational:
        return str(value.p) if value.q == 1 else f"{value.p}/{value.q}"
    d = decimal(value, 6)
    return (d + "…") if d is not None else "…"


def label_html(name):
    """A quantity's name for MathJax: \\(W^{(1)}_{11}\\)."""
    return r"\(" + html.escape(tex_name(name), quote=False) + r"\)"


def _math(s):
    return r"\(" + html.escape(s, quote=False) + r"\)"


def network_table(layer, number):
    """One layer's weights (and bias) as an HTML table: row j = unit j of the layer."""
    head = "".join(f"<th>k = {k}</th>" for k in range(1, layer.shape[1] + 1))
    bias = "<th>bias</th>" if layer.bias is not None else ""
    rows = []
    for j, row in enumerate(layer.weights):
        cells = "".join(f"<td>{html.escape(plain(w))}</td>" for w in row)
        b = f"<td>{html.escape(plain(layer.bias[j]))}</td>" if layer.bias is not None else ""
        rows.append(f"<tr><th>j = {j + 1}</th>{cells}{b}</tr>")
    return (f'<table border="1" cellpadding="4"><caption>Layer {number}: weights w<sub>jk</sub> '
            f"(from unit k below to unit j)</caption><tr><th></th>{head}{bias}</tr>"
            + "".join(rows) + "</table>")


def problem_html(solution):
    """The exercise (Solution.statement) as HTML: the title, each layer as a table of
    weights and as a matrix for MathJax (\\( ... \\)), the givens, loss and learning rate."""
    st = solution.statement
    parts = [f"<p><strong>{html_text(st.title)}</strong></p>"]
    if solution.problem.notes:
        parts.append(f"<p>{html_text(solution.problem.notes)}</p>")
    for l, layer in enumerate(st.layers, start=1):
        rows = r" \\ ".join(" & ".join(latex_short(w) for w in row) for row in layer.weights)
        tex = rf"W^{{({l})}} = \begin{{bmatrix}}{rows}\end{{bmatrix}}"
        if layer.bias is not None:
            tex += r",\quad b^{(%d)} = \begin{bmatrix}%s\end{bmatrix}" % (
                l, r" \\ ".join(latex_short(b) for b in layer.bias))
        act = re.sub(r"\$([^$]*)\$", r"\\(\1\\)", html.escape(activation_words(layer.activation)))
        parts.append(f"<p>Layer {l} ({act}): {_math(tex)}</p>")     # the sheets' words: ReLU, sigmoid σ
        parts.append(network_table(layer, l))
    if not st.layers:
        nodes = "".join(f"<tr><td>{html_text(n)}</td><td>{html_text(t.strip())}</td></tr>"
                        for n, t in solution.problem.network.nodes)
        parts.append(f'<table border="1" cellpadding="4"><tr><th>node</th><th>definition</th>'
                     f"</tr>{nodes}</table>")
    given = ", ".join(rf"{tex_name(g.name)} = {latex_short(g.value)}"
                      for g in st.givens if not g.param or not st.layered)
    parts.append(f"<p>Given: {_math(given)}</p>")
    if st.steps:
        eta = _math(r"\eta = " + latex_short(st.learning_rate))
        loss = LOSSES[st.loss].text if st.loss in LOSSES else st.loss
        parts.append(f"<p>Loss: L = {html.escape(loss)}; learning rate {eta}.</p>")
    return "".join(parts)


@dataclass(frozen=True)
class Field:
    """One question of a variant as the exports write it: its number in the exam (1, 2,
    …), the Asked, the answer and absolute tolerance in fixed point, the alternatives
    (each with its fixed-point value) and the credit they get."""

    number: int
    asked: object
    answer: str
    tolerance: str
    alternatives: tuple
    mistake_credit: object


def fields(variant, settings=None, mistakes=True, computed=None):
    """The variant's questions (a list of Field), in question order; cached on the variant.
    `computed(questions)`, if given, returns their alternatives (computed elsewhere, as
    `alternatives(variant.solution, questions)`) or None to compute them here."""
    key = (id(settings), mistakes)
    cache = variant.__dict__.setdefault("_fields", {})
    if key in cache:
        return cache[key]
    settings = settings if settings is not None else variant.problem.exam
    questions = questions_of(variant, settings)
    alts = (computed and computed(questions)) if mistakes else {}
    if alts is None:
        alts = alternatives(variant.solution, questions)
    credit = settings.mistake_credit if settings is not None else 0
    out = [Field(i, q, fixed(decimal(q.value, 15)), bound_text(q.tolerance.bound(q.value)),
                 tuple(alts.get(q.name, ())), credit) for i, q in enumerate(questions, 1)]
    cache[key] = out
    return out


def questions_of(variant, settings=None):
    """The Asked questions fields() writes: the selection's, those with a decimal."""
    settings = settings if settings is not None else variant.problem.exam
    return [q for q in asked(variant.solution, settings) if decimal(q.value, 15) is not None]
