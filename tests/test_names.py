"""A user's names cannot change an answer: renaming every node, parameter and input
(to names SymPy, the loss and symprop's own flat names use elsewhere) gives the same
value under the renamed name, and the names that would clash are refused."""

import re

import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import symprop
from symprop.model.numeric import decimal

VALUES = st.sampled_from(["0", "1/2", "-1/2", "1", "-1", "3/10", "2", "-3/2"])
OPS = ["{a}*{b}", "{a} + {b}", "{a} - {b}", "relu({a})", "sigmoid({a})", "{a}*{a}", "tanh({b})",
       "abs({a})", "max({a}, {b})", "{a}/2 + {b}"]
# Legal identifiers that mean something else to SymPy, to symprop's flat names or to a
# reader: every one must behave as a plain name.
DANGEROUS = ["E", "I", "N", "S", "O", "Q", "pi", "oo", "zoo", "nan", "inf", "exp", "log", "L",
             "e", "beta", "gamma", "Symbol", "Function", "Integer", "x0", "W1", "a0", "z1",
             "delta1", "final", "step2", "sample1", "dL", "d", "Max", "sqrt", "Abs", "sign",
             "true", "Piecewise", "Heaviside", "x", "t", "w0", "h", "f", "lambda_", "output",
             "ys", "losses", "Sum", "Derivative", "evaluate", "real", "n0", "n1"]
FUNCTION_NAMES = {"relu", "leaky_relu", "sigmoid", "tanh", "softplus", "exp", "log", "abs",
                  "max", "min", "output"}     # and "output" is [graph]'s own key


@st.composite
def graphs(draw):
    params = {f"p{i}": draw(VALUES) for i in range(draw(st.integers(1, 3)))}
    inputs = [f"u{i}" for i in range(draw(st.integers(1, 2)))]
    scope, nodes = list(params) + inputs, {}
    for i in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(OPS))
        nodes[f"n{i}"] = op.format(a=draw(st.sampled_from(scope)), b=draw(st.sampled_from(scope)))
        scope.append(f"n{i}")
    nodes["output"] = f"n{len(nodes) - 1}"
    loss = draw(st.sampled_from(["half_sse", "l1", "none"]))
    count = 1 if loss == "none" else draw(st.integers(1, 2))
    samples = []
    for _ in range(count):
        sample = {u: draw(VALUES) for u in inputs}
        if loss != "none":
            sample["y"] = draw(VALUES)
        samples.append(sample)
    spec = {"loss": loss, "learning_rate": "1/2", "steps": draw(st.integers(0, 2)),
            "params": params, "graph": nodes, "gradients_for": inputs[:1],
            "relu_derivative_at_zero": draw(st.sampled_from([0, 1]))}
    if count == 1:
        spec["data"] = samples[0]
    else:
        spec["samples"] = samples
    return spec


def names_of(spec):
    samples = spec.get("samples") or [spec["data"]]
    inputs = [n for n in samples[0] if n != "y"]
    nodes = [n for n in spec["graph"] if n != "output"]
    return list(spec["params"]) + inputs, nodes


def renamed(spec, mapping):
    """The same problem with every user name replaced (expressions rewritten token by token)."""
    def expr(text):
        return re.sub(r"[A-Za-z_][A-Za-z0-9_]*", lambda m: mapping.get(m[0], m[0]), text)

    out = dict(spec)
    out["params"] = {mapping[n]: v for n, v in spec["params"].items()}
    graph = {mapping[n]: expr(t) for n, t in spec["graph"].items() if n != "output"}
    graph["output"] = mapping[spec["graph"]["output"]]
    out["graph"] = graph
    for key in ("data", "samples"):
        if key in spec:
            rows = spec[key] if key == "samples" else [spec[key]]
            new = [{mapping.get(n, n) if n != "y" else n: v for n, v in row.items()} for row in rows]
            out[key] = new if key == "samples" else new[0]
    out["gradients_for"] = [mapping[n] for n in spec["gradients_for"]]
    return out


def flat_renamed(flat, mapping, loss):
    """A flat answer name under the renaming: prefixes and 'dL/d' stay, user names change.
    With loss 'none' the adjoints are d<output>/d..., and the output is renamed too."""
    head, body = re.fullmatch(r"((?:final\.|step\d+\.)?)(.*)", flat).groups()
    m = re.fullmatch(r"d([A-Za-z_]\w*)/d((?:sample\d+\.)?)([A-Za-z_]\w*)", body)
    if m:
        of = mapping.get(m[1], m[1]) if loss == "none" else m[1]
        return f"{head}d{of}/d{m[2]}{mapping.get(m[3], m[3])}"
    m = re.fullmatch(r"((?:sample\d+\.)?)([A-Za-z_]\w*)('?)", body)
    return f"{head}{m[1]}{mapping.get(m[2], m[2])}{m[3]}"


