"""exam/prefetch.py: the alternatives computed in a forked process are the ones fields()
computes itself, and a missing or mismatched result is computed here."""

import multiprocessing

import pytest

import symprop
from helpers import EXAMPLES
from symprop.exam.exports import exam_settings
from symprop.exam.lmstext import fields, questions_of
from symprop.exam.prefetch import MIN_VARIANTS, Prefetch
from symprop.exam.alternatives import alternatives
from symprop.exam.variants import draw

RANDOMIZE = """
[randomize.values]
W1 = {range = ["-0.5", "0.5"], step = "0.1"}
x = {choices = ["0.1", "0.5", "1"]}
"""

needs_fork = pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(),
                                reason="no fork on this platform")


def variants(n):
    text = (EXAMPLES / "two_layer_sigmoid.toml").read_text() + RANDOMIZE
    problem = symprop.loads(text)
    return draw(problem, n, 5), exam_settings(problem)


@needs_fork
def test_forked_alternatives_are_the_ones_computed_here():
    vs, settings = variants(MIN_VARIANTS)
    helper = Prefetch(vs, settings)
    assert helper.proc is not None
    try:
        got = [fields(v, settings, computed=helper.alternatives(v)) for v in vs]
    finally:
        helper.close()
    for v, fs in zip(vs, got):
        want = alternatives(v.solution, questions_of(v, settings))
        assert {f.asked.name: list(f.alternatives) for f in fs} == \
            {name: list(alts) for name, alts in want.items()}
        assert sum(len(f.alternatives) for f in fs) > 0


@needs_fork
def test_other_questions_or_no_child_are_computed_here():
    vs, settings = variants(MIN_VARIANTS)
    helper = Prefetch(vs, settings)
    try:
        first = helper.alternatives(vs[0])
        assert first(questions_of(vs[0], settings)[:2]) is None      # not what the child had
        helper.close()
        assert helper.alternatives(vs[1])(questions_of(vs[1], settings)) is None
    finally:
        helper.close()
    few, _ = variants(2)
    assert Prefetch(few, settings).proc is None                      # too few to fork for
