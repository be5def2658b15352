"""The steps the seeds write by hand, on the answer and question sheets (issue 18): the δ
recursion derived for the network, the backward pass in vector and matrix form, σ′ with
the numbers, the chain rule for an output and a hidden weight, the questions on the
method. Expected values come from an independent computation in the test: the composed
loss written out with SymPy from the problem's weights and differentiated by sympy.diff
(δ^(l)_j as ∂L/∂ε_j of a perturbation ε added to z^(l)_j), or the seeds' own numbers."""

import re
from pathlib import Path

import pytest
import sympy as sp

import symprop
from symprop.render import derivation, practice, vectors
from symprop.render.formulas import fprime, output_delta
from symprop.render.sheet import to_latex
from symprop.render.texnames import spelling

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
LAYERED = ["relu_2_3_1.toml", "two_layer_sigmoid.toml", "saturated_sigmoid.toml", "two_layer_relu.toml"]
SEEDS = LAYERED + ["skip_connection.toml"]

_F = {"relu": lambda z: sp.Max(0, z), "sigmoid": lambda z: 1 / (1 + sp.exp(-z)), "identity": lambda z: z}
_LOSS = {"half_sse": lambda a, y: sp.Rational(1, 2) * sum((ai - yi) ** 2 for ai, yi in zip(a, y)),
         "sse": lambda a, y: sum((ai - yi) ** 2 for ai, yi in zip(a, y))}


def solve(name):
    return symprop.solve(symprop.load(EXAMPLES / name))


def close(a, b):
    return abs(sp.N(sp.sympify(a) - sp.sympify(b), 40)) < sp.Float("1e-30")


class Independent:
    """The network of a layered problem (one sample) written out by hand in SymPy: weights
    and biases as symbols, a perturbation ε added to every z, the loss composed."""

    def __init__(self, problem):
        layers = problem.network.layers
        (sample,) = problem.samples
        x, y = dict(sample.inputs)["x"], sample.target
        self.values, self.w, self.b, self.eps, self.z, self.a = {}, {}, {}, {}, {}, {0: sp.Matrix(x)}
        for l, layer in enumerate(layers, start=1):
            rows, cols = len(layer.weights), len(layer.weights[0])
            w = sp.Matrix(rows, cols, lambda j, k: sp.Symbol(f"w{l}_{j}_{k}"))
            e = sp.Matrix(rows, 1, lambda j, _: sp.Symbol(f"e{l}_{j}"))
            z = w * self.a[l - 1] + e
            if layer.bias is not None:
                b = sp.Matrix(rows, 1, lambda j, _: sp.Symbol(f"b{l}_{j}"))
                z += b
                self.b[l] = b
                self.values.update({b[j]: layer.bias[j] for j in range(rows)})
            self.values.update({w[j, k]: layer.weights[j][k] for j in range(rows) for k in range(cols)})
            self.values.update({e[j]: 0 for j in range(rows)})
            self.w[l], self.eps[l], self.z[l] = w, e, z
            self.a[l] = z.applyfunc(_F[layer.activation])
        self.loss = _LOSS[problem.loss](list(self.a[len(layers)]), list(y))

    def at(self, expr):
        return expr.subs(self.values)

    def delta(self, l):
        return sp.Matrix([self.at(sp.diff(self.loss, e)) for e in self.eps[l]])

    def grad_w(self, l):
        return self.w[l].applyfunc(lambda s: self.at(sp.diff(self.loss, s)))

    def weights(self, l):
        return self.w[l].applyfunc(self.at)


