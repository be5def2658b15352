"""Issue 16: a class of 30 from a roster, responses with known slips, grade's points.

Every expected value is computed here with SymPy from the variant's numbers (read from
answers.json's problem text with tomllib): the 2-2-1 network's forward pass, δ's and
update written out by hand below; every expected verdict is the slip the row was built
with; every expected point is points × the [exam.credit] fraction of that verdict.
"""

import csv
import io
import json
import os
import tomllib
from decimal import Decimal

import pytest
import sympy as sp

from symprop import cli

PROBLEM = '''title = "Class exam: a sigmoid layer"
loss = "half_sse"
learning_rate = "1/2"
steps = 1

[[samples]]
x = [1, -1]
y = 1

[[layers]]
weights = [[1, -1], [2, 1]]
bias = [0, "1/2"]
activation = "sigmoid"

[[layers]]
weights = [[1, 2]]
activation = "identity"

[randomize.values]
W2 = {choices = ["-1", "1", "2", "3"]}
y = {choices = ["-1", "1", "2"]}

[exam]
ask = ["a1[1]", "a1[2]", "a2[1]", "loss", "delta2[1]", "delta1[1]", "dL/dW1[1,1]", "W1[1,1]'"]
points = {"dL/dW1[1,1]" = 2}

[exam.credit]
exact = 1
rounded = "4/5"
carried = "3/4"
diagnosed = "1/2"
wrong = 0
unreadable = "1/10"
'''
NAMES = ["a1[1]", "a1[2]", "a2[1]", "loss", "delta2[1]", "delta1[1]", "dL/dW1[1,1]", "W1[1,1]'"]
POINTS = [1, 1, 1, 1, 1, 1, 2, 1]
CREDIT = {"exact": sp.Integer(1), "rounded": sp.Rational(4, 5), "carried": sp.Rational(3, 4),
          "diagnosed": sp.Rational(1, 2), "wrong": 0, "unreadable": sp.Rational(1, 10), "blank": 0}
sig = lambda z: 1 / (1 + sp.exp(-z))


def six(v):
    """v to 6 significant digits, as a student writes it."""
    return format(Decimal(str(sp.N(v, 40))), ".6g")


def network(W2, y, a1_1=None, d2=None, d1=None):
    """The hand computation of this 2-2-1 net; a slip can be put in at a1[1], δ2 or δ1."""
    x, W1, b1, lr = [1, -1], [[1, -1], [2, 1]], [0, sp.Rational(1, 2)], sp.Rational(1, 2)
    z1 = [W1[0][0] * x[0] + W1[0][1] * x[1] + b1[0], W1[1][0] * x[0] + W1[1][1] * x[1] + b1[1]]
    a1 = [sig(z1[0]) if a1_1 is None else a1_1, sig(z1[1])]
    a2 = W2[0] * a1[0] + W2[1] * a1[1]
    loss = (a2 - y) ** 2 / 2
    d2 = a2 - y if d2 is None else d2(a2 - y)
    d1 = W2[0] * d2 * a1[0] * (1 - a1[0]) if d1 is None else d1(W2, d2, a1, z1, lr)
    g = d1 * x[0]
    return {"a1[1]": a1[0], "a1[2]": a1[1], "a2[1]": a2, "loss": loss, "delta2[1]": d2,
            "delta1[1]": d1, "dL/dW1[1,1]": g, "W1[1,1]'": W1[0][0] - lr * g, "z1": z1}


def within_3_digits(v, text):
    """Our own reading of tolerance digits = 3: half a unit in the 3rd significant digit."""
    v = sp.N(v, 40)
    exponent = Decimal(str(abs(v))).adjusted()
    return abs(sp.Rational(text) - sp.Rational(str(v))) <= sp.Rational(5) * sp.Rational(10) ** (exponent - 3)


def coarse(v):
    return format(Decimal(str(sp.N(v, 40))), ".2g")


