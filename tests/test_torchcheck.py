"""symprop.from_torch and symprop.gradcheck (symprop/fast/torchcheck.py).

Expected values come from outside the code under test: exact Fraction arithmetic
written here (forward passes, pre-activations), the SymPy engine, and torch's own
tensors. torch is optional: every test that needs it is skipped, with the reason,
when it is not installed (`pip install symprop[torch]`).
"""

import subprocess
import sys
import warnings
from fractions import Fraction

import pytest
import sympy as sp

import symprop

torch = pytest.importorskip("torch", reason="PyTorch is not installed (pip install symprop[torch])")
nn = torch.nn
warnings.filterwarnings("ignore", message="Failed to initialize NumPy")


def tenths(shape, gen):
    return torch.randint(-9, 10, shape, generator=gen).double() / 10


def one_decimal_net(sizes, seed, act=nn.ReLU):
    """An nn.Sequential with one-decimal float64 weights (e.g. 0.3, as float64 holds it)."""
    gen = torch.Generator().manual_seed(seed)
    mods = []
    for i, (m, n) in enumerate(zip(sizes[:-1], sizes[1:])):
        lin = nn.Linear(m, n).double()
        with torch.no_grad():
            lin.weight.copy_(tenths((n, m), gen))
            lin.bias.copy_(tenths((n,), gen))
        mods.append(lin)
        if i < len(sizes) - 2:
            mods.append(act())
    return nn.Sequential(*mods)


def exact(t):
    return [[Fraction(v) for v in row] for row in t.tolist()]


def test_import_symprop_does_not_import_torch():
    code = "import sys, symprop; symprop.from_torch; symprop.gradcheck; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_float64_weights_convert_exactly_into_a_normal_problem():
    net = one_decimal_net([3, 4, 2], seed=1)
    x = torch.tensor([[0.1, -0.7, 0.3]], dtype=torch.float64)
    y = torch.tensor([[0.5, -0.2]], dtype=torch.float64)
    p = symprop.from_torch(net, x, y, loss="mse")
    assert isinstance(p, symprop.Problem) and p.is_layered and p.network.sizes == (3, 4, 2)
    assert [l.activation for l in p.network.layers] == ["relu", "identity"]
    w = net[0].weight.tolist()
    for j in range(4):
        for k in range(3):
            # the float, not the decimal it was typed as: 0.3 is 5404319552844595/2^54
            assert p.network.layers[0].weights[j][k] == sp.Rational(*w[j][k].as_integer_ratio())
    assert p.samples[0].inputs[0][1][0] == sp.Rational(*(0.1).as_integer_ratio()) != sp.Rational(1, 10)
    assert p.relu_derivative_at_zero == 0 and p.steps == 0


def test_float32_models_convert_exactly():
    net = one_decimal_net([2, 3, 1], seed=2).float()
    x = torch.tensor([[0.1, 0.2]], dtype=torch.float32)
    p = symprop.from_torch(net, x, torch.tensor([[0.3]]), loss="half_sse")
    w = net[0].weight[0, 0].item()                      # a float32 value, as a Python float
    assert p.network.layers[0].weights[0][0] == sp.Rational(*w.as_integer_ratio())
    assert p.samples[0].inputs[0][1][0] == sp.Rational(13421773, 134217728)     # float32(0.1), exactly
    report = symprop.gradcheck(net, x, torch.tensor([[0.3]]), loss="half_sse")
    assert report.dtype == "float32"
    for check in report.parameters.values():           # float32 autograd: ~1e-7 relative
        scale = max(abs(float(v)) for v in check.exact.values()) or 1
        assert check.max_abs_error <= 1e-5 * scale


def forward_exact(net_layers, x_rows, acts):
    """Fraction arithmetic, independent of symprop: per sample, every layer's z and a."""
    out = []
    for xs in x_rows:
        a, zs = xs, []
        for (w, b), act in zip(net_layers, acts):
            z = [sum((wjk * ak for wjk, ak in zip(row, a)), Fraction(0)) + bj for row, bj in zip(w, b)]
            zs.append(z)
            a = [max(v, Fraction(0)) for v in z] if act == "relu" else z
        out.append((zs, a))
    return out


