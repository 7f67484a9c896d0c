"""The gate: results + baseline -> a verdict with one status per finding.

Only *new* non-compliance (and expired exceptions, which count as new) fails the gate. A result
that could not be evaluated is an ``error``: the verdict is then never ``pass`` unless the user
explicitly allowed a partial view.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

from iamgate.errors import InputError
from iamgate.model.baseline import EMPTY, Baseline, BaselineException, exception_ref
from iamgate.model.results import (
    CheckInfo,
    ExceptionRef,
    Finding,
    Result,
    Severity,
    Status,
    Verdict,
    count_statuses,
)
from iamgate.model.snapshot import CollectionError

# Globs run against findings' resources before the baseline is refused as too costly to match.
# Only globs whose literal prefix starts a resource are run (each in linear time), so this is
# reached only by thousands of globs sharing one prefix, against thousands of findings: a
# baseline built to stall the gate. A few seconds of matching on a slow machine.
MAX_GLOB_RUNS = 2_000_000

# Enum members looked up once: ``Status.PASS`` costs a descriptor call each time (Python 3.11),
# which showed at 100,000-user scale.
_PASS, _FAIL, _ERROR = Status.PASS, Status.FAIL, Status.ERROR


def apply_baseline(
    results: Iterable[Result],
    baseline: Baseline = EMPTY,
    *,
    today: date,
    generated_at: datetime,
    account_id: str,
    fail_on: Severity = Severity.LOW,
    allow_partial: bool = False,
    expiring_within_days: int = 30,
    collection_errors: Sequence[CollectionError] = (),
    notes: Sequence[str] = (),
    tool_version: str = "",
    checks: Sequence[CheckInfo],
) -> Verdict:
    """``checks``: the checks that ran, in catalogue order; every result is one of theirs."""
    info = {c.id: c for c in checks}
    findings: list[Finding] = []
    used: set[int] = set()
    errored_checks: set[str] = set()
    runs = 0  # globs run against a resource, bounded by MAX_GLOB_RUNS
    for r in results:
        meta = info[r.check]
        status, ref = _PASS, None
        if r.passed is None:
            status = _ERROR
            errored_checks.add(r.check)
        elif not r.passed:
            status = _FAIL
            live: list[BaselineException] = []
            dead: list[BaselineException] = []
            matched = baseline.exact(r.check, r.resource)
            globs = baseline.glob_candidates(r.check, r.resource)
            if globs:
                runs += len(globs)
                if runs > MAX_GLOB_RUNS:
                    raise _too_many_globs(baseline, r.check, r.resource, globs)
                matched = [*matched, *(g for g in globs if g.matches(r.check, r.resource))]
            for exc in matched:
                used.add(id(exc))
                (live if exc.expires >= today else dead).append(exc)
            if live:
                # An exact entry is more specific than a glob: it is the one reported.
                best = min(live, key=lambda e: (e.is_glob, e.line))
                status, ref = Status.ACCEPTED, exception_ref(best)
            elif dead:
                best = max(dead, key=lambda e: e.expires)
                status, ref = Status.EXPIRED, exception_ref(best)
        findings.append(
            Finding(
                check=r.check,
                resource=r.resource,
                resource_type=r.resource_type,
                status=status,
                severity=meta.severity,
                title=meta.title,
                message=_expired_message(r.message, ref, today)
                if status is Status.EXPIRED
                else r.message,
                account_id=r.account_id or account_id,
                exception=ref,
            )
        )
    # An exception whose check did not run (left out by --checks/--skip-checks) or could not
    # run (error) may still be needed: its staleness was not observed, so it is not stale.
    stale = tuple(
        exception_ref(e)
        for e in baseline.exceptions
        if id(e) not in used and e.check in info and e.check not in errored_checks
    )
    return Verdict(
        account_id=account_id,
        generated_at=generated_at,
        today=today,
        findings=tuple(findings),
        stale=stale,
        collection_errors=tuple(collection_errors),
        fail_on=fail_on,
        allow_partial=allow_partial,
        expiring_within_days=expiring_within_days,
        notes=tuple(notes),
        tool_version=tool_version,
        checks=tuple(c.id for c in checks),
        counts=count_statuses(findings, len(stale)),
        baseline=baseline.source,
    )


def _too_many_globs(
    baseline: Baseline, check: str, resource: str, globs: Sequence[BaselineException]
) -> InputError:
    prefix = globs[0].resource.split("*", 1)[0]
    return InputError(
        f"the baseline's globs would have to be run more than {MAX_GLOB_RUNS:,} times against "
        f"the findings ({len(globs)} globs of {check} may match {resource}, e.g. those starting "
        f"{prefix!r}): narrow them or list the resources",
        baseline.source,
    )


def _expired_message(message: str, ref: ExceptionRef | None, today: date) -> str:
    if ref is None:
        return message
    days = (today - ref.expires).days
    return f"{message} [exception expired on {ref.expires:%Y-%m-%d}, {days} days ago, {ref.source}]"
