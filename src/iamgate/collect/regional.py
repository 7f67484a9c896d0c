"""Reading the same thing from several regions at once, for the sources that fail as a whole.

A region whose calls fail is a ``CollectionError`` tagged with that region (the operation that
failed, and its permission); when any region failed, the source fails, so the checks that need
it say ``error`` rather than judge an account they saw part of. (Access Analyzer, which fails per
region on purpose, has its own loop.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from iamgate.aws.failures import CALL_ERRORS, malformed
from iamgate.collect.pool import map_promptly
from iamgate.collect.source import SHAPE_ERRORS, Session, SourceFailed
from iamgate.model.snapshot import CollectionError, Source

MAX_WORKERS = 4  # regions at once: enough to hide latency, few enough not to be throttled
T = TypeVar("T")


def each_region(
    session: Session,
    source: Source,
    first_operation: str,
    regions: Iterable[str],
    read: Callable[[str], T],
) -> dict[str, T]:
    """``read(region)`` for every region, concurrently, in the order given."""
    counter = session.clients.counter
    wanted = list(dict.fromkeys(regions))

    def one(region: str) -> tuple[T | None, CollectionError | None]:
        counter.begin()
        try:
            return read(region), None
        except CALL_ERRORS as exc:
            op = getattr(exc, "operation_name", None) or counter.last_operation()
            return None, session.failure(source, op or first_operation, exc, region)
        except SHAPE_ERRORS as exc:
            op = counter.last_operation() or first_operation
            problem = f"{type(exc).__name__}: {exc}"
            return None, malformed(source, op, session.permissions.get(op, ""), region, problem)

    done = map_promptly(one, wanted, MAX_WORKERS)  # a stop does not wait for stalled calls
    errors = [error for _, error in done if error is not None]
    if errors:
        session.errors.extend(errors[1:])
        raise SourceFailed(errors[0])
    return {
        region: value for region, (value, _) in zip(wanted, done, strict=True) if value is not None
    }