def kink_net():
    """A 4-32-32-4 ReLU net with one-decimal weights in which units 0-7 of layer 1 have
    pre-activation exactly 0: 0.a + 0.b − 0.c + r, with r the float that makes the exact sum
    of the float64 weights 0 (bias 0), times any x with four equal entries. At x = (0.1, 0.1,
    0.1, 0.1) float arithmetic rounds every product w·0.1, so torch's z there is about
    ±1e-17 instead of 0 for 7 of the 8 units here (at x = (1, 1, 1, 1) the products are exact
    and MKL's AVX512 dot product sums these four to exactly 0.0)."""
    net = one_decimal_net([4, 32, 32, 4], seed=6)
    triples = [(0.1, 0.2, -0.3), (0.1, 0.7, -0.8), (0.2, 0.7, -0.9), (0.3, 0.6, -0.9),
               (0.4, 0.2, -0.6), (0.7, 0.2, -0.9), (0.1, 0.6, -0.7), (0.3, 0.4, -0.7)]
    with torch.no_grad():
        for unit, (a, b, c) in enumerate(triples):
            r = -(Fraction(a) + Fraction(b) + Fraction(c))
            assert Fraction(float(r)) == r                  # representable: the sum is exactly 0
            net[0].weight[unit] = torch.tensor([a, b, c, float(r)], dtype=torch.float64)
            net[0].bias[unit] = 0.0
    return net, len(triples)


def expected_kinks(net, x):
    """(sample, layer, unit) where the exact z (Fractions) and torch's float z lie on
    different sides of 0 (0 on the left: ReLU′(0) = 0), and the exact forward passes."""
    layers = [(exact(net[i].weight), [Fraction(v) for v in net[i].bias.tolist()]) for i in (0, 2, 4)]
    passes = forward_exact(layers, exact(x), ["relu", "relu", "identity"])
    z1 = net[0](x)
    z_float = [z1.tolist(), net[2](torch.relu(z1)).tolist()]
    out = set()
    for s, (zs, _) in enumerate(passes):
        for layer in (0, 1):
            for j, z in enumerate(zs[layer]):
                if (z > 0) != (z_float[layer][s][j] > 0):
                    out.add((s, layer + 1, j))
    return out, passes


def test_gradcheck_reports_the_kinks_float64_flips():
    net, zeros = kink_net()
    x = torch.tensor([[0.1, 0.1, 0.1, 0.1]], dtype=torch.float64)
    y = torch.tensor([[1.0, 0.0, -1.0, 0.5]], dtype=torch.float64)
    report = symprop.gradcheck(net, x, y, loss="mse")
    expected, passes = expected_kinks(net, x)
    for unit in range(zeros):
        assert passes[0][0][0][unit] == 0                   # exact: on the kink
    assert {(k.sample, k.layer, k.unit) for k in report.kinks} == expected
    flipped_zeros = [k for k in report.kinks if k.layer == 1 and k.unit < zeros]
    # torch's products 0.1·w are rounded: their float64 sum is about ±1e-17, not 0
    assert flipped_zeros, "float64 kept every constructed zero exact: the construction failed"
    for k in flipped_zeros:
        assert k.exact == 0 and k.float > 0 and abs(k.float) < 1e-15 and k.module == "0"
        # the flipped unit's exact gradient is 0 (ReLU′(0) = 0); torch's follows slope 1
        assert all(v == 0 for v in report.gradients.grad("W1").tolist()[k.unit])
        assert any(v != 0 for v in report.parameters["0.weight"].torch[k.unit].tolist())
    text = str(report)
    assert "took the other side of a ReLU kink" in text and "exact z = 0" in text
    assert repr(report).startswith("<GradcheckReport: 6 parameters")
    ys = exact(y)                                           # the exact loss, by Fractions
    (_, out), = passes
    assert report.loss_exact == sum((a - t) ** 2 for a, t in zip(out, ys[0])) / 4


