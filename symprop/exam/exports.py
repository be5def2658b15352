"""`symprop exam`: many variants of one exercise, with sheets, keys and LMS exports.

Writes into --out: questions.pdf and answers.pdf (one document each, a variant
per page run; --split: one PDF per variant instead), answers.json (each
variant's problem file, every answer under its flat name, and the exam's key: the
asked questions with points, tolerance and the mistake alternatives), moodle.xml (a
cloze question per variant, moodle.py), with --gift questions.gift (gift.py), with
--qti canvas-qti.zip (qti.py), with --prairielearn prairielearn.zip (prairielearn.py),
and README.txt (which file goes where, readme.py). What is asked is the [exam]
table's selection (selection.py), the same for every file. The PDFs are built in
memory (pdflatex jobs that a Ctrl-C kills at once); then output.folder.write_folder
installs every file, all or nothing, and removes the files of an earlier exam in
the same folder. The answer sheet's LaTeX is built first and its pdflatex (the longest
job) starts at once; the question sheet and then the LMS files are built while it runs,
and the mistake alternatives are computed in a second process (prefetch.py).

Every file must stay valid for its reader whatever the title holds: user text
reaches the exports through lmstext.py's `text`, `line` and `html_text`.
"""

import json
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed

from ..core.solution import value_json
from ..model.examsettings import ExamSettings, Tolerance
from ..output.files import MARK, check_folder, write_folder
from .gift import gift
from .lmstext import bound_text, category_name, fields
from .moodle import moodle_xml
from .selection import with_ask
from .prefetch import Prefetch
from .variants import draw, problem_toml

__all__ = ["write_exam", "answers_json", "moodle_xml", "gift", "tolerance", "category_name",
           "exam_settings"]


def tolerance(value):
    """Half a unit in the 4th significant digit of an exact value, in fixed-point notation
    ("0.00005" for 0.4, "0.000000000005" for 1.13e-8, "5000" for 12345678); "0.00005"
    for 0 (the tolerance of `[exam] tolerance = {digits = 4}`)."""
    return bound_text(Tolerance(digits=4).bound(value))


def _rational(r):
    return str(r.p) if r.q == 1 else f"{r.p}/{r.q}"


def _key(v, settings):
    """The asked questions of a variant: answers.json's key."""
    out = []
    for f in fields(v, settings):
        q = f.asked
        out.append({"number": f.number, "name": q.name, "points": _rational(q.points),
                    "tolerance": q.tolerance.describe(), "within": f.tolerance,
                    "answer": value_json(q.value),
                    "mistakes": [{"decimal": a.decimal, "mistakes": list(a.mistakes),
                                  "feedback": a.feedback} for a in f.alternatives]})
    return out


def answers_json(vs, seed, settings=None):
    """Every variant's problem file, every answer, and the key of what the exam asks."""
    s = settings or (vs[0].problem.exam if vs else None) or ExamSettings()
    credit = {k: _rational(getattr(s.credit, k)) for k in ("exact", "rounded", "carried",
                                                           "diagnosed", "wrong", "unreadable")}
    return {"generator": MARK, "seed": seed,
            "exam": {"order": s.order, "credit": credit, "mistake_credit": _rational(s.mistake_credit)},
            "variants": [
                {"variant": v.number, "problem": problem_toml(v.problem),
                 "answers": {n: value_json(x) for n, x in v.solution.answers().items()},
                 "key": _key(v, settings)} for v in vs]}


def exam_settings(problem, ask=None):
    """The problem's [exam] settings, with --ask patterns (if any) as its ask list."""
    settings = problem.exam or ExamSettings(source=problem.source)
    return with_ask(settings, ask) if ask else settings


