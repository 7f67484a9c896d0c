"""Running checks: a snapshot and the selected check ids in, results out.

Missing data makes a check's result ``error`` (never a pass); a malformed policy in the snapshot
does too. A check that crashes is a bug in iamgate: it stops the run as an internal error
(exit 4), never a pass and never an ``error`` result that reads as "could not collect".
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from iamgate.checks.context import Context
from iamgate.checks.registry import REGISTRY, Check
from iamgate.errors import InternalError
from iamgate.model.config import Config
from iamgate.model.results import Result
from iamgate.model.snapshot import Snapshot
from iamgate.policy.document import PolicyFormatError


def run_check(chk: Check, snapshot: Snapshot, ctx: Context) -> Iterator[Result]:
    meta = chk.meta
    errors = snapshot.errors_for(meta.requires)
    if errors:
        message = "not evaluated: " + "; ".join(dict.fromkeys(e.describe() for e in errors))
        yield Result(meta.id, snapshot.account_arn, "account", None, message, snapshot.account_id)
        return
    try:
        for o in chk.run(ctx):
            yield Result(
                meta.id, o.resource, o.resource_type, o.passed, o.message, snapshot.account_id
            )
    except PolicyFormatError as exc:
        yield Result(
            meta.id,
            snapshot.account_arn,
            "account",
            None,
            f"not evaluated: malformed policy in snapshot: {exc}",
            snapshot.account_id,
        )
    except Exception as exc:  # a bug in a check: fail closed, and say it is a bug
        raise InternalError(f"check {meta.id} crashed: {type(exc).__name__}: {exc}") from exc


def iter_checks(snapshot: Snapshot, config: Config, selected: Iterable[str]) -> Iterator[Result]:
    """The selected checks' results as they are made: the gate reads each one once, so the
    results of a large account (a million of them) are never all alive beside their findings."""
    ctx = Context(snapshot, config)
    try:
        for check_id in selected:
            yield from run_check(REGISTRY[check_id], snapshot, ctx)
    finally:
        ctx.close()  # a cycle the paused collector would keep (Context.close)


def run_checks(snapshot: Snapshot, config: Config, selected: Iterable[str]) -> list[Result]:
    return list(iter_checks(snapshot, config, selected))
