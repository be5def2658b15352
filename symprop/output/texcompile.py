"""Running pdflatex on a generated document, safely. The one place TeX is run.

Each document gets its own private temporary directory (parallel builds in a
shared folder swap PDFs), pdflatex runs non-interactively with shell escape
off and `openin_any`/`openout_any` set to `p` (no reading /etc/passwd, no
writing beside the user's files), halts on the first error, and is killed
with its process group at the time limit. No latexmk, so no latexmkrc runs.
A non-zero exit is a failure even when a PDF appeared.

Every running pdflatex is registered (its process group) while it runs, so a
caller can stop builds at once: a Jobs object groups the builds of one caller
(Jobs.cancel() kills its running pdflatex and refuses to start more), and
kill_all() kills every build of the process. Starting and registering happen
under one lock, so a build cannot slip in after a cancel.

A document with a longtable needs a second run: the first only finds the column
widths (written to the .aux) that the second sets every page with. That first run is
a draft (DRAFT): no PDF written (-draftmode) and every tikzpicture skipped (environ
gobbles its body), since a picture outside a table moves pages but no column; on the
exam's answer sheet it takes 4 s where a full run takes 14-19 s (120 diagrams). Of its
.aux only longtable's widths are kept: the rest (labels, the sheets' "set tighter"
decisions, sheet.py) depends on where pages break, which only a full run knows. The
full runs after it still rerun while the log says "Rerun", so a draft that got a width
wrong (a picture in a table) costs a run, never a wrong page; a draft that fails is
dropped (the full run then reports the document's error).
"""

import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading

from ..errors import RenderError, TexNotFoundError

__all__ = ["compile_pdf", "have_pdflatex", "kill_all", "Jobs", "Cancelled", "TEX_PACKAGES",
           "TIMEOUT"]

TEX_PACKAGES = ("texlive-latex-base texlive-latex-recommended texlive-latex-extra "
                "texlive-pictures lmodern texlive-lang-cyrillic texlive-lang-greek cm-super")
TIMEOUT = 120
DRAFT = (r"\RequirePackage{environ}\AtBeginDocument{\RenewEnviron{tikzpicture}{}}"
         r"\input{doc.tex}")
EPOCH = "1700000000"      # SOURCE_DATE_EPOCH: the same PDF bytes on every build


_lock = threading.Lock()
_live = set()                 # Popen objects of every running pdflatex in this process


class Cancelled(RenderError):
    """A build was stopped by Jobs.cancel() or kill_all()."""


class Jobs:
    """The builds of one caller: cancel() kills the running ones and refuses new ones."""

    def __init__(self):
        self.cancelled = False
        self.procs = set()

    def cancel(self):
        with _lock:
            self.cancelled = True
            procs = list(self.procs)
        for proc in procs:
            _signal_group(proc)


def kill_all():
    """Kill every pdflatex this process is running (their process groups)."""
    with _lock:
        procs = list(_live)
    for proc in procs:
        _signal_group(proc)


def _signal_group(proc):
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def have_pdflatex():
    return shutil.which("pdflatex") is not None


def _env(workdir):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEXMF", "TEXINPUTS"))}
    env.update(openin_any="p", openout_any="p", shell_escape="f", TEXMFOUTPUT=workdir,
               SOURCE_DATE_EPOCH=EPOCH, FORCE_SOURCE_DATE="1", max_print_line="1000")
    return env


def _run(workdir, timeout, jobs, draft=False):
    cmd = ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "-file-line-error",
           "-no-shell-escape"] + (["-draftmode", "-jobname=doc", DRAFT] if draft else ["doc.tex"])
    with _lock:
        if jobs is not None and jobs.cancelled:
            raise Cancelled("pdflatex build cancelled")
        proc = subprocess.Popen(cmd, cwd=workdir, env=_env(workdir), stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                start_new_session=True)
        _live.add(proc)
        if jobs is not None:
            jobs.procs.add(proc)
    try:
        try:
            out, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill(proc)
            raise RenderError(f"pdflatex did not finish within {timeout} s (killed)") from None
        except BaseException:              # Ctrl-C, SIGTERM: take pdflatex down with us
            _kill(proc)
            raise
    finally:
        with _lock:
            _live.discard(proc)
            if jobs is not None:
                jobs.procs.discard(proc)
    if jobs is not None and jobs.cancelled:
        raise Cancelled("pdflatex build cancelled")
    return proc.returncode, out.decode("utf-8", errors="replace")


def _widths(aux):
    r"""longtable's entries (\gdef \LT@<n> {...}, over several lines) of an .aux's text."""
    out = []
    for m in re.finditer(r"\\gdef \\LT@[a-z]+ \{", aux):
        depth, i = 1, m.end()
        while depth and i < len(aux):
            depth += {"{": 1, "}": -1}.get(aux[i], 0)
            i += 1
        if not depth:
            out.append(aux[m.start():i])
    return "".join(line + "\n" for line in out)


def _draft(workdir, timeout, jobs):
    """The draft run: doc.aux then holds only its longtable widths (none if it failed)."""
    code, _ = _run(workdir, timeout, jobs, draft=True)
    path = os.path.join(workdir, "doc.aux")
    if not os.path.exists(path):
        return
    with open(path, encoding="utf-8", errors="replace") as fh:
        widths = _widths(fh.read()) if code == 0 else ""
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(widths)


def _kill(proc):
    _signal_group(proc)
    proc.communicate()


def _first_error(workdir, output):
    log = ""
    path = os.path.join(workdir, "doc.log")
    if os.path.exists(path):
        with open(path, "rb") as fh:
            log = fh.read().decode("utf-8", errors="replace")
    for text in (log, output):
        m = re.search(r"^(?:\./)?doc\.tex:(\d+): (.*)$", text, re.MULTILINE)
        if m:
            return f"line {m[1]}: {m[2]}"
        m = re.search(r"^! (.*)$", text, re.MULTILINE)
        if m:
            return m[1]
    tail = [l for l in output.strip().splitlines() if l.strip()][-1:] or ["no output"]
    return tail[0][:200]


def compile_pdf(tex, timeout=TIMEOUT, jobs=None, files=None):
    """The PDF (bytes) of a LaTeX document (str); RenderError with the first error.
    `jobs` (a Jobs) lets the caller cancel the build from another thread; `files`
    ({plain name: bytes}) are put beside it (PDFs that pdfpages joins)."""
    if not have_pdflatex():
        raise TexNotFoundError(f"pdflatex not found; install the TeX packages "
                               f"(Debian/Ubuntu: apt-get install {TEX_PACKAGES}) or use --tex")
    with tempfile.TemporaryDirectory(prefix="symprop-tex-") as workdir:
        with open(os.path.join(workdir, "doc.tex"), "w", encoding="utf-8") as fh:
            fh.write(tex)
        for name, data in (files or {}).items():
            if not re.fullmatch(r"[A-Za-z0-9_-]+\.pdf", name):
                raise ValueError(f"not a plain PDF name: {name!r}")
            with open(os.path.join(workdir, name), "wb") as fh:
                fh.write(data)
        if r"\begin{longtable}" in tex:           # its column widths, for the first full run
            _draft(workdir, timeout, jobs)
        for _ in range(3):                       # one, unless the log asks for a rerun
            code, output = _run(workdir, timeout, jobs)
            if code != 0:
                raise RenderError(f"pdflatex failed: {_first_error(workdir, output)}")
            if "Rerun" not in output:
                break
        with open(os.path.join(workdir, "doc.pdf"), "rb") as fh:
            return fh.read()
