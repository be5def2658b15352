"""symprop: exact, symbolic backpropagation, written out step by step.

    import symprop
    problem = symprop.load("examples/skip_connection.toml")
    solution = symprop.solve(problem)
    solution.to_json()
"""

from .engine import solve
from .errors import ComputationError, ExpressionError, PrecisionError, ProblemFileError, SympropError
from .loader import load, loads
from .problem import Problem
from .solution import Solution

__all__ = [
    "load", "loads", "solve", "Problem", "Solution",
    "SympropError", "ProblemFileError", "ExpressionError", "ComputationError", "PrecisionError",
]
__version__ = "0.1.0"
