"""What checks say and what the gate decides: results, findings, verdicts.

Shared by the checks, the gate and every reporter; nothing here knows where data came from."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from operator import attrgetter

from iamgate.errors import ExitCode
from iamgate.model.snapshot import CollectionError


class Severity(StrEnum):
    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {s: i for i, s in enumerate(Severity)}


class Status(StrEnum):
    """Status of one (check, resource) pair after the gate."""

    PASS = "pass"
    FAIL = "fail"  # new non-compliance
    ACCEPTED = "accepted"  # matched by a live baseline exception
    EXPIRED = "expired"  # matched only by an exception past its date: fails the gate
    ERROR = "error"  # could not be evaluated


# A frozen dataclass's generated ``__init__`` sets each field with ``object.__setattr__``, a
# global and an attribute look-up per field. ``Result`` and ``Finding`` are made once per
# (check, resource), a million times for a large account: their ``__init__`` calls each slot's
# own setter (its member descriptor's ``__set__``, what ``object.__setattr__`` ends in), which
# halves the cost. Frozen as before: ``__setattr__`` still raises, ``replace`` still works.
Setter = Callable[[object, object], None]


def slot_setters(cls: type, names: Sequence[str]) -> tuple[Setter, ...]:
    """The setters of ``cls``'s slots ``names``, in that order."""
    return tuple(vars(cls)[name].__set__ for name in names)


@dataclass(frozen=True, slots=True, init=False)
class Result:
    """What a check says about one resource, before the baseline is applied."""

    check: str
    resource: str
    resource_type: str
    passed: bool | None  # None: could not be evaluated
    message: str
    account_id: str = ""

    def __init__(
        self,
        check: str,
        resource: str,
        resource_type: str,
        passed: bool | None,
        message: str,
        account_id: str = "",
    ) -> None:
        s = _RESULT_SETTERS
        s[0](self, check)
        s[1](self, resource)
        s[2](self, resource_type)
        s[3](self, passed)
        s[4](self, message)
        s[5](self, account_id)


_RESULT_SETTERS = slot_setters(Result, Result.__slots__)


@dataclass(frozen=True, slots=True)
class ExceptionRef:
    """The baseline exception that decided a finding's status."""

    check: str
    resource: str
    reason: str
    owner: str
    expires: date
    ticket: str | None
    source: str  # "file:line"


class Change(StrEnum):
    """What a planned change does to one (check, resource) pair (``iamgate plan``): the raw
    verdict after the change compared with the one before."""

    INTRODUCED = "introduced"  # failing (or not evaluable) after, not before
    FIXED = "fixed"  # failing before, passing or gone after
    UNCHANGED = "unchanged"


@dataclass(frozen=True, slots=True)
class Origin:
    """Where the cause of a finding is written: a Terraform resource address, or a
    CloudFormation logical id with the template's file and line. ``hop`` is, for an escalation
    path, the hop the change added. Plain text: every reporter escapes it for its format."""

    address: str
    file: str = ""
    line: int | None = None
    hop: str = ""

    def describe(self) -> str:
        where = f" ({self.file}:{self.line})" if self.file and self.line else ""
        where = f" ({self.file})" if self.file and not self.line else where
        return f"{self.address}{where}"


@dataclass(frozen=True, slots=True, init=False)
class Finding:
    """A result with its gate status; what every reporter renders."""

    check: str
    resource: str
    resource_type: str
    status: Status
    severity: Severity
    title: str
    message: str
    account_id: str = ""
    exception: ExceptionRef | None = None
    # Only in a plan's verdict: what the change does to it, and which change causes it.
    change: Change | None = None
    origin: Origin | None = None

    def __init__(
        self,
        check: str,
        resource: str,
        resource_type: str,
        status: Status,
        severity: Severity,
        title: str,
        message: str,
        account_id: str = "",
        exception: ExceptionRef | None = None,
        change: Change | None = None,
        origin: Origin | None = None,
    ) -> None:
        s = _FINDING_SETTERS  # see Result
        s[0](self, check)
        s[1](self, resource)
        s[2](self, resource_type)
        s[3](self, status)
        s[4](self, severity)
        s[5](self, title)
        s[6](self, message)
        s[7](self, account_id)
        s[8](self, exception)
        s[9](self, change)
        s[10](self, origin)


_FINDING_SETTERS = slot_setters(Finding, Finding.__slots__)


