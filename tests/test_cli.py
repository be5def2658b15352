"""The command line: readable output, JSON, and one clear line for every bad input."""

import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import EXAMPLES, ROOT

BAD = Path(__file__).parent / "bad_inputs"
SPECIAL = {"binary.toml": "binary file"}


def run(*args, cwd=None):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "symprop", *args], capture_output=True,
                          text=True, cwd=cwd, env=env, timeout=120)


def expectation(path):
    if path.name in SPECIAL:
        return SPECIAL[path.name]
    first = path.read_bytes().split(b"\n", 1)[0].decode("utf-8", "replace")
    assert first.startswith("# expect: "), f"{path.name} lacks its '# expect:' line"
    return first[len("# expect: "):]


def command(path, tmp):
    """The command a corpus file is run with: `solve FILE`, or its '# args:' line (the
    second line) with {file}, {examples} and {tmp} filled in. Every run gets a time
    limit, so that a regression to an unbounded run fails instead of hanging."""
    lines = path.read_bytes().split(b"\n", 2)
    second = lines[1].decode("utf-8", "replace") if len(lines) > 1 else ""
    args = ["solve", str(path)]
    if second.startswith("# args: "):
        args = [a.format(file=path, examples=EXAMPLES, tmp=tmp) for a in second[8:].split()]
    return args + ["--limit", "time=60"]


@pytest.mark.parametrize("path", sorted(BAD.glob("*.toml")), ids=lambda p: p.name)
def test_bad_input_gives_one_clear_line_and_exit_2(path, tmp_path, monkeypatch, capsys):
    """Exit code 2, one line naming the file and the key, nothing written, nothing run.

    In-process for speed: any exception other than SympropError would escape
    main() and fail the test, exactly where the CLI would print a traceback."""
    from symprop.cli import main

    monkeypatch.chdir(tmp_path)
    code = main(command(path, tmp_path))
    out, err = capsys.readouterr()
    assert code == 2, out + err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert path.name in lines[0]
    assert re.search(expectation(path), lines[0]), lines[0]
    assert out == ""
    assert os.listdir(tmp_path) == []


def test_bad_input_in_a_real_process_has_no_traceback(tmp_path):
    result = run("solve", str(BAD / "import_attack.toml"), cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "PWNED").exists()


def test_missing_file_and_directory(tmp_path):
    for target, words in [(tmp_path / "nope.toml", "no such file"), (tmp_path, "is a directory")]:
        result = run("solve", str(target))
        assert result.returncode == 2 and words in result.stderr and "Traceback" not in result.stderr


def test_text_solution_shows_formula_numbers_and_result():
    """The terminal solution writes the formula, the numbers substituted, then the value."""
    out = run("solve", str(EXAMPLES / "two_layer_sigmoid.toml")).stdout
    assert "z1[1] = W1[1,1]·a0[1] + W1[1,2]·a0[2] + W1[1,3]·a0[3] + b1[1]" in out
    assert "= 0.1·0.5 + 0.2·0.5 + 0.5·0.1 + 0.2" in out
    assert "= 2/5 = 0.4" in out
    assert "a1[1] = sigmoid(z1[1]) = sigmoid(0.4) = 1/(1 + exp(-2/5)) ≈ 0.598688" in out
    assert "BP1: delta2[j] = (a2[j] - y[j])·a2[j]·(1 - a2[j])" in out
    assert "BP2: delta1 = (W2ᵀ delta2) ⊙ sigmoid'(z1)" in out
    assert "The loss went down" in out


def test_graph_solution_shows_the_sum_over_consumers():
    out = run("solve", str(EXAMPLES / "skip_connection.toml")).stdout
    assert "dL/dh0 = dL/dz1·w1 + dL/dz2·w3" in out
    assert "= 0.5·0.5 + 1·0.5" in out


def test_json_output_and_verify():
    """--format json prints the documented structure; --verify adds a passing check."""
    result = run("solve", str(EXAMPLES / "skip_connection.toml"), "--format", "json", "--verify")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["answers"]["z2"] == {"exact": "3/8", "decimal": "0.375"}
    assert data["answers"]["final.loss"] == {"exact": "3", "decimal": "3"}
    assert data["verify"]["ok"] is True
    assert set(data["steps"][0]) == {"values", "loss", "deltas", "gradients", "params_after"}


def test_verify_text_reports_every_gradient():
    out = run("solve", str(EXAMPLES / "relu_2_3_1.toml"), "--verify").stdout
    assert "13 of 13 gradients agree." in out


