"""Every `exact` string in the JSON reads back in SymPy to the value it stands for.

SymPy's own printer dropped the parentheses of a reciprocal in a denominator
(−y/a with a = σ(z) printed as '-1*y/1/(1 + exp(-z))', read back as −y·σ(z)):
44 quantities of a bce net were wrong while their decimals were right."""

import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import symprop
from symprop.model.numeric import decimal

from helpers import EXAMPLES

VALUES = st.sampled_from(["0", "1/2", "-1/2", "1", "-1", "3/10", "2", "-7/10"])


@st.composite
def nets(draw):
    loss = draw(st.sampled_from(["bce", "cross_entropy", "half_sse", "mse"]))
    sizes = draw(st.lists(st.integers(1, 3), min_size=2, max_size=3))
    out_act = {"bce": "sigmoid", "cross_entropy": draw(st.sampled_from(["softmax", "sigmoid"]))}
    layers = []
    for i, (rows, cols) in enumerate(zip(sizes[1:], sizes[:-1])):
        last = i == len(sizes) - 2
        act = out_act.get(loss) if last else None
        layers.append({"weights": [[draw(VALUES) for _ in range(cols)] for _ in range(rows)],
                       "bias": [draw(VALUES) for _ in range(rows)],
                       "activation": act or draw(st.sampled_from(["sigmoid", "tanh", "softplus", "relu"]))})
    y = [draw(st.sampled_from(["0", "1", "1/2"])) for _ in range(sizes[-1])]
    return {"loss": loss, "learning_rate": "1/2", "steps": 1, "layers": layers,
            "data": {"x": [draw(VALUES) for _ in range(sizes[0])], "y": y}}


def assert_reads_back(solution):
    for name, v in solution.to_json(30)["answers"].items():
        if v["exact"] is None or "decimal" not in v:
            continue
        back = sp.sympify(v["exact"])        # our own output, in a test: never user text
        assert decimal(back, 30) == v["decimal"], (name, v["exact"][:200])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(nets())
def test_exact_strings_of_random_nets_read_back(spec):
    assert_reads_back(symprop.solve(symprop.Problem.from_dict(spec)))


def test_exact_strings_of_every_example_and_the_bce_seed_read_back():
    for path in sorted(EXAMPLES.glob("*.toml")):
        assert_reads_back(symprop.solve(symprop.load(path)))
    text = (EXAMPLES / "two_layer_sigmoid.toml").read_text().replace('"half_sse"', '"bce"')
    assert_reads_back(symprop.solve(symprop.loads(text)))
