"""Running the checks: what they derived is freed once they have all run, by reference counts
alone (a run pauses the cyclic collector, and freezes what it left: ``app/batch.py``)."""

from __future__ import annotations

import gc
from collections.abc import Iterable

import pytest

from iamgate.checks import REGISTRY
from iamgate.checks.context import Context
from iamgate.checks.runner import iter_checks
from iamgate.model.config import Config
from iamgate.model.snapshot import Snapshot
from testing.factories import ADMIN, doc, group, role, snap, user


def _account() -> Snapshot:
    """An admin user, a role that trusts the account, a group: enough for every check's
    derived data (policies, principals, trust, the escalation graph)."""
    trusts_account = doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
            "Action": "sts:AssumeRole",
        }
    )
    return snap(
        users=(user("admin", attached=(ADMIN.arn,)), user("dev", groups=("g",))),
        groups=(group("g"),),
        roles=(role("r", trusts_account),),
        policies=(ADMIN,),
    )


def _cyclic_garbage(results: Iterable[object]) -> list[str]:
    """The iamgate types among what only the cyclic collector would free once ``results`` is
    read to its end with the collector paused."""
    gc.collect()
    was = gc.isenabled()
    gc.disable()
    try:
        assert list(results)
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        return [type(o).__name__ for o in gc.garbage if type(o).__module__.startswith("iamgate")]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if was:
            gc.enable()


def test_what_the_checks_derived_is_freed_by_reference_counts() -> None:
    assert _cyclic_garbage(iter_checks(_account(), Config(), list(REGISTRY))) == []


def test_without_close_the_context_is_cyclic_garbage(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The near miss: the context kept as it is (the escalation graph refers back to it)
    is left for the collector; the test above can fail."""
    monkeypatch.setattr(Context, "close", lambda _self: None)
    assert "Context" in _cyclic_garbage(iter_checks(_account(), Config(), list(REGISTRY)))
