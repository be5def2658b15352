"""Correctness three ways: against PyTorch's autograd (float64), against high-precision
finite differences (mpmath), and against sympy.diff of the composed loss on random graphs."""

import warnings
from fractions import Fraction

import mpmath as mp
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import symprop
from oracle import fd_grad, num
from symprop.model.numeric import decimal
from symprop.core.verify import verify

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    try:
        import torch
    except ImportError:          # optional: .ci/run installs it
        torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch not installed: "
                                 "pip install torch==2.13.0 (.ci/run does)")
SLOW = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
VALUES = st.sampled_from(["0", "1/2", "-1/2", "1", "-1", "3/10", "-7/10", "2", "1/3", "-5/4"])

PAIRS = [("identity", "half_sse"), ("relu", "sse"), ("leaky_relu", "mse"), ("tanh", "l1"),
         ("sigmoid", "bce"), ("softplus", "half_sse"), ("softmax", "cross_entropy")]


@st.composite
def layered(draw, hidden=("relu", "leaky_relu", "sigmoid", "tanh", "softplus", "identity")):
    sizes = draw(st.lists(st.integers(1, 4), min_size=2, max_size=4))
    out_act, loss = draw(st.sampled_from(PAIRS))
    if out_act == "softmax" and sizes[-1] < 2:
        sizes[-1] = 2
    layers = []
    for i, (rows, cols) in enumerate(zip(sizes[1:], sizes[:-1])):
        act = out_act if i == len(sizes) - 2 else draw(st.sampled_from(hidden))
        layer = {"weights": [[draw(VALUES) for _ in range(cols)] for _ in range(rows)], "activation": act}
        if draw(st.booleans()):
            layer["bias"] = [draw(VALUES) for _ in range(rows)]
        layers.append(layer)
    n = sizes[-1]
    if loss == "cross_entropy":
        hot = draw(st.integers(0, n - 1))
        y = [1 if j == hot else 0 for j in range(n)]
    elif loss == "bce":
        y = [draw(st.sampled_from(["0", "1", "1/4", "3/4"])) for _ in range(n)]
    else:
        y = [draw(VALUES) for _ in range(n)]
    samples = [{"x": [draw(VALUES) for _ in range(sizes[0])], "y": y}
               for _ in range(draw(st.integers(1, 2)))]
    return {"loss": loss, "learning_rate": "1/10", "steps": 1,
            "relu_derivative_at_zero": draw(st.sampled_from([0, 1])),
            "reduction": draw(st.sampled_from(["mean", "sum"])),
            "samples": samples, "layers": layers}


def _f(text):
    return float(Fraction(str(text)))


TORCH_ACT = {
    "identity": lambda z: z, "relu": lambda z: torch.relu(z),
    "leaky_relu": lambda z: torch.nn.functional.leaky_relu(z, 0.01),
    "sigmoid": lambda z: torch.sigmoid(z), "tanh": lambda z: torch.tanh(z),
    "softplus": lambda z: torch.nn.functional.softplus(z), "softmax": lambda z: torch.softmax(z, 0),
}


def _torch_loss(a, y, loss):
    if loss == "half_sse":
        return ((a - y) ** 2).sum() / 2
    if loss == "sse":
        return ((a - y) ** 2).sum()
    if loss == "mse":
        return ((a - y) ** 2).mean()
    if loss == "l1":
        return (a - y).abs().sum()
    if loss == "bce":
        return -(y * torch.log(a) + (1 - y) * torch.log(1 - a)).sum()
    return -(y * torch.log(a)).sum()


def torch_gradients(spec):
    """Loss and gradients of every weight and bias from torch.autograd, float64."""
    params = []
    for layer in spec["layers"]:
        W = torch.tensor([[_f(w) for w in row] for row in layer["weights"]], dtype=torch.float64,
                         requires_grad=True)
        b = (torch.tensor([_f(v) for v in layer["bias"]], dtype=torch.float64, requires_grad=True)
             if "bias" in layer else None)
        params.append((W, b, layer["activation"]))
    losses, pre = [], []
    for sample in spec["samples"]:
        a = torch.tensor([_f(v) for v in sample["x"]], dtype=torch.float64)
        for W, b, act in params:
            z = W @ a + (b if b is not None else 0)
            pre.append(z.detach())
            a = TORCH_ACT[act](z)
        losses.append(_torch_loss(a, torch.tensor([_f(v) for v in sample["y"]], dtype=torch.float64),
                                  spec["loss"]))
    total = sum(losses) / (len(losses) if spec["reduction"] == "mean" else 1)
    total.backward()
    grads = {}
    for l, (W, b, _) in enumerate(params, start=1):
        for j in range(W.shape[0]):
            for k in range(W.shape[1]):
                grads[f"dL/dW{l}[{j + 1},{k + 1}]"] = W.grad[j, k].item()
            if b is not None:
                grads[f"dL/db{l}[{j + 1}]"] = b.grad[j].item()
    return total.item(), grads, pre


