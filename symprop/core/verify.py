"""An independent check of the reverse sweep: sympy.diff of the fully composed loss.

The loss is composed into one expression over the leaves (every node
substituted by its definition), differentiated with `sympy.diff` for every
reported leaf, and evaluated at the leaves' values. Rational results must be
identical; closed forms must agree to VERIFY_DIGITS significant digits
(certified interval decimals of both).
"""

from dataclasses import dataclass

import sympy as sp

from .arith import is_symbolic as problem_is_symbolic, substitute
from ..errors import SympropError
from ..model.numeric import decimal, is_symbolic

__all__ = ["verify", "composed_loss", "Check", "MAX_VERIFY_PARAMS", "VERIFY_DIGITS"]

MAX_VERIFY_PARAMS = 80
VERIFY_DIGITS = 60


@dataclass(frozen=True)
class Check:
    name: str                 # flat gradient name, e.g. dL/dW1[1,2]
    sweep: sp.Expr            # the value from the δ recursion
    direct: sp.Expr           # the value from sympy.diff of the composed loss
    exact: bool               # True: identical rationals; False: compared by digits
    ok: bool


def composed_loss(tape):
    """The loss as one expression over the tape's leaves."""
    expr = tape.symbols[tape.loss]
    for node in reversed(tape.nodes):
        expr = expr.xreplace({tape.symbols[node.name]: node.expr})
    return expr


def verify(solution):
    """Check every gradient of the first step; a list of Check, one per gradient."""
    tape = solution.tape
    if len(tape.reported) > MAX_VERIFY_PARAMS:
        raise SympropError(f"--verify composes the whole loss; it is limited to {MAX_VERIFY_PARAMS} "
                           f"parameters and this problem has {len(tape.reported)}")
    step = solution.steps[0]
    env = {tape.symbols[l.name]: l.value for l in tape.leaves.values()}
    env.update({tape.symbols[n]: v for n, v in step.params.items()})
    loss = composed_loss(tape)
    symbolic = problem_is_symbolic(solution.problem)
    checks = []
    for leaf in tape.reported:
        direct = substitute(sp.diff(loss, tape.symbols[leaf.name]), env, symbolic)
        sweep = step.gradients[leaf.name]
        checks.append(_compare(leaf.adjoint, sweep, direct))
    return checks


def _compare(name, sweep, direct):
    if is_symbolic(sweep) or is_symbolic(direct):
        ok = sp.simplify(sweep - direct) == 0
        return Check(name, sweep, direct, True, ok)
    if sweep.is_Rational and direct.is_Rational:
        return Check(name, sweep, direct, True, sweep == direct)
    ok = decimal(sweep, VERIFY_DIGITS) == decimal(direct, VERIFY_DIGITS)
    return Check(name, sweep, direct, False, ok)