def test_a_batch_reports_exactly_the_kinks_its_summation_order_flips():
    """A batch is summed in another order (torch's matrix product): whichever units flip,
    the report lists exactly those, checked by Fractions and torch's own z here."""
    net, _ = kink_net()
    gen = torch.Generator().manual_seed(8)
    x = torch.cat([torch.ones(1, 4, dtype=torch.float64), tenths((3, 4), gen)])
    y = tenths((4, 4), gen)
    report = symprop.gradcheck(net, x, y, loss="mse")
    expected, _ = expected_kinks(net, x)
    assert {(k.sample, k.layer, k.unit) for k in report.kinks} == expected


def test_exact_gradients_agree_with_float64_where_no_kink_flips():
    net = one_decimal_net([4, 32, 32, 4], seed=11)
    gen = torch.Generator().manual_seed(3)
    x, y = tenths((5, 4), gen), tenths((5, 4), gen)
    report = symprop.gradcheck(net, x, y, loss="half_sse", reduction="sum")
    assert report.kinks == ()
    assert set(report.parameters) == {"0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"}
    for name, check in report.parameters.items():
        assert tuple(check.torch.shape) == tuple(dict(net.named_parameters())[name].shape)
        values = check.exact.values()
        scale = max(abs(float(v)) for v in values)
        assert check.max_abs_error <= 1e-12 * scale, name
        # the report's error is the distance to torch's float, computed exactly here too
        worst = max(abs(Fraction(t) - e) for t, e in zip(check.torch.flatten().tolist(), values))
        assert float(worst) == check.max_abs_error


def test_from_torch_gradients_equal_the_sympy_engine_and_batches_reduce():
    net = one_decimal_net([3, 4, 2], seed=4, act=nn.Tanh)
    gen = torch.Generator().manual_seed(5)
    x, y = tenths((3, 3), gen), tenths((3, 2), gen)
    mean = symprop.from_torch(net, x, y, loss="mse", reduction="mean")
    total = symprop.from_torch(net, x, y, loss="mse", reduction="sum")
    assert len(mean.samples) == 3 and mean.reduction == "mean"
    fast, ref = symprop.gradients(mean, engine="fast"), symprop.gradients(mean, engine="sympy")
    assert fast.gradients == ref.gradients and fast.loss == ref.loss
    relu = one_decimal_net([3, 4, 2], seed=4)
    gm = symprop.gradients(symprop.from_torch(relu, x, y, loss="mse"))
    gs = symprop.gradients(symprop.from_torch(relu, x, y, loss="mse", reduction="sum"))
    assert gs.loss == 3 * gm.loss
    assert gs.grad("W1").tolist() == [[3 * v for v in row] for row in gm.grad("W1").tolist()]
    assert total.reduction == "sum"


def test_leaky_relu_and_sigmoid_models():
    net = nn.Sequential(nn.Linear(2, 3), nn.LeakyReLU(0.2), nn.Linear(3, 1), nn.Sigmoid()).double()
    x = torch.tensor([[0.5, -1.5], [1.0, 2.0]], dtype=torch.float64)
    y = torch.tensor([[1.0], [0.0]], dtype=torch.float64)
    p = symprop.from_torch(net, x, y, loss="bce")
    assert p.leaky_slope == sp.Rational(*(0.2).as_integer_ratio())
    report = symprop.gradcheck(net, x, y, loss="bce")
    assert report.max_rel_error < 1e-12
    assert report.gradients.engine == "fast"


def test_unsupported_models_are_refused_with_the_module_named():
    with pytest.raises(ValueError, match="Dropout"):
        symprop.from_torch(nn.Sequential(nn.Linear(2, 2), nn.Dropout()), torch.zeros(2), torch.zeros(2))
    with pytest.raises(ValueError, match="one activation per layer"):
        symprop.from_torch(nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.ReLU()), torch.zeros(2),
                           torch.zeros(2))
    with pytest.raises(ValueError, match="unknown loss"):
        symprop.from_torch(nn.Linear(2, 1), torch.zeros(2), torch.zeros(1), loss="hinge")
    with pytest.raises(ValueError, match="not a finite number"):
        symprop.from_torch(nn.Linear(2, 1), torch.tensor([float("nan"), 0.0]), torch.zeros(1))


