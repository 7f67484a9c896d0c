"""A bounded pool of worker threads that never holds up a stop.

``with ThreadPoolExecutor()`` waits for every running call when its block is left, even by
SIGTERM or Ctrl-C: a call stalled on an endpoint that never answers kept the run alive until its
read timeout (a minute, per retry). Here a signal (or any exception) in the waiting thread
cancels the queued work and leaves at once; the calls still running are abandoned, and the CLI
ends the process without joining them (``cli/common.py``, ``handle_errors``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def map_promptly(work: Callable[[T], R], items: Iterable[T], max_workers: int) -> list[R]:
    """``work(item)`` for every item, at most ``max_workers`` at a time, results in order."""
    pool = ThreadPoolExecutor(max_workers=max_workers)
    try:
        done = list(pool.map(work, items))
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    return done
