"""The feedback sheet: the problem, then every checked answer marked (exact, rounded,
consistent with the student's earlier values, wrong), the correct value beside it
(with at least the student's digits), and under each wrong one, in the same row so a
page never separates them, the reason: the diagnosed mistake and what the student's
own earlier values give. Both value columns are typeset alike (math minus, ×10^k).
Reads a checker Report."""

import re

from pylatex import NoEscape, Package, Section

from ..model.numeric import decimal
from ..output.files import MARK
from .document import appendix, check_size, new_document, problem_section
from .latexprint import latex_short, wrap_lines
from .numbers import tex_decimal
from .texnames import escape, spelling, tex_name, title_tex

__all__ = ["feedback_latex"]

_MARKS = {"exact": r"\textcolor{green!50!black}{\checkmark\ exact}",
          "rounded": r"\textcolor{green!50!black}{\checkmark\ rounded}",
          "carried_forward": r"\textcolor{orange!80!black}{$\to$ follows from your values}",
          "wrong": r"\textcolor{red!70!black}{$\times$ wrong}"}


def feedback_latex(report, heading=None, points=None):
    """A feedback sheet for checked answers: the problem, then every answer marked,
    the correct value beside it, and the diagnosis of each wrong one. A class's sheet
    (symprop grade): `heading` (the student's name and id) beside the title, and
    `points` (an exam.grading.Grade) as a Points section."""
    with spelling(report.solution):
        return _feedback(report, heading, points)


def _feedback(report, heading=None, points=None):
    solution = report.solution
    check_size(len(report.results), "feedback sheet", "use --format json")
    doc = new_document()
    doc.packages.append(Package("xcolor"))
    doc.append(NoEscape(r"{\LARGE\bfseries " + title_tex(solution.problem.title) + r"\par}\smallskip"))
    beside = rf" \quad --- \quad {escape(heading)}" if heading else ""
    doc.append(NoEscape(r"{\large Feedback on your answers" + beside + r"\par}\medskip"))
    full = problem_section(doc, solution)
    if points is not None:
        from .classreport import points_section

        points_section(doc, points)
    graded = {l.name: l.code for l in points.lines} if points is not None else {}
    verdicts = {r.name: _verdict(r.verdict, graded.get(r.name)) for r in report.results}
    with doc.create(Section("Your answers")):
        s = {v: sum(1 for w in verdicts.values() if w[0] == v) for v in _MARKS}
        s["total"] = len(report.results)
        doc.append(NoEscape(rf"{s['exact']} exact, {s['rounded']} correctly rounded, "
                            rf"{s['carried_forward']} consistent with your earlier values, "
                            rf"{s['wrong']} wrong (of {s['total']})."))
        doc.append(NoEscape(r"{\renewcommand{\arraystretch}{1.45}"       # fractions of two rows apart
                            r"\begin{longtable}{r>{$}l<{$}>{$}l<{$}>{$}l<{$}l}" "\n"
                            r"\toprule No. & \text{quantity} & \text{yours} & \text{correct} & \\ \midrule"
                            "\n" r"\endhead"))
        for r in report.results:
            correct = (_number(r.correct_text) if r.correct_text else None) \
                or _number(decimal(r.correct, 8)) or latex_short(r.correct)
            why = getattr(r, "why", None)
            verdict, graded_why = verdicts[r.name]
            # \\* : no page break between a row and its reason
            doc.append(NoEscape(rf"{r.number} & {tex_name(r.name)} & {_number(r.given.text)} & {correct} & "
                                rf"{_MARKS[verdict]} \\{'*' if why or r.diagnosis or graded_why else ''}" "\n"))
            if graded_why:
                doc.append(NoEscape(r" & \multicolumn{4}{p{15cm}}{\small\emph{" + graded_why + r"}} \\" "\n"))
            elif why is not None or r.diagnosis:
                said = why.format(name=lambda n: f"${tex_name(n)}$", number=lambda v: f"${_number(v)}$",
                                  text=escape) if why is not None else escape(r.diagnosis)
                doc.append(NoEscape(r" & \multicolumn{4}{p{15cm}}{\small\emph{" + said + r"}} \\" "\n"))
        doc.append(NoEscape(r"\bottomrule\end{longtable}}"))
    appendix(doc, solution, full)
    return wrap_lines(f"% {MARK}\n" + doc.dumps())


# a graded class (symprop grade) marks some answers the checker accepts as wrong: the
# sheet shows the grade's verdict, and why it differs from the checker's
_GRADED = {"rounded": "Correctly rounded, but not as closely as this exam asks (its tolerance is "
                      "given with the question): no credit.",
           "carried_forward": "This follows from your earlier answers, but they are trivial values "
                              "(0, 1 or $-1$) where the true value is not: no carried-forward credit."}


def _verdict(checked, graded):
    """(the verdict the sheet shows, the sentence saying why the grade overrules the checker)."""
    if graded == "wrong" and checked in _GRADED:
        return "wrong", _GRADED[checked]
    return checked, None


_DECIMAL = re.compile(r"(≈\s*)?([-+]?)([0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE]([-+]?[0-9]+))?")


def _number(text):
    """A number as the sheet typesets it, in math (for both value columns alike): the
    minus a math minus, an exponent as ×10^k; any other text (a fraction, an expression)
    as text with its minus signs math minus too. None for None."""
    if text is None:
        return None
    m = _DECIMAL.fullmatch(text.strip())
    if not m:
        return r"\text{" + "$-$".join(escape(part) for part in text.split("-")) + "}"
    approx, sign, digits, power = m.groups()
    if power is None and re.match(r"0?\.0000", digits) and digits.strip("0."):
        digits = tex_decimal(digits if digits[0] == "0" else "0" + digits)  # 0.0000016 as 1.6×10⁻⁶, as the sheets
    shown = (r"{\approx}" if approx else "") + ("{-}" if sign == "-" else "") + digits
    if power is not None:
        shown += rf"\times 10^{{{int(power)}}}"
    return shown
