"""The facts renderers ask of a Solution (core/facts.py), each computed once: the
loss change, the value environment, the adjoint terms as shown, the problem
statement, the kink convention; and the renderer registry that lets the core
call the renderers without importing them."""

import pytest
import sympy as sp

import symprop
from helpers import EXAMPLES
from symprop.core import solution as solution_module
from symprop.model.numeric import decimal

SYMBOLIC = '''
loss = "half_sse"
learning_rate = "eta"
[data]
x = "x0"
y = "t"
[params]
w = "w"
[graph]
o = "w*x"
output = "o"
'''


def solved(name):
    return symprop.solve(symprop.load(EXAMPLES / f"{name}.toml"))


@pytest.mark.parametrize("name", ["two_layer_relu", "two_layer_sigmoid", "skip_connection", "relu_2_3_1"])
def test_loss_change_is_the_exact_difference_and_its_sign(name):
    s = solved(name)
    c = s.loss_change()
    assert c is s.loss_change()                                  # computed once
    assert (c.before, c.after) == (s.steps[0].loss, s.final.loss)
    assert decimal(c.change, 6) == c.decimal
    if c.after.is_Rational and c.before.is_Rational:
        assert c.change == c.after - c.before
    else:                                                        # a closed form: 30 certified digits
        diff = sp.Rational(decimal(c.after, 30)) - sp.Rational(decimal(c.before, 30))
        assert abs(sp.Rational(decimal(c.change, 30)) - diff) <= abs(diff) * sp.Rational(1, 10**25)
    expected = "down" if c.decimal.startswith("-") else ("unchanged" if c.decimal == "0" else "up")
    assert c.direction == expected and c.went_down == (expected == "down")


def test_no_loss_change_without_an_update_a_loss_or_numbers():
    assert solved("circuit").loss_change() is None              # loss "none", steps 0
    assert symprop.solve(symprop.loads(SYMBOLIC)).loss_change() is None


def test_values_at_is_data_parameters_and_node_values():
    s = solved("two_layer_sigmoid")
    step = s.steps[0]
    env = s.values_at(step)
    data = {l.name: l.value for l in s.tape.leaves.values() if l.kind != "param"}
    assert env == {**data, **step.params, **step.values}
    final = s.values_at(s.final)
    assert all(final[n] == v for n, v in s.final.params.items())


@pytest.mark.parametrize("name", ["two_layer_relu", "skip_connection", "relu_2_3_1"])
def test_adjoint_terms_carry_the_values_they_multiply(name):
    s = solved(name)
    for step in s.steps:
        for of, adj in step.adjoints.items():
            terms = s.adjoint_terms(step, of)
            assert [t.consumer for t in terms] == [t.consumer for t in adj.terms]
            for shown, term in zip(terms, adj.terms):
                assert shown.from_loss == (term.consumer == s.tape.loss)
                if not shown.from_loss:
                    assert shown.adjoint_value * shown.partial_value == term.contribution


def test_statement_of_a_layered_net_and_of_a_graph():
    s = solved("two_layer_relu")
    st = s.statement
    assert st is s.statement and st.layered and st.output is None and st.equations == ()
    assert st.sizes == tuple(s.problem.network.sizes)
    assert [g.name for g in st.givens] == list(s.tape.leaves)
    assert {g.name for g in st.givens if g.param} == {l.name for l in s.tape.params}
    assert st.relu_derivative_at_zero == s.problem.relu_derivative_at_zero and s.has_kinks

    g = solved("circuit").statement
    assert not g.layered and g.output == "f" and [n for n, _ in g.equations] == ["q", "f"]
    assert g.loss == "none" and g.loss_display is None and g.relu_derivative_at_zero is None
    assert solved("skip_connection").statement.loss_display is not None     # one sample: L written out


def test_sigmoid_net_has_no_kink_convention():
    s = solved("two_layer_sigmoid")
    assert not s.has_kinks and s.statement.relu_derivative_at_zero is None


def test_the_core_calls_registered_renderers(monkeypatch):
    s = solved("circuit")
    assert set(solution_module.RENDERERS) >= {"text", "latex", "jupyter"}   # `import symprop` did it
    monkeypatch.setitem(solution_module.RENDERERS, "text", lambda sol: "TEXT")
    monkeypatch.setitem(solution_module.RENDERERS, "latex", lambda sol, q=False: f"LATEX {q}")
    monkeypatch.setitem(solution_module.RENDERERS, "jupyter", lambda sol: "MATH")
    assert (str(s), s.to_latex(True), s._repr_latex_()) == ("TEXT", "LATEX True", "MATH")
    monkeypatch.delitem(solution_module.RENDERERS, "text")
    with pytest.raises(RuntimeError, match="import symprop.render"):
        str(s)


def test_fact_reprs_never_print_closed_forms_through_sympy():
    """repr of a sigmoid net's loss change and statement shows certified decimals
    (SymPy's str of the closed forms took minutes)."""
    s = symprop.solve(symprop.load("examples/two_layer_sigmoid.toml"))
    text = repr(s.loss_change()) + repr(s.statement) + repr(s.statement.givens)
    assert "LossChange(before=≈0.170528" in text and "Given(name='W1[1,1]', value=1/10" in text
