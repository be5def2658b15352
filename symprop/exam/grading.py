"""Grading a class: each student's answers checked against their variant, points from
the [exam] table's credit policy, error carried forward guarded against gaming.

    grade_student(solution, questions, raw, settings) -> Grade

Verdict codes (grades.csv, the class report): exact, rounded, carried (wrong, but right
from the student's own earlier answers), diagnosed (wrong, a mistake the checker names),
wrong, unreadable (not a number), blank (no answer: never any points).

A "rounded" answer must also be within the question's tolerance (exam.tolerance), else
it is wrong: 0.6 for 0.598688 is rounded, but not to the 3 digits asked.

Gaming error carried forward: a student who writes 0 (or 1, or -1) for the early
quantities makes later ones trivially "consistent". So an answer earns the carried
credit only if it is not itself such a trivial value (0, 1, -1) where the true value is
not, and no answer it was carried from is *tainted*: trivially wrong (0, 1, -1 where the
true value is not), or itself denied carried credit. Such an answer is marked wrong.
Nor does a trivial value earn the diagnosed credit (a loss of 0 is "explained" by the
target replaced by the output, but it is what a student guessing writes).
"""

from dataclasses import dataclass

import sympy as sp

from ..checker.answers import parse_answer
from ..checker.check import check
from ..errors import SympropError

__all__ = ["Grade", "grade_student", "CODES", "credit_of", "points_of"]

CODES = ("exact", "rounded", "carried", "diagnosed", "wrong", "unreadable", "blank")
TRIVIAL = (sp.Integer(0), sp.Integer(1), sp.Integer(-1))
BLANKS = ("", "-", "—")


@dataclass(frozen=True)
class Line:
    name: str
    code: str
    points: object          # Rational earned
    max: object             # the question's points
    text: str               # what the student wrote
    mistake: object = None  # the MISTAKES key of a diagnosed answer
    diagnosis: object = None


@dataclass(frozen=True)
class Grade:
    lines: tuple
    report: object          # the checker's Report over the readable answers (or None)

    @property
    def total(self):
        return sum((l.points for l in self.lines), sp.Integer(0))

    @property
    def max(self):
        return sum((l.max for l in self.lines), sp.Integer(0))


def credit_of(settings, code):
    """The fraction of a question's points for a verdict code (blank: 0)."""
    if code == "blank":
        return sp.Integer(0)
    return settings.credit[code]


def points_of(question, settings, code):
    return question.points * credit_of(settings, code)


def _trivial(value, correct):
    return value in TRIVIAL and correct not in TRIVIAL


def grade_student(solution, questions, raw, settings):
    """A Grade: `questions` the exam's Asked list for this variant, `raw` {flat name:
    text or None} the student's answers, `settings` the ExamSettings."""
    from ..checker.check import _upstream
    from ..checker.mistakes import Definitions

    givens, codes, texts = {}, {}, {}
    for q in questions:
        text = raw.get(q.name)
        text = "" if text is None else " ".join(str(text).split())
        texts[q.name] = text
        if text in BLANKS:
            codes[q.name] = "blank"
            continue
        try:
            givens[q.name] = parse_answer(text, q.name)
        except SympropError:
            codes[q.name] = "unreadable"
    report = None
    results = {}
    if givens:
        try:
            report = check(solution, givens)
            results = {r.name: r for r in report.results}
        except SympropError:            # never let one student stop the class
            for name in givens:
                codes[name] = "unreadable"
            givens = {}
    defs = Definitions(solution) if any(r.verdict == "carried_forward" for r in results.values()) \
        else None
    tainted = set()
    by_name = {q.name: q for q in questions}
    for r in sorted(results.values(), key=lambda r: r.number):
        q = by_name[r.name]
        correct = q.value if q.value is not None else r.correct
        if r.verdict == "exact":
            code = "exact"
        elif r.verdict == "rounded":
            code = "rounded" if q.tolerance.accepts(correct, r.given.value) else "wrong"
        elif r.verdict == "carried_forward":
            sources = _upstream(defs, r.name, givens)
            code = "carried"
            if _trivial(r.given.value, correct) or any(s in tainted for s in sources):
                code = "wrong"
                tainted.add(r.name)
        else:
            code = "diagnosed" if r.mistake else "wrong"
        if code == "diagnosed" and _trivial(r.given.value, correct):
            code = "wrong"              # 0 for the loss "explained" as target = output: no credit
        if code not in ("exact", "rounded", "carried") and _trivial(r.given.value, correct):
            tainted.add(r.name)
        codes[r.name] = code
    lines = []
    for q in questions:
        r = results.get(q.name)
        code = codes[q.name]
        lines.append(Line(q.name, code, points_of(q, settings, code), q.points, texts[q.name],
                          r.mistake if r is not None and code == "diagnosed" else None,
                          r.diagnosis if r is not None and code == "diagnosed" else None))
    return Grade(tuple(lines), report)
