"""Principals' effective access, built from the snapshot once per run.

Every policy that applies: attached managed and inline policies, a user's groups' policies, and
the permissions boundary that limits them. If any of those documents is missing from the
snapshot, the principal's access is unknown (and its checks say error, never pass). A group is
judged as "a member holding only the group's policies".

Each principal's policies are read for it (:func:`.request.specialize`): a condition on its
own keys (aws:PrincipalType, aws:PrincipalArn, its tags, its organization...) is decided once,
so every question asked of its access, one decision or the escalation graph's bitsets, sees the
same statements. What the snapshot tells of a principal is in :meth:`Principals.identity`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from iamgate.model.snapshot import (
    Group,
    InlinePolicy,
    ManagedPolicy,
    Role,
    Snapshot,
    Source,
    Tag,
    User,
)
from iamgate.policy.admin import AdminVerdict, admin, verdict_key
from iamgate.policy.document import Policy, PolicyFormatError, inline_policy_id, parse_policy
from iamgate.policy.evaluate import Access, Attachment, Identity, member_of
from iamgate.policy.organization import Levels, read_bounds
from iamgate.policy.request import Reading, specialize, tags_of
from iamgate.policy.trust_statements import (
    ParsedTrust,
    document_key,
    parse_trust,
    takes_session_tags,
)

HOLDER = "(holder)"  # a hypothetical holder of a policy: IAM names cannot hold parentheses
FEDERATION = "sts:GetFederationToken"
Holder = tuple[Identity, str]  # who, and the ARN the policy is attached to (who or its group)

SERVICE_LINKED_PATH = "/aws-service-role/"
SERVICE_LINKED_ARN = f":role{SERVICE_LINKED_PATH}"
SSO_PATH = "/aws-reserved/sso.amazonaws.com/"
ADMIN_POLICY_ARN_SUFFIX = ":policy/AdministratorAccess"
Entity = User | Group | Role

__all__ = [
    "ADMIN_POLICY_ARN_SUFFIX",
    "SERVICE_LINKED_PATH",
    "SSO_PATH",
    "Effective",
    "Entity",
    "Holder",
    "Principals",
    "inline_policy_id",
    "is_service_linked",
    "kind_of",
]


def kind_of(entity: Entity) -> str:
    return "user" if isinstance(entity, User) else "group" if isinstance(entity, Group) else "role"


def is_service_linked(entity: Entity) -> bool:
    return isinstance(entity, Role) and entity.path.startswith(SERVICE_LINKED_PATH)


def _tags(tags: tuple[Tag, ...] | None) -> tuple[tuple[str, str], ...] | None:
    return None if tags is None else tags_of((t.key, t.value) for t in tags)


@dataclass(frozen=True, slots=True)
class Effective:
    """A principal's access, or why it could not be worked out."""

    access: Access | None
    problem: str = ""


# Users of one profile: their attachments, boundary, group ARNs, or why access is unknown.
_Profile = tuple[tuple[Attachment, ...], Policy | None, tuple[str, ...], str]


