"""An exact check of a PyTorch model: `from_torch` and `gradcheck`.

`from_torch(model, x, y, loss=...)` turns an `nn.Sequential` of `nn.Linear`
layers, each followed by at most one supported activation, into a symprop
Problem through the public `Problem.from_dict`: every float of the weights, the
inputs and the targets becomes the rational it is exactly (a float is a dyadic
rational: `float.as_integer_ratio`), so float32 and float64 models convert
without rounding. A batch x of shape (N, inputs) becomes a training set of N
samples whose loss is their mean or sum (`reduction`).

`gradcheck(model, x, y, loss=...)` runs torch's autograd in the model's own
float arithmetic and symprop's exact fast path on the same numbers, and returns
a `GradcheckReport`: per parameter (torch's names, "0.weight") the exact
gradient, torch's gradient and their largest absolute and relative errors, and
every unit where float arithmetic put a pre-activation on the other side of a
ReLU kink than the exact value (an exact 0 that float64 computes as 1e-16).

torch is imported only when these functions are called; `pip install symprop[torch]`.
The layer-at-a-time kernel (kernel.py) computes; this module converts and compares
(the report's types and table: torchreport.py). The float arrays stay attached to
the Problem (reading.attach_floats), so the kernel reads them into limbs directly.
"""

import importlib
from decimal import Decimal
from fractions import Fraction

from ..model import naming
from ..model.functions import ACTIVATIONS
from ..model.losses import LOSSES
from ..model.problem import Problem
from .base import have_flint, have_numpy
from .torchreport import GradcheckReport, Kink, ParameterCheck

__all__ = ["from_torch", "gradcheck", "GradcheckReport", "ParameterCheck", "Kink", "LOSS_FUNCTIONS"]

# torch module class → symprop activation
_ACTIVATIONS = {
    "ReLU": "relu", "Sigmoid": "sigmoid", "Tanh": "tanh", "Identity": "identity",
    "LeakyReLU": "leaky_relu", "Softplus": "softplus", "ELU": "elu", "Softmax": "softmax",
}


def _torch():
    try:    # the extra symprop[torch], by name: test_packaging's scan reads [project] dependencies
        torch = importlib.import_module("torch")
    except ImportError:
        raise ImportError("symprop.from_torch and symprop.gradcheck need PyTorch: "
                          "pip install symprop[torch] (or pip install torch)") from None
    return torch


# -- the model's structure ------------------------------------------------------------

def _structure(model):
    """[(module name, nn.Linear, activation)] and the LeakyReLU slope (a Fraction or None)."""
    nn = _torch().nn
    if isinstance(model, nn.Linear):        # one layer, parameters "weight" and "bias"
        modules = [("", model)]
    elif isinstance(model, nn.Sequential):
        modules = list(model.named_children())
    else:
        raise TypeError(f"expected an nn.Sequential of nn.Linear layers and activations, "
                        f"got {type(model).__name__}")
    layers, slope = [], None
    for name, m in modules:                 # [name, nn.Linear, activation] per layer
        if isinstance(m, nn.Linear):
            layers.append([name, m, "identity"])
            continue
        kind = type(m).__name__
        act = _ACTIVATIONS.get(kind)
        if act is None or act not in ACTIVATIONS:
            known = ", ".join(k for k, a in _ACTIVATIONS.items() if a in ACTIVATIONS)
            raise ValueError(f"module {name!r} ({kind}) is not supported; an nn.Sequential of "
                             f"nn.Linear and one of: {known}")
        if not layers or layers[-1][2] != "identity":
            raise ValueError(f"module {name!r} ({kind}): each activation must follow an nn.Linear "
                             "(one activation per layer)")
        if act == "identity":
            continue
        if act == "leaky_relu":
            s = _fraction(float(m.negative_slope), f"module {name!r}'s negative_slope")
            if slope is not None and s != slope:
                raise ValueError("every LeakyReLU must have the same negative_slope (one leaky_slope "
                                 "per problem)")
            slope = s
        elif act == "softplus" and (m.beta != 1):
            raise ValueError(f"module {name!r}: Softplus with beta = {m.beta}; symprop's softplus is "
                             "log(1 + exp(z)) (beta = 1)")
        elif act == "elu" and m.alpha != 1:
            raise ValueError(f"module {name!r}: ELU with alpha = {m.alpha}; symprop's ELU has alpha = 1")
        elif act == "softmax" and m.dim not in (-1, 1):
            raise ValueError(f"module {name!r}: Softmax over dim {m.dim}; over the units (dim=-1) only")
        layers[-1][2] = act
    if not layers:
        raise ValueError("the model has no nn.Linear layer")
    return layers, slope


