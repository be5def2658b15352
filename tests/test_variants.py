"""Exam variants of closed-form nets: distinct by certified value, never by str()."""

import pytest

import symprop
from symprop.errors import SympropError

from helpers import EXAMPLES

SIGMOID = (EXAMPLES / "two_layer_sigmoid.toml").read_text() + """
[randomize.values]
"W1[1,1]" = {choices = ["-1/2", "1/2"]}
"""


def test_sigmoid_variants_are_distinct_by_value():
    """Two choices give exactly two different exams; a third is refused as a duplicate,
    and every variant's loss is the closed form of its own weights."""
    problem = symprop.loads(SIGMOID)
    vs = symprop.variants(problem, 2, 7)
    weights = sorted(str(v.network.layers[0].weights[0][0]) for v in vs)
    assert weights == ["-1/2", "1/2"]
    with pytest.raises(SympropError, match="allow only 2 different variant"):
        symprop.variants(problem, 3, 7)


def test_loss_decreases_is_decided_on_certified_signs():
    text = SIGMOID + "\n[randomize.constraints]\nloss_decreases = false\n"
    with pytest.raises(SympropError, match="constraint 'loss_decreases' rejected most"):
        symprop.variants(symprop.loads(text), 1, 7)       # ½SSE with η = 0.1: it goes down
