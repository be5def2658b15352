"""Exact values that are not rationals (issue 18): a problem file's leaf values may be
closed forms (sqrt(2)/2, 1 + sin(pi/4), pi/4, exp(1/3)), and they stay exact through
the solution, its JSON, its sheet, the checker, exam variants and symprop.gradients.

Expected values come from sympy.diff of the fully composed loss built here from the
same exact values (sp.sqrt(2)/2, 1 + sp.sin(sp.pi/4)), and from mpmath at 60 digits.
"""

import json
import re

import mpmath as mp
import pytest
import sympy as sp

import symprop
from symprop.core.verify import verify
from symprop.errors import ExpressionError, ProblemFileError
from symprop.model import numeric
from symprop.model.problem import to_value

S2 = sp.sqrt(2)

# Hagan et al., Neural Network Design, ch. 11 style: a 1-2-1 net, target 1 + sin(π/4)
HAGAN = """
title = "target 1 + sin(pi/4)"
loss = "half_sse"
learning_rate = "1/10"

[data]
x = "pi/4"
y = "1 + sin(pi/4)"

[[layers]]
weights = [["sqrt(2)/2"], [-0.5]]
bias = ["exp(1/3)", "pi/8"]
activation = "sigmoid"

[[layers]]
weights = [[1, "cos(pi/3)"]]
bias = "2**(1/2)"
activation = "identity"
"""

GRAPH = """
title = "graph with closed-form leaves"
loss = "half_sse"
learning_rate = "sqrt(2)/10"
gradients_for = ["x"]

[params]
w = "sqrt(2)/2"
u = "log(3)"

[graph]
z = "w*x + u"
h = "tanh(z)"
f = "h*w + exp(x)"
output = "f"

[data]
x = "pi/4"
y = "1 + sin(pi/4)"
"""


def sigma(z):
    return 1 / (1 + sp.exp(-z))


def hagan_reference():
    """The composed loss of HAGAN over symbols, and the exact values to substitute."""
    w1, w2, b1, b2, v1, v2, c = sp.symbols("w1 w2 b1 b2 v1 v2 c", real=True)
    x, y = sp.pi / 4, 1 + sp.sin(sp.pi / 4)
    out = v1 * sigma(w1 * x + b1) + v2 * sigma(w2 * x + b2) + c
    loss = sp.Rational(1, 2) * (out - y) ** 2
    values = {w1: S2 / 2, w2: sp.Rational(-1, 2), b1: sp.exp(sp.Rational(1, 3)), b2: sp.pi / 8,
              v1: sp.Integer(1), v2: sp.Rational(1, 2), c: S2}
    names = {"dL/dW1[1,1]": w1, "dL/dW1[2,1]": w2, "dL/db1[1]": b1, "dL/db1[2]": b2,
             "dL/dW2[1,1]": v1, "dL/dW2[1,2]": v2, "dL/db2[1]": c}
    return loss, values, names


def same(a, b):
    """Exactly equal: the difference simplifies to 0 (and agrees to 50 digits)."""
    assert numeric.decimal(a, 50) == numeric.decimal(b, 50)
    d = a - b
    return sp.expand(d.rewrite(sp.exp)) == 0 or sp.simplify(d) == 0


def mp_value(expr):
    """An mpmath value of a SymPy closed form at the current precision, independent of
    symprop's interval arithmetic."""
    return mp.mpf(sp.N(expr, mp.mp.dps))


def test_values_are_read_as_exact_closed_forms():
    p = symprop.loads(HAGAN)
    layer1, layer2 = p.network.layers
    assert layer1.weights[0][0] == S2 / 2 and layer1.bias == (sp.exp(sp.Rational(1, 3)), sp.pi / 8)
    assert layer2.weights[0][1] == sp.Rational(1, 2) and layer2.bias == (S2,)
    assert p.samples[0].target == (1 + S2 / 2,)        # sin(pi/4) evaluates to sqrt(2)/2
    assert dict(p.samples[0].inputs)["x"] == (sp.pi / 4,)
    assert not any(v.has(sp.Float) for v in layer1.weights[0] + layer1.bias)


