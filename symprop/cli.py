"""The command line: `symprop solve|check|exam|new|examples|web …` (see `symprop --help`).

Errors that symprop raises on purpose (SympropError) become one line on stderr
and exit code 2; `--debug` shows the traceback instead. A missing TeX
installation with --pdf is exit code 3 (the .tex is written all the same). An
option that cannot apply is an error too. `-` names standard input (problem and
answer files) or standard output (`-o -`); symprop.commands holds those streams,
the `new` and `examples` commands and every --help's examples and exit codes.
"""

import argparse
import json
import os
import sys

from . import __version__, budget
from .errors import SympropError, printable

__all__ = ["main"]


class _Parser(argparse.ArgumentParser):
    """argparse, with echoed arguments escaped and cut short (a 5000-digit --seed)."""

    def error(self, message):
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {printable(message, 300)}\n")


def _parser():
    from .commands.examargs import add_exam_options
    from .commands.helptext import epilog
    from .commands.starting import add_parsers
    from .commands.web import add_parser as add_web
    from .commands.grading import add_parsers as add_class

    raw = argparse.RawDescriptionHelpFormatter
    parser = _Parser(
        prog="symprop", formatter_class=raw, epilog=epilog("symprop"),
        description="Exact, symbolic backpropagation, written out step by step.")
    parser.add_argument("--version", action="version", version=f"symprop {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    names = ", ".join(f"{f}={getattr(budget.DEFAULTS, f):g}" for f in vars(budget.DEFAULTS))
    common.add_argument("--limit", action="append", metavar="NAME=VALUE", default=[],
                        help=f"change a limit of the budget (repeatable); defaults: {names}")
    common.add_argument("-q", "--quiet", action="store_true",
                        help="no 'wrote …' lines and no progress bar (errors still show)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    solve = sub.add_parser("solve", parents=[common], formatter_class=raw, epilog=epilog("solve"),
                           help="solve a problem file: forward pass, δ recursion, gradients, update")
    solve.add_argument("problem", help="a problem file (.toml); - reads standard input")
    solve.add_argument("--format", choices=["text", "json"], default=None,
                       help="text: a worked solution (default); json: every quantity, exact and decimal")
    solve.add_argument("--verify", action="store_true",
                       help="also differentiate the fully composed loss with sympy.diff and check "
                            "that every gradient is identical")
    solve.add_argument("--digits", type=int, default=None, choices=range(6, 51), metavar="N",
                       help="with --format json: significant digits of the decimals (6 to 50; "
                            "default 15)")
    solve.add_argument("--pdf", action="store_true",
                       help="write a PDF worksheet (answer sheet) to output/NAME.pdf")
    solve.add_argument("--tex", action="store_true",
                       help="write the worksheet's LaTeX source only (output/NAME.tex)")
    solve.add_argument("--questions", action="store_true",
                       help="with --pdf/--tex: the question sheet (blanks, no answers)")
    solve.add_argument("-o", "--output", metavar="PATH",
                       help="where to write the output: the PDF or .tex (default: "
                            "output/NAME[-questions].pdf), or the text/JSON (default: the "
                            "terminal); - is standard output (a PDF only through a pipe)")
    solve.add_argument("--force", action="store_true",
                       help="replace an existing output file that symprop did not write")
    solve.add_argument("--debug", action="store_true", help="show tracebacks")
    check = sub.add_parser("check", parents=[common], formatter_class=raw, epilog=epilog("check"),
                           help="mark hand-computed answers against the exact solution")
    check.add_argument("problem", help="a problem file (.toml); - reads standard input")
    check.add_argument("answers", help="an answer file (.toml) with an [answers] table; "
                                       "- reads standard input")
    check.add_argument("--format", choices=["text", "json"], default="text")
    check.add_argument("--pdf", action="store_true",
                       help="also write a feedback sheet (output/NAME-feedback.pdf)")
    check.add_argument("-o", "--output", metavar="PATH",
                       help="with --pdf: where to write the feedback PDF (- for standard output)")
    check.add_argument("--force", action="store_true",
                       help="with --pdf: replace an existing file that symprop did not write")
    check.add_argument("--debug", action="store_true", help="show tracebacks")
    exam = sub.add_parser("exam", parents=[common], formatter_class=raw, epilog=epilog("exam"),
                          help="write exam variants: question and answer sheets, answers.json, "
                               "Moodle XML")
    exam.add_argument("problem", help="a problem file (.toml) with a [randomize] table; "
                                      "- reads standard input")
    exam.add_argument("--variants", type=int, default=10, metavar="N", help="how many (default 10)")
    exam.add_argument("--seed", type=int, default=0, help="the random seed (default 0)")
    exam.add_argument("--out", default=os.path.join("output", "exam"), metavar="DIR",
                      help="the folder to write into (default output/exam)")
    exam.add_argument("--split", action="store_true", help="one PDF per variant")
    exam.add_argument("--gift", action="store_true", help="also write questions.gift")
    add_exam_options(exam)
    exam.add_argument("--force", action="store_true",
                      help="write into a folder holding files symprop did not write")
    exam.add_argument("--debug", action="store_true", help="show tracebacks")
    add_parsers(sub, common, raw)
    add_web(sub, common, raw)
    add_class(sub, common, raw, exam)
    return parser


def _exam(args, out):
    from .commands.streams import read_problem, said
    from .exam.exports import write_exam

    def progress(stage, k, n):
        label = "variants" if stage == "variants" else "PDFs    "
        bar = "#" * (30 * k // n)
        print(f"\r  {label} [{bar:<30}] {k}/{n}", end="" if k < n else "\n", file=sys.stderr)

    show = progress if sys.stderr.isatty() and not args.quiet else None
    vs, names = write_exam(read_problem(args.problem), args.variants, args.seed, args.out,
                           args.split, args.gift, args.force, show, ask=args.ask, qti=args.qti,
                           prairielearn=args.prairielearn, per_variant=args.category_per_variant)
    said(out, f"wrote {len(vs)} variants (seed {args.seed}) to {printable(args.out, 200)}: "
              f"{', '.join(names[:6])}" + (" …" if len(names) > 6 else ""), args.quiet)
    return 0


def _check(args, out):
    from .checker.check import check
    from .commands.streams import read_answers, read_problem, source
    from .core.engine import solve

    solution = solve(read_problem(args.problem))
    answers = read_answers(args.answers)
    try:
        report = check(solution, answers)
    except SympropError as exc:
        raise exc.at(source=source(args.answers)) from None
    text_out = sys.stderr if args.pdf and args.output == "-" else out   # the PDF has stdout
    if args.format == "json":
        text_out.write(json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n")
    else:
        text_out.write(str(report))
    if args.pdf:
        code = _feedback_pdf(report, args, out)
        if code:
            return code
    return 0 if report.ok else 1


def _feedback_pdf(report, args, out):
    from .commands.streams import stem
    from .render.feedback import feedback_latex

    path = args.output if args.output is not None else \
        os.path.join("output", f"{stem(args.answers)}-feedback.pdf")
    return _write_pdf(feedback_latex(report), path, args, out if path == "-" else sys.stderr)


def _write_pdf(tex, path, args, out):
    """Compile and write a PDF; without TeX, write the .tex (not for -o -), say so, return 3."""
    from .commands.streams import emit
    from .errors import TexNotFoundError
    from .output.texcompile import compile_pdf

    try:
        pdf = compile_pdf(tex)
    except TexNotFoundError as exc:
        if path == "-":
            print(f"symprop: error: {exc}; nothing written (--tex -o - writes the LaTeX)",
                  file=sys.stderr)
            return 3
        tex_path = os.path.splitext(path)[0] + ".tex"
        emit(tex_path, tex, sys.stderr, force=args.force, quiet=True)
        print(f"symprop: error: {exc}; wrote {printable(tex_path, 200)} instead", file=sys.stderr)
        return 3
    emit(path, pdf, out, force=args.force, quiet=args.quiet)
    return 0


def _solve(args, out):
    from .commands.streams import emit, read_problem
    from .core.engine import solve

    problem = read_problem(args.problem)
    if args.pdf or args.tex:                 # a sheet too large for one PDF: refused before solving
        from .core.tape import build_tape
        from .render.sheet import check_problem

        tape = build_tape(problem)
        check_problem(problem, tape)
        return _worksheet(solve(problem, tape=tape), args, out)
    solution = solve(problem)
    if args.format == "json":
        data = solution.to_json(args.digits or 15)
        if args.verify:
            data["verify"] = _verify_json(solution)
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    else:
        text = str(solution) + (_verify_text(solution) if args.verify else "")
    if args.output is not None:            # -o with text or JSON: the file, atomically
        emit(args.output, text, out, force=args.force, quiet=args.quiet)
    else:
        out.write(text)
    if args.verify and not all(c.ok for c in _checks(solution)):
        return 1
    return 0


def _default_path(args, ext):
    from .commands.streams import stem

    suffix = "-questions" if args.questions else ""
    return os.path.join("output", f"{stem(args.problem)}{suffix}.{ext}")


def _worksheet(solution, args, out):
    """--pdf / --tex: write the worksheet; without TeX, write the .tex and say so."""
    from .commands.streams import emit
    from .render.sheet import to_latex

    tex = to_latex(solution, questions=args.questions)
    if args.tex:
        path = args.output if args.output is not None else _default_path(args, "tex")
        emit(path, tex, out, force=args.force, quiet=args.quiet)
        return 0
    path = args.output if args.output is not None else _default_path(args, "pdf")
    return _write_pdf(tex, path, args, out)


_cache = {}


def _checks(solution):
    from .core.verify import verify

    if id(solution) not in _cache:
        _cache[id(solution)] = verify(solution)
    return _cache[id(solution)]


def _verify_text(solution):
    checks = _checks(solution)
    bad = [c for c in checks if not c.ok]
    lines = ["", "Verification: sympy.diff of the fully composed loss, for every gradient"]
    for c in checks:
        how = "identical" if c.exact else "equal to 60 digits"
        lines.append(f"  {c.name}: {'OK, ' + how if c.ok else 'MISMATCH'}")
    lines.append(f"{len(checks) - len(bad)} of {len(checks)} gradients agree.")
    return "\n".join(lines) + "\n"


def _verify_json(solution):
    return {"ok": all(c.ok for c in _checks(solution)),
            "checked": [{"name": c.name, "ok": c.ok, "identical": c.exact} for c in _checks(solution)]}


def _hard_limits(limits, source):
    """The command line's backstops: an address-space limit (memory) and SIGALRM a few
    seconds after the cooperative time limit, for one SymPy call that runs long."""
    import resource
    import signal

    def alarm(signum, frame):
        raise budget.fail("time", "the computation ran out of time", source=source)

    signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, limits.time + 5)
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    want = limits.memory << 20
    if hard == resource.RLIM_INFINITY or want <= hard:
        resource.setrlimit(resource.RLIMIT_AS, (want, hard))


def main(argv=None, out=None, hard_limits=None):
    """Entry point; returns the exit code. `hard_limits`: also enforce the time and
    memory limits by signal and rlimit; by default when run as the `symprop` command
    (argv None), not when called in-process with arguments (tests)."""
    out = out or sys.stdout
    if hard_limits is None:
        hard_limits = argv is None
    args = _parser().parse_args(argv)
    try:
        changes = dict(budget.parse_assignment(a) for a in args.limit)
    except ValueError as exc:
        print(f"symprop: error: {printable(exc, 300)}", file=sys.stderr)
        return 2
    try:
        from .commands.options import misused

        misused(args)
    except SympropError as exc:
        print(f"symprop: error: {exc}", file=sys.stderr)
        return 2
    try:
        with budget.limits(**changes) as limits:
            if hard_limits and args.command != "web":     # web: npm, pip, a server
                _hard_limits(limits, getattr(args, "problem", None))
            if args.command == "solve":
                return _solve(args, out)
            if args.command == "check":
                return _check(args, out)
            if args.command == "grade" or getattr(args, "roster", None):
                from .commands import grading

                return (grading.run_grade if args.command == "grade" else grading.run_class_exam)(args, out)
            if args.command == "exam":
                return _exam(args, out)
            if args.command == "new":
                from .commands.starting import run_new

                return run_new(args, out)
            if args.command == "examples":
                from .commands.starting import run_examples

                return run_examples(args, out)
            if args.command == "web":
                from .commands.web import run_web

                return run_web(args, out)
    except SympropError as exc:
        if getattr(args, "debug", False):
            raise
        print(f"symprop: error: {exc}", file=sys.stderr)
        return 2
    except RecursionError:
        if getattr(args, "debug", False):
            raise
        print(f"symprop: error: {printable(getattr(args, 'problem', 'symprop'), 200)}: the exact expressions nest too "
              "deeply for Python's recursion limit; use a smaller network", file=sys.stderr)
        return 2
    except MemoryError:
        if getattr(args, "debug", False):
            raise
        memory = changes.get("memory", budget.DEFAULTS.memory)
        print(f"symprop: error: {printable(getattr(args, 'problem', 'symprop'), 200)}: out of memory, beyond the memory "
              f"limit: {memory} MiB; raise it with --limit memory=N", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("symprop: interrupted", file=sys.stderr)
        return 130
    finally:
        if hard_limits and args.command != "web":
            import signal

            signal.setitimer(signal.ITIMER_REAL, 0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