def row(kind, W2, y):
    """(the cells of a response row or None, the expected verdict codes)."""
    true = network(W2, y)
    R = ["rounded"] * 8
    cells = [six(true[n]) for n in NAMES]
    if kind == "rounded":
        return cells, R
    if kind == "exact":
        return ["sigmoid(2)"] + cells[1:], ["exact"] + R[1:]
    if kind == "coarse":                     # a2 to 2 digits: rounded, but not to the 3 asked
        c = coarse(true["a2[1]"])
        return cells[:2] + [c] + cells[3:], R[:2] + ["rounded" if within_3_digits(true["a2[1]"], c)
                                                      else "wrong"] + R[3:]
    if kind == "slip":                       # a1[1] + 0.1, everything after from it
        own = network(W2, y, a1_1=sp.Float(six(true["a1[1]"]), 30) + sp.Rational(1, 10))
        return [six(own[n]) for n in NAMES], ["wrong", "rounded"] + ["carried"] * 6
    if kind in ("zeros", "ones"):            # gaming: trivial early answers, then consistent
        if kind == "zeros":
            return ["0"] * 8, ["wrong"] * 8
        own = network(W2, y, a1_1=1)
        own["a1[2]"] = 1
        a2 = W2[0] + W2[1]
        own.update({"a2[1]": a2, "loss": (a2 - y) ** 2 / 2, "delta2[1]": a2 - y})
        return ["1", "1"] + [six(own[n]) for n in NAMES[2:]], ["wrong"] * 8
    mistakes = {"sign": dict(d2=lambda d: -d), "double": dict(d2=lambda d: 2 * d),
                "sigma_z": dict(d1=lambda W2, d2, a1, z1, lr: W2[0] * d2 * z1[0] * (1 - z1[0])),
                "sigma_a": dict(d1=lambda W2, d2, a1, z1, lr: W2[0] * d2 * a1[0]),
                "no_deriv": dict(d1=lambda W2, d2, a1, z1, lr: W2[0] * d2),
                "updated": dict(d1=lambda W2, d2, a1, z1, lr: (W2[0] - lr * d2 * a1[0]) * d2
                                * a1[0] * (1 - a1[0]))}
    if kind in mistakes:
        own = network(W2, y, **mistakes[kind])
        at = 4 if "d2" in mistakes[kind] else 5
        return ([six(own[n]) for n in NAMES],
                R[:at] + ["diagnosed"] + ["carried"] * (7 - at))
    if kind == "lr_added":
        return cells[:7] + [six(1 + true["dL/dW1[1,1]"] / 2)], R[:7] + ["diagnosed"]
    if kind == "blanks":
        return cells[:2] + ["", " "] + cells[4:], R[:2] + ["blank", "blank"] + R[4:]
    if kind == "unreadable":
        return cells[:3] + ["zwei"] + cells[4:], R[:3] + ["unreadable"] + R[4:]
    assert kind == "absent"
    return None, ["blank"] * 8


KINDS = ["rounded", "exact", "coarse", "slip", "zeros", "ones", "sign", "double", "sigma_z",
         "sigma_a", "no_deriv", "updated", "lr_added", "blanks", "unreadable", "absent"]


@pytest.fixture(scope="module")
def klass(tmp_path_factory):
    d = tmp_path_factory.mktemp("class")
    (d / "p.toml").write_text(PROBLEM)
    with open(d / "students.csv", "w", newline="", encoding="utf-8-sig") as f:     # with a BOM
        w = csv.writer(f)
        w.writerow(["id", "name", "email"])
        for k in range(30):
            w.writerow([f"u{k:02d}", f"Stüdent {k} \"Ω\" & {{x}}", f"u{k}@example.org"])
    assert cli.main(["exam", str(d / "p.toml"), "--roster", str(d / "students.csv"), "--variants",
                     "6", "--seed", "5", "--out", str(d / "exam"), "-q"]) == 0
    return d


