"""questions.gift: one GIFT numerical question per asked quantity of each variant.

Each question is one line: `::name::[html]text{#=answer:tol#Right. =%c%value:tol#Likely
mistake: ...}`, the alternatives being the values the checker's mistakes give, at
`mistake_credit` percent. Moodle's importer unescapes nothing on the $CATEGORY line but
a doubled backslash (escapedchar_pre runs on it, escapedchar_post does not), so only
backslashes are doubled there; names, texts and feedback have every GIFT special
(~ = # { } : and the backslash) escaped with a backslash. Numbers are fixed point.
"""

import html
import re

from ..render.texnames import spelling
from .lmstext import category_name, fields, label_html, line, percent, problem_html
from .moodle import moodle_category

__all__ = ["gift"]

_HOLDER = re.compile(r"&(?=&(?:0(?:58;|35;|61;|92;|10)|1(?:23;|25;|26;)))")


def _break_holders(value):
    """Moodle's GIFT importer uses '&&058;' and the like as placeholders for escaped
    characters and turns them back into ':' even where the user wrote them: a zero-width
    space keeps the two '&' apart (plain-text names and the category; HTML has &amp;)."""
    return _HOLDER.sub("&\u200b", value)


def _escape(value):
    return "".join("\\" + c if c in "~=#{}:\\" else c for c in value)


def gift(vs, category, settings=None, mistakes=True):
    """The GIFT text: the $CATEGORY line, then each variant's questions."""
    name = category_name(category)
    category_line = _break_holders(moodle_category(name)).replace("\\", "\\\\")
    lines = [f"$CATEGORY: {category_line}", ""]
    for v in vs:
        with spelling(v.solution):
            lines += _questions(v, name, fields(v, settings, mistakes))
    return "\n".join(lines)


def _answers(f):
    parts = [f"={f.answer}:{f.tolerance}#Right."]
    for a in f.alternatives:
        feedback = _escape(html.escape(line(a.feedback), quote=False))
        parts.append(f"=%{percent(f.mistake_credit)}%{a.decimal}:{f.tolerance}#{feedback}")
    return "{#" + " ".join(parts) + "}"


def _questions(v, name, fs):
    """One variant's numerical questions, each line followed by a blank one."""
    lines = []
    problem = problem_html(v.solution)
    for f in fs:
        title = _escape(_break_holders(f"{name} v{v.number} q{f.number}"))
        pts = f.asked.points
        ask = (f"<p>Compute {label_html(f.asked.name)} ({html.escape(f.asked.tolerance.describe())}; "
               f"{pts} point{'s' if pts != 1 else ''}).</p>")
        lines += [f"::{title}::[html]{_escape(problem + ask)}{_answers(f)}", ""]
    return lines
