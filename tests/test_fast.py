"""The fast path (symprop.fast.kernel) returns exactly what the SymPy engine returns.

Random layered networks, drawn by the same strategy as the PyTorch cross-check
plus the options the fast path handles on its own (several steps, frozen biases,
input gradients, leaky slopes, 0-based names): every step's loss, gradients and
updated parameters, and the loss after the last update, are compared as exact
Rationals or as 30 certified digits. Timings are in benchmarks/, not here.
"""

from decimal import Decimal

import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import symprop
from symprop.fast import kernel as fast
from symprop.model.functions import ACTIVATIONS
from test_crosscheck import layered

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def problems(draw, hidden=("relu", "leaky_relu", "sigmoid", "tanh", "softplus", "identity", "elu")):
    spec = draw(layered(hidden=hidden))
    rational = all(ACTIVATIONS[l["activation"]].rational for l in spec["layers"])
    # two steps of a closed-form net nest the network twice: slow on the SymPy side only,
    # so the random draw keeps them for rational nets (a fixed test below has one)
    spec["steps"] = draw(st.sampled_from([0, 1, 1, 2] if rational else [0, 1]))
    spec["update_biases"] = draw(st.booleans())
    spec["index_base"] = draw(st.sampled_from([0, 1]))
    spec["leaky_slope"] = draw(st.sampled_from(["1/100", "1/5"]))
    if draw(st.booleans()):
        spec["gradients_for"] = ["x"]
    return spec


def both(spec, digits=30):
    problem = symprop.Problem.from_dict(spec)
    return (symprop.gradients(problem, digits, engine="fast"),
            symprop.gradients(problem, digits, engine="sympy"))


def assert_same(f, s):
    assert f.engine == "fast" and s.engine == "sympy"
    assert len(f.steps) == len(s.steps)
    for a, b in zip(f.steps, s.steps):
        assert a.loss == b.loss
        assert a.gradients == b.gradients
        assert a.params_after == b.params_after
        assert list(a.gradients) == list(b.gradients)           # the lazy view's order too
        # the per-parameter Tensors (exact Fractions or certified Decimals) hold the same values
        for mine, theirs in ((a.tensors, b.tensors), (a.tensors_after, b.tensors_after)):
            for name, t in theirs.items():
                assert mine[name].shape == t.shape and mine[name].values() == t.values(), name
    assert f.final_loss == s.final_loss


@SETTINGS
@given(problems())
def test_fast_path_equals_sympy_path_on_random_networks(spec):
    problem = symprop.Problem.from_dict(spec)
    try:
        f = symprop.gradients(problem, engine="fast")
    except fast.Unsupported as exc:
        # a closed form that is exactly 0 by cancellation, or log(0) after an update:
        # "auto" hands the problem to the SymPy engine, which certifies 0 or says why
        assert "exactly 0" in str(exc) or "finite" in str(exc), exc
        try:
            g = symprop.gradients(problem)
        except symprop.ComputationError:
            return
        assert g.engine == "sympy"
        return
    assert_same(f, symprop.gradients(problem, engine="sympy"))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(hidden=("relu", "leaky_relu", "identity")))
def test_rational_networks_are_exact_on_both_paths(spec):
    """Piecewise-linear nets with rational losses: every value a Rational, equal."""
    spec["layers"][-1]["activation"] = "identity"
    if spec["loss"] in ("bce", "cross_entropy"):
        spec["loss"] = "half_sse"
        for s in spec["samples"]:
            s["y"] = ["1/2"] * len(s["y"])
    f, s = both(spec)
    values = [f.loss, *f.gradients.values(), *(v for st_ in f.steps for v in st_.params_after.values())]
    assert all(isinstance(v, sp.Rational) for v in values)
    assert_same(f, s)


def kink_spec(convention, out="identity", loss="half_sse"):
    # z1[1] = 1/2·1 − 1/2·1 = 0 exactly: the kink; z1[2] = 3/10 + (−3/10) = 0 too (with a bias)
    return {"loss": loss, "learning_rate": "1/10", "relu_derivative_at_zero": convention,
            "data": {"x": ["1", "1"], "y": ["1/4"]},
            "layers": [{"weights": [["1/2", "-1/2"], ["3/10", "0"]], "bias": ["0", "-3/10"],
                        "activation": "relu"},
                       {"weights": [["2", "-1"]], "bias": ["1/3"], "activation": out}]}


@pytest.mark.parametrize("convention", [0, 1])
@pytest.mark.parametrize("out,loss", [("identity", "half_sse"), ("sigmoid", "bce"), ("tanh", "l1")])
def test_kinks_at_exactly_zero_follow_the_convention(convention, out, loss):
    """The layers before the first transcendental step stay exact, so an exact 0 is decided
    with the declared ReLU′(0) even when the output is a closed form."""
    f, s = both(kink_spec(convention, out, loss))
    assert_same(f, s)
    # ReLU′(0) = convention: the first unit's weights get a gradient only when it is 1
    assert (f.gradients["W1[1,1]"] != 0) == (convention == 1)