def write_exam(problem, n, seed, out, split=False, with_gift=False, force=False, progress=None,
               *, ask=None, qti=False, prairielearn=False, per_variant=False):
    """Draw `n` variants and write every exam file into `out` (see module docstring).
    `ask`: patterns that replace the [exam] table's ask list (--ask). `progress(stage, k,
    total)`, if given, is called as the work goes on: stage "variants" as each variant
    is drawn, then "pdf" as each PDF is built."""
    from ..render.examsheet import exam_latex
    from .readme import readme

    settings = exam_settings(problem, ask)
    vs = draw(problem, n, seed, progress and (lambda k, total: progress("variants", k, total)))
    for v in vs:                     # a pattern that matches nothing fails before any file
        fields(v, settings, mistakes=False)
    category = problem.title
    files = dict.fromkeys(["answers.json", "moodle.xml"] + ["questions.gift"] * with_gift
                          + ["canvas-qti.zip"] * qti + ["prairielearn.zip"] * prairielearn)

    def lms_files():                 # while pdflatex builds the PDFs
        files["answers.json"] = json.dumps(answers_json(vs, seed, settings), indent=1,
                                           ensure_ascii=False) + "\n"
        files["moodle.xml"] = moodle_xml(vs, category, settings, per_variant)
        if with_gift:
            files["questions.gift"] = f"// {MARK}\n" + gift(vs, category, settings)
        if qti:
            from .qti import qti_zip

            files["canvas-qti.zip"] = qti_zip(vs, category, settings)
        if prairielearn:
            from .prairielearn import prairielearn_zip

            files["prairielearn.zip"] = prairielearn_zip(vs, category, settings, seed)

    helper = Prefetch(vs, settings)
    select = lambda v: fields(v, settings, computed=helper.alternatives(v))
    builders = {}                    # each group's answer sheet first: the longer pdflatex job
    groups = [[v] for v in vs] if split else [vs]
    for group in groups:
        tag = f"-{group[0].number:03d}" if split else ""
        builders[f"answers{tag}.pdf"] = lambda g=group: exam_latex(g, seed, False, select)
        builders[f"questions{tag}.pdf"] = lambda g=group: exam_latex(g, seed, True, select,
                                                                     settings.method_questions)
    files["README.txt"] = readme(problem, vs, seed, sorted(set(files) | set(builders)), settings)
    check_folder(out, set(files) | set(builders), force)      # refuse before the long build
    jobs = _Sources(builders, then=lms_files)
    try:
        pdfs = compile_all(jobs, progress=lambda k, total: progress("pdf", k, total)) \
            if progress else compile_all(jobs)
    finally:
        helper.close()
    jobs.finish()                    # (a compile_all that did not read every source)
    names = write_folder(out, {**files, **pdfs}, force=force, group="exam")
    return vs, names


class _Sources(Mapping):
    """{PDF name: its LaTeX}, each document built when it is first read, in order: compile_all
    starts a pdflatex as soon as its source is built, while the next one is built."""

    def __init__(self, builders, then=None):
        self._build, self._done, self._then = builders, {}, then

    def __getitem__(self, name):
        if name not in self._done:
            self._done[name] = self._build[name]()
            if len(self._done) == len(self._build):
                self.finish()
        return self._done[name]

    def finish(self):
        """Call `then` once, after the last source is built (pdflatex runs on it)."""
        then, self._then = self._then, None
        if then is not None:
            then()

    def __iter__(self):
        return iter(self._build)

    def __len__(self):
        return len(self._build)


def compile_all(jobs, workers=2, progress=None):
    """{name: PDF bytes} for {name: LaTeX}, two pdflatex at a time; `progress(k, total)`
    after each build (and once with k = 0 before the first). On any exception
    (Ctrl-C, a failed build) every running pdflatex is killed, the builds not started
    are dropped and nothing is waited for, then the exception goes on."""
    from ..output.texcompile import Jobs, compile_pdf

    group = Jobs()
    pool = ThreadPoolExecutor(max_workers=workers)
    try:
        futures = {name: pool.submit(compile_pdf, tex, jobs=group) for name, tex in jobs.items()}
        if progress:
            progress(0, len(futures))
        for done, future in enumerate(as_completed(futures.values()), 1):   # the first failure
            future.result()                                                # stops all
            if progress:
                progress(done, len(futures))
        pdfs = {name: future.result() for name, future in futures.items()}
    except BaseException:
        group.cancel()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return pdfs
