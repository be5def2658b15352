"""A set of output files written all or nothing: the exam folder (write_folder).

Every destination is checked before anything moves, everything is written into
a staging folder inside the destination (same file system, so the moves are
renames), the old files are kept aside (hard links) until the new ones and the
manifest are all in place, and any failure puts back exactly what was there and
removes the staging folder. Files recorded under the same group by an earlier
run (an earlier exam) that the new set does not have are removed, so the folder
never mixes two exams; files that are not ours (manifest.py) stay. All of it
happens under the folder's lock (fsops.locked).
"""

import contextlib
import os
import shutil
import stat
import tempfile

from ..errors import OutputError
from . import fsops as fs
from . import manifest
from .manifest import MANIFEST

__all__ = ["write_folder", "check_folder"]


def _folder_state(folder):
    """Resolve and check an output folder: (real path or None if it does not exist)."""
    st = fs.lstat(folder)
    if st is None:
        return None
    if stat.S_ISLNK(st.st_mode):
        try:
            st = os.stat(folder)
        except FileNotFoundError:
            raise OutputError("is a symbolic link to something that does not exist",
                              source=folder) from None
        except OSError as exc:
            raise OutputError(f"cannot write here: {fs.why(exc)}", source=folder) from None
    if not stat.S_ISDIR(st.st_mode):
        raise OutputError("is not a folder", source=folder)
    return folder


def _plan(folder, names, force, group):
    """Check every destination in an existing folder (under its lock); (entries, names of
    the earlier run's files to remove). Raises before anything is touched. A staging
    folder or temporary file seen here is left over from a killed run (they exist only
    while a run holds the lock) and counts as a file symprop did not write."""
    entries, state = manifest.read_manifest(folder)
    manifest.refuse_foreign_manifest(folder, state, force)
    try:
        present = sorted(os.listdir(folder))
    except OSError as exc:
        raise OutputError(f"cannot read the folder: {fs.why(exc)}", source=folder) from None
    ours, foreign = set(), []
    for entry in present:
        if entry == MANIFEST:
            continue
        path = os.path.join(folder, entry)
        st = fs.lstat(path)
        if st is None:
            continue
        if entry in names:
            fs.refuse_kind(path, st)
        if entry in entries and manifest.matches(path, st, entries[entry]):
            ours.add(entry)
        else:
            foreign.append(entry)
    if foreign and not force:
        shown = ", ".join(foreign[:3]) + (" …" if len(foreign) > 3 else "")
        raise OutputError(f"holds files symprop did not write ({shown}); "
                          "use --force or another folder", source=folder)
    stale = sorted(n for n in ours if n not in names and group and entries[n].get("group") == group)
    return entries, stale


def check_folder(folder, names, force=False, group="exam"):
    """Raise now what write_folder would refuse (so a long build is not wasted);
    write_folder checks again when it installs the files."""
    folder = fs.nonempty(folder)
    if _folder_state(folder) is not None:
        try:
            with fs.locked(folder):
                _plan(folder, set(names), force, group)
        except OutputError:
            raise
        except OSError as exc:
            raise OutputError(f"cannot read the folder: {fs.why(exc)}", source=folder) from None


def write_folder(folder, files, force=False, group="exam"):
    """Make `folder` hold exactly `files` (name -> bytes or text) besides the files that
    are not ours, all or nothing; the earlier run's files of the same group go."""
    folder = fs.nonempty(folder)
    files = {name: fs.encode(data) for name, data in files.items()}
    for name in files:
        if name in ("", ".", "..", MANIFEST) or "/" in name or "\0" in name:
            raise ValueError(f"not a file name: {name!r}")
    existing = _folder_state(folder)
    created = [] if existing else fs.makedirs(folder, folder)
    try:
        with fs.locked(folder):
            entries, stale = _plan(folder, set(files), force, group)
            _commit(folder, files, entries, stale, group)
    except BaseException as exc:
        fs.remove_created(created)
        if isinstance(exc, OSError) and not isinstance(exc, OutputError):
            raise OutputError(f"cannot write: {fs.why(exc)}", source=folder) from None
        raise
    return sorted(files)


def _commit(folder, files, entries, stale, group):
    try:
        stage = tempfile.mkdtemp(prefix=".symprop-stage-", dir=folder)
    except OSError as exc:
        raise OutputError(f"cannot write here: {fs.why(exc)}", source=folder) from None
    try:
        for name, data in files.items():
            try:
                fs.new_file(os.path.join(stage, name), data)
            except OSError as exc:
                raise OutputError(f"cannot write {name}: {fs.why(exc)}", source=folder) from None
        entries = manifest.prune(folder, {n: e for n, e in entries.items() if n not in stale})
        entries.update({name: manifest.record(data, group) for name, data in files.items()})
        try:
            fs.new_file(os.path.join(stage, MANIFEST), manifest.manifest_bytes(entries))
        except OSError as exc:
            raise OutputError(f"cannot write: {fs.why(exc)}", source=folder) from None
        _swap(folder, stage, files, stale)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _swap(folder, stage, files, stale):
    """Move the staged files in, the stale ones out, then the manifest; on any failure
    undo every step (if even that fails, the old files are kept beside and named)."""
    old = os.path.join(stage, ".old")
    os.mkdir(old)
    done = []                                   # (name, how): "new", "replaced", "removed"
    try:
        for name in sorted(files):
            target, backup = os.path.join(folder, name), os.path.join(old, name)
            if os.path.lexists(target):
                try:
                    os.link(target, backup, follow_symlinks=False)
                except OSError:                 # no hard links here: move the old one aside
                    fs.move(target, backup)
                done.append((name, "replaced"))
            else:
                done.append((name, "new"))
            fs.move(os.path.join(stage, name), target)
        for name in stale:
            fs.move(os.path.join(folder, name), os.path.join(old, name))
            done.append((name, "removed"))
        fs.move(os.path.join(stage, MANIFEST), os.path.join(folder, MANIFEST))
    except BaseException as exc:
        failed = _undo(folder, old, done)
        if failed:
            kept = os.path.join(folder, ".symprop-kept-" + os.path.basename(stage)[15:])
            with contextlib.suppress(OSError):
                os.replace(old, kept)
                old = kept
            raise OutputError(f"could not finish writing nor put back {', '.join(failed)}; "
                              f"the earlier files are in {old}", source=folder) from None
        if isinstance(exc, OSError) and not isinstance(exc, OutputError):
            raise OutputError(f"cannot write: {fs.why(exc)}; nothing was changed",
                              source=folder) from None
        raise


def _undo(folder, old, done):
    failed = []
    for name, how in reversed(done):
        target, backup = os.path.join(folder, name), os.path.join(old, name)
        try:
            if how == "new":
                if os.path.lexists(target):
                    os.unlink(target)
            elif os.path.lexists(backup):
                os.replace(backup, target)
        except OSError:
            failed.append(name)
    return failed
