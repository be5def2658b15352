"""The feedback sheet: the problem, then every checked answer marked (exact, rounded,
consistent with the student's earlier values, wrong), the correct value beside it,
and the diagnosis of each wrong one. Reads a checker Report."""

from pylatex import NoEscape, Package, Section

from ..model.numeric import decimal
from ..output.files import MARK
from .document import appendix, check_size, new_document, problem_section
from .latexprint import latex_short, wrap_lines
from .texnames import escape, spelling, tex_name

__all__ = ["feedback_latex"]

_MARKS = {"exact": r"\textcolor{green!50!black}{\checkmark\ exact}",
          "rounded": r"\textcolor{green!50!black}{\checkmark\ rounded}",
          "carried_forward": r"\textcolor{orange!80!black}{$\to$ follows from your values}",
          "wrong": r"\textcolor{red!70!black}{$\times$ wrong}"}


def feedback_latex(report):
    """A feedback sheet for checked answers: the problem, then every answer marked,
    the correct value beside it, and the diagnosis of each wrong one."""
    with spelling(report.solution):
        return _feedback(report)


def _feedback(report):
    solution = report.solution
    check_size(len(report.results), "feedback sheet", "use --format json")
    doc = new_document()
    doc.packages.append(Package("xcolor"))
    doc.append(NoEscape(r"{\LARGE\bfseries " + escape(solution.problem.title) + r"\par}\smallskip"))
    doc.append(NoEscape(r"{\large Feedback on your answers\par}\medskip"))
    full = problem_section(doc, solution)
    with doc.create(Section("Your answers")):
        s = report.summary()
        doc.append(NoEscape(rf"{s['exact']} exact, {s['rounded']} correctly rounded, "
                            rf"{s['carried_forward']} consistent with your earlier values, "
                            rf"{s['wrong']} wrong (of {s['total']})."))
        doc.append(NoEscape(r"\begin{longtable}{r>{$}l<{$}>{$}l<{$}>{$}l<{$}l}" "\n"
                            r"\toprule No. & \text{quantity} & \text{yours} & \text{correct} & \\ \midrule"
                            "\n" r"\endhead"))
        for r in report.results:
            yours = escape(r.given.text).replace("≈", r"\approx ")
            correct = decimal(r.correct, 8) or latex_short(r.correct)
            doc.append(NoEscape(rf"{r.number} & {tex_name(r.name)} & \text{{{yours}}} & {correct} & "
                                rf"{_MARKS[r.verdict]} \\" "\n"))
            if r.diagnosis:
                doc.append(NoEscape(r" & \multicolumn{4}{p{13cm}}{\small\emph{" + escape(r.diagnosis)
                                    + r"}} \\" "\n"))
        doc.append(NoEscape(r"\bottomrule\end{longtable}"))
    appendix(doc, solution, full)
    return wrap_lines(f"% {MARK}\n" + doc.dumps())
