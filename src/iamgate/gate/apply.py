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
    """``checks``: the checks that ran, in catalogue order; every result is one of theirs.
    ``results`` is read once, as it comes (the checks may still be making it): a result is
    dropped as soon as its finding is made."""
    info = {c.id: c for c in checks}
    matcher = _Matcher(baseline, today)
    findings: list[Finding] = []
    add = findings.append
    errored_checks: set[str] = set()
    check, severity, title = "", Severity.INFO, ""
    # One string per distinct message of a check: a check says the same thing of many
    # resources, and the findings outlive the checks' strings (40 MB at 100,000 users).
    messages: dict[str, str] = {}
    for r in results:
        if r.check is not check:  # results come check by check: its info read once per run
            check = r.check
            severity, title = info[check].severity, info[check].title
            messages = {}
        passed = r.passed
        message = messages.setdefault(r.message, r.message)
        if passed:  # most results: nothing to decide
            status, ref = _PASS, None
        elif passed is None:
            status, ref = _ERROR, None
            errored_checks.add(check)
        else:
            status, ref = matcher.decide(check, r.resource)
            if ref is not None:
                message = _expired_message(message, status, ref, today)
        add(
            Finding(
                check,
                r.resource,
                r.resource_type,
                status,
                severity,
                title,
                message,
                r.account_id or account_id,
                ref,
            )
        )
    # An exception whose check did not run (left out by --checks/--skip-checks) or could not
    # run (error) may still be needed: its staleness was not observed, so it is not stale.
    stale = tuple(
        exception_ref(e)
        for e in baseline.exceptions
        if id(e) not in matcher.used and e.check in info and e.check not in errored_checks
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


class _Matcher:
    """A failing result's status on the baseline, and which exceptions were used."""

    def __init__(self, baseline: Baseline, today: date) -> None:
        self.baseline, self.today = baseline, today
        self.used: set[int] = set()
        self.runs = 0  # globs run against a resource, bounded by MAX_GLOB_RUNS

    def decide(self, check: str, resource: str) -> tuple[Status, ExceptionRef | None]:
        baseline = self.baseline
        if not baseline.exceptions:  # no baseline: every failing result is new
            return _FAIL, None
        live: list[BaselineException] = []
        dead: list[BaselineException] = []
        matched = baseline.exact(check, resource)
        globs = baseline.glob_candidates(check, resource)
        if globs:
            self.runs += len(globs)
            if self.runs > MAX_GLOB_RUNS:
                raise _too_many_globs(baseline, check, resource, globs)
            matched = [*matched, *(g for g in globs if g.matches(check, resource))]
        for exc in matched:
            self.used.add(id(exc))
            (live if exc.expires >= self.today else dead).append(exc)
        if live:
            # An exact entry is more specific than a glob: it is the one reported.
            best = min(live, key=lambda e: (e.is_glob, e.line))
            return Status.ACCEPTED, exception_ref(best)
        if dead:
            best = max(dead, key=lambda e: e.expires)
            return Status.EXPIRED, exception_ref(best)
        return _FAIL, None


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


def _expired_message(message: str, status: Status, ref: ExceptionRef, today: date) -> str:
    if status is not Status.EXPIRED:
        return message
    days = (today - ref.expires).days
    return f"{message} [exception expired on {ref.expires:%Y-%m-%d}, {days} days ago, {ref.source}]"
