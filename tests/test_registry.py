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


# -- every interpretation of a record agrees with its elementary form ------------------

from fractions import Fraction  # noqa: E402

import flint  # noqa: E402

from symprop.model import numeric  # noqa: E402
from symprop.model import rules  # noqa: E402
from symprop.model.functions import FUNCTIONS, GRAPH_FUNCTIONS  # noqa: E402

POINTS = [Fraction(-3, 2), Fraction(-1, 7), Fraction(0), Fraction(1, 3), Fraction(2)]


def _ball(f):
    """A Fraction as an exact ball (a ball stays itself), as the fast path makes them."""
    return flint.arb(flint.fmpq(f.numerator, f.denominator)) if isinstance(f, Fraction) else f


def _contains(ball, value, digits=40):
    """The ball holds the SymPy value (evaluated to `digits` digits)."""
    return ball.overlaps(flint.arb(str(sp.N(value, digits + 10)), 10.0 ** -digits))


def _closed_rules(record, point, conv):
    """The Closed rule that applies at `point`."""
    rule = record.fast
    if isinstance(rule, rules.Sided):
        right = point > 0 or (point == 0 and record.relu_like and conv.relu_derivative_at_zero == 1)
        return rule.right if right else rule.left
    return rule


@pytest.mark.parametrize("name", [n for n, f in ACTIVATIONS.items()
                                  if isinstance(f.fast, (rules.Closed, rules.Sided))])
@pytest.mark.parametrize("c", [0, 1])
def test_fast_closed_form_rules_agree_with_the_elementary_form(name, c):
    """Value, exact value, g·f′ and its exact factors, as the fast path uses them."""
    conv, record = Conventions(c), ACTIVATIONS[name]
    f = record.elementary([z], conv)
    for point in POINTS:
        rule = _closed_rules(record, point, conv)
        value, slope = f.subs(z, sp.Rational(point)), sp.diff(f, z).subs(z, sp.Rational(point))
        ball = rule.value(_ball(point))
        assert _contains(ball, value), (name, point)
        exact = rule.exact(point)
        if value.is_Rational:
            assert exact == Fraction(int(value.p), int(value.q)), (name, point)
        else:
            assert exact is None, (name, point)
        assert _contains(rule.jvp(_ball(Fraction(3)), _ball(point), ball), 3 * slope), (name, point)
        a = exact if exact is not None else None
        factors = rule.factors(point, a)
        if all(v is not None for v in factors):
            product = Fraction(1)
            for v in factors:
                product *= v
            assert sp.Rational(product.numerator, product.denominator) == slope, (name, point)
        elif any(v == 0 for v in factors if v is not None):
            assert slope == 0, (name, point)


@pytest.mark.parametrize("name", [n for n, f in ACTIVATIONS.items() if isinstance(f.fast, rules.Linear)])
@pytest.mark.parametrize("c", [0, 1])
def test_fast_linear_rules_agree_with_the_elementary_form(name, c):
    conv, record = Conventions(c), ACTIVATIONS[name]
    assert record.rational
    right, left = record.fast.slopes(conv)
    f = record.elementary([z], conv)
    assert f.subs(z, 5) == 5 * right and f.subs(z, -5) == -5 * sp.Rational(left.numerator, left.denominator)
    at_zero = right if record.relu_like and c == 1 else left
    assert sp.diff(f, z).subs(z, 0) == sp.Rational(at_zero.numerator, at_zero.denominator)


def test_fast_softmax_rule_agrees_with_its_formula():
    rule = ACTIVATIONS["softmax"].fast
    zs = [Fraction(1, 2), Fraction(-1), Fraction(0)]
    a = rule.value(zs, _ball)
    exact = [sp.exp(sp.Rational(v.numerator, v.denominator)) for v in zs]
    for ai, e in zip(a, exact):
        assert _contains(ai, e / sum(exact))
    assert rule.value([Fraction(0)] * 3, _ball) == [Fraction(1, 3)] * 3
    g = [Fraction(1), Fraction(0), Fraction(-2)]
    jvp = rule.jvp(g, a, _ball)
    s = [e / sum(exact) for e in exact]
    for j in range(3):
        expected = sum(g[k] * s[k] * ((1 if j == k else 0) - s[j]) for k in range(3))
        assert _contains(jvp[j], expected)


@pytest.mark.parametrize("name", [n for n, f in FUNCTIONS.items() if f.interval is not None])
def test_interval_rules_give_the_digits_of_their_primitive(name):
    """A record's interval rule is for the SymPy class its elementary form is; its
    certified decimal is SymPy's own to 30 digits."""
    record = FUNCTIONS[name]
    args = [sp.exp(sp.Rational(1, 3)) - 2, sp.Rational(-2, 7)][:record.arity[1]]
    if name == "log":
        args = [sp.exp(sp.Rational(1, 3)) - 1]
    expr = record.elementary(args, Conventions())
    unevaluated = record.primitive(*args, evaluate=False)
    assert type(record.elementary([z, sp.Symbol("u")][:record.arity[1]], Conventions())) is record.primitive
    assert numeric.decimal(unevaluated, 30) == numeric.decimal(expr, 30)
    assert numeric.decimal(unevaluated, 30) == numeric.format_rational(
        sp.Rational(str(sp.N(expr, 60))), 30), name


