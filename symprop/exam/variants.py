"""Exam variants: the same exercise with other numbers, drawn fairly and reproducibly.

A problem's [randomize] table says what varies (`[randomize.values]`, read by
randomize.py: a whole matrix or vector, one element, or a graph parameter or
input, each with `choices` or a `range` and `step`) and what every variant must
satisfy (`[randomize.constraints]`, constraints.py). Candidates are drawn from
one random.Random(seed), built with Problem.with_values (the same network with
the drawn leaf values) and solved on the exam's one tape (core.tape.with_values
reuses its equations and derivatives), and rejected until they pass; the same
file, seed and count give the same variants on any machine.
"""

import random

from .. import budget
from ..core.arith import is_symbolic
from ..core.engine import solve
from ..model.numeric import decimal
from ..core.tape import build_tape
from ..errors import SympropError
from .constraints import failures, read_constraints, relu_arguments
from .problemfile import problem_toml
from .randomize import drawn_values, fail

__all__ = ["variants", "draw", "Variant", "problem_toml"]


class Variant:
    """One variant: its number, its problem (with values drawn) and its solution."""

    def __init__(self, number, problem, solution):
        self.number, self.problem, self.solution = number, problem, solution


def _identity(solution):
    """What makes two variants the same: their exact rationals and the certified 30-digit
    decimals of their closed forms (str() of a closed form makes SymPy order every term)."""
    return tuple((name, v if v.is_Rational else decimal(v, 30))
                 for name, v in solution.answers().items())


_PROBE = 200      # candidates after which "none passed" is clear evidence


class _Tally:
    """How many candidates each constraint rejected (tested alone), and the verdict
    when the variants cannot be had: stop as soon as the evidence is clear."""

    def __init__(self, problem, n):
        self.problem, self.n = problem, n
        self.tries, self.found = 0, 0
        self.counts = {}
        self.limit = budget.current().candidates * n

    def reject(self, names):
        for name in names:
            self.counts[name] = self.counts.get(name, 0) + 1

    def check(self):
        """Raise when the remaining variants cannot be found within the budget."""
        t, k = self.tries, self.found
        hopeless = t >= _PROBE and (k == 0 or t * self.n / k > self.limit)
        if t < self.limit and not hopeless:
            return
        worst = max(self.counts, key=self.counts.get) if self.counts else "distinct"
        share = self.counts.get(worst, 0)
        why = (f"constraint '{worst}' rejected most ({share} of {t} candidates, tested alone)"
               if worst not in ("distinct", "computable") else
               {"distinct": f"only {k} distinct variants turned up",
                "computable": f"{share} of {t} candidates could not be computed"}[worst])
        if k and t < self.limit:
            rate = f"; at {k} in {t} candidates, {self.n} variants would need about " \
                   f"{t * self.n // k:,} candidates, beyond {budget.hint('candidates')}"
        else:
            rate = f" ({budget.hint('candidates')})" if t >= self.limit else ""
        raise SympropError(f"found only {k} of {self.n} variants in {t} candidates; {why}: "
                           f"loosen it or widen the values{rate}",
                           source=self.problem.source, key="randomize")


def variants(problem, n, seed):
    """`n` variants of `problem`, as Problems, drawn with random.Random(seed)."""
    return [v.problem for v in draw(problem, n, seed)]


def draw(problem, n, seed, progress=None):
    """`n` variants of `problem` with their solutions (a list of Variant)."""
    if n < 1 or n > 5000:
        raise fail(problem, None, "the number of variants must be between 1 and 5000")
    with budget.session():
        targets = drawn_values(problem)
        rules = read_constraints(problem)
        if is_symbolic(problem):
            raise fail(problem, "randomize", "exam variants need numbers: this problem has a "
                                             "symbolic value (a symbol name as a weight, input "
                                             "or learning rate)")
        rng = random.Random(seed)
        tape = build_tape(problem)
        arguments = relu_arguments(tape, problem.conventions)
        combinations = 1
        for slots, pool in targets:
            combinations *= len(set(pool)) ** len(slots)
        if combinations < n:
            raise fail(problem, "randomize.values",
                       f"these values allow only {combinations} different variant(s); ask for at "
                       f"most {combinations} or widen the values")
        out, seen, tally = [], set(), _Tally(problem, n)
        while len(out) < n:
            tally.check()
            budget.tick(problem.source)
            tally.tries += 1
            values = {}
            for slots, pool in targets:
                for slot in slots:
                    values[slot] = rng.choice(pool)
            candidate = problem.with_values(values)
            try:
                solution = solve(candidate, tape=tape)
            except budget.LimitError as exc:
                if exc.limit == "time":
                    raise
                tally.reject(["computable"])
                continue
            except SympropError:
                tally.reject(["computable"])
                continue
            broken = failures(solution, rules, arguments)
            key = _identity(solution)
            if not broken and key in seen:
                broken = ["distinct"]
            if broken:
                tally.reject(broken)
                continue
            seen.add(key)
            out.append(Variant(len(out) + 1, candidate, solution))
            tally.found += 1
            if progress:
                progress(len(out), n)
        return out
