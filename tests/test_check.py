"""The checker: every verdict and every diagnosis, each with a worked case.

Expected values are computed here by hand or with the mpmath oracle (the
mistaken numbers too), not taken from symprop.
"""

import json

import mpmath as mp
import pytest

import symprop
from helpers import EXAMPLES
from oracle import forward, num
from symprop.checker.check import check
from symprop.errors import AnswerFileError
from symprop.checker.answers import load_answers


def solved(name):
    return symprop.solve(symprop.load(EXAMPLES / name))


def judge(name, answers):
    return {r.name: r for r in check(solved(name), answers).results}


def s(x, digits=8):
    """An mpmath value written as a person would, to `digits` significant digits."""
    return mp.nstr(mp.mpf(x), digits, strip_zeros=False, min_fixed=-30, max_fixed=30)


SIGMOID = [([[num(v) for v in r] for r in W], [num(v) for v in b], "sigmoid") for W, b in [
    ([[0.1, 0.2, 0.5], [0.4, 0.1, 0.5]], [0.2, 0.2]), ([[0.6, 0.1], [0.5, 0.2]], [0.2, 0.1])]]
X, Y = [num(0.5), num(0.5), num(0.1)], [num(0.9), num(0.1)]
(Z1, A1), (Z2, A2) = forward(SIGMOID, X)
DLDA2 = [A2[0] - Y[0], A2[1] - Y[1]]
DELTA2 = [DLDA2[j] * A2[j] * (1 - A2[j]) for j in range(2)]


def test_exact_rounded_and_plain_wrong():
    r = judge("two_layer_sigmoid.toml", {
        "z1[1]": "0.4", "z1[2]": "1/2", "a1[1]": "1/(1+e^(-0.4))",    # exact, as numbers or forms
        "a1[2]": "0.6225",                                             # σ(0.5) = 0.62246 rounded
        "z2[1]": "0.62",                                               # rounded to 2 decimals
        "z2[2]": "0.53",                                               # 0.5238: wrong
    })
    assert [r[n].verdict for n in ("z1[1]", "z1[2]", "a1[1]")] == ["exact"] * 3
    assert r["a1[2]"].verdict == "rounded" and r["z2[1]"].verdict == "rounded"
    assert r["z2[2]"].verdict == "wrong" and r["z2[2]"].mistake is None


def test_decimal_comma_and_fraction_equal_as_numbers():
    r = judge("skip_connection.toml", {"z2": "0,375", "loss": "27/8", "dL/dh0": 0.75})
    assert {n: x.verdict for n, x in r.items()} == {"z2": "exact", "loss": "exact", "dL/dh0": "exact"}


def test_carried_forward_from_an_early_slip():
    """Seed 001: z1 = 0.6 (slip); σ(0.6) = 0.646 and what follows are consistent with it."""
    r = {x.name: x for x in check(solved("two_layer_sigmoid.toml"),
                                  load_answers(EXAMPLES / "answers" / "two_layer_sigmoid.toml")).results}
    assert r["z1[1]"].verdict == "wrong" and r["z1[1]"].mistake is None
    assert r["a1[1]"].verdict == "carried_forward"          # σ(0.6) = 0.6457 ≈ 0.646
    assert r["delta2[1]"].verdict == "carried_forward"
    assert r["W2[1,1]'"].verdict == "carried_forward"       # 0.604 follows from its values
    assert r["W2[2,1]'"].verdict == "wrong"                 # 0.491: its own values give 0.49198
    assert r["dL/da1[1]"].mistake == "updated_weights"      # seed 001's slip
    assert r["dL/dW1[1,1]"].verdict == "rounded"            # 0.003 is 0.0033 to 3 decimals


def test_seed_002_struck_out_loss_and_truncation():
    r = {x.name: x for x in check(solved("saturated_sigmoid.toml"),
                                  load_answers(EXAMPLES / "answers" / "saturated_sigmoid.toml")).results}
    assert r["loss"].mistake == "target_is_output"
    assert r["a2[1]"].verdict == "wrong"                    # 0.999999988 truncates 0.99999998872
    assert r["delta2[1]"].verdict == "carried_forward"      # 34·(1 − 0.999999988) = 4.08e-7
    assert all(x.verdict == "exact" for n, x in r.items() if n.startswith("z"))


