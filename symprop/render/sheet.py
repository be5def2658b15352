"""The PDF worksheet: a Solution as an answer sheet or a blank question sheet.

Built with PyLaTeX from the shared pieces (document.py) and the worked solution
(working.py); the renderer only reads the Solution. Answer sheet and question
sheet number the same quantities in the same order, so that they correspond one
to one.

    build(solution, questions=False) -> pylatex.Document
    to_latex(solution, questions=False) -> str
    check_problem(problem, tape): refuse a sheet too large before solving it
"""

from pylatex import NoEscape, Package, Section, Subsection

from ..model.numeric import is_symbolic
from ..output.files import MARK
from . import practice, remarks, working
from .document import appendix, check_size, new_document, problem_section, title
from .latexprint import closed_form, latex, latex_value, wrap_lines
from .texnames import spelling, tex_name

__all__ = ["build", "to_latex", "items", "check_problem", "quantities"]


def items(solution):
    """The numbered quantities (see Solution.items)."""
    return solution.items()


_EXACT_WIDTH = 44       # visible characters of a closed form in the table's exact column (one line)


def _cells(value):
    """The exact and decimal cells of an answer: the exact value (a rational, or a closed form
    in textbook form up to _EXACT_WIDTH characters; else "": too long to print) and the decimal
    in latexprint's spelling to the sheet's digits (numbers.sheet_digits, as every other decimal
    of the sheet); "" for the decimal of a symbolic value."""
    if is_symbolic(value):
        return latex(value), ""
    shown = latex_value(value)                  # '= 3/8 = 0.375', '= ... \approx 0.598688', '\approx 1.1e-8'
    dec = shown.rsplit(r"\approx ", 1)[-1] if r"\approx" in shown else shown.rsplit("= ", 1)[-1]
    exact = latex(value) if value.is_Rational else closed_form(value, _EXACT_WIDTH)
    return exact or "", dec


def _inline(tex):
    r"""A derivative's name as the table writes it, on one line: \frac{\partial L}{\partial w} → \partial L / \partial w
    (a row of fractions is twice as tall); any other name unchanged."""
    head = r"\frac{\partial "
    if not tex.startswith(head):
        return tex
    depth, i = 1, len(head)
    while depth and i < len(tex):
        depth += {"{": 1, "}": -1}.get(tex[i], 0)
        i += 1
    top, rest, below = tex[len(head):i - 1], tex[i:], r"{\partial "
    wrt = rest[len(below):-1]
    if not (rest.startswith(below) and rest.endswith("}")) or not _balanced(wrt):
        return tex
    return rf"\partial {top} / \partial {wrt}"


def _balanced(tex):
    depth = 0
    for ch in tex:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


def _answers(doc, solution, listing):
    rows = [(number, name, *_cells(value)) for number, _, name, value in listing]
    doc.append(NoEscape(r"\needspace{16\baselineskip}"))    # the heading and rows together (10: a stray head)
    with doc.create(Section("All answers")):
        if any(not exact for _, _, exact, _ in rows):
            doc.append(NoEscape(r"An empty exact cell: the exact value is a closed form too long for the "
                                r"table. Every digit of a decimal shown is correct."))
        doc.append(NoEscape(r"{\renewcommand{\arraystretch}{\sympropstretch}"
                            r"\begin{longtable}{r>{$}l<{$}>{$}l<{$}>{$}l<{$}}" "\n"
                            r"\toprule No. & \text{quantity} & \text{exact} & \text{decimal} \\ \midrule" "\n"
                            r"\endhead"))
        for number, name, exact, dec in rows:
            doc.append(NoEscape(rf"{number} & {_inline(tex_name(name))} & {exact} & {dec} \\" "\n"))
        doc.append(NoEscape(r"\bottomrule\end{longtable}}"))


def _answering(solution, key):
    """'(question F) ' before a remark that answers a question on the method."""
    which = practice.letters(solution, practice.REMARKS[key]) if key in practice.REMARKS else None
    return f"({which}) " if which else ""


