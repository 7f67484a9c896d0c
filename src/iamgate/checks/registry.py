"""The one registry of checks, and the runner that turns a snapshot into results.

A check is a pure function ``Context -> Iterable[Outcome]`` registered with its metadata. It
yields an outcome for every resource it evaluated, passing ones too. Metadata is validated when
the check is registered, and the id must match the function's name, so the catalogue and the
code cannot drift apart.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from iamgate.config import Config
from iamgate.model import Result, Severity
from iamgate.policy import PolicyFormatError, Statement, statements
from iamgate.snapshot import ManagedPolicy, Snapshot, Source

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


CheckFn = Callable[["Context"], Iterable[Outcome]]


@dataclass(frozen=True, slots=True)
class Check:
    meta: CheckMeta
    run: CheckFn


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
        )
        REGISTRY[id] = Check(meta, fn)
        return fn

    return register


class Context:
    """What a check sees: the snapshot, the configuration, and derived indexes built once."""

    def __init__(self, snapshot: Snapshot, config: Config):
        self.snapshot = snapshot
        self.config = config
        self.thresholds = config.thresholds
        # Ages are measured against the time of collection, so a replay gives the same answer.
        self.now: datetime = snapshot.collected_at
        self._statements: dict[str, tuple[Statement, ...]] = {}

    @property
    def account_arn(self) -> str:
        return self.snapshot.account_arn

    @cached_property
    def policies(self) -> dict[str, ManagedPolicy]:
        return self.snapshot.policy_by_arn()

    def managed_statements(self, arn: str) -> tuple[Statement, ...] | None:
        """Statements of a managed policy; None when the snapshot does not hold it."""
        found = self._statements.get(arn)
        if found is not None:
            return found
        policy = self.policies.get(arn)
        if policy is None:
            return None
        # Parsed once per run: a managed policy is read for every principal it is attached to.
        found = self._statements[arn] = statements(policy.document, source=arn)
        return found

    def age_days(self, when: datetime) -> int:
        return (self.now - when).days


def run_check(chk: Check, snapshot: Snapshot, ctx: Context) -> Iterator[Result]:
    meta = chk.meta
    errors = snapshot.errors_for(meta.requires)
    if errors:
        message = "not evaluated: " + "; ".join(dict.fromkeys(e.describe() for e in errors))
        yield Result(meta.id, snapshot.account_arn, "account", None, message, snapshot.account_id)
        return
    try:
        for o in chk.run(ctx):
            yield Result(
                meta.id, o.resource, o.resource_type, o.passed, o.message, snapshot.account_id
            )
    except PolicyFormatError as exc:
        yield Result(
            meta.id,
            snapshot.account_arn,
            "account",
            None,
            f"not evaluated: malformed policy in snapshot: {exc}",
            snapshot.account_id,
        )
    except Exception as exc:  # a bug in a check must fail closed, not pass
        yield Result(
            meta.id,
            snapshot.account_arn,
            "account",
            None,
            f"not evaluated: internal error in check: {type(exc).__name__}: {exc}",
            snapshot.account_id,
        )


def run_checks(snapshot: Snapshot, config: Config, selected: Iterable[str]) -> list[Result]:
    ctx = Context(snapshot, config)
    results: list[Result] = []
    for check_id in selected:
        results.extend(run_check(REGISTRY[check_id], snapshot, ctx))
    return results
