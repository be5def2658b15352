"""What the self-check page (static/app.js) calls inside Pyodide; every answer is JSON.

The page passes text only (a problem file, an answer file, or one typed answer per
quantity); everything goes through symprop's own readers (never eval), and every
error comes back as the command line's one line, `symprop: error: …`. The worked
solution is solution_markdown's blocks (the Jupyter display), the verdicts the
checker's Report; the page typesets the math with KaTeX and writes text as text.
"""

import json
from importlib import resources

from ..checker.answers import loads_answers, parse_answer
from ..checker.check import check
from ..core.engine import solve
from ..errors import AnswerFileError, SympropError
from ..model.loader import loads
from ..render.jupyter import solution_markdown
from ..render.texnames import spelling, tex

__all__ = ["examples", "open_problem", "check_answers", "worked_tex"]

_state = {}


def _error(exc):
    return json.dumps({"ok": False, "error": f"symprop: error: {exc}"}, ensure_ascii=False)


def examples():
    """[{name, title, problem, answers}] of the bundled examples (answers: text or null)."""
    import tomllib

    root = resources.files("symprop") / "examples"
    out = []
    for p in sorted(root.iterdir(), key=lambda p: p.name):
        if p.name.endswith(".toml"):
            text = p.read_text(encoding="utf-8")
            answers = root / "answers" / p.name
            out.append({"name": p.name[:-5], "title": str(tomllib.loads(text).get("title", "")),
                        "problem": text,
                        "answers": answers.read_text(encoding="utf-8") if answers.is_file() else None})
    return json.dumps(out, ensure_ascii=False)


def _network(solution):
    st = solution.statement
    if not st.layered:
        return None
    return {"sizes": list(st.sizes), "activations": [layer.activation for layer in st.layers]}


def _quantities(solution):
    base = solution.problem.index_base
    with spelling(solution):
        return [{"number": number, "name": name, "section": section, "step": step,
                 "tex": tex(solution.quantity(name), base)}
                for number, (section, step), name, _ in solution.items()]


def open_problem(text, source="problem.toml"):
    """Read and solve a problem file's text: its title, network, answer names and the
    worked solution in Markdown blocks; or the CLI's one-line error."""
    _state.clear()
    try:
        solution = solve(loads(text, source=source))
        blocks = solution_markdown(solution).split("\n\n")
        quantities = _quantities(solution)
    except SympropError as exc:
        return _error(exc)
    except RecursionError:
        return _error(f"{source}: the exact expressions nest too deeply for Python's "
                      "recursion limit; use a smaller network")
    _state["solution"] = solution
    return json.dumps({"ok": True, "title": solution.problem.title, "blocks": blocks,
                       "network": _network(solution), "quantities": quantities},
                      ensure_ascii=False)


def _typed(fields):
    out = {}
    for name, raw in fields.items():
        try:
            out[name] = parse_answer(raw, name)
        except SympropError as exc:
            raise AnswerFileError(exc.message, source="your answers", key=f"answers.{name}") from None
    return out


def check_answers(answers_json=None, answers_text=None, source="answers.toml"):
    """Mark typed answers ({name: text}, JSON; blanks skipped) or an answer file's text
    against the open problem: one row per answer (the Report) and its summary."""
    solution = _state.get("solution")
    if solution is None:
        return _error("open a problem first")
    try:
        if answers_text is not None:
            answers = loads_answers(answers_text, source=source)
        else:
            fields = {k: v for k, v in json.loads(answers_json).items() if str(v).strip()}
            if not fields:
                raise AnswerFileError("no answers: type at least one value", source="your answers")
            answers = _typed(fields)
        try:
            report = check(solution, answers)
        except SympropError as exc:      # as the command line says it: the file's name first
            raise exc.at(source=source if answers_text is not None else "your answers") from None
    except SympropError as exc:
        return _error(exc)
    base = solution.problem.index_base
    with spelling(solution):
        rows = [{"number": r.number, "name": r.name, "tex": tex(solution.quantity(r.name), base),
                 "given": r.given.text, "correct": r.correct_text or str(r.correct),
                 "verdict": r.verdict, "reason": r.reason or r.diagnosis}
                for r in report.results]
    return json.dumps({"ok": True, "rows": rows, "summary": report.summary(),
                       "text": str(report)}, ensure_ascii=False)


def worked_tex():
    """The answer sheet's LaTeX source of the open problem (Solution.to_latex())."""
    solution = _state.get("solution")
    if solution is None:
        return _error("open a problem first")
    try:
        return json.dumps({"ok": True, "tex": solution.to_latex()}, ensure_ascii=False)
    except SympropError as exc:
        return _error(exc)
