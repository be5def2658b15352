"""Every seed example solves to the right numbers.

Expected values come from the hand solutions where they are right (seed 000's
2.645, seed 004's fractions), from high-precision finite differences of an
independent mpmath implementation (tests/oracle.py), or from arithmetic done
here in the test; the slips of the hand solutions are noted where they differ.
"""

import mpmath as mp
import pytest
import sympy as sp

import symprop
from helpers import EXAMPLES, R, close
from oracle import fd_grad, forward, mlp_loss, num


def solved(name):
    return symprop.solve(symprop.load(EXAMPLES / name)).answers()


def test_seed_000_relu_2_3_1_matches_every_correct_hand_value():
    """The 2-3-1 ReLU net reproduces seed 000's values, all exact decimals."""
    a = solved("relu_2_3_1.toml")
    expected = {
        "a1[0]": "2.3", "a1[1]": "1.6", "a1[2]": "2.1", "z2[0]": "3.2", "loss": "2.645",
        "delta2[0]": "2.3", "dL/dW2[0,0]": "5.29", "dL/dW2[0,1]": "3.68", "dL/dW2[0,2]": "4.83",
        "dL/db2[0]": "2.3", "delta1[0]": "2.07", "delta1[1]": "-0.92", "delta1[2]": "1.61",
        "dL/dW1[0,0]": "4.14", "dL/dW1[0,1]": "2.07", "dL/dW1[1,0]": "-1.84", "dL/dW1[2,0]": "3.22",
        "W1[0,0]'": "0.386", "W1[0,1]'": "0.293", "W1[1,1]'": "-0.208", "b1[1]'": "-0.008",
        "W1[2,0]'": "0.278", "W1[2,1]'": "0.239", "b1[2]'": "0.339", "b1[0]'": "-0.007",
        "W2[0,0]'": "0.371", "W2[0,1]'": "-0.768",
        "final.z1[0]": "1.058", "final.z1[2]": "1.134", "final.loss": "0.405",
    }
    for name, value in expected.items():
        assert a[name] == R(value), name


def test_seed_000_final_output_is_clipped_by_relu():
    """After the update the output pre-activation is negative, so ReLU gives ŷ = 0 and L = ½·0.9²."""
    a = solved("relu_2_3_1.toml")
    assert a["final.z2[0]"] < 0
    assert a["final.a2[0]"] == 0
    assert a["final.loss"] == R("0.9") ** 2 / 2


def test_seed_004_skip_connection_fractions():
    """Seed 004: exact fractions, the sum over consumers at h0, and the loss after the step."""
    a = solved("skip_connection.toml")
    half, quarter = R("1/2"), R("1/4")
    assert (a["z0"], a["h0"], a["z1"], a["h1"]) == (half, half, quarter, quarter)
    assert a["z2"] == R("3/8")              # the hand solution writes 1/3 + 1/4
    assert a["loss"] == R("27/8")
    assert a["dL/dz2"] == 1
    assert a["dL/dh0"] == R("3/4")          # dL/dz1·w1 + dL/dz2·w3 = 1/4 + 1/2
    assert (a["dL/dw0"], a["dL/dw1"], a["dL/dw2"], a["dL/dw3"]) == (R("3/4"), quarter, quarter, half)
    assert (a["w0'"], a["w1'"], a["w2'"], a["w3'"]) == (-quarter, quarter, quarter, 0)
    assert a["final.z0"] == -quarter and a["final.h0"] == 0 and a["final.z2"] == 0
    assert a["final.loss"] == 3


def test_seed_004_sum_over_consumers_is_shown():
    """The adjoint of h0 keeps its two consumer terms (z1 and z2)."""
    s = symprop.solve(symprop.load(EXAMPLES / "skip_connection.toml"))
    terms = s.steps[0].adjoints["h0"].terms
    assert [t.consumer for t in terms] == ["z1", "z2"]
    assert [t.contribution for t in terms] == [R("1/4"), R("1/2")]


SEED_001 = [
    ([[0.1, 0.2, 0.5], [0.4, 0.1, 0.5]], [0.2, 0.2], "sigmoid"),
    ([[0.6, 0.1], [0.5, 0.2]], [0.2, 0.1], "sigmoid"),
]


def _mp_layers(spec):
    return [([[num(w) for w in row] for row in W], [num(v) for v in b], act) for W, b, act in spec]


def test_seed_001_two_layer_sigmoid_against_mpmath():
    """Seed 001 with x = [0.5, 0.5, 0.1]: z1[1] = 0.4 (the hand solution's 0.6 used x1 thrice)."""
    a = solved("two_layer_sigmoid.toml")
    layers = _mp_layers(SEED_001)
    x, y = [num(0.5), num(0.5), num(0.1)], [num(0.9), num(0.1)]
    (z1, a1), (z2, a2) = forward(layers, x)
    assert a["z1[1]"] == R("0.4") and a["z1[2]"] == R("0.5")
    assert sp.simplify(a["a1[1]"] - 1 / (1 + sp.exp(-R("2/5")))) == 0
    assert close(a["a2[1]"], a2[0]) and close(a["a2[2]"], a2[1])
    assert close(a["loss"], mlp_loss(layers, x, y, "half_sse"))
    for l in (1, 2):
        rows, cols = (2, 3) if l == 1 else (2, 2)
        for j in range(rows):
            for k in range(cols):
                fd = fd_grad(layers, x, y, "half_sse", l - 1, j, k)
                assert close(a[f"dL/dW{l}[{j + 1},{k + 1}]"], fd, 1e-20), (l, j, k)
            assert close(a[f"dL/db{l}[{j + 1}]"], fd_grad(layers, x, y, "half_sse", l - 1, j), 1e-20)


