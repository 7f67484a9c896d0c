"""The gate: results + baseline -> a verdict with one status per finding.

Only *new* non-compliance (and expired exceptions, which count as new) fails the gate. A result
that could not be evaluated is an ``error``: the verdict is then never ``pass`` unless the user
explicitly allowed a partial view.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from iamgate.baseline import EMPTY, Baseline, BaselineException
from iamgate.checks import REGISTRY
from iamgate.errors import ExitCode
from iamgate.model import ExceptionRef, Finding, Result, Severity, Status
from iamgate.snapshot import CollectionError

COUNT_KEYS = ("new", "expired", "accepted", "stale", "passed", "errors")


def exception_ref(exc: BaselineException) -> ExceptionRef:
    return ExceptionRef(
        check=exc.check,
        resource=exc.resource,
        reason=exc.reason,
        owner=exc.owner,
        expires=exc.expires,
        ticket=exc.ticket,
        source=exc.where,
    )


@dataclass(frozen=True, slots=True)
class Verdict:
    account_id: str
    generated_at: datetime
    today: date
    findings: tuple[Finding, ...]
    stale: tuple[ExceptionRef, ...] = ()
    collection_errors: tuple[CollectionError, ...] = ()
    fail_on: Severity = Severity.LOW
    allow_partial: bool = False
    expiring_within_days: int = 30
    notes: tuple[str, ...] = ()  # e.g. thresholds changed from the CIS defaults
    tool_version: str = ""
    checks: tuple[str, ...] = ()  # the checks that ran, in catalogue order
    counts: dict[str, int] = field(default_factory=dict)
    # Per-account verdicts when several accounts are reported together (see ``combine``); the
    # fields above then hold the union, and the status is the worst account's.
    accounts: tuple[Verdict, ...] = ()

    @property
    def blocking(self) -> list[Finding]:
        failing, rank = (Status.FAIL, Status.EXPIRED), self.fail_on.rank
        return [f for f in self.findings if f.status in failing and f.severity.rank >= rank]

    @property
    def has_errors(self) -> bool:
        error = Status.ERROR
        return bool(self.collection_errors) or any(f.status is error for f in self.findings)

    @property
    def status(self) -> str:
        """``fail``, ``error`` or ``pass`` for the whole run."""
        if self.accounts:
            statuses = {a.status for a in self.accounts}
            return next(s for s in ("fail", "error", "pass") if s in statuses)
        if self.blocking:
            return "fail"
        if self.has_errors and not self.allow_partial:
            return "error"
        return "pass"

    @property
    def exit_code(self) -> ExitCode:
        return {"fail": ExitCode.FAIL, "error": ExitCode.COLLECT_ERROR}.get(
            self.status, ExitCode.PASS
        )

    def expiring(self) -> list[Finding]:
        """Accepted findings whose exception expires within the warning window."""
        return [
            f
            for f in self.findings
            if f.status is Status.ACCEPTED
            and f.exception is not None
            and (f.exception.expires - self.today).days <= self.expiring_within_days
        ]

    def one_line(self) -> str:
        c = self.counts
        word = {"fail": "FAIL", "error": "ERROR", "pass": "PASS"}[self.status]
        return (
            f"iamgate: {word}: {c['new']} new, {c['expired']} expired, {c['accepted']} accepted, "
            f"{c['stale']} stale, {c['passed']} passed, {c['errors']} errors"
        )


def _count(findings: Sequence[Finding], stale: int) -> dict[str, int]:
    by = dict.fromkeys(Status, 0)
    for f in findings:
        by[f.status] += 1
    return {
        "new": by[Status.FAIL],
        "expired": by[Status.EXPIRED],
        "accepted": by[Status.ACCEPTED],
        "stale": stale,
        "passed": by[Status.PASS],
        "errors": by[Status.ERROR],
    }


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
    checks: Sequence[str] = (),
) -> Verdict:
    findings: list[Finding] = []
    used: set[int] = set()
    errored_checks: set[str] = set()
    for r in results:
        meta = REGISTRY[r.check].meta
        status, ref = _PASS, None
        if r.passed is None:
            status = _ERROR
            errored_checks.add(r.check)
        elif not r.passed:
            status = _FAIL
            live: list[BaselineException] = []
            dead: list[BaselineException] = []
            for exc in baseline.candidates(r.check):
                if exc.matches(r.check, r.resource):
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
    # An exception whose check could not run may still be needed: it is not called stale.
    stale = tuple(
        exception_ref(e)
        for e in baseline.exceptions
        if id(e) not in used and e.check not in errored_checks
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
        checks=tuple(checks),
        counts=_count(findings, len(stale)),
    )


def _expired_message(message: str, ref: ExceptionRef | None, today: date) -> str:
    if ref is None:
        return message
    days = (today - ref.expires).days
    return f"{message} [exception expired on {ref.expires:%Y-%m-%d}, {days} days ago, {ref.source}]"


def combine(verdicts: Sequence[Verdict]) -> Verdict:
    """One verdict over several accounts: the union of their findings, the worst status.

    Each account keeps its own verdict (baseline, errors, counts) in ``accounts``; reporters
    show them per account. Accounts are sorted by id so every run lists them alike.
    """
    if not verdicts:
        raise ValueError("no verdicts to combine")
    ordered = tuple(sorted(verdicts, key=lambda v: v.account_id))
    first = ordered[0]
    counts = {k: sum(v.counts.get(k, 0) for v in ordered) for k in COUNT_KEYS}
    return Verdict(
        account_id=first.account_id if len(ordered) == 1 else "",
        generated_at=max(v.generated_at for v in ordered),
        today=first.today,
        findings=tuple(f for v in ordered for f in v.findings),
        stale=tuple(e for v in ordered for e in v.stale),
        collection_errors=tuple(
            e if e.account_id else replace(e, account_id=v.account_id)
            for v in ordered
            for e in v.collection_errors
        ),
        fail_on=first.fail_on,
        allow_partial=first.allow_partial,
        expiring_within_days=first.expiring_within_days,
        notes=tuple(dict.fromkeys(n for v in ordered for n in v.notes)),
        tool_version=first.tool_version,
        checks=tuple(dict.fromkeys(c for v in ordered for c in v.checks)),
        counts=counts,
        accounts=ordered,
    )
