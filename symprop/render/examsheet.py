"""The exam's PDF sheets: every variant's question (or answer) sheet in one document,
each variant on a new page with its own page numbers.

An exam PDF costs about 55 ms per variant and run (pages and diagram; two runs):
300 variants of two_layer_relu took 27-34 s, 500 (issue 7's load test) about a
minute; so one PDF holds at most MAX_EXAM_VARIANTS variants (more: --split).
"""

from ..errors import RenderError
from ..output.files import MARK
from .document import check_size
from .latexprint import wrap_lines
from .sheet import build, items

__all__ = ["exam_latex", "MAX_EXAM_VARIANTS"]

MAX_EXAM_VARIANTS = 500     # variants in one exam PDF (more: --split, one PDF per variant)


def exam_latex(variants, seed, questions):
    """All variants' sheets in one document, each starting on a new page."""
    counts = [len(items(v.solution)) for v in variants]
    check_size(max(counts, default=0), "variant's sheet", "use a smaller network for an exam")
    split = "use --split (one PDF per variant) or fewer variants"
    if len(variants) > MAX_EXAM_VARIANTS:
        raise RenderError(f"an exam PDF of {len(variants):,} variants is beyond the "
                          f"{MAX_EXAM_VARIANTS:,}-variant limit of one PDF; {split}")
    check_size(sum(counts), f"{len(variants)}-variant exam PDF", split)
    doc = None
    for v in variants:
        heading = f"Variant {v.number} (seed {seed})"
        if doc is None:
            doc = build(v.solution, questions, heading=heading)
        else:
            build(v.solution, questions, doc=doc, heading=heading)
    return wrap_lines(f"% {MARK}\n" + doc.dumps())