def test_seed_001_forward_pass_after_the_update():
    """final.loss equals an mpmath forward pass with the weights updated by finite-difference gradients."""
    a = solved("two_layer_sigmoid.toml")
    layers = _mp_layers(SEED_001)
    x, y = [num(0.5), num(0.5), num(0.1)], [num(0.9), num(0.1)]
    eta = mp.mpf("0.1")
    new = []
    for l, (W, b, act) in enumerate(layers):
        W2 = [[W[j][k] - eta * fd_grad(layers, x, y, "half_sse", l, j, k) for k in range(len(W[0]))]
              for j in range(len(W))]
        b2 = [b[j] - eta * fd_grad(layers, x, y, "half_sse", l, j) for j in range(len(b))]
        new.append((W2, b2, act))
    assert close(a["final.loss"], mlp_loss(new, x, y, "half_sse"), 1e-18)
    assert close(a["final.a2[2]"], forward(new, x)[-1][1][1], 1e-18)


def test_seed_001_update_of_w2_11():
    """w2_11' = 0.6 − 0.1·δ2[1]·a1[1] ≈ 0.603395 (the hand solution's 0.604 carries its z1 slip)."""
    a = solved("two_layer_sigmoid.toml")
    layers = _mp_layers(SEED_001)
    x, y = [num(0.5), num(0.5), num(0.1)], [num(0.9), num(0.1)]
    expected = mp.mpf("0.6") - mp.mpf("0.1") * fd_grad(layers, x, y, "half_sse", 1, 0, 0)
    assert close(a["W2[1,1]'"], expected, 1e-20)
    assert mp.nstr(expected, 6) == "0.603395"


SEED_002 = [
    ([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6], [0.7, 0.8, 0.9]], [0.1, 0.2, 0.3], "relu"),
    ([[0.2, 0.4, 0.6]], [0.5], "sigmoid"),
]


def test_seed_002_saturated_sigmoid_gradients():
    """Seed 002: z2 = 18.3 exactly; the tiny gradients are right to 15 digits (no cancellation)."""
    a = solved("saturated_sigmoid.toml")
    assert [a[f"z1[{j}]"] for j in (1, 2, 3)] == [R("3.9"), R("12.1"), R("20.3")]
    assert a["z2[1]"] == R("18.3")
    layers = _mp_layers(SEED_002)
    x, y = [num(20), num(3), num(4)], [num(18)]
    for j in range(3):
        fd = fd_grad(layers, x, y, "sse", 1, 0, j)
        assert close(a[f"dL/dW2[1,{j + 1}]"], fd, 1e-20)
        for k in range(3):
            assert close(a[f"dL/dW1[{j + 1},{k + 1}]"], fd_grad(layers, x, y, "sse", 0, j, k), 1e-20)
    sigma = 1 / (1 + mp.exp(-mp.mpf("18.3")))
    assert close(a["delta2[1]"], 2 * (sigma - 18) * sigma * (1 - sigma))
    # a steps = 0 exercise has no update and no forward pass after it
    assert not any(k.endswith("'") or k.startswith("final.") for k in a)


def test_seed_003_dead_unit_and_first_layer_gradients():
    """Seed 003: h = [1, 0], z = 1, t = 2; the dead unit's weights get no gradient."""
    a = solved("two_layer_relu.toml")
    assert (a["a1[1]"], a["a1[2]"], a["z2[1]"]) == (1, 0, 1)
    assert a["loss"] == R("1/2")
    assert (a["delta1[1]"], a["delta1[2]"]) == (-1, 0)
    grads = [[a[f"dL/dW1[{j},{k}]"] for k in (1, 2)] for j in (1, 2)]
    assert grads == [[-1, 0], [0, 0]]       # δ1 a0ᵀ = [-1, 0]ᵀ [1, 0]


def test_circuit_cs231n():
    """CS231n's f = (x + y)z at x = -2, y = 5, z = -4: f = -12, df/dx = df/dy = -4, df/dz = 3."""
    a = solved("circuit.toml")
    assert (a["q"], a["f"]) == (3, -12)
    assert (a["df/dx"], a["df/dy"], a["df/dz"], a["df/dq"]) == (-4, -4, 3, -4)


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.toml")), ids=lambda p: p.name)
def test_verify_passes_on_every_example(path):
    """The δ recursion equals sympy.diff of the fully composed loss for every gradient."""
    from symprop.core.verify import verify

    checks = verify(symprop.solve(symprop.load(path)))
    assert checks and all(c.ok for c in checks), [c.name for c in checks if not c.ok]


def test_three_sigmoid_steps_against_mpmath_gradient_descent():
    """Several exact steps on a sigmoid net: the closed forms nest deeply (as trees they
    grow exponentially) but stay fast, and the final loss matches an mpmath descent."""
    text = (EXAMPLES / "two_layer_sigmoid.toml").read_text().replace("steps = 1", "steps = 3")
    a = symprop.solve(symprop.loads(text)).answers()
    layers = _mp_layers(SEED_001)
    x, y = [num(0.5), num(0.5), num(0.1)], [num(0.9), num(0.1)]
    eta = mp.mpf("0.1")
    for _ in range(3):
        layers = [([[W[j][k] - eta * fd_grad(layers, x, y, "half_sse", l, j, k) for k in range(len(W[0]))]
                    for j in range(len(W))],
                   [b[j] - eta * fd_grad(layers, x, y, "half_sse", l, j) for j in range(len(b))], act)
                  for l, (W, b, act) in enumerate(layers)]
    assert close(a["final.loss"], mlp_loss(layers, x, y, "half_sse"), 1e-15)
    assert close(a["step3.W1[2,3]'"], layers[0][0][1][2], 1e-15)
