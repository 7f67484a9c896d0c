"""What a batch run asks of Python's memory manager.

A run builds millions of objects that never form reference cycles: the snapshot's frozen
dataclasses, a result and a finding per resource, their strings and tuples. Python's cyclic
collector scans every new container again and again as they pile up (at 100,000 users it was a
fifth of ``evaluate``'s CPU, docs/performance.md), and finds nothing to free: reference counts
free everything these stages drop. So the stages that build them (reading a snapshot or
results files, the checks and the gate, the reports) run with it paused, and restore it after,
with what they built frozen (``gc.freeze``: never scanned again, still freed by reference count).
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def without_cycle_collection() -> Iterator[None]:
    """Pause the cyclic collector for the block (nested blocks are fine), then restore it."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            # What the block built moves to the permanent generation first: re-enabled, the
            # collector would otherwise scan those millions of objects once more, for nothing.
            gc.freeze()
            gc.enable()
