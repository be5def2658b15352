"""Options that cannot apply are errors (exit 2, one line), never silently ignored:
`--questions` without a sheet, `--digits` without JSON, `--format`/`--verify` with a
sheet, `-o`/`--force` of check without --pdf, `-` for both files of check, and a PDF
to `-o -` when standard output is a terminal (before anything is computed)."""

import sys

from ..errors import SympropError
from .streams import refuse_terminal


def refuse(option, why):
    raise SympropError(f"{option} {why}")


def misused(args):
    """An option that cannot apply is an error (exit 2), never silently ignored."""
    if args.command == "solve":
        sheet = args.pdf or args.tex
        if args.pdf and args.tex:
            refuse("--tex", "and --pdf: choose one (--pdf writes the PDF, --tex its LaTeX only)")
        if args.questions and not sheet:
            refuse("--questions", "applies only with --pdf or --tex (the question sheet)")
        if sheet:
            for option, given in (("--format", args.format), ("--digits", args.digits),
                                  ("--verify", args.verify)):
                if given:
                    refuse(option, f"does not apply with --{'pdf' if args.pdf else 'tex'} "
                                    "(the sheet is the output)")
        elif args.digits is not None and args.format != "json":
            refuse("--digits", "applies only with --format json (the text shows 6 digits)")
        if args.force and args.output in (None, "-") and not sheet:
            refuse("--force", "applies only when a file is written (-o PATH, --pdf or --tex)")
    elif args.command == "check":
        for option, given in (("-o", args.output is not None), ("--force", args.force)):
            if given and not args.pdf:
                refuse(option, "applies only with --pdf (the feedback sheet)")
        if args.problem == "-" and args.answers == "-":
            refuse("-", "can stand for one of the two files only (standard input is read once)")
    if getattr(args, "output", None) == "-" and getattr(args, "pdf", False):
        refuse_terminal("-", sys.stdout)
