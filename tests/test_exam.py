"""Exam variants: reproducible, constrained, consistent across every file written."""

import errno
import hashlib
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
import sympy as sp

import symprop
import symprop.exam.exports
import symprop.exam.selection
import symprop.output.files
import symprop.output.fsops
from helpers import EXAMPLES, ROOT
from symprop.errors import OutputError, SympropError
from symprop.exam.exports import answers_json, moodle_xml, write_exam
from symprop.output.files import MANIFEST
from symprop.model.numeric import decimal
from symprop.exam.variants import draw as variants, problem_toml
from symprop.render.examsheet import exam_latex


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
        # the [exam] table's default selection (tests/test_exam_settings.py), not every quantity
        items = [(a.name, a.value) for a in symprop.exam.selection.asked(v.solution)]
        assert len(fields) == len(items) == 8
        for (name, exact), field in zip(items, fields):
            value, tol = field.split("#")[0].split(":")
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
    assert names == ["README.txt", "answers.json", "answers.pdf", "moodle.xml", "questions.gift",
                     "questions.pdf"]
    words = subprocess.run(["pdftotext", str(out / "questions.pdf"), "-"], capture_output=True,
                           text=True).stdout
    assert "Variant 3 (seed 42)" in words and "Exam" in words and "Questions" in words
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
    """Issue 7's load test: many variants, both PDFs, no temporary folder or file handle
    left behind. 200 since session 5: the answer sheets grew (derivations, method
    questions) and 500 in one pdflatex run passed its 120 s limit under load."""
    import tempfile

    private = tmp_path / "tmp"
    private.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private))
    fds = len(os.listdir("/proc/self/fd"))
    vs, names = write_exam(relu_problem(), 200, 500, str(tmp_path / "exam"))
    assert len(vs) == 200 and len({problem_toml(v.problem) for v in vs}) == 200
    words = subprocess.run(["pdftotext", "-f", "1", "-l", "99999", str(tmp_path / "exam" / "answers.pdf"),
                            "-"], capture_output=True, text=True).stdout
    assert "Variant 200 (seed 500)" in words
    assert os.listdir(private) == []
    assert len(os.listdir("/proc/self/fd")) <= fds + 2


# --- the exam folder: never two exams mixed, all or nothing -----------------------------

needs_tex = pytest.mark.skipif(shutil.which("pdflatex") is None,
                               reason="pdflatex not installed (make test installs it)")


@pytest.fixture
def fake_pdfs(monkeypatch):
    """PDFs without pdflatex (the folder logic does not care what the bytes are)."""
    def compile_all(jobs):
        return {name: b"%PDF-1.5 fake " + hashlib.sha256(tex.encode()).hexdigest().encode()
                for name, tex in jobs.items()}

    monkeypatch.setattr(symprop.exam.exports, "compile_all", compile_all)


def snapshot(folder):
    """Every entry of a folder with its bytes (regular files) or its kind (anything else:
    a FIFO is never opened, a link never followed)."""
    out = {}
    for name in os.listdir(folder):
        path = os.path.join(folder, name)
        mode = os.lstat(path).st_mode
        out[name] = open(path, "rb").read() if stat.S_ISREG(mode) else stat.S_IFMT(mode)
    return out


def no_staging(*folders):
    return not [n for f in folders for n in os.listdir(f) if n.startswith(".symprop-")]


def test_a_reused_exam_folder_holds_exactly_the_new_exam(tmp_path, fake_pdfs):
    out = tmp_path / "exam"
    write_exam(relu_problem(), 3, 1, str(out), split=True, with_gift=True)
    assert "questions-003.pdf" in os.listdir(out) and "questions.gift" in os.listdir(out)
    (out / "notes.txt").write_text("mine")
    with pytest.raises(OutputError, match="did not write"):       # a foreign file: --force
        write_exam(relu_problem(), 2, 2, str(out))
    _, names = write_exam(relu_problem(), 2, 2, str(out), force=True)
    assert names == ["README.txt", "answers.json", "answers.pdf", "moodle.xml", "questions.pdf"]
    assert sorted(os.listdir(out)) == [MANIFEST] + sorted(names + ["notes.txt"])
    assert json.loads((out / "answers.json").read_text())["seed"] == 2
    assert (out / "notes.txt").read_text() == "mine"
    assert set(json.loads((out / MANIFEST).read_text())["files"]) == set(names)
    assert no_staging(out, tmp_path)


