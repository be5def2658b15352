"""symprop: exact, symbolic backpropagation, written out step by step.

    import symprop
    problem = symprop.load("examples/skip_connection.toml")
    solution = symprop.solve(problem)
    solution.to_json()

The public API; ARCHITECTURE.md says what each subpackage does and may import.
"""

from .checker.answers import load_answers, loads_answers
from .budget import LimitError, limits
from .checker.check import Report, check as _check
from .core.engine import solve
from .core.derive import Derivation, derive
from .fast.gradients import Gradients, gradients
from .fast.torchcheck import GradcheckReport, from_torch, gradcheck   # torch imported when called
from .errors import (AnswerFileError, ComputationError, ExpressionError, OutputError, PrecisionError,
                     ProblemFileError, RenderError, SympropError, TexNotFoundError)
from .model.loader import load, loads
from .model.problem import Problem
from .core.solution import Solution
from . import render       # registers the Solution's renderers (str, to_latex, Jupyter)
from .exam.variants import variants

__all__ = [
    "load", "loads", "solve", "gradients", "Gradients", "derive", "Derivation", "Problem", "Solution", "check", "Report", "load_answers", "variants",
    "loads_answers", "SympropError", "ProblemFileError", "ExpressionError", "ComputationError",
    "PrecisionError", "AnswerFileError", "RenderError", "TexNotFoundError", "OutputError",
    "limits", "LimitError", "from_torch", "gradcheck", "GradcheckReport",
]
__version__ = "0.1.0"


def check(solution, answers):
    """Mark `answers` ({name: value}, or load_answers(path)) against a Solution, or
    against a Problem (solved first); a Report of verdicts and diagnosed mistakes."""
    if not isinstance(solution, Solution):
        solution = solve(solution)
    return _check(solution, answers)
