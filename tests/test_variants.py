"""Exam variants of closed-form nets: distinct by certified value, never by str()."""

import pytest

import symprop
from symprop.errors import SympropError

from helpers import EXAMPLES

SIGMOID = (EXAMPLES / "two_layer_sigmoid.toml").read_text() + """
[randomize.values]
"W1[1,1]" = {choices = ["-1/2", "1/2"]}
"""


def test_sigmoid_variants_are_distinct_by_value():
    """Two choices give exactly two different exams; a third is refused as a duplicate,
    and every variant's loss is the closed form of its own weights."""
    problem = symprop.loads(SIGMOID)
    vs = symprop.variants(problem, 2, 7)
    weights = sorted(str(v.network.layers[0].weights[0][0]) for v in vs)
    assert weights == ["-1/2", "1/2"]
    with pytest.raises(SympropError, match="allow only 2 different variant"):
        symprop.variants(problem, 3, 7)


def test_loss_decreases_is_decided_on_certified_signs():
    text = SIGMOID + "\n[randomize.constraints]\nloss_decreases = false\n"
    with pytest.raises(SympropError, match="constraint 'loss_decreases' rejected most"):
        symprop.variants(symprop.loads(text), 1, 7)       # ½SSE with η = 0.1: it goes down


ONE_ROW = """
loss = "half_sse"
learning_rate = "1/10"
[data]
x = [1, 2]
y = 1
[[layers]]
weights = [0, 0]
bias = 0
activation = "identity"
[randomize.values]
"W1[1,2]" = {choices = [3]}
"b1[1]" = {choices = [5]}
"""


def test_elements_of_a_flat_row_and_a_bare_bias_are_the_ones_named():
    """W1[1,2] of a one-row matrix written as a flat list is its second element (it used
    to set the first), and b1[1] names a bias written as a bare number."""
    (v,) = symprop.variants(symprop.loads(ONE_ROW), 1, 7)
    assert v.network.layers[0].weights == ((0, 3),) and v.network.layers[0].bias == (5,)
    from symprop.exam.variants import problem_toml

    again = symprop.loads(problem_toml(v))                # the file keeps its shape
    assert again == v and "weights = [\n    0,\n    3,\n]" in problem_toml(v)


def test_two_indices_on_a_vector_are_refused():
    text = ONE_ROW.replace('"b1[1]"', '"b1[1,2]"')
    with pytest.raises(SympropError, match="'b1\\[1,2\\]' is not a parameter"):
        symprop.variants(symprop.loads(text), 1, 7)


def test_with_values_replaces_leaves_exactly_and_checks_like_loading():
    import sympy as sp
    from decimal import Decimal

    p = symprop.load(EXAMPLES / "two_layer_sigmoid.toml")
    q = p.with_values({("weight", 0, 1, 2): Decimal("0.3"), ("bias", 1, 0): sp.Rational(1, 3),
                       ("input", 0, "x", 0): "1/7", ("target", 0, 1): 0})
    assert q.network.layers[0].weights[1][2] == sp.Rational(3, 10)
    assert q.network.layers[1].bias[0] == sp.Rational(1, 3)
    assert dict(q.samples[0].inputs)["x"][0] == sp.Rational(1, 7) and q.samples[0].target[1] == 0
    assert p.network.layers[0].weights[1][2] == sp.Rational(1, 2)         # p is unchanged
    assert q == symprop.Problem.from_dict(q.raw, source=q.source)          # raw says the same
    with pytest.raises(SympropError, match="names no value"):
        p.with_values({("weight", 5, 0, 0): 1})
    with pytest.raises(SympropError, match="layers\\[1\\].weights\\[1\\]\\[1\\]"):
        p.with_values({("weight", 0, 0, 0): "1/0"})
    bce = symprop.loads((EXAMPLES / "two_layer_sigmoid.toml").read_text().replace(
        'loss = "half_sse"', 'loss = "bce"'))
    with pytest.raises(SympropError, match="outside \\[0, 1\\]"):
        bce.with_values({("target", 0, 0): 2})


def test_loss_decreases_needs_a_loss():
    """With loss 'none' the output is differentiated, not a loss: no loss change to ask for
    (Solution.loss_change is None), so the constraint is refused, not silently tested."""
    text = """
loss = "none"
learning_rate = 1
[graph]
f = "w*x"
output = "f"
[params]
w = 1
[data]
x = 2
[randomize.values]
w = {choices = [1, 2, 3]}
[randomize.constraints]
loss_decreases = true
"""
    with pytest.raises(SympropError, match="loss_decreases.*no loss to go down"):
        symprop.variants(symprop.loads(text), 1, 7)


def test_with_values_refuses_a_number_it_cannot_write_back():
    import sympy as sp

    p = symprop.load(EXAMPLES / "two_layer_relu.toml")
    q = p.with_values({("weight", 1, 0, 0): "exp(1/3)"})          # text reads back as itself
    assert q == symprop.Problem.from_dict(q.raw, source=q.source)
    with pytest.raises(SympropError, match="not a rational number; give a closed form as text"):
        p.with_values({("weight", 1, 0, 0): sp.root(2, 17)})
