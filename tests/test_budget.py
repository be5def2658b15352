"""The budget: every limit stops a run with a message naming it, in bounded time."""

import os
import random
import subprocess
import sys
import time

import pytest

import symprop
from symprop import budget
from symprop.errors import AnswerFileError

from helpers import EXAMPLES, ROOT


def run(*args, timeout=60):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    start = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "symprop", *args], capture_output=True,
                            text=True, env=env, timeout=timeout)
    return result, time.monotonic() - start


def softmax_problem(path, units):
    rnd = random.Random(1)
    rows = [[rnd.choice([-1, 1, 2, "1/2"]) for _ in range(4)] for _ in range(units)]
    y = [1] + [0] * (units - 1)
    path.write_text('loss = "cross_entropy"\nsteps = 0\n[data]\nx = [1, 2, 3, 4]\n'
                    f"y = {y}\n[[layers]]\nweights = {rows!r}\nactivation = \"softmax\"\n"
                    .replace("'", '"'))
    return path


def test_time_limit_stops_a_long_run_with_its_name(tmp_path):
    """A 96-unit softmax is within the tape limit but takes seconds to build."""
    problem = softmax_problem(tmp_path / "wide.toml", 96)
    result, seconds = run("solve", str(problem), "--limit", "time=1")
    assert result.returncode == 2, result.stderr
    assert "ran out of time, beyond the time limit: 1 s; raise it with --limit time=N" in result.stderr
    assert "Traceback" not in result.stderr
    assert seconds < 10


def test_memory_limit_turns_memory_error_into_one_line(tmp_path):
    """exp(10**16) with the magnitude limit lifted: mpmath would take gigabytes."""
    problem = tmp_path / "huge.toml"
    problem.write_text('loss = "none"\nsteps = 0\n[data]\nx = 1\n[graph]\nh = "exp(10**16)*x"\n'
                       'output = "h"\n')
    result, _ = run("solve", str(problem), "--limit", "magnitude=100000000000000000",
                    "--limit", "memory=600", "--limit", "time=50")
    assert result.returncode == 2, result.stderr
    assert "beyond the memory limit: 600 MiB" in result.stderr or "time limit" in result.stderr
    assert "Traceback" not in result.stderr


def test_raising_a_limit_lets_the_run_finish(tmp_path):
    """The message's advice works: sigmoid(-2000·x) needs exp(2000), about 10^868."""
    problem = tmp_path / "sat.toml"
    problem.write_text('loss = "none"\nsteps = 0\n[data]\nx = 1\n[graph]\n'
                       'h = "sigmoid(-2000*x)"\noutput = "h"\n')
    with budget.limits(magnitude=500):
        with pytest.raises(budget.LimitError, match="magnitude limit: values up to 10\\^±500"):
            symprop.solve(symprop.load(problem))
    answers = symprop.solve(symprop.load(problem)).answers()      # default: 10^±10000
    import mpmath

    from helpers import close

    with mpmath.workdps(50):
        assert close(answers["h"], 1 / (1 + mpmath.exp(2000)), rel=1e-30)


def test_limits_block_and_command_line_assignments():
    assert budget.current() == budget.DEFAULTS
    with budget.limits(tape=10) as inner:
        assert inner.tape == 10 and budget.current().tape == 10
        with pytest.raises(budget.LimitError, match="tape limit: 10 terms"):
            symprop.solve(symprop.load(EXAMPLES / "two_layer_sigmoid.toml"))
    assert budget.current() == budget.DEFAULTS
    assert budget.parse_assignment("time=2.5") == ("time", 2.5)
    assert budget.parse_assignment("tape=1e6") == ("tape", 1_000_000)
    for bad in ("time", "speed=1", "tape=1.5", "time=-1", "time=nan", "memory=abc"):
        with pytest.raises(ValueError):
            budget.parse_assignment(bad)
    with pytest.raises(ValueError, match="unknown limit"):
        with budget.limits(speed=1):
            pass


def test_bad_limit_on_the_command_line_is_one_line():
    result, _ = run("solve", str(EXAMPLES / "circuit.toml"), "--limit", "speed=1")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "NAME one of magnitude" in result.stderr


def test_time_limit_reaches_through_exam_candidates(tmp_path):
    """An exam's candidates catch failed candidates, but never a time limit."""
    with budget.limits(time=0.001):
        time.sleep(0.01)
        with pytest.raises(budget.LimitError, match="time"):
            symprop.variants(symprop.load(EXAMPLES / "two_layer_relu.toml"), 3, 1)


