"""The checker's result: one Result per answer, and the Report that holds them
(a summary, JSON, and the table `symprop check` prints)."""

from dataclasses import dataclass
from typing import Optional

import sympy as sp

from ..core.solution import value_json
from .answers import Given

__all__ = ["Report", "Result"]


@dataclass(frozen=True)
class Result:
    number: int
    name: str
    given: Given
    correct: sp.Expr
    verdict: str                   # exact | rounded | carried_forward | wrong
    diagnosis: Optional[str] = None
    mistake: Optional[str] = None  # the key in MISTAKES that explains a wrong answer
    why: Optional[object] = None   # a wrong answer's Reason (reasons.py): its parts, for the sheet
    correct_text: Optional[str] = None   # the correct value to at least the person's digits

    @property
    def reason(self):
        """Why a wrong answer is wrong, in words (None for the others)."""
        return str(self.why) if self.why is not None else None

    def __repr__(self):
        return f"<Result ({self.number}) {self.name}: {self.given.text} {self.verdict}>"


@dataclass(frozen=True)
class Report:
    solution: object
    results: tuple

    def summary(self):
        counts = {v: 0 for v in ("exact", "rounded", "carried_forward", "wrong")}
        for r in self.results:
            counts[r.verdict] += 1
        return {**counts, "total": len(self.results)}

    @property
    def ok(self):
        return all(r.verdict != "wrong" for r in self.results)

    def __repr__(self):
        s = self.summary()
        return (f"<Report of {s['total']} answers: {s['exact']} exact, {s['rounded']} rounded, "
                f"{s['carried_forward']} carried forward, {s['wrong']} wrong>")

    def _repr_markdown_(self):
        """Jupyter: the verdict table, the diagnoses and the summary."""
        from ..render.jupyter import report_markdown

        return report_markdown(self)

    def to_json(self):
        return {
            "results": [{"name": r.name, "given": r.given.text, "correct": value_json(r.correct),
                         "correct_decimal": r.correct_text, "verdict": r.verdict,
                         "diagnosis": r.diagnosis, "mistake": r.mistake, "reason": r.reason}
                        for r in self.results],
            "summary": self.summary(),
        }

    def __str__(self):
        rows = [("No.", "quantity", "yours", "correct", "verdict")]
        for r in self.results:
            rows.append((str(r.number), r.name, r.given.text, r.correct_text or str(r.correct),
                         r.verdict.replace("_", " ")))
        widths = [max(len(row[i]) for row in rows) for i in range(5)]
        lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows]
        lines.insert(1, "  ".join("-" * w for w in widths))
        for r in self.results:
            if r.reason:
                lines.append(f"({r.number}) {r.name}: {r.reason}")
        s = self.summary()
        lines.append(f"{s['exact']} exact, {s['rounded']} rounded, {s['carried_forward']} carried "
                     f"forward, {s['wrong']} wrong (of {s['total']})")
        return "\n".join(lines) + "\n"
