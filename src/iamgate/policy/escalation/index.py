"""What the rules look up about the account, built once: its principals and groups in node
order, the ARNs of each kind of resource, who is in each group, who holds each
customer-managed policy, and what each role's trust says (whom it names, whether it delegates to
the account, which services can carry it)."""

from __future__ import annotations

from collections import defaultdict
from functools import partial

from iamgate.model.snapshot import Group, Role, Source, Tag, User
from iamgate.policy.catalogue import of_kind
from iamgate.policy.escalation.admission import Admissions, Admits, strings, uniform
from iamgate.policy.escalation.edge_keys import (
    attaching,
    bounding,
    lifting_policies,
    target_known,
)
from iamgate.policy.escalation.nodes import NodeSpace
from iamgate.policy.escalation.preconditions import Standing
from iamgate.policy.escalation.targets import Targets
from iamgate.policy.escalation.universe import Universe
from iamgate.policy.evaluate import Access, Known
from iamgate.policy.principals import Principals, is_service_linked
from iamgate.policy.request import NOTHING
from iamgate.policy.trust import Admission

# The services a pass or existing-compute row runs code with.
SERVICES = tuple(sorted({m.service for m in of_kind("pass", "existing")}))
_SERVICE_SET = frozenset(SERVICES)


class AccountIndex:
    """The account as the rules see it. Positions: principals are numbered users then roles
    (each sorted by ARN), groups and customer-managed policies each from 0."""

    def __init__(self, principals: Principals, admits: Admits) -> None:
        snap = principals.snapshot
        self.principals = principals
        self.account, self.partition = snap.account_id, snap.partition
        users = sorted(snap.users, key=lambda u: u.arn)
        roles = sorted(snap.roles, key=lambda r: r.arn)
        self.entities: list[User | Role] = [*users, *roles]
        self.groups: list[Group] = sorted(snap.groups, key=lambda g: g.arn)
        self.n_users, self.n_roles = len(users), len(roles)
        self.space = NodeSpace([e.arn for e in self.entities], [g.arn for g in self.groups])
        org = snap.organization
        org_known = org is not None and not snap.errors_for([Source.ORGANIZATION])
        org_id = org.id if org is not None else None
        self._target = partial(target_known, self.account, org=org_id, org_known=org_known)
        self._targets: dict[tuple[Tag, ...] | None, Known] = {}
        self.users = Universe([u.arn for u in users], 0, [self.target(u.tags) for u in users])
        self.roles = Universe(
            [r.arn for r in roles], len(users), [self.target(r.tags) for r in roles]
        )
        # IAM groups cannot be tagged: every tag key is absent.
        self.group_universe = Universe(
            [g.arn for g in self.groups], 0, [self.target(())] * len(self.groups)
        )

        self.position = {e.arn: i for i, e in enumerate(self.entities)}
        effective = [principals.access(e) for e in (*self.entities, *self.groups)]
        everyone = len(self.entities)
        self.base: list[Access | None] = [found.access for found in effective[:everyone]]
        self.group_base = [found.access for found in effective[everyone:]]
        self.problems = {
            e.arn: found.problem
            for e, found in zip((*self.entities, *self.groups), effective, strict=True)
            if found.access is None
        }
        self.admissions = Admissions(admits)
        self.standing = Standing(snap, self.entities)
        self._members()
        self._holders()
        self._trust()
        self.known_of = {
            arn: universe.knowns[i]
            for universe in (self.users, self.roles, self.group_universe, self.policy_universe)
            for i, arn in enumerate(universe.arns)
        }
        lifting = lifting_policies(principals, self._policy_arn_values())
        self.lifting_attaches = attaching(lifting)
        self.lifting_boundaries = bounding(lifting)

    def target(self, tags: tuple[Tag, ...] | None) -> Known:
        """The keys of a user, role, group or policy acted on, one object per distinct set of
        tags (most entities have none): a :class:`Known` is immutable."""
        found = self._targets.get(tags)
        if found is None:
            found = self._targets[tags] = self._target(tags)
        return found

    def _members(self) -> None:
        """Who is in each group, both ways; and who has a permissions boundary."""
        group_at = {g.name: i for i, g in enumerate(self.groups)}
        members: dict[int, list[int]] = defaultdict(list)
        self.member_of: list[tuple[int, ...]] = []
        read: dict[tuple[str, ...], tuple[int, ...]] = {}  # once per list of groups (shared)
        for position, entity in enumerate(self.entities):
            names = entity.groups if isinstance(entity, User) else ()
            found = read.get(names)
            if found is None:
                found = read[names] = tuple(sorted({group_at[n] for n in names if n in group_at}))
            for at in found:
                members[at].append(position)
            self.member_of.append(found)
        self.members = [Targets.of(members[i]) for i in range(len(self.groups))]
        self.has_boundary = Targets.of(
            i for i, a in enumerate(self.base) if a is not None and a.boundary is not None
        )
        # Boundaries a writer may remove: AWS refuses to touch a service-linked role's.
        self.removable = self.has_boundary - self.standing.unmodifiable

    def _holders(self) -> None:
        """Who holds each customer-managed policy: principals directly or through a group
        (``policy_holders``), and groups (``policy_group_holders``)."""
        holders: dict[str, list[int]] = defaultdict(list)  # positions: no set per holder
        through: dict[str, list[Targets]] = defaultdict(list)  # the members of its groups
        group_holders: dict[str, list[int]] = defaultdict(list)
        for position, (entity, own) in enumerate(zip(self.entities, self.base, strict=True)):
            for att in own.attachments if own is not None else ():
                if att.policy.kind == "managed" and att.via == entity.arn:
                    holders[att.policy.id].append(position)
        for at, found in enumerate(self.group_base):
            for att in found.attachments if found else ():
                if att.policy.kind == "managed":
                    group_holders[att.policy.id].append(at)
                    through[att.policy.id].append(self.members[at])
        arns = sorted(set(holders) | set(group_holders))
        self.policy_universe = Universe(arns, 0, [self.target(None)] * len(arns))  # tags unread
        self.policy_holders = [_union(through[a], holders[a]) for a in self.policy_universe.arns]
        self.policy_group_holders = [
            Targets.of(group_holders[a]) for a in self.policy_universe.arns
        ]

    def _trust(self) -> None:
        """Per role: the principals its trust names, whether it delegates to the account (then
        the caller needs ``sts:AssumeRole``), and the services it trusts."""
        self.named: dict[int, list[int]] = defaultdict(list)  # principal -> roles naming it
        delegates: list[int] = []  # roles whose uniform trust admits any unnamed principal
        per_caller: list[int] = []  # roles whose answer may differ by caller (conditions...)
        carried: dict[str, list[int]] = defaultdict(list)
        self._trust_read: dict[object, tuple[frozenset[int], bool, frozenset[str]]] = {}
        everyone = len(self.entities)
        for position in range(self.n_users, everyone):
            role = self.entities[position]
            assert isinstance(role, Role)
            mentioned, is_uniform, services = self._read_trust(role)
            for principal in mentioned:
                self.named[principal].append(position)
            if is_uniform:
                rep = next((i for i in range(everyone) if i not in mentioned), -1)
                rep_arn = self.entities[rep].arn if rep >= 0 else ""
                if rep >= 0 and self.admit(position, rep_arn, share=False) is not None:
                    delegates.append(position)
            else:
                per_caller.append(position)
            if is_service_linked(role):
                continue  # AWS's own roles: code we run cannot carry them
            for service in services:  # named literally
                if self.admit(position, service) is not None:
                    carried[service].append(position)
        for roles in self.named.values():
            roles.sort()
        self.delegates = Targets.of(delegates)
        self.service_roles = {s: Targets.of(carried[s]) for s in SERVICES}
        self._per_caller(per_caller)

    def _read_trust(self, role: Role) -> tuple[frozenset[int], bool, frozenset[str]]:
        """(the principals the role's trust names, whether it is :func:`uniform`, the services
        it names), read once per trust: roles made from one template share the answer."""
        key = self.admissions.trust_key(role)
        found = self._trust_read.get(key)
        if found is None:
            text = set(strings(role.trust_policy))
            mentioned = frozenset(self.position[s] for s in text if s in self.position)
            found = (mentioned, uniform(role.trust_policy), frozenset(text & _SERVICE_SET))
            self._trust_read[key] = found
        return found

    def _per_caller(self, roles: list[int]) -> None:
        """Split the roles whose trust may answer callers differently: those that read who
        the caller is (``per_caller_personal``: asked per caller), and those that only name some
        callers (``per_caller_shared``: one answer per kind of caller, asked again for a caller
        whose name the trust holds, ``named_in``)."""
        personal: list[int] = []
        shared: list[int] = []
        self.named_in: dict[str, list[int]] = defaultdict(list)
        for position in roles:
            role = self.entities[position]
            assert isinstance(role, Role)
            names, reads_caller = self.admissions.words(role)
            if reads_caller:
                personal.append(position)
                continue
            shared.append(position)
            for name in names:
                self.named_in[name].append(position)
        self.per_caller_personal = Targets.of(personal)
        self.per_caller_shared = Targets.of(shared)

    def _policy_arn_values(self) -> set[str]:
        """Every value of an ``iam:PolicyARN`` condition in the account's policies."""
        found: set[str] = set()
        seen: set[int] = set()  # managed policies are shared: each read once
        for access in (*self.base, *self.group_base):
            for policy in access.policies() if access is not None else ():
                if id(policy) in seen:
                    continue
                seen.add(id(policy))
                for st in policy.statements:
                    for clause in st.clauses:
                        if clause.key_lower == "iam:policyarn":
                            found.update(clause.values)
        return found

    def known(self, arn: str, edge: Known = NOTHING) -> Known:
        """What a request on ``arn`` knows: the target's keys, and the edge's."""
        found = self.known_of.get(arn, NOTHING)
        return found.merged(edge) if edge else found

    def admit(self, role_position: int, principal: str, share: bool = True) -> Admission | None:
        """Whether the role at ``role_position`` admits ``principal`` (an ARN or a service);
        ``share``: see :meth:`.admission.Admissions.admit`."""
        role = self.entities[role_position]
        assert isinstance(role, Role)
        return self.admissions.admit(role, principal, share)


def _union(parts: list[Targets], positions: list[int]) -> Targets:
    """One union of many sets and of single positions (the small ones gathered first: no
    bitset per member)."""
    bits = 0
    extra: set[int] = set(positions)
    for part in parts:
        bits |= part.bits
        extra.update(part.extra)
    return Targets(bits) | Targets.of(extra)
