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

    def is_broad(self, account_id: str = "") -> bool:
        """A glob whose wildcard reaches before the resource's name (:func:`broad_reach`)."""
        return broad_reach(self.resource) is not None


# The parts of an ARN, in order: ``arn:partition:service:region:account:resource``
# (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html). The resource is a
# type and a name, ``user/path/name``, ``role/name``, ``log-group:name``; an IAM user's or
# role's path belongs to its name. The account-level resource ``root`` has no name.
_ARN_PARTS = ("start of the ARN", "partition", "service", "region", "account")
_ACCOUNT = re.compile(r"[0-9]{12}|aws")  # an account id, or "aws" (AWS managed policies)
_TYPE = re.compile(r"[A-Za-z0-9-]+[/:]")  # a resource type and its separator, all literal


def broad_reach(pattern: str) -> str | None:
    """The part of the ARN that ``pattern``'s first wildcard reaches into, when it reaches
    before the resource's name; None for an exact resource or a wildcard inside the name.

    ``arn:aws:iam::123456789012:user/ci-*`` matches some users by name: not broad. ``*``,
    ``a*``, ``arn:*``, ``*:*``, ``arn:aws:iam::*``, ``arn:aws:iam::1234*`` (a partial account),
    ``arn:aws:iam::123456789012:*``, ``...:u*`` and ``...:user/*`` (every user: a name of
    wildcards only) all reach before a name: one entry would accept a whole check, or every
    resource of a kind. ``...:user/*-ci`` names users by a suffix: not broad."""
    if "*" not in pattern:
        return None
    prefix = pattern.split("*", 1)[0]
    parts = prefix.split(":", 5)
    for index, name in enumerate(_ARN_PARTS):
        if index >= len(parts) - 1:  # the wildcard is inside this part
            return name
        value = parts[index]
        if (index == 0 and value != "arn") or (index in (1, 2) and not value):
            return name
        if index == 4 and not _ACCOUNT.fullmatch(value):
            return name
    kind = _TYPE.match(parts[5])
    name = pattern[len(":".join(parts[:5])) + 1 + (kind.end() if kind else 0) :]
    if kind is None or not name.strip("*/"):  # no type, or a name that is only wildcards
        return "resource type"
    return None


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