class Principals:
    """Parsed policies and effective access of the snapshot's users, groups and roles, each
    worked out once (a managed policy is parsed once for all its holders, and several checks
    ask for the same principal's access)."""

    def __init__(self, snapshot: Snapshot):
        self.snapshot = snapshot
        self.managed: dict[str, ManagedPolicy] = snapshot.policy_by_arn()
        self.groups: dict[str, Group] = {g.name: g for g in snapshot.groups}
        self._parsed: dict[str, Policy] = {}
        self._access: dict[str, Effective] = {}
        self._verdict: dict[str, AdminVerdict] = {}
        self._by_key: dict[tuple[object, ...], AdminVerdict] = {}
        self._groups_own: dict[str, tuple[list[Attachment], list[str]]] = {}
        self._read_for: dict[tuple[str, Reading], Policy] = {}
        self._federation: dict[str, bool] = {}
        self._groups_federate: dict[tuple[str, ...], bool] = {}
        self._trust_keys: dict[str, str] = {}
        self._session_tags: dict[str, bool] = {}
        self._parsed_trusts: dict[str, ParsedTrust] = {}
        self._profiles: dict[tuple[tuple[str, ...], str | None], _Profile | None] = {}
        self._verdict_keys: dict[tuple[int, int, int], tuple[object, ...] | None] = {}
        self._shared: set[int] = set()  # ids of the attachments tuples profiles share
        self._levels: dict[tuple[int, ...], Levels] = {}
        self.organization, self.organization_problem = read_bounds(
            snapshot.organization_policies, snapshot.account_id
        )
        org = snapshot.organization
        self._org_known = org is not None and not snapshot.errors_for([Source.ORGANIZATION])
        self._org = org.id if org is not None else None

    def policy(self, arn: str) -> Policy | None:
        """A managed policy, parsed; None when the snapshot does not hold it."""
        found = self._parsed.get(arn)
        if found is None:
            doc = self.managed.get(arn)
            if doc is None:
                return None
            found = self._parsed[arn] = parse_policy(arn, doc.document)
        return found

    def identity(self, entity: Entity) -> Identity:
        """Who ``entity``'s policies are evaluated for, with what the snapshot tells of the
        keys of its requests: its tags (unknown for a role whose trust allows session tags),
        its user id, the account's organization; a group is a placeholder member."""
        account, org, known = self.snapshot.account_id, self._org, self._org_known
        if isinstance(entity, Group):
            return replace(member_of(entity.arn, account), org=org, org_known=known)
        if isinstance(entity, User):
            own = not self._may_federate(entity)
            tags = _tags(entity.tags)
            return Identity(
                entity.arn, "user", entity.name, account, tags, org, known, entity.unique_id, own
            )
        tags = None if self._takes_session_tags(entity) else _tags(entity.tags)
        return Identity(entity.arn, "role", entity.name, account, tags, org, known)

    def trust_key(self, role: Role) -> str:
        """The role's trust policy as text (:func:`.trust_statements.document_key`), made once
        per role: what is read of a trust alone is worked out once per distinct text (roles
        made from one template share theirs), here and in ``Context.assumers``."""
        found = self._trust_keys.get(role.arn)
        if found is None:
            found = self._trust_keys[role.arn] = document_key(role.trust_policy)
        return found

    def parsed_trust(self, role: Role) -> ParsedTrust:
        """The role's trust, parsed once per distinct text (here for its session tags, and
        in ``Context.assumers``); PolicyFormatError when unreadable."""
        key = self.trust_key(role)
        found = self._parsed_trusts.get(key)
        if found is None:
            statements, notes = parse_trust(role.trust_policy)
            found = self._parsed_trusts[key] = (tuple(statements), tuple(notes))
        return found

    def _takes_session_tags(self, role: Role) -> bool:
        """:func:`.trust_statements.allows_session_tags` (an unreadable trust counts as
        allowing them), once per distinct trust."""
        key = self.trust_key(role)
        found = self._session_tags.get(key)
        if found is None:
            try:
                found = takes_session_tags(self.parsed_trust(role)[0])
            except PolicyFormatError:
                found = True
            self._session_tags[key] = found
        return found

    def _may_federate(self, user: User) -> bool:
        """Some policy of the user (or of a group it is in) allows sts:GetFederationToken:
        then its requests may carry a federated session's values instead of its own. The
        groups' answer is worked out once per list of groups (most users share theirs)."""
        if (user.attached or user.inline) and self._federates(user):
            return True
        found = self._groups_federate.get(user.groups)
        if found is None:
            groups = [g for name in user.groups if (g := self.groups.get(name)) is not None]
            found = self._groups_federate[user.groups] = any(map(self._federates, groups))
        return found

    def _federates(self, entity: Entity) -> bool:
        found = self._federation.get(entity.arn)
        if found is None:
            found = any(
                policy is None or policy.allowed_among(FEDERATION, (FEDERATION,))
                for policy in (self.policy(a.arn) for a in entity.attached)
            )  # a policy the snapshot lacks might allow it
            found = found or any(
                self.inline(entity, p).allows_some(FEDERATION) for p in entity.inline
            )
            self._federation[entity.arn] = found
        return found

    def own(self, entity: Entity) -> tuple[list[Attachment], list[str]]:
        """The entity's own policies (attached and inline), and the managed ARNs missing."""
        atts: list[Attachment] = []
        missing: list[str] = []
        for a in entity.attached:
            found = self.policy(a.arn)
            if found is None:
                missing.append(a.arn)
            else:
                atts.append(Attachment(found, entity.arn))
        for pol in entity.inline:
            atts.append(Attachment(self.inline(entity, pol), entity.arn))
        return atts, missing

    def _group_own(self, group: Group) -> tuple[list[Attachment], list[str]]:
        """A group's own policies, worked out once for all its members (who share the
        attachments: each says it comes through the group)."""
        found = self._groups_own.get(group.arn)
        if found is None:
            found = self._groups_own[group.arn] = self.own(group)
        return found

    def inline(self, entity: Entity, pol: InlinePolicy) -> Policy:
        """An inline policy of ``entity``, parsed (once)."""
        pid = inline_policy_id(entity.arn, pol.name)
        found = self._parsed.get(pid)
        if found is None:
            found = self._parsed[pid] = parse_policy(pid, pol.document, "inline")
        return found

    def access(self, entity: Entity) -> Effective:
        found = self._access.get(entity.arn)
        if found is None:
            found = self._access[entity.arn] = self._effective(entity)
        return found

    def verdict(self, entity: Entity) -> AdminVerdict | None:
        """Full administrator or not (:func:`.admin.admin`); None when access is unknown."""
        found = self._verdict.get(entity.arn)
        if found is None:
            access = self.access(entity).access
            if access is None:
                return None
            key = self._verdict_key(access)
            if key is None:
                found = admin(access)
            else:  # shared by every principal whose verdict depends on the same statements
                found = self._by_key.get(key)
                if found is None:
                    found = self._by_key[key] = admin(access)
            self._verdict[entity.arn] = found
        return found

    def _verdict_key(self, access: Access) -> tuple[object, ...] | None:
        """:func:`.admin.verdict_key`, once per attachments tuple (users of one profile share
        theirs, see :meth:`_profile`), boundary and SCPs: it reads their policies alone. The
        ids are stable: ``_profiles`` and ``_access`` keep them alive."""
        if id(access.attachments) not in self._shared:  # one principal's own: asked once
            return verdict_key(access)
        ids = (id(access.attachments), id(access.boundary), id(access.scps))
        if ids in self._verdict_keys:
            return self._verdict_keys[ids]
        found = self._verdict_keys[ids] = verdict_key(access)
        return found

    def holders(self, entity: Entity | None) -> list[Holder]:
        """Who holds a policy of ``entity`` (an inline policy), or of nobody in particular (a
        managed policy judged on its own: a hypothetical user and a hypothetical role)."""
        if entity is None:
            account = self.snapshot.account_id
            head = f"arn:{self.snapshot.partition}:iam::{account}"
            org, known = self._org, self._org_known
            user = Identity(f"{head}:user/{HOLDER}", "user", HOLDER, account, None, org, known)
            role = Identity(f"{head}:role/{HOLDER}", "role", HOLDER, account, None, org, known)
            user, role = replace(user, own_values=False), replace(role, own_values=False)
            return [(user, user.arn), (role, role.arn)]
        who = self.identity(entity)
        return [(who, entity.arn)]

    def customer_policies(self, attached_only: bool) -> list[tuple[Policy, list[Holder]]]:
        """Customer-managed policies (attached ones, or all) and every inline policy, parsed,
        each with who holds it."""
        out: list[tuple[Policy, list[Holder]]] = []
        for mp in self.snapshot.policies:
            if mp.aws_managed or (attached_only and mp.attachment_count <= 0):
                continue
            found = self.policy(mp.arn)
            assert found is not None
            out.append((found, self.holders(None)))
        entities: list[Entity] = [*self.snapshot.users, *self.snapshot.groups, *self.snapshot.roles]
        for entity in entities:
            for pol in entity.inline:
                out.append((self.inline(entity, pol), self.holders(entity)))
        return out

    def _effective(self, entity: Entity) -> Effective:
        if isinstance(entity, User) and not entity.attached and not entity.inline:
            shared = self._of_profile(entity)
            if shared is not None:
                return shared
        atts, missing = self.own(entity)
        absent = [f"policy {arn}" for arn in missing]
        groups: list[str] = [entity.arn] if isinstance(entity, Group) else []
        if isinstance(entity, User):
            self._gather_groups(entity.groups, atts, absent, groups)
        boundary = None
        if not isinstance(entity, Group) and entity.permissions_boundary:
            boundary = self.policy(entity.permissions_boundary)
            if boundary is None:
                absent.append(f"permissions boundary {entity.permissions_boundary}")
        if absent:
            return Effective(None, f"not evaluated: the snapshot lacks {', '.join(absent)}")
        who = self.identity(entity)
        read = tuple(Attachment(self._read(a.policy, who), a.via) for a in atts)
        bound = self._read(boundary, who) if boundary is not None else None
        scps = self.scps_for(who)
        return Effective(Access(who, read, bound, tuple(groups), scps))

    def _gather_groups(
        self, names: Iterable[str], atts: list[Attachment], absent: list[str], groups: list[str]
    ) -> None:
        """Add what the groups ``names`` hold to ``atts``, what the snapshot lacks of them to
        ``absent`` (as :meth:`_effective` says it), and their ARNs to ``groups``."""
        for name in names:
            grp = self.groups.get(name)
            if grp is None:
                absent.append(f"group {name}")
                continue
            more, lacking = self._group_own(grp)
            atts.extend(more)
            absent.extend(f"policy {arn}" for arn in lacking)
            groups.append(grp.arn)

    def _of_profile(self, user: User) -> Effective | None:
        """The access of a user with no policy of its own from its profile (its groups'
        policies, read alike for each member); None when they are not read alike."""
        profile = self._profile(user.groups, user.permissions_boundary)
        if profile is None:
            return None
        read, bound, groups, problem = profile
        if problem:
            return Effective(None, problem)
        who = self.identity(user)
        return Effective(Access(who, read, bound, groups, self.scps_for(who)))

    def _profile(self, names: tuple[str, ...], boundary_arn: str | None) -> _Profile | None:
        """What users with no policy of their own, in the groups ``names`` and with the
        boundary ``boundary_arn``, share: their attachments (the groups' own objects), the
        boundary, the group ARNs, or why their access is unknown (as :meth:`_effective` says
        it). None when some policy has a condition decided per principal (then each reads it
        for itself). Worked out once per profile: most users share theirs."""
        key = (names, boundary_arn)
        if key in self._profiles:
            return self._profiles[key]
        atts: list[Attachment] = []
        absent: list[str] = []
        groups: list[str] = []
        self._gather_groups(names, atts, absent, groups)
        bound = None
        if boundary_arn:
            bound = self.policy(boundary_arn)
            if bound is None:
                absent.append(f"permissions boundary {boundary_arn}")
        found: _Profile | None
        if absent:
            found = ((), None, (), f"not evaluated: the snapshot lacks {', '.join(absent)}")
        elif any(a.policy.decidable for a in atts) or (bound is not None and bound.decidable):
            found = None
        else:
            found = (tuple(atts), bound, tuple(groups), "")
            self._shared.add(id(found[0]))  # kept alive by ``_profiles``
        self._profiles[key] = found
        return found

    def scps_for(self, who: Identity) -> Levels:
        """The SCP levels over ``who`` (a principal of this account; none for a service-linked
        role), each policy read for it; principals that read them alike share one tuple, so
        its id is a key for what is worked out once (the admin verdict, the graph's facts)."""
        levels = self.organization.scps
        if not levels or SERVICE_LINKED_ARN in who.arn:
            return ()
        read = tuple(tuple(self._read(p, who) for p in level) for level in levels)
        key = tuple(id(p) for level in read for p in level)
        found = self._levels.get(key)
        if found is None:
            found = self._levels[key] = read
        return found

    def _read(self, policy: Policy, who: Identity) -> Policy:
        return specialize(policy, who, self._read_for) if policy.decidable else policy