def _fraction(v, what):
    try:                                    # exact: a float is a dyadic rational
        return Fraction(*v.as_integer_ratio())
    except (OverflowError, ValueError):
        raise ValueError(f"{what} is {v}: not a finite number") from None


def _exact(values, what):
    """A nested list of floats (tensor.tolist()) as the Fractions they are exactly."""
    if isinstance(values, list):
        return [_exact(v, what) for v in values]
    return _fraction(float(values), what)


def _batch(t, dtype, what):
    """A tensor (or nested list) as a 2-D (N, features) tensor of the model's dtype."""
    torch = _torch()
    t = torch.as_tensor(t).detach().to(dtype=dtype, device="cpu")
    if t.dim() == 1:
        t = t.unsqueeze(0)
    if t.dim() != 2:
        raise ValueError(f"{what} must be 1-D (one sample) or 2-D (samples × features), "
                         f"got shape {tuple(t.shape)}")
    return t


# -- from_torch -------------------------------------------------------------------------

def from_torch(model, x, y=None, loss="mse", reduction="mean", *, title="PyTorch model"):
    """The symprop Problem of `model` (an nn.Sequential of nn.Linear and activations) at the
    batch x (N × inputs, or one sample) with targets y, its floats converted exactly.

    loss: a symprop loss (mse, sse, half_sse, l1, bce, cross_entropy, none); mse is the
    mean over the outputs, as torch's MSELoss; reduction: "mean" or "sum" over the samples."""
    problem, _ = _convert(model, x, y, loss, reduction, title)
    return problem


def _convert(model, x, y, loss, reduction, title):
    if loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r}; known: {', '.join(LOSSES)}")
    if reduction not in ("mean", "sum"):
        raise ValueError(f"reduction must be 'mean' or 'sum', not {reduction!r}")
    layers, slope = _structure(model)
    dtype = layers[0][1].weight.dtype
    xt = _batch(x, dtype, "x")
    needs_y = LOSSES[loss].needs_target
    if needs_y and y is None:
        raise ValueError(f"loss {loss!r} needs targets y")
    yt = _batch(y, dtype, "y") if needs_y else None
    if yt is not None and yt.shape[0] != xt.shape[0]:
        raise ValueError(f"x has {xt.shape[0]} samples and y {yt.shape[0]}")
    spec_layers = []
    for name, lin, act in layers:
        layer = {"weights": _exact(lin.weight.detach().cpu().tolist(), f"weights of module {name!r}"),
                 "activation": act}
        if lin.bias is not None:
            layer["bias"] = _exact(lin.bias.detach().cpu().tolist(), f"bias of module {name!r}")
        spec_layers.append(layer)
    xs = _exact(xt.tolist(), "x")
    ys = _exact(yt.tolist(), "y") if yt is not None else [None] * len(xs)
    samples = [({"x": xv, "y": yv} if yv is not None else {"x": xv}) for xv, yv in zip(xs, ys)]
    spec = {"title": title, "loss": loss, "steps": 0, "reduction": reduction,
            "relu_derivative_at_zero": 0,          # torch: ReLU′(0) = 0, LeakyReLU′(0) = slope
            "layers": spec_layers}
    if slope is not None:
        spec["leaky_slope"] = slope
    if len(samples) == 1:
        spec["data"] = samples[0]
    else:
        spec["samples"] = samples
    problem = Problem.from_dict(spec, source="from_torch")
    if have_numpy() and have_flint():       # the same numbers, for reading straight into limbs
        from . import reading               # (flint: imported when called, as the kernel)
        floats = lambda t: None if t is None else t.detach().cpu().double().numpy().copy()  # not a view
        reading.attach_floats(problem, [(floats(lin.weight), floats(lin.bias)) for _, lin, _ in layers],
                              floats(xt), floats(yt))
    return problem, (layers, xt, yt)


# -- the float side ----------------------------------------------------------------------

def _torch_loss(out, y, loss, reduction):
    """symprop's per-sample loss (model/losses.py) in torch, then the mean or sum over samples."""
    torch = _torch()
    if loss == "none":
        per = out[:, 0]
    else:
        per = LOSS_FUNCTIONS[loss](out, y, torch)
    return per.mean() if reduction == "mean" else per.sum()


