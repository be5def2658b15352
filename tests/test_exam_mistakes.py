"""Mistake alternatives (exam/alternatives.py) against values computed here by hand and
with SymPy from the network written out in the test, and as the exports write them."""

import xml.etree.ElementTree as ET
from decimal import Decimal
from fractions import Fraction

import pytest
import sympy as sp

import symprop
from helpers import EXAMPLES
from symprop.checker.mistakes import MISTAKES
from symprop.exam.alternatives import alternatives
from symprop.exam.exports import gift, moodle_xml
from symprop.exam.selection import asked
from symprop.exam.variants import Variant
from symprop.model.examsettings import ExamSettings, Tolerance

R = sp.Rational


def alts(solution, *patterns):
    qs = asked(solution, ExamSettings(ask=patterns))
    return qs, alternatives(solution, qs)


def listed(found, name):
    """{value as a Fraction: mistakes} of one quantity's alternatives."""
    return {Fraction(Decimal(a.decimal)): set(a.mistakes) for a in found[name]}


def has(found, name, value, mistake, digits=12):
    """An alternative of `name` equal to `value` (to `digits` digits) naming `mistake`."""
    want = sp.N(value, 40)
    for a in found[name]:
        if abs(sp.Rational(a.decimal) - want) <= sp.Rational(1, 10 ** digits) * max(1, abs(want)):
            return mistake in a.mistakes
    return False


# --- two_layer_relu (seed 003): x = [1, 0], y = 2, W1 = [[1, 0], [-1, 1]], W2 = [[1, 2]], η = 1/10

def relu():
    return symprop.solve(symprop.load(EXAMPLES / "two_layer_relu.toml"))


def test_relu_mistakes_by_hand():
    # right: z1 = [1, -1], a1 = [1, 0], ŷ = 1, δ2 = ŷ − y = -1, δ1 = [1·(-1)·1, 2·(-1)·0] = [-1, 0],
    # dL/dW1 = δ1 xᵀ = [[-1, 0], [0, 0]], W1[1,1]' = 1 − (1/10)(-1) = 11/10
    s = relu()
    qs, found = alts(s, "delta2[1]", "delta1[*]", "dL/dW1[*]", "dL/dW2[1,1]", "W1[1,1]'")
    assert [q.value for q in qs] == [-1, -1, 0, -1, 0, 0, 0, -1, R(11, 10)]
    # the ½ forgotten: ∂L/∂ŷ = 2(ŷ − y) = -2 reaches δ2, δ1[1], both gradients, the update
    for name, value in [("delta2[1]", -2), ("delta1[1]", -2), ("dL/dW1[1,1]", -2),
                        ("dL/dW2[1,1]", -2), ("W1[1,1]'", R(6, 5))]:
        assert "factor_double" in listed(found, name)[Fraction(value)], name
    # updated weights in the backward pass: δ1[1] = W2'[1,1]·δ2 = (1 + 1/10)(-1) = -11/10
    assert "updated_weights" in listed(found, "delta1[1]")[Fraction(-11, 10)]
    assert "updated_weights" in listed(found, "dL/dW1[1,1]")[Fraction(-11, 10)]
    # ReLU′ dropped: the dead unit passes δ1[2] = W2[1,2]·δ2 = -2, so dL/dW1[2,1] = -2·x1 = -2
    assert listed(found, "delta1[2]")[Fraction(-2)] == {"no_activation_derivative"}
    assert "no_activation_derivative" in listed(found, "dL/dW1[2,1]")[Fraction(-2)]
    # the update's sign: w + η g = 1 + (1/10)(-1) = 9/10; (y − ŷ) gives the same value: one entry
    assert listed(found, "W1[1,1]'")[Fraction(9, 10)] == {"lr_added", "sign_flipped"}
    # x2 = 0: every mistake gives dL/dW1[1,2] = 0, the right value, so none is listed
    assert found["dL/dW1[1,2]"] == [] and found["dL/dW1[2,2]"] == []
    for name, options in found.items():
        right = dict((q.name, q.value) for q in qs)[name]
        values = [Fraction(Decimal(a.decimal)) for a in options]
        assert Fraction(int(right.p), int(right.q)) not in values
        assert len(values) == len(set(values))
        for a in options:
            assert a.feedback.startswith("Likely mistake: ")
            assert all(MISTAKES[k].format(c=0) in a.feedback for k in a.mistakes)


def test_a_mistake_within_the_tolerance_is_not_listed():
    s = relu()
    loose = ExamSettings(ask=("W1[1,1]'",), tolerance=Tolerance(absolute=R(3, 20)))
    qs = asked(s, loose)
    # right 1.1; within 0.15: 1.2 (factor 2), 1.11 (updated weights), 1.05 (factor ½) go,
    # 0.9 (sign) and 1.3 (z for a) stay
    assert sorted(Fraction(Decimal(a.decimal)) for a in alternatives(s, qs)["W1[1,1]'"]) == \
        [Fraction(9, 10), Fraction(13, 10)]