@pytest.mark.parametrize("name", [n for n, loss in LOSSES.items() if isinstance(loss.fast, rules.LogTerms)])
def test_fast_log_loss_rules_agree_with_the_loss(name):
    loss = LOSSES[name]
    a, y = sp.Symbol("a", positive=True), sp.Symbol("y", positive=True)
    for av, yv in [(Fraction(1, 3), Fraction(1)), (Fraction(3, 4), Fraction(0)), (Fraction(1, 5), Fraction(1, 4))]:
        point = {a: sp.Rational(av.numerator, av.denominator), y: sp.Rational(yv.numerator, yv.denominator)}
        term = -loss.build([a], [y]).subs(point)
        assert _contains(loss.fast.term(_ball(av), _ball(yv)), term), (name, av, yv)
        assert _contains(loss.fast.grad(_ball(av), _ball(yv)), loss.grad(a, y, 1).subs(point))
        exact = loss.fast.term_exact(av, yv)
        assert exact is None or sp.Rational(exact.numerator, exact.denominator) == sp.simplify(term)


@pytest.mark.parametrize("name", [n for n, loss in LOSSES.items() if isinstance(loss.fast, rules.Squares)])
def test_fast_squared_error_rules_agree_with_the_loss(name):
    loss = LOSSES[name]
    a, y = sp.symbols("a1:4"), sp.symbols("y1:4")
    c = loss.fast.scale(3)
    assert sp.expand(loss.build(list(a), list(y)) - sp.Rational(c.numerator, c.denominator)
                     * sum((ai - yi) ** 2 for ai, yi in zip(a, y))) == 0


def test_every_activation_and_loss_has_a_fast_rule():
    assert all(f.fast is not None for f in ACTIVATIONS.values())
    assert all(loss.fast is not None for loss in LOSSES.values())


# -- spellings are read from the records ------------------------------------------------

def test_latex_spellings_come_from_the_records():
    from symprop.render.latexprint import latex
    w = sp.Symbol("w")
    for name, record in FUNCTIONS.items():
        if record.latex and record.arity[0] and record.primitive is None:     # not SymPy-native
            shown = latex(sp.Function(name)(*[w] * record.arity[0]))
            assert shown.startswith(record.latex + r"\left("), (name, shown)
    assert latex(sp.sign(w)) == FUNCTIONS["sign"].latex + r"\left(w\right)"


def test_graph_diagram_labels_come_from_the_records():
    import symprop
    spec = {"loss": "half_sse", "learning_rate": "1/10", "params": {"w": "1/2"},
            "data": {"x": "3", "y": "1"},
            "graph": {"h": "elu(w*x)", "g": "max(h, x)", "k": "leaky_relu(g)", "output": "k"}}
    tex = symprop.solve(symprop.Problem.from_dict(spec)).to_latex()
    for name in ("elu", "max", "leaky_relu"):
        assert "{$" + GRAPH_FUNCTIONS[name].diagram + "$}" in tex, name


@pytest.mark.parametrize("nodes, kinked", [
    ({"prelu_x": "w*x", "output": "prelu_x"}, False),        # a name containing "relu" is no call
    ({"h": "leaky_relu(w*x)", "output": "h"}, True),
    ({"h": "elu(w*x) + relu(x)", "output": "h"}, True),
    ({"h": "elu(w*x)", "output": "h"}, False),
])
def test_relu_convention_is_stated_only_where_a_relu_like_function_is_called(nodes, kinked):
    import symprop
    spec = {"loss": "half_sse", "learning_rate": "1/10", "params": {"w": "1/2"},
            "data": {"x": "3", "y": "1"}, "graph": nodes}
    out = str(symprop.solve(symprop.Problem.from_dict(spec)))
    assert ("Convention: relu'(0)" in out) == kinked


# Where an activation's name may be written in the package: its record, the starter
# problems (problem-file text), the loss records' domain hints (advice naming the output
# activation), the PyTorch adapter (torch's class names mapped to records), and the SymPy
# function symbol the sheets print as σ, and the PrairieLearn server (a standard-library
# file run without symprop: exam/plserver.py's math table, and exam/prairielearn.py naming
# SymPy's primitives, sp.tanh, for it). Anywhere else a renderer or the checker would be
# keeping its own copy of a record's meaning (issue 12).
_MAY_SPELL = {"model/functions.py", "model/losses.py", "model/starters.py", "fast/torchcheck.py",
              "render/numbers.py", "exam/plserver.py", "exam/prairielearn.py"}


def test_activation_names_are_spelled_only_in_the_registry():
    import ast
    from pathlib import Path

    import symprop

    names = {n for n, r in ACTIVATIONS.items() if n != "identity"}
    root = Path(symprop.__file__).parent
    found = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if rel in _MAY_SPELL:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Expr)}
        found += [f"{rel}:{n.lineno} {n.value!r}" for n in ast.walk(tree)
                  if isinstance(n, ast.Constant) and n.value in names and id(n) not in docstrings]
    assert not found, found


def test_sheet_words_and_hints_come_from_the_records():
    from symprop.render.texnames import activation_words, loss_words

    assert activation_words("leaky_relu") == "leaky ReLU"
    assert activation_words("sigmoid") == r"sigmoid $\sigma$"
    assert activation_words("softmax") == "softmax"            # no words: its name
    assert loss_words("half_sse") == r"$\tfrac12$ squared error"
    assert all(r.words for r in LOSSES.values())
    assert FUNCTIONS["relu"].slope_hint == FUNCTIONS["leaky_relu"].slope_hint
