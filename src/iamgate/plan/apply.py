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
    AttachedPolicy,
    Group,
    InlinePolicy,
    ManagedPolicy,
    Role,
    Snapshot,
    Source,
    User,
)
from iamgate.plan.credentials import access_key, login_profile, new_row
from iamgate.plan.names import name_from_arn
from iamgate.plan.state import REPORT, Principal, Projected, State, kind_of

__all__ = ["Projected", "apply_changes", "project"]


def apply_changes(snapshot: Snapshot, changes: Iterable[ChangeSet]) -> Snapshot:
    """The account as ``changes`` would leave it (a pure function)."""
    return project(snapshot, changes).snapshot


def project(
    snapshot: Snapshot, changes: Iterable[ChangeSet], absent: Mapping[str, str] | None = None
) -> Projected:
    """:func:`apply_changes`, with what the change touched (for attributing findings).
    ``absent``: the AWS-managed policies whose documents the caller could not have, and why
    (the reason every principal given one is an ``error``)."""
    sets = list(changes)
    ops = [op for change in sets for op in change.ops]
    if not ops:
        return Projected(snapshot, {}, frozenset())
    state = State.of(snapshot, absent)
    for op in _ordered(ops):
        _HANDLERS[type(op)](state, op)
    return state.result(sets)


def _ordered(ops: Sequence[Op]) -> list[Op]:
    """The order IAM lets the operations happen in (see the module's docstring)."""
    put = {(_putkind_of(op), _put_key(op)) for op in ops if _putkind_of(op)}

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


def _putkind_of(op: Op) -> str:
    kinds = {PutUser: "user", PutGroup: "group", PutRole: "role", PutPolicy: "policy"}
    return kinds.get(type(op), "")


def _put_key(op: Op) -> str:
    if isinstance(op, PutPolicy):
        return op.arn
    return str(getattr(op, "name", ""))


# --- entities ------------------------------------------------------------------------------------


def _put_user(state: State, op: PutUser) -> None:
    arn = state.account.arn("user", op.name, op.path)
    if op.renamed_from:
        _rename(state, "user", op.renamed_from, op.name, op.origin)
    old = state.users.get(op.name)
    if old is None:
        state.users[op.name] = User(
            op.name, arn, state.now, op.path, permissions_boundary=op.permissions_boundary
        )
        if state.reported:  # a new user has a row: no password, MFA or key
            state.rows[arn] = new_row(op.name, arn, state.now)
        state.touch(op.origin, arn, source=REPORT)
    else:
        moved = state.rows.pop(old.arn, None)
        if moved is not None:
            state.rows[arn] = dataclasses.replace(moved, arn=arn)
        state.users[op.name] = dataclasses.replace(
            old, arn=arn, path=op.path, permissions_boundary=op.permissions_boundary
        )
    state.touch(op.origin, arn)
    if op.permissions_boundary:
        state.needs_document(op.origin, op.permissions_boundary, arn)


def _put_group(state: State, op: PutGroup) -> None:
    arn = state.account.arn("group", op.name, op.path)
    if op.renamed_from:
        _rename(state, "group", op.renamed_from, op.name, op.origin)
    old = state.groups.get(op.name)
    if old is None:
        state.groups[op.name] = Group(op.name, arn, state.now, op.path)
    else:
        state.groups[op.name] = dataclasses.replace(old, arn=arn, path=op.path)
    state.touch(op.origin, arn)


def _rename(state: State, kind: PrincipalKind, old: str, new: str, origin: Origin) -> None:
    """UpdateUser/UpdateGroup with a new name: the entity keeps its policies, memberships and
    credentials (the credential report's row follows it), under the new name and ARN
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_users_manage.html#id_users_renaming;
    https://docs.aws.amazon.com/IAM/latest/UserGuide/id_groups_manage_rename.html). The path and
    the rest are set by the put that follows."""
    table = state.table(kind)
    if old == new or old not in table or new in table:
        return  # nothing to rename, or IAM refuses (EntityAlreadyExists): the put decides
    entity = table.pop(old)
    arn = state.account.arn(kind, new, entity.path)
    table[new] = dataclasses.replace(entity, name=new, arn=arn)
    state.renamed[(kind, old)] = new
    if isinstance(entity, Group):
        for user in list(state.users.values()):
            if old in user.groups:
                groups = tuple(new if g == old else g for g in user.groups)
                state.users[user.name] = dataclasses.replace(user, groups=groups)
                state.touch(origin, user.arn)
    row = state.rows.pop(entity.arn, None)
    if row is not None:
        state.rows[arn] = dataclasses.replace(row, user=new, arn=arn)
        state.touch(origin, entity.arn, arn, source=REPORT)
    state.touch(origin, entity.arn, arn)


def _put_role(state: State, op: PutRole) -> None:
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
    if op.permissions_boundary:
        state.needs_document(op.origin, op.permissions_boundary, arn)


def _put_policy(state: State, op: PutPolicy) -> None:
    old = state.policies.get(op.arn)
    if old is None:
        state.policies[op.arn] = ManagedPolicy(op.arn, op.name, op.document)
    else:
        state.policies[op.arn] = dataclasses.replace(old, document=op.document)
    state.touch(op.origin, op.arn)