def _agree(d, approx, rel=1e-12):
    """d: symprop's decimal (a string: a failing assert must not print a closed form)."""
    d = float(d)
    return abs(d - approx) <= rel * max(abs(d), abs(approx)) + 1e-13


@needs_torch
@SLOW
@given(layered())
def test_decimals_agree_with_pytorch_away_from_kinks(spec):
    loss, grads, pre = torch_gradients(spec)
    kinked = any(a["activation"] in ("relu", "leaky_relu") for a in spec["layers"]) or spec["loss"] == "l1"
    if kinked:
        assume(all(abs(v) > 1e-9 for z in pre for v in z.tolist()))
    assume(all(abs(g) < 1e12 for g in grads.values()) and abs(loss) < 1e12)
    answers = symprop.solve(symprop.Problem.from_dict(spec)).answers()
    got = {name: decimal(answers[name], 20) for name in ["loss", *grads]}
    del answers
    assert _agree(got["loss"], loss), (got["loss"], loss)
    for name, g in grads.items():
        assert _agree(got[name], g), (name, got[name], g)


@needs_torch
def test_at_a_kink_float64_and_exact_part_ways():
    """z = 0.1·1 + 0.2·1 − 0.3·1 is exactly 0; float64 makes it 5.55e-17 > 0 and takes
    ReLU′ = 1, while symprop applies the declared convention ReLU′(0) = 0."""
    spec = {"loss": "half_sse", "learning_rate": 1, "steps": 0,
            "data": {"x": [1, 1, 1], "y": [1]},
            "layers": [{"weights": [["0.1", "0.2", "-0.3"]], "activation": "relu"},
                       {"weights": [["1"]], "bias": ["1/2"], "activation": "identity"}]}
    _, grads, pre = torch_gradients({**spec, "samples": [spec["data"]], "reduction": "mean"})
    assert pre[0].item() > 0                                    # float64's side of the kink
    a = symprop.solve(symprop.Problem.from_dict(spec)).answers()
    assert a["z1[1]"] == 0 and a["dL/dW1[1,1]"] == 0            # the declared ReLU′(0) = 0
    assert grads["dL/dW1[1,1]"] != 0                            # torch: (0.5 − 1)·1·1·1


@SLOW
@given(layered(hidden=("sigmoid", "tanh", "softplus")))
def test_smooth_nets_against_high_precision_finite_differences(spec):
    smooth = ("identity", "sigmoid", "tanh", "softplus")      # finite differences need no kinks
    assume(spec["loss"] in ("half_sse", "sse", "mse") and spec["layers"][-1]["activation"] in smooth)
    layers = [([[num(w) for w in row] for row in L["weights"]], [num(v) for v in L.get("bias", [])] or None,
               L["activation"]) for L in spec["layers"]]
    answers = symprop.solve(symprop.Problem.from_dict(spec)).answers()
    scale = mp.mpf(1) / len(spec["samples"]) if spec["reduction"] == "mean" else 1
    for l, (W, b, _) in enumerate(layers):
        fd = scale * sum(fd_grad(layers, [num(v) for v in s["x"]], [num(v) for v in s["y"]],
                                 spec["loss"], l, 0, 0) for s in spec["samples"])
        got = mp.mpf(decimal(answers[f"dL/dW{l + 1}[1,1]"], 40))
        assert abs(got - fd) <= mp.mpf(10) ** -30 * max(1, abs(fd)), (l, str(got), str(fd))


NAMES = ["u", "v", "w"]
OPS = ["{a} + {b}", "{a}*{b}", "{a} - {b}", "relu({a})", "sigmoid({a})", "tanh({a})", "max({a}, {b})",
       "{a}*{a}", "softplus({a})", "abs({a})", "exp({a}/4)", "leaky_relu({a})", "min({a}, {b})"]


@st.composite
def graphs(draw):
    params = {n: draw(VALUES) for n in NAMES}
    data = {"x": draw(VALUES), "t": draw(VALUES)}
    scope, nodes = list(params) + ["x", "t"], {}
    for i in range(draw(st.integers(1, 5))):
        op = draw(st.sampled_from(OPS))
        nodes[f"n{i}"] = op.format(a=draw(st.sampled_from(scope)), b=draw(st.sampled_from(scope)))
        scope.append(f"n{i}")
    nodes["output"] = f"n{len(nodes) - 1}"
    loss = draw(st.sampled_from(["half_sse", "l1", "none"]))
    data_ = dict(data)
    if loss != "none":
        data_["y"] = draw(VALUES)
    return {"loss": loss, "learning_rate": "1/2", "steps": 1, "params": params, "data": data_,
            "graph": nodes, "relu_derivative_at_zero": draw(st.sampled_from([0, 1])),
            "gradients_for": ["x"]}


@SLOW
@given(graphs())
def test_random_graphs_sweep_equals_sympy_diff(spec):
    """Fan-out, shared nodes and every graph function, kinks at exactly 0 included."""
    solution = symprop.solve(symprop.Problem.from_dict(spec))
    checks = verify(solution)
    assert all(c.ok for c in checks), [(c.name, c.sweep, c.direct) for c in checks if not c.ok]