# --- two_layer_sigmoid (seed 001), written out here with SymPy ----------------------------

def sigmoid_net():
    x = sp.Matrix([R(1, 2), R(1, 2), R(1, 10)])
    y = sp.Matrix([R(9, 10), R(1, 10)])
    W1 = sp.Matrix([[R(1, 10), R(2, 10), R(5, 10)], [R(4, 10), R(1, 10), R(5, 10)]])
    b1 = sp.Matrix([R(2, 10), R(2, 10)])
    W2 = sp.Matrix([[R(6, 10), R(1, 10)], [R(5, 10), R(2, 10)]])
    b2 = sp.Matrix([R(2, 10), R(1, 10)])
    eta = R(1, 10)
    sig = lambda m: m.applyfunc(lambda t: 1 / (1 + sp.exp(-t)))
    z1 = W1 * x + b1
    a1 = sig(z1)
    z2 = W2 * a1 + b2
    a2 = sig(z2)
    d1 = a1.applyfunc(lambda t: t * (1 - t))
    d2 = a2.applyfunc(lambda t: t * (1 - t))
    delta2 = (a2 - y).multiply_elementwise(d2)
    delta1 = (W2.T * delta2).multiply_elementwise(d1)
    return dict(x=x, y=y, W1=W1, W2=W2, eta=eta, z1=z1, a1=a1, z2=z2, a2=a2, d1=d1, d2=d2,
                delta1=delta1, delta2=delta2, gW1=delta1 * x.T, gW2=delta2 * a1.T)


def test_sigmoid_mistakes_by_sympy():
    n = sigmoid_net()
    s = symprop.solve(symprop.load(EXAMPLES / "two_layer_sigmoid.toml"))
    qs, found = alts(s, "delta2[*]", "delta1[*]", "dL/dW1[1,1]", "W1[1,1]'")
    right = {q.name: q.value for q in qs}
    assert abs(sp.N(right["delta1[1]"] - n["delta1"][0], 30)) < 1e-25
    # σ′ dropped at the output: δ2 = ŷ − y; at the hidden layer: δ1 = W2ᵀ δ2
    assert has(found, "delta2[1]", n["a2"][0] - n["y"][0], "no_activation_derivative")
    assert has(found, "delta1[1]", (n["W2"].T * n["delta2"])[0], "no_activation_derivative")
    # W instead of Wᵀ: δ1 = (W2 δ2) ⊙ σ′(z1)
    assert has(found, "delta1[1]", (n["W2"] * n["delta2"])[0] * n["d1"][0], "w_not_transposed")
    assert has(found, "delta1[2]", (n["W2"] * n["delta2"])[1] * n["d1"][1], "w_not_transposed")
    # the ½ forgotten: ∂L/∂ŷ = 2(ŷ − y)
    assert has(found, "delta2[2]", 2 * n["delta2"][1], "factor_double")
    assert has(found, "dL/dW1[1,1]", 2 * n["gW1"][0, 0], "factor_double")
    # updated output weights in the backward pass: δ1 = (W2'ᵀ δ2) ⊙ σ′(z1), W2' = W2 − η ∂L/∂W2
    W2u = n["W2"] - n["eta"] * n["gW2"]
    assert has(found, "delta1[1]", (W2u.T * n["delta2"])[0] * n["d1"][0], "updated_weights")
    # σ′ from z: z(1 − z) in place of a(1 − a)
    z = n["z2"][0]
    assert has(found, "delta2[1]", (n["a2"][0] - n["y"][0]) * z * (1 - z), "sigma_from_z")
    # the update's sign: W1[1,1] + η ∂L/∂W1[1,1]
    assert has(found, "W1[1,1]'", n["W1"][0, 0] + n["eta"] * n["gW1"][0, 0], "lr_added")


def test_exports_carry_the_mistakes():
    from test_exports import cloze_fields, moodle_gift

    s = relu()
    problem = s.problem
    v = Variant(1, problem, s)
    settings = ExamSettings(ask=("delta1[*]", "W1[1,1]'"), mistake_credit=R(1, 4))
    root = ET.fromstring(moodle_xml([v], "relu", settings).encode("utf-8"))
    fields = cloze_fields(root.find("question[@type='cloze']/questiontext/text").text)
    by_value = lambda alternatives: {Fraction(Decimal(a[1])): a for a in alternatives}
    d1, d2, w = [by_value(a) for _, a in fields]
    assert d1[Fraction(-1)][0] == 1 and d1[Fraction(-11, 10)][0] == 0.25
    assert "already-updated weights" in d1[Fraction(-11, 10)][3]
    assert "f′(z) was left out" in d2[Fraction(-2)][3]
    assert "instead of subtracted" in w[Fraction(9, 10)][3] and "sign is flipped" in w[Fraction(9, 10)][3]
    g = moodle_gift(gift([v], "relu", settings))
    answers = {Fraction(Decimal(a["answer"])): a for a in g[1]["answers"]}
    assert answers[Fraction(-11, 10)]["weight"] == 25.0
    assert "already-updated weights" in answers[Fraction(-11, 10)]["feedback"]


