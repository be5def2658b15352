"""The file-system steps every output write is made of: checks of what is at a path,
new files flushed to disk, temporary names, the folder lock, moves.

Two functions are the only places output bytes are written (`write_all`) and
files are moved into place (`move`); the tests replace them to simulate a full
disk or a failed rename, so callers reach them as `fsops.move`, never by a copy
of the name. Symbolic links, directories, FIFOs, sockets and devices are never
replaced (refuse_kind), not even with force=True.
"""

import contextlib
import errno
import os
import secrets
import stat

from ..errors import OutputError

__all__ = ["encode", "why", "lstat", "kind_of", "refuse_kind", "write_all", "move", "new_file",
           "temp_file", "locked", "makedirs", "remove_created", "nonempty"]


def encode(data):
    """Bytes to write: text as UTF-8 (unencodable characters replaced), bytes as they are."""
    return data.encode("utf-8", errors="replace") if isinstance(data, str) else bytes(data)


def why(exc):
    """An OSError's reason as a message says it ("No space left on device")."""
    return exc.strerror or str(exc)


def lstat(path):
    """os.lstat, or None when nothing is there; OutputError when it cannot be looked at."""
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise OutputError(f"cannot write here: {why(exc)}", source=path) from None


def kind_of(st):
    mode = st.st_mode
    for test, name in ((stat.S_ISREG, "file"), (stat.S_ISDIR, "directory"),
                       (stat.S_ISLNK, "symbolic link"), (stat.S_ISFIFO, "FIFO (named pipe)"),
                       (stat.S_ISSOCK, "socket"), (stat.S_ISCHR, "character device"),
                       (stat.S_ISBLK, "block device")):
        if test(mode):
            return name
    return "special file"


def refuse_kind(path, st):
    """Refuse what is never replaced, force or not: links, directories, special files."""
    kind = kind_of(st)
    if kind == "symbolic link":
        raise OutputError("is a symbolic link; refusing to write through it", source=path)
    if kind == "directory":
        raise OutputError("is a directory", source=path)
    if kind != "file":
        raise OutputError(f"is a {kind}, not a regular file; symprop never writes to one "
                          "(not even with --force)", source=path)


def write_all(fd, data):
    """Write every byte to `fd` (the one place output bytes are written; tests replace it
    to simulate a full disk)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def move(src, dst):
    """os.replace (the one place files are moved into place; tests replace it)."""
    os.replace(src, dst)


def new_file(path, data):
    """Create `path` (which must not exist) holding `data`, flushed to disk; its mode is
    0666 less the umask, as for any file the user creates."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o666)
    try:
        write_all(fd, data)
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(path)
        raise
    os.close(fd)


def temp_file(folder, data):
    """A new hidden file in `folder` holding `data`; its path."""
    for _ in range(100):
        path = os.path.join(folder, f".symprop-tmp-{secrets.token_hex(6)}")
        try:
            new_file(path, data)
            return path
        except FileExistsError:
            continue
    raise OutputError("cannot find a free temporary name", source=folder)


@contextlib.contextmanager
def locked(folder):
    """An exclusive flock on the folder itself, for every check-and-replace in it.

    Where the platform has no fcntl (WebAssembly, Windows) the folder is used unlocked,
    as on a file system without flock."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except OSError as exc:            # a file system without flock: carry on unlocked
            if exc.errno not in (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EINVAL):
                raise
        yield
    finally:
        os.close(fd)


def makedirs(folder, source):
    """Create `folder` and its missing parents; the list of the folders created (deepest first)."""
    created, probe = [], folder
    while not os.path.lexists(probe):
        created.append(probe)
        parent = os.path.dirname(probe)
        if parent == probe:
            break
        probe = parent
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot write here: {why(exc)}", source=source) from None
    return created


def remove_created(created):
    """Remove the folders `makedirs` created (deepest first), as far as they are empty."""
    for path in created:
        try:
            os.rmdir(path)
        except OSError:
            break


def nonempty(path):
    """The path as a string; OutputError for '' (which is not the current folder)."""
    if os.fspath(path) == "":
        raise OutputError("the output path is empty")
    return os.fspath(path)
