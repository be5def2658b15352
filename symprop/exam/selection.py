"""What an exam asks: the [exam] table's patterns resolved against a solution.

    asked(solution, settings) -> [Asked]      in question order

The same list drives the question and answer PDFs, answers.json's key and every
export. Patterns are matched against the flat names (Solution.items); the checker's
spellings are accepted too (`dL/dz1[1]` for `delta1[1]`, `step1.` dropped). A
pattern that matches nothing is refused with the file and the key (`exam.ask[2]`).
Without `ask`, a handful of key quantities is asked (`default_names`).
"""

from dataclasses import dataclass, replace

from ..errors import ProblemFileError
from ..model.examsettings import ExamSettings, pattern_regex

__all__ = ["asked", "Asked", "default_names", "with_ask"]


@dataclass(frozen=True)
class Asked:
    """One question: the flat name, its Quantity, points, Tolerance; and where it is in
    the solution (`number`, the worksheet's numbering) and its exact value."""

    name: str
    quantity: object
    points: object
    tolerance: object
    number: int = 0
    value: object = None


def with_ask(settings, patterns, key="--ask"):
    """The settings with `patterns` (from the command line) as the ask list; a pattern
    that is malformed or matches nothing is refused naming `key`."""
    settings = settings or ExamSettings()
    for p in patterns:
        try:
            pattern_regex(p)
        except ValueError as exc:
            raise ProblemFileError(str(exc), key=key) from None
    return replace(settings, ask=tuple(patterns), ask_key=key)


def _alias(pattern):
    """The checker's spellings of a name: dL/dz1[1] is delta1[1]; step1. is dropped."""
    import re

    m = re.match(r"^(.*)dL/dz(\d+)\[(.+)\]$", pattern)
    if m:
        pattern = f"{m[1]}delta{m[2]}[{m[3]}]"
    return pattern[len("step1."):] if pattern.startswith("step1.") else pattern


def _matches(pattern, names):
    rx = pattern_regex(_alias(pattern))
    return [n for n in names if rx.fullmatch(n)]


def default_names(solution):
    """The default exam: the output, the loss, one δ per layer, two gradients, one update
    and the loss after the update (those the problem has), in solution order."""
    listing = [(name, solution.quantity(name)) for _, _, name, _ in solution.items()]
    first_step = [(n, q) for n, q in listing if q.step in (None, 1) and not n.startswith("step")]
    chosen = []

    def take(pred, limit=1):
        found = [n for n, q in first_step if pred(n, q) and n not in chosen][:limit]
        chosen.extend(found)
        return found

    problem = solution.problem
    if problem.is_layered:
        last = len(problem.network.layers)
        take(lambda n, q: q.kind == "act" and q.layer == last and not q.final, 4)
        take(lambda n, q: q.kind == "loss" and not q.final and q.sample is None)
        for layer in range(last, 0, -1):
            take(lambda n, q: q.kind == "adjoint" and q.of is not None and q.of.kind == "pre"
                 and q.of.layer == layer)
        take(lambda n, q: q.kind == "gradient" and q.of.kind == "weight" and q.of.layer == last)
        take(lambda n, q: q.kind == "gradient" and q.of.kind == "weight" and q.of.layer == 1)
    else:
        out = problem.network.output
        take(lambda n, q: n == out or n.endswith("." + out) and not q.final)
        take(lambda n, q: q.kind == "loss" and not q.final and q.sample is None)
        take(lambda n, q: q.kind == "adjoint" and not q.final, 2)
    take(lambda n, q: q.kind == "gradient", 2 - sum(solution.quantity(n).kind == "gradient"
                                                     for n in chosen))
    take(lambda n, q: q.kind == "updated")
    chosen += [n for n, q in listing if q.kind == "loss" and q.final and q.sample is None][:1]
    if not chosen:
        chosen = [n for n, _ in listing[:5]]
    order = {n: i for i, (n, _) in enumerate(listing)}
    return sorted(chosen, key=order.get)


def _fail(settings, key, message):
    if settings.ask_key != "exam.ask" and key.startswith("exam.ask"):
        return ProblemFileError(message, key=settings.ask_key)      # a command-line flag
    return ProblemFileError(message, source=settings.source, key=key)


def asked(solution, settings=None):
    """The exam's questions (a list of Asked) for one solution, in question order."""
    settings = settings if settings is not None else (solution.problem.exam or ExamSettings())
    items = {name: (number, value) for number, _, name, value in solution.items()}
    names = list(items)
    if settings.ask is None:
        chosen = default_names(solution)
    else:
        chosen = []
        for i, pattern in enumerate(settings.ask, 1):
            found = _matches(pattern, names)
            if not found:
                raise _fail(settings, f"exam.ask[{i}]", f"'{pattern}' matches no quantity; names "
                            f"look like {', '.join(names[:6])} (symprop solve FILE --format json "
                            "lists them all)")
            chosen += [n for n in found if n not in chosen]
        if settings.order == "pipeline":
            chosen.sort(key=lambda n: items[n][0])
    points = _assign(settings, chosen, settings.points_for, settings.points, "exam.points")
    tolerances = _assign(settings, chosen, settings.tolerance_for, settings.tolerance,
                         "exam.tolerance")
    return [Asked(n, solution.quantity(n), points[n], tolerances[n], items[n][0], items[n][1])
            for n in chosen]


def _assign(settings, chosen, table, default, key):
    """{name: value}: the first pattern of `table` that matches, else `default`; a pattern
    that matches no asked quantity is refused."""
    out = {}
    for pattern, value in table:
        found = _matches(pattern, chosen)
        if not found:
            raise _fail(settings, f"{key}.{pattern}", f"'{pattern}' matches no asked quantity "
                        f"(asked: {', '.join(chosen[:6])}{', …' if len(chosen) > 6 else ''})")
        for n in found:
            out.setdefault(n, value)
    return {n: out.get(n, default) for n in chosen}
