"""Named exceptions: every error symprop raises on purpose is a SympropError.

The CLI turns a SympropError into one line on stderr and exit code 2; anything
else is a bug and keeps its traceback.
"""

import re

__all__ = [
    "printable",
    "did_you_mean",
    "SympropError",
    "ProblemFileError",
    "ExpressionError",
    "ComputationError",
    "PrecisionError",
    "RenderError",
    "TexNotFoundError",
    "OutputError",
    "AnswerFileError",
]


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text, limit=None, *, newlines=False):
    """Text safe for a terminal: control characters (ESC sequences, bidi overrides)
    shown as escapes, newlines too unless `newlines`, cut to `limit` characters."""
    text = str(text)
    if not newlines:
        text = text.replace("\n", "\\n").replace("\r", "\\r")
    text = _CONTROL.sub(lambda m: m[0].encode("unicode_escape").decode("ascii"), text)
    if limit is not None and len(text) > limit:
        text = text[:limit] + "…"
    return text


def did_you_mean(word, choices, *, ignore_case=False):
    """" (did you mean 'x'?)" naming the choice closest to `word` (difflib), or "" when
    none is close. ignore_case: `word` in lower case, if it is a choice, is the one meant
    ("ReLU" → 'relu'). The one place the hint of every "unknown ..." message is built."""
    import difflib

    word = str(word)
    if ignore_case and word.lower() in choices:
        close = [word.lower()]
    else:
        close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


class SympropError(Exception):
    """Base class. Carries where the problem is: a file and a key path."""

    def __init__(self, message, *, source=None, key=None):
        super().__init__(message)
        self.message = message
        self.source = source
        self.key = key

    def __str__(self):
        where = []
        if self.source:
            where.append(printable(self.source, 200))
        if self.key:
            where.append(f"key '{printable(self.key, 80)}'")
        prefix = ", ".join(where)
        message = printable(self.message, 600)
        return f"{prefix}: {message}" if prefix else message

    def at(self, *, source=None, key=None):
        """Fill in the location if it is not known yet; return self for `raise`."""
        if self.source is None:
            self.source = source
        if self.key is None:
            self.key = key
        return self


class ProblemFileError(SympropError, ValueError):
    """A problem file (or dict) is malformed: syntax, schema, shapes, names."""


class ExpressionError(ProblemFileError):
    """An expression or value string is not in the whitelisted grammar."""


class ComputationError(SympropError, ArithmeticError):
    """The problem is well-formed but its numbers are not: division by zero,
    log of a non-positive value, exact numbers grown beyond the set limit."""


class PrecisionError(ComputationError):
    """A decimal could not be certified to the requested digits."""


class RenderError(SympropError, RuntimeError):
    """pdflatex failed (or timed out), or a sheet is beyond the size limit of one PDF
    (worksheet.MAX_QUANTITIES, MAX_EXAM_VARIANTS), refused before pdflatex runs; a
    pdflatex failure quotes the first error of its log."""


class TexNotFoundError(SympropError, EnvironmentError):
    """No pdflatex on PATH: the message names the Debian packages to install."""


class OutputError(SympropError, OSError):
    """An output file cannot be written: it exists and is not ours, or the folder is read-only."""


class AnswerFileError(SympropError, ValueError):
    """An answer file is malformed, or names a quantity the solution does not have."""
