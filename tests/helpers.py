"""Small helpers shared by the tests."""

from pathlib import Path

import mpmath as mp
import sympy as sp

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def R(text):
    """An exact Rational from text ('2.645', '3/8')."""
    return sp.Rational(text)


def close(value, expected, rel=1e-14):
    """A symprop value (SymPy) against an mpmath/float oracle, relative tolerance.

    The value is turned into digits by symprop's certified decimals (checked
    against SymPy's evalf in test_numeric): evalf walks a closed form as a tree,
    which after a few update steps is exponentially large."""
    from symprop.model.numeric import decimal

    got = mp.mpf(decimal(value, 40))
    exp = mp.mpf(expected)
    return abs(got - exp) <= rel * max(abs(exp), mp.mpf("1e-300"))


def large_relu_problem():
    """An 8-48-48-8 ReLU net with a batch of 16, one-decimal values, unit 1's pre-activation
    exactly 0 for sample 1 (a kink): above kernel.LIMBS_FROM."""
    import random
    from fractions import Fraction

    import symprop
    rng = random.Random(3)
    tenth = lambda: str(Fraction(rng.randint(-9, 9), 10))     # noqa: E731
    sizes = [8, 48, 48, 8]
    layers = [{"weights": [[tenth() for _ in range(c)] for _ in range(r)], "bias": [tenth() for _ in range(r)],
               "activation": "relu" if i < 2 else "identity"} for i, (r, c) in enumerate(zip(sizes[1:], sizes[:-1]))]
    layers[0]["weights"][0] = ["1/10"] * 4 + ["-1/10"] * 4
    layers[0]["bias"][0] = "0"
    samples = [{"x": ["1/2"] * 8 if k == 0 else [tenth() for _ in range(8)], "y": [tenth() for _ in range(8)]}
               for k in range(16)]
    return symprop.Problem.from_dict({"loss": "half_sse", "samples": samples, "layers": layers, "steps": 0,
                                      "relu_derivative_at_zero": 1})