def _questions(doc, solution, listing):
    titles = {"forward": "Forward pass", "backward": "Backward pass", "gradients": "Gradients",
              "update": "Gradient-descent update", "final": "Forward pass after the update"}
    doc.append(NoEscape(r"\needspace{10\baselineskip}"))    # the heading, its instruction and boxes together
    with doc.create(Section("Questions on the numbers")):
        doc.append(NoEscape(_instruction(solution)))
        doc.append(NoEscape(r"\begin{multicols}{2}\raggedcolumns" "\n"))     # two columns of boxes: half the pages
        current = None
        for number, (section, step), name, value in listing:
            if (section, step) != current:
                current = (section, step)
                label = titles[section] + (f" (step {step})" if step and solution.problem.steps > 1 else "")
                doc.append(NoEscape(rf"\subsection*{{{label}}}"))
            shown = name.split(".", 1)[1] if name.startswith(("final.", "step")) else name
            doc.append(NoEscape(rf"\makebox[2.2em][r]{{({number})}}\enspace "
                                rf"\makebox[6.4em][l]{{$\displaystyle {tex_name(shown)} = $}}"
                                rf"\answerbox\par\smallskip" "\n"))
        doc.append(NoEscape(r"\end{multicols}" "\n"))


def _instruction(solution):
    """What the question sheet asks: exact values, else decimals to the digits that following
    the instruction needs (Solution.question_digits), and why when more than the usual 4."""
    facts = solution.question_digits
    text = (r"Compute each quantity; give exact values (fractions) where you can, "
            rf"and decimals to {facts.digits} significant digits otherwise.")
    if not facts.saturated:
        if facts.digits == 4:
            return text
        return text + (r" Not the usual 4: with fewer digits, the rounding of earlier answers moves "
                       r"later ones in their third significant digit" +
                       (rf"; with {facts.digits} it does not." if facts.enough else "."))
    shown = [rf"${tex_name(name)} = {value}\ldots$" for name, value in facts.saturated[:3]]
    more = r", \ldots" if len(facts.saturated) > 3 else ""
    many = len(facts.saturated) > 1
    record = solution.tape.node(facts.saturated[0][0]).functions[0]
    formula = rf"${record.latex}'(z) = {record.derivative_text}$"
    effect = (rf"with 4 digits {formula} comes out 0, and so does every gradient through it"
              if facts.vanishes else
              rf"with 4 digits {formula} is not right to 3 significant digits, nor are the gradients "
              r"through it")
    enough = (rf"with {facts.digits} digits every answer computed from the rounded earlier ones "
              r"is right to 3 significant digits." if facts.enough else
              rf"even {facts.digits} digits do not keep 3 correct digits of it, so compute "
              rf"${record.latex}'(z)$ from $z$ itself, not from the rounded $a$.")
    return (text + rf" Not the usual 4: {', '.join(shown)}{more} {'are' if many else 'is'} nearly "
            rf"saturated, and {effect}; {enough}")


# A sheet whose last page would hold only a few lines is set tighter (less space between
# paragraphs, displays and table rows) so that they move up: \sympropend writes to the .aux
# whether the sheet ended on a later page than it began with less than _NEARLY_EMPTY of a page
# used, the next pdflatex run (texcompile reruns on "Rerun") reads it at \sympropstart; once
# tight, a sheet stays tight, so the runs settle. One counter: an exam's variants each decide.
_NEARLY_EMPTY = "0.3"
_FILL = (r"\makeatletter\newcounter{sympropsheet}\newif\ifsymprop@tight\def\symprop@one{1}"
         r"\newcommand{\sympropfill}[2]{\expandafter\gdef\csname symprop@fill@#1\endcsname{#2}}"
         r"\newcommand{\sympropstart}{\stepcounter{sympropsheet}\xdef\symprop@start{\the\c@page}"
         r"\expandafter\ifx\csname symprop@fill@\arabic{sympropsheet}\endcsname\symprop@one"
         r"\global\symprop@tighttrue\else\global\symprop@tightfalse\fi\normalsize"
         r"\ifsymprop@tight\setlength{\parskip}{0.1em}\setlength{\jot}{1pt}"
         r"\setlength{\abovedisplayskip}{3pt plus 2pt}\setlength{\belowdisplayskip}{3pt plus 2pt}"
         r"\def\sympropstretch{1.25}\else\setlength{\parskip}{0.4em}\setlength{\jot}{3pt}"
         r"\def\sympropstretch{1.45}\fi}"
         r"\newcommand{\sympropend}{\par\penalty\@M\ifsymprop@tight\def\symprop@t{1}\else\def\symprop@t{0}"
         r"\ifnum\c@page>\symprop@start\relax\ifdim\pagetotal<" + _NEARLY_EMPTY + r"\textheight"
         r"\def\symprop@t{1}\PackageWarningNoLine{symprop}{Rerun: a sheet's last page is nearly empty, "
         r"so it is set tighter}\fi\fi\fi"
         r"\immediate\write\@auxout{\string\sympropfill{\arabic{sympropsheet}}{\symprop@t}}}\makeatother")


