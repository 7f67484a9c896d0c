"""Files in and out: the one bounded reader every input goes through, and atomic writes.

Every input file (baseline, config, accounts list, snapshot, results, Access Analyzer export)
is read by :func:`read_text`, so each failure says the same thing the same way, names the file,
and is bad input (exit 2), never an internal error. A run's reports are written as one set
(:func:`write_all_atomic` says exactly what is guaranteed): no half-written ``junit.xml`` that a
CI renderer would read as a pass, no mix of two runs, no temp file left behind.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import re
import signal
import stat
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no directory lock
    fcntl = None  # type: ignore[assignment]

from iamgate.errors import InputError

MiB = 1024 * 1024
# Files people write and review: a larger one is a mistake (or an attack), not a baseline.
SMALL_FILE = 5 * MiB
# Files iamgate writes (snapshots, results): an organization's can be large.
LARGE_FILE = 2048 * MiB


def read_bytes(path: Path, what: str = "file", max_bytes: int = SMALL_FILE) -> bytes:
    """An input file's bytes; every failure is bad input naming the file.

    Only a regular file is read (a symlink is followed to one): a FIFO would block the run
    until someone writes to it, and a device (``/dev/zero``, ``/dev/urandom``) never ends. The
    file is opened without blocking, its type checked on the open descriptor (no race with a
    rename), and the read stops as soon as it passes ``max_bytes``: ``st_size`` alone is not
    trusted (a device says 0, and a file can grow while it is read)."""
    try:
        fd = os.open(path, os.O_RDONLY | _NONBLOCK | _CLOEXEC)
    except FileNotFoundError:
        raise InputError("no such file", str(path)) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a file", str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read {what}: {exc.strerror}", str(path)) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise InputError("is a directory, not a file", str(path))
        if not stat.S_ISREG(info.st_mode):
            raise InputError(
                f"is a {_file_kind(info.st_mode)}, not a regular file: a {what} must be a file",
                str(path),
            )
        return _read_capped(fd, path, what, max_bytes, info.st_size)
    except OSError as exc:
        raise InputError(f"cannot read {what}: {exc.strerror}", str(path)) from None
    finally:
        os.close(fd)


_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_CHUNK = 1024 * 1024


def _file_kind(mode: int) -> str:
    kinds = (
        (stat.S_ISFIFO, "FIFO (named pipe)"),
        (stat.S_ISCHR, "character device"),
        (stat.S_ISBLK, "block device"),
        (stat.S_ISSOCK, "socket"),
    )
    return next((name for test, name in kinds if test(mode)), "special file")


def _read_capped(fd: int, path: Path, what: str, max_bytes: int, size: int) -> bytes:
    too_large = InputError(f"{what} is larger than {max_bytes // MiB} MiB", str(path))
    if size > max_bytes:
        raise too_large
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = os.read(fd, min(_CHUNK, max_bytes + 1 - total))
        if not chunk:
            return b"".join(chunks)
        total += len(chunk)
        if total > max_bytes:  # grown since fstat, or a size the file system does not know
            raise too_large
        chunks.append(chunk)


def read_text(path: Path, what: str = "file", max_bytes: int = SMALL_FILE) -> str:
    """A UTF-8 input file (:func:`read_bytes`); every failure is bad input naming the file."""
    data = read_bytes(path, what, max_bytes)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", str(path)) from None


def read_json(path: Path, what: str = "file", max_bytes: int = LARGE_FILE) -> Any:
    """A JSON input file, parsed; a syntax error names the line. A string holding a lone
    surrogate (the escape ``"\\ud800"``, valid JSON but not text) is refused too: it could not
    be printed or written out later."""
    text = read_text(path, what, max_bytes)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON: {exc.msg}", str(path), exc.lineno) from None
    except RecursionError:
        raise InputError("invalid JSON: nested too deeply", str(path)) from None
    except ValueError as exc:  # a number past Python's int-string limit (4,300 digits)
        raise InputError(f"invalid JSON: {number_problem(exc)}", str(path)) from None
    if _SURROGATE_ESCAPE.search(text):  # rare: only then is every string looked at
        where = _lone_surrogate(data, "")
        if where is not None:
            raise InputError(
                f"invalid JSON: {where or 'the document'} holds a lone surrogate (a \\uD800-"
                "\\uDFFF escape that is not half of a pair): not text",
                str(path),
            )
    return data


def number_problem(exc: ValueError) -> str:
    """What a parser's ``ValueError`` other than a syntax error means: in practice a number
    longer than Python's int-string limit (``sys.get_int_max_str_digits()``), which Python
    refuses to convert (it would take quadratic time)."""
    if "digits" in str(exc):
        return f"a number has more than {sys.get_int_max_str_digits()} digits"
    return str(exc)


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _lone_surrogate(value: Any, where: str) -> str | None:
    """The path of the first string (or key) that cannot be encoded as UTF-8."""
    stack: list[tuple[Any, str]] = [(value, where)]
    while stack:
        item, at = stack.pop()
        if isinstance(item, str):
            if not item.isascii():
                try:
                    item.encode("utf-8")
                except UnicodeEncodeError:
                    return at
        elif isinstance(item, dict):
            for key, sub in item.items():
                stack.append((key, f"{at} (a key)"))
                stack.append((sub, f"{at}.{key}" if key.isascii() else f"{at}[key]"))
        elif isinstance(item, list):
            stack.extend((sub, f"{at}[{i}]") for i, sub in enumerate(item))
    return None


# A file's content: its text, or what makes it piece by piece when it is written (a large report
# is then never whole in memory, and the next one is made only once this one is on disk).
Content = str | Callable[[], Iterable[str]]


def _stage(path: Path, content: Content) -> Path:
    """Write the content to a temp file beside ``path`` (same filesystem: the rename is
    atomic)."""
    if path.is_dir():
        raise InputError("is a directory, not a file", str(path))
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror}", str(path)) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            for piece in (content,) if isinstance(content, str) else content():
                handle.write(piece)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise InputError(f"cannot write: {exc.strerror}", str(path)) from None
        raise
    return Path(tmp)


TEMP_SUFFIX = ".tmp"
# How long a run waits for another one writing into the same directory (seconds).
LOCK_WAIT = 60.0
_HELD_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGINT", "SIGHUP") if hasattr(signal, name)
)


def write_atomic(path: Path, text: str) -> None:
    write_all_atomic({path: text})


def same_file(one: Path, other: Path) -> bool:
    """Whether two paths name one file: the same path once symlinks and ``..`` are resolved,
    or (when both exist) the same inode, as a hard link is."""
    if os.path.realpath(one) == os.path.realpath(other):
        return True
    try:
        a, b = os.stat(one), os.stat(other)
    except OSError:
        return False
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def write_all_atomic(
    files: Mapping[Path, Content], before_commit: Callable[[], None] | None = None
) -> None:
    """Write a set of files (a run's reports) so that they appear together or not at all.
    Content given as a function is made while its file is staged, one file after another,
    under the lock (so it may read what another run committed: the history file).
    ``before_commit`` runs once every file is staged and before any is renamed into place, under
    the same lock and held signals: if it fails, no file is replaced (the step summary, which
    must not say "pass" for reports that were never written).

    What is guaranteed:

    - **No partial file.** Each file is fully written and synced to a temp file beside its
      target, then renamed over it (atomic): a reader sees the old version or the new one.
    - **One run at a time.** Every target directory is locked (``flock`` on the directory)
      while the set is staged and renamed, so a second run into the same ``--output-dir``
      waits (up to ``LOCK_WAIT`` s, then bad input) and never interleaves its files with this
      run's: the directory ends with one run's set, never a mix.
    - **Signals wait.** SIGTERM, SIGINT and SIGHUP that arrive while the set is written are held
      and delivered once it is complete and every temp file is gone: a terminated run leaves
      all the new files or, if it was stopped before writing started, all the old ones.
    - **Nothing left behind.** A target that cannot be staged (a directory, no permission, a
      full disk) leaves every target as it was and no temp file; temp files of a run that was
      killed outright (SIGKILL, power loss) are removed by the next run into that directory.

    Not guaranteed: a reader that opens the files *while* they are renamed (microseconds) may
    pair an old file with a new one; and on systems without ``fcntl`` (Windows) there is no
    lock.
    """
    paths = list(files)
    with _signals_held():
        try:
            for path in paths:
                path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(f"cannot write: {exc.strerror}", str(path)) from None
        with _locked({path.parent for path in paths}):
            _remove_leftovers(paths)
            staged: list[tuple[Path, Path]] = []
            try:
                for path, content in files.items():
                    staged.append((_stage(path, content), path))
                if before_commit is not None:
                    before_commit()
                for n, (tmp, path) in enumerate(staged):
                    try:
                        os.replace(tmp, path)
                    except OSError as exc:
                        raise InputError(f"cannot write: {exc.strerror}", str(path)) from None
                    staged[n] = (path, path)  # renamed: no longer a temp file to clean up
            finally:
                for tmp, path in staged:
                    if tmp != path:
                        tmp.unlink(missing_ok=True)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGTERM, SIGINT and SIGHUP until the block is done, then deliver them to the
    handlers in place (which end the run). Only the main thread can set handlers."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending: list[int] = []
    previous = {sig: signal.signal(sig, lambda n, _f: pending.append(n)) for sig in _HELD_SIGNALS}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        for sig in dict.fromkeys(pending):
            signal.raise_signal(sig)


@contextlib.contextmanager
def _locked(directories: set[Path]) -> Iterator[None]:
    """An exclusive ``flock`` on each directory (each once, in one order: no deadlock)."""
    if fcntl is None:  # pragma: no cover - Windows
        yield
        return
    fds: dict[tuple[int, int], int] = {}
    try:
        for directory in sorted(directories, key=str):
            try:
                fd = os.open(directory, os.O_RDONLY)
                info = os.fstat(fd)
            except OSError as exc:
                raise InputError(f"cannot write: {exc.strerror}", str(directory)) from None
            if (info.st_dev, info.st_ino) in fds:  # the same directory by another name
                os.close(fd)
                continue
            fds[(info.st_dev, info.st_ino)] = fd
            _lock(fd, directory)
        yield
    finally:
        for fd in fds.values():
            os.close(fd)  # closing releases the lock


def _lock(fd: int, directory: Path) -> None:
    """Wait for the directory's lock (up to ``LOCK_WAIT`` s). A filesystem that has no locks
    (some network mounts) is written unlocked."""
    assert fcntl is not None
    deadline = time.monotonic() + LOCK_WAIT
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise InputError(
                    f"another iamgate run has been writing reports here for over {LOCK_WAIT:.0f} s",
                    str(directory),
                ) from None
            time.sleep(0.05)
        except OSError:
            return


def _remove_leftovers(paths: list[Path]) -> None:
    """Temp files of these targets left by a run that was killed outright. The directories
    are locked: no live run is staging them."""
    for path in paths:
        for leftover in path.parent.glob(f".{glob.escape(path.name)}.*{TEMP_SUFFIX}"):
            with contextlib.suppress(OSError):
                leftover.unlink()


def append_text(path: Path, text: str) -> None:
    """Append (for ``$GITHUB_STEP_SUMMARY``, which other steps also write to)."""
    try:
        with path.open("a", encoding="utf-8") as handle:
            handle.write(text if text.endswith("\n") else text + "\n")
    except OSError as exc:
        raise InputError(f"cannot append: {exc.strerror}", str(path)) from None
