"""Each activation's and loss's textbook derivative equals sympy.diff of its definition."""

import pytest
import sympy as sp

from symprop.model.functions import ACTIVATIONS, Conventions
from symprop.model.losses import LOSSES

z = sp.Symbol("z", real=True)


@pytest.mark.parametrize("name", [n for n in ACTIVATIONS if n != "softmax"])
@pytest.mark.parametrize("c", [0, 1])
def test_textbook_derivative_matches_sympy_diff(name, c):
    conv = Conventions(c)
    record = ACTIVATIONS[name]
    f = record.elementary([z], conv)
    textbook = record.derivative(z, f, conv)
    for point in [sp.Rational(-3, 2), sp.Rational(-1, 7), 0, sp.Rational(1, 3), 2]:
        direct = sp.diff(f, z).subs(z, point)
        assert sp.simplify(direct - textbook.subs(z, point)) == 0, (name, point)


@pytest.mark.parametrize("c, expected", [(0, 0), (1, 1)])
def test_relu_derivative_at_zero_follows_the_convention(c, expected):
    """ReLU′(0) is the declared convention, not SymPy's Heaviside(0) = 1/2."""
    f = ACTIVATIONS["relu"].elementary([z], Conventions(c))
    assert sp.diff(f, z).subs(z, 0) == expected
    leaky = ACTIVATIONS["leaky_relu"].elementary([z], Conventions(c))
    assert sp.diff(leaky, z).subs(z, 0) == (1 if c else sp.Rational(1, 100))


@pytest.mark.parametrize("name", [n for n in LOSSES if n != "none"])
def test_loss_textbook_gradient_matches_sympy_diff(name):
    a = sp.symbols("a1:4", positive=True)
    y = sp.symbols("y1:4", positive=True)
    loss = LOSSES[name]
    built = loss.build(list(a), list(y))
    for j in range(3):
        direct = sp.diff(built, a[j])
        textbook = loss.grad(a[j], y[j], 3)
        point = {a[0]: sp.Rational(1, 3), a[1]: sp.Rational(3, 4), a[2]: sp.Rational(1, 5),
                 y[0]: sp.Rational(1, 2), y[1]: sp.Rational(1, 10), y[2]: sp.Rational(9, 10)}
        assert sp.simplify((direct - textbook).subs(point)) == 0, (name, j)