def test_answer_file_over_the_size_limit_gets_the_problem_files_message(tmp_path):
    path = tmp_path / "big.toml"
    path.write_text("[answers]\n" + "".join(f'"z{i}" = 1\n' for i in range(120_000)))
    assert path.stat().st_size > 1 << 20
    with pytest.raises(AnswerFileError, match="larger than 1024 KiB"):
        symprop.load_answers(path)


def test_fifo_as_input_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "problem.toml"
    os.mkfifo(fifo)
    with pytest.raises(symprop.ProblemFileError, match="not a regular file"):
        symprop.load(fifo)
    with pytest.raises(AnswerFileError, match="not a regular file"):
        symprop.load_answers(fifo)


def test_the_fast_path_keeps_the_magnitude_limit_too(tmp_path):
    problem = tmp_path / "sig.toml"
    problem.write_text('loss = "half_sse"\nlearning_rate = 1\n[data]\nx = [-10000000]\ny = [1]\n'
                       '[[layers]]\nweights = [[1]]\nactivation = "sigmoid"\n')
    for engine in ("auto", "sympy"):
        with pytest.raises(budget.LimitError, match="magnitude"):
            symprop.gradients(symprop.load(problem), engine=engine)


def test_limit_values_use_ascii_digits():
    with pytest.raises(ValueError, match="digits 0-9"):
        budget.parse_assignment("time=٥")


def _growing(steps, weights="[[1, 0], [-1, 1]]", rate="0.37"):
    """examples/two_layer_relu.toml with more steps: its exact numbers triple in length per step."""
    text = (EXAMPLES / "two_layer_relu.toml").read_text().split("# For exams")[0]
    text = text.replace("steps = 1", f"steps = {steps}").replace("learning_rate = 0.1", f"learning_rate = {rate}")
    return symprop.loads(text.replace("weights = [[1, 0],\n           [-1, 1]]", f"weights = {weights}"))


@pytest.mark.parametrize("steps", [10, 11])      # unchecked, 15 steps ran for minutes
def test_the_fast_path_keeps_the_exact_digits_limit(steps):
    """gradients() stops where solve() stops, with the same message (the SymPy engine names
    the first value beyond the limit), in well under a second: before, the fast path returned
    a loss too long for str() at 10 steps, and ran on for minutes at 15."""
    p = _growing(steps)
    with pytest.raises(budget.LimitError) as ref:
        symprop.solve(p)
    start = time.monotonic()
    with pytest.raises(budget.LimitError) as got:
        symprop.gradients(p)
    assert time.monotonic() - start < 5
    assert str(got.value) == str(ref.value) and "exact_digits" in str(got.value)
    with pytest.raises(symprop.fast.Unsupported, match="exact_digits limit after step"):
        symprop.gradients(p, engine="fast")


def test_integer_weights_that_explode_hit_the_limit_on_every_path(monkeypatch):
    """Denominator 1 throughout (integer weights, learning rate 1): only the numerators grow;
    on flint's matrices and on the limb matrices (kernel.LIMBS_FROM lowered) alike."""
    from symprop.fast import kernel

    p = symprop.Problem.from_dict({
        "loss": "half_sse", "learning_rate": 1, "steps": 30, "data": {"x": [1], "y": [0]},
        "layers": [{"weights": [[2]], "activation": "identity"},
                   {"weights": [[2]], "activation": "identity"}]})   # w' = w - w·v²: cubic growth
    with pytest.raises(budget.LimitError) as ref:
        symprop.solve(p)
    for threshold in (10**9, 0):
        monkeypatch.setattr(kernel, "LIMBS_FROM", threshold)
        kernel.forget(p)
        with pytest.raises(budget.LimitError) as got:
            symprop.gradients(p)
        assert str(got.value) == str(ref.value)


def test_a_raised_exact_digits_limit_lets_the_fast_path_finish():
    """Within a raised limit the fast path runs every step, and its numbers are the SymPy engine's."""
    p = _growing(8)
    with pytest.raises(budget.LimitError):
        symprop.gradients(p)
    with symprop.limits(exact_digits=100000):
        fast = symprop.gradients(p, engine="fast")
        ref = symprop.gradients(p, engine="sympy")
    assert fast.final_loss == ref.final_loss and fast.steps[-1].params_after == ref.steps[-1].params_after
