"""A class of 200 (issue 16): the exam for a roster and the grading, timed as a user runs them.

    .venv/bin/python benchmarks/class_exam.py [--students 200] [--variants 20]

1. `symprop exam examples/two_layer_relu.toml --roster students.csv --variants V --out DIR`
   for a roster of N students (students.pdf: one question sheet per student, a page run
   each; questions.pdf and answers.pdf of the V variants; answers.json, moodle.xml,
   roster.csv). Target: N = 200 in < 120 s on 2 cores.
2. `symprop grade DIR responses.csv` with every student's answers (right ones, a few
   slips): grades.csv, a feedback PDF per student and the class report.

Each command runs in a new Python process (the import included); wall seconds are what
a user waits, CPU seconds are this process's children (pdflatex included).
"""

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
SYMPROP = [sys.executable, "-m", "symprop"]
DEMO = """id,name,email
s001,Zoë Ångström,zoe@example.org
s002,José Núñez,jose@example.org
s003,Дмитрий Петров,dmitri@example.org
s004,Ελένη Παπαδοπούλου,eleni@example.org
s005,"O'Brien, Siobhán",siobhan@example.org
s006,Ada Lovelace,ada@example.org
"""


def timed(cmd):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, check=True, cwd=ROOT)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def responses(folder, path):
    """Every student's answers: the exact values as 6-digit decimals; every 7th student
    writes 0 for the first quantity, every 5th doubles the third (a slip)."""
    sys.path.insert(0, ROOT)
    from symprop.core.engine import solve
    from symprop.exam.selection import asked
    from symprop.model.loader import loads
    from symprop.model.numeric import decimal

    data = json.load(open(os.path.join(folder, "answers.json")))
    asks = {}
    for v in data["variants"]:
        solution = solve(loads(v["problem"]))
        asks[v["variant"]] = [(q.name, str(decimal(q.value, 6))) for q in asked(solution)]
    rows = list(csv.DictReader(open(os.path.join(folder, "roster.csv"), encoding="utf-8")))
    names = [n for n, _ in asks[int(rows[0]["variant"])]]
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "name"] + names)
        for k, r in enumerate(rows):
            values = [v for _, v in asks[int(r["variant"])]]
            if k % 7 == 3:
                values[0] = "0"
            if k % 5 == 1 and len(values) > 2:
                values[2] = str(2 * float(values[2]))
            w.writerow([r["id"], r["name"]] + values)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--students", type=int, default=200)
    ap.add_argument("--variants", type=int, default=20)
    ap.add_argument("--demo-roster", metavar="CSV",
                    help="only write a 6-student roster with Unicode names (make demo)")
    ap.add_argument("--responses", nargs=2, metavar=("DIR", "CSV"),
                    help="only write responses for the class exam in DIR (make demo)")
    args = ap.parse_args()
    if args.demo_roster:
        with open(args.demo_roster, "w", newline="", encoding="utf-8") as f:
            f.write(DEMO)
        return
    if args.responses:
        responses(*args.responses)
        return
    with tempfile.TemporaryDirectory() as tmp:
        roster = os.path.join(tmp, "students.csv")
        with open(roster, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["id", "name", "email"])
            for k in range(args.students):
                w.writerow([f"s{k:04d}", f"Student Nr. {k} Müller-Łukasz", f"s{k}@example.org"])
        out = os.path.join(tmp, "class")
        wall, cpu = timed(SYMPROP + ["exam", "examples/two_layer_relu.toml", "--roster", roster,
                                     "--variants", str(args.variants), "--out", out, "-q"])
        print(f"| exam for {args.students} students ({args.variants} variants) | {wall:.1f} | "
              f"{cpu:.1f} | < 120 |", flush=True)
        path = os.path.join(tmp, "responses.csv")
        responses(out, path)
        wall, cpu = timed(SYMPROP + ["grade", out, path, "-q"])
        print(f"| grade {args.students} students (grades.csv, {args.students} feedback PDFs, "
              f"class report) | {wall:.1f} | {cpu:.1f} | — |", flush=True)


if __name__ == "__main__":
    main()