def test_an_edited_file_of_the_last_exam_is_the_users_and_stays(tmp_path, fake_pdfs):
    out = tmp_path / "exam"
    write_exam(relu_problem(), 2, 1, str(out), with_gift=True)
    (out / "questions.gift").write_text("edited by hand")
    with pytest.raises(OutputError, match=r"did not write \(questions.gift\)"):
        write_exam(relu_problem(), 2, 1, str(out))
    write_exam(relu_problem(), 2, 1, str(out), force=True)
    assert (out / "questions.gift").read_text() == "edited by hand"


def test_a_directory_in_the_way_changes_nothing_even_with_force(tmp_path, fake_pdfs):
    out = tmp_path / "exam"
    write_exam(relu_problem(), 2, 1, str(out))
    os.remove(out / "moodle.xml")
    os.mkdir(out / "moodle.xml")
    before = snapshot(out)
    with pytest.raises(OutputError, match="moodle.xml.*is a directory"):
        write_exam(relu_problem(), 3, 5, str(out), force=True)
    assert snapshot(out) == before and no_staging(out, tmp_path)


def test_a_failed_move_puts_back_the_previous_exam(tmp_path, fake_pdfs, monkeypatch):
    out = tmp_path / "exam"
    write_exam(relu_problem(), 3, 1, str(out), split=True, with_gift=True)
    before = snapshot(out)
    real, calls = symprop.output.fsops.move, []

    def failing(src, dst):
        calls.append(dst)
        if len(calls) == 3:
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        real(src, dst)

    monkeypatch.setattr(symprop.output.fsops, "move", failing)
    with pytest.raises(OutputError, match="Input/output error; nothing was changed") as info:
        write_exam(relu_problem(), 2, 9, str(out))
    assert str(out) in str(info.value)
    assert snapshot(out) == before and no_staging(out, tmp_path)
    calls.clear()
    monkeypatch.setattr(symprop.output.fsops, "move", lambda src, dst: (calls.append(dst), real(src, dst)))
    write_exam(relu_problem(), 2, 9, str(out))              # and the next run goes through
    assert calls[-1].endswith(MANIFEST)


def test_a_full_disk_while_staging_changes_nothing(tmp_path, fake_pdfs, monkeypatch):
    out = tmp_path / "exam"
    write_exam(relu_problem(), 2, 1, str(out))
    before = snapshot(out)
    real, count = symprop.output.fsops.write_all, []

    def full(fd, data):
        count.append(1)
        if len(count) == 2:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(fd, data)

    monkeypatch.setattr(symprop.output.fsops, "write_all", full)
    with pytest.raises(OutputError, match="No space left on device"):
        write_exam(relu_problem(), 3, 2, str(out))
    assert snapshot(out) == before and no_staging(out, tmp_path)
    count.clear()
    with pytest.raises(OutputError, match="No space left on device"):   # a new folder: not made
        write_exam(relu_problem(), 3, 2, str(tmp_path / "new" / "exam"))
    assert sorted(os.listdir(tmp_path)) == ["exam"]


def cli(args, capsys):
    from symprop.cli import main

    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("where", ["dangling", "under_a_file", "sysfs", "fifo"])
def test_unusable_out_folders_are_one_line_naming_the_path(tmp_path, fake_pdfs, capsys, where):
    if where == "dangling":
        out = tmp_path / "exam"
        os.symlink(tmp_path / "gone", out)
    elif where == "under_a_file":
        (tmp_path / "file.txt").write_text("a file")
        out = tmp_path / "file.txt" / "exam"
    elif where == "fifo":
        out = tmp_path / "exam"
        os.mkfifo(out)
    else:                                   # sysfs: mkdir fails for root too
        if not os.path.isdir("/sys/kernel"):
            pytest.skip("no sysfs at /sys")
        out = "/sys/symprop-test-exam/exam"
    before = snapshot(tmp_path)
    code, stdout, err = cli(["exam", str(EXAMPLES / "two_layer_relu.toml"), "--variants", "2",
                             "--out", str(out)], capsys)
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1 and str(out) in err, err
    assert stdout == "" and snapshot(tmp_path) == before
    assert not os.path.lexists("/sys/symprop-test-exam")


