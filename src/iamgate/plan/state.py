"""The account while a change is applied to it (``plan/apply.py``): entities by name (policies by
ARN), report rows by user, and what the change touched, for attributing findings."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from iamgate.model.change import Assumed, ChangeSet, PrincipalKind, Unresolved
from iamgate.model.results import Origin
from iamgate.model.snapshot import (
    CredentialRow,
    Group,
    ManagedPolicy,
    Projection,
    Role,
    Snapshot,
    Source,
    User,
)
from iamgate.plan.aws_policies import lacking
from iamgate.plan.names import Account

Principal = User | Group | Role
AUTH = Source.AUTHORIZATION_DETAILS
REPORT = Source.CREDENTIAL_REPORT


@dataclass(frozen=True, slots=True)
class Projected:
    """The account after the change, and what the change touched."""

    snapshot: Snapshot
    touched: Mapping[str, tuple[Origin, ...]]  # ARN (or inline policy id) -> what touches it
    sources: frozenset[Source]  # the snapshot's data the change alters
    unresolved: tuple[Unresolved, ...] = ()
    assumed: tuple[Assumed, ...] = ()


@dataclass
class State:
    """The account being changed: entities by name (policies by ARN), report rows by user."""

    base: Snapshot
    account: Account
    users: dict[str, User]
    groups: dict[str, Group]
    roles: dict[str, Role]
    policies: dict[str, ManagedPolicy]
    rows: dict[str, CredentialRow]
    password_policy: Mapping[str, int | bool] | None
    # AWS-managed policies whose documents could not be had: ARN -> why, and how to fix it.
    absent: Mapping[str, str] = field(default_factory=dict)
    touched: dict[str, list[Origin]] = field(default_factory=dict)
    sources: set[Source] = field(default_factory=set)
    # (kind, old name) -> new name: what the change renamed in place (UpdateUser, UpdateGroup),
    # so that its operations that still name the old one find it.
    renamed: dict[tuple[str, str], str] = field(default_factory=dict)
    unresolved: list[Unresolved] = field(default_factory=list)
    assumed: list[Assumed] = field(default_factory=list)

    @classmethod
    def of(cls, snapshot: Snapshot, absent: Mapping[str, str] | None = None) -> State:
        return cls(
            base=snapshot,
            account=Account(snapshot.account_id, snapshot.partition),
            users={u.name: u for u in snapshot.users},
            groups={g.name: g for g in snapshot.groups},
            roles={r.name: r for r in snapshot.roles},
            policies={p.arn: p for p in snapshot.policies},
            rows={r.arn: r for r in snapshot.credential_report if not r.is_root},
            password_policy=snapshot.password_policy,
            absent=absent or {},
        )

    @property
    def now(self) -> datetime:
        return self.base.collected_at

    @property
    def reported(self) -> bool:
        """Whether the snapshot holds a credential report to change (it may have no rows)."""
        return not self.base.errors_for((REPORT,))

    def touch(self, origin: Origin, *arns: str, source: Source = AUTH) -> None:
        self.sources.add(source)
        for arn in arns:
            mine = self.touched.setdefault(arn, [])
            if origin not in mine:
                mine.append(origin)

    def fail(self, origin: Origin, reason: str, resource: str = "", *touches: Source) -> None:
        self.unresolved.append(Unresolved(origin, reason, touches or (AUTH,), resource))
        self.sources.update(touches or (AUTH,))

    def needs_document(self, origin: Origin, policy_arn: str, holder_arn: str) -> None:
        """A principal is given ``policy_arn``: without the document of an AWS-managed policy,
        the checks that read those documents cannot judge it (``plan/aws_policies.py``)."""
        if lacking(self.policies, policy_arn):
            why = self.absent.get(policy_arn) or (
                f"the snapshot lacks the document of AWS-managed policy {policy_arn}"
            )
            self.fail(origin, why, holder_arn, Source.AWS_MANAGED_POLICIES)

    # --- principals ------------------------------------------------------------------------------

    def table(self, kind: PrincipalKind | str) -> dict[str, Any]:
        tables: dict[str, dict[str, Any]] = {
            "user": self.users,
            "group": self.groups,
            "role": self.roles,
        }
        return tables[kind]

    def get(self, kind: PrincipalKind, name: str) -> Principal | None:
        """The principal of that name (or of the name a rename gave it), if any."""
        found: Principal | None = self.table(kind).get(self.renamed.get((kind, name), name))
        return found

    def principal(self, kind: PrincipalKind, name: str, origin: Origin) -> Principal | None:
        found = self.get(kind, name)
        if found is None:
            self.fail(origin, f"{kind} {name} is neither in the snapshot nor created by the change")
        return found

    def store(self, entity: Principal) -> None:
        self.table(kind_of(entity))[entity.name] = entity

    def count(self, arns: Iterable[str], delta: int) -> None:
        """Keep each managed policy's AttachmentCount as IAM would report it."""
        for arn in arns:
            policy = self.policies.get(arn)
            if policy is not None:
                count = max(policy.attachment_count + delta, 0)
                self.policies[arn] = dataclasses.replace(policy, attachment_count=count)

    def result(self, sets: Sequence[ChangeSet]) -> Projected:
        base = self.base
        root = [r for r in base.credential_report if r.is_root]
        listed = {u.arn for u in self.users.values()}
        rows = tuple(root) + tuple(r for r in self.rows.values() if r.arn in listed)
        projection = Projection(
            sources=tuple(c.source for c in sets),
            changes=sum(c.resources for c in sets),
            assumptions=tuple(dict.fromkeys(a.note for a in self.assumed)),
            unresolved=tuple(
                dict.fromkeys(f"{u.origin.address}: {u.reason}" for u in self.unresolved)
            ),
        )
        snapshot = dataclasses.replace(
            base,
            users=tuple(self.users.values()),
            groups=tuple(self.groups.values()),
            roles=tuple(self.roles.values()),
            policies=tuple(self.policies.values()),
            credential_report=rows if self.reported else base.credential_report,
            password_policy=self.password_policy,
            projection=projection,
        )
        touched = {arn: tuple(origins) for arn, origins in self.touched.items()}
        return Projected(
            snapshot, touched, frozenset(self.sources), tuple(self.unresolved), tuple(self.assumed)
        )


def kind_of(entity: Principal) -> PrincipalKind:
    return "user" if isinstance(entity, User) else "group" if isinstance(entity, Group) else "role"
