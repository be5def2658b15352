"""Jupyter displays: a Solution, Gradients, a Report and a Derivation as Markdown with
MathJax/KaTeX math ($…$ inline, $$…$$ displayed), and the Solution's LaTeX display.

Markdown, not HTML: JupyterLab, the classic notebook, VS Code and nbconvert all
typeset the math of a text/markdown output, while VS Code leaves math in text/html
as it is. Nothing is cut silently: past MAX_SHOWN quantities a display stops and
says how many it left out and where they all are (to_json(), to_pdf()).

The core and the fast path call these through core.solution's registry (registered
by render/__init__.py), so they never import a renderer; the checker, above the
renderers, imports `report_markdown` itself.
"""

import html
import re
from types import SimpleNamespace

from ..model.numeric import decimal, is_symbolic, tree_size
from .latexprint import MAX_CLOSED, closed_form, latex, latex_value
from .texnames import spelling, tex, tex_name
from .worked import worked_lines

__all__ = ["solution_markdown", "jupyter_latex", "gradients_markdown", "report_markdown",
           "derivation_markdown", "MAX_SHOWN"]

MAX_SHOWN = 200     # quantities (rows, equations) a display shows before it says what it left out
_SECTIONS = {"forward": "Forward pass", "loss": "Loss", "backward": "Backward pass",
             "gradients": "Gradients", "update": "Update", "final": "After the update"}


def md(text):
    """Plain text for Markdown: HTML and Markdown's special characters shown literally."""
    text = html.escape(str(text), quote=False).replace("\n", " ")
    return re.sub(r"([\\`*_{}\[\]#+!|$~])", r"\\\1", text)


def code(text):
    """Text as a Markdown code span (shown literally; only a backtick could end it)."""
    return "`" + str(text).replace("`", "'").replace("|", "¦").replace("\n", " ") + "`"


def _math(tex_text):
    """Math for a table cell or a line: `|` would end a Markdown table cell."""
    return "$" + tex_text.replace("|", r"\vert ") + "$"


def _display(rows):
    return "$$\n\\begin{aligned}\n" + " \\\\\n".join(rows) + "\n\\end{aligned}\n$$"


def _more(n, what="quantities"):
    return (f"*… {n} more {what}, not shown here: `solution.to_json()` has every value, "
            f"`solution.to_pdf(path)` writes the whole worksheet.*")


# -- the Solution ------------------------------------------------------------------------

def _sections(solution):
    """(heading, [(name, value)]) in worksheet order: each step's forward pass, loss,
    backward pass, gradients and update, then the forward pass after the last update."""
    steps = len(solution.steps)
    out, current = [], None
    for _, (section, step), name, value in solution.items():
        if section == "forward" and solution.quantity(name).kind == "loss":
            section = "loss"
        heading = _SECTIONS[section]
        if steps > 1 and step is not None:
            heading = f"Step {step}: {heading[0].lower()}{heading[1:]}"
        if current is None or current[0] != heading:
            current = (heading, [])
            out.append(current)
        current[1].append((name, value))
    return out


def _problem_lines(solution):
    st = solution.statement
    if st.layered:
        acts = ", ".join(l.activation for l in st.layers)
        net = f"a {'-'.join(map(str, st.sizes))} layered network ({md(acts)})"
    else:
        net = f"a computational graph of {len(st.equations)} nodes, output {code(st.output)}"
    facts = [f"**Network:** {net}", f"**Loss:** {md(st.loss) if st.loss != 'none' else 'none (the output is differentiated)'}"
             + (f", {st.reduction} over {st.sample_count} samples" if st.sample_count > 1 else "")]
    if st.learning_rate is not None:
        eta = _math(r"\eta " + latex_value(st.learning_rate))
        facts.append(f"**Learning rate:** {eta}, "
                     f"**steps:** {st.steps}")
    if st.relu_derivative_at_zero is not None:
        facts.append(f"**Convention:** ReLU′(0) = {st.relu_derivative_at_zero}")
    lines = [" · ".join(facts)]
    if st.notes:
        lines.append(md(st.notes))
    if not st.layered and st.equations:
        lines.append(_display([rf"{tex_name(n)} &= {_bounded(e)}" for n, e in st.equations[:MAX_SHOWN]]))
    givens = [rf"{tex_name(g.name)} &{latex_value(g.value)}" for g in st.givens]
    lines.append("Given:")
    lines.append(_display(givens[:MAX_SHOWN]))
    if len(givens) > MAX_SHOWN:
        lines.append(f"*… {len(givens) - MAX_SHOWN} more given values, not shown here: "
                     f"`solution.statement.givens` has them all.*")
    return lines