def test_output_option_writes_text_and_json_and_refuses_folder_paths(tmp_path):
    """-o with the text or JSON output writes the file (it was silently ignored);
    '' and a path ending in '/' are refused before anything is written."""
    result = run("solve", str(EXAMPLES / "skip_connection.toml"), "--format", "json", "-o",
                 str(tmp_path / "s.json"))
    assert result.returncode == 0, result.stderr
    assert json.loads((tmp_path / "s.json").read_text())["answers"]["z2"]["exact"] == "3/8"
    for bad, words in [("", "empty"), (str(tmp_path / "sub") + "/", "ends with '/'")]:
        for extra in ([], ["--pdf"], ["--tex"]):
            result = run("solve", str(EXAMPLES / "circuit.toml"), *extra, "-o", bad, cwd=tmp_path)
            assert result.returncode == 2 and words in result.stderr, (extra, result.stderr)
            assert result.stderr.count("\n") == 1
    assert sorted(os.listdir(tmp_path)) == [".symprop.json", "s.json"]


def test_long_arguments_are_cut_in_usage_errors():
    result = run("solve", str(EXAMPLES / "circuit.toml"), "--digits", "9" * 5000)
    assert result.returncode == 2 and len(result.stderr) < 1200 and "…" in result.stderr


def test_graph_exam_with_relu_of_an_expression(tmp_path):
    """relu(w*x) and relu(relu(w*x)) inside expressions: the kink and dead-unit
    constraints evaluate the argument (a ValueError traceback before)."""
    from symprop.exam.variants import draw

    import symprop

    for expr in ("relu(w*x)", "relu(relu(w*x)) + 1", "leaky_relu(w*x - 1)"):
        spec = {"loss": "half_sse", "learning_rate": "1/2", "data": {"x": 1, "y": 3},
                "params": {"w": "1"}, "graph": {"h": expr, "output": "h"},
                "randomize": {"values": {"w": {"choices": ["-1", "2", "3"]}},
                              "constraints": {"dead_relu": "none"}}}
        vs = draw(symprop.Problem.from_dict(spec), 2, 1)
        assert sorted(str(v.problem.params[0][1]) for v in vs) == ["2", "3"]     # w = -1 is dead


# -- conventions: - for standard input and output, -q, --help, options that cannot apply --------

def run_in(*args, cwd=None, stdin=None):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "symprop", *args], capture_output=True,
                          input=stdin, cwd=cwd, env=env, timeout=120)


def test_problem_and_answers_from_standard_input(tmp_path):
    problem = (EXAMPLES / "skip_connection.toml").read_bytes()
    answers = (EXAMPLES / "answers" / "skip_connection.toml").read_bytes()
    piped = run_in("solve", "-", "--format", "json", stdin=problem, cwd=tmp_path)
    assert piped.returncode == 0, piped.stderr
    assert json.loads(piped.stdout)["answers"]["z2"]["exact"] == "3/8"
    direct = run_in("check", str(EXAMPLES / "skip_connection.toml"),
                    str(EXAMPLES / "answers" / "skip_connection.toml"), cwd=tmp_path)
    via = run_in("check", str(EXAMPLES / "skip_connection.toml"), "-", stdin=answers, cwd=tmp_path)
    assert via.returncode == direct.returncode and via.stdout == direct.stdout
    bad = run_in("solve", "-", stdin=b'loss = "l2"\n', cwd=tmp_path)
    assert bad.returncode == 2 and bad.stderr.decode().startswith("symprop: error: <stdin>")
    binary = run_in("solve", "-", stdin=b"\0\1", cwd=tmp_path)
    assert binary.returncode == 2 and b"binary" in binary.stderr
    assert os.listdir(tmp_path) == []


def test_output_to_standard_output(tmp_path):
    """-o - writes text, JSON and TeX to stdout, no file named '-' and no 'wrote' line;
    a PDF too, through a pipe."""
    src = str(EXAMPLES / "circuit.toml")
    text = run_in("solve", src, "-o", "-", cwd=tmp_path)
    assert text.returncode == 0 and text.stdout.decode() == run("solve", src).stdout
    tex = run_in("solve", src, "--tex", "--questions", "-o", "-", cwd=tmp_path)
    assert tex.returncode == 0 and b"\\documentclass" in tex.stdout[:200]
    assert os.listdir(tmp_path) == []
    if shutil.which("pdflatex"):
        pdf = run_in("solve", "-", "--pdf", "-o", "-", stdin=open(src, "rb").read(), cwd=tmp_path)
        assert pdf.returncode == 0 and pdf.stdout.startswith(b"%PDF"), pdf.stderr
        assert os.listdir(tmp_path) == []


