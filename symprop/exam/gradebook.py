"""`symprop grade DIR responses.csv`: a class exam folder's answers graded.

Reads DIR's roster.csv (id → variant) and answers.json (each variant's problem file,
its [exam] table included), solves the variants the class got, reads the responses
(exam/responses.py), grades every student of the roster (exam/grading.py; a student
missing from the responses has every answer blank) and writes into --out (default
DIR/grading), all or nothing through output.folder.write_folder: grades.csv,
feedback-ID.pdf per student (the feedback sheet with their name and points) and
class-report.pdf (render/classreport.py).
"""

import csv
import io
import json
import os
import re
from decimal import Decimal

from ..errors import SympropError
from .roster import RosterError, read_mapping, read_text

__all__ = ["grade_class", "grades_csv", "file_id", "points_text"]


def points_text(r):
    """A Rational of points as a short decimal ("1.5"), or to 4 decimals ("0.3333")."""
    d = Decimal(r.p) / Decimal(r.q)
    if (d * 10000) % 1 == 0:
        t = format(d.normalize(), "f")
        return t
    return format(d.quantize(Decimal("0.0001")), "f")


def file_id(sid, taken):
    """A file-name-safe form of a student id, unique among `taken`."""
    import hashlib

    base = re.sub(r"[^A-Za-z0-9_.-]", "_", sid)[:60].strip(".") or "student"
    name = base
    if name in taken:
        name = f"{base}-{hashlib.sha256(sid.encode()).hexdigest()[:8]}"
    taken.add(name)
    return name


def _variants(folder, needed):
    """{variant number: (solution, asked list, settings)} of the variants in `needed`."""
    from ..core.engine import solve
    from ..model.examsettings import ExamSettings
    from ..model.loader import loads
    from .selection import asked

    path = os.path.join(folder, "answers.json")
    try:
        data = json.loads(read_text(path, "an answers.json"))
        listed = {v["variant"]: v["problem"] for v in data["variants"]}
    except (ValueError, KeyError, TypeError) as exc:
        if isinstance(exc, SympropError):
            raise
        raise RosterError("not the answers.json symprop exam writes", source=path) from None
    out = {}
    for n in sorted(needed):
        if n not in listed:
            raise RosterError(f"variant {n} is not in answers.json", source=path)
        problem = loads(listed[n], source=f"{path} (variant {n})")
        solution = solve(problem)
        settings = problem.exam or ExamSettings()
        out[n] = (solution, asked(solution, settings), settings)
    return out


def grades_csv(students, grades, names):
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["id", "name", "variant"] + names + ["total", "max", "verdicts"])
    for s in students:
        g = grades[s.id]
        w.writerow([s.id, s.name, s.variant] + [points_text(l.points) for l in g.lines]
                   + [points_text(g.total), points_text(g.max), " ".join(l.code for l in g.lines)])
    return buf.getvalue()


def grade_class(folder, responses_path, out=None, force=False, pdfs=True, warn=None):
    """Grade the class; (files written, {id: Grade}, the responses' format)."""
    from ..checker.report import Report
    from ..output.files import check_folder, write_folder
    from ..render.classreport import class_report_latex
    from ..render.feedback import feedback_latex
    from .exports import compile_all
    from .grading import grade_student
    from .responses import parse_responses

    out = out or os.path.join(folder, "grading")
    roster = read_mapping(folder)
    variants = _variants(folder, {s.variant for s in roster.values()})
    lists = {n: [q.name for q in qs] for n, (_, qs, _) in variants.items()}
    names = next(iter(lists.values()))
    if any(v != names for v in lists.values()):
        raise RosterError("the variants ask different quantities; grading needs one list",
                          source=os.path.join(folder, "answers.json"))
    from ..model.numeric import decimal

    first = variants[min(variants)][0]
    fields = [n for _, _, n, v in first.items() if decimal(v, 15) is not None]
    answers, kind = parse_responses(read_text(responses_path, "a responses file"),
                                    str(responses_path), names, roster, fields)
    grades, students = {}, list(roster.values())
    for s in students:
        solution, questions, settings = variants[s.variant]
        grades[s.id] = grade_student(solution, questions, answers.get(s.id, {}), settings)
        if warn:
            bad = [l.name for l in grades[s.id].lines if l.code == "unreadable"]
            if bad:
                warn(f"{responses_path}: {s.id}: not a number, marked unreadable: {', '.join(bad)}")
    absent = [s.id for s in students if s.id not in answers]
    if warn and absent:
        warn(f"{responses_path}: no answers from {len(absent)} student(s) of the roster "
             f"(graded blank): {', '.join(absent[:8])}{' …' if len(absent) > 8 else ''}")
    files = {"grades.csv": grades_csv(students, grades, names)}
    jobs = {}
    if pdfs:
        taken = set()
        for s in students:
            solution, questions, settings = variants[s.variant]
            g = grades[s.id]
            report = g.report or Report(solution, ())
            jobs[f"feedback-{file_id(s.id, taken)}.pdf"] = feedback_latex(
                report, heading=f"{s.name} ({s.id})", points=g)
        jobs["class-report.pdf"] = class_report_latex(first, names, students, grades)
    check_folder(out, set(files) | set(jobs), force, group="grading")
    built = compile_all(jobs) if jobs else {}
    written = write_folder(out, {**files, **built}, force=force, group="grading")
    return written, grades, kind
