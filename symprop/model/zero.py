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
        keys = _Keys()
        scales = _exp_scales(expr, keys)
        f = _rational(expr, {}, atoms, scales, keys)
        numerator = sp.together(f).as_numer_denom()[0]
        expanded = sp.expand(numerator)
    except (RecursionError, MemoryError):
        return False
    if expanded.is_Add and len(expanded.args) > MAX_TERMS:
        return False
    return expanded == 0


class _Keys:
    """Canonical exp arguments. The tape keeps its expressions unevaluated, so one value
    is written many ways (exp(2*(-u/2)) and exp(-u)); an argument is rewritten with its
    own transcendental parts as placeholder symbols (keyed by their canonical form in
    turn), cancelled, and its rational content factored out: k·rest, rest canonical.
    Equal rests stand for equal values, so exps sharing a rest share a symbol."""

    def __init__(self):
        self.memo, self.placeholders = {}, {}

    def split(self, e):
        """exp(arg) → (k, rest): arg = k·rest with k rational and rest canonical."""
        arg = sp.factor_terms(sp.cancel(self.canon(e.args[0])))
        return arg.as_coeff_Mul()

    def canon(self, e):
        if e in self.memo:
            return self.memo[e]
        if e.is_Rational or e.is_Symbol:
            out = e
        elif e.is_Add:
            out = sp.Add(*[self.canon(a) for a in e.args])
        elif e.is_Mul:
            out = sp.Mul(*[self.canon(a) for a in e.args])
        elif e.is_Pow and e.exp.is_Integer:
            out = sp.Pow(self.canon(e.base), e.exp)
        elif isinstance(e, sp.exp) or e is sp.E:
            out = self._placeholder(("exp",) + self.split(_as_exp(e)))
        else:
            out = self._placeholder((type(e),) + tuple(self.canon(a) for a in e.args))
        self.memo[e] = out
        return out

    def _placeholder(self, key):
        if key not in self.placeholders:
            self.placeholders[key] = sp.Dummy(f"k{len(self.placeholders)}")
        return self.placeholders[key]


def _exp_scales(expr, keys):
    """For each rest in the exps exp(k·rest) (k rational; rest 1 for a rational argument),
    the lcm L of the denominators of its k's: exp(k·rest) = exp(rest/L)^(kL)."""
    scales = {}
    for e in sp.preorder_traversal(expr):
        if isinstance(e, sp.exp) or e is sp.E:
            k, rest = keys.split(_as_exp(e))
            if k.is_Rational:
                scales[rest] = sp.ilcm(scales.get(rest, 1), k.q)
    return scales


def _rational(e, memo, atoms, scales, keys):
    """e as a rational function of symbols standing for its transcendental parts."""
    if e in memo:
        return memo[e]
    again = lambda x: _rational(x, memo, atoms, scales, keys)
    if e.is_Rational or e.is_Symbol:
        out = e
    elif e.is_Add:
        out = sp.Add(*[again(a) for a in e.args])
    elif e.is_Mul:
        out = sp.Mul(*[again(a) for a in e.args])
    elif e.is_Pow and e.exp.is_Integer:
        out = sp.Pow(again(e.base), e.exp)
    elif isinstance(e, sp.exp) or e is sp.E:
        out = _exp(_as_exp(e), atoms, scales, keys)
    elif isinstance(e, sp.log) and e.args[0].is_Rational and e.args[0] > 0:
        out = _log(e, atoms)
    else:
        out = _atom(keys.canon(e), atoms)
    memo[e] = out
    return out


def _as_exp(e):
    """SymPy writes exp(1) as the number E, which is no exp: as exp(1), so that
    E = exp(1/4)^4 is seen beside exp(1/4) (a softmax of 1/4 and 1/2 has both)."""
    return sp.exp(1, evaluate=False) if e is sp.E else e


def _exp(e, atoms, scales, keys):
    k, rest = keys.split(e)
    scale = scales.get(rest, 1) if k.is_Rational else 1
    power = k * scale if k.is_Rational else None
    if power is None or abs(power) > MAX_POWER:
        return _atom(("exp", k, rest), atoms)
    return _atom(("exp", rest / scale), atoms, positive=True) ** int(power)


def _log(e, atoms):
    r = e.args[0]
    if r.p > MAX_FACTOR or r.q > MAX_FACTOR:
        return _atom(e, atoms)
    parts = [(q, m) for q, m in sp.factorint(r.p).items()] + \
            [(q, -m) for q, m in sp.factorint(r.q).items()]
    return sp.Add(*[m * _atom(sp.log(q, evaluate=False), atoms) for q, m in parts])


def _atom(key, atoms, positive=False):
    """One symbol per distinct transcendental part (equal keys share it)."""
    if key not in atoms:
        atoms[key] = sp.Dummy(f"t{len(atoms)}", positive=positive)
    return atoms[key]
