"""The result types of symprop.gradients (symprop/fast/results.py): per-parameter Tensors
and the lazy flat-name view hold exactly what the SymPy engine returns.

Random layered networks (the strategy of tests/test_fast.py): every Tensor entry of every
step, gradient and updated parameter, equals the SymPy engine's value of the same flat
name; conversions (to_sympy, to_fmpq, floats) are checked against SymPy's own arithmetic.
"""

from decimal import Decimal
from fractions import Fraction

import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings

import symprop
from symprop.fast import kernel as fast
from test_fast import problems

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def as_sympy(v):
    return sp.Rational(v.numerator, v.denominator) if isinstance(v, Fraction) else v


def tensor_entries(problem, tensor, flat):
    """The Tensor's entries (row-major) beside the SymPy engine's values of its flat names."""
    return [as_sympy(v) for v in tensor.values()], [flat[n] for n in names_of(problem, tensor.name, flat)]


def names_of(problem, stem, flat):
    """The flat names of one matrix, row-major; a0 (samples × inputs) spelled here."""
    if stem == "a0":
        count, base = len(problem.samples), problem.index_base
        prefix = (lambda p: "") if count == 1 else (lambda p: f"sample{p + 1}.")
        return [f"{prefix(p)}a0[{k + base}]" for p in range(count) for k in range(problem.network.sizes[0])]
    return [n for n in flat if n.partition("[")[0] == stem]


@SETTINGS
@given(problems())
def test_tensors_hold_the_sympy_engines_values(spec):
    problem = symprop.Problem.from_dict(spec)
    try:
        f = symprop.gradients(problem, engine="fast")
    except fast.Unsupported:
        return                                   # handed to the SymPy engine (test_fast.py)
    s = symprop.gradients(problem, engine="sympy")
    for fs, ss in zip(f.steps, s.steps):
        assert set(fs.tensors) == set(ss.tensors) | ({"a0"} if "x" in problem.gradients_for else set())
        for name, tensor in fs.tensors.items():
            got, want = tensor_entries(problem, tensor, ss.gradients)
            assert got == want, name
            assert tensor.size == len(want)
        for name, tensor in fs.tensors_after.items():
            got, want = tensor_entries(problem, tensor, ss.params_after)
            assert got == want, name
        # the flat view: same length without spelling a name, same items, same order
        view = fs.gradients
        assert len(view) == len(ss.gradients)
        assert list(view) == list(ss.gradients) and dict(view) == ss.gradients


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(hidden=("relu", "leaky_relu", "identity")))
def test_exact_tensors_convert_without_rounding(spec):
    spec["layers"][-1]["activation"] = "identity"
    if spec["loss"] in ("bce", "cross_entropy"):
        spec["loss"] = "half_sse"
        for s in spec["samples"]:
            s["y"] = ["1/2"] * len(s["y"])
    problem = symprop.Problem.from_dict(spec)
    g = symprop.gradients(problem)
    ref = symprop.gradients(problem, engine="sympy")
    for name in g.names:
        t = g.grad(name)
        assert t.exact
        m = t.to_fmpq()
        values = [Fraction(int(e.p), int(e.q)) for e in m.entries()]
        assert values == t.values()
        assert list(t.to_sympy()) == [ref.gradients[n] for n in names_of(problem, name, ref.gradients)]
        # floats are the correctly rounded values: SymPy's 60-digit evaluation rounded once
        flat = [x for row in t.floats() for x in row] if len(t.shape) == 2 else t.floats()
        assert flat == [float(sp.N(as_sympy(v), 60)) for v in t.values()]


def spec_sigmoid():
    return {"loss": "half_sse", "learning_rate": "1/10", "steps": 2,
            "data": {"x": ["1", "-1/2", "3/10"], "y": ["1/4", "3/4"]},
            "layers": [{"weights": [["1/2", "-1/5", "1"], ["0", "1/3", "-1"]], "bias": ["0", "1/10"],
                        "activation": "sigmoid"},
                       {"weights": [["1", "-1"], ["2", "1/2"]], "bias": ["0", "0"], "activation": "tanh"}]}


def test_a_tensor_of_closed_forms_holds_certified_decimals():
    problem = symprop.Problem.from_dict(spec_sigmoid())
    g, s = symprop.gradients(problem, digits=40), symprop.gradients(problem, digits=40, engine="sympy")
    w1 = g.grad("W1")
    assert w1.shape == (2, 3) and not w1.exact and repr(w1) == "<Tensor W1 (2×3), certified to 40 digits>"
    assert isinstance(w1[0, 0], Decimal)
    assert w1[1, 2] == s.gradients["W1[2,3]"] == w1[-1, -1]
    assert g.grad("b2").shape == (2,) and g.grad("b2")[1] == s.gradients["b2[2]"]
    assert g.grad("W1", step=2).values() == [s.steps[1].gradients[n] for n in names_of(problem, "W1", s.gradients)]
    assert g.after("W2", step=2)[0, 1] == s.steps[1].params_after["W2[1,2]"]
    m = w1.to_sympy()
    assert m.shape == (2, 3) and abs(m[0, 0] - sp.Float(str(w1[0, 0]), 40)) == 0
    with pytest.raises(ValueError, match="closed forms"):
        w1.to_fmpq()
    with pytest.raises(IndexError):
        w1[2, 0]
    with pytest.raises(KeyError, match="known: W1, b1, W2, b2"):
        g.grad("W3")


def test_nothing_is_converted_or_spelled_until_asked():
    problem = symprop.Problem.from_dict(spec_sigmoid())
    g = symprop.gradients(problem)
    view = g.steps[0].gradients
    assert view._index is None and not view._cache            # no flat name spelled yet
    assert len(view) == 2 * 3 + 2 + 2 * 2 + 2 and view._index is None
    assert g.grad("W1")._values is None                       # no entry converted yet
    v = view["W2[1,1]"]
    assert view._index is not None and set(view._cache) == {"W2[1,1]"}
    assert v == symprop.gradients(problem, engine="sympy").gradients["W2[1,1]"]
    with pytest.raises(KeyError):
        view["W9[1,1]"]


def test_input_gradients_are_a_tensor_too():
    spec = spec_sigmoid()
    spec["samples"] = [{"x": ["1", "0", "1/2"], "y": ["0", "1"]}, {"x": ["-1", "1", "0"], "y": ["1", "0"]}]
    del spec["data"]
    spec["gradients_for"] = ["x"]
    spec["steps"] = 0
    del spec["learning_rate"]
    problem = symprop.Problem.from_dict(spec)
    g, s = symprop.gradients(problem), symprop.gradients(problem, engine="sympy")
    a0 = g.grad("a0")
    assert a0.shape == (2, 3)                                # samples × inputs, as torch's x.grad
    assert a0[1, 2] == s.gradients["sample2.a0[3]"]
    assert g.gradients == s.gradients


def test_the_sympy_engine_gives_tensors_as_well():
    p = symprop.load("examples/relu_2_3_1.toml")              # index_base 0 there
    s = symprop.gradients(p, engine="sympy")
    f = symprop.gradients(p)
    assert s.names == f.names
    for name in f.names:
        assert s.grad(name).values() == f.grad(name).values()
        assert s.grad(name).shape == f.grad(name).shape
    graph = symprop.gradients(symprop.load("examples/skip_connection.toml"))
    assert graph.engine == "sympy" and graph.names == []