def _remove(state: State, op: Remove) -> None:
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
        state.touch(op.origin, source=REPORT)
    state.touch(op.origin, entity.arn)


def _holders(state: State, policy_arn: str) -> list[Principal]:
    every: list[Principal] = [*state.users.values(), *state.groups.values(), *state.roles.values()]
    return [e for e in every if any(a.arn == policy_arn for a in e.attached)]


def _set_attached(state: State, entity: Principal, attached: Sequence[AttachedPolicy]) -> None:
    before = {a.arn for a in entity.attached}
    after = {a.arn for a in attached}
    state.count(after - before, 1)
    state.count(before - after, -1)
    state.store(dataclasses.replace(entity, attached=tuple(attached)))


# --- policies on principals ----------------------------------------------------------------------


def _inline_id(entity: Principal, name: str) -> str:
    return f"{entity.arn}#inline/{name}"


def _put_inline(state: State, op: PutInline) -> None:
    entity = state.principal(op.kind, op.principal, op.origin)
    if entity is None:
        return
    kept = tuple(p for p in entity.inline if p.name != op.name)
    state.store(dataclasses.replace(entity, inline=(*kept, InlinePolicy(op.name, op.document))))
    state.touch(op.origin, entity.arn, _inline_id(entity, op.name))


def _remove_inline(state: State, op: RemoveInline) -> None:
    entity = state.get(op.kind, op.principal)
    if entity is None:
        return
    kept = tuple(p for p in entity.inline if p.name != op.name)
    state.store(dataclasses.replace(entity, inline=kept))
    state.touch(op.origin, entity.arn, _inline_id(entity, op.name))


def _attach(state: State, op: Attach) -> None:
    entity = state.get(op.kind, op.principal)
    if entity is None:
        if op.attach:
            state.principal(op.kind, op.principal, op.origin)  # says why
        return
    kept = [a for a in entity.attached if a.arn != op.policy_arn]
    if op.attach:
        kept.append(_attachment(state, op.policy_arn))
        state.needs_document(op.origin, op.policy_arn, entity.arn)
    _set_attached(state, entity, kept)
    state.touch(op.origin, entity.arn, op.policy_arn)


def _attachment(state: State, arn: str) -> AttachedPolicy:
    known = state.policies.get(arn)
    return AttachedPolicy(known.name if known else name_from_arn(arn), arn)


def _exclusive_attachments(state: State, op: ExclusiveAttachments) -> None:
    entity = state.principal(op.kind, op.principal, op.origin)
    if entity is None:
        return
    before = {a.arn for a in entity.attached}
    _set_attached(state, entity, [_attachment(state, arn) for arn in dict.fromkeys(op.arns)])
    state.touch(op.origin, entity.arn, *(before ^ set(op.arns)))
    for arn in dict.fromkeys(op.arns):
        state.needs_document(op.origin, arn, entity.arn)


def _exclusive_inline(state: State, op: ExclusiveInline) -> None:
    entity = state.principal(op.kind, op.principal, op.origin)
    if entity is None:
        return
    gone = [p.name for p in entity.inline if p.name not in op.names]
    kept = tuple(p for p in entity.inline if p.name in op.names)
    state.store(dataclasses.replace(entity, inline=kept))
    state.touch(op.origin, entity.arn, *(_inline_id(entity, name) for name in gone))


def _exclusive_holders(state: State, op: ExclusiveHolders) -> None:
    wanted: dict[PrincipalKind, tuple[str, ...]] = {
        "user": op.users,
        "group": op.groups,
        "role": op.roles,
    }
    for holder in _holders(state, op.policy_arn):
        if holder.name not in wanted[kind_of(holder)]:
            _set_attached(state, holder, [a for a in holder.attached if a.arn != op.policy_arn])
            state.touch(op.origin, holder.arn)
    for kind, names in wanted.items():
        for name in names:
            _attach(state, Attach(op.origin, kind, name, op.policy_arn))
    state.touch(op.origin, op.policy_arn)


def _membership(state: State, op: Membership) -> None:
    user = state.get("user", op.user)
    if not isinstance(user, User):
        if op.add:
            state.principal("user", op.user, op.origin)
        return
    if op.add and state.principal("group", op.group, op.origin) is None:
        return
    name = state.renamed.get(("group", op.group), op.group)
    groups = tuple(g for g in user.groups if g != name) + ((name,) if op.add else ())
    state.users[user.name] = dataclasses.replace(user, groups=groups)
    group = state.groups.get(name)
    state.touch(op.origin, user.arn, *((group.arn,) if group else ()))


def _password_policy(state: State, op: SetPasswordPolicy) -> None:
    state.password_policy = op.policy
    state.touch(op.origin, state.base.account_arn, source=Source.PASSWORD_POLICY)


def _unresolved(state: State, op: Unresolved) -> None:
    state.unresolved.append(op)
    state.sources.update(op.touches)


def _assumed(state: State, op: Assumed) -> None:
    state.assumed.append(op)
    if op.resource:
        state.touch(op.origin, op.resource)


_HANDLERS: dict[type, Callable[[State, Any], None]] = {
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
    AccessKey: access_key,
    LoginProfile: login_profile,
    Unresolved: _unresolved,
    Assumed: _assumed,
}
