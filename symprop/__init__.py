"""symprop: exact, symbolic backpropagation, written out step by step.

    import symprop
    problem = symprop.load("examples/skip_connection.toml")
    solution = symprop.solve(problem)
    solution.to_json()

The public API; ARCHITECTURE.md says what each subpackage does and may import.
"""

import os

from .checker.answers import load_answers, loads_answers
from .budget import LimitError, limits
from .checker.check import Report, check as _check
from .core.engine import solve as _solve
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


def _problem(problem):
    """A Problem, read from the file when given a path (str or os.PathLike)."""
    if isinstance(problem, (str, os.PathLike)):
        return load(problem)
    if not isinstance(problem, Problem):
        raise TypeError(f"expected a Problem or a problem file's path, not {type(problem).__name__}")
    return problem


def solve(problem, tape=None):
    """The exact Solution of `problem` (a Problem, or a problem file's path): every step's
    forward pass, adjoints, gradients and update, and the forward pass after the last."""
    return _solve(_problem(problem), tape)


def check(solution, answers):
    """Mark `answers` ({name: value}, or an answer file's path, or load_answers(path))
    against a Solution, or against a Problem or problem file (solved first); a Report
    of verdicts and diagnosed mistakes."""
    if not isinstance(solution, Solution):
        solution = solve(solution)
    if isinstance(answers, (str, os.PathLike)):
        answers = load_answers(answers)
    return _check(solution, answers)
