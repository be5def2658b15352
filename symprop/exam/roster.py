"""A class: the roster (students.csv), each student's variant, and the class exam folder.

    read_roster(path) -> [Student]          id, name, the other columns kept
    variant_of(seed, student_id, count)     1..count, sha256 of seed and id
    write_class_exam(problem, students, n, seed, out, force=False)

A student's variant is sha256("symprop-roster\\0<seed>\\0<id>") modulo the number of
distinct variants drawn (n, drawn once by exam.variants.draw and shared): the same seed
and id give the same variant on any machine and in any roster order, and adding a
student changes no one else's. The folder holds the exam files (answers.json,
moodle.xml, questions.pdf and answers.pdf per variant), students.pdf (each student's
question sheet, their name and id at the top of every page; one document with a page
run per student, as an instructor prints it), roster.csv (the roster with a `variant`
column: the mapping `symprop grade` reads) and problem.toml (the problem as given, for
its [exam] table).
"""

import csv
import hashlib
import io
from dataclasses import dataclass, field

from ..errors import SympropError

__all__ = ["Student", "RosterError", "read_roster", "parse_roster", "variant_of",
           "write_class_exam", "read_mapping", "students_latex", "csv_rows", "MAX_STUDENTS"]

MAX_STUDENTS = 500          # students in one students.pdf (render/examsheet's variant limit)
MAX_ID = 100                # characters of an id
PART = 100                  # students per pdflatex job (a run stays well inside its 120 s); joined by pdfpages


class RosterError(SympropError, ValueError):
    """A bad roster or responses file: the file and the row."""


@dataclass(frozen=True)
class Student:
    id: str
    name: str
    extra: dict = field(default_factory=dict, compare=False)    # the other columns
    variant: int = 0


def csv_rows(text, source, what):
    """The header (stripped, lower-case kept as written) and the rows of CSV text (a BOM
    dropped); RosterError naming the file for an empty file or ragged rows."""
    text = text.lstrip("\ufeff")
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as exc:
        raise RosterError(f"not a readable CSV file ({exc})", source=source) from None
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        raise RosterError(f"empty {what}: expected a header row", source=source)
    header = [c.strip() for c in rows[0]]
    for i, r in enumerate(rows[1:], 2):
        if len(r) > len(header):
            raise RosterError(f"{len(r)} cells, the header has {len(header)}", source=source,
                              key=f"row {i}")
    return header, [(i, r + [""] * (len(header) - len(r))) for i, r in enumerate(rows[1:], 2)]


def read_text(path, what):
    from ..model.loader import read_text as read

    return read(path, error=RosterError, what=what)


def read_roster(path):
    return parse_roster(read_text(path, "a roster"), str(path))


def parse_roster(text, source="roster"):
    """[Student] from roster CSV text: columns id and name (any case), others kept."""
    header, rows = csv_rows(text, source, "roster")
    lower = [h.lower() for h in header]
    for need in ("id", "name"):
        if need not in lower:
            raise RosterError(f"no '{need}' column; the header has: {', '.join(header)[:200]}",
                              source=source, key="row 1")
    if len(set(lower)) != len(lower):
        twice = next(h for h in header if lower.count(h.lower()) > 1)
        raise RosterError(f"column '{twice}' appears twice", source=source, key="row 1")
    at_id, at_name = lower.index("id"), lower.index("name")
    students, seen = [], {}
    for i, row in rows:
        sid, name = row[at_id].strip(), " ".join(row[at_name].split())
        if not sid:
            raise RosterError("empty id", source=source, key=f"row {i}")
        if len(sid) > MAX_ID or any(ord(c) < 32 for c in sid):
            raise RosterError(f"id '{sid[:40]}' is not an id (at most {MAX_ID} printable "
                              "characters)", source=source, key=f"row {i}")
        if sid in seen:
            raise RosterError(f"id '{sid}' is also in row {seen[sid]}", source=source, key=f"row {i}")
        seen[sid] = i
        extra = {h: row[k] for k, h in enumerate(header) if k not in (at_id, at_name)}
        students.append(Student(sid, name, extra))
    if not students:
        raise RosterError("no students: the roster has a header only", source=source)
    if len(students) > MAX_STUDENTS:
        raise RosterError(f"{len(students)} students, beyond the {MAX_STUDENTS} of one class "
                          "exam; split the roster", source=source)
    return students


def variant_of(seed, student_id, count):
    """The student's variant, 1..count, from sha256 of the seed and the id."""
    digest = hashlib.sha256(f"symprop-roster\0{seed}\0{student_id}".encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


def mapping_csv(students):
    """roster.csv: id, name, variant, then the roster's other columns."""
    extra = list(students[0].extra) if students else []
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["id", "name", "variant"] + extra)
    for s in students:
        w.writerow([s.id, s.name, s.variant] + [s.extra.get(h, "") for h in extra])
    return buf.getvalue()