def test_parallel_exams_into_one_folder_leave_one_whole_exam(tmp_path, fake_pdfs):
    out = tmp_path / "exam"
    errors = []

    def run(seed, split):
        try:
            write_exam(relu_problem(), 3, seed, str(out), split=split, with_gift=split)
        except Exception as exc:            # noqa: BLE001 (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(seed, seed % 2 == 0)) for seed in range(1, 5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    seed = json.loads((out / "answers.json").read_text())["seed"]
    split = seed % 2 == 0
    want = {"README.txt", "answers.json", "moodle.xml"} | ({"questions.gift"} | {f"{k}-{i:03d}.pdf" for k in
            ("questions", "answers") for i in (1, 2, 3)} if split else {"questions.pdf", "answers.pdf"})
    assert set(os.listdir(out)) == want | {MANIFEST}
    assert all(symprop.output.files.is_ours(out / n) for n in want)
    assert moodle_xml(variants(relu_problem(), 3, seed), relu_problem().title) == \
        (out / "moodle.xml").read_text()


def _children(pid, name):
    """(pid, process group) of the live children of `pid` called `name`, from /proc."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            text = open(f"/proc/{entry}/stat").read()
        except OSError:
            continue
        comm, rest = text[text.index("(") + 1:text.rindex(")")], text[text.rindex(")") + 2:].split()
        state, ppid, pgrp = rest[0], int(rest[1]), int(rest[2])
        if comm == name and state != "Z" and (pid is None or ppid == pid):
            found.append((int(entry), pgrp))
    return found


def _alive_in_groups(groups):
    alive = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                text = open(f"/proc/{entry}/stat").read()
            except OSError:
                continue
            rest = text[text.rindex(")") + 2:].split()
            if int(rest[2]) in groups and rest[0] != "Z":
                alive.append(int(entry))
    return alive


@needs_tex
def test_ctrl_c_during_exam_compilation_stops_at_once(tmp_path):
    """SIGINT while pdflatex builds a 60-variant exam: exit 130 within 3 s, every pdflatex
    gone, no out folder, no staging or TeX folder left (the pool used to wait ~17 s)."""
    private = tmp_path / "tmp"
    private.mkdir()
    out = tmp_path / "exam"
    env = dict(os.environ, PYTHONPATH=str(ROOT), TMPDIR=str(private))
    proc = subprocess.Popen([sys.executable, "-m", "symprop", "exam", str(EXAMPLES / "two_layer_relu.toml"),
                             "--variants", "60", "--out", str(out)], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 180
        running = []
        while not running:
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "pdflatex never started"
            running = _children(proc.pid, "pdflatex")
            time.sleep(0.05)
        time.sleep(0.5)                                    # both builds well under way
        groups = {g for _, g in running} | {g for _, g in _children(proc.pid, "pdflatex")}
        start = time.monotonic()
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        elapsed = time.monotonic() - start
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 130, err
    assert err.decode().strip().splitlines()[-1] == "symprop: interrupted"
    assert elapsed < 3, f"took {elapsed:.1f} s to stop"
    assert _alive_in_groups(groups) == []
    assert sorted(os.listdir(tmp_path)) == ["tmp"]          # no out folder, no staging folder
    assert os.listdir(private) == []                       # no TeX folder


@needs_tex
def test_a_failed_build_stops_the_other_builds_at_once():
    """One document fails at once, the other would loop until the 120 s time limit: the
    exam gives up in seconds, with the first error, and no pdflatex is left running."""
    from symprop.errors import RenderError
    from symprop.exam.exports import compile_all

    jobs = {"loop.pdf": r"\documentclass{article}\def\x{\x}\begin{document}\x\end{document}",
            "bad.pdf": r"\documentclass{article}\begin{document}\nosuchcommand\end{document}"}
    start = time.monotonic()
    with pytest.raises(RenderError, match="Undefined control sequence"):
        compile_all(jobs)
    assert time.monotonic() - start < 15
    deadline = time.monotonic() + 5
    while _children(os.getpid(), "pdflatex") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _children(os.getpid(), "pdflatex") == []
