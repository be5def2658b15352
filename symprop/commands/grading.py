"""A class on the command line: `symprop exam PROBLEM --roster students.csv --out DIR`
(a variant and a question sheet per student, exam/roster.py) and `symprop grade DIR
responses.csv` (grades, feedback sheets, the class report; exam/gradebook.py)."""

import os
import sys

from ..errors import printable

__all__ = ["add_parsers", "run_class_exam", "run_grade"]


def add_parsers(sub, common, formatter, exam):
    """--roster on `exam`, and the `grade` command."""
    from .helptext import epilog

    exam.add_argument("--roster", metavar="CSV",
                      help="a class roster (columns id, name; others kept): each student gets a "
                           "variant (from the seed and their id) and a question sheet with their "
                           "name on every page (students.pdf), and roster.csv maps id -> variant")
    grade = sub.add_parser("grade", parents=[common], formatter_class=formatter,
                           epilog=epilog("grade"),
                           help="grade a class: points per answer (error carried forward), "
                                "feedback sheets, the class report")
    grade.add_argument("folder", metavar="DIR",
                       help="the class exam folder (symprop exam PROBLEM --roster CSV --out DIR)")
    grade.add_argument("responses", help="the answers: a CSV with id and a column per asked "
                                         "quantity, or Moodle's quiz Responses export")
    grade.add_argument("--out", metavar="DIR", default=None,
                       help="the folder to write into (default DIR/grading)")
    grade.add_argument("--no-pdf", action="store_true",
                       help="grades.csv only: no feedback sheets, no class report")
    grade.add_argument("--force", action="store_true",
                       help="write into a folder holding files symprop did not write")
    grade.add_argument("--debug", action="store_true", help="show tracebacks")


def run_class_exam(args, out):
    from ..exam.roster import read_roster, write_class_exam
    from ..model.loader import read_text
    from .options import refuse
    from .streams import read_problem, said

    if args.split or args.gift:
        refuse("--split" if args.split else "--gift", "does not apply with --roster "
               "(students.pdf holds every student's sheet; moodle.xml is written)")
    if args.problem == "-":
        refuse("-", "cannot be the problem with --roster (its text is kept in the folder)")
    students = read_roster(args.roster)
    problem = read_problem(args.problem)
    students, names = write_class_exam(problem, students, args.variants, args.seed, args.out,
                                       args.force, read_text(args.problem))
    used = len({s.variant for s in students})
    said(out, f"wrote an exam for {len(students)} students ({used} of {args.variants} variants, "
              f"seed {args.seed}) to {printable(args.out, 200)}: {', '.join(names)}", args.quiet)
    return 0


def run_grade(args, out):
    from ..exam.gradebook import grade_class, points_text
    from .streams import said

    def warn(text):
        if not args.quiet:
            print(f"symprop: warning: {printable(text, 300)}", file=sys.stderr)

    target = args.out or os.path.join(args.folder, "grading")
    names, grades, kind = grade_class(args.folder, args.responses, args.out, args.force,
                                      not args.no_pdf, warn)
    totals = sorted(g.total for g in grades.values())
    top = next(iter(grades.values())).max if grades else 0
    mean = sum(totals) / len(totals) if totals else 0
    said(out, f"graded {len(grades)} students ({kind} responses; mean {points_text(mean)} of "
              f"{points_text(top)}) into {printable(target, 200)}: {len(names)} files "
              "(grades.csv" + (", class-report.pdf, a feedback PDF per student)" if not args.no_pdf
                               else ")"), args.quiet)
    return 0