def test_a_slip_that_cancels_exactly_gives_exactly_zero():
    # sigmoid net (closed forms, so mistakes are evaluated on 50-digit Floats) where z used
    # for a cancels exactly: a1 := z1 = 3/10, z2 = (3/10)(3/10) − 9/100 = 0, a2 := z2 = 0.
    # Rational steps made Floats gave -1.7e-52 here, written out with 52 zeros.
    spec = {"loss": "half_sse", "learning_rate": "1/10", "steps": 1,
            "data": {"x": ["1"], "y": ["1"]},
            "layers": [{"weights": [["3/10"]], "bias": ["0"], "activation": "sigmoid"},
                       {"weights": [["3/10"]], "bias": ["-9/100"], "activation": "sigmoid"}]}
    s = symprop.solve(symprop.Problem.from_dict(spec))
    qs, found = alts(s, "a2[1]")
    right = 1 / (1 + sp.exp(-(R(3, 10) / (1 + sp.exp(-R(3, 10))) - R(9, 100))))
    assert abs(sp.N(qs[0].value - right, 30)) < 1e-25
    values = listed(found, "a2[1]")
    assert "z_for_a" in values[Fraction(0)]
    assert all(v == 0 or abs(v) > Fraction(1, 10 ** 20) for v in values), values


# --- the 50-digit evaluator (alternatives._float) against SymPy's N() at 100 digits

def _exact(env):
    """The env with every Float as the exact binary rational it stands for."""
    return {k: (sp.Rational(v) if v.is_Float else v) for k, v in env.items()}


def _sigmoid_definitions():
    from symprop.checker.mistakes import Definitions, symbol
    from symprop.exam.alternatives import _approx

    s = symprop.solve(symprop.load(EXAMPLES / "two_layer_sigmoid.toml"))
    env = {symbol(n): _approx(v) for _, _, n, v in s.items()}
    defs = Definitions(s)
    return env, [(n, m, defs.definition(n, m)) for _, _, n, _ in s.items()
                 for m in (None, *MISTAKES)]


def test_mistaken_definitions_on_floats_match_sympy_at_100_digits():
    from symprop.exam.alternatives import _float

    env, definitions = _sigmoid_definitions()
    exact, tried = _exact(env), 0
    for name, mistake, expr in definitions:
        if expr is None:
            continue
        got = _float(expr, env)
        want = sp.N(expr.xreplace(exact), 100)          # the same inputs, exactly
        assert got is not None, (name, mistake)
        if got.is_Rational:                             # stays exact only when it is
            assert want == got or abs(want - got) < sp.Float(10) ** -90, (name, mistake)
            continue
        tried += 1
        assert got._prec == 169                         # a 50-digit Float
        assert abs(want - got) <= sp.Float(10) ** -48 * max(1, abs(want)), (name, mistake, got, want)
        assert str(sp.Float(got, 30)) == str(sp.Float(want, 30)), (name, mistake)
    assert tried > 300


def test_the_evaluator_keeps_exact_values_exact_and_falls_back_to_sympy():
    from symprop.exam.alternatives import _float

    a, b, c = sp.symbols("a b c", real=True)
    f = sp.Float("0.59868766365046644722528264911981399617713224029342", 50)
    env = {a: f, b: f, c: R(3, 10)}
    assert _float(a - b, env) == 0 and _float(a - b, env).is_Integer      # not 1e-60 noise
    assert _float((a - b) * c + R(1, 2), env) == R(1, 2)
    assert _float(1 / (a - b), env) is None                                 # 1/0: no value
    assert _float(c * c + 1, env) == R(109, 100)                            # rationals: exact
    assert _float(sp.exp(c - c), env) == 1
    want = sp.N(sp.exp(-sp.Rational(f)) * R(3, 10) + 1 / (1 + sp.exp(-sp.Rational(f))), 100)
    got = _float(sp.exp(-a) * c + 1 / (1 + sp.exp(-a)), env)
    assert got.is_Float and abs(got - want) < sp.Float(10) ** -49
    # a node the evaluator does not know (Max, a square root) is SymPy's N(…, 50)
    for expr in (sp.Max(0, a - c), sp.sqrt(a), sp.Max(0, c - a)):
        want = sp.N(expr.xreplace(_exact(env)), 100)
        got = _float(expr, env)
        assert abs(got - want) <= sp.Float(10) ** -48, expr
    assert _float(sp.Max(0, c - a), env) == 0
