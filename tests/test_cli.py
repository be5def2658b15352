"""The command line: readable output, JSON, and one clear line for every bad input."""

import json
import os
import re
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