def build(solution, questions=False, doc=None, heading=None):
    """The worksheet as a PyLaTeX Document (answer sheet, or question sheet); with
    `doc`, appended to it on a new page (exam variants), under `heading`; every
    quantity spelled from the solution's structure (texnames.spelling)."""
    with spelling(solution):
        return _build(solution, questions, doc, heading)


def _build(solution, questions, doc, heading):
    if doc is None:
        doc = new_document()
    else:
        doc.append(NoEscape(r"\clearpage\setcounter{section}{0}\setcounter{page}{1}"))
    if _FILL not in doc.preamble:
        doc.preamble.append(NoEscape(_FILL))
    doc.append(NoEscape(r"\sympropstart"))
    title(doc, solution, "Exercise sheet" if questions else "Answer sheet", heading)
    full = problem_section(doc, solution)
    listing = items(solution)
    doc.packages.append(Package("needspace"))
    if questions:
        doc.packages.append(Package("multicol"))       # a set: once however many variants
        practice.section(doc, solution)
        _questions(doc, solution, listing)
        appendix(doc, solution, full)
        doc.append(NoEscape(r"\sympropend"))
        return doc
    numbering = {name: number for number, _, name, _ in listing}
    with doc.create(Section("Solution")):
        for step in solution.steps:
            values = solution.values_at(step)
            if solution.problem.steps > 1:
                doc.append(NoEscape(rf"\subsection*{{Step {step.number}}}"))
            working.forward(doc, solution, values, _step_numbers(numbering, step), "Forward pass")
            working.backward(doc, solution, step, numbering)
            if step.params_after:
                working.update(doc, solution, step, numbering)
        if solution.final is not None:
            working.forward(doc, solution, solution.values_at(solution.final), numbering,
                            "Forward pass after the update", final=True)
            doc.append(NoEscape(working.verdict(solution)))
        notes = remarks.remarks(solution)
        if notes:
            with doc.create(Subsection("Remarks")):
                doc.append(NoEscape(r"\par ".join(_answering(solution, key) + text for key, text in notes)))
    _answers(doc, solution, listing)
    appendix(doc, solution, full)
    doc.append(NoEscape(r"\sympropend"))
    return doc


def _step_numbers(numbering, step):
    """The numbers of one step's forward quantities, keyed without the step prefix."""
    pre = step.prefix
    return {k[len(pre):]: v for k, v in numbering.items() if k.startswith(pre)} if pre else numbering


def quantities(problem, tape):
    """How many quantities the sheets of `problem` number (len(items(solution))), from its
    tape alone: a sheet too large can be refused before minutes of solving."""
    steps = problem.steps
    per_step = len(tape.nodes) + len(tape.backward_order()) + len(tape.reported)
    updated = sum(1 for leaf in tape.params if leaf.updated)
    return max(steps, 1) * per_step + steps * updated + (len(tape.nodes) if steps else 0)


def check_problem(problem, tape):
    """check_size for the worksheet of a problem not solved yet (`tape`: its build_tape)."""
    check_size(quantities(problem, tape))


def to_latex(solution, questions=False):
    """The worksheet's LaTeX source; its first line marks it as written by symprop.
    RenderError when it has more than MAX_QUANTITIES quantities."""
    check_size(len(items(solution)))
    return wrap_lines(f"% {MARK}\n" + build(solution, questions).dumps())
