"""``apply_changes(snapshot, changes) -> Snapshot``: the account as the change would leave it.

A pure function of the snapshot and the operations (``model/change.py``), in the order IAM
lets them happen whatever order the plan lists them in: an entity replaced under the same name is
deleted first; then entities are created or updated; then policies, attachments, memberships and
credentials are removed, then added; then exclusive sets are enforced; then entities are deleted
(AWS refuses to delete a principal or a policy that still has attachments, so what depended on a
deleted entity goes with it). The result says it is a projection (``Snapshot.projection``).

What the change does to the credential report is modelled from the APIs' documented effects on
it (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html): a new
user has a row with no password, no MFA and no keys; ``CreateLoginProfile`` enables the password
(changed now); ``CreateAccessKey`` fills a free key slot (rotated now, never used). "Now" is the
snapshot's time, which every age is measured against. Everything the change cannot touch (last
use, MFA, the root row, trails, Access Analyzer) stays as collected.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from iamgate.model.change import (
    AccessKey,
    Assumed,
    Attach,
    ChangeSet,
    ExclusiveAttachments,
    ExclusiveHolders,
    ExclusiveInline,
    LoginProfile,
    Membership,
    Op,
    PrincipalKind,
    PutGroup,
    PutInline,
    PutPolicy,
    PutRole,
    PutUser,
    Remove,
    RemoveInline,
    SetPasswordPolicy,
    Unresolved,
)
from iamgate.model.results import Origin
from iamgate.model.snapshot import (
    AccessKeySlot,
    AttachedPolicy,
    CredentialRow,
    Group,
    InlinePolicy,
    ManagedPolicy,
    Projection,
    Role,
    Sentinel,
    Snapshot,
    Source,
    User,
)
from iamgate.plan.names import Account, name_from_arn

Principal = User | Group | Role
_AUTH = Source.AUTHORIZATION_DETAILS
_REPORT = Source.CREDENTIAL_REPORT


@dataclass(frozen=True, slots=True)
class Projected:
    """The account after the change, and what the change touched."""

    snapshot: Snapshot
    touched: Mapping[str, tuple[Origin, ...]]  # ARN (or inline policy id) -> what touches it
    sources: frozenset[Source]  # the snapshot's data the change alters
    unresolved: tuple[Unresolved, ...] = ()
    assumed: tuple[Assumed, ...] = ()


def apply_changes(snapshot: Snapshot, changes: Iterable[ChangeSet]) -> Snapshot:
    """The account as ``changes`` would leave it (a pure function)."""
    return project(snapshot, changes).snapshot


def project(snapshot: Snapshot, changes: Iterable[ChangeSet]) -> Projected:
    """:func:`apply_changes`, with what the change touched (for attributing findings)."""
    sets = list(changes)
    ops = [op for change in sets for op in change.ops]
    if not ops:
        return Projected(snapshot, {}, frozenset())
    state = _State.of(snapshot)
    for op in _ordered(ops):
        state.apply(op)
    return state.result(sets)


def _ordered(ops: Sequence[Op]) -> list[Op]:
    """The order IAM lets the operations happen in (see the module's docstring)."""
    put = {(_put_kind(op), _put_key(op)) for op in ops if _put_kind(op)}

    def phase(op: Op) -> int:
        if isinstance(op, Remove):
            return 0 if (op.kind, op.key) in put else 6
        if isinstance(op, PutUser | PutGroup | PutRole | PutPolicy | SetPasswordPolicy):
            return 1
        if isinstance(op, RemoveInline) or (isinstance(op, Attach) and not op.attach):
            return 2
        if isinstance(op, Membership) and not op.add:
            return 2
        if isinstance(op, AccessKey | LoginProfile):
            return 4 if (isinstance(op, AccessKey) and op.delete) else 5
        if isinstance(op, ExclusiveAttachments | ExclusiveInline | ExclusiveHolders):
            return 5
        return 3

    return sorted(ops, key=phase)  # stable: the plan's order within a phase


def _put_kind(op: Op) -> str:
    kinds = {PutUser: "user", PutGroup: "group", PutRole: "role", PutPolicy: "policy"}
    return kinds.get(type(op), "")


def _put_key(op: Op) -> str:
    if isinstance(op, PutPolicy):
        return op.arn
    return str(getattr(op, "name", ""))


@dataclass
class _State:
    """The account being changed: entities by name (policies by ARN), report rows by user."""

    base: Snapshot
    account: Account
    users: dict[str, User]
    groups: dict[str, Group]
    roles: dict[str, Role]
    policies: dict[str, ManagedPolicy]
    rows: dict[str, CredentialRow]
    password_policy: Mapping[str, int | bool] | None
    touched: dict[str, list[Origin]] = field(default_factory=dict)
    sources: set[Source] = field(default_factory=set)
    unresolved: list[Unresolved] = field(default_factory=list)
    assumed: list[Assumed] = field(default_factory=list)

    @classmethod
    def of(cls, snapshot: Snapshot) -> _State:
        return cls(
            base=snapshot,
            account=Account(snapshot.account_id, snapshot.partition),
            users={u.name: u for u in snapshot.users},
            groups={g.name: g for g in snapshot.groups},
            roles={r.name: r for r in snapshot.roles},
            policies={p.arn: p for p in snapshot.policies},
            rows={r.arn: r for r in snapshot.credential_report if not r.is_root},
            password_policy=snapshot.password_policy,
        )

    @property
    def now(self) -> datetime:
        return self.base.collected_at

    @property
    def reported(self) -> bool:
        """Whether the snapshot holds a credential report to change (it may have no rows)."""
        return not self.base.errors_for((_REPORT,))

    def apply(self, op: Op) -> None:
        _HANDLERS[type(op)](self, op)

    def touch(self, origin: Origin, *arns: str, source: Source = _AUTH) -> None:
        self.sources.add(source)
        for arn in arns:
            mine = self.touched.setdefault(arn, [])
            if origin not in mine:
                mine.append(origin)

    def fail(self, origin: Origin, reason: str, resource: str = "", *touches: Source) -> None:
        self.unresolved.append(Unresolved(origin, reason, touches or (_AUTH,), resource))
        self.sources.update(touches or (_AUTH,))

    # --- principals ------------------------------------------------------------------------------

    def table(self, kind: PrincipalKind | str) -> dict[str, Any]:
        tables: dict[str, dict[str, Any]] = {
            "user": self.users,
            "group": self.groups,
            "role": self.roles,
        }
        return tables[kind]

    def principal(self, kind: PrincipalKind, name: str, origin: Origin) -> Principal | None:
        found: Principal | None = self.table(kind).get(name)
        if found is None:
            self.fail(origin, f"{kind} {name} is neither in the snapshot nor created by the change")
        return found

    def store(self, entity: Principal) -> None:
        self.table(_kind(entity))[entity.name] = entity

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


def _kind(entity: Principal) -> PrincipalKind:
    return "user" if isinstance(entity, User) else "group" if isinstance(entity, Group) else "role"


# --- entities ------------------------------------------------------------------------------------


def _put_user(state: _State, op: PutUser) -> None:
    arn = state.account.arn("user", op.name, op.path)
    old = state.users.get(op.name)
    if old is None:
        state.users[op.name] = User(
            op.name, arn, state.now, op.path, permissions_boundary=op.permissions_boundary
        )
        if state.reported:  # a new user has a row: no password, MFA or key
            state.rows[arn] = _new_row(op.name, arn, state.now)
        state.touch(op.origin, arn, source=_REPORT)
    else:
        moved = state.rows.pop(old.arn, None)
        if moved is not None:
            state.rows[arn] = dataclasses.replace(moved, arn=arn)
        state.users[op.name] = dataclasses.replace(
            old, arn=arn, path=op.path, permissions_boundary=op.permissions_boundary
        )
    state.touch(op.origin, arn)


def _new_row(name: str, arn: str, now: datetime) -> CredentialRow:
    return CredentialRow(
        user=name,
        arn=arn,
        user_creation_time=now,
        password_enabled=False,
        password_last_used=Sentinel.NA,
        password_last_changed=Sentinel.NA,
        mfa_active=False,
        keys=(_empty_slot(1), _empty_slot(2)),
    )


def _empty_slot(slot: int) -> AccessKeySlot:
    return AccessKeySlot(slot, False, Sentinel.NA, Sentinel.NA)


def _put_group(state: _State, op: PutGroup) -> None:
    arn = state.account.arn("group", op.name, op.path)
    old = state.groups.get(op.name)
    if old is None:
        state.groups[op.name] = Group(op.name, arn, state.now, op.path)
    else:
        state.groups[op.name] = dataclasses.replace(old, arn=arn, path=op.path)
    state.touch(op.origin, arn)


def _put_role(state: _State, op: PutRole) -> None:
    arn = state.account.arn("role", op.name, op.path)
    old = state.roles.get(op.name)
    if old is None:
        state.roles[op.name] = Role(
            op.name,
            arn,
            state.now,
            op.trust_policy,
            op.path,
            permissions_boundary=op.permissions_boundary,
        )
    else:
        state.roles[op.name] = dataclasses.replace(
            old,
            arn=arn,
            path=op.path,
            trust_policy=op.trust_policy,
            permissions_boundary=op.permissions_boundary,
        )
    state.touch(op.origin, arn)


def _put_policy(state: _State, op: PutPolicy) -> None:
    old = state.policies.get(op.arn)
    if old is None:
        state.policies[op.arn] = ManagedPolicy(op.arn, op.name, op.document)
    else:
        state.policies[op.arn] = dataclasses.replace(old, document=op.document)
    state.touch(op.origin, op.arn)


def _remove(state: _State, op: Remove) -> None:
    if op.kind == "policy":
        policy = state.policies.pop(op.key, None)
        if policy is not None:
            for holder in _holders(state, op.key):
                _set_attached(state, holder, [a for a in holder.attached if a.arn != op.key])
        state.touch(op.origin, op.key)
        return
    entity = state.table(op.kind).pop(op.key, None)
    if entity is None:
        return  # already gone from the account: deleting it changes nothing
    state.count((a.arn for a in entity.attached), -1)
    if isinstance(entity, Group):
        for user in list(state.users.values()):
            if entity.name in user.groups:
                groups = tuple(g for g in user.groups if g != entity.name)
                state.users[user.name] = dataclasses.replace(user, groups=groups)
                state.touch(op.origin, user.arn)
    if isinstance(entity, User) and state.rows.pop(entity.arn, None) is not None:
        state.touch(op.origin, source=_REPORT)
    state.touch(op.origin, entity.arn)


def _holders(state: _State, policy_arn: str) -> list[Principal]:
    every: list[Principal] = [*state.users.values(), *state.groups.values(), *state.roles.values()]
    return [e for e in every if any(a.arn == policy_arn for a in e.attached)]


def _set_attached(state: _State, entity: Principal, attached: Sequence[AttachedPolicy]) -> None:
    before = {a.arn for a in entity.attached}
    after = {a.arn for a in attached}
    state.count(after - before, 1)
    state.count(before - after, -1)
    state.store(dataclasses.replace(entity, attached=tuple(attached)))


# --- policies on principals ----------------------------------------------------------------------


def _inline_id(entity: Principal, name: str) -> str:
    return f"{entity.arn}#inline/{name}"


def _put_inline(state: _State, op: PutInline) -> None:
    entity = state.principal(op.kind, op.principal, op.origin)
    if entity is None:
        return
    kept = tuple(p for p in entity.inline if p.name != op.name)
    state.store(dataclasses.replace(entity, inline=(*kept, InlinePolicy(op.name, op.document))))
    state.touch(op.origin, entity.arn, _inline_id(entity, op.name))


def _remove_inline(state: _State, op: RemoveInline) -> None:
    entity = state.table(op.kind).get(op.principal)
    if entity is None:
        return
    kept = tuple(p for p in entity.inline if p.name != op.name)
    state.store(dataclasses.replace(entity, inline=kept))
    state.touch(op.origin, entity.arn, _inline_id(entity, op.name))


def _attach(state: _State, op: Attach) -> None:
    entity = state.table(op.kind).get(op.principal)
    if entity is None:
        if op.attach:
            state.principal(op.kind, op.principal, op.origin)  # says why
        return
    kept = [a for a in entity.attached if a.arn != op.policy_arn]
    if op.attach:
        kept.append(_attachment(state, op.policy_arn))
    _set_attached(state, entity, kept)
    state.touch(op.origin, entity.arn, op.policy_arn)


def _attachment(state: _State, arn: str) -> AttachedPolicy:
    known = state.policies.get(arn)
    return AttachedPolicy(known.name if known else name_from_arn(arn), arn)


def _exclusive_attachments(state: _State, op: ExclusiveAttachments) -> None:
    entity = state.principal(op.kind, op.principal, op.origin)
    if entity is None:
        return
    before = {a.arn for a in entity.attached}
    _set_attached(state, entity, [_attachment(state, arn) for arn in dict.fromkeys(op.arns)])
    state.touch(op.origin, entity.arn, *(before ^ set(op.arns)))


def _exclusive_inline(state: _State, op: ExclusiveInline) -> None:
    entity = state.principal(op.kind, op.principal, op.origin)
    if entity is None:
        return
    gone = [p.name for p in entity.inline if p.name not in op.names]
    kept = tuple(p for p in entity.inline if p.name in op.names)
    state.store(dataclasses.replace(entity, inline=kept))
    state.touch(op.origin, entity.arn, *(_inline_id(entity, name) for name in gone))


def _exclusive_holders(state: _State, op: ExclusiveHolders) -> None:
    wanted: dict[PrincipalKind, tuple[str, ...]] = {
        "user": op.users,
        "group": op.groups,
        "role": op.roles,
    }
    for holder in _holders(state, op.policy_arn):
        if holder.name not in wanted[_kind(holder)]:
            _set_attached(state, holder, [a for a in holder.attached if a.arn != op.policy_arn])
            state.touch(op.origin, holder.arn)
    for kind, names in wanted.items():
        for name in names:
            _attach(state, Attach(op.origin, kind, name, op.policy_arn))
    state.touch(op.origin, op.policy_arn)


def _membership(state: _State, op: Membership) -> None:
    user = state.users.get(op.user)
    if user is None:
        if op.add:
            state.principal("user", op.user, op.origin)
        return
    if op.add and state.principal("group", op.group, op.origin) is None:
        return
    groups = tuple(g for g in user.groups if g != op.group) + ((op.group,) if op.add else ())
    state.users[user.name] = dataclasses.replace(user, groups=groups)
    group = state.groups.get(op.group)
    state.touch(op.origin, user.arn, *((group.arn,) if group else ()))


def _password_policy(state: _State, op: SetPasswordPolicy) -> None:
    state.password_policy = op.policy
    state.touch(op.origin, state.base.account_arn, source=Source.PASSWORD_POLICY)


# --- credentials ---------------------------------------------------------------------------------


def _row(state: _State, user_name: str, origin: Origin) -> tuple[User, CredentialRow] | None:
    user = state.users.get(user_name)
    if user is None:
        state.fail(
            origin,
            f"user {user_name} is neither in the snapshot nor created by the change",
            "",
            _REPORT,
        )
        return None
    row = state.rows.get(user.arn)
    if row is None:  # no report in the snapshot: the credential checks say error already
        return None
    state.touch(origin, user.arn, source=_REPORT)
    return user, row


def _login_profile(state: _State, op: LoginProfile) -> None:
    found = _row(state, op.user, op.origin)
    if found is None:
        return
    user, row = found
    changed = state.now if op.enabled else row.password_last_changed
    state.rows[user.arn] = dataclasses.replace(
        row, password_enabled=op.enabled, password_last_changed=changed
    )


def _access_key(state: _State, op: AccessKey) -> None:
    found = _row(state, op.user, op.origin)
    if found is None:
        return
    user, row = found
    slots = list(row.keys) + [_empty_slot(n) for n in range(len(row.keys) + 1, 3)]
    if op.created is None and not op.delete:
        free = [i for i, s in enumerate(slots) if not isinstance(s.last_rotated, datetime)]
        if not free:
            state.fail(
                op.origin,
                f"user {user.name} already has two access keys (IAM's limit)",
                user.arn,
                _REPORT,
            )
            return
        slots[free[0]] = AccessKeySlot(slots[free[0]].slot, op.active, state.now, Sentinel.NA)
    else:
        index = _slot_of(slots, op.created)
        if index is None:
            when = f"{op.created:%Y-%m-%d %H:%M:%S} UTC" if op.created else "an unknown time"
            state.fail(
                op.origin,
                f"no access key of user {user.name} was created at {when} in the credential report",
                user.arn,
                _REPORT,
            )
            return
        old = slots[index]
        slots[index] = (
            _empty_slot(old.slot) if op.delete else dataclasses.replace(old, active=op.active)
        )
    state.rows[user.arn] = dataclasses.replace(row, keys=tuple(slots))


def _slot_of(slots: Sequence[AccessKeySlot], created: datetime | None) -> int | None:
    """The slot of the key created at ``created`` (to the second: the report's precision)."""
    if created is None:
        return None
    wanted = _second(created)
    for i, slot in enumerate(slots):
        if isinstance(slot.last_rotated, datetime) and _second(slot.last_rotated) == wanted:
            return i
    return None


def _second(when: datetime) -> datetime:
    aware = when if when.tzinfo else when.replace(tzinfo=UTC)
    return aware.astimezone(UTC).replace(microsecond=0)


def _unresolved(state: _State, op: Unresolved) -> None:
    state.unresolved.append(op)
    state.sources.update(op.touches)


def _assumed(state: _State, op: Assumed) -> None:
    state.assumed.append(op)
    if op.resource:
        state.touch(op.origin, op.resource)


_HANDLERS: dict[type, Callable[[_State, Any], None]] = {
    PutUser: _put_user,
    PutGroup: _put_group,
    PutRole: _put_role,
    PutPolicy: _put_policy,
    Remove: _remove,
    PutInline: _put_inline,
    RemoveInline: _remove_inline,
    Attach: _attach,
    ExclusiveAttachments: _exclusive_attachments,
    ExclusiveInline: _exclusive_inline,
    ExclusiveHolders: _exclusive_holders,
    Membership: _membership,
    SetPasswordPolicy: _password_policy,
    AccessKey: _access_key,
    LoginProfile: _login_profile,
    Unresolved: _unresolved,
    Assumed: _assumed,
}