LOSS_FUNCTIONS = {
    "mse": lambda a, y, t: ((a - y) ** 2).mean(dim=1),
    "sse": lambda a, y, t: ((a - y) ** 2).sum(dim=1),
    "half_sse": lambda a, y, t: 0.5 * ((a - y) ** 2).sum(dim=1),
    "l1": lambda a, y, t: (a - y).abs().sum(dim=1),
    "bce": lambda a, y, t: -(y * t.log(a) + (1 - y) * t.log(1 - a)).sum(dim=1),
    "cross_entropy": lambda a, y, t: -(y * t.log(a)).sum(dim=1),
}


def _float_run(model, layers, xt, yt, loss, reduction):
    """(loss, {parameter name: gradient}, [pre-activations (N × units) per Linear]) in torch."""
    torch = _torch()
    pre = {}
    hooks = [lin.register_forward_hook(lambda m, i, o, k=k: pre.__setitem__(k, o.detach()))
             for k, (_, lin, _) in enumerate(layers)]
    try:
        with torch.enable_grad():
            out = model(xt)
            total = _torch_loss(out, yt, loss, reduction)
            named = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
            grads = torch.autograd.grad(total, [p for _, p in named], allow_unused=True)
    finally:
        for h in hooks:
            h.remove()
    return total.detach(), {n: g for (n, _), g in zip(named, grads)}, [pre[k] for k in range(len(layers))]


def gradcheck(model, x, y=None, loss="mse", reduction="mean", digits=30):
    """torch autograd (the model's float arithmetic) against symprop's exact gradients on
    the same numbers: a GradcheckReport (print it for a table)."""
    from .gradients import gradients

    problem, (layers, xt, yt) = _convert(model, x, y, loss, reduction, "PyTorch model")
    exact = gradients(problem, digits)
    loss_t, torch_grads, pre = _float_run(model, layers, xt, yt, loss, reduction)
    checks = {}
    for l, (name, lin, _) in enumerate(layers, start=1):
        prefix = f"{name}." if name else ""
        for kind, stem in (("weight", naming.weight(l, 0, 0)), ("bias", naming.bias(l, 0))):
            if getattr(lin, kind) is None:
                continue
            tensor = exact.grad(stem.partition("[")[0])
            if torch_grads.get(prefix + kind) is not None:
                checks[prefix + kind] = _compare(prefix + kind, tensor, torch_grads[prefix + kind])
    kinks = tuple(_kinks(exact, layers, pre))
    loss_exact = exact.loss
    if getattr(loss_exact, "is_Rational", False):
        loss_exact = Fraction(int(loss_exact.p), int(loss_exact.q))
    dtype = str(layers[0][1].weight.dtype).replace("torch.", "")
    return GradcheckReport(checks, kinks, loss_exact, float(loss_t), problem, exact, dtype)


def _compare(name, tensor, g):
    worst_abs = worst_rel = 0.0
    for e, t in zip(tensor.values(), g.detach().cpu().flatten().tolist()):
        e = Fraction(e)                       # a Decimal's exact value too
        err = abs(Fraction(t) - e)
        if err:
            worst_abs = max(worst_abs, float(err))
            worst_rel = max(worst_rel, float(err / abs(e)) if e else float("inf"))
    return ParameterCheck(name, tensor, g, worst_abs, worst_rel)


def _kinks(exact, layers, pre):
    """Units of ReLU-like layers whose exact and float pre-activations are on different sides
    (0 on the left, as torch's ReLU′(0) = 0 and symprop's convention here)."""
    if exact.source is None:
        return
    z_exact = exact.source.run.steps[0].pre
    for l, ((name, _, act), z, zf) in enumerate(zip(layers, z_exact, pre), start=1):
        if not ACTIVATIONS[act].relu_like:
            continue
        units, n = z.shape
        signs = z.signs()
        floats = zf.tolist()
        for j in range(units):
            for s in range(n):
                right, float_right = signs[j * n + s] > 0, floats[s][j] > 0
                if right != float_right:
                    yield Kink(s, l, name, j, _value(z, j * n + s), floats[s][j])


def _value(z, i):
    v = z.fraction(i) if z.exact else z.values()[i]            # matrices.Q, limbs.L; or B
    return v if isinstance(v, Fraction) else Decimal(v.mid().str(20, radius=False))
