"""Independent oracles for the tests: plain mpmath arithmetic, no SymPy, no symprop.

`mlp_loss` evaluates a layered network's loss from lists of numbers;
`fd_grad` differentiates it by high-precision numerical differentiation
(mpmath.diff), so a gradient from symprop can be compared with a value that
shares no code with it.
"""

import mpmath as mp

mp.mp.dps = 60

ACT = {
    "identity": lambda z: z,
    "relu": lambda z: z if z > 0 else mp.mpf(0),
    "sigmoid": lambda z: 1 / (1 + mp.exp(-z)),
    "tanh": mp.tanh,
    "softplus": lambda z: mp.log(1 + mp.exp(z)),
}

LOSS = {
    "half_sse": lambda a, y: sum((ai - yi) ** 2 for ai, yi in zip(a, y)) / 2,
    "sse": lambda a, y: sum((ai - yi) ** 2 for ai, yi in zip(a, y)),
    "mse": lambda a, y: sum((ai - yi) ** 2 for ai, yi in zip(a, y)) / len(a),
}


def num(v):
    """'1/2', 0.1 (as text), 3 → mpf."""
    s = str(v)
    if "/" in s:
        p, q = s.split("/")
        return mp.mpf(p) / mp.mpf(q)
    return mp.mpf(s)


def forward(layers, x):
    """layers: [(W, b, act)], numbers as mpf. Returns the list of (z, a) per layer."""
    a = list(x)
    out = []
    for W, b, act in layers:
        z = [sum(w * ak for w, ak in zip(row, a)) + (b[j] if b else 0) for j, row in enumerate(W)]
        a = [ACT[act](zj) for zj in z]
        out.append((z, a))
    return out


def mlp_loss(layers, x, y, loss):
    return LOSS[loss](forward(layers, x)[-1][1], y)


def fd_grad(layers, x, y, loss, l, j, k=None):
    """∂L/∂W_l[j][k] (or ∂L/∂b_l[j] when k is None) by mpmath.diff, 0-based indices."""
    def f(t):
        changed = [([list(r) for r in W], list(b) if b else b, act) for W, b, act in layers]
        if k is None:
            changed[l][1][j] = t
        else:
            changed[l][0][j][k] = t
        return mlp_loss(changed, x, y, loss)

    base = layers[l][1][j] if k is None else layers[l][0][j][k]
    return mp.diff(f, base)
