"""`-` for standard input and standard output, and the "wrote …" lines `-q` silences.

A problem or answer file named `-` is read from standard input with the checks of
a file (size, binary, UTF-8); its errors name `<stdin>`. `-o -` writes text to
standard output, and a PDF's bytes too when standard output is not a terminal.
"""

import os
import sys

from ..errors import AnswerFileError, OutputError, ProblemFileError, printable

STDIO = "-"
STDIN_NAME = "<stdin>"


def stem(path, default="stdin"):
    """The name a default output file takes from an input path (`-`: "stdin")."""
    if path == STDIO:
        return default
    return os.path.splitext(os.path.basename(path))[0]


def _read_stdin(error, what, stdin=None):
    from ..model.loader import MAX_FILE_BYTES

    stdin = stdin or sys.stdin
    if stdin is None or (hasattr(stdin, "isatty") and stdin.isatty()):
        raise error(f"'-' reads {what} from standard input, which is a terminal; "
                    "pipe or redirect the file in", source=STDIN_NAME)
    raw = stdin.buffer.read(MAX_FILE_BYTES + 1) if hasattr(stdin, "buffer") else \
        stdin.read(MAX_FILE_BYTES + 1).encode()
    if len(raw) > MAX_FILE_BYTES:
        raise error(f"larger than {MAX_FILE_BYTES // 1024} KiB", source=STDIN_NAME)
    if b"\0" in raw:
        raise error("is binary, not TOML text", source=STDIN_NAME)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(f"not UTF-8 text (byte {exc.start})", source=STDIN_NAME) from None


def read_problem(path):
    """A Problem from a file, or from standard input for `-`."""
    from ..model.loader import load, loads

    if path == STDIO:
        return loads(_read_stdin(ProblemFileError, "a problem file"), source=STDIN_NAME)
    return load(path)


def read_answers(path):
    """{name: Given} from an answer file, or from standard input for `-`."""
    from ..checker.answers import load_answers, loads_answers

    if path == STDIO:
        return loads_answers(_read_stdin(AnswerFileError, "an answer file"), source=STDIN_NAME)
    return load_answers(path)


def source(path):
    return STDIN_NAME if path == STDIO else path


def emit(path, data, out, *, force=False, quiet=False):
    """Write `data` (text or bytes) to the file `path`, or to `out` for `-`.

    Bytes to a terminal are refused (OutputError, exit 2) before anything is
    written; a file goes through write_atomic and says "wrote PATH" unless quiet."""
    if path == STDIO:
        if isinstance(data, bytes):
            stream = getattr(out, "buffer", None)
            refuse_terminal(path, out)
            if stream is None:
                raise OutputError("cannot take bytes (a text stream)", source="-o -")
            out.flush()
            stream.write(data)
            stream.flush()
        else:
            out.write(data)
        return
    from ..output.files import write_atomic

    write_atomic(path, data, force=force)
    said(out, f"wrote {printable(path, 200)}", quiet)


def refuse_terminal(path, out):
    """For a PDF headed to `-o -`: the terminal check before the long build."""
    if path == STDIO and hasattr(out, "isatty") and out.isatty():
        raise OutputError("is a terminal: a PDF goes to standard output only through "
                          "a pipe or a redirection (> file.pdf)", source="-o -")


def said(out, line, quiet):
    if not quiet:
        out.write(line + "\n")