def test_relu_after_a_sigmoid_layer_decides_signs_by_certified_balls():
    spec = {"loss": "half_sse", "learning_rate": "1/2", "steps": 2,
            "data": {"x": ["1", "-2"], "y": ["1", "0"]},
            "layers": [{"weights": [["1/2", "1"], ["-1", "1/3"]], "activation": "sigmoid"},
                       {"weights": [["1", "-1"], ["-1", "1"]], "bias": ["0", "0"], "activation": "relu"},
                       {"weights": [["1", "2"], ["3", "-1"]], "activation": "identity"}]}
    f, s = both(spec)
    assert_same(f, s)
    assert isinstance(f.loss, Decimal)


def test_digits_are_certified_not_just_computed():
    """σ′ at a saturated unit: 1 − σ(40) ≈ 4.2e-18 loses 17 digits to cancellation in a
    naive evaluation; the balls keep all 40 digits asked for."""
    spec = {"loss": "half_sse", "learning_rate": "1", "data": {"x": ["40"], "y": ["1"]},
            "layers": [{"weights": [["1"]], "activation": "sigmoid"}]}
    f, s = both(spec, digits=40)
    assert_same(f, s)
    exact = 1 / (1 + sp.exp(-40))
    expected = sp.N((exact - 1) * exact * (1 - exact) * 40, 60)
    assert abs(Decimal(str(expected)) - f.gradients["W1[1,1]"]) < Decimal("1e-70")


def test_a_4_32_32_4_net_where_float64_takes_the_wrong_side_of_a_kink():
    """The issue's example: one-decimal weights, a pre-activation exactly 0 that float64
    puts at ±1e-16. Both exact paths agree on every one of the 1,316 gradients."""
    import random
    rng = random.Random(6)
    def dec():
        return str(sp.Rational(rng.randint(-9, 9), 10))
    sizes = [4, 32, 32, 4]
    layers = [{"weights": [[dec() for _ in range(c)] for _ in range(r)], "bias": [dec() for _ in range(r)],
               "activation": "relu" if i < 2 else "identity"}
              for i, (r, c) in enumerate(zip(sizes[1:], sizes[:-1]))]
    # force an exact zero that float64 misses: z1[1] = 0.1·1 + 0.2·1 − 0.3·1 + 0·x4 + 0
    layers[0]["weights"][0] = ["1/10", "2/10", "-3/10", "0"]
    layers[0]["bias"][0] = "0"
    spec = {"loss": "half_sse", "learning_rate": "1/10", "relu_derivative_at_zero": 0,
            "data": {"x": ["1", "1", "1", "1/2"], "y": ["1", "0", "-1", "1/2"]}, "layers": layers}
    x = [1.0, 1.0, 1.0, 0.5]
    assert sum(float(sp.Rational(w)) * xi for w, xi in zip(layers[0]["weights"][0], x)) != 0   # float64
    f, s = both(spec)
    assert len(f.gradients) == 4 * 32 + 32 + 32 * 32 + 32 + 32 * 4 + 4
    assert_same(f, s)
    assert all(f.gradients[f"W1[1,{k}]"] == 0 for k in range(1, 5))   # the dead unit


def test_auto_falls_back_to_the_sympy_engine():
    graph = symprop.load("examples/skip_connection.toml")
    assert symprop.gradients(graph).engine == "sympy"
    with pytest.raises(fast.Unsupported):
        symprop.gradients(graph, engine="fast")
    symbolic = {"loss": "half_sse", "learning_rate": "eta", "data": {"x": ["1"], "y": ["0"]},
                "layers": [{"weights": [["w"]], "activation": "identity"}]}
    g = symprop.gradients(symprop.Problem.from_dict(symbolic))
    assert g.engine == "sympy" and g.gradients["W1[1,1]"] == sp.Symbol("w", real=True)
    assert symprop.gradients(symprop.load("examples/two_layer_relu.toml")).engine == "fast"


@pytest.mark.parametrize("act", ["tanh", "relu"])
def test_loss_none_differentiates_a_layered_nets_output(act):
    """Regression: a layered net with loss = "none" crashed the SymPy engine's tape."""
    spec = {"loss": "none", "learning_rate": "1/10", "data": {"x": ["1", "2"]},
            "layers": [{"weights": [["1/2", "-1/3"]], "bias": ["1/5"], "activation": act}]}
    f, s = both(spec)
    assert_same(f, s)
    if act == "relu":           # z = 1/30 > 0: d out/d W1 = x
        assert f.gradients == {"W1[1,1]": 1, "W1[1,2]": 2, "b1[1]": 1}
