"""Exam variants: reproducible, constrained, consistent across every file written."""

import json
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
import sympy as sp

import symprop
from helpers import EXAMPLES
from symprop.errors import OutputError, SympropError
from symprop.exam import answers_json, moodle_xml, write_exam
from symprop.numeric import decimal
from symprop.variants import draw as variants, problem_toml
from symprop.worksheet import exam_latex


def relu_problem():
    return symprop.load(EXAMPLES / "two_layer_relu.toml")


def test_same_seed_same_bytes_other_seed_other_variants():
    a, b = variants(relu_problem(), 12, 2026), variants(relu_problem(), 12, 2026)
    assert json.dumps(answers_json(a, 2026)) == json.dumps(answers_json(b, 2026))
    assert exam_latex(a, 2026, True) == exam_latex(b, 2026, True)
    c = variants(relu_problem(), 12, 2027)
    assert [problem_toml(v.problem) for v in a] != [problem_toml(v.problem) for v in c]


def test_variants_meet_every_constraint():
    """two_layer_relu: a dead unit, denominators ≤ 100, |values| ≤ 10, the loss goes down."""
    vs = variants(relu_problem(), 30, 1)
    seen = set()
    for v in vs:
        a = v.solution.answers()
        assert a["z1[1]"] <= 0 or a["z1[2]"] <= 0
        assert all(x.q <= 100 and abs(x) <= 10 for x in a.values())
        assert a["final.loss"] < a["loss"]
        seen.add(problem_toml(v.problem))
    assert len(seen) == 30


@pytest.mark.parametrize("name", ["two_layer_relu.toml", "skip_connection.toml"])
def test_answer_key_agrees_with_solving_each_variant_again(name):
    """Each variant's problem text, solved afresh, gives the answers in answers.json."""
    vs = variants(symprop.load(EXAMPLES / name), 8, 5)
    data = answers_json(vs, 5)
    for entry in data["variants"]:
        again = symprop.solve(symprop.loads(entry["problem"])).to_json()["answers"]
        assert again == entry["answers"]


def test_moodle_xml_is_valid_and_each_field_matches_the_exact_answer():
    vs = variants(relu_problem(), 5, 3)
    root = ET.fromstring(moodle_xml(vs, "Exercise & <friends>").split("\n", 2)[2])
    questions = root.findall("question")
    assert questions[0].get("type") == "category"
    assert "Exercise & <friends>" in questions[0].find("category/text").text
    for v, q in zip(vs, questions[1:]):
        text = q.find("questiontext/text").text
        fields = text.split("{1:NUMERICAL:=")[1:]
        items = [(n, x) for _, _, n, x in v.solution.items()]
        assert len(fields) == len(items)
        for (name, exact), field in zip(items, fields):
            value, tol = field.split("}")[0].split(":")
            assert abs(Decimal(value) - Decimal(decimal(exact, 30))) <= Decimal("1e-14"), name
            assert Decimal(tol) > 0


def test_impossible_constraints_fail_naming_the_constraint():
    text = (EXAMPLES / "two_layer_relu.toml").read_text().replace("max_abs = 10", "max_abs = 0.01")
    with pytest.raises(SympropError, match="constraint 'max_abs' rejected most"):
        variants(symprop.loads(text), 3, 1)


def test_out_folder_with_foreign_files_is_refused(tmp_path):
    out = tmp_path / "exam"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    with pytest.raises(OutputError, match="did not write"):
        write_exam(relu_problem(), 2, 1, str(out))
    assert os.listdir(out) == ["notes.txt"]


@pytest.mark.skipif(shutil.which("pdflatex") is None or shutil.which("pdftotext") is None,
                    reason="pdflatex/pdftotext not installed (make test installs them)")
def test_exam_writes_every_file_and_can_be_rerun(tmp_path):
    out = tmp_path / "exam"
    vs, names = write_exam(relu_problem(), 3, 42, str(out), with_gift=True)
    assert names == ["answers.json", "answers.pdf", "moodle.xml", "questions.gift", "questions.pdf"]
    words = subprocess.run(["pdftotext", str(out / "questions.pdf"), "-"], capture_output=True,
                           text=True).stdout
    assert "Variant 3 (seed 42)" in words and "Exercise sheet" in words
    write_exam(relu_problem(), 3, 42, str(out), split=True)        # ours: replaced, not refused
    assert "questions-003.pdf" in os.listdir(out)
    assert not [f for f in os.listdir(tmp_path) if f.startswith(".symprop")]


def test_python_api_returns_problems_and_groups_work():
    text = (EXAMPLES / "two_layer_relu.toml").read_text().replace(
        'W1 = {choices = ["-1", "-1/2", "1/2", "1"]}\nW2 = {choices = ["-1", "1", "2"]}',
        'weights = {choices = ["-1", "-1/2", "1/2", "1", "2"]}')
    assert "weights = " in text
    problems = symprop.variants(symprop.loads(text), 5, 9)
    assert all(isinstance(p, symprop.Problem) for p in problems)
    grid = {w for p in problems for layer in p.network.layers for row in layer.weights for w in row}
    assert grid <= {sp.Rational(v) for v in ("-1", "-1/2", "1/2", "1", "2")} and len(grid) > 2


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not installed")
def test_two_exams_at_once_do_not_interfere(tmp_path, monkeypatch):
    """Two runs in parallel into different folders: each gets its own variants, nothing
    is left in the temporary folder, no file handle leaks."""
    import tempfile
    from concurrent.futures import ThreadPoolExecutor

    private = tmp_path / "tmp"
    private.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private))     # see only this test's temp files
    fds = len(os.listdir("/proc/self/fd"))
    jobs = [(relu_problem(), 6, seed, str(tmp_path / f"exam{seed}")) for seed in (1, 2)]
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda job: write_exam(*job), jobs))
    for _, _, seed, out in jobs:
        data = json.loads(open(os.path.join(out, "answers.json")).read())
        assert data["seed"] == seed
        assert data == answers_json(variants(relu_problem(), 6, seed), seed)
        words = subprocess.run(["pdftotext", os.path.join(out, "answers.pdf"), "-"],
                               capture_output=True, text=True).stdout
        assert f"Variant 6 (seed {seed})" in words
    assert os.listdir(private) == []
    assert len(os.listdir("/proc/self/fd")) <= fds + 2


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not installed")
def test_load_500_variants_in_one_run(tmp_path, monkeypatch):
    """Issue 7's load test (about 2 minutes): 500 variants, both PDFs, no temporary folder
    or file handle left behind."""
    import tempfile

    private = tmp_path / "tmp"
    private.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private))
    fds = len(os.listdir("/proc/self/fd"))
    vs, names = write_exam(relu_problem(), 500, 500, str(tmp_path / "exam"))
    assert len(vs) == 500 and len({problem_toml(v.problem) for v in vs}) == 500
    words = subprocess.run(["pdftotext", "-f", "1", "-l", "99999", str(tmp_path / "exam" / "answers.pdf"),
                            "-"], capture_output=True, text=True).stdout
    assert "Variant 500 (seed 500)" in words
    assert os.listdir(private) == []
    assert len(os.listdir("/proc/self/fd")) <= fds + 2
