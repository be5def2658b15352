"""The shortcuts that make exams and medium solves fast give what the slow paths give.

Each shortcut is compared with the path it replaces, on random inputs: SymPy's own
evaluation of comparisons and Piecewise, sympy.diff of a weighted sum, a tape built
from scratch for every exam candidate, the unmemoized exact printer and value
spellings, and the hand-rounding simulation compiled afresh for every variant.
"""

import random

import pytest
import sympy as sp

import symprop
import symprop.core.builder as builder
from symprop.core.arith import substitute
from symprop.core.engine import solve
from symprop.core.tape import build_tape
from symprop.exam.randomize import drawn_values
from symprop.exam.variants import draw

from helpers import EXAMPLES

SIGMOID = (EXAMPLES / "two_layer_sigmoid.toml").read_text() + """
[randomize.values]
W1 = {range = ["-0.5", "0.5"], step = "0.1"}
W2 = {range = ["-0.5", "0.5"], step = "0.1"}
x = {choices = ["0.1", "0.5", "1"]}

[randomize.constraints]
loss_decreases = true
"""


def _rationals(rng, n):
    return [sp.Rational(rng.randint(-6, 6), rng.choice([1, 2, 3, 4])) for _ in range(n)]


def test_comparisons_and_piecewise_of_rationals_are_what_sympy_evaluates():
    """substitute decides u ≥ 0, u > 0, ... of Rationals with integers and a Piecewise
    by its first true branch: the same value SymPy's evaluation gives, zeros included."""
    u, v = sp.symbols("u v", real=True)
    exprs = [u >= 0, u > 0, u <= v, u < v, sp.Eq(u, v), sp.Ne(u, v),
             sp.Piecewise((u, u >= 0), (0, True)), sp.Piecewise((u, u > 0), (u / 10, True)),
             sp.Piecewise((1, u > v), (2, u >= v), (3, True)),
             sp.Piecewise((u * v, u > 0), (sp.exp(u) - 1, True)),
             sp.Piecewise((u, u > 0), (v, v > 0))]          # no branch may hold
    rng = random.Random(13)
    for _ in range(200):
        a, b = _rationals(rng, 2)
        env = {u: a, v: b}
        for e in exprs:
            got, expected = substitute(e, env), e.xreplace(env)
            assert got == expected and type(got) is type(expected), (e, a, b)


def test_weighted_sum_partials_are_sympy_diff():
    """_linear reads the partials of z = Σ w·a + b off the sum; sympy.diff gives the
    same expressions (and types) for every node of random nets and the graph examples."""
    rng = random.Random(5)
    problems = [symprop.load(EXAMPLES / name) for name in
                ("circuit.toml", "skip_connection.toml", "two_layer_relu.toml",
                 "two_layer_sigmoid.toml", "relu_2_3_1.toml")]
    for _ in range(4):
        sizes = [rng.randint(1, 4) for _ in range(rng.randint(2, 4))]
        layers = [{"weights": [[str(w) for w in _rationals(rng, a)] for _ in range(b)],
                   "bias": [str(c) for c in _rationals(rng, b)],
                   "activation": rng.choice(["relu", "sigmoid", "tanh", "identity"])}
                  for a, b in zip(sizes, sizes[1:])]
        problems.append(symprop.Problem.from_dict({
            "loss": "half_sse", "learning_rate": "1/10", "layers": layers,
            "data": {"x": [str(v) for v in _rationals(rng, sizes[0])],
                     "y": [str(v) for v in _rationals(rng, sizes[-1])]}}))
    for problem in problems:
        fast = build_tape(problem)
        saved, builder._linear = builder._linear, lambda expr, symbols: None
        builder._TEMPLATES.clear()
        try:
            slow = build_tape(problem)
        finally:
            builder._linear = saved
        for a, b in zip(fast.nodes, slow.nodes):
            assert a.partials == b.partials and a.shown_partials == b.shown_partials, a.name
            assert [type(x) for _, x in a.partials] == [type(x) for _, x in b.partials]


def test_linear_refuses_what_is_not_a_weighted_sum():
    x, y, b = sp.symbols("x y b", real=True)
    assert builder._linear(sp.Mul(x, x, evaluate=False), [x]) is None
    assert builder._linear(sp.Add(sp.Mul(x, y, evaluate=False), sp.Mul(x, b, evaluate=False),
                                  evaluate=False), [x, y, b]) is None    # x twice
    assert builder._linear(2 * x + b, [x, b]) is None
    assert builder._linear(x * y + b, [x, y, b]) == [y, x, 1]


@pytest.mark.parametrize("text", [(EXAMPLES / "two_layer_relu.toml").read_text(), SIGMOID])
def test_exam_candidates_solve_as_from_scratch(text):
    """A candidate solved on the exam's tape (with_values builds only the leaves) has the
    answers of the same problem solved with its own, freshly built tape."""
    problem = symprop.loads(text)
    tape, rng = build_tape(problem), random.Random(3)
    targets = drawn_values(problem)
    for _ in range(6):
        candidate = problem.with_values({s: rng.choice(pool) for slots, pool in targets
                                         for s in slots})
        try:
            fresh = solve(candidate)
        except symprop.SympropError:
            continue
        shared = solve(candidate, tape=tape)
        assert shared.answers() == fresh.answers()


def test_memoized_printing_gives_the_unmemoized_text():
    """exact_string's per-subexpression memo, the text renderer's memoized value spellings
    and the hand-rounding functions shared across an exam's variants change no output."""
    import symprop.render  # noqa: F401
    import symprop.render.textout as textout
    from symprop.core import facts, solution as sol
    from symprop.render import printing

    vs = draw(symprop.loads(SIGMOID), 3, 11)
    memo = [({n: sol.exact_string(v) for n, v in x.solution.answers().items()},
             str(x.solution), x.solution.question_digits) for x in vs]
    saved = sol._exact, textout.short_value, textout.value_text
    sol._exact = sol._exact.__wrapped__          # its recursion calls the module's name
    textout.short_value, textout.value_text = printing.short_value, printing.value_text
    facts._COMPILED.clear()
    try:
        again = draw(symprop.loads(SIGMOID), 3, 11)
        plain = []
        for x in again:
            facts._COMPILED.clear()              # compiled afresh for each variant
            plain.append(({n: sol.exact_string(v) for n, v in x.solution.answers().items()},
                          str(x.solution), x.solution.question_digits))
    finally:
        sol._exact, textout.short_value, textout.value_text = saved
    assert memo == plain


def test_sums_and_products_of_rationals_in_integers_are_sympys():
    """arith adds and multiplies Rationals in integers: the value and type (Integer,
    Half, Zero, Rational) sp.Add / sp.Mul give, also through add/mul and substitute."""
    from symprop.core.arith import _product, _sum, add, mul

    rng = random.Random(17)
    u, v, w = sp.symbols("u v w", real=True)
    for _ in range(3000):
        xs = [sp.Rational(rng.randint(-40, 40), rng.choice([1, 2, 3, 7, 10, 10**12]))
              for _ in range(rng.randint(1, 5))]
        for got, expected in ((_sum(xs), sp.Add(*xs)), (_product(xs), sp.Mul(*xs)),
                              (add(*xs), sp.Add(*xs)), (mul(*xs), sp.Mul(*xs))):
            assert got == expected and type(got) is type(expected), xs
        a, b, c = (xs * 3)[:3]
        env = {u: a, v: b, w: c}
        for e in (u * v + w, u * v * w - u, (u + v) * w):
            got, expected = substitute(e, env), e.xreplace(env)
            assert got == expected and type(got) is type(expected)
