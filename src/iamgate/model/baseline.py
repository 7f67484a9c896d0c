"""The baseline of accepted exceptions, as the gate sees it: entries and how they match.

Read from YAML by ``iamgate.formats.baseline_yaml``; matched against failing results by
``iamgate.gate``. A resource is an exact ARN or a ``*`` glob; matching is linear in the length
of the text, whatever the glob.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from iamgate.model.results import ExceptionRef

BASELINE_VERSION = 1


@dataclass(frozen=True, slots=True)
class BaselineException:
    check: str
    resource: str
    reason: str
    owner: str
    expires: date
    ticket: str | None = None
    allow_broad: bool = False
    source: str = ""
    line: int = 0

    @property
    def where(self) -> str:
        return f"{self.source}:{self.line}"

    @property
    def is_glob(self) -> bool:
        return "*" in self.resource

    def matches(self, check: str, resource: str) -> bool:
        if check != self.check:
            return False
        if not self.is_glob:
            return resource == self.resource
        return glob_match(self.resource, resource)

    def is_broad(self, account_id: str) -> bool:
        """A glob that covers every resource, or every resource of a kind in the account."""
        if not self.is_glob:
            return False
        stripped = self.resource.rstrip("*")
        return stripped == "" or bool(re.fullmatch(r"arn:[^:]*:[^:]*:[^:]*:\d{12}:?", stripped))


def glob_match(pattern: str, text: str) -> bool:
    """``*``-only glob match in linear passes of ``str.find``.

    The regex it replaces (``a.*b.*c`` with fullmatch) backtracks catastrophically on a pattern
    with many stars (found by fuzzing: one baseline entry could hang the gate). Matching each
    literal segment at its leftmost place is exact for globs whose only wildcard is ``*``.
    """
    if "*" not in pattern:
        return pattern == text
    first, *middle, last = pattern.split("*")
    if len(text) < len(first) + len(last) or not (text.startswith(first) and text.endswith(last)):
        return False
    pos, end = len(first), len(text) - len(last)
    for segment in middle:
        found = text.find(segment, pos, end)
        if found < 0:
            return False
        pos = found + len(segment)
    return True


@dataclass(frozen=True)  # no slots: the per-check index below is cached on the instance
class Baseline:
    account: str
    exceptions: tuple[BaselineException, ...]
    source: str = ""
    account_line: int = 0
    version: int = BASELINE_VERSION

    @cached_property
    def _by_check(self) -> dict[str, list[BaselineException]]:
        index: dict[str, list[BaselineException]] = {}
        for exc in self.exceptions:
            index.setdefault(exc.check, []).append(exc)
        return index

    def candidates(self, check: str) -> list[BaselineException]:
        return self._by_check.get(check, [])


EMPTY = Baseline(account="", exceptions=())


def exception_ref(exc: BaselineException) -> ExceptionRef:
    """The exception as findings and reports carry it."""
    return ExceptionRef(
        check=exc.check,
        resource=exc.resource,
        reason=exc.reason,
        owner=exc.owner,
        expires=exc.expires,
        ticket=exc.ticket,
        source=exc.where,
    )
