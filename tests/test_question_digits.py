"""The question sheet asks for the digits that following its instruction needs (issue 18, 3).

A saturated sigmoid (a2 = 0.99999998…) computed by hand to 4 digits gives a2 = 1.000, so
σ′ = a(1 − a) = 0 and every gradient 0; the sheet asks for enough digits and says why.
The hand computation here is written out independently of symprop's simulation."""

import mpmath
import pytest
import sympy as sp

import symprop
from helpers import EXAMPLES
from symprop.core.facts import QUESTION_DIGITS
from symprop.model.numeric import decimal

SATURATED = EXAMPLES / "saturated_sigmoid.toml"


def _round(x, d):
    if x == 0:
        return x
    q = mpmath.mpf(10) ** (int(mpmath.floor(mpmath.log10(abs(x)))) - d + 1)
    return mpmath.nint(x / q) * q


def _by_hand(d):
    """saturated_sigmoid's gradients as a student computes them: every value rounded to d
    significant digits, σ′ = a(1 − a) from the rounded a, dL/da = 2(a − y)."""
    r = lambda v: _round(mpmath.mpf(v), d)
    W1 = [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6], [0.7, 0.8, 0.9]]
    W1 = [[mpmath.mpf(str(w)) for w in row] for row in W1]
    b1 = [mpmath.mpf(s) for s in ("0.1", "0.2", "0.3")]
    W2 = [mpmath.mpf(s) for s in ("0.2", "0.4", "0.6")]
    b2, x, y = mpmath.mpf("0.5"), [20, 3, 4], 18
    z1 = [r(sum(W1[j][k] * x[k] for k in range(3)) + b1[j]) for j in range(3)]
    a1 = [r(max(z, 0)) for z in z1]
    z2 = r(sum(W2[k] * a1[k] for k in range(3)) + b2)
    a2 = r(1 / (1 + mpmath.exp(-z2)))
    dL_da2 = r(2 * (a2 - y))
    delta2 = r(dL_da2 * a2 * (1 - a2))
    delta1 = [r(r(W2[j] * delta2) * (1 if z1[j] > 0 else 0)) for j in range(3)]
    grads = {f"dL/dW1[{j + 1},{k + 1}]": r(delta1[j] * x[k]) for j in range(3) for k in range(3)}
    grads.update({f"dL/db1[{j + 1}]": delta1[j] for j in range(3)})
    grads.update({f"dL/dW2[1,{k + 1}]": r(delta2 * a1[k]) for k in range(3)})
    grads["dL/db2[1]"] = delta2
    return grads


def test_four_digits_kill_every_gradient_of_the_saturated_sheet():
    with mpmath.workdps(40):
        assert all(g == 0 for g in _by_hand(4).values())


def test_the_saturated_sheet_asks_for_enough_digits_and_following_it_works():
    s = symprop.solve(symprop.load(SATURATED))
    facts = s.question_digits
    assert QUESTION_DIGITS < facts.digits <= 12
    assert [name for name, _ in facts.saturated] == ["a2[1]"] and facts.vanishes
    exact = s.answers()
    with mpmath.workdps(40):
        for name, got in _by_hand(facts.digits).items():
            want = mpmath.mpf(decimal(exact[name], 20))
            assert got != 0, name
            assert abs(got - want) <= 0.01 * abs(want), (name, got, want)
        # one digit fewer is not enough: the choice is the smallest that works
        fewer = _by_hand(facts.digits - 1)
        assert any(abs(fewer[n] - mpmath.mpf(decimal(exact[n], 20))) > 0.005 * abs(mpmath.mpf(decimal(exact[n], 20)))
                   for n in fewer)
    tex = s.to_latex(questions=True)
    assert f"decimals to {facts.digits} significant digits otherwise" in tex
    assert r"$a^{(2)}_{1} = 0.9999999887\ldots$ is nearly saturated" in tex
    assert r"$\sigma'(z) = a(1 - a)$ comes out 0" in tex
    assert "Not the usual 4" not in s.to_latex(questions=False)     # the answer sheet asks nothing


@pytest.mark.parametrize("name", ["two_layer_relu", "two_layer_sigmoid", "relu_2_3_1", "circuit",
                                  "skip_connection"])
def test_the_other_examples_keep_four_digits(name):
    s = symprop.solve(symprop.load(EXAMPLES / f"{name}.toml"))
    assert s.question_digits.digits == QUESTION_DIGITS and s.question_digits.saturated == ()
    tex = s.to_latex(questions=True)
    assert "decimals to 4 significant digits otherwise.%" in tex
    assert "Not the usual 4" not in tex


def _tanh(x):
    d = {"title": "tanh", "loss": "half_sse", "steps": 0, "data": {"x": [x], "y": 1},
         "layers": [{"weights": [[-4]], "activation": "tanh"}]}
    return symprop.solve(symprop.Problem.from_dict(d))


def test_a_tanh_near_minus_one_asks_for_more_digits():
    s = _tanh(2)                                   # a = tanh(−8) = −0.99999977…
    facts = s.question_digits
    assert QUESTION_DIGITS < facts.digits < 12 and facts.enough
    assert facts.saturated[0][0] == "a1[1]" and facts.saturated[0][1].startswith("-0.999999")
    assert r"$\tanh'(z) = 1 - a^2$ comes out 0" in s.to_latex(questions=True)


def test_beyond_the_cap_the_sheet_says_to_compute_the_derivative_from_z():
    s = _tanh(3)                                   # 1 − a² ≈ 1.5e-10: 12 digits are not enough
    facts = s.question_digits
    assert facts.digits == 12 and not facts.enough
    tex = s.to_latex(questions=True)
    assert r"even 12 digits do not keep 3 correct digits of it, so compute $\tanh'(z)$ from $z$" in tex
    assert "every answer computed from the rounded" not in tex


def test_symbolic_problems_keep_four_digits():
    d = {"title": "sym", "loss": "half_sse", "steps": 0, "data": {"x": [1], "y": 1},
         "layers": [{"weights": [["w"]], "activation": "sigmoid"}]}
    s = symprop.solve(symprop.Problem.from_dict(d))
    assert s.question_digits.digits == QUESTION_DIGITS