def same(a, b):
    if a.is_Rational or b.is_Rational:
        return a == b
    return decimal(a, 40) == decimal(b, 40)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs(), st.randoms(use_true_random=False))
def test_renaming_every_name_keeps_every_answer(spec, rnd):
    leaves, nodes = names_of(spec)
    pool = list(DANGEROUS)
    rnd.shuffle(pool)
    mapping = {}
    for n in leaves + nodes:
        choices = [c for c in pool if c not in mapping.values()
                   and (n in leaves or c not in FUNCTION_NAMES)]
        mapping[n] = choices[0]
    original = symprop.solve(symprop.Problem.from_dict(spec))
    other = symprop.solve(symprop.Problem.from_dict(renamed(spec, mapping)))
    want = original.answers()
    got = other.answers()
    assert len(got) == len(want)
    for name, value in want.items():
        new = flat_renamed(name, mapping, spec["loss"])
        assert new in got, (name, new, sorted(got))
        assert same(got[new], value), (name, new, got[new], value)
    # the renderers and the checker take the renamed problem too: a student who writes
    # every exact rational answer gets every one marked exact
    str(other)
    other.to_json()
    exact = {n: str(v) for n, v in got.items() if v.is_Rational}
    if exact:
        report = symprop.check(other, exact)
        assert all(r.verdict == "exact" for r in report.results), str(report)


GRAPH = {"loss": "half_sse", "learning_rate": 1, "params": {"w": "1/2"},
         "data": {"x": 1, "y": 1}, "graph": {"h": "w*x", "output": "h"}}


def test_the_issue_example_a_node_named_y_is_refused_not_miscomputed():
    """[graph] y = "w*x" made symprop report loss 0 and dL/dw 0 (the truth: 1/8, -1/2)."""
    spec = dict(GRAPH, graph={"y": "w*x", "output": "y"})
    with pytest.raises(symprop.ProblemFileError, match="graph.y.*reserved"):
        symprop.Problem.from_dict(spec)
    fine = symprop.solve(symprop.Problem.from_dict(dict(GRAPH, graph={"yhat": "w*x",
                                                                      "output": "yhat"})))
    assert fine.answers()["loss"] == sp.Rational(1, 8)           # (1/2 − 1)²/2
    assert fine.answers()["dL/dw"] == sp.Rational(-1, 2)         # (1/2 − 1)·x


@pytest.mark.parametrize("where", ["params", "data", "graph"])
def test_loss_is_reserved_everywhere(where):
    spec = dict(GRAPH)
    if where == "params":
        spec["params"] = {"loss": "1/2"}
        spec["graph"] = {"h": "loss*x", "output": "h"}
    elif where == "data":
        spec["data"] = {"loss": 1, "y": 1}
        spec["graph"] = {"h": "w*loss", "output": "h"}
    else:
        spec["graph"] = {"loss": "w*x", "output": "loss"}
    with pytest.raises(symprop.ProblemFileError, match=f"{where}.loss.*reserved"):
        symprop.Problem.from_dict(spec)


def test_with_loss_none_y_is_an_ordinary_input():
    spec = {"loss": "none", "steps": 0, "data": {"x": 2, "y": 3},
            "graph": {"f": "x*y", "output": "f"}, "gradients_for": ["x", "y"]}
    answers = symprop.solve(symprop.Problem.from_dict(spec)).answers()
    assert answers["f"] == 6 and answers["df/dx"] == 3 and answers["df/dy"] == 2


def test_a_second_definition_of_a_flat_name_is_refused_by_the_tape():
    """The tape's own guard, under the reader's: two quantities never share a symbol."""
    from symprop.core.tape import Builder
    from symprop.model.naming import Quantity

    builder = Builder(symprop.Problem.from_dict(GRAPH))
    builder.leaf(Quantity("param", name="w"), "param", sp.Integer(1))
    with pytest.raises(symprop.ProblemFileError, match="'w' names two different quantities"):
        builder.leaf(Quantity("input", name="w"), "data", sp.Integer(2))