@dataclass(frozen=True, slots=True)
class CheckInfo:
    """What the gate and the reports need to know of a check: the registry hands it over, so
    neither imports every check."""

    id: str
    title: str
    severity: Severity
    cis: tuple[str, ...] = ()  # CIS AWS Foundations Benchmark ids
    fsbp: tuple[str, ...] = ()  # AWS Foundational Security Best Practices ids
    family: str = ""  # the catalogue's theme (the check's module): root, users, password, ...
    rationale: str = ""  # why it matters (SARIF rules' help, OCSF's compliance description)
    remediation: str = ""  # how to fix it
    docs: tuple[str, ...] = ()  # the AWS documentation its verdict relies on


_STATUS = attrgetter("status")

COUNT_KEYS = ("new", "expired", "accepted", "stale", "passed", "errors")


def count_statuses(findings: Sequence[Finding], stale: int) -> dict[str, int]:
    """The counts every report shows, keyed as in ``COUNT_KEYS``."""
    by = Counter(map(_STATUS, findings))  # one C-level pass
    return {
        "new": by[Status.FAIL],
        "expired": by[Status.EXPIRED],
        "accepted": by[Status.ACCEPTED],
        "stale": stale,
        "passed": by[Status.PASS],
        "errors": by[Status.ERROR],
    }


@dataclass(frozen=True, slots=True)
class SinceLastRun:
    """What changed since the previous run (``gate.since``). A finding is known by its
    (account, check, resource); "failing" is ``fail`` or ``expired``."""

    previous_generated_at: datetime
    appeared: tuple[Finding, ...] = ()  # failing now, not failing then (as they are now)
    fixed: tuple[Finding, ...] = ()  # failing then, passing or gone now (as they were then)
    accepted: tuple[Finding, ...] = ()  # failing then, accepted by an exception now

    @property
    def changed(self) -> bool:
        return bool(self.appeared or self.fixed or self.accepted)


@dataclass(frozen=True, slots=True)
class PlanComparison:
    """A plan's verdict compared with the account before the change (``gate.plan``).

    ``introduced`` and ``fixed`` are as the findings are after and before the change
    respectively (a fixed finding may be gone after: its resource deleted). ``blind`` names the
    checks the change touches that could not run at all on the account after: the gate cannot
    see what the change does there, so the plan is never a pass."""

    sources: tuple[str, ...]  # the plan and template files
    changes: int  # resource changes modelled
    introduced: tuple[Finding, ...] = ()
    fixed: tuple[Finding, ...] = ()
    blind: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Verdict:
    """The gate's decision on one account (or several, see ``accounts``)."""

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
    # Per-account verdicts when several accounts are reported together (``gate.combine``); the
    # fields above then hold the union, and the status is the worst account's.
    accounts: tuple[Verdict, ...] = ()
    since: SinceLastRun | None = None  # with --previous: the comparison with that run
    plan: PlanComparison | None = None  # `iamgate plan`: only introduced findings fail
    # The baseline file this account was gated on, as it was named ("" when none, or when the
    # verdict was read back from results.json): where SARIF results point when nothing closer is.
    baseline: str = ""
    # What is derived from the fields above (all immutable) and asked for by every reporter:
    # each a pass over every finding, so worked out once. Not a field of ``replace``.
    _derived: dict[str, object] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def non_passing(self) -> tuple[Finding, ...]:
        """The findings whose status is not ``pass``, in order: all that most reports look at
        (a large account's findings are mostly passes), picked once."""
        found = self._derived.get("non_passing")
        if not isinstance(found, tuple):
            passed = Status.PASS  # looked up once: an enum member is a slow class attribute
            found = tuple([f for f in self.findings if f.status is not passed])
            self._derived["non_passing"] = found
        return found

    @property
    def blocking(self) -> list[Finding]:
        found = self._derived.get("blocking")
        if not isinstance(found, tuple):
            failing = (Status.FAIL, Status.EXPIRED)
            blocks = {s: s.rank >= self.fail_on.rank for s in Severity}
            # A plan fails only on what it introduces: never on non-compliance it did not cause.
            kept = Change.UNCHANGED, Change.FIXED
            found = tuple(
                f
                for f in self.non_passing
                if f.status in failing and blocks[f.severity] and f.change not in kept
            )
            self._derived["blocking"] = found
        return list(found)

    @property
    def has_errors(self) -> bool:
        error = Status.ERROR
        if self.plan is not None:  # what the change touches and could not be judged
            introduced = Change.INTRODUCED
            return bool(self.plan.blind) or any(
                f.status is error and f.change is introduced for f in self.non_passing
            )
        return bool(self.collection_errors) or any(f.status is error for f in self.non_passing)

    @property
    def status(self) -> str:
        """``fail``, ``error`` or ``pass`` for the whole run."""
        found = self._derived.get("status")
        if not isinstance(found, str):
            found = self._status()
            self._derived["status"] = found
        return found

    def _status(self) -> str:
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
            for f in self.non_passing
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