def test_seed_000_and_004_hand_numbers_are_all_right():
    for name in ("relu_2_3_1", "skip_connection"):
        report = check(solved(f"{name}.toml"), load_answers(EXAMPLES / "answers" / f"{name}.toml"))
        assert report.ok and report.summary()["exact"] == report.summary()["total"]


def test_seed_003_dropped_half():
    r = {x.name: x for x in check(solved("two_layer_relu.toml"),
                                  load_answers(EXAMPLES / "answers" / "two_layer_relu.toml")).results}
    assert r["loss"].mistake == "factor_double"             # J = (t − z)² = 1 instead of ½


@pytest.mark.parametrize("name, answer, mistake", [
    ("W2[0,0]'", "1.429", "lr_added"),                       # 0.9 + 0.1·5.29
    ("dL/da2[0]", "-2.3", "sign_flipped"),                   # y − ŷ = 0.9 − 3.2
    ("dL/da2[0]", "4.6", "factor_double"),                   # 2(ŷ − y) for ½SSE
    ("dL/da2[0]", "1.15", "factor_half"),
    ("z1[0]", "2.1", "bias_left_out"),                       # 0.8·2 + 0.5·1
])
def test_diagnoses_on_seed_000(name, answer, mistake):
    r = judge("relu_2_3_1.toml", {name: answer})[name]
    assert (r.verdict, r.mistake) == ("wrong", mistake)


@pytest.mark.parametrize("name, value, mistake", [
    ("delta2[1]", DLDA2[0], "no_activation_derivative"),
    ("delta2[1]", DLDA2[0] * Z2[0] * (1 - Z2[0]), "sigma_from_z"),
    ("delta2[1]", DLDA2[0] * A2[0], "sigma_not_derivative"),
    ("dL/da1[1]", num(0.6) * DELTA2[0] + num(0.1) * DELTA2[1], "w_not_transposed"),
    ("dL/dW2[1,1]", DELTA2[0] * Z1[0], "z_for_a"),
    ("a1[1]", Z1[0], "z_for_a"),
])
def test_diagnoses_on_seed_001(name, value, mistake):
    r = judge("two_layer_sigmoid.toml", {name: s(value)})[name]
    assert (r.verdict, r.mistake) == ("wrong", mistake)


def test_relu_convention_at_a_kink():
    p = symprop.loads('''
loss = "half_sse"
learning_rate = 1
[data]
x = [1, 1]
y = 1
[[layers]]
weights = [[0.5, -0.5]]
activation = "relu"
''')
    r = check(symprop.solve(p), {"dL/dW1[1,1]": -1}).results[0]   # ReLU′(0) taken as 1: (0 − 1)·1·1
    assert (r.verdict, r.mistake) == ("wrong", "relu_convention")


def test_z_for_a_is_named_in_every_sample():
    """With two samples the names are sample1.a1[1], sample2.a1[1]: the checker finds a
    unit's z from the tape's quantities, not from the spelling (which missed them)."""
    p = symprop.loads('''
loss = "half_sse"
learning_rate = 1
[[samples]]
x = [1]
y = [0]
[[samples]]
x = [2]
y = [0]
[[layers]]
weights = [[1]]
activation = "sigmoid"
[[layers]]
weights = [[1]]
''')
    sig = lambda t: 1 / (1 + mp.e ** -t)
    mistaken = (sig(1) * 1 + sig(2) * 2) / 2          # ½ Σ_s δ2 · z1 where a1 belongs
    r = check(symprop.solve(p), {"dL/dW2[1,1]": s(mistaken, 10)}).results[0]
    assert (r.verdict, r.mistake) == ("wrong", "z_for_a")


def test_a_wrong_softmax_output_is_marked_not_a_crash():
    """z_for_a at a softmax unit (which reads every z of its layer) is its own z: the
    checker used to unpack one input and stopped with a ValueError."""
    p = symprop.loads('''
loss = "cross_entropy"
learning_rate = 1
[data]
x = [1, 2]
y = [1, 0]
[[layers]]
weights = [[1, 0], [0, 1]]
activation = "softmax"
''')
    r = {x.name: x for x in check(symprop.solve(p), {"a1[1]": 1, "z1[1]": 7}).results}
    assert r["a1[1]"].verdict == "wrong" and r["a1[1]"].mistake == "z_for_a"   # a1[1] = z1[1] = 1
    assert r["z1[1]"].verdict == "wrong"


