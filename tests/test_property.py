"""Random layered networks: the reverse sweep equals sympy.diff of the composed loss, exactly."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import symprop
from symprop.core.verify import verify

VALUES = st.sampled_from(["0", "1/2", "-1/2", "1", "-1", "3/10", "-7/10", "2", "1/3"])
ACTS = st.sampled_from(["identity", "relu", "leaky_relu", "sigmoid", "tanh", "softplus"])


@st.composite
def networks(draw):
    sizes = draw(st.lists(st.integers(1, 3), min_size=2, max_size=4))
    layers = []
    for rows, cols in zip(sizes[1:], sizes[:-1]):
        layer = {"weights": [[draw(VALUES) for _ in range(cols)] for _ in range(rows)],
                 "activation": draw(ACTS)}
        if draw(st.booleans()):
            layer["bias"] = [draw(VALUES) for _ in range(rows)]
        layers.append(layer)
    return {
        "loss": draw(st.sampled_from(["half_sse", "sse", "mse", "l1"])),
        "learning_rate": "1/10",
        "steps": 1,
        "relu_derivative_at_zero": draw(st.sampled_from([0, 1])),
        "data": {"x": [draw(VALUES) for _ in range(sizes[0])],
                 "y": [draw(VALUES) for _ in range(sizes[-1])]},
        "layers": layers,
    }


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks())
def test_sweep_equals_sympy_diff_of_composed_loss(spec):
    """Including kinks at exactly 0 and both ReLU′(0) conventions."""
    solution = symprop.solve(symprop.Problem.from_dict(spec))
    checks = verify(solution)
    assert all(c.ok for c in checks), [(c.name, c.sweep, c.direct) for c in checks if not c.ok]
