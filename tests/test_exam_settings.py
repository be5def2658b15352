"""The [exam] table (model/examsettings.py) and the selection it makes (exam/selection.py):
defaults, patterns, points, tolerances decided by hand-computed bounds, errors by key."""

import re
from decimal import Decimal

import pytest
import sympy as sp

import symprop
from symprop.errors import ProblemFileError
from symprop.exam.selection import asked, with_ask
from symprop.model.examsettings import CREDIT_KEYS, EXAM_KEYS, TOLERANCE_KEYS, Tolerance

from helpers import EXAMPLES
from test_docs import key_table

R = sp.Rational
NET = {"learning_rate": "1/10",
       "data": {"x": [1, 0], "y": 2},
       "layers": [{"weights": [[1, 0], [-1, 1]], "activation": "relu"},
                  {"weights": [[1, 2]]}]}


def solution(exam=None, **extra):
    data = {**NET, **extra}
    if exam is not None:
        data["exam"] = exam
    return symprop.solve(symprop.Problem.from_dict(data, source="p.toml"))


def names(exam=None):
    return [a.name for a in asked(solution(exam))]


def test_docs_list_the_readers_keys():
    assert set(key_table("exam")) == set(EXAM_KEYS)
    assert set(key_table("tolerance")) == set(TOLERANCE_KEYS)
    assert set(key_table("credit")) == set(CREDIT_KEYS)


def test_defaults():
    p = symprop.Problem.from_dict(NET)
    e = p.exam
    assert e.ask is None and e.points == 1 and e.order == "pipeline"
    assert e.tolerance == Tolerance(digits=3) and e.mistake_credit == 0
    assert not e.method_questions
    assert [e.credit[k] for k in CREDIT_KEYS] == [1, 1, 1, 0, 0, 0]
    assert e.credit.exact == 1 and e.credit.diagnosed == 0


def test_default_selection_is_a_handful_of_key_quantities():
    # 2-2-1 net: output a2[1], loss, δ of layers 2 and 1, a gradient of each layer, one update,
    # the loss after the update, in the order of the computation
    assert names() == ["a2[1]", "loss", "delta2[1]", "delta1[1]", "dL/dW1[1,1]", "dL/dW2[1,1]",
                       "W1[1,1]'", "final.loss"]


def test_patterns_wildcards_aliases_and_order():
    exam = {"ask": ["final.loss", "dL/dW2[*]", "dL/dz1[2]", "W1[*,2]'"]}
    assert names(exam) == ["delta1[2]", "dL/dW2[1,1]", "dL/dW2[1,2]", "W1[1,2]'", "W1[2,2]'",
                           "final.loss"]
    assert names({**exam, "order": "as_asked"}) == [
        "final.loss", "dL/dW2[1,1]", "dL/dW2[1,2]", "delta1[2]", "W1[1,2]'", "W1[2,2]'"]
    assert names({"ask": ["loss", "loss", "a1[*]"], "order": "as_asked"}) == ["loss", "a1[1]", "a1[2]"]


def test_points_and_tolerances_per_pattern():
    exam = {"ask": ["loss", "dL/dW2[*]", "final.loss"], "points": {"dL/dW2[*]": 2, "loss": "1/2"},
            "tolerance": {"relative": Decimal("0.01"), "final.loss": {"absolute": Decimal("0.001")}}}
    got = {a.name: a for a in asked(solution(exam))}
    assert got["loss"].points == R(1, 2) and got["dL/dW2[1,2]"].points == 2
    assert got["final.loss"].points == 1
    assert got["loss"].tolerance == Tolerance(relative=R(1, 100))
    assert got["final.loss"].tolerance == Tolerance(absolute=R(1, 1000))
    # values by hand: z1 = [1, -1], a1 = [1, 0], a2 = 1, loss = ½(1 − 2)² = 1/2
    assert got["loss"].value == R(1, 2)


