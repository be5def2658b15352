"""Exact zeros that interval arithmetic cannot certify are proved (or refused at
once), never left to SymPy's equals(0), which ran for minutes on a 600-node
gradient of a softmax net (the fast-vs-SymPy property test hung on some seeds)."""

import pytest
import sympy as sp

import symprop
from symprop.errors import PrecisionError
from symprop.model.numeric import decimal, sign
from symprop.model.zero import provably_zero

E = lambda r: sp.exp(sp.Rational(r), evaluate=False)


def _softmax_sum_minus_one():
    a, b = E("1/3"), E("1/2")
    denom = sp.Add(a, b, evaluate=False)
    return sp.Add(sp.Mul(a, sp.Pow(denom, -1), evaluate=False),
                  sp.Mul(b, sp.Pow(denom, -1), evaluate=False), -1, evaluate=False)


def test_a_softmax_summing_to_one_is_proved_zero_and_sympy_agrees():
    """Σ softmax − 1 = 0: proved here; SymPy's own (slow, independent) equals agrees."""
    v = _softmax_sum_minus_one()
    assert provably_zero(v)
    assert v.equals(0)
    assert decimal(v) == "0" and sign(v) == 0


def test_exp_of_a_multiple_is_a_power():
    """exp(2u) and exp(u)² are one atom squared: exp(2/3) − exp(1/3)² is proved 0."""
    v = sp.Add(sp.exp(sp.Rational(2, 3), evaluate=False),
               sp.Mul(-1, sp.Pow(E("1/3"), 2, evaluate=False), evaluate=False), evaluate=False)
    assert provably_zero(v)


def test_a_near_miss_is_not_zero():
    """10^-50 more than an exact 0 is not 0, and its decimal is certified as such."""
    v = sp.Add(_softmax_sum_minus_one(), sp.Rational(1, 10**50), evaluate=False)
    assert not provably_zero(v)
    assert decimal(v, 6) == "1e-50"


def test_a_zero_it_cannot_prove_is_refused_at_once():
    """tanh(u) − (e^{2u} − 1)/(e^{2u} + 1) is 0 by an identity this prover does not
    know: PrecisionError (naming the limit to raise), not minutes of simplification."""
    u = sp.Rational(1, 3)
    e2 = sp.exp(2 * u, evaluate=False)
    v = sp.Add(sp.tanh(u, evaluate=False),
               sp.Mul(-1, sp.Add(e2, -1, evaluate=False), sp.Pow(sp.Add(e2, 1, evaluate=False), -1),
                      evaluate=False), evaluate=False)
    assert not provably_zero(v)
    with symprop.limits(precision=4096):
        with pytest.raises(PrecisionError, match="cannot prove"):
            decimal(v)


NET = """
loss = "cross_entropy"
steps = 0
index_base = 0
leaky_slope = "1/5"
gradients_for = ["x"]
[data]
x = [2]
y = [1, 0]
[[layers]]
weights = [["-1/2"], ["-5/4"]]
activation = "leaky_relu"
[[layers]]
weights = [[0, "1/2"], ["1/3", 0], ["-7/10", "-1/2"], [2, 0]]
bias = [1, 1, 1, "1/3"]
activation = "sigmoid"
[[layers]]
weights = [["-7/10", "-7/10", "1/2", "3/10"], ["3/10", "1/2", "-1/2", "3/10"]]
activation = "softmax"
"""


def test_the_softmax_net_that_hung_the_property_test():
    """Hidden unit 3 feeds both softmax units through equal weights (3/10, 3/10), so
    its δ is 3/10·(a0 − y0 + a1 − y1) = 0 exactly; the gradients say 0, and the
    fast path's fallback returns the SymPy engine's values."""
    problem = symprop.loads(NET)
    answers = symprop.solve(problem).answers()
    for name in ("delta2[3]", "dL/dW2[3,0]", "dL/dW2[3,1]", "dL/db2[3]"):
        assert decimal(answers[name]) == "0", name
        assert abs(sp.N(answers[name], 60)) < sp.Float("1e-50")     # mpmath agrees: it is tiny
    g = symprop.gradients(problem)
    assert g is not None


def test_exps_of_one_value_written_two_ways_share_a_symbol():
    """exp(2·(−u/2)) and exp(−u) with u = 1/(e^{−1/4} + 1), both unevaluated as the tape
    keeps them: their arguments are one value, so exp(2·(−u/2))·e^{u} − 1 is proved 0."""
    inner = sp.Add(E("-1/4"), 1, evaluate=False)
    u = sp.Pow(inner, -1, evaluate=False)
    half = sp.Mul(-1, sp.Pow(sp.Mul(2, inner, evaluate=False), -1, evaluate=False), evaluate=False)
    first = sp.exp(sp.Mul(2, half, evaluate=False), evaluate=False)
    v = sp.Add(sp.Mul(first, sp.exp(u, evaluate=False), evaluate=False), -1, evaluate=False)
    assert sp.N(v, 60) == 0 or abs(sp.N(v, 60)) < sp.Float("1e-55")    # mpmath agrees: it is 0
    assert provably_zero(v)
    near = sp.Add(v, sp.Rational(1, 10**40), evaluate=False)
    assert not provably_zero(near)


HYPOTHESIS_NET = """
loss = "cross_entropy"
learning_rate = "1/10"
[data]
x = [0, 0, 0, 0]
y = [1, 0]
[[layers]]
weights = [[0, 0, 0, 0], [0, 0, 0, 0]]
activation = "sigmoid"
[[layers]]
weights = [[0, 0], [0, 0], [0, "1/2"]]
activation = "sigmoid"
[[layers]]
weights = [[0, 0, "-1/2"], [0, 0, "-1/2"]]
activation = "softmax"
"""


def test_the_zero_delta_hypothesis_found():
    """Equal softmax outputs make δ³ = (½ − 1, ½): W³ᵀδ³'s third entry is −½(−½ + ½) = 0,
    so δ²₃ and δ¹₂ are exactly 0, written with exps of one value in two ways (the
    property test's PrecisionError). SymPy's simplify agrees."""
    solution = symprop.solve(symprop.loads(HYPOTHESIS_NET))
    values = dict(solution.answers())
    for name in ("delta2[2]", "delta1[1]"):
        assert sp.simplify(values[name]) == 0
        assert decimal(values[name]) == "0" and sign(values[name]) == 0
    assert solution.to_json()["answers"]["delta1[1]"]["decimal"] == "0"


def test_e_is_exp_of_one_beside_other_exps():
    """SymPy writes exp(1) as the number E: a softmax of 1/4 and 1/2 (hypothesis found it in
    tests/test_crosscheck.py) has a δ that is exactly 0 with E, exp(1/2) and exp(1/4) in it."""
    q, h = sp.exp(sp.Rational(1, 4)), sp.exp(sp.Rational(1, 2))
    s = q + h
    delta = ((-1 / h / s) * (-sp.E / s**2 + h / s) / 2 + (-1 / h / s) * (-q * h / s**2) / 2) / 4
    assert sp.simplify(delta) == 0                      # SymPy agrees it is 0
    assert provably_zero(delta)
    assert not provably_zero(sp.E - sp.exp(sp.Rational(1, 3)) ** 2)      # e ≠ e^(2/3)
    assert provably_zero(sp.E - q ** 4)
