"""Proving a closed form exactly 0, when interval arithmetic cannot.

An interval around an exact 0 never shrinks to one side of it, so numeric's
ladder of precisions cannot certify "0": a softmax's outputs summing to 1 or two
equal weights feeding a unit make such cancellations. SymPy's `equals(0)` decides
them by simplifying, which took minutes on a 600-node gradient. Here the value's
transcendental parts (exp(u), log(u), tanh(u), …) become symbols — exp(k·u) with
an integer k becomes exp(u)**k, so exp(2u) = exp(u)² is seen — and the result, a
rational function of those symbols, is tested for being identically 0 by
expanding its numerator. Known relations are built in first: exps whose arguments
differ by a rational factor share one symbol (exp(2/3) = exp(1/3)², exp(k·u) =
exp(u/L)^(kL)), and the log of a rational is a sum over the logs of its primes
(log 6 = log 2 + log 3). That is a proof (0 for every value of the symbols, so
for theirs); a value it cannot prove stays undecided, and the caller says so.
"""

import sympy as sp

__all__ = ["provably_zero"]

MAX_NODES = 2000      # larger closed forms are not tried: the expansion could blow up
MAX_TERMS = 20_000    # terms of the expanded numerator before giving up
MAX_POWER = 4096      # exp(k·u) as exp(u/L)^(kL) only up to this power
MAX_FACTOR = 10**12   # log(p/q) split into logs of primes only for p, q up to this


def provably_zero(expr):
    """True when `expr` (numeric, closed form) is exactly 0 by rational-function
    identity over its transcendental parts; False when that cannot be shown."""
    from .numeric import tree_size

    if tree_size(expr, MAX_NODES + 1) > MAX_NODES:
        return False
    atoms = {}
    try:
        scales = _exp_scales(expr)
        f = _rational(expr, {}, atoms, scales)
        numerator = sp.together(f).as_numer_denom()[0]
        expanded = sp.expand(numerator)
    except (RecursionError, MemoryError):
        return False
    if expanded.is_Add and len(expanded.args) > MAX_TERMS:
        return False
    return expanded == 0


def _exp_scales(expr):
    """For each u in the exps exp(k·u) (k rational; u = 1 for a rational argument),
    the lcm L of the denominators of its k's: exp(k·u) = exp(u/L)^(kL)."""
    scales = {}
    for e in sp.preorder_traversal(expr):
        if isinstance(e, sp.exp):
            k, rest = e.args[0].as_coeff_Mul()
            if k.is_Rational:
                scales[rest] = sp.ilcm(scales.get(rest, 1), k.q)
    return scales


def _rational(e, memo, atoms, scales):
    """e as a rational function of symbols standing for its transcendental parts."""
    if e in memo:
        return memo[e]
    again = lambda x: _rational(x, memo, atoms, scales)
    if e.is_Rational or e.is_Symbol:
        out = e
    elif e.is_Add:
        out = sp.Add(*[again(a) for a in e.args])
    elif e.is_Mul:
        out = sp.Mul(*[again(a) for a in e.args])
    elif e.is_Pow and e.exp.is_Integer:
        out = sp.Pow(again(e.base), e.exp)
    elif isinstance(e, sp.exp):
        out = _exp(e, atoms, scales)
    elif isinstance(e, sp.log) and e.args[0].is_Rational and e.args[0] > 0:
        out = _log(e, atoms)
    else:
        out = _atom(e, atoms)
    memo[e] = out
    return out


def _exp(e, atoms, scales):
    k, rest = e.args[0].as_coeff_Mul()
    scale = scales.get(rest, 1) if k.is_Rational else 1
    power = k * scale if k.is_Rational else None
    if power is None or abs(power) > MAX_POWER:
        return _atom(e, atoms)
    return _atom(sp.exp(rest / scale, evaluate=False), atoms) ** int(power)


def _log(e, atoms):
    r = e.args[0]
    if r.p > MAX_FACTOR or r.q > MAX_FACTOR:
        return _atom(e, atoms)
    parts = [(q, m) for q, m in sp.factorint(r.p).items()] + \
            [(q, -m) for q, m in sp.factorint(r.q).items()]
    return sp.Add(*[m * _atom(sp.log(q, evaluate=False), atoms) for q, m in parts])


def _atom(e, atoms):
    """One symbol per distinct transcendental part (structurally equal ones share it)."""
    if e not in atoms:
        atoms[e] = sp.Dummy(f"t{len(atoms)}", positive=isinstance(e, sp.exp))
    return atoms[e]