@pytest.mark.parametrize("name", LAYERED)
def test_vectors_and_matrices_equal_the_composed_loss_derivatives(name):
    s = solve(name)
    v = vectors.layer_vectors(s, s.steps[0])
    net = Independent(s.problem)
    for l in net.w:
        assert all(close(a, b) for a, b in zip(v.pre[l, 0], net.z[l].applyfunc(net.at))), (name, l)
        assert all(close(a, b) for a, b in zip(v.act[l, 0], net.a[l].applyfunc(net.at))), (name, l)
        assert all(close(a, b) for a, b in zip(v.delta[l, 0], net.delta(l))), (name, l)
        assert all(close(a, b) for a, b in zip(v.grad_w[l], net.grad_w(l))), (name, l)
        if l + 1 in net.w:          # (W^(l+1))ᵀ δ^(l+1), by Matrix arithmetic from the weights
            back = net.weights(l + 1).T * net.delta(l + 1)
            assert all(close(a, b) for a, b in zip(v.dlda[l, 0], back)), (name, l)


def test_seed_000_transposed_weights_times_delta():
    s = solve("relu_2_3_1.toml")
    v = vectors.layer_vectors(s, s.steps[0])
    # the seed: (W²)ᵀ δ² ⊙ ReLU′ = [0.9, −0.4, 0.7]ᵀ · 2.3 = [2.07, −0.92, 1.61]
    assert list(v.dlda[1, 0]) == [sp.Rational("2.07"), sp.Rational("-0.92"), sp.Rational("1.61")]
    assert list(v.delta[1, 0]) == list(v.dlda[1, 0])
    with spelling(s):
        tex = "\n".join(vectors.rows(s, s.steps[0]))
    assert r"\begin{bmatrix}2.07 \\ -0.92 \\ 1.61\end{bmatrix}" in tex
    # the seed's first-layer gradients: 2.07·2 = 4.14, 2.07·1, −0.92·2 = −1.84, ...
    assert r"\begin{bmatrix}4.14 & 2.07 \\ -1.84 & -0.92 \\ 3.22 & 1.61\end{bmatrix}" in tex


def test_seed_002_forward_pass_in_vector_form():
    s = solve("saturated_sigmoid.toml")
    with spelling(s):
        tex = "\n".join(vectors.forward_rows(s, s.steps[0]))
    # the seed: z1 = W1·x + b1 = [3.9, 12.1, 20.3], z2 = W2·A1 + b2 = 18.3
    assert r"&= \begin{bmatrix}3.9 \\ 12.1 \\ 20.3\end{bmatrix}" in tex
    assert r"= \begin{bmatrix}18.3\end{bmatrix}" in tex


def test_seed_003_first_layer_gradients_in_matrix_notation():
    s = solve("two_layer_relu.toml")
    v = vectors.layer_vectors(s, s.steps[0])
    assert v.grad_w[1] == sp.Matrix([[-1, 0], [0, 0]])          # the seed's [[−1, 0], [0, 0]]
    with spelling(s):
        tex = "\n".join(vectors.rows(s, s.steps[0]))
    assert r"= \begin{bmatrix}-1 & 0 \\ 0 & 0\end{bmatrix}" in tex


def test_seed_002_gradient_row_and_3x3_matrix_are_shown():
    s = solve("saturated_sigmoid.toml")
    v = vectors.layer_vectors(s, s.steps[0])
    assert v.grad_w[2].shape == (1, 3) and v.grad_w[1].shape == (3, 3)
    # dL/dW1 = δ1 xᵀ with x = [20, 3, 4]: each row is δ1[j] times x
    for j in range(3):
        assert [v.grad_w[1][j, k] / v.delta[1, 0][j] for k in range(3)] == [20, 3, 4]
    with spelling(s):
        tex = "\n".join(vectors.rows(s, s.steps[0]))
    assert tex.count(r"\begin{bmatrix}") >= 8


@pytest.mark.parametrize("name", LAYERED)
def test_derived_bp1_evaluates_to_the_output_delta(name):
    """The δ^(L) the derivation prints (loss's ∂L/∂a times the textbook f′), evaluated at this
    exercise's values, equals ∂L/∂z^(L) of the composed loss."""
    s = solve(name)
    p = s.problem
    big_l = len(p.network.layers)
    scale, dlda = output_delta(p)
    slope = fprime(p.network.layers[-1].activation, big_l, p.conventions)
    net = Independent(p)
    j = sp.Symbol("j", integer=True)
    for unit in range(len(net.z[big_l])):
        z, a = net.at(net.z[big_l][unit]), net.at(net.a[big_l][unit])
        y = p.samples[0].target[unit]
        env = {sp.IndexedBase(f"a{big_l}")[j]: a, sp.IndexedBase("y")[j]: y, sp.IndexedBase(f"z{big_l}")[j]: z}
        printed = (scale * dlda * slope).xreplace(env).doit()
        assert close(printed, net.delta(big_l)[unit]), name


