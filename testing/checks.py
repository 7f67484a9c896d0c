"""Helpers shared by the unit tests."""

from __future__ import annotations

from iamgate.checks import REGISTRY, catalogue, run_checks
from iamgate.model.config import Config, Thresholds
from iamgate.model.results import CheckInfo, Result
from iamgate.model.snapshot import Snapshot


def infos(*ids: str) -> list[CheckInfo]:
    """The gate's view of these checks (every check when none is named), in catalogue order."""
    known = catalogue()
    return [known[i] for i in (ids or tuple(known))]


def run(snapshot: Snapshot, check_id: str, config: Config | None = None) -> list[Result]:
    assert check_id in REGISTRY, check_id
    return run_checks(snapshot, config or Config(), [check_id])


def verdicts(
    snapshot: Snapshot, check_id: str, config: Config | None = None
) -> dict[str, bool | None]:
    """resource -> passed (None = could not be evaluated)."""
    return {r.resource: r.passed for r in run(snapshot, check_id, config)}


def only(snapshot: Snapshot, check_id: str, config: Config | None = None) -> Result:
    results = run(snapshot, check_id, config)
    assert len(results) == 1, results
    return results[0]


def thresholds(**kw: int) -> Config:
    return Config(thresholds=Thresholds(**kw))