def test_a_pdf_is_not_written_to_a_terminal(monkeypatch, capsys):
    from symprop.cli import main

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr(sys, "stdout", Terminal())
    assert main(["solve", str(EXAMPLES / "circuit.toml"), "--pdf", "-o", "-"]) == 2
    assert "is a terminal" in capsys.readouterr().err


def test_quiet_drops_the_wrote_lines(tmp_path):
    src = str(EXAMPLES / "circuit.toml")
    loud = run("solve", src, "--tex", "-o", str(tmp_path / "a.tex"))
    quiet = run("solve", src, "--tex", "-o", str(tmp_path / "b.tex"), "-q")
    assert loud.stdout.startswith("wrote ") and quiet.stdout == "" and quiet.returncode == 0
    assert (tmp_path / "a.tex").read_text() == (tmp_path / "b.tex").read_text()


@pytest.mark.parametrize("command", ["", "solve", "check", "exam", "new", "examples"])
def test_every_help_has_examples_and_the_exit_codes(command):
    result = run(*([command] if command else []), "--help")
    assert result.returncode == 0
    assert "examples:\n  symprop " in result.stdout
    assert "exit codes:" in result.stdout and "3    --pdf without pdflatex" in result.stdout


@pytest.mark.parametrize("extra,words", [
    (["--questions"], "--questions applies only with --pdf or --tex"),
    (["--digits", "20"], "--digits applies only with --format json"),
    (["--pdf", "--format", "json"], "--format does not apply with --pdf"),
    (["--tex", "--verify"], "--verify does not apply with --tex"),
    (["--tex", "--digits", "9"], "--digits does not apply with --tex"),
    (["--pdf", "--tex"], "choose one"),
    (["--force"], "--force applies only when a file is written"),
])
def test_an_option_that_cannot_apply_is_an_error(extra, words, tmp_path, monkeypatch, capsys):
    from symprop.cli import main

    monkeypatch.chdir(tmp_path)
    assert main(["solve", str(EXAMPLES / "circuit.toml"), *extra]) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1, err
    assert os.listdir(tmp_path) == []


def test_check_options_that_need_pdf(tmp_path, monkeypatch, capsys):
    from symprop.cli import main

    monkeypatch.chdir(tmp_path)
    problem, answers = (str(EXAMPLES / "circuit.toml"),
                        str(EXAMPLES / "answers" / "skip_connection.toml"))
    for extra, words in [(["-o", "f.pdf"], "-o applies only with --pdf"),
                         (["--force"], "--force applies only with --pdf")]:
        assert main(["check", problem, answers, *extra]) == 2
        assert words in capsys.readouterr().err
    assert main(["check", "-", "-"]) == 2
    assert "one of the two files" in capsys.readouterr().err
    assert os.listdir(tmp_path) == []


def test_the_exam_progress_bar_covers_the_pdf_builds(tmp_path, monkeypatch, capsys):
    """On a terminal, the bar counts the variants, then the PDFs as pdflatex finishes them."""
    import symprop.output.texcompile
    from symprop.cli import main

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr(symprop.output.texcompile, "compile_pdf",
                        lambda tex, jobs=None: b"%PDF-1.5 fake")
    err = Terminal()
    monkeypatch.setattr(sys, "stderr", err)
    out = io.StringIO()
    code = main(["exam", str(EXAMPLES / "two_layer_relu.toml"), "--variants", "3", "--split",
                 "--out", str(tmp_path / "exam")], out=out)
    assert code == 0, err.getvalue()
    bar = err.getvalue()
    assert "variants [" in bar and "3/3" in bar
    assert "PDFs     [" in bar and "6/6\n" in bar            # questions and answers of 3
    assert out.getvalue().startswith("wrote 3 variants")
    quiet_err = Terminal()
    monkeypatch.setattr(sys, "stderr", quiet_err)
    out = io.StringIO()
    assert main(["exam", str(EXAMPLES / "two_layer_relu.toml"), "--variants", "3", "-q",
                 "--out", str(tmp_path / "exam2")], out=out) == 0
    assert quiet_err.getvalue() == "" and out.getvalue() == ""
