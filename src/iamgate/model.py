"""Core value types shared by checks, the gate and the reporters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


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


@dataclass(frozen=True, slots=True)
class Result:
    """What a check says about one resource, before the baseline is applied."""

    check: str
    resource: str
    resource_type: str
    passed: bool | None  # None: could not be evaluated
    message: str
    account_id: str = ""


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


@dataclass(frozen=True, slots=True)
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
