"""Exact arithmetic on tape values: substitution, sums and products that stay exact.

The engine, the checker, the exam drawing and the --verify check all compute with
the same values: Rationals for ReLU/polynomial nets, unevaluated closed forms
(exp, log, tanh of irrational arguments) otherwise, and ordinary SymPy
expressions when a problem has symbols. The rules for building and evaluating
those values live here, so no consumer borrows them from the engine.
"""

from math import gcd

import sympy as sp
from sympy.core.relational import Relational
from sympy.functions.elementary.piecewise import ExprCondPair
from sympy.logic.boolalg import BooleanAtom

from ..model import numeric

__all__ = ["substitute", "add", "mul", "is_symbolic"]


def substitute(expr, env, symbolic=False):
    """expr with symbols replaced by their values (env: Symbol → value), evaluated.

    Rational arguments are evaluated exactly, so ReLU/polynomial nets give
    Rationals. A closed form (anything with exp, log, tanh of an irrational
    argument) is built unevaluated: values share subexpressions, and SymPy's
    automatic simplification would walk them as trees. Branches and signs
    (ReLU's Piecewise, abs, max, sign) are decided with certified interval
    signs. With symbols in the problem, SymPy evaluates as usual.
    """
    if expr in env:
        return env[expr]
    if not expr.args:
        return expr
    if not symbolic and isinstance(expr, sp.Piecewise):
        return _piecewise(expr, env)
    args = [substitute(a, env, symbolic) for a in expr.args]
    if not symbolic and isinstance(expr, Relational) and all(a.is_Rational for a in args):
        a, b = args                         # exact, without SymPy's assumption system
        d = a.p * b.q - b.p * a.q
        return _compare(expr, (d > 0) - (d < 0))
    if not symbolic and (expr.is_Mul or expr.is_Add):
        zeros = [a for a in args if a.is_Rational and a == 0]
        if zeros and expr.is_Mul:
            return sp.Integer(0)            # 0·σ(1/2) is 0, not a closed form
        args = [a for a in args if a not in zeros] or [sp.Integer(0)]
    if symbolic or all(isinstance(a, (sp.Rational, BooleanAtom)) for a in args):
        if not symbolic and (expr.is_Add or expr.is_Mul):
            return _sum(args) if expr.is_Add else _product(args)
        return expr.func(*args)
    if isinstance(expr, Relational):
        return _compare(expr, numeric.sign(sp.Add(args[0], sp.Mul(-1, args[1], evaluate=False),
                                                  evaluate=False)))
    if isinstance(expr, (sp.Piecewise, ExprCondPair)):
        return expr.func(*args)             # the conditions are True/False by now
    if isinstance(expr, (sp.Abs, sp.sign, sp.Heaviside, sp.Max, sp.Min)):
        return _decide(expr, args)
    return expr.func(*args, evaluate=False)


def _piecewise(expr, env):
    """The branch whose condition holds first, as Piecewise would pick it once every
    condition is decided; only that branch is computed. Undecided conditions (none
    true) leave the Piecewise to SymPy, as before."""
    for branch, cond in expr.args:
        decided = substitute(cond, env)
        if decided is sp.true:
            return substitute(branch, env)
        if decided is not sp.false:
            break
    args = [substitute(a, env) for a in expr.args]
    return expr.func(*args)


def add(*terms, symbolic=False):
    """A sum: exact when every term is rational (or symbolic), unevaluated otherwise."""
    terms = [t for t in terms if t != 0]
    if not terms:
        return sp.Integer(0)
    if symbolic:
        return sp.Add(*terms)
    if all(isinstance(t, sp.Rational) for t in terms):
        return _sum(terms)
    return terms[0] if len(terms) == 1 else sp.Add(*terms, evaluate=False)


def mul(*factors, symbolic=False):
    """A product, evaluated like `add`; 0 as soon as a factor is 0."""
    factors = [f if isinstance(f, sp.Basic) else sp.Integer(f) for f in factors]
    if any(f == 0 for f in factors):
        return sp.Integer(0)
    factors = [f for f in factors if f != 1]
    if not factors:
        return sp.Integer(1)
    if symbolic:
        return sp.Mul(*factors)
    if all(isinstance(f, sp.Rational) for f in factors):
        return _product(factors)
    return factors[0] if len(factors) == 1 else sp.Mul(*factors, evaluate=False)


def _sum(terms):
    """The Rational sum of Rationals, in integers (what sp.Add of them evaluates to)."""
    p, q = 0, 1
    for t in terms:
        tp, tq = t.p, t.q
        if tq == q:
            p += tp
        else:
            g = gcd(q, tq)
            p, q = p * (tq // g) + tp * (q // g), q // g * tq
    return sp.Rational(p, q)


def _product(factors):
    """The Rational product of Rationals, in integers (what sp.Mul of them evaluates to)."""
    p, q = 1, 1
    for f in factors:
        p, q = p * f.p, q * f.q
    return sp.Rational(p, q)


def _compare(rel, s):
    return sp.true if {"<": s < 0, "<=": s <= 0, ">": s > 0, ">=": s >= 0, "==": s == 0,
                       "!=": s != 0}[rel.rel_op] else sp.false


def _decide(expr, args):
    """abs, sign, Heaviside, max, min of closed forms, by certified signs."""
    if isinstance(expr, sp.Abs):
        return args[0] if numeric.sign(args[0]) >= 0 else sp.Mul(-1, args[0], evaluate=False)
    if isinstance(expr, sp.sign):
        return sp.Integer(numeric.sign(args[0]))
    if isinstance(expr, sp.Heaviside):
        s = numeric.sign(args[0])
        return sp.Integer(1) if s > 0 else sp.Integer(0) if s < 0 else \
            (args[1] if len(args) > 1 else sp.Rational(1, 2))
    best = args[0]
    for a in args[1:]:
        s = numeric.sign(sp.Add(a, sp.Mul(-1, best, evaluate=False), evaluate=False))
        if (s > 0) == isinstance(expr, sp.Max) and s != 0:
            best = a
    return best


def is_symbolic(problem):
    """True when any given value (or the learning rate) is a symbol or contains one:
    then `substitute`, `add` and `mul` evaluate as SymPy does (symbolic=True)."""
    tape_values = [v for _, v in problem.params]
    for s in problem.samples:
        for _, v in s.inputs:
            tape_values.extend(v if isinstance(v, tuple) else [v])
        tape_values.extend(s.target or ())
    if problem.is_layered:
        for layer in problem.network.layers:
            tape_values.extend(w for row in layer.weights for w in row)
            tape_values.extend(layer.bias or ())
    if problem.learning_rate is not None:
        tape_values.append(problem.learning_rate)
    return any(v.free_symbols for v in tape_values)
