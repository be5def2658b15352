"""Fuzzing the problem loader: random bytes and mutated examples give a Problem or a
SympropError with a message, never another exception, and never take long."""

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import symprop
from helpers import EXAMPLES
from symprop.errors import SympropError

TEXTS = [p.read_text() for p in sorted(EXAMPLES.glob("*.toml"))]
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))


def load_and_solve(text):
    start = time.monotonic()
    try:
        problem = symprop.loads(text, source="fuzz.toml")
    except SympropError as exc:
        assert str(exc).startswith("fuzz.toml") and exc.message
        return
    try:
        symprop.solve(problem)
    except SympropError as exc:
        assert exc.message
    assert time.monotonic() - start < 10


@FUZZ
@given(st.binary(max_size=400))
def test_random_bytes(data):
    load_and_solve(data.decode("utf-8", errors="replace"))


@st.composite
def mutated(draw):
    text = draw(st.sampled_from(TEXTS))
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(["delete", "insert", "replace"]))
        chunk = draw(st.sampled_from(["0", "-", "9" * 30, "[", "]", "\"", "=", "\n", "x", "1/0",
                                      "relu(", "**", "e5", ".", ",", "[[layers]]\n", "nan", "{"]))
        if kind == "delete":
            text = text[:i] + text[i + draw(st.integers(1, 20)):]
        elif kind == "insert":
            text = text[:i] + chunk + text[i:]
        else:
            text = text[:i] + chunk + text[i + len(chunk):]
    return text


@FUZZ
@given(mutated())
def test_mutated_examples(text):
    load_and_solve(text)
