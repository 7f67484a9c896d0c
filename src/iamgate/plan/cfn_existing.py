"""A template's role, user or group that is already in the account: what it holds that the
template does not list.

CloudFormation updates a resource from the difference between the template it last deployed and
the new one: it detaches the managed policies, deletes the inline policies and leaves the groups
that the earlier template listed and this one does not. It does not reconcile what was changed
outside the stack (another stack, Terraform, the console): such changes are drift, which
"can complicate stack update or deletion operations" and which you resolve yourself
(https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-stack-drift.html); a
policy attached outside the stack even makes deleting the role fail ("must detach all policies
first"). So the template alone cannot say which of an existing entity's other policies goes:
each is read conservatively, as an unknown value is (docs/plan.md). One that holds a Deny is
taken as removed (a Deny removes nothing), and said; the others are taken as kept (an Allow
grants). Removing one wrongly can only add access, so no finding of access is hidden; keeping
one wrongly keeps access that was there already, and can hide only a finding that an absence
causes (support-role, when the template drops the support role's AWSSupportAccess;
group-no-members, when it drops a user's last group).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from iamgate.model.change import Assumed, Attach, Membership, Op, PrincipalKind, RemoveInline
from iamgate.model.results import Origin
from iamgate.model.snapshot import Group, ManagedPolicy, Role, Snapshot, User

__all__ = ["Existing", "Listed", "unlisted"]


@dataclass(frozen=True, slots=True)
class Existing:
    """The snapshot's principals by name and managed policies by ARN (built once a template)."""

    principals: Mapping[tuple[str, str], User | Group | Role]
    policies: Mapping[str, ManagedPolicy]

    @classmethod
    def of(cls, snapshot: Snapshot) -> Existing:
        principals: dict[tuple[str, str], User | Group | Role] = {}
        for kind, entities in (
            ("user", snapshot.users),
            ("group", snapshot.groups),
            ("role", snapshot.roles),
        ):
            for entity in entities:
                principals[(kind, entity.name)] = entity
        return cls(principals, snapshot.policy_by_arn())

    def group_denies(self, name: str) -> bool:
        group = self.principals.get(("group", name))
        return group is not None and self.holds_deny(group)

    def holds_deny(self, entity: User | Group | Role) -> bool:
        """Whether any policy of the entity itself (attached or inline) has a Deny statement."""
        documents = [p.document for p in entity.inline]
        documents += [
            self.policies[a.arn].document for a in entity.attached if a.arn in self.policies
        ]
        return any(has_deny(d) for d in documents)


def has_deny(document: Mapping[str, Any]) -> bool:
    """Whether a policy document has a statement whose Effect is Deny."""
    statements = document.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    return isinstance(statements, list) and any(
        isinstance(s, dict) and s.get("Effect") == "Deny" for s in statements
    )


def unlisted(
    existing: Existing,
    origin: Origin,
    kind: PrincipalKind,
    name: str,
    listed: Listed,
) -> list[Op]:
    """For a principal of the account the template declares: removals of the policies (and a
    user's groups) it holds, the template does not list, and that hold a Deny; each said."""
    entity = existing.principals.get((kind, name))
    if entity is None:
        return []
    ops: list[Op] = []
    for attached in entity.attached:
        policy = existing.policies.get(attached.arn)
        if attached.arn not in listed.arns and policy is not None and has_deny(policy.document):
            ops.append(Attach(origin, kind, name, attached.arn, attach=False))
            ops.append(_said(origin, kind, name, f"managed policy {attached.arn}", entity.arn))
    for inline in entity.inline:
        if inline.name not in listed.inline and has_deny(inline.document):
            ops.append(RemoveInline(origin, kind, name, inline.name))
            ops.append(_said(origin, kind, name, f"inline policy {inline.name}", entity.arn))
    if isinstance(entity, User):
        for group in entity.groups:
            if group not in listed.groups and existing.group_denies(group):
                ops.append(Membership(origin, name, group, add=False))
                ops.append(_said(origin, kind, name, f"group {group}", entity.arn))
    return ops


@dataclass(frozen=True, slots=True)
class Listed:
    """What the template's resource lists: ``ManagedPolicyArns``, ``Policies``, ``Groups``."""

    arns: Collection[str] = ()
    inline: Collection[str] = ()
    groups: Collection[str] = ()

    @classmethod
    def of(cls, arns: Iterable[str], inline: Iterable[str], groups: Iterable[str] = ()) -> Listed:
        return cls(frozenset(arns), frozenset(inline), frozenset(groups))


def _said(origin: Origin, kind: str, name: str, what: str, arn: str) -> Assumed:
    note = (
        f"{origin.address}: {kind} {name} holds {what}, which the template does not list: "
        "taken as removed, since it holds a Deny (CloudFormation removes it only if an earlier "
        "version of the template listed it)"
    )
    return Assumed(origin, note, arn)
