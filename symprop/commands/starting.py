"""`symprop new` (a commented starter problem) and `symprop examples` (the bundled ones).

The examples are package data (symprop/examples/*.toml, their hand solutions in
symprop/examples/answers/), read with importlib.resources, so an installed wheel
has them; `examples/` at the top of the repository is a link to the same folder.
"""

import tomllib
from importlib import resources

from ..errors import SympropError, did_you_mean, printable
from .helptext import epilog
from .streams import emit, said

__all__ = ["add_parsers", "run_new", "run_examples", "bundled"]


class ExampleError(SympropError, LookupError):
    """An example name that is not bundled."""


def bundled():
    """{name: (title, has_answers, problem traversable)} of the bundled examples, sorted."""
    root = resources.files("symprop") / "examples"
    answers = root / "answers"
    have = {p.name for p in answers.iterdir()} if answers.is_dir() else set()
    out = {}
    for p in sorted(root.iterdir(), key=lambda p: p.name):
        if p.name.endswith(".toml"):
            try:
                title = tomllib.loads(p.read_text(encoding="utf-8")).get("title", "")
            except tomllib.TOMLDecodeError:
                title = ""
            out[p.name[:-5]] = (str(title), p.name in have, p)
    return out


def add_parsers(sub, common, formatter):
    from ..model.functions import ACTIVATIONS
    from ..model.losses import LOSSES
    from ..model.starters import KINDS

    new = sub.add_parser("new", parents=[common], formatter_class=formatter,
                         epilog=epilog("new"),
                         help="write a commented starter problem (NAME.toml) that solves as it is",
                         description="Write a starter problem file, every key explained by a "
                                     "comment;\nit solves as written. Kinds:\n"
                                     + "\n".join(f"  {k:<13} {v}" for k, v in KINDS.items()))
    new.add_argument("name", metavar="NAME", help="the problem's name: writes NAME.toml")
    new.add_argument("--kind", default="layered", metavar="KIND",
                     help=f"{' | '.join(KINDS)} (default layered)")
    new.add_argument("--activation", metavar="NAME",
                     help=f"the hidden activation (default relu): {', '.join(ACTIVATIONS)}; "
                          "with --kind graph also exp, log, abs (not softmax)")
    new.add_argument("--loss", metavar="NAME",
                     help=f"the loss (default half_sse): {', '.join(LOSSES)}")
    new.add_argument("-o", "--output", metavar="PATH",
                     help="where to write it (default NAME.toml; - for standard output)")
    new.add_argument("--force", action="store_true",
                     help="replace an existing file that symprop did not write")
    new.add_argument("--debug", action="store_true", help="show tracebacks")
    ex = sub.add_parser("examples", parents=[common], formatter_class=formatter,
                        epilog=epilog("examples"),
                        help="list the bundled examples, or write one out",
                        description="Without NAME, list the bundled examples (the seeds' "
                                    "exercises) with their titles;\nwith NAME, write "
                                    "NAME.toml (or its hand solution, with --answers).")
    ex.add_argument("name", metavar="NAME", nargs="?", help="an example to write out")
    ex.add_argument("--answers", action="store_true",
                    help="write the example's hand solution (an answer file for symprop check)")
    ex.add_argument("-o", "--output", metavar="PATH",
                    help="where to write it (default NAME.toml or NAME-answers.toml; - for "
                         "standard output)")
    ex.add_argument("--force", action="store_true",
                    help="replace an existing file that symprop did not write")
    ex.add_argument("--debug", action="store_true", help="show tracebacks")


def run_new(args, out):
    from ..model.starters import starter, starter_path

    text = starter(args.name, args.kind, args.activation, args.loss)
    path = args.output if args.output is not None else starter_path(args.name)
    emit(path, text, out, force=args.force, quiet=args.quiet)
    if path != "-":
        said(out, f"  solve it: symprop solve {printable(path, 200)}   "
                  f"(--pdf for the answer sheet)", args.quiet)
    return 0


def run_examples(args, out):
    examples = bundled()
    if args.name is None:
        for option in ("answers", "output", "force"):
            if getattr(args, option):
                raise SympropError("needs an example NAME (symprop examples NAME)",
                                   key=f"--{option}")
        width = max(len(n) for n in examples)
        for name, (title, answers, _) in examples.items():
            mark = "  (+ answers)" if answers else ""
            out.write(f"{name:<{width}}  {title}{mark}\n")
        said(out, "write one out: symprop examples NAME [-o PATH]; its hand solution: "
                  "symprop examples NAME --answers", args.quiet)
        return 0
    name = args.name[:-5] if args.name.endswith(".toml") else args.name
    if name not in examples:
        raise ExampleError(f"no bundled example of this name{did_you_mean(name, examples)}; "
                           f"`symprop examples` lists them: {', '.join(examples)}",
                           source=args.name)
    title, has_answers, problem = examples[name]
    if args.answers:
        if not has_answers:
            raise ExampleError("has no bundled hand solution; examples with one: "
                               + ", ".join(n for n, e in examples.items() if e[1]),
                               source=name, key="--answers")
        text = (problem.parent / "answers" / problem.name).read_text(encoding="utf-8")
        default = f"{name}-answers.toml"
    else:
        text = problem.read_text(encoding="utf-8")
        default = f"{name}.toml"
    path = args.output if args.output is not None else default
    emit(path, text, out, force=args.force, quiet=args.quiet)
    return 0