@pytest.mark.parametrize("name", LAYERED)
def test_derivation_rows_follow_the_chain_rule(name):
    s = solve(name)
    with spelling(s):
        rows = derivation.rows(s)
    tex = "\n".join(rows)
    big_l = len(s.problem.network.layers)
    assert rf"\delta^{{({big_l})}}_{{j}} &= \frac{{\partial L}}{{\partial z^{{({big_l})}}_{{j}}}} = " in tex
    assert r"\text{BP1" in tex and r"\text{BP2}" in tex and r"\text{ BP4}" in tex
    biased = any(layer.bias is not None for layer in s.problem.network.layers)
    assert (r"\text{BP3}" in tex) == biased                    # two_layer_relu has no biases
    assert r"\sum_k w^{(2)}_{kj}\, \delta^{(2)}_{k}" in tex                 # (W²)ᵀδ² in index form
    assert r"\odot" in tex and r"\mathsf{T}" in tex                        # and in matrix form


def test_seed_000_derivation_names_relu_and_half_squared_error():
    s = solve("relu_2_3_1.toml")
    with spelling(s):
        tex = "\n".join(derivation.rows(s))
    # the seed: δᴸ = ∂L/∂aᴸ · ∂aᴸ/∂zᴸ = (aᴸ − y)·ReLU′(zᴸ)
    assert r"&= \left(a^{(2)}_{j} - y_{j}\right) \cdot \operatorname{ReLU}'\left(z^{(2)}_{j}\right)" in tex


def test_sigmoid_slopes_have_the_numbers_substituted():
    s = solve("two_layer_sigmoid.toml")
    step = s.steps[0]
    net = Independent(s.problem)
    got = {z: value for _, z, value in derivation.slopes(s, step)}
    for l in (1, 2):
        for j in range(2):
            a = net.at(net.a[l][j])
            assert close(got[f"z{l}[{j + 1}]"], a * (1 - a))          # σ′ = σ(1 − σ)
    with spelling(s):
        rows = derivation.slope_rows(s, step)
    assert any(r"a^{(2)}_{1} \cdot \left(1 - a^{(2)}_{1}\right) = 0.65055" in r for r in rows)


def test_chain_rule_for_an_output_weight_and_a_hidden_weight():
    s = solve("two_layer_sigmoid.toml")
    out, hidden = practice.chain_weights(s)
    assert out.quantity.layer == 2 and hidden.quantity.layer == 1
    tex = to_latex(s)
    assert r"The chain rule written out for $w^{(2)}_{11}$" in tex
    assert r"The chain rule written out for $w^{(1)}_{11}$, one product per path" in tex
    g = symprop.solve(symprop.load(EXAMPLES / "skip_connection.toml"))
    out, hidden = practice.chain_weights(g)
    assert (out.name, hidden.name) == ("w2", "w0")          # the seed's "WEIGHT W2" and "WEIGHT W0"


@pytest.mark.parametrize("name", SEEDS)
def test_question_sheet_asks_the_method_and_the_answer_sheet_answers_it(name):
    s = solve(name)
    asked = practice.questions(s)
    questions, answers = to_latex(s, questions=True), to_latex(s)
    assert "Questions on the method" in questions
    assert questions.count(r"\ruledbox{") == len(asked) >= 3
    for q in asked:
        assert rf"\textbf{{{q.letter}.}}" in questions
        assert re.search(rf"\(questions? (?:[A-Z], )*(?:[A-Z] and )?{q.letter}\b", answers), q
    keys = [q.key for q in asked]
    if name in LAYERED:
        assert keys[:3] == ["delta_out", "delta_hidden", "gradients"] and "matrix" in keys
        assert r"Derive $\delta^{(2)}_j" in questions
    assert "chain_out" in keys and "chain_hidden" in keys


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("*.toml")))
def test_no_closed_form_filler_in_any_answer_table(name):
    tex = to_latex(solve(name))
    assert "(closed form)" not in tex


