"""Output paths: "ours" from a record content cannot fake, special files refused, atomic
writes that leave nothing half-written, parallel writers that lose no record."""

import errno
import hashlib
import json
import os
import socket
import stat
import subprocess
import sys
import threading
import time

import pytest

from helpers import EXAMPLES, ROOT
from symprop.errors import OutputError
from symprop.output.files import MANIFEST, MARK, is_ours, write_atomic
import symprop.output.fsops as fsops


def listing(folder):
    return sorted(os.listdir(folder))


def test_content_saying_symprop_does_not_make_a_file_ours(tmp_path):
    """A user's notes quoting the mark, or a PDF whose Creator is symprop, are not ours."""
    notes = tmp_path / "notes.txt"
    notes.write_text(f"% {MARK}\nmy own notes\n")
    pdf = tmp_path / "sheet.pdf"
    pdf.write_bytes(b"%PDF-1.5\n1 0 obj << /Creator (symprop 0.1) >> endobj\n%%EOF\n")
    for target in (notes, pdf):
        before = target.read_bytes()
        assert not is_ours(target)
        with pytest.raises(OutputError, match="not written by symprop"):
            write_atomic(target, b"%PDF new", force=False)
        assert target.read_bytes() == before
    assert listing(tmp_path) == ["notes.txt", "sheet.pdf"]      # no record, no temp file


def test_what_we_wrote_is_ours_until_someone_changes_it(tmp_path):
    target = tmp_path / "sheet.tex"
    write_atomic(target, "first")
    assert is_ours(target)
    write_atomic(target, "second")                              # ours: replaced without force
    assert target.read_text() == "second"
    record = json.loads((tmp_path / MANIFEST).read_text())["files"]["sheet.tex"]
    assert record == {"size": 6, "sha256": hashlib.sha256(b"second").hexdigest()}
    target.write_text("second, edited by hand")                 # the user's now
    assert not is_ours(target)
    with pytest.raises(OutputError, match="not written by symprop"):
        write_atomic(target, "third")
    assert target.read_text() == "second, edited by hand"
    target.write_text("second")                                 # same bytes again: ours again
    assert is_ours(target)
    write_atomic(tmp_path / "other.tex", "x", force=True)
    assert listing(tmp_path) == [MANIFEST, "other.tex", "sheet.tex"]


def test_a_copied_manifest_entry_does_not_make_another_file_ours(tmp_path):
    write_atomic(tmp_path / "a.tex", "symprop's bytes")
    (tmp_path / "b.tex").write_text("the user's bytes")
    data = json.loads((tmp_path / MANIFEST).read_text())
    data["files"]["b.tex"] = data["files"]["a.tex"]                # right name, wrong bytes
    (tmp_path / MANIFEST).write_text(json.dumps(data))
    assert not is_ours(tmp_path / "b.tex")
    with pytest.raises(OutputError, match="not written by symprop"):
        write_atomic(tmp_path / "b.tex", "x")


def test_a_foreign_manifest_is_not_trusted_nor_replaced(tmp_path):
    (tmp_path / MANIFEST).write_text('{"my": "own json"}')
    with pytest.raises(OutputError, match="not symprop's record"):
        write_atomic(tmp_path / "new.tex", "x")
    assert listing(tmp_path) == [MANIFEST]
    with pytest.raises(OutputError, match="symprop's record"):
        write_atomic(tmp_path / MANIFEST, "x", force=True)         # never a target
    write_atomic(tmp_path / "new.tex", "x", force=True)
    assert is_ours(tmp_path / "new.tex")


def test_fifo_is_refused_at_once_even_with_force(tmp_path):
    """Opening a FIFO to read it blocks until a writer comes: it must not be opened."""
    fifo = tmp_path / "pipe.pdf"
    os.mkfifo(fifo)
    result = {}

    def attempt():
        result["ours"] = is_ours(fifo)
        for force in (False, True):
            try:
                write_atomic(fifo, b"%PDF", force=force)
            except OutputError as exc:
                result[force] = str(exc)

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(10)
    if worker.is_alive():                                       # unblock it, then fail
        with open(fifo, "wb"):
            pass
        pytest.fail("write_atomic blocked on a FIFO")
    assert result["ours"] is False
    assert "FIFO" in result[False] and "FIFO" in result[True] and str(fifo) in result[True]


def test_fifo_from_the_command_line_is_one_line_and_exit_2(tmp_path):
    fifo = tmp_path / "sheet.tex"
    os.mkfifo(fifo)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-m", "symprop", "solve", str(EXAMPLES / "circuit.toml"),
                             "--tex", "-o", str(fifo), "--force"], capture_output=True, text=True,
                            env=env, timeout=60)
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "FIFO" in result.stderr and str(fifo) in result.stderr