def test_the_readme_example_runs():
    """README's "Exact gradients of a PyTorch model" example, as written (a ```py block:
    test_docs runs ```python blocks, which must not need torch)."""
    import re
    from helpers import ROOT
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Exact gradients of a PyTorch model", 1)[1].split("\n## ", 1)[0]
    (code,) = re.findall(r"```py\n(.*?)```", section, re.S)
    scope = {}
    exec(compile(code, "README.md", "exec"), scope)
    report = scope["report"]
    assert isinstance(report, symprop.GradcheckReport) and report.max_abs_error < 1e-10   # x is random
    assert isinstance(scope["g"].grad("W1")[0, 1], Fraction)


def test_a_batch_large_enough_for_the_limb_matrices_reports_the_same_kinks():
    """96 samples (above kernel.LIMBS_FROM: the fast path runs on numpy int64 limbs) of
    the kink net, rows of 0.1 among one-decimal rows: the kinks are exactly those
    Fractions and torch's own z give, and the report equals the flint path's."""
    pytest.importorskip("numpy")
    from symprop.fast import kernel, limbs
    net, _ = kink_net()
    gen = torch.Generator().manual_seed(9)
    x = tenths((96, 4), gen)
    x[::3] = 0.1
    y = tenths((96, 4), gen)
    kernel.forget()
    report = symprop.gradcheck(net, x, y, loss="mse")
    assert isinstance(report.gradients.source.run.steps[0].pre[0], limbs.L)
    expected, _ = expected_kinks(net, x)
    assert expected and {(k.sample, k.layer, k.unit) for k in report.kinks} == expected
    saved, kernel.LIMBS_FROM = kernel.LIMBS_FROM, 10**12
    try:
        kernel.forget()
        ref = symprop.gradcheck(net, x, y, loss="mse")
    finally:
        kernel.LIMBS_FROM = saved
        kernel.forget()
    assert not isinstance(ref.gradients.source.run.steps[0].pre[0], limbs.L)
    assert [(k.sample, k.layer, k.unit, k.exact) for k in report.kinks] == \
        [(k.sample, k.layer, k.unit, k.exact) for k in ref.kinks]
    assert report.loss_exact == ref.loss_exact
    for name in report.gradients.names:
        assert report.gradients.grad(name).values() == ref.gradients.grad(name).values()


def test_a_large_from_torch_problem_reads_its_floats_and_keeps_its_own_copy(monkeypatch):
    """A batch on the limb matrices (kernel.LIMBS_FROM lowered to 0 here) reads the model's float arrays straight into
    limbs (reading.read_floats); the result equals the SymPy values' reading and the SymPy
    engine's gradients on a copy of the problem (no arrays attached); and changing the
    model in place afterwards (an optimizer step) changes nothing of that Problem."""
    pytest.importorskip("numpy", reason="the limb matrices need numpy")
    from symprop.fast import kernel, limbs, reading

    gen = torch.Generator().manual_seed(9)
    monkeypatch.setattr(kernel, "LIMBS_FROM", 0)
    net = nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 3)).double()
    x = torch.randn(12, 6, generator=gen, dtype=torch.float64) * 1e-3
    y = torch.randn(12, 3, generator=gen, dtype=torch.float64)
    p = symprop.from_torch(net, x, y, loss="mse")
    floats = reading.read_floats(p, limbs.all_from_floats)
    assert floats is not None and kernel._limbs(p) is limbs
    with torch.no_grad():                     # the model moves on; the problem must not
        for prm in net.parameters():
            prm.mul_(3)
    assert reading.read_floats(p, limbs.all_from_floats)[0][0][0].fractions() == floats[0][0][0].fractions()
    rationals = reading.read(p, limbs.from_rationals)
    for u, v in zip([m for pair in floats[0] for m in pair] + [floats[1], floats[2]],
                    [m for pair in rationals[0] for m in pair] + [rationals[1], rationals[2]]):
        assert u.den == v.den and (u.x == v.x).all()
    copy = symprop.Problem.from_dict(p.raw)           # another object: nothing attached
    assert reading.read_floats(copy, limbs.all_from_floats) is None
    kernel.forget(p)
    fast = symprop.gradients(p, engine="fast")
    assert isinstance(fast.source.run.steps[0].grads[0][0], limbs.L)
    ref = symprop.gradients(copy, engine="sympy")
    assert fast.gradients == ref.gradients and fast.loss == ref.loss