def test_answer_table_puts_the_exact_form_in_the_exact_column_and_every_decimal_in_the_decimal_one():
    tex = to_latex(solve("saturated_sigmoid.toml"))
    table = tex[tex.index("All answers"):]
    assert r"\renewcommand{\arraystretch}" in table          # rows of fractions do not touch
    assert r"1 & z^{(1)}_{1} & \frac{39}{10} & 3.9 \\" in table       # z1[1] = 0.1·20 + 0.2·3 + 0.3·4 + 0.1
    # δ2 = ∂L/∂a · σ'(z) = 2(σ(18.3) − 18) · σ(18.3)(1 − σ(18.3)), L = (a − 18)²; by hand:
    # 2(0.99999998872 − 18) = −34.0000000226, σ(1 − σ) = 1.1282646e-8 · 0.99999998872: −3.836099724e-7
    assert (r"11 & \delta^{(2)}_{1} & 2 \left(\sigma\left(18.3\right) - 18\right) \cdot \sigma\left(18.3\right)"
            r" \cdot \left(1 - \sigma\left(18.3\right)\right) & -3.836099724 \times 10^{-7} \\") in table
    assert r"\multicolumn" not in table and r"\approx" not in table
    assert r"12 & \partial L / \partial a^{(1)}_{1} & " in table       # a derivative's name on one line
    # two_layer_sigmoid's L = ½((σ(…) − 0.9)² + (σ(…) − 0.1)²) is too long: its exact cell is empty
    # and says so once; its decimal (0.170528, the worked line's L) stays in the decimal column
    table = to_latex(solve("two_layer_sigmoid.toml"))
    table = table[table.index("All answers"):]
    assert r"9 & L &  & 0.170528 \\" in table
    assert table.count("An empty exact cell") == 1
    assert r"\multicolumn" not in table
    rows = [line for line in table.splitlines() if re.match(r"\d+ & ", line)]
    assert len(rows) == 54 and all(line.count(" & ") == 3 for line in rows)


def test_bce_with_sigmoid_derivation_cancels_to_a_minus_y():
    s = symprop.solve(symprop.loads("""
loss = "bce"
learning_rate = 0.1
[data]
x = [1, 2]
y = [1]
[[layers]]
weights = [[1, -1]]
bias = [0]
activation = "sigmoid"
"""))
    with spelling(s):
        tex = "\n".join(derivation.rows(s))
    # ∂L/∂a = (a − y)/(a(1 − a)) and σ′ = a(1 − a): their product is a − y
    assert r"&= a^{(1)}_{j} - y_{j} && \text{BP1 (}\sigma'\text{ cancels)}" in tex
    net_delta = s.steps[0].adjoints["z1[1]"].value
    a = s.steps[0].values["a1[1]"]
    assert close(net_delta, a - 1)


def test_why_questions_follow_the_remarks_and_are_answered_by_them():
    expected = {"saturated_sigmoid.toml": "saturation_why", "skip_connection.toml": "skip_why",
                "two_layer_relu.toml": "dead_why"}
    for name, key in expected.items():
        s = solve(name)
        letter = practice.letter(s, key)
        assert letter is not None, name
        tex = to_latex(s)
        remarks_part = tex[tex.index(r"\subsection{Remarks}"):]
        assert f"(question {letter}) " in remarks_part, name
    assert practice.letter(solve("two_layer_sigmoid.toml"), "saturation_why") is None    # σ′ ≈ 0.23
    assert practice.letter(solve("two_layer_sigmoid.toml"), "dead_why") is None          # no ReLU