def test_target_one_plus_sin_pi_over_4_solves_exactly():
    """The issue's requirement: loss and every gradient equal sympy.diff of the composed loss."""
    solution = symprop.solve(symprop.loads(HAGAN))
    answers = solution.answers()
    loss, values, names = hagan_reference()
    assert same(answers["loss"], loss.subs(values))
    for name, symbol in names.items():
        got, want = answers[name], sp.diff(loss, symbol).subs(values)
        assert not got.has(sp.Float), name
        assert same(got, want), name
    # the update keeps the closed form: W1[1,1]' = sqrt(2)/2 - (1/10) dL/dW1[1,1]
    w1 = next(s for s in values if s.name == "w1")
    after = values[w1] - sp.Rational(1, 10) * sp.diff(loss, w1).subs(values)
    assert same(answers["W1[1,1]'"], after)
    assert all(c.ok for c in verify(solution))


def test_graph_with_closed_form_leaves():
    solution = symprop.solve(symprop.loads(GRAPH))
    answers = solution.answers()
    w, u, x = sp.symbols("w u x", real=True)
    f = sp.tanh(w * x + u) * w + sp.exp(x)
    loss = sp.Rational(1, 2) * (f - (1 + S2 / 2)) ** 2
    values = {w: S2 / 2, u: sp.log(3), x: sp.pi / 4}
    assert same(answers["loss"], loss.subs(values))
    assert same(answers["dL/dw"], sp.diff(loss, w).subs(values))
    assert same(answers["dL/du"], sp.diff(loss, u).subs(values))
    assert same(answers["dL/dx"], sp.diff(loss, x).subs(values))
    assert same(answers["w'"], S2 / 2 - S2 / 10 * sp.diff(loss, w).subs(values))
    assert all(c.ok for c in verify(solution))


def test_decimals_are_certified_against_mpmath_at_50_digits():
    solution = symprop.solve(symprop.loads(HAGAN))
    data = solution.to_json(digits=40)
    loss, values, names = hagan_reference()
    with mp.workdps(60):
        for name, expr in [("loss", loss)] + [(n, sp.diff(loss, s)) for n, s in names.items()]:
            # mpmath from the composed formula, evaluated by SymPy's N at 60 digits
            want = mp_value(expr.subs(values))
            got = mp.mpf(data["answers"][name]["decimal"])
            assert abs(got - want) <= mp.mpf(10) ** (mp.floor(mp.log10(abs(want))) - 39) / 2 * 1.0001, name


@pytest.mark.parametrize("text, reference", [
    ("sin(1)", lambda: mp.sin(1)), ("cos(1/3)", lambda: mp.cos(mp.mpf(1) / 3)),
    ("sqrt(2)/2", lambda: mp.sqrt(2) / 2), ("1 + sin(pi/4)", lambda: 1 + mp.sin(mp.pi / 4)),
    ("e**2 - pi", lambda: mp.e ** 2 - mp.pi), ("3**(-2/3)", lambda: mp.mpf(3) ** (mp.mpf(-2) / 3)),
    ("log(5)*sin(pi/5)", lambda: mp.log(5) * mp.sin(mp.pi / 5)),
])
def test_closed_form_values_have_certified_decimals(text, reference):
    value = to_value(text)
    with mp.workdps(60):
        want = reference()
        got = mp.mpf(numeric.decimal(value, 50))
        assert abs(got - want) <= abs(want) * mp.mpf(10) ** -49


def test_json_round_trip_reads_back_exactly():
    """Every exact string of the JSON reads back to the solution's own value: with SymPy
    (our own output, in a test: equal to 50 certified digits), and with the problem
    files' parser wherever it fits its size limits (a value pasted back into a problem
    file: proved equal)."""
    solution = symprop.solve(symprop.loads(HAGAN))
    data = json.loads(json.dumps(solution.to_json()))
    answers = solution.answers()
    parsed = 0
    for name, value in answers.items():
        text = data["answers"][name]["exact"]
        assert "." not in text, name                       # no float crept in
        assert numeric.decimal(sp.sympify(text), 50) == numeric.decimal(value, 50), name
        try:
            back = to_value(text, allow_symbols=False)
        except ExpressionError as exc:
            assert "too complex" in str(exc) or "too long" in str(exc), (name, exc)
            continue
        parsed += 1
        assert canonical(back) == canonical(value) or same(back, value), name
    assert parsed >= 15
    assert "2**(1/2)" in data["answers"]["z1[1]"]["exact"]


def canonical(e):
    """The evaluated form of an (unevaluated) SymPy tree."""
    return sp.sympify(sp.srepr(e))


def test_sheet_prints_the_closed_form():
    tex = symprop.solve(symprop.loads(HAGAN)).to_latex()
    assert r"\sqrt{2}" in tex
    assert "e^{" in tex                                   # exp(1/3) as e^{1/3}, not a decimal


