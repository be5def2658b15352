"""symprop.core.derive: the adjoint equations, substituted back, equal sympy.diff of the composed loss,
and their size grows linearly with depth (the δ symbols are not re-expanded)."""

import random

import pytest
import sympy as sp

import symprop
from symprop.core.tape import build_tape
from symprop.core.verify import composed_loss


def chain(depth, act="sigmoid"):
    return {"loss": "half_sse", "learning_rate": "eta", "data": {"x": ["x"], "y": ["y"]},
            "layers": [{"weights": [[f"w{l}"]], "bias": [f"b{l}"], "activation": act}
                       for l in range(1, depth + 1)]}


def mlp(depth, width, act="tanh"):
    return {"loss": "mse", "learning_rate": "eta",
            "data": {"x": [f"x{k}" for k in range(width)], "y": [f"y{k}" for k in range(width)]},
            "layers": [{"weights": [[f"w{l}_{j}_{k}" for k in range(width)] for j in range(width)],
                        "bias": [f"b{l}_{j}" for j in range(width)], "activation": act}
                       for l in range(1, depth + 1)]}


@pytest.mark.parametrize("spec", [chain(3), chain(2, "softplus"), mlp(2, 2), mlp(2, 2, "sigmoid")])
def test_expanded_equations_equal_sympy_diff_of_the_composed_loss(spec):
    problem = symprop.Problem.from_dict(spec)
    derivation = symprop.derive(problem)
    tape = build_tape(problem)
    loss = composed_loss(tape)
    rng = random.Random(3)
    point = {s: sp.Rational(rng.randint(-9, 9), 7) for s in loss.free_symbols}
    for name, expr in derivation.gradients.items():
        direct = sp.diff(loss, tape.symbols[name]).xreplace(point)
        mine = derivation.expand(name).xreplace(point)
        assert abs(sp.N(mine - direct, 50)) < sp.Float("1e-40"), name


def test_equations_refer_to_delta_symbols():
    d = symprop.derive(symprop.Problem.from_dict(chain(3)))
    delta2 = sp.Symbol("delta2[1]", real=True)
    assert d.gradients["W2[1,1]"] == sp.Symbol("a1[1]", real=True) * delta2
    dl_da1 = dict(d.backward)[sp.Symbol("dL/da1[1]", real=True)]
    assert dl_da1 == sp.Symbol("W2[1,1]", real=True) * delta2


def test_size_grows_linearly_with_depth():
    sizes = [symprop.derive(symprop.Problem.from_dict(chain(d))).size() for d in (2, 4, 8)]
    assert sizes[2] - sizes[1] == 2 * (sizes[1] - sizes[0])          # constant per layer
    wide = [symprop.derive(symprop.Problem.from_dict(mlp(d, 3))).size() for d in (1, 2, 3)]
    assert wide[2] - wide[1] == wide[1] - wide[0]