@pytest.mark.parametrize("special", ["device", "socket"])
def test_devices_and_sockets_are_refused_even_with_force(tmp_path, special):
    """On a device node of our own (a copy of /dev/null made with mknod, never /dev/null
    itself: a regression would replace the machine's /dev/null with a file)."""
    path = str(tmp_path / "s.pdf")
    if special == "socket":
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(path)
        sock.close()
        words = "socket"
    else:
        try:
            os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))
        except OSError as exc:
            pytest.skip(f"cannot make a device node here ({exc.strerror}; needs root)")
        words = "character device"
    with pytest.raises(OutputError, match=words):
        write_atomic(path, b"x", force=True)
    assert not is_ours(path)
    assert not stat.S_ISREG(os.lstat(path).st_mode)
    assert os.listdir(tmp_path) == ["s.pdf"]


def test_a_huge_file_is_not_read_to_decide(tmp_path):
    """A 3 GB file (sparse: no disk used) starting like a PDF: deciding takes no time."""
    big = tmp_path / "big.pdf"
    with open(big, "wb") as fh:
        fh.write(b"%PDF-1.5 /Creator (symprop)")
        fh.truncate(3 << 30)
    start = time.monotonic()
    assert not is_ours(big)
    with pytest.raises(OutputError, match="not written by symprop"):
        write_atomic(big, b"%PDF")
    assert time.monotonic() - start < 1.0
    assert os.path.getsize(big) == 3 << 30


def test_links_empty_paths_and_paths_under_a_file(tmp_path):
    (tmp_path / "real.pdf").write_bytes(b"mine")
    os.symlink(tmp_path / "real.pdf", tmp_path / "link.pdf")
    os.symlink(tmp_path / "nowhere.pdf", tmp_path / "dangling.pdf")
    for name in ("link.pdf", "dangling.pdf"):
        with pytest.raises(OutputError, match="symbolic link"):
            write_atomic(tmp_path / name, b"x", force=True)
    assert not (tmp_path / "nowhere.pdf").exists()
    assert (tmp_path / "real.pdf").read_bytes() == b"mine"
    with pytest.raises(OutputError, match="empty"):
        write_atomic("", b"x")
    with pytest.raises(OutputError, match="is a directory"):
        write_atomic(tmp_path, b"x", force=True)
    with pytest.raises(OutputError, match="cannot write here") as info:
        write_atomic(tmp_path / "real.pdf" / "sheet.pdf", b"x")
    assert "real.pdf" in str(info.value)
    assert listing(tmp_path) == ["dangling.pdf", "link.pdf", "real.pdf"]


def test_empty_output_path_on_the_command_line(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-m", "symprop", "solve", str(EXAMPLES / "circuit.toml"),
                             "--tex", "-o", ""], capture_output=True, text=True, env=env, cwd=tmp_path,
                            timeout=60)
    assert result.returncode == 2 and "empty" in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert os.listdir(tmp_path) == []


def test_full_disk_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "sheet.tex"
    write_atomic(target, "old")

    def full(fd, data):
        os.write(fd, bytes(data[:1]))
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(fsops, "write_all", full)
    with pytest.raises(OutputError, match="No space left on device") as info:
        write_atomic(target, "new and longer")
    assert str(target) in str(info.value)
    assert target.read_text() == "old" and is_ours(target)
    assert listing(tmp_path) == [MANIFEST, "sheet.tex"]
    with pytest.raises(OutputError, match="No space left"):
        write_atomic(tmp_path / "sub" / "new.tex", "x")          # the folder it made is gone
    assert listing(tmp_path) == [MANIFEST, "sheet.tex"]


def test_parallel_writers_lose_no_record(tmp_path):
    """Eight processes write five files each into one folder at the same time: every
    file is recorded (the manifest is updated under a lock, never read-modify-written
    blind)."""
    script = ("import sys; from symprop.output.files import write_atomic\n"
              "for i in range(5):\n"
              "    write_atomic(f'{sys.argv[1]}/f{sys.argv[2]}-{i}.txt', f'{sys.argv[2]}/{i}' * 1000)\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    procs = [subprocess.Popen([sys.executable, "-c", script, str(tmp_path), str(k)], env=env)
             for k in range(8)]
    assert [p.wait(timeout=120) for p in procs] == [0] * 8
    names = {f"f{k}-{i}.txt" for k in range(8) for i in range(5)}
    assert set(os.listdir(tmp_path)) == names | {MANIFEST}
    assert set(json.loads((tmp_path / MANIFEST).read_text())["files"]) == names
    assert all(is_ours(tmp_path / n) for n in names)
