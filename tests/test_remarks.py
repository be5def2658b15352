"""The teacher's remarks (render/remarks.py) appear exactly when their condition holds:
small problems built here where each must and must not appear."""

import math

import symprop
from symprop.render import remarks
from symprop.render.sheet import to_latex
from symprop.render.texnames import spelling


def solve(text):
    return symprop.solve(symprop.loads(text))


def keys(s):
    with spelling(s):
        return dict(remarks.remarks(s))


def chain(x=1, w1=1, w2=1, y=-5, rate=1, act="relu", out="identity", extra=""):
    """A 1-1-1 net: z1 = w1·x, a1 = act(z1), z2 = w2·a1, a2 = out(z2), ½ squared error."""
    return f"""
loss = "half_sse"
learning_rate = {rate}
steps = 1
{extra}
[data]
x = [{x}]
y = {y}

[[layers]]
weights = [[{w1}]]
activation = "{act}"

[[layers]]
weights = [[{w2}]]
activation = "{out}"
"""


def test_kinks_only_for_relu_nets_and_they_name_the_side_of_zero():
    alive = keys(solve(chain(x=1, y=3, rate="0.01")))
    assert "kinks" in alive and "> 0" in alive["kinks"] and r"\emph{dead}" not in alive["kinks"]
    dead_now = keys(solve(chain(x=-1, y=3, rate="0.01")))     # z1 = −1 < 0: ReLU′ = 0 at this step
    assert "< 0" in dead_now["kinks"] and r"\emph{dead} for this input" in dead_now["kinks"]
    at_zero = keys(solve(chain(x=0, y=3, rate="0.01", extra="relu_derivative_at_zero = 1")))
    assert "exactly 0, where the convention decides: slope $1$" in at_zero["kinks"]
    assert "kinks" not in keys(solve(chain(act="sigmoid", y=3)))


def test_dead_after_the_update_exactly_when_the_step_kills_the_unit():
    # z1 = 1, a2 = 1, δ2 = a2 − y = 6, ∂L/∂w1 = δ2·w2·ReLU′(1)·x = 6: w1' = 1 − 1·6 = −5, so z1' = −5 < 0
    killed = keys(solve(chain(y=-5, rate=1)))
    assert "dead" in killed and "z^{(1)}_{1} = -5" in killed["dead"]
    assert "Every unit of layer 1 is dead" in killed["dead"]
    # with η = 0.01: w1' = 1 − 0.06 = 0.94 > 0, alive
    assert "dead" not in keys(solve(chain(y=-5, rate="0.01")))
    assert "dead" not in keys(solve(chain(y=-5, rate=1, act="sigmoid")))     # no kink: never dead


def test_dead_output_unit_says_no_weight_learns():
    # identity hidden unit, ReLU output: a1 = 2, z2 = 2, δ2 = a2 − y = 3; ∂L/∂w2 = 3·2 = 6, ∂L/∂w1 = 3·1·1 = 3;
    # with η = 1/2: w2' = 1 − 3 = −2, w1' = 2 − 3/2 = 1/2, so z2' = −2·1/2 = −1 < 0
    got = keys(solve(chain(w1=2, y=-1, rate="0.5", act="identity", out="relu")))
    assert "z^{(2)}_{1} = -1" in got["dead"] and "That is an output unit" in got["dead"]
    # with η = 1/10: w2' = 0.4, w1' = 1.7, z2' = 0.68 > 0
    assert "dead" not in keys(solve(chain(w1=2, y=-1, rate="0.1", act="identity", out="relu")))


def test_saturation_exactly_when_the_slope_is_tiny_and_float32_loses_it():
    s = solve(chain(x=20, w1=1, act="sigmoid", out="identity", y=0, rate="0.01"))
    # σ′(20) = e^−20/(1 + e^−20)² ≈ 2.06e-9 < 1/1000
    assert math.exp(-20) / (1 + math.exp(-20)) ** 2 < 1e-3
    got = keys(s)
    assert "saturation" in got and "float32" in got["saturation"]
    assert r"in float32 it gives $0$" in got["saturation"]     # float32(σ(20)) == 1 exactly
    assert "saturation" not in keys(solve(chain(x=1, act="sigmoid", y=0, rate="0.01")))    # σ′(1) ≈ 0.197


def test_saturated_example_remark_and_sheet():
    s = symprop.solve(symprop.load("examples/saturated_sigmoid.toml"))
    got = keys(s)
    assert "saturation" in got and "The output saturates" in got["saturation"]
    assert r"\subsection{Remarks}" in to_latex(s)


SKIP = """
loss = "l1"
learning_rate = 1
steps = 1
[data]
x = 1
y = -3
[params]
w0 = "1/2"
w1 = "1/2"
w2 = "1/2"
w3 = "{w3}"
[graph]
z0 = "w0*x"
h0 = "relu(z0)"
z1 = "w1*h0"
h1 = "relu(z1)"
z2 = "{z2}"
output = "z2"
"""


def test_skip_connection_remark_only_with_a_skip():
    got = keys(solve(SKIP.format(w3="1/2", z2="w2*h1 + w3*h0")))
    # seed 004: ∂L/∂h0 = ∂L/∂z1·w1 + ∂L/∂z2·w3 = (1·1/2·1)·1/2 + 1·1/2 = 1/4 + 1/2
    assert "skip" in got and "= 0.5$" in got["skip"] and "= 0.25$" in got["skip"]
    assert "passes nothing" not in got["skip"]
    assert "skip" not in keys(solve(SKIP.format(w3="1/2", z2="w2*h1")))          # a plain chain
    # w1 = −1: z1 = −1/2 < 0, the long path is dead and all the gradient goes through the skip
    dead_path = keys(solve(SKIP.format(w3="1/2", z2="w2*h1 + w3*h0").replace('w1 = "1/2"', 'w1 = "-1"')))
    assert "all of the gradient comes through the skip connection" in dead_path["skip"]


def test_training_set_notation_only_for_a_training_set():
    one = keys(solve(chain(y=3, rate="0.01")))                       # [data]: one exercise, no J
    assert "training_set" not in one
    samples = chain(y=3, rate="0.01").replace("[data]\nx = [1]\ny = 3", "[[samples]]\nx = [1]\ny = 3\n\n"
                                              "[[samples]]\nx = [2]\ny = 1")
    two = keys(solve(samples))
    assert r"J = \frac{1}{2N}\sum_{p=1}^{N}" in two["training_set"] and "$N = 2$" in two["training_set"]
    seed3 = keys(symprop.solve(symprop.load("examples/two_layer_relu.toml")))     # [[samples]], mean
    assert "$N = 1$" in seed3["training_set"]
    summed = keys(solve(samples.replace('loss = "half_sse"', 'loss = "half_sse"\nreduction = "sum"')))
    assert r"J = \sum_{p=1}^{N}" in summed["training_set"] and "summed" in summed["training_set"]


def test_no_remarks_section_without_remarks():
    s = solve(chain(act="sigmoid", x="0.5", y="0.5", rate="0.1"))
    assert remarks.remarks(s) == []
    assert r"\subsection{Remarks}" not in to_latex(s)