def _bounded(expr):
    return latex(expr) if tree_size(expr, 400) < 400 else r"\ldots"


def solution_markdown(solution, limit=None):
    """The Solution in sections with headings (problem, forward pass, loss, backward
    pass, gradients, update, after the update); past `limit` quantities (MAX_SHOWN)
    it says how many more there are and where they are."""
    limit = MAX_SHOWN if limit is None else limit
    base = solution.problem.index_base
    with spelling(solution):
        out = [f"### {md(solution.problem.title)}", "#### Problem", *_problem_lines(solution)]
        shown = total = 0
        worked = worked_lines(solution)
        for heading, rows in _sections(solution):
            total += len(rows)
            room = max(0, limit - shown)
            if not room:
                continue
            lines = [rf"{tex(solution.quantity(n).base_quantity, base)} &" + _row(worked.get(n), v)
                     for n, v in rows[:room]]
            shown += len(lines)
            out += [f"#### {heading}", _display(lines)]
        change = solution.loss_change()
        if change is not None and shown == total:
            word = {"down": "went down", "up": "went up", "unchanged": "did not change"}[change.direction]
            out.append(f"The loss {word}: {_math(_approx(change.before))}"
                       f" → {_math(_approx(change.after))} (change {change.decimal})")
        if shown < total:
            out.append(_more(total - shown))
    return "\n\n".join(out)


def _row(worked, value):
    """A quantity's row after its name: its worked equation (render/worked.py) and then
    its decimal, or its value as the forward pass writes it (closed form and decimal)."""
    if worked is None:
        return latex_value(value)
    return f"= {worked} " + latex_value(value, shown=closed_form(value))


def _approx(value):
    text = latex_value(value)
    return text.split(r"\approx ")[-1] if r"\approx" in text else text.split("= ")[-1]


def jupyter_latex(solution, limit=None):
    """Every answer (the first `limit`, MAX_SHOWN), exact and decimal, as one aligned
    display, and a line saying how many more there are when it stops early."""
    limit = MAX_SHOWN if limit is None else limit
    base = solution.problem.index_base
    answers = list(solution.answers().items())
    rows = [rf"{tex(solution.quantity(n), base)} &{latex_value(v)}" for n, v in answers[:limit]]
    if len(answers) > limit:
        rows.append(rf"&\text{{… {len(answers) - limit} more quantities: solution.to}}\_"
                    rf"\text{{json() / solution.to}}\_\text{{pdf(path)}}")
    return r"$\begin{aligned}" + r" \\ ".join(rows) + r"\end{aligned}$"


# -- Gradients, Report, Derivation ---------------------------------------------------------

def _cells(value, digits):
    """(exact, decimal) cells of a value: a Rational both, a certified Decimal its digits."""
    if hasattr(value, "is_Rational"):
        dec = decimal(value, min(digits, 15)) if not is_symbolic(value) else None
        exact = _math(latex(value)) if value.is_Rational or tree_size(value, MAX_CLOSED) < MAX_CLOSED else "…"
        return exact, (dec or "")
    return "", str(value)           # a Decimal: certified to `digits` digits, no closed form kept


def gradients_markdown(g, tensors, limit=None):
    """A table per parameter matrix or vector (`tensors`: (name, shape, [flat names])
    per step, from fast.gradients), exact value and decimal of every gradient."""
    limit = MAX_SHOWN if limit is None else limit
    out = [f"**Gradients** ({g.engine} engine; decimals certain to {g.digits} significant digits)"]
    shown = total = 0
    for number, (step, groups) in enumerate(zip(g.steps, tensors), 1):
        head = f"Step {number}: " if len(g.steps) > 1 else ""
        loss_exact, loss_dec = _cells(step.loss, g.digits)
        out.append(f"{head}loss {_math('L')} = {loss_exact or loss_dec}" + (f" ≈ {loss_dec}" if loss_exact else ""))
        for name, shape, names in groups:
            total += len(names)
            room = max(0, limit - shown)
            if not room:
                continue
            rows = ["| | exact | decimal |", "|---|---|---|"]
            for n in names[:room]:
                exact, dec = _cells(step.gradients[n], g.digits)
                rows.append(f"| {code(n)} | {exact or '—'} | {dec} |")
            shown += min(room, len(names))
            size = "×".join(map(str, shape))
            out += [f"**∂L/∂{md(name)}**" + (f" ({size})" if size else ""), "\n".join(rows)]
    if g.final_loss is not None:
        exact, dec = _cells(g.final_loss, g.digits)
        out.append(f"Loss after the last update: {exact or dec}" + (f" ≈ {dec}" if exact else ""))
    if shown < total:
        out.append(f"*… {total - shown} more gradients, not shown here: `.gradients` (and "
                   f"`.steps[i].gradients`) hold every one.*")
    return "\n\n".join(out)


