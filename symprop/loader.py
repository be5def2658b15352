"""Reading problem files: bytes → TOML → Problem. The only module here that opens files."""

import os
import tomllib
from decimal import Decimal

from .errors import ProblemFileError
from .problem import Problem

__all__ = ["load", "loads", "MAX_FILE_BYTES"]

MAX_FILE_BYTES = 1 << 20


def loads(text, *, source=None):
    """A Problem from TOML text. Floats are read as exact decimals (0.9 is 9/10)."""
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise ProblemFileError(f"not valid TOML: {exc}", source=source) from None
    except RecursionError:
        raise ProblemFileError("not valid TOML: nested too deeply", source=source) from None
    return Problem.from_dict(data, source=source)


def load(path):
    """A Problem from a TOML problem file; errors name the file and the key."""
    path = os.fspath(path)
    try:
        if os.path.isdir(path):
            raise ProblemFileError("is a directory, not a problem file", source=path)
        with open(path, "rb") as fh:
            raw = fh.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise ProblemFileError("no such file", source=path) from None
    except PermissionError:
        raise ProblemFileError("permission denied", source=path) from None
    except OSError as exc:
        raise ProblemFileError(f"cannot read: {exc.strerror or exc}", source=path) from None
    if len(raw) > MAX_FILE_BYTES:
        raise ProblemFileError(f"larger than {MAX_FILE_BYTES // 1024} KiB", source=path)
    if b"\0" in raw:
        raise ProblemFileError("is a binary file, not TOML text", source=path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ProblemFileError(f"not UTF-8 text (byte {exc.start})", source=path) from None
    return loads(text, source=path)