def test_sheet_states_the_given_closed_forms():
    tex = symprop.solve(symprop.loads(HAGAN)).to_latex()
    body = tex[tex.index(r"\section{The problem}"):]             # the title is the file's own text
    given, picture = body.split(r"\section{Solution}")[0].split(r"\begin{tikzpicture}")
    # by hand: √2/2 = 0.70710678, π/8 = 0.39269908, π/4 = 0.78539816, √2 = 1.41421356,
    # e^{1/3} = 1.39561243, 1 + sin(π/4) = 1 + √2/2 = 1.70710678; to the sheet's 6 digits
    for shown in (r"\frac{\sqrt{2}}{2} \approx 0.707107", r"\frac{\pi}{8} \approx 0.392699",
                  r"x = \begin{bmatrix}\frac{\pi}{4} \approx 0.785398\end{bmatrix}",
                  r"\sqrt{2} \approx 1.41421", r"e^{\frac{1}{3}} \approx 1.39561",
                  r"y = \begin{bmatrix}\frac{\sqrt{2}}{2} + 1 \approx 1.70711\end{bmatrix}"):
        assert shown in given, shown
    assert r"{$\frac{\sqrt{2}}{2}$}" in picture                  # the weight on its edge, exact
    assert r"\pi" in body and not re.search(r"(?<![\\a-z])pi(?![a-z])", body)     # π is \pi, never pi


def test_checker_against_a_closed_form_problem():
    solution = symprop.solve(symprop.loads(HAGAN))
    exact = solution.answers()["dL/dW1[1,1]"]
    good = numeric.decimal(exact, 6)
    answers = symprop.loads_answers(f"""
[answers]
"dL/dW1[1,1]" = "{good}"
"dL/db1[1]" = 12.5
""")
    report = symprop.check(solution, answers)
    verdicts = {r.name: r.verdict for r in report.results}
    assert verdicts["dL/dW1[1,1]"] == "rounded"
    assert verdicts["dL/db1[1]"] == "wrong"


def test_gradients_fall_back_to_the_exact_engine():
    problem = symprop.loads(HAGAN)
    g = symprop.gradients(problem)
    assert g.engine == "sympy"
    loss, values, names = hagan_reference()
    with mp.workdps(40):
        for name, symbol in names.items():
            want = mp_value(sp.diff(loss, symbol).subs(values))
            got = mp.mpf(str(g.gradients[name.removeprefix("dL/d")]))   # a certified Decimal
            assert abs(got - want) <= abs(want) * mp.mpf(10) ** -28, name
    with pytest.raises(Exception, match="irrational|SymPy engine"):
        symprop.gradients(problem, engine="fast")


def test_exam_variant_keeps_untouched_closed_forms_and_replaces_drawn_values():
    text = HAGAN + """
[randomize.values]
"W1[2,1]" = {choices = [-1, 1, 2]}
"""
    problem = symprop.loads(text)
    variants = symprop.variants(problem, 3, 5)
    for v in variants:
        w = v.network.layers[0].weights[1][0]
        assert w in (-1, 1, 2)
        assert v.network.layers[0].weights[0][0] == S2 / 2
        assert v.network.layers[0].bias == (sp.exp(sp.Rational(1, 3)), sp.pi / 8)
        assert v.samples[0].target == (1 + S2 / 2,)
        assert v.raw["data"]["y"] == "1 + sin(pi/4)"
        assert symprop.Problem.from_dict(v.raw) == v        # its problem file reads back
        loss, values, names = hagan_reference()
        values[next(s for s in values if s.name == "w2")] = w
        got = symprop.solve(v).answers()["dL/dW1[1,1]"]
        assert same(got, sp.diff(loss, next(s for s in values if s.name == "w1")).subs(values))


def test_with_values_takes_closed_forms_as_text_and_as_sympy():
    p = symprop.loads(GRAPH)
    q = p.with_values({("param", "w"): "cos(pi/6)", ("param", "u"): sp.sqrt(3) / 3,
                       ("input", 0, "x", None): sp.E})
    assert dict(q.params) == {"w": sp.sqrt(3) / 2, "u": sp.sqrt(3) / 3}
    assert dict(q.samples[0].inputs)["x"] == sp.E
    assert q.samples[0].target == (1 + S2 / 2,)                # untouched closed form
    assert q.raw["params"]["w"] == "cos(pi/6)"
    assert symprop.Problem.from_dict(q.raw) == q
    with pytest.raises(ProblemFileError, match="not a real number"):
        p.with_values({("param", "w"): sp.I})