_VERDICTS = {"exact": "✓ exact", "rounded": "✓ rounded", "carried_forward": "→ carried forward",
             "wrong": "✗ wrong"}


def report_markdown(report, limit=None):
    """The verdict table (number, quantity, yours, correct, verdict), the diagnoses and
    the summary."""
    limit = MAX_SHOWN if limit is None else limit
    sol = report.solution
    base = sol.problem.index_base
    with spelling(sol):
        rows = ["| No. | quantity | yours | correct | verdict |", "|---:|---|---|---|---|"]
        for r in report.results[:limit]:
            try:
                name = _math(tex(sol.quantity(r.name), base))
            except KeyError:
                name = code(r.name)
            correct = _math(latex_value(r.correct).lstrip("= "))
            rows.append(f"| {r.number} | {name} | {md(r.given.text)} | {correct} | {_VERDICTS[r.verdict]} |")
    s = report.summary()
    out = [f"**Check:** {s['exact']} exact, {s['rounded']} rounded, {s['carried_forward']} carried "
           f"forward, {s['wrong']} wrong (of {s['total']})", "\n".join(rows)]
    if len(report.results) > limit:
        out.append(f"*… {len(report.results) - limit} more answers, not shown here: "
                   f"`report.to_json()` or `str(report)` has every verdict.*")
    with spelling(sol):
        notes = [f"- ({r.number}) {_name(sol, r.name, base)}: {_why(sol, r, base)}"
                 for r in report.results if r.why is not None or r.diagnosis]
    if notes:
        out.append("\n".join(notes))
    return "\n\n".join(out)


def _name(sol, flat, base):
    try:
        return _math(tex(sol.quantity(flat), base))
    except KeyError:
        return code(flat)


def _why(sol, result, base):
    """A wrong answer's reason (the feedback sheet's sentence) in Markdown and math."""
    if result.why is None:
        return md(result.diagnosis)
    return result.why.format(name=lambda n: _name(sol, n, base), number=lambda v: _math(v.replace("−", "-")),
                             text=md)


class _TapeNames:
    """What texnames.spelling reads of a Solution, for a bare tape (a Derivation): its
    quantities, and the index base their flat names were spelled with."""

    def __init__(self, tape):
        self.tape = tape
        zero = any(q.flat(0) == n != q.flat(1) for n, q in tape.quantities.items())
        self.problem = SimpleNamespace(index_base=0 if zero else 1)

    def answers(self):
        return {}


def derivation_markdown(d, limit=None):
    """The forward definitions, the adjoint equations (sweep order) and the gradients
    over adjoint symbols, one displayed equation each."""
    limit = MAX_SHOWN if limit is None else limit
    names = _TapeNames(d.tape)
    shown = total = 0
    out = [f"**Derivation** ({len(d.forward)} definitions, {len(d.backward)} adjoint equations, "
           f"{len(d.gradients)} gradients)"]
    with spelling(names):
        sym = {l.name: l.adjoint for l in d.tape.leaves.values()}
        groups = [("Forward pass", [(latex(s), e) for s, e in d.forward]),
                  ("Backward pass", [(latex(s), e) for s, e in d.backward]),
                  ("Gradients", [(tex_name(sym[n]), e) for n, e in d.gradients.items()])]
        for heading, rows in groups:
            total += len(rows)
            room = max(0, limit - shown)
            if room and rows:
                out += [f"#### {heading}", _display([rf"{lhs} &= {_bounded(e)}" for lhs, e in rows[:room]])]
                shown += min(room, len(rows))
    if shown < total:
        out.append(f"*… {total - shown} more equations, not shown here: `.forward`, `.backward` "
                   f"and `.gradients` hold every one.*")
    return "\n\n".join(out)
