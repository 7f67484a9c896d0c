"""The baseline of accepted exceptions, as the gate sees it: entries and how they match.

Read from YAML by ``iamgate.formats.baseline_yaml``; matched against failing results by
``iamgate.gate``. A resource is an exact ARN or a ``*`` glob; matching is linear in the length
of the text, whatever the glob.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cached_property, lru_cache

from iamgate.globs import pieces_match
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
    """``*``-only glob match in linear passes of ``str.find`` (:mod:`iamgate.globs`)."""
    if "*" not in pattern:
        return pattern == text
    return pieces_match(_pieces(pattern), text)


@lru_cache(maxsize=65536)
def _pieces(pattern: str) -> tuple[str, ...]:
    """A glob's literal text around its stars, split once (a baseline's globs are run against
    every finding of their check)."""
    return tuple(pattern.split("*"))


@dataclass(frozen=True, slots=True)
class _Index:
    exact: dict[tuple[str, str], list[BaselineException]]
    # check -> literal prefix (the text before the first ``*``) -> globs with that prefix
    globs: dict[str, dict[str, list[BaselineException]]]
    lengths: dict[str, tuple[int, ...]]  # check -> the distinct prefix lengths, longest first


@dataclass(frozen=True)  # no slots: the index below is cached on the instance
class Baseline:
    """Matching a finding costs one dict look-up for the exact entry, plus one per distinct
    glob-prefix length of its check; only globs whose literal prefix starts the resource are
    then run (each in linear time). 40,000 findings against 40,000 exceptions: seconds, not the
    minutes a per-check scan took."""

    account: str
    exceptions: tuple[BaselineException, ...]
    source: str = ""
    account_line: int = 0
    version: int = BASELINE_VERSION

    @cached_property
    def _index(self) -> _Index:
        exact: dict[tuple[str, str], list[BaselineException]] = {}
        globs: dict[str, dict[str, list[BaselineException]]] = {}
        for exc in self.exceptions:
            if exc.is_glob:
                prefix = exc.resource.split("*", 1)[0]
                globs.setdefault(exc.check, {}).setdefault(prefix, []).append(exc)
            else:
                exact.setdefault((exc.check, exc.resource), []).append(exc)
        lengths = {
            check: tuple(sorted({len(p) for p in by_prefix}, reverse=True))
            for check, by_prefix in globs.items()
        }
        return _Index(exact, globs, lengths)

    def exact(self, check: str, resource: str) -> list[BaselineException]:
        """The exceptions naming exactly this resource for this check."""
        return self._index.exact.get((check, resource), [])

    def glob_candidates(self, check: str, resource: str) -> list[BaselineException]:
        """The check's globs whose literal prefix starts ``resource``: the only ones that may
        match it (each still to be run with :meth:`BaselineException.matches`)."""
        index = self._index
        by_prefix = index.globs.get(check)
        if not by_prefix:
            return []
        found: list[BaselineException] = []
        for n in index.lengths[check]:
            if n <= len(resource):
                found.extend(by_prefix.get(resource[:n], ()))
        return found

    def matching(self, check: str, resource: str) -> list[BaselineException]:
        """Every exception that matches (check, resource): exact entries first."""
        found = list(self.exact(check, resource))
        found += [e for e in self.glob_candidates(check, resource) if e.matches(check, resource)]
        return found


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
