"""Quantities are the structure; flat names are their spelling. Every answer of a
solution has a Quantity, and spelling it gives back exactly the answer's name."""

import glob
import re

import pytest
from hypothesis import HealthCheck, given, settings

import symprop
from symprop.model.naming import Quantity
from test_names import graphs

EXAMPLES = sorted(glob.glob("examples/*.toml") + glob.glob("tests/published/*.toml"))


@pytest.mark.parametrize("path", EXAMPLES)
def test_every_answer_of_an_example_is_the_spelling_of_its_quantity(path):
    """solution.quantity(name).flat(base) == name for every answer, every step, final."""
    problem = symprop.load(path)
    solution = symprop.solve(problem)
    for name in solution.answers():
        assert solution.quantity(name).flat(problem.index_base) == name


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(graphs())
def test_every_answer_of_a_random_graph_is_the_spelling_of_its_quantity(spec):
    """The same for random graphs: several samples, steps 0-2, loss none."""
    solution = symprop.solve(symprop.Problem.from_dict(spec))
    for name in solution.answers():
        assert solution.quantity(name).flat(1) == name


def test_spellings_follow_the_convention_in_the_readme():
    """W1[1,2] is the weight of layer 1 to unit 1 from input 2 (0-based (0, 1) inside)."""
    w = Quantity("weight", 1, (0, 1))
    assert w.flat() == "W1[1,2]" and w.flat(0) == "W1[0,1]"
    z = Quantity("pre", 2, (0,), sample=1)
    assert z.flat() == "sample2.z2[1]"
    assert Quantity("adjoint", of=z).flat() == "sample2.delta2[1]"
    assert Quantity("adjoint", of=z).is_delta
    assert Quantity("gradient", of=w).at(3).flat() == "step3.dL/dW1[1,2]"
    assert Quantity("updated", of=Quantity("param", name="w0")).at(2).flat() == "step2.w0'"
    assert Quantity("loss").at(final=True).flat() == "final.loss"
    assert Quantity("input", 0, (1,)).flat() == "a0[2]"
    assert Quantity("target", index=(0,)).flat() == "y[1]" and Quantity("target").flat() == "y"
    assert Quantity("adjoint", of=Quantity("node", name="h"), by="f").flat() == "df/dh"
    with pytest.raises(ValueError):
        Quantity("weights")


def test_tape_nodes_record_the_functions_they_apply():
    """A graph node knows which registered functions it calls; a name that merely
    contains one ('prelu_x') calls none."""
    spec = {"loss": "half_sse", "learning_rate": "1/2", "params": {"w": "1/2"},
            "graph": {"prelu_x": "w*x", "h": "relu(prelu_x) + sigmoid(w)", "output": "h"},
            "data": {"x": "1", "y": "0"}}
    tape = symprop.solve(symprop.Problem.from_dict(spec)).tape
    assert [f.name for f in tape.node("prelu_x").functions] == []
    assert [f.name for f in tape.node("h").functions] == ["relu", "sigmoid"]
    layered = symprop.solve(symprop.load("examples/two_layer_relu.toml")).tape
    assert {f.name for n in layered.nodes if n.kind == "a" for f in n.functions} == {"relu", "identity"}


TWO_SAMPLES = '''
loss = "half_sse"
learning_rate = 1
steps = 2
index_base = 0
[[samples]]
x = [1, -1]
y = [0]
[[samples]]
x = [2, 1]
y = [1]
[[layers]]
weights = [[0.5, -0.5], [1, 0.25]]
bias = [0, 0.5]
activation = "sigmoid"
[[layers]]
weights = [[1, -1]]
activation = "identity"
'''


@pytest.mark.parametrize("source", EXAMPLES + ["two samples"])
def test_sheets_spell_every_quantity_from_its_structure(source):
    """Answer, question and feedback-free sheets spell every quantity through its
    Quantity: no flat name falls through to the generic spelling (which would print
    it as \\mathit{W1[1,2]} or \\mathit{sample2.a1[1]})."""
    from symprop.render.texnames import tex

    problem = symprop.loads(TWO_SAMPLES) if source == "two samples" else symprop.load(source)
    solution = symprop.solve(problem)
    for questions in (False, True):
        sheet = solution.to_latex(questions)
        leaked = re.findall(r"\\mathit\{[^}]*[\[./][^}]*\}", sheet)
        assert not leaked, leaked[:3]
    base = problem.index_base
    sheet = solution.to_latex()
    for _, _, name, _ in solution.items()[:40]:       # the numbered quantities of the sheet
        assert tex(solution.quantity(name), base) in sheet
