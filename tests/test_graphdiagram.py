"""A graph's diagram draws what every node computes (issue 18, item 1): a node's
expression becomes one gate per operation (z2 = w2·h1 + w3·h0: two × gates feeding
a +), and evaluating the gates with the leaves' values, by this test's own meaning
of each gate, gives the solution's value of every node. The skip connection runs
under every gate, box and wire label."""

import shutil

import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings

import symprop
from helpers import EXAMPLES, ROOT
from symprop.render.graphdiagram import graph_diagram, layout
from symprop.render.graphgates import MAX_GATES, gates
from test_names import graphs

needs_tex = pytest.mark.skipif(shutil.which("pdflatex") is None or shutil.which("pdftotext") is None,
                               reason="pdflatex/pdftotext not installed (make test installs them)")

MEANING = {
    "+": lambda *a: sp.Add(*a), "-": lambda a, b: a - b, "*": lambda *a: sp.Mul(*a),
    "/": lambda a, b: a / b, "id": lambda a: a,
    "relu": lambda a: sp.Max(a, 0), "sigmoid": lambda a: 1 / (1 + sp.exp(-a)),
    "tanh": sp.tanh, "abs": sp.Abs, "max": sp.Max, "min": sp.Min, "exp": sp.exp, "log": sp.log,
}


def solved(path_or_spec):
    if isinstance(path_or_spec, dict):
        return symprop.solve(symprop.Problem.from_dict(path_or_spec))
    return symprop.solve(symprop.load(path_or_spec))


def evaluate(tape, gs):
    """Gate id → value, from the leaves' values and each gate's meaning above."""
    out = {}

    def value(ref):
        kind, what = ref
        return {"leaf": lambda: tape.leaves[what].value, "gate": lambda: out[what],
                "const": lambda: what}[kind]()

    for g in gs:
        args = [value(r) for r in g.inputs]
        if g.op == "pow":
            out[g.id] = args[0] ** (g.param if g.param is not None else args[1])
        elif g.op == "formula":
            names, _ = g.param
            node = tape.node(g.node)
            out[g.id] = node.expr.subs({tape.symbols[n]: v for n, v in zip(names, args)})
        else:
            out[g.id] = MEANING[g.op.lower()](*args)
    return out


def node_of(gs, ref):
    """The node a gate input carries (or the leaf's name)."""
    kind, what = ref
    if kind == "leaf":
        return what
    return next(g.node for g in gs if g.id == what)


def test_a_skip_connection_is_two_products_feeding_a_sum():
    s = solved(EXAMPLES / "skip_connection.toml")
    gs = gates(s.tape)
    z2 = next(g for g in gs if g.node == "z2")
    assert z2.op == "+" and len(z2.inputs) == 2
    feeding = [next(g for g in gs if g.id == i) for _, i in z2.inputs]
    assert all(g.op == "*" and g.node is None for g in feeding)
    assert sorted(frozenset(node_of(gs, r) for r in g.inputs) for g in feeding) == \
        sorted([frozenset({"w2", "h1"}), frozenset({"w3", "h0"})])
    assert next(g for g in gs if g.node == "h0").op == "relu"
    assert next(g for g in gs if g.node == "h1").op == "relu"


def test_the_circuit_is_a_sum_feeding_a_product():
    gs = gates(solved(EXAMPLES / "circuit.toml").tape)
    assert [(g.op, g.node) for g in gs] == [("+", "q"), ("*", "f")]
    assert gs[1].inputs[0] == ("gate", gs[0].id)
    assert {node_of(gs, r) for r in gs[0].inputs} == {"x", "y"}


def test_the_sigmoid_neuron_sums_three_terms_once():
    gs = gates(solved(ROOT / "tests" / "published" / "cs231n_neuron.toml").tape)
    assert [g.op for g in gs] == ["*", "*", "+", "sigmoid"]
    assert len(gs[2].inputs) == 3 and gs[2].node == "dot"


def test_subtraction_division_and_powers_are_their_own_gates():
    spec = {"loss": "half_sse", "steps": 0, "params": {"p": "1/2"}, "data": {"u": "3", "y": "1"},
            "graph": {"n": "(p - u)/2 + u*u", "output": "n"}}
    s = solved(spec)
    ops = [g.op for g in gates(s.tape)]
    assert ops.count("-") >= 2 and "/" in ops and "pow" in ops
    check_values(s)


def check_values(s):
    tape = s.tape
    gs = gates(tape)
    values = evaluate(tape, gs)
    shown = s.steps[0].values
    for g in gs:
        if g.node is not None and g.node in shown:
            assert sp.simplify(values[g.id] - shown[g.node]) == 0, (g.node, values[g.id], shown[g.node])
    assert {g.node for g in gs if g.node} == {n.name for n in tape.nodes}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs())
def test_the_gates_compute_every_node(spec):
    check_values(solved(spec))


def test_a_huge_node_is_one_formula_gate():
    terms = " + ".join(f"p*u{i}" for i in range(MAX_GATES))
    spec = {"loss": "none", "steps": 0, "params": {"p": "1/2"},
            "data": {f"u{i}": str(i) for i in range(MAX_GATES)}, "graph": {"n": terms, "output": "n"}}
    s = solved(spec)
    gs = gates(s.tape)
    assert [g.op for g in gs] == ["formula"]
    check_values(s)
    assert r"u_{7}" in graph_diagram(s) or "u_7" in graph_diagram(s)


def test_the_skip_connection_runs_under_everything():
    placed = layout(solved(EXAMPLES / "skip_connection.toml").tape)
    assert len(placed.skips) == 1
    lowest = min(y for _, y in placed.at.values())
    assert placed.floor <= lowest - 0.9        # under every gate (radius 0.45 cm) and box
    tex = graph_diagram(solved(EXAMPLES / "skip_connection.toml"))
    assert tex.count("rounded corners=4pt]") == 1 and "bend" not in tex


@needs_tex
def test_the_skip_connection_sheet_compiles(tmp_path):
    import subprocess
    s = solved(EXAMPLES / "skip_connection.toml")
    pdf = tmp_path / "skip.pdf"
    s.to_pdf(pdf)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "ReLU" in text and "Skip connection" in text
