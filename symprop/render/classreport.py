"""The class report (symprop grade): the score distribution, each asked quantity's share
of exact / rounded / carried / diagnosed / wrong / unreadable / blank answers, and the
most common diagnosed mistakes, drawn with pgfplots; and the Points section of a
student's feedback sheet. Reads grades (exam.grading.Grade: lines of name, code,
points, max, diagnosis); every user string escaped."""

from collections import Counter
from decimal import Decimal

from pylatex import NoEscape, Package, Section

from ..output.files import MARK
from .document import new_document
from .latexprint import wrap_lines
from .texnames import escape, spelling, tex_name, title_tex

__all__ = ["class_report_latex", "points_section", "CODE_COLOURS"]

CODE_COLOURS = (("exact", "green!60!black"), ("rounded", "green!35"), ("carried", "orange!70"),
                ("diagnosed", "red!45"), ("wrong", "red!75!black"), ("unreadable", "gray!60"),
                ("blank", "gray!20"))
_WORDS = {"exact": "exact", "rounded": "rounded", "carried": "carried forward",
          "diagnosed": "diagnosed mistake", "wrong": "wrong", "unreadable": "unreadable",
          "blank": "blank"}


def _num(r):
    d = Decimal(r.p) / Decimal(r.q)
    return format(d.normalize(), "f") if (d * 100) % 1 == 0 else format(d.quantize(Decimal("0.01")), "f")


def points_section(doc, grade):
    """A student's points: each question's verdict and points, and the total."""
    with doc.create(Section("Points")):
        doc.append(NoEscape(r"\begin{longtable}{>{$}l<{$}llr}\toprule \text{quantity} & your answer "
                            r"& verdict & points \\ \midrule" "\n" r"\endhead"))
        for line in grade.lines:
            text = escape(line.text) if line.text else r"\emph{(none)}"
            doc.append(NoEscape(rf"{tex_name(line.name)} & {text} & {_WORDS[line.code]} & "
                                rf"{_num(line.points)} / {_num(line.max)} \\" "\n"))
        doc.append(NoEscape(rf"\midrule \text{{total}} & & & \textbf{{{_num(grade.total)} / "
                            rf"{_num(grade.max)}}} \\ \bottomrule\end{{longtable}}"))


def class_report_latex(solution, names, students, grades):
    """The class report for `students` (roster order) and their grades {id: Grade};
    `solution` (any variant's) spells the quantities."""
    with spelling(solution):
        return _report(solution, names, students, grades)


