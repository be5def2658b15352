"""The renderers: a Solution as terminal text (textout), LaTeX/PDF sheets (sheet,
feedback, examsheet, built from document, working and texlayout), and math for
Jupyter. They read the Solution and never the engine.

Importing this package registers Solution.__str__, to_latex and _repr_latex_
(core.solution.register), so that the core does not import upward.
"""

from ..core.solution import register
from .latexprint import latex_value
from .texnames import tex
from .textout import render

__all__ = ["jupyter_latex"]


def _latex(solution, questions=False):
    """sheet.to_latex, imported when first used (PyLaTeX: not at `import symprop`)."""
    from .sheet import to_latex

    return to_latex(solution, questions)


def jupyter_latex(solution):
    """Every answer (the first 60), exact and decimal, as one aligned display."""
    base = solution.problem.index_base
    rows = [rf"{tex(solution.quantity(n), base)} &{latex_value(v)}"
            for n, v in list(solution.answers().items())[:60]]
    return r"$\begin{aligned}" + r" \\ ".join(rows) + r"\end{aligned}$"


register("text", render)
register("latex", _latex)
register("jupyter", jupyter_latex)