def test_tolerance_bounds_by_hand():
    three = Tolerance(digits=3)
    # 0.4: half a unit in the 3rd significant figure is 0.0005
    assert three.bound(R(2, 5)) == R(5, 10000)
    assert three.accepts(R(2, 5), "0.4005") and not three.accepts(R(2, 5), "0.4006")
    # 123.4: half a unit in the 3rd figure is 0.5; exactly 100 has bound 0.5 too
    assert three.bound(R(1234, 10)) == R(1, 2) and three.bound(R(100)) == R(1, 2)
    assert three.bound(R(-99)) == R(5, 100)
    assert three.bound(R(0)) == R(5, 10000)
    rel = Tolerance(relative=R(1, 100))
    assert rel.accepts(R(200), Decimal("202")) and not rel.accepts(R(200), Decimal("202.01"))
    assert not rel.accepts(R(0), "0.000001")
    both = Tolerance(relative=R(1, 100), absolute=R(1, 1000))
    assert both.accepts(R(0), "0.001") and both.describe() == "within 1% or within ±0.001"
    # a closed form: sqrt(2) = 1.41421356…, bound 0.005: 1.41 (its rounding) and 1.419 are
    # accepted, 1.42 (off by 0.00579) is not
    assert three.accepts(sp.sqrt(2), "1.41") and three.accepts(sp.sqrt(2), "1.419")
    assert not three.accepts(sp.sqrt(2), "1.42")
    assert three.describe() == "to 3 significant figures"


@pytest.mark.parametrize("exam,key,words", [
    ({"asks": ["loss"]}, "exam.asks", "did you mean 'ask'"),
    ({"ask": []}, "exam.ask", "non-empty list"),
    ({"ask": ["loss", 3]}, "exam.ask[2]", "quantity name"),
    ({"ask": ["W1[*"]}, "exam.ask[1]", "only inside brackets|quantity name"),
    ({"ask": ["W1[1*]"]}, "exam.ask[1]", "whole index"),
    ({"points": -1}, "exam.points", "≥ 0"),
    ({"points": {"loss": True}}, "exam.points.loss", "expected a number"),
    ({"tolerance": {"digits": 0}}, "exam.tolerance.digits", "1 to 15"),
    ({"tolerance": {"relative": 0}}, "exam.tolerance.relative", "> 0"),
    ({"tolerance": {"loss": {}}}, "exam.tolerance.loss", "relative"),
    ({"order": "asked"}, "exam.order", "did you mean 'as_asked'"),
    ({"credit": {"exactly": 1}}, "exam.credit.exactly", "did you mean 'exact'"),
    ({"mistake_credit": 2}, "exam.mistake_credit", "from 0 to 1"),
    ({"method_questions": "yes"}, "exam.method_questions", "true or false"),
    ("loss", "exam", "table"),
])
def test_bad_tables_name_file_and_key(exam, key, words):
    with pytest.raises(ProblemFileError) as info:
        symprop.Problem.from_dict({**NET, "exam": exam}, source="p.toml")
    assert info.value.key == key and info.value.source == "p.toml"
    assert re.search(words, str(info.value)), str(info.value)


@pytest.mark.parametrize("exam,key", [
    ({"ask": ["loss", "dL/dW3[*]"]}, "exam.ask[2]"),
    ({"ask": ["loss"], "points": {"final.loss": 2}}, "exam.points.final.loss"),
    ({"ask": ["loss"], "tolerance": {"a1[*]": {"digits": 2}}}, "exam.tolerance.a1[*]"),
])
def test_patterns_that_match_nothing_are_refused(exam, key):
    with pytest.raises(ProblemFileError, match="matches no") as info:
        asked(solution(exam))
    assert info.value.key == key and info.value.source == "p.toml"


def test_command_line_ask_overrides_and_names_the_flag():
    s = solution({"ask": ["loss"]})
    settings = with_ask(s.problem.exam, ["dL/dW1[*]"])
    assert [a.name for a in asked(s, settings)] == ["dL/dW1[1,1]", "dL/dW1[1,2]", "dL/dW1[2,1]",
                                                   "dL/dW1[2,2]"]
    with pytest.raises(ProblemFileError) as info:
        asked(s, with_ask(s.problem.exam, ["nothing"]))
    assert info.value.key == "--ask"


def test_every_example_has_a_default_selection():
    for path in sorted(EXAMPLES.glob("*.toml")):
        s = symprop.solve(symprop.load(path))
        got = asked(s)
        assert 3 <= len(got) <= 12, (path.name, [a.name for a in got])
        assert len({a.name for a in got}) == len(got)