def test_roster_mapping_and_sheets(klass):
    import hashlib

    mapping = list(csv.DictReader(open(klass / "exam" / "roster.csv", encoding="utf-8")))
    assert [r["id"] for r in mapping] == [f"u{k:02d}" for k in range(30)]
    for r in mapping:
        h = hashlib.sha256(f"symprop-roster\0{5}\0{r['id']}".encode()).digest()
        assert int(r["variant"]) == int.from_bytes(h[:8], "big") % 6 + 1
        assert r["email"] == f"u{int(r['id'][1:])}@example.org"        # other columns kept
    assert len({r["variant"] for r in mapping}) > 1
    import subprocess
    text = subprocess.run(["pdftotext", str(klass / "exam" / "students.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    pages = text.split("\f")[:-1]
    assert all("(id u" in p for p in pages)            # name and id on every page
    assert "Stüdent 7" in text and "& {x}" in text and "Ω" in text


def _answers(klass):
    data = json.load(open(klass / "exam" / "answers.json"))
    mapping = {r["id"]: int(r["variant"]) for r in csv.DictReader(open(klass / "exam" / "roster.csv"))}
    numbers = {}
    for v in data["variants"]:
        raw = tomllib.loads(v["problem"])
        W2 = [sp.Rational(str(w)) for w in raw["layers"][1]["weights"][0]]
        y = sp.Rational(str(raw["samples"][0]["y"]))
        numbers[v["variant"]] = (W2, y)
    return mapping, numbers


def _key(klass):
    """{variant: [every quantity's flat name]} in the worksheet's order, the order of
    moodle.xml's cloze fields (exports._fields: Solution.items)."""
    from symprop import loads, solve

    data = json.load(open(klass / "exam" / "answers.json"))
    return {v["variant"]: [n for _, _, n, _ in solve(loads(v["problem"])).items()]
            for v in data["variants"]}


def test_grade_points_of_every_student(klass):
    mapping, numbers = _answers(klass)
    expected, lines = {}, []
    for k, sid in enumerate(sorted(mapping)):
        kind = KINDS[k % len(KINDS)]
        cells, codes = row(kind, *numbers[mapping[sid]])
        if cells is not None:
            lines.append([sid, "x"] + cells)
        points = sum(p * CREDIT[c] for p, c in zip(POINTS, codes))
        expected[sid] = (kind, codes, points)
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["id", "name"] + NAMES)
    w.writerows(lines)
    (klass / "responses.csv").write_text(buf.getvalue())
    assert cli.main(["grade", str(klass / "exam"), str(klass / "responses.csv"), "-q"]) == 0
    got = {r["id"]: r for r in csv.DictReader(open(klass / "exam" / "grading" / "grades.csv"))}
    assert set(got) == set(expected)
    for sid, (kind, codes, points) in expected.items():
        r = got[sid]
        assert r["verdicts"].split() == codes, (sid, kind)
        assert sp.Rational(r["total"]) == points, (sid, kind)
        assert sp.Rational(r["max"]) == 9
        for name, p, c in zip(NAMES, POINTS, codes):
            assert sp.Rational(r[name]) == p * CREDIT[c], (sid, kind, name)
    files = os.listdir(klass / "exam" / "grading")
    assert "class-report.pdf" in files and sum(f.startswith("feedback-") for f in files) == 30


def test_moodle_responses(klass, tmp_path):
    """Moodle's Responses report: a cloze question's "part k: …" summary, ID number, and the
    Overall average row."""
    mapping, numbers = _answers(klass)
    ids = sorted(mapping)[:3]
    header = ["Surname", "First name", "ID number", "Email address", "State", "Started on",
              "Completed", "Time taken", "Grade/9.00", "Response 1", "Right answer 1"]
    rows = []
    for sid in ids:
        cells, _ = row("rounded", *numbers[mapping[sid]])
        cells[1] = ""                               # an empty part
        summary = "; ".join(f"part {i}: {c}" for i, c in enumerate(cells, 1))
        if sid == ids[2]:                           # a cloze field per quantity (all of them)
            every = list(_key(klass)[mapping[sid]])
            mine = dict(zip(NAMES, cells))
            summary = "; ".join(f"part {i}: {mine.get(n, '0.5')}" for i, n in enumerate(every, 1))
        rows.append(["S", "F", sid, f"{sid}@example.org", "Finished", "1 May 2026  10:00 AM",
                     "1 May 2026  10:40 AM", "40 mins", "7.20", summary, "-"])
    rows.append(["Overall average", "", "", "", "", "", "", "", "7.20", "", ""])
    buf = io.StringIO()
    csv.writer(buf).writerows([header] + rows)
    (tmp_path / "moodle.csv").write_text("\ufeff" + buf.getvalue(), encoding="utf-8")
    assert cli.main(["grade", str(klass / "exam"), str(tmp_path / "moodle.csv"), "--out",
                     str(tmp_path / "g"), "--no-pdf", "-q"]) == 0
    got = {r["id"]: r for r in csv.DictReader(open(tmp_path / "g" / "grades.csv"))}
    for sid in ids:
        assert got[sid]["verdicts"].split() == ["rounded", "blank"] + ["rounded"] * 6
        assert sp.Rational(got[sid]["total"]) == sum(POINTS) * CREDIT["rounded"] - CREDIT["rounded"]
    assert got[sorted(mapping)[5]]["verdicts"].split() == ["blank"] * 8


H = ",".join(f'"{n}"' for n in NAMES)


@pytest.mark.parametrize("text, message", [
    ("id,name,loss\nu00,a,1\n", "no column for a1[1]"),
    ("id," + ",".join(NAMES) + "\n", "quote a name with a comma"),
    ("name,loss\n", "no 'id' column"),
    ("id,name," + H + ",lossy\n", "column 'lossy' is not an asked quantity"),
    ("id," + H + "\nnobody,1,1,1,1,1,1,1,1\n", "'nobody' is not in the class"),
    ("id," + H + "\nu01,1,1,1,1,1,1,1,1\nu01,1,1,1,1,1,1,1,1\n", "also in row 2"),
    ("id," + H + "\n,1,1,1,1,1,1,1,1\n", "'row 2': empty id"),
])
def test_bad_responses(klass, tmp_path, capsys, text, message):
    (tmp_path / "r.csv").write_text(text)
    before = sorted(os.listdir(klass / "exam"))
    assert cli.main(["grade", str(klass / "exam"), str(tmp_path / "r.csv"), "--out",
                     str(tmp_path / "g")]) == 2
    err = capsys.readouterr().err
    assert message in err and "r.csv" in err and "Traceback" not in err
    assert not (tmp_path / "g").exists() and sorted(os.listdir(klass / "exam")) == before


@pytest.mark.parametrize("text, message", [
    ("id,name\nu1,A\nu1,B\n", "'row 3': id 'u1' is also in row 2"),
    ("id,name\n,A\n", "'row 2': empty id"),
    ("name\nA\n", "no 'id' column"),
    ('id,name\nu1,"A\n', "not a readable CSV"),
    ("id,name\n", "no students"),
])
def test_bad_rosters(tmp_path, capsys, text, message):
    (tmp_path / "p.toml").write_text(PROBLEM)
    (tmp_path / "s.csv").write_text(text)
    assert cli.main(["exam", str(tmp_path / "p.toml"), "--roster", str(tmp_path / "s.csv"),
                     "--out", str(tmp_path / "e")]) == 2
    err = capsys.readouterr().err
    assert message in err and "s.csv" in err, err
    assert not (tmp_path / "e").exists()


def test_variant_does_not_depend_on_roster_order_or_other_students():
    from symprop.exam.roster import parse_roster, variant_of

    a = parse_roster("\ufeffid,name\n1,A\n2,B\n3,C\n")
    b = parse_roster('name,ID,extra\n"C, c",3,x\nB,2,y\nD,4,z\nA,1,w\n')
    va = {s.id: variant_of(9, s.id, 7) for s in a}
    vb = {s.id: variant_of(9, s.id, 7) for s in b}
    assert all(va[k] == vb[k] for k in va) and {s.name for s in b} >= {"C, c", "A"}
    assert b[0].extra == {"extra": "x"}
    assert len({variant_of(seed, "1", 1000) for seed in range(20)}) > 10     # the seed matters


def test_feedback_names_the_student_and_a_bad_run_keeps_the_grades(klass, capsys):
    import subprocess

    grading = klass / "exam" / "grading"
    if not (grading / "grades.csv").exists():
        pytest.skip("needs test_grade_points_of_every_student's run")
    text = subprocess.run(["pdftotext", str(grading / "feedback-u01.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "Stüdent 1" in text and "(u01)" in text and "Points" in text and "total" in text
    before = {f: (grading / f).read_bytes() for f in os.listdir(grading)}
    (klass / "bad.csv").write_text("id,name,loss\nu00,a,1\n")
    assert cli.main(["grade", str(klass / "exam"), str(klass / "bad.csv")]) == 2
    assert {f: (grading / f).read_bytes() for f in os.listdir(grading)} == before


def test_students_pdf_built_in_parts_is_one_pdf(tmp_path, monkeypatch):
    """students.pdf is built PART students per pdflatex job (in parallel) and joined."""
    import subprocess

    from symprop.exam import roster

    monkeypatch.setattr(roster, "PART", 2)
    (tmp_path / "p.toml").write_text(PROBLEM)
    (tmp_path / "s.csv").write_text("id,name\n" + "".join(f"i{k},Name {k}\n" for k in range(5)))
    assert cli.main(["exam", str(tmp_path / "p.toml"), "--roster", str(tmp_path / "s.csv"),
                     "--variants", "2", "--out", str(tmp_path / "e"), "-q"]) == 0
    assert not [f for f in os.listdir(tmp_path / "e") if "part" in f]
    text = subprocess.run(["pdftotext", str(tmp_path / "e" / "students.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    pages = text.split("\f")[:-1]
    owners = [next(f"i{k}" for k in range(5) if f"(id i{k})" in p) for p in pages]
    assert owners == sorted(owners) and set(owners) == {f"i{k}" for k in range(5)}


def test_feedback_sheet_shows_the_grade_where_it_overrules_the_checker():
    """0.6 for a1[1] = 0.598688… is correctly rounded to the checker but not to the exam's
    3 significant figures: the graded sheet marks it wrong, says why, and counts it so."""
    import symprop
    from symprop.exam.exports import exam_settings
    from symprop.exam.grading import grade_student
    from symprop.exam.selection import asked
    from symprop.render.feedback import feedback_latex
    from helpers import EXAMPLES

    problem = symprop.load(EXAMPLES / "two_layer_sigmoid.toml")
    settings = exam_settings(problem, ["a1[1]", "z1[1]"])
    solution = symprop.solve(problem)
    grade = grade_student(solution, asked(solution, settings), {"a1[1]": "0.6", "z1[1]": "0.4"}, settings)
    assert [l.code for l in grade.lines if l.name == "a1[1]"] == ["wrong"]
    tex = feedback_latex(grade.report, heading="Ada (s1)", points=grade)
    row = next(line for line in tex.splitlines() if line.startswith("3 & a^{(1)}_{1} & 0.6 &"))
    assert "wrong" in row and "rounded" not in row
    assert "not as closely as this exam asks" in tex
    assert "1 exact, 0 correctly rounded, 0 consistent with your earlier values, 1 wrong (of 2)" in tex
