"""The engine on the cases the seeds don't cover: symbols, training sets, softmax,
kinks, runaway exact numbers, and the JSON contract."""

import os
import subprocess
import sys

import mpmath as mp
import pytest
import sympy as sp

import symprop
from helpers import EXAMPLES, ROOT, close
from oracle import fd_grad, mlp_loss, num


def solve(text):
    return symprop.solve(symprop.loads(text))


def test_fully_symbolic_problem_matches_hand_differentiation():
    """With symbols for weights, gradients are formulas equal to sympy.diff of the written-out loss."""
    s = solve('''
loss = "half_sse"
learning_rate = "eta"
[data]
x = "x0"
y = "t"
[params]
w = "w"
v = "v"
[graph]
h = "sigmoid(w*x)"
o = "v*h"
output = "o"
''')
    w, v, x0, t, eta = sp.symbols("w v x0 t eta", real=True)
    loss = (v / (1 + sp.exp(-w * x0)) - t) ** 2 / 2
    a = s.answers()
    assert sp.simplify(a["dL/dw"] - sp.diff(loss, w)) == 0
    assert sp.simplify(a["dL/dv"] - sp.diff(loss, v)) == 0
    assert sp.simplify(a["w'"] - (w - eta * sp.diff(loss, w))) == 0
    assert "decimal" not in s.to_json()["answers"]["dL/dw"]


TWO_SAMPLES = '''
loss = "half_sse"
reduction = "{reduction}"
learning_rate = 0.5
[[samples]]
x = [1, 0.5]
y = 0.2
[[samples]]
x = [-0.5, 2]
y = 0.9
[[layers]]
weights = [[0.3, -0.2], [0.1, 0.4]]
bias = [0.1, -0.1]
activation = "tanh"
[[layers]]
weights = [[0.7, -0.6]]
bias = [0.05]
activation = "sigmoid"
'''


@pytest.mark.parametrize("reduction, scale", [("mean", mp.mpf(1) / 2), ("sum", mp.mpf(1))])
def test_training_set_reduction(reduction, scale):
    """[[samples]]: the loss and every gradient are the mean (or sum) over samples."""
    a = solve(TWO_SAMPLES.format(reduction=reduction)).answers()
    layers = [([[num("0.3"), num("-0.2")], [num("0.1"), num("0.4")]], [num("0.1"), num("-0.1")], "tanh"),
              ([[num("0.7"), num("-0.6")]], [num("0.05")], "sigmoid")]
    data = [([num(1), num("0.5")], [num("0.2")]), ([num("-0.5"), num(2)], [num("0.9")])]
    total = scale * sum(mlp_loss(layers, x, y, "half_sse") for x, y in data)
    assert close(a["loss"], total)
    assert "sample1.z1[1]" in a and "sample2.loss" in a
    for l, j, k in [(0, 0, 0), (0, 1, 1), (1, 0, 1), (1, 0, None), (0, 1, None)]:
        fd = scale * sum(fd_grad(layers, x, y, "half_sse", l, j, k) for x, y in data)
        name = f"dL/dW{l + 1}[{j + 1},{k + 1}]" if k is not None else f"dL/db{l + 1}[{j + 1}]"
        assert close(a[name], fd, 1e-20), name


def test_softmax_cross_entropy_delta_is_a_minus_y():
    """For softmax + cross-entropy with one-hot targets, δ = a − y (the textbook identity)."""
    a = solve('''
loss = "cross_entropy"
learning_rate = 1
[data]
x = [1, 2]
y = [0, 1, 0]
[[layers]]
weights = [[0.5, -1], [1, 0.25], [0, 0]]
activation = "softmax"
''').answers()
    for j, y in enumerate([0, 1, 0], start=1):
        assert sp.simplify(a[f"delta1[{j}]"] - (a[f"a1[{j}]"] - y)) == 0


@pytest.mark.parametrize("convention, expected", [(0, 0), (1, -1)])
def test_relu_kink_uses_the_declared_convention(convention, expected):
    """At z = 0 exactly, ReLU′ is relu_derivative_at_zero (0 as PyTorch, or 1)."""
    a = solve(f'''
loss = "half_sse"
learning_rate = 1
relu_derivative_at_zero = {convention}
[data]
x = [1, 1]
y = 1
[[layers]]
weights = [[0.5, -0.5]]
activation = "relu"
''').answers()
    assert a["z1[1]"] == 0
    assert a["dL/dW1[1,1]"] == expected


def test_runaway_exact_numbers_stop_with_a_clear_error():
    """Exact rationals that outgrow the limit stop the run with ComputationError, no traceback."""
    with pytest.raises(symprop.ComputationError, match="exact digits"):
        solve('''
loss = "none"
learning_rate = 0.1
steps = 20
[params]
w = 0.9
[data]
x = 1
[graph]
f = "w**4*x"
output = "f"
''')


def test_json_exact_reads_back_and_decimals_match():
    """Exact strings read back in SymPy to the same number; decimals agree with SymPy's evalf."""
    s = symprop.solve(symprop.load(EXAMPLES / "two_layer_sigmoid.toml"))
    data = s.to_json()
    for name, v in data["answers"].items():
        if len(v["exact"]) > 2000:      # the forward pass after the update nests deeply; its
            continue                    # decimals are checked against mpmath in test_examples
        back = sp.sympify(v["exact"], evaluate=False)
        assert abs(mp.mpf(sp.N(back, 40)) - mp.mpf(v["decimal"])) <= abs(mp.mpf(v["decimal"])) * 1e-14, name
    assert set(data) == {"title", "answers", "steps", "final"}
    assert data["steps"][0]["gradients"]["dL/dW1[1,1]"] == data["answers"]["dL/dW1[1,1]"]
    relu = symprop.solve(symprop.load(EXAMPLES / "relu_2_3_1.toml"))
    for name, v in relu.to_json()["answers"].items():
        assert sp.Rational(v["exact"]) == relu.answers()[name]


def test_json_is_identical_under_different_hash_seeds():
    """Output does not depend on PYTHONHASHSEED (canonical printing, ordered dicts)."""
    outputs = set()
    for seed in ("0", "1", "12345", "random"):
        env = dict(os.environ, PYTHONHASHSEED=seed, PYTHONPATH=str(ROOT))
        out = subprocess.run([sys.executable, "-m", "symprop", "solve",
                              str(EXAMPLES / "two_layer_sigmoid.toml"), "--format", "json"],
                             capture_output=True, env=env, check=True, timeout=120).stdout
        outputs.add(out)
    assert len(outputs) == 1


def test_problem_from_dict_in_python():
    """A problem can be built in code from a dict shaped like the file."""
    p = symprop.Problem.from_dict({
        "loss": "none", "steps": 0,
        "data": {"x": -2, "y": 5, "z": -4},
        "graph": {"q": "x + y", "f": "q*z", "output": "f"},
        "gradients_for": ["x", "y", "z"],
    })
    a = symprop.solve(p).answers()
    assert a["f"] == -12 and a["df/dz"] == 3
