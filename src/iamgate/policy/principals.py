"""Principals' effective access, worked out from the snapshot once per run.

Every policy that applies: attached managed and inline policies, a user's groups' policies, and
the permissions boundary that limits them. If any of those documents is missing from the
snapshot, the principal's access is unknown (and its checks say error, never pass).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from iamgate.model.snapshot import Group, ManagedPolicy, Role, Snapshot, User
from iamgate.policy.access import (
    ADMIN_POLICY_ARN_SUFFIX,
    Access,
    Decision,
    Grant,
    admin_grants,
    admin_revoked_by,
    combine,
    decide,
    describe_admin,
)
from iamgate.policy.document import Statement, statements

SERVICE_LINKED_PATH = "/aws-service-role/"
SSO_PATH = "/aws-reserved/sso.amazonaws.com/"
Entity = User | Group | Role


def kind_of(entity: Entity) -> str:
    return "user" if isinstance(entity, User) else "group" if isinstance(entity, Group) else "role"


def is_service_linked(entity: Entity) -> bool:
    return isinstance(entity, Role) and entity.path.startswith(SERVICE_LINKED_PATH)


def inline_policy_id(principal_arn: str, name: str) -> str:
    """Inline policies have no ARN; this names one for findings and baselines."""
    return f"{principal_arn}#inline/{name}"


@dataclass(frozen=True, slots=True)
class Effective:
    """A principal's access, or why it could not be worked out."""

    access: Access | None
    problem: str = ""
    via: dict[str, str] = field(default_factory=dict)  # policy source -> "group NAME"
    boundary_arn: str = ""

    def where(self, st: Statement) -> str:
        via = self.via.get(st.source)
        return f"{st.label} (via {via})" if via else st.label


class Principals:
    """Parsed policies and effective access of the snapshot's principals, each worked out once
    (a managed policy is read for every principal it is attached to; two checks ask for the same
    principal's access)."""

    def __init__(self, snapshot: Snapshot):
        self.snapshot = snapshot
        self.policies: dict[str, ManagedPolicy] = snapshot.policy_by_arn()
        self.groups: dict[str, Group] = {g.name: g for g in snapshot.groups}
        self._statements: dict[str, tuple[Statement, ...]] = {}
        self._access: dict[str, Effective] = {}

    def managed_statements(self, arn: str) -> tuple[Statement, ...] | None:
        """Statements of a managed policy; None when the snapshot does not hold it."""
        found = self._statements.get(arn)
        if found is not None:
            return found
        policy = self.policies.get(arn)
        if policy is None:
            return None
        found = self._statements[arn] = statements(policy.document, source=arn)
        return found

    def access(self, entity: Entity) -> Effective:
        found = self._access.get(entity.arn)
        if found is None:
            found = self._access[entity.arn] = self._effective(entity)
        return found

    def entity_statements(self, entity: Entity) -> tuple[list[Statement], list[str]]:
        """All statements of an entity's own policies, and the managed ARNs the snapshot lacks."""
        sts: list[Statement] = []
        missing: list[str] = []
        for att in entity.attached:
            found = self.managed_statements(att.arn)
            if found is None:
                missing.append(att.arn)
            else:
                sts.extend(found)
        for pol in entity.inline:
            sts.extend(statements(pol.document, source=inline_policy_id(entity.arn, pol.name)))
        return sts, missing

    def _effective(self, entity: Entity) -> Effective:
        sts, missing = self.entity_statements(entity)
        via: dict[str, str] = {}
        absent: list[str] = []
        if isinstance(entity, User):
            for name in entity.groups:
                grp = self.groups.get(name)
                if grp is None:
                    absent.append(f"group {name}")
                    continue
                more, lacking = self.entity_statements(grp)
                sts.extend(more)
                missing.extend(lacking)
                for st in more:
                    via.setdefault(st.source, f"group {name}")
        absent.extend(f"policy {arn}" for arn in missing)
        boundary = None
        if not isinstance(entity, Group) and entity.permissions_boundary:
            found = self.managed_statements(entity.permissions_boundary)
            if found is None:
                absent.append(f"permissions boundary {entity.permissions_boundary}")
            else:
                boundary = found
        if absent:
            return Effective(None, f"not evaluated: the snapshot lacks {', '.join(absent)}", via)
        boundary_arn = "" if isinstance(entity, Group) else entity.permissions_boundary or ""
        return Effective(Access(tuple(sts), boundary), "", via, boundary_arn)


def admin_verdict(sts: list[Statement], attached_arns: list[str]) -> tuple[bool, str]:
    """(is admin, why) for a set of statements (plus attached ARNs that the snapshot lacks)."""
    named = [a for a in attached_arns if a.endswith(ADMIN_POLICY_ARN_SUFFIX)]
    grants = admin_grants(sts)
    revoked = admin_revoked_by(sts)
    if revoked is not None and (grants or named):
        return False, f"administrator access is granted but denied by {revoked.label}"
    if grants:
        return True, describe_admin(grants[0])
    if named:
        return True, f"{named[0]} is attached"
    return False, "no statement grants full administrator access"


class Decisions:
    """Per-policy answers for the catalogue's actions, shared by every principal of a run.

    The same few dozen actions are asked of every principal, and most policies are shared
    (groups, managed policies), so each (policy, action) is decided once; the answers combine
    exactly as :meth:`iamgate.policy.Access.allows` does (a unit test holds them equal).
    """

    def __init__(self) -> None:
        self._cache: dict[tuple[str, str], Decision] = {}

    def _decide(self, source: str, sts: tuple[Statement, ...], action: str) -> Decision:
        key = (source, action)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = decide(sts, action)
        return found

    def allows(self, eff: Effective, action: str) -> Grant | None:
        access = eff.access
        if access is None:
            return None
        grant = combine(
            action, (self._decide(src, sts, action) for src, sts in _by_source(access.statements))
        )
        if grant is None or access.boundary is None:
            return grant
        bound = self._decide(f"boundary:{eff.boundary_arn}", access.boundary, action)
        return grant if combine(action, [bound]) is not None else None


def _by_source(sts: tuple[Statement, ...]) -> list[tuple[str, tuple[Statement, ...]]]:
    """Statements grouped by the policy that holds them, in order."""
    groups: dict[str, list[Statement]] = {}
    for st in sts:
        groups.setdefault(st.source or "?", []).append(st)
    return [(k, tuple(v)) for k, v in groups.items()]
