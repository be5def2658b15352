"""Writing output files: atomically, all-or-nothing, and never over a file that is not ours.

What is ours is the record of each folder's manifest (manifest.py). Every change
to a folder happens under an exclusive flock on the folder itself, so parallel
runs neither lose manifest entries nor interleave their checks and
replacements. A single file (write_atomic, here) goes to a temporary file in the
destination folder, the manifest is updated (itself by a temporary file and
os.replace), then the file is moved into place with os.replace: a reader sees
the old bytes or the new, never a part. A set of files (write_folder, the exam
folder) is all-or-nothing: folder.py. The file-system steps are in fsops.py.
"""

import contextlib
import os

from ..errors import OutputError
from . import fsops as fs
from . import manifest
from .folder import check_folder, write_folder
from .manifest import MANIFEST, MARK, is_ours

__all__ = ["write_atomic", "write_folder", "check_folder", "is_ours", "MARK", "MANIFEST"]


def write_atomic(path, data, force=False):
    """Write bytes or text to `path`; refuse to replace a file symprop did not write."""
    path = fs.nonempty(path)
    if path.endswith(os.sep) or (os.altsep and path.endswith(os.altsep)):
        raise OutputError("names a folder (it ends with '/'); give a file name", source=path)
    full = os.path.abspath(path)
    folder, name = os.path.split(full)
    if name == MANIFEST:
        raise OutputError(f"{MANIFEST} is symprop's record of the files it wrote; "
                          "choose another name", source=path)
    st = fs.lstat(path)
    if st is not None:
        fs.refuse_kind(path, st)
    data = fs.encode(data)
    created = fs.makedirs(folder, path)
    try:
        with fs.locked(folder):
            entries, state = manifest.read_manifest(folder)
            manifest.refuse_foreign_manifest(folder, state, force)
            st = fs.lstat(path)                     # again, under the lock
            if st is not None:
                fs.refuse_kind(path, st)
                if not force and not (name in entries and manifest.matches(full, st, entries[name])):
                    raise OutputError("exists and was not written by symprop "
                                      "(or was changed since); use --force to replace it",
                                      source=path)
            tmp = None
            try:
                tmp = fs.temp_file(folder, data)
                entries = manifest.prune(folder, entries)
                entries[name] = manifest.record(data)
                _install_manifest(folder, entries)
                fs.move(tmp, full)
            except BaseException as exc:
                if tmp is not None:
                    with contextlib.suppress(OSError):
                        os.unlink(tmp)
                if isinstance(exc, OSError) and not isinstance(exc, OutputError):
                    raise OutputError(f"cannot write: {fs.why(exc)}", source=path) from None
                raise
    except OutputError:
        fs.remove_created(created)
        raise
    except OSError as exc:
        fs.remove_created(created)
        raise OutputError(f"cannot write here: {fs.why(exc)}", source=path) from None


def _install_manifest(folder, entries):
    tmp = fs.temp_file(folder, manifest.manifest_bytes(entries))
    try:
        fs.move(tmp, os.path.join(folder, MANIFEST))
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
