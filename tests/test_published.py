"""Published worked examples, solved from problem files in tests/published/."""

from pathlib import Path

import mpmath as mp
import sympy as sp

import symprop
from helpers import close

HERE = Path(__file__).parent / "published"


def solve(name):
    return symprop.solve(symprop.load(HERE / name)).answers()


def test_mazur_step_by_step_example():
    """Every number Mazur publishes (9 decimals), to the precision he prints."""
    a = solve("mazur.toml")
    published = {
        "a1[1]": "0.593269992", "a1[2]": "0.596884378",
        "a2[1]": "0.75136507", "a2[2]": "0.772928465",
        "loss": "0.298371109",
        "W2[1,1]'": "0.35891648", "W2[1,2]'": "0.408666186",
        "W2[2,1]'": "0.511301270", "W2[2,2]'": "0.561370121",
        "W1[1,1]'": "0.149780716", "W1[1,2]'": "0.19956143",
        "W1[2,1]'": "0.24975114", "W1[2,2]'": "0.29950229",
    }
    for name, text in published.items():
        decimals = len(text.split(".")[1])
        assert abs(mp.mpf(sp.N(a[name], 30)) - mp.mpf(text)) <= mp.mpf(10) ** -decimals, name
    # biases are kept fixed in this example
    assert a["b1[1]'"] == sp.Rational(35, 100) and a["b2[2]'"] == sp.Rational(6, 10)


def test_cs231n_sigmoid_neuron():
    """ddot = σ(1)(1 − σ(1)) = 0.19661193324148185 and the gradients that follow."""
    a = solve("cs231n_neuron.toml")
    ddot = mp.mpf("0.19661193324148185")
    assert a["dot"] == 1
    assert close(a["df/ddot"], ddot, 1e-15)
    assert close(a["df/dx0"], 2 * ddot, 1e-15) and close(a["df/dx1"], -3 * ddot, 1e-15)
    assert close(a["df/dw0"], -1 * ddot, 1e-15) and close(a["df/dw1"], -2 * ddot, 1e-15)
    assert close(a["df/dw2"], ddot, 1e-15)
