"""Exams whose update kills every hidden unit (issue 18, 5): the `alive_after_update`
constraint (default false, so existing exams draw the same variants) and the sheets'
sentence when a network dies."""

import tomllib

import pytest

import symprop
from helpers import EXAMPLES
from symprop.errors import SympropError
from symprop.exam.constraints import read_constraints
from symprop.exam.variants import draw

RELU_EXAM = EXAMPLES / "two_layer_relu.toml"


def _relu_exam(**constraints):
    raw = tomllib.loads(RELU_EXAM.read_text())
    raw["randomize"]["constraints"].update(constraints)
    return symprop.Problem.from_dict(raw)


def _dies(**extra):
    """A 2-2-1 ReLU net whose one update (η = 1) sends both hidden units to z < 0."""
    d = {"title": "dies", "loss": "half_sse", "learning_rate": 1, "steps": 1,
         "samples": [{"x": [1, 0], "y": 0}],
         "layers": [{"weights": [[1, 0], [-1, 1]], "activation": "relu"},
                    {"weights": [[2, 1]], "activation": "identity"}]}
    d.update(extra)
    return symprop.solve(symprop.Problem.from_dict(d))


def test_the_relu_exam_draws_variants_alive_after_the_step():
    variants = draw(_relu_exam(alive_after_update=True), 6, 7)
    for v in variants:
        s = v.solution
        assert s.dead_after_update == ()
        assert any(s.final.values[f"z1[{j}]"] > 0 for j in (1, 2))
        assert any(s.steps[0].values[f"z1[{j}]"] <= 0 for j in (1, 2))   # still a dead unit first
        assert s.loss_change().went_down
        assert "is dead after the update" not in str(s)


def test_without_the_constraint_the_relu_exam_dies():
    assert [v.problem for v in draw(_relu_exam(alive_after_update=False), 6, 7)] == \
        [v.problem for v in draw(symprop.load(RELU_EXAM), 6, 7)]             # the default
    variants = draw(symprop.load(RELU_EXAM), 6, 7)
    dead = [v for v in variants if v.solution.dead_after_update == (1,)]
    assert len(dead) >= 5
    assert "every unit of layer 1 is dead after the update" in str(dead[0].solution)


def test_the_constraint_is_read_as_a_boolean():
    assert read_constraints(_relu_exam(alive_after_update=True))["alive_after_update"] is True
    with pytest.raises(SympropError, match="expected true or false"):
        read_constraints(_relu_exam(alive_after_update="true"))


def test_a_net_that_dies_says_so_in_text_and_latex():
    s = _dies()
    assert s.dead_after_update == (1,) and s.loss_change().went_down
    assert ("The loss went down: 2 → 0 (change -2), but every unit of layer 1 is dead after the "
            "update (z ≤ 0): the next steps cannot change W1") in str(s)
    assert (r"(change $-2$), but every unit of layer 1 is dead after the update ($z \le 0$): "
            r"the next steps cannot change $W^{(1)}$.") in s.to_latex()


def test_two_dead_layers_are_named_together():
    s = _dies(layers=[{"weights": [[1, 0], [-1, 1]], "activation": "relu"},
                      {"weights": [[1, 1], [1, 1]], "activation": "relu"},
                      {"weights": [[2, 1]], "activation": "identity"}])
    assert s.dead_after_update == (1, 2)          # z2 = W2·0 = 0 and ReLU′(0) = 0
    assert ("but every unit of layers 1 and 2 is dead after the update (z ≤ 0): the next steps "
            "cannot change W1 or W2") in str(s)
    # with ReLU′(0) = 1 the units of layer 2 at z = 0 still pass gradient
    assert _dies(layers=s.problem.raw["layers"], relu_derivative_at_zero=1).dead_after_update == (1,)


def test_nothing_dies_without_an_update_or_without_relu():
    assert _dies(steps=0).dead_after_update == ()
    assert _dies(layers=[{"weights": [[1, 0], [-1, 1]], "activation": "leaky_relu"},
                         {"weights": [[2, 1]], "activation": "identity"}]).dead_after_update == ()
    assert "is dead after the update" not in str(symprop.solve(symprop.load(EXAMPLES / "two_layer_relu.toml")))