def test_check_wants_a_solution():
    with pytest.raises(TypeError, match="symprop.solve"):
        check(symprop.load(EXAMPLES / "two_layer_relu.toml"), {})


def test_json_report_and_exit_codes(tmp_path, capsys):
    from symprop.cli import main

    answers = tmp_path / "a.toml"
    answers.write_text('[answers]\n"z1[1]" = 0.4\n"dL/dz1[1]" = "0.0066"\n')    # alias of delta1[1]
    assert main(["check", str(EXAMPLES / "two_layer_sigmoid.toml"), str(answers), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["summary"] == {"exact": 1, "rounded": 1, "carried_forward": 0, "wrong": 0, "total": 2}
    assert data["results"][0]["correct"] == {"exact": "2/5", "decimal": "0.4"}
    answers.write_text('[answers]\n"z1[1]" = 0.5\n')
    assert main(["check", str(EXAMPLES / "two_layer_sigmoid.toml"), str(answers)]) == 1
    capsys.readouterr()
    answers.write_text('[answers]\n"z9[1]" = 0.5\n')
    assert main(["check", str(EXAMPLES / "two_layer_sigmoid.toml"), str(answers)]) == 2
    err = capsys.readouterr().err
    assert "unknown quantity 'z9[1]'" in err and "z1[1], z1[2]" in err and "a.toml" in err


@pytest.mark.parametrize("text, words", [
    ('[answers]\n"z1[1]" = "__import__(\'os\')"\n', "construct not allowed|unknown function"),
    ('[answers]\n"z1[1]" = "abc"\n', "unknown name"),
    ('[answers]\n"z1[1]" = nan\n', "non-finite"),
    ('[answers]\n"z1[1]" = 1\n"z1[1]" = 2\n', "not valid TOML"),
    ('x = 1\n', "expected an \\[answers\\] table"),
])
def test_bad_answer_files(text, words, tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(AnswerFileError, match=words):
        load_answers(path)


def test_feedback_sheet_marks_every_answer(tmp_path):
    import shutil
    import subprocess

    from symprop.render.feedback import feedback_latex

    report = check(solved("two_layer_sigmoid.toml"),
                   load_answers(EXAMPLES / "answers" / "two_layer_sigmoid.toml"))
    tex = feedback_latex(report)
    assert tex.count(r"\checkmark") == 2 and tex.count(r"$\times$ wrong") == 4
    assert "already-updated weights" in tex
    if shutil.which("pdflatex") and shutil.which("pdftotext"):
        from symprop.output.texcompile import compile_pdf

        pdf = tmp_path / "f.pdf"
        pdf.write_bytes(compile_pdf(tex))
        words = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
        assert "0.49261497" in words and "follows from your values" in words


def test_answers_as_small_as_the_values_symprop_prints():
    """σ(−800) ≈ 3.668e-348: an answer of 3.67e-348 is read (problem literals stay
    within 1e±60) and marked rounded."""
    import symprop

    problem = symprop.loads('loss = "none"\nsteps = 0\n[data]\nx = 1\n[graph]\n'
                            'a = "sigmoid(-800*x)"\noutput = "a"\n')
    report = symprop.check(symprop.solve(problem), {"a": "3.67e-348"})
    assert [r.verdict for r in report.results] == ["rounded"]
    report = symprop.check(symprop.solve(problem), {"a": "3.65e-348"})
    assert [r.verdict for r in report.results] == ["wrong"]


def test_answer_files_get_the_problem_files_checks(tmp_path):
    """load_answers reads through the loader's read_text: size, binary, encoding, kind."""
    from symprop.model.loader import MAX_FILE_BYTES

    binary = tmp_path / "binary.toml"
    binary.write_bytes(b'[answers]\n"a1[1]" = 1\n\0')
    large = tmp_path / "large.toml"
    large.write_bytes(b"[answers]\n" + b"#" * MAX_FILE_BYTES)
    latin = tmp_path / "latin.toml"
    latin.write_bytes('[answers]\n"a1[1]" = "\xe9"\n'.encode("latin-1"))
    for path, words in [(binary, "binary file"), (large, "larger than 1024 KiB"),
                        (latin, "not UTF-8"), (tmp_path, "is a directory, not an answer file"),
                        (tmp_path / "nope.toml", "no such file")]:
        with pytest.raises(AnswerFileError, match=words):
            load_answers(path)


def test_the_public_check_takes_a_problem_or_a_solution():
    """symprop.check(problem, answers) solves first; the verdicts are those of the Solution."""
    p = symprop.load("examples/two_layer_relu.toml")
    answers = symprop.load_answers("examples/answers/two_layer_relu.toml")
    by_problem = symprop.check(p, answers)
    by_solution = symprop.check(symprop.solve(p), answers)
    assert [(r.name, r.verdict, r.mistake) for r in by_problem.results] == \
        [(r.name, r.verdict, r.mistake) for r in by_solution.results]
    assert by_problem.summary()["total"] > 0


def test_reasons_leave_the_verdicts_as_they_were():
    """The seeds' verdict counts, as before wrong answers got reasons (tests/test_feedback.py)."""
    counts = {}
    for seed in ("two_layer_sigmoid", "saturated_sigmoid"):
        s = check(solved(f"{seed}.toml"), load_answers(EXAMPLES / "answers" / f"{seed}.toml")).summary()
        counts[seed] = (s["exact"], s["rounded"], s["carried_forward"], s["wrong"])
    assert counts == {"two_layer_sigmoid": (0, 2, 11, 4), "saturated_sigmoid": (4, 1, 23, 2)}


@pytest.mark.parametrize("wild", ["1e30", "-1e30", "1e4000", "12345678901234567890"])
def test_a_wild_answer_is_marked_wrong_not_a_limit_error(wild):
    """σ of a student's 1e30 is exp(−1e30): past the magnitude limit. Values the
    person's own numbers lead to that cannot be represented give no carried-forward
    credit and no rounding allowance; the run marks, it does not stop (exit 2)."""
    report = judge("two_layer_sigmoid.toml", {"z1[1]": wild, "a1[1]": "0.5", "loss": "1e30",
                                         "delta2[1]": "1e-300"})
    assert [r.verdict for r in report.values()] == ["wrong"] * 4
    assert "to your digits" not in report["z1[1]"].reason.format()   # 0.4 at 1e30's digits: 0


def test_rounding_to_coarse_digits_is_still_said_when_it_says_something():
    """z1[1] = 0.4 written as 1e0: "to your digits 0" tells the person something."""
    report = judge("two_layer_sigmoid.toml", {"z1[1]": "1e0"})
    assert "to your digits 0;" in report["z1[1]"].reason.format()


def test_the_api_takes_paths_as_well_as_objects():
    """symprop.solve("x.toml") and symprop.check("x.toml", "answers.toml") are what a
    programmer tries first: the same results as load / load_answers by hand."""
    from pathlib import Path

    problem = EXAMPLES / "two_layer_relu.toml"
    answers = EXAMPLES / "answers" / "two_layer_relu.toml"
    by_hand = symprop.solve(symprop.load(problem))
    assert symprop.solve(str(problem)).answers() == by_hand.answers()
    assert symprop.solve(Path(problem)).answers() == by_hand.answers()
    expected = symprop.check(by_hand, symprop.load_answers(answers)).to_json()
    assert symprop.check(str(problem), str(answers)).to_json() == expected
    assert symprop.check(by_hand, Path(answers)).to_json() == expected
    with pytest.raises(TypeError, match="a Problem or a problem file's path"):
        symprop.solve({"loss": "sse"})


def test_answers_take_the_closed_forms_a_problem_takes():
    """A target of sqrt(2)/2 can be answered as written: sqrt, sin, cos, pi and e are read
    in answers as in problem files. By hand: a = 1·1 = 1, dL/da = a − y = 1 − √2/2."""
    problem = symprop.loads('loss = "half_sse"\nsteps = 0\n[data]\nx = [1]\ny = "sqrt(2)/2"\n'
                            '[[layers]]\nweights = [[1]]\nactivation = "identity"\n')
    report = symprop.check(problem, {"dL/da1[1]": "1 - sqrt(2)/2", "a1[1]": "4*sin(pi/6)**2",
                                     "loss": "(1 - cos(pi/4))**2/2"})
    assert [r.verdict for r in report.results] == ["exact", "exact", "exact"]
    wrong = symprop.check(problem, {"dL/da1[1]": "1 - pi/4"})
    assert wrong.results[0].verdict == "wrong"
