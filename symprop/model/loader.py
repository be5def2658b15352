"""Reading problem and answer files: bytes → text → TOML → Problem (or answers).

The one module that opens input files: sizes, binary content, encodings and
TOML's own errors (a 5000-digit integer is a ValueError inside tomllib) become
one clear message naming the file, for problem and answer files alike.
"""

import os
import tomllib
from decimal import Decimal

from ..errors import ProblemFileError
from .problem import Problem

__all__ = ["load", "loads", "read_text", "parse_toml", "MAX_FILE_BYTES"]

MAX_FILE_BYTES = 1 << 20


def parse_toml(text, *, source=None, error=ProblemFileError):
    """A dict from TOML text; floats are read as exact decimals (0.9 is 9/10)."""
    try:
        return tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise error(f"not valid TOML: {exc}", source=source) from None
    except RecursionError:
        raise error("not valid TOML: nested too deeply", source=source) from None
    except ValueError as exc:          # Python's limit on integer digits, inside tomllib
        if "digits" in str(exc):
            raise error("holds an integer with more than 4300 digits; numbers that large are "
                        "not accepted", source=source) from None
        raise error(f"not valid TOML: {exc}", source=source) from None


def loads(text, *, source=None):
    """A Problem from TOML text. Floats are read as exact decimals (0.9 is 9/10)."""
    return Problem.from_dict(parse_toml(text, source=source), source=source)


def read_text(path, *, error=ProblemFileError, what="a problem file"):
    """The UTF-8 text of a file of at most MAX_FILE_BYTES, or `error` saying why not.

    Special files (FIFOs, devices) are refused before they are opened: reading a
    FIFO would block for ever."""
    path = os.fspath(path)
    try:
        if os.path.isdir(path):
            raise error(f"is a directory, not {what}", source=path)
        if os.path.exists(path) and not os.path.isfile(path):
            raise error(f"is not a regular file (a FIFO or device?), not {what}", source=path)
        with open(path, "rb") as fh:
            raw = fh.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise error("no such file", source=path) from None
    except PermissionError:
        raise error("permission denied", source=path) from None
    except OSError as exc:
        raise error(f"cannot read: {exc.strerror or exc}", source=path) from None
    if len(raw) > MAX_FILE_BYTES:
        raise error(f"larger than {MAX_FILE_BYTES // 1024} KiB", source=path)
    if b"\0" in raw:
        raise error("is a binary file, not TOML text", source=path)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(f"not UTF-8 text (byte {exc.start})", source=path) from None


def load(path):
    """A Problem from a TOML problem file; errors name the file and the key."""
    path = os.fspath(path)
    return loads(read_text(path), source=path)