def read_mapping(folder):
    """{id: Student with variant} from a class exam folder's roster.csv."""
    import os

    path = os.path.join(folder, "roster.csv")
    if not os.path.exists(path):
        raise RosterError("no roster.csv: not a class exam folder (symprop exam PROBLEM "
                          "--roster students.csv --out DIR writes one)", source=folder)
    header, rows = csv_rows(read_text(path, "a roster"), path, "roster")
    if header[:3] != ["id", "name", "variant"]:
        raise RosterError("expected the columns id, name, variant", source=path, key="row 1")
    out = {}
    for i, row in rows:
        if not row[2].isdigit():
            raise RosterError(f"variant '{row[2][:20]}' is not a number", source=path, key=f"row {i}")
        out[row[0]] = Student(row[0], row[1], {}, int(row[2]))
    return out


def students_latex(students, by_number, seed, settings=None):
    """One document: each student's question sheet (the exam's asked questions, as on
    questions.pdf), their name and id on every page."""
    from pylatex import NoEscape, Package

    from ..output.files import MARK
    from ..render.examsheet import _questions
    from ..render.latexprint import wrap_lines
    from ..render.texnames import escape, spelling
    from .lmstext import fields

    doc = None
    method = bool(settings and settings.method_questions)
    for s in students:
        v = by_number[s.variant]
        mark = rf"\def\studentmark{{{escape(s.name)} \quad (id {escape(s.id)})}}"
        heading = f"{s.name} ({s.id}), variant {v.number}"
        qs = [f.asked for f in fields(v, settings)]
        if doc is not None:
            doc.append(NoEscape(r"\clearpage" + mark))
        with spelling(v.solution):
            first = doc is None
            doc = _questions(v.solution, qs, heading, doc, method)
        if first:
            doc.packages.append(Package(NoEscape("eso-pic")))
            doc.preamble.append(NoEscape(
                r"\providecommand{\studentmark}{}"
                r"\AddToShipoutPictureFG{\AtPageUpperLeft{\raisebox{-1.2cm}{\hspace{2cm}"
                r"\small\sffamily\studentmark}}}"))
            doc.data.insert(0, NoEscape(mark))
    return wrap_lines(f"% {MARK}\n" + doc.dumps())


def join_pdfs(pieces):
    """One PDF of the PDFs {"part1.pdf": bytes, ...} in order (pdfpages, a third job)."""
    from ..output.files import MARK
    from ..output.texcompile import compile_pdf

    include = "".join(rf"\includepdf[pages=-]{{{name}}}" for name in pieces)
    tex = (f"% {MARK}\n" r"\documentclass[a4paper]{article}\usepackage{pdfpages}"
           r"\pdfinfo{/Creator (symprop) /Producer (symprop)}\begin{document}" + include
           + r"\end{document}" "\n")
    return compile_pdf(tex, files=pieces)


def write_class_exam(problem, students, n, seed, out, force=False, problem_text=None):
    """Draw `n` variants, give each student one, write the class exam folder (module
    docstring); (students with their variant, the names written)."""
    import json
    from dataclasses import replace

    from ..output.files import check_folder, write_folder
    from ..render.examsheet import exam_latex
    from .exports import answers_json, compile_all, exam_settings
    from .lmstext import fields
    from .moodle import moodle_xml
    from .variants import draw

    settings = exam_settings(problem)
    vs = draw(problem, n, seed)
    for v in vs:                     # a pattern that matches nothing fails before any file
        fields(v, settings)
    by_number = {v.number: v for v in vs}
    students = [replace(s, variant=variant_of(seed, s.id, len(vs))) for s in students]
    files = {"answers.json": json.dumps(answers_json(vs, seed, settings), indent=1,
                                        ensure_ascii=False) + "\n",
             "moodle.xml": moodle_xml(vs, problem.title, settings),
             "roster.csv": mapping_csv(students)}
    if problem_text is not None:
        files["problem.toml"] = problem_text
    select = lambda v: fields(v, settings)
    jobs = {"questions.pdf": exam_latex(vs, seed, True, select, settings.method_questions),
            "answers.pdf": exam_latex(vs, seed, False, select)}
    parts = [students[k:k + PART] for k in range(0, len(students), PART)]
    for k, part in enumerate(parts, 1):          # pdflatex is one core: parts in parallel
        jobs[f"students-part{k}.pdf"] = students_latex(part, by_number, seed, settings)
    check_folder(out, set(files) | {"questions.pdf", "answers.pdf", "students.pdf"}, force)
    pdfs = compile_all(jobs)
    pieces = {f"part{k}.pdf": pdfs.pop(f"students-part{k}.pdf") for k in range(1, len(parts) + 1)}
    pdfs["students.pdf"] = pieces["part1.pdf"] if len(pieces) == 1 else join_pdfs(pieces)
    names = write_folder(out, {**files, **pdfs}, force=force, group="exam")
    return students, names
