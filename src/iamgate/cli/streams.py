"""stdout and stderr as a shell gives them: a pipe that closes early, an encoding that cannot
hold every character. Neither is a bug in iamgate, so neither may end a run with exit 4.

- **Encoding.** Both streams are set to write a character their encoding cannot hold as its
  escape (``\\u274c`` on a cp1252 console) instead of raising ``UnicodeEncodeError``.
- **A closed pipe** (``iamgate ... | head -1``, ``| grep -q``): the stream that broke is pointed
  at ``/dev/null``, so nothing more is written to it and nothing is printed about it (no
  traceback, no "Exception ignored" at exit). A gating command has written its reports and
  decided its verdict before it prints, and exits with the verdict's code; any other command
  stops and exits 141 (128 + SIGPIPE, what a shell reports for a process a closed pipe ended).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Iterator

EXIT_CLOSED_PIPE = 128 + int(getattr(signal, "SIGPIPE", 13))


def tolerant_encoding() -> None:
    """Unencodable characters become escapes on both streams (at start-up, before any write)."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):
                reconfigure(errors="backslashreplace")


def closed_pipe() -> bool:
    """Whether stdout or stderr is a pipe whose reader has gone: a ``BrokenPipeError`` then
    came from them, not from a connection of iamgate's own (which would be a bug)."""
    return reader_gone(1) or reader_gone(2)


def silence_closed() -> None:
    """Point every standard stream whose reader has gone at ``/dev/null``. A stream that cannot
    be asked (not a pipe, no ``fileno``) is silenced too when its flush fails."""
    for stream, fd in ((sys.stdout, 1), (sys.stderr, 2)):
        if stream is None:
            continue
        try:
            stream.flush()
        except (OSError, ValueError):
            _to_devnull(fd)
        else:
            if reader_gone(fd):
                _to_devnull(fd)


def reader_gone(fd: int) -> bool:
    """Whether ``fd`` is a pipe (or socket) whose reader has closed it."""
    try:
        import select

        poller = select.poll()
        poller.register(fd, select.POLLOUT)
        return any(events & select.POLLERR for _, events in poller.poll(0))
    except (AttributeError, OSError, ValueError):  # no poll (Windows), or not a descriptor
        return False


def _to_devnull(fd: int) -> None:
    with contextlib.suppress(OSError):
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, fd)
        os.close(null)


@contextlib.contextmanager
def pipe_may_close() -> Iterator[None]:
    """Writes that may stop early: a closed pipe silences its stream and the run goes on."""
    try:
        yield
    except BrokenPipeError:
        silence_closed()


def flush_at_exit() -> None:
    """The last flush, which a closed pipe would turn into "Exception ignored" on stderr."""
    with pipe_may_close():
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
