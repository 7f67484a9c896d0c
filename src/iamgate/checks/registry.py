"""The one registry of checks.

A check is a pure function ``Context -> Iterable[Outcome]`` registered with its metadata. It
yields an outcome for every resource it evaluated, passing ones too. Metadata is validated when
the check is registered, and the id must match the function's name, so the catalogue and the
code cannot drift apart.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from iamgate.model.results import CheckInfo, Severity
from iamgate.model.snapshot import Source

if TYPE_CHECKING:
    from iamgate.checks.context import Context

_ID = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


@dataclass(frozen=True, slots=True)
class Outcome:
    resource: str
    resource_type: str
    passed: bool | None  # None: this resource could not be evaluated
    message: str


@dataclass(frozen=True, slots=True)
class CheckMeta:
    id: str
    title: str
    severity: Severity
    resource_type: str
    requires: tuple[Source, ...]
    rationale: str
    remediation: str
    cis: tuple[str, ...] = ()
    fsbp: tuple[str, ...] = ()  # AWS Foundational Security Best Practices (Security Hub)
    # The AWS documentation of the behaviour the verdict relies on (docs/checks.md shows it).
    semantics: tuple[str, ...] = ()

    @property
    def info(self) -> CheckInfo:
        return CheckInfo(
            self.id,
            self.title,
            self.severity,
            self.cis,
            self.fsbp,
            rationale=self.rationale,
            remediation=self.remediation,
            docs=self.semantics,
        )


CheckFn = Callable[["Context"], Iterable[Outcome]]


@dataclass(frozen=True, slots=True)
class Check:
    meta: CheckMeta
    run: CheckFn

    @property
    def info(self) -> CheckInfo:
        """Its family is the theme module it is registered from (``checks/users.py``: users)."""
        return replace(self.meta.info, family=self.run.__module__.rsplit(".", 1)[-1])


REGISTRY: dict[str, Check] = {}


def check(
    *,
    id: str,
    title: str,
    severity: Severity,
    resource_type: str,
    requires: Sequence[Source],
    rationale: str,
    remediation: str,
    cis: Sequence[str] = (),
    semantics: Sequence[str],
    fsbp: Sequence[str] = (),
) -> Callable[[CheckFn], CheckFn]:
    def register(fn: CheckFn) -> CheckFn:
        problems = []
        if not _ID.match(id):
            problems.append("id must be kebab-case")
        if getattr(fn, "__name__", "") != id.replace("-", "_"):
            problems.append(f"function must be named {id.replace('-', '_')}")
        if id in REGISTRY:
            problems.append("id registered twice")
        if not (title and rationale.strip() and remediation.strip()):
            problems.append("title, rationale and remediation are required")
        if not requires:
            problems.append("requires must name the snapshot sources the check reads")
        if not semantics or not all(u.startswith("https://") for u in semantics):
            problems.append("semantics must link the AWS documentation the verdict relies on")
        if problems:
            raise ValueError(f"check {id!r}: {'; '.join(problems)}")
        meta = CheckMeta(
            id=id,
            title=title,
            severity=severity,
            resource_type=resource_type,
            requires=tuple(requires),
            rationale=" ".join(rationale.split()),
            remediation=" ".join(remediation.split()),
            cis=tuple(cis),
            fsbp=tuple(fsbp),
            semantics=tuple(semantics),
        )
        REGISTRY[id] = Check(meta, fn)
        return fn

    return register