def test_constants_and_symbols():
    assert to_value("pi") == sp.pi and to_value("e") == sp.E and to_value("E") == sp.E
    assert to_value("e**2") == sp.exp(2) and to_value("2**(1/2)") == S2
    w = to_value("w")
    assert w.is_Symbol and w.name == "w"
    assert to_value("pi*w") == sp.pi * w                 # symbols still work beside constants
    assert symprop.solve(symprop.loads(GRAPH.replace('w = "sqrt(2)/2"', 'w = "w"')))


@pytest.mark.parametrize("text, message", [
    ("sqrt(-1)", r"sqrt\(\.\.\.\) of a negative number is not a real number"),
    ("log(0)", r"not a finite number"),
    ("log(-2)", r"not a real number"),
    ("(-8)**(1/3)", r"not a real number"),
    ("1/(sqrt(2) - 2**(1/2))", r"division by zero"),
    ("1/(cos(pi/2))", r"division by zero"),
    ("tan(1)", r"unknown function 'tan'"),
    ("sqrt(v)", r"takes an exact number here, not a symbol"),
    ("sin(10**16*10**4)", r"beyond ±1000000"),
    ("exp(sqrt(10**16))", r"magnitude limit"),
    ("2**sqrt(2)", r"exponents must be integers or small fractions"),
    ("2**(1/17)", r"exponents must be integers or small fractions"),
    ("sin(pi/4", r"cannot parse"),
    ("cos(1)**2 + sin(1)**2 - 1", r"cannot be certified.*is it exactly 0"),
    ("log(-1)*w", r"not a real number"),
    ("__import__('os')", r"not allowed|unknown"),
])
def test_values_that_are_not_numbers_are_refused_naming_the_key(text, message):
    problem = HAGAN.replace('"pi/8"', f'"{text}"' if "'" in text else f"'{text}'")
    with pytest.raises(ExpressionError, match=message) as info:
        symprop.loads(problem, source="hagan.toml")
    assert "hagan.toml" in str(info.value) and "layers[1].bias[2]" in str(info.value)


def test_symbol_where_a_number_is_needed():
    with pytest.raises(ExpressionError, match="must be a number, not a symbol") as info:
        symprop.loads('leaky_slope = "a/100"\n' + HAGAN, source="p.toml")
    assert "p.toml" in str(info.value) and "leaky_slope" in str(info.value)
    with pytest.raises(ProblemFileError, match=r"must be positive, got 1 - sqrt\(2\)"):
        symprop.loads(HAGAN.replace('learning_rate = "1/10"', 'learning_rate = "1 - sqrt(2)"'))


def test_bounded_sizes_are_quick():
    """No sin of a huge argument, no root of a huge number reaches SymPy's evaluation."""
    import time

    start = time.monotonic()
    for text in ("sin(10**16*10**16)", "cos(exp(100))", "sqrt(10**16)**16**16"):
        with pytest.raises(ExpressionError):
            to_value(text)
    assert time.monotonic() - start < 5


def test_training_set_with_closed_form_inputs_and_targets():
    text = """
loss = "mse"
reduction = "mean"
learning_rate = "e/10"

[[samples]]
x = ["sqrt(3)", "-pi"]
y = "cos(pi/5)"

[[samples]]
x = ["1/2", "log(2)"]
y = "e**(-1)"

[[layers]]
weights = [["1/3", "sqrt(2)"]]
bias = "sin(1)"
activation = "tanh"
"""
    answers = symprop.solve(symprop.loads(text)).answers()
    a, b, c = sp.symbols("a b c", real=True)
    data = [((sp.sqrt(3), -sp.pi), sp.cos(sp.pi / 5)), ((sp.Rational(1, 2), sp.log(2)), sp.exp(-1))]
    loss = sum((sp.tanh(a * x1 + b * x2 + c) - y) ** 2 for (x1, x2), y in data) / 2
    values = {a: sp.Rational(1, 3), b: S2, c: sp.sin(1)}
    assert same(answers["loss"], loss.subs(values))
    for name, s in [("dL/dW1[1,1]", a), ("dL/dW1[1,2]", b), ("dL/db1[1]", c)]:
        assert same(answers[name], sp.diff(loss, s).subs(values)), name
    after = sp.sin(1) - sp.E / 10 * sp.diff(loss, c).subs(values)
    assert same(answers["b1[1]'"], after)