def _report(solution, names, students, grades):
    doc = new_document()
    for pkg in ("xcolor", "pgfplots"):
        doc.packages.append(Package(pkg))
    doc.preamble.append(NoEscape(r"\pgfplotsset{compat=1.16}"))
    totals = [grades[s.id].total for s in students]
    top = grades[students[0].id].max
    n = len(students)
    mean = sum(totals) / n
    ordered = sorted(totals)
    median = (ordered[(n - 1) // 2] + ordered[n // 2]) / 2
    doc.append(NoEscape(r"{\LARGE\bfseries " + title_tex(solution.problem.title) + r"\par}\smallskip"))
    doc.append(NoEscape(r"{\large Class report\par}\medskip"))
    doc.append(NoEscape(rf"{n} students, {len(names)} questions, {_num(top)} points. Mean "
                        rf"{_num(mean)}, median {_num(median)}, lowest {_num(ordered[0])}, "
                        rf"highest {_num(ordered[-1])}.\par"))
    _distribution(doc, totals, top)
    _shares(doc, names, students, grades)
    _mistakes(doc, names, students, grades)
    return wrap_lines(f"% {MARK}\n" + doc.dumps())


def _distribution(doc, totals, top):
    """A histogram of the totals: a bar per point (up to 20 points), else 10 bins."""
    top_f = float(top) or 1.0
    bins = int(top) if top == int(top) and 0 < top <= 20 else 10
    width = top_f / bins
    counts = [0] * (bins + (1 if bins == int(top) else 0))
    for t in totals:
        k = int(float(t) / width + 1e-9) if width else 0
        counts[min(k, len(counts) - 1)] += 1
    coords = " ".join(f"({k * width:g},{c})" for k, c in enumerate(counts))
    with doc.create(Section("Score distribution")):
        doc.append(NoEscape(
            r"\begin{center}\begin{tikzpicture}\begin{axis}[ybar, width=15cm, height=6cm, "
            rf"bar width={max(2, 90 // len(counts))}pt, ymin=0, xlabel={{total points (of {_num(top)})}}, "
            r"ylabel={students}, enlarge x limits=0.05, nodes near coords, "
            + (r"ytick distance=1, " if max(counts) <= 10 else "")
            + r"yticklabel style={/pgf/number format/.cd, int detect}, enlarge y limits={upper, value=0.12}]"
            rf"\addplot[fill=blue!45, draw=blue!60!black] coordinates {{{coords}}};"
            r"\end{axis}\end{tikzpicture}\end{center}"))


def _shares(doc, names, students, grades):
    """One stacked bar per quantity: the share of each verdict, in percent."""
    count = {name: Counter() for name in names}
    for s in students:
        for line in grades[s.id].lines:
            count[line.name][line.code] += 1
    n = len(students)
    rows = list(reversed(names))               # the first question at the top
    ticks = ",".join("{$" + tex_name(name) + "$}" for name in rows)
    plots = []
    for code, colour in CODE_COLOURS:
        coords = " ".join(f"({100 * count[name][code] / n:.2f},{k})" for k, name in enumerate(rows))
        plots.append(rf"\addplot[fill={colour}, draw=black!40] coordinates {{{coords}}};")
    legend = ",".join(_WORDS[c] for c, _ in CODE_COLOURS)
    height = max(5, 0.8 * len(names) + 2.5)
    with doc.create(Section("Each question: what the class answered")):
        doc.append(NoEscape(
            r"\begin{center}\begin{tikzpicture}\begin{axis}[xbar stacked, width=12cm, "
            rf"height={height:.1f}cm, bar width=10pt, xmin=0, xmax=100, "
            r"xlabel={share of the class (\%)}, ytick={" + ",".join(str(k) for k in range(len(rows)))
            + r"}, yticklabels={" + ticks + r"}, enlarge y limits={abs=0.6}, "
            r"legend style={at={(0.5,-0.18)}, anchor=north, legend columns=4, font=\small}, "
            r"reverse legend=false]" + "".join(plots) + r"\legend{" + legend + r"}"
            r"\end{axis}\end{tikzpicture}\end{center}"))


def _mistakes(doc, names, students, grades):
    """The diagnosed mistakes, most common first: a bar each, and where they were made."""
    total, where = Counter(), {}
    for s in students:
        for line in grades[s.id].lines:
            if line.code == "diagnosed" and line.diagnosis:
                total[line.diagnosis] += 1
                where.setdefault(line.diagnosis, Counter())[line.name] += 1
    with doc.create(Section("The most common diagnosed mistakes")):
        if not total:
            doc.append(NoEscape(r"No answer was explained by a mistake the checker names.\par"))
            return
        common = total.most_common(8)
        rows = list(reversed(common))
        ticks = ",".join(f"{{{len(common) - k}}}" for k in range(len(rows)))
        coords = " ".join(f"({c},{k})" for k, (_, c) in enumerate(rows))
        doc.append(NoEscape(
            r"\begin{center}\begin{tikzpicture}\begin{axis}[xbar, width=11cm, "
            rf"height={max(4, 0.9 * len(common) + 2):.1f}cm, bar width=10pt, xmin=0, "
            r"xlabel={answers}, ytick={" + ",".join(str(k) for k in range(len(rows)))
            + r"}, yticklabels={" + ticks + r"}, ylabel={mistake (numbered below)}, "
            r"enlarge y limits={abs=0.6}, nodes near coords, enlarge x limits={upper, value=0.12}, "
            + (r"xtick distance=1, " if common[0][1] <= 10 else "")
            + r"xticklabel style={/pgf/number format/.cd, int detect}]"
            rf"\addplot[fill=red!45, draw=red!60!black] coordinates {{{coords}}};"
            r"\end{axis}\end{tikzpicture}\end{center}"))
        doc.append(NoEscape(r"\begin{enumerate}"))
        for text, c in common:
            spots = ", ".join(rf"${tex_name(q)}$ ({k})" for q, k in where[text].most_common(6))
            doc.append(NoEscape(rf"\item {escape(text)} --- {c} answer{'s' if c != 1 else ''}: {spots}"))
        doc.append(NoEscape(r"\end{enumerate}"))
