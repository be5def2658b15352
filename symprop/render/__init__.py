"""The renderers: a Solution as terminal text (textout), LaTeX/PDF sheets (sheet,
feedback, examsheet, built from document, working and texlayout), and math for
Jupyter. They read the Solution and never the engine.

Importing this package registers Solution.__str__, to_latex, _repr_latex_ and
_repr_markdown_, and the Jupyter displays of Gradients and Derivation
(core.solution.register), so that the core and the fast path do not import upward.
"""

from ..core.solution import register
from .jupyter import (derivation_markdown, gradients_markdown, jupyter_latex, report_markdown,
                      solution_markdown)
from .textout import render

__all__ = ["jupyter_latex", "solution_markdown", "report_markdown"]


def _latex(solution, questions=False):
    """sheet.to_latex, imported when first used (PyLaTeX: not at `import symprop`)."""
    from .sheet import to_latex

    return to_latex(solution, questions)


register("text", render)
register("latex", _latex)
register("jupyter", jupyter_latex)
register("markdown", solution_markdown)
register("gradients", gradients_markdown)
register("derivation", derivation_markdown)
