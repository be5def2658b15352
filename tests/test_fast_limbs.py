"""The fast path on limbs.L (numpy int64 limbs, kernel._limbs) returns exactly what the
SymPy engine returns, and exactly what the flint path returns.

kernel.py reads a large piecewise-linear problem with a squared-error loss into
limbs.L; here the size threshold is lowered so that the random networks of
test_fast.py (every option: several steps, frozen biases, input gradients, leaky
slopes, both ReLU′(0) conventions, mean and sum) run on limbs, and each run is
checked against the SymPy engine (the reference) and the flint matrices."""

import contextlib
import random
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("numpy", reason="limbs.L needs numpy (pip install numpy)")
pytest.importorskip("flint", reason="the fast path needs python-flint")

import symprop  # noqa: E402
from symprop.fast import kernel, limbs  # noqa: E402
from helpers import large_relu_problem as large_problem  # noqa: E402
from test_fast import assert_same, problems  # noqa: E402


@contextlib.contextmanager
def threshold(n):
    saved = kernel.LIMBS_FROM
    kernel.LIMBS_FROM = n
    try:
        yield
    finally:
        kernel.LIMBS_FROM = saved


def on_limbs(problem, **kw):
    """symprop.gradients on limbs.L (asserted), with a fresh read of the problem."""
    kernel.forget(problem)
    with threshold(0):
        g = symprop.gradients(problem, engine="fast", **kw)
    kernel.forget(problem)
    assert isinstance(g.source.run.steps[0].grads[0][0], limbs.L)
    return g


def on_flint(problem):
    kernel.forget(problem)
    with threshold(10**12):
        g = symprop.gradients(problem, engine="fast")
    kernel.forget(problem)
    assert not isinstance(g.source.run.steps[0].grads[0][0], limbs.L)
    return g


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(hidden=("relu", "leaky_relu", "identity")), st.sampled_from(["mse", "sse", "half_sse"]))
def test_limbs_equal_the_sympy_engine_on_random_piecewise_linear_nets(spec, loss):
    spec["layers"][-1]["activation"] = "identity"
    spec["loss"] = loss
    for s in spec["samples"]:
        s["y"] = s["y"][:len(spec["layers"][-1]["weights"])]
    problem = symprop.Problem.from_dict(spec)
    assert_same(on_limbs(problem), symprop.gradients(problem, engine="sympy"))


def _dyadic(rng, bits=53):
    """A float-like value: an odd mantissa of `bits` bits over 2^(40..70)."""
    return f"{(rng.getrandbits(bits) | 1) - (1 << (bits - 1))}/{1 << rng.randint(40, 70)}"


@pytest.mark.parametrize("reduction,act,steps", [("mean", "relu", 0), ("sum", "relu", 1),
                                                 ("mean", "leaky_relu", 1)])
def test_a_batch_of_float_sized_values_on_limbs_equals_flint_and_sympy(reduction, act, steps):
    """Numerators far beyond int64 (the Python-int route into limbs), a batch of 12."""
    rng = random.Random(f"{reduction}{act}{steps}")
    sizes = [3, 5, 4, 2]
    layers = [{"weights": [[_dyadic(rng) for _ in range(c)] for _ in range(r)],
               "bias": [_dyadic(rng) for _ in range(r)],
               "activation": act if i < len(sizes) - 2 else "identity"}
              for i, (r, c) in enumerate(zip(sizes[1:], sizes[:-1]))]
    samples = [{"x": [_dyadic(rng) for _ in range(3)], "y": [_dyadic(rng) for _ in range(2)]}
               for _ in range(12)]
    spec = {"loss": "mse", "reduction": reduction, "learning_rate": "1/8", "steps": steps,
            "samples": samples, "layers": layers, "gradients_for": ["x"]}
    problem = symprop.Problem.from_dict(spec)
    fast = on_limbs(problem)
    assert_same(fast, symprop.gradients(problem, engine="sympy"))
    flint_run = on_flint(problem)
    for a, b in zip(fast.steps, flint_run.steps):
        assert a.loss == b.loss and a.gradients == b.gradients and a.params_after == b.params_after


def test_a_large_net_takes_the_limbs_by_itself_and_agrees_with_flint():
    """No threshold changed: every Tensor equal to the flint path's, the kink decided."""
    problem = large_problem()
    g = symprop.gradients(problem)
    assert isinstance(g.source.run.steps[0].grads[0][0], limbs.L)
    assert g.source.run.steps[0].pre[0].fraction(0) == 0          # unit 1, sample 1: the kink
    ref = on_flint(problem)
    assert g.loss == ref.loss
    for name in g.names:
        assert g.grad(name).values() == ref.grad(name).values(), name
        assert g.grad(name).to_fmpq() == ref.grad(name).to_fmpq()


NO_NUMPY = r"""
import json, sys
sys.modules["numpy"] = None                      # import numpy raises ImportError
sys.path.insert(0, sys.argv[1])
import symprop
from helpers import large_relu_problem
g = symprop.gradients(large_relu_problem())
print(json.dumps({"kind": type(g.source.run.steps[0].grads[0][0]).__name__,
                  "loss": str(g.loss), "W1": [str(v) for v in g.grad("W1").values()]}))
"""


def test_without_numpy_the_flint_matrices_give_the_same_values():
    import json
    import os
    import subprocess
    import sys
    here = os.path.dirname(os.path.abspath(__file__))
    out = subprocess.run([sys.executable, "-c", NO_NUMPY, here], capture_output=True, text=True,
                         check=True, timeout=300).stdout
    got = json.loads(out)
    g = symprop.gradients(large_problem())
    assert isinstance(g.source.run.steps[0].grads[0][0], limbs.L) and got["kind"] == "Q"
    assert got["loss"] == str(g.loss) and got["W1"] == [str(v) for v in g.grad("W1").values()]
