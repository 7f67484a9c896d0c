"""Full administrator, defined once, and the policy-level questions built on it.

A principal is a **full administrator** when either holds:

1. it may perform every action on every resource: some Allows on every resource cover every
   action (``*``, or ``NotAction`` lists whose exclusions other Allows cover), no unconditional
   Deny takes anything away, and a permissions boundary, if any, passes the same test; or
2. it may grant itself anything: it may write or attach a policy that applies to it
   (``Put/Attach{User,Role}Policy`` on its own ARN, ``Put/AttachGroupPolicy`` on a group it is
   in, ``CreatePolicyVersion`` on a customer-managed policy attached to it), and what it then
   holds, after also removing the Denies and the boundary it is allowed to remove, passes 1.

Under an organization's SCPs (``Access.scps``), which bound every principal of a member account
alike (but its service-linked roles) and which none of them can remove, a full administrator by
its policies stays one while the SCPs still let it write any policy on itself (2's writes, asked
through the SCPs): it then holds whatever they allow, the most any principal of the account can
hold, and the verdict names what they keep. It is not one when an SCP level takes those writes
away (e.g. a Deny of ``iam:*``): a guardrail that only keeps, say,
``organizations:LeaveOrganization`` from everyone does not make every administrator a
non-administrator.

So ``PowerUserAccess`` (every action but IAM, Organizations and Account) is not one, and the
verdict says what is excluded; ``AdministratorAccess`` under ``Deny NotAction s3:*`` is not one;
a role that may ``iam:PutRolePolicy`` on itself is one. No action catalogue is consulted: a Deny
is taken to name real actions (docs/checks.md says why).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from iamgate.policy.document import Policy, Statement, allow_all_policy
from iamgate.policy.evaluate import (
    Access,
    Attachment,
    Decision,
    Identity,
    allows,
    applies_everywhere,
    is_universal,
    level_label,
    resource_globs,
)
from iamgate.policy.organization import Levels
from iamgate.policy.request import truth
from iamgate.policy.wildcard import covers_action, covers_resource, has_wildcard


@dataclass(frozen=True, slots=True)
class Coverage:
    """Whether some statements allow every action on every resource, and if not, why."""

    everything: bool
    grant: Statement | None = None  # the statement that does it (or most of it)
    conditioned: bool = False
    excluded: tuple[str, ...] = ()  # action patterns no grant covers (the "all but" case)
    deny: Statement | None = None  # an unconditional Deny that takes something away

    def describe(self) -> str:
        if self.deny is not None:
            d = self.deny
            what = (
                f"every action but {', '.join(d.actions)}" if d.not_action else ", ".join(d.actions)
            )
            if d.not_resource:
                where = f" on all but {', '.join(d.resources)}"
            else:
                where = "" if is_universal(d.resources) else f" on {', '.join(d.resources)}"
            return f"{d.label} denies {what}{where}"
        if self.grant is not None:
            if self.excluded:
                return f"{self.grant.label} allows every action except {', '.join(self.excluded)}"
            return f"{self.grant.label} allows every action on every resource"
        return "no statement allows every action on every resource"


def _disjoint_actions(a: str, b: str) -> bool:
    """Sound disjointness of two action globs: different literal service prefixes."""
    sa = a.lower().partition(":")[0]
    sb = b.lower().partition(":")[0]
    return not has_wildcard(sa) and not has_wildcard(sb) and sa != sb


def _guessed(st: Statement, who: Identity | None) -> bool:
    r = resource_globs(st, who)
    return any(r.guessed) or r.dropped_unknown


def coverage(statements: Iterable[Statement], who: Identity | None) -> Coverage:
    """Every action on every resource, decided over the patterns (no action list needed).

    A statement whose Condition fails for ``who`` does not count; a Deny counts only when its
    Condition holds for ``who`` (:func:`.request.truth`), an Allow with an undecided one counts
    and makes the verdict conditioned."""
    universal: list[tuple[Statement, bool]] = []  # (statement, its Condition is undecided)
    for st in statements:
        if st.effect == "Deny":
            if st.no_action or (st.condition_keys and truth(st, who).holds is not True):
                continue  # names no action / may not apply
            globs = resource_globs(st, who).globs
            if (not is_universal(globs)) if st.not_resource else bool(globs):
                return Coverage(False, deny=st)
        elif applies_everywhere(st, who):
            holds = truth(st, who).holds if st.condition_keys else True
            if holds is not False:
                universal.append((st, holds is None))

    def cond(st: Statement, undecided: bool) -> bool:
        return undecided or _guessed(st, who)

    for st, undecided in universal:
        if st.all_actions:
            return Coverage(True, st, cond(st, undecided))
    positive = [(p, st, u) for st, u in universal if not st.not_action for p in st.actions]
    negatives = [(st, u) for st, u in universal if st.not_action]
    best: Coverage | None = None
    for st, undecided in negatives:
        left = []
        conditioned = cond(st, undecided)
        for x in st.actions:
            helper = next(((h, u) for p, h, u in positive if covers_action(p, x)), None)
            if helper is not None:
                conditioned = conditioned or cond(*helper)
                continue
            if any(
                all(_disjoint_actions(x, y) for y in other.actions)
                for other, _ in negatives
                if other is not st
            ):
                continue
            left.append(x)
        if not left:
            return Coverage(True, st, conditioned)
        if best is None or len(left) < len(best.excluded):
            best = Coverage(False, st, conditioned, tuple(left))
    return best or Coverage(False)


# --- granting itself anything ---------------------------------------------------------------

Route = Literal["every-action", "self-grant", "none"]


@dataclass(frozen=True, slots=True)
class AdminVerdict:
    is_admin: bool
    why: str
    route: Route = "none"
    conditioned: bool = False
    grant: Statement | None = None  # the statement behind the verdict
    excluded: tuple[str, ...] = ()  # for "all but" grants: what is left out


# The IAM writes that let a principal grant itself anything, by what they write into.
SELF_WRITE = {
    "user": ("iam:PutUserPolicy", "iam:AttachUserPolicy"),
    "role": ("iam:PutRolePolicy", "iam:AttachRolePolicy"),
    "group": ("iam:PutGroupPolicy", "iam:AttachGroupPolicy"),  # a group the principal is in
}
_BOUNDARY_REMOVE = {
    "user": ("iam:DeleteUserPermissionsBoundary", "iam:PutUserPermissionsBoundary"),
    "role": ("iam:DeleteRolePermissionsBoundary", "iam:PutRolePermissionsBoundary"),
}
_INLINE_REMOVE = {
    "user": ("iam:DeleteUserPolicy", "iam:PutUserPolicy"),
    "role": ("iam:DeleteRolePolicy", "iam:PutRolePolicy"),
    "group": ("iam:DeleteGroupPolicy", "iam:PutGroupPolicy"),
}
_MANAGED_REMOVE = {
    "user": ("iam:DetachUserPolicy",),
    "role": ("iam:DetachRolePolicy",),
    "group": ("iam:DetachGroupPolicy",),
}
_LEAVE_GROUP = ("iam:RemoveUserFromGroup",)
_NEW_VERSION = ("iam:CreatePolicyVersion",)
SELF_ACTIONS: tuple[str, ...] = tuple(
    sorted(
        {
            a
            for table in (SELF_WRITE, _BOUNDARY_REMOVE, _INLINE_REMOVE, _MANAGED_REMOVE)
            for acts in table.values()
            for a in acts
        }
        | set(_LEAVE_GROUP)
        | set(_NEW_VERSION)
    )
)


def _mentioned(access: Access) -> frozenset[str]:
    """The actions of :data:`SELF_ACTIONS` some Allow of the principal's policies covers."""
    return frozenset().union(*(p.allowed_among("self", SELF_ACTIONS) for p in access.policies()))


def _first_allowed(
    access: Access, actions: Iterable[str], resource: str, mentioned: frozenset[str]
) -> Decision | None:
    # Ask only what some Allow mentions: most principals hold none of these IAM writes.
    for action in actions:
        if action in mentioned:
            d = allows(access, action, resource)
            if d.allowed:
                return d
    return None


def self_write(access: Access, mentioned: frozenset[str]) -> Decision | None:
    """The first IAM write that lets the principal put any policy on itself, if any."""
    who = access.who
    found = _first_allowed(access, SELF_WRITE[who.kind], who.arn, mentioned)
    for group in access.groups:
        found = found or _first_allowed(access, SELF_WRITE["group"], group, mentioned)
    for att in access.attachments:
        if found is None and att.policy.kind == "managed":
            found = _first_allowed(access, _NEW_VERSION, att.policy.id, mentioned)
    return found


def _removal(
    access: Access, att: Attachment, mentioned: frozenset[str]
) -> tuple[Decision, tuple[Attachment, ...]] | None:
    """How the principal may take ``att`` away from itself, and what goes with it."""
    who = access.who
    holder = who.kind if att.via == who.arn else "group"
    table = _INLINE_REMOVE if att.policy.kind == "inline" else _MANAGED_REMOVE
    found = _first_allowed(access, table[holder], att.via, mentioned)
    if found is None and att.policy.kind == "managed":
        found = _first_allowed(access, _NEW_VERSION, att.policy.id, mentioned)
    if found is not None:
        return found, (att,)
    if holder == "group":  # leave the group: all its policies go
        found = _first_allowed(access, _LEAVE_GROUP, att.via, mentioned)
        if found is not None:
            return found, tuple(a for a in access.attachments if a.via == att.via)
    return None


def _has_deny(policy: Policy) -> bool:
    """A Deny that may take something away (unconditional, or decided for a principal)."""
    return any(
        st.effect == "Deny" and (st.decidable or not st.conditioned) for st in policy.statements
    )


def _raise_self(access: Access) -> tuple[Access, list[Decision]]:
    """What the principal can make of its own access: write ``Allow * on *`` if it may, then
    take away the Denies and the boundary it may take away, until nothing more changes."""
    mentioned = _mentioned(access)
    if not mentioned:
        return access, []  # holds none of the IAM writes: nothing to try
    who = access.who
    write = self_write(access, mentioned)
    steps = [write] if write is not None else []
    removed: list[Attachment] = []
    unbounded = False
    while True:
        view = access.without(removed, unbounded)
        if write is not None:
            view = view.with_policy(allow_all_policy())
            mentioned = frozenset(SELF_ACTIONS)  # the new policy allows them all
        else:
            mentioned = _mentioned(view)
        if not unbounded and view.boundary is not None:
            found = _first_allowed(view, _BOUNDARY_REMOVE[who.kind], who.arn, mentioned)
            if found is not None:
                unbounded = True
                steps.append(found)
                continue
        for att in view.attachments:
            if att in removed or not _has_deny(att.policy):
                continue
            gone = _removal(view, att, mentioned)
            if gone is not None:
                removed.extend(gone[1])
                steps.append(gone[0])
                break
        else:
            return view, steps


def verdict_key(access: Access) -> tuple[object, ...] | None:
    """What :func:`admin` depends on when it cannot depend on who the principal is: the
    statements that can matter to "every action on every resource", in order, and the
    boundary. None when it may: some policy lets the principal write to itself
    (:data:`SELF_ACTIONS`), or one of those statements holds a policy variable. Principals
    with the same key get the same verdict (most share their policies through groups)."""
    broad: list[int] = []
    for policy in access.policies():
        if policy.allowed_among("self", SELF_ACTIONS):
            return None
        for st in policy.broad:
            if st.has_variables:
                return None
            broad.append(id(st))
    bound = access.boundary
    if bound is not None and any(st.has_variables for st in bound.broad):
        return None
    if any(st.has_variables for level in access.scps for p in level for st in p.broad):
        return None
    return (tuple(broad), id(bound), id(access.scps))


def _org_limits(access: Access) -> list[str]:
    """What keeps the principal from every action on every resource at each SCP level (none
    when every level allows it all, or no SCP applies). The principal cannot remove an SCP,
    whatever it may write."""
    who = access.who
    limits: list[str] = []
    for level in access.scps:
        found = coverage([st for p in level for st in p.broad], who)
        if found.everything:
            continue
        if found.deny is not None or found.excluded:
            limits.append(found.describe())
        else:
            label = level_label(level)
            limits.append(f"no SCP attached at {label} allows every action on every resource")
    return limits


def _org_bounded(verdict: AdminVerdict, access: Access) -> AdminVerdict:
    """``verdict`` as the SCPs leave it (see the module docstring): a full administrator by its
    policies stays one while the SCPs let it write any policy on itself, and is not one when
    they take that away."""
    if not verdict.is_admin or not access.scps:
        return verdict
    limits = _org_limits(access)
    if not limits:
        return verdict
    kept = "; ".join(limits)
    write = self_write(access, _mentioned(access))  # asked through the SCP levels
    if write is None:
        why = f"full administrator by its policies, but {kept}: not a full administrator"
        return AdminVerdict(False, why, grant=verdict.grant)
    why = (
        f"{verdict.why}; within the organization's SCPs ({kept}), as it may still grant itself "
        f"anything they allow: {write.why}"
    )
    cond = verdict.conditioned or write.conditioned
    return AdminVerdict(True, why, verdict.route, cond, verdict.grant, verdict.excluded)


def admin(access: Access) -> AdminVerdict:
    """Full administrator (see the module docstring), with the reason either way; the SCPs
    over the principal (``Access.scps``) must allow every action on every resource too."""
    return _org_bounded(_by_its_policies(access), access)


def _by_its_policies(access: Access) -> AdminVerdict:
    who = access.who
    identity = coverage(access.broad_statements(), who)
    bound = coverage(access.boundary.broad, who) if access.boundary else None
    if identity.everything and (bound is None or bound.everything):
        cond = identity.conditioned or bool(bound and bound.conditioned)
        note = " (conditioned)" if cond else ""
        return AdminVerdict(True, identity.describe() + note, "every-action", cond, identity.grant)
    raised, steps = _raise_self(access)
    if steps:
        r_identity = coverage(raised.broad_statements(), who)
        r_bound = coverage(raised.boundary.broad, who) if raised.boundary else None
        if r_identity.everything and (r_bound is None or r_bound.everything):
            how = "; ".join(s.why for s in steps)
            cond = any(s.conditioned for s in steps)
            return AdminVerdict(
                True, f"may grant itself anything: {how}", "self-grant", cond, steps[0].grant
            )
    if not identity.everything or bound is None:
        return AdminVerdict(
            False, identity.describe(), grant=identity.grant, excluded=identity.excluded
        )
    return AdminVerdict(
        False,
        f"{identity.describe()}, but the permissions boundary limits it: {bound.describe()}",
        grant=identity.grant,
        excluded=bound.excluded,
    )


# --- policy-level questions (for the policy checks) ---------------------------------------


def policy_grants_admin(
    policy: Policy,
    holders: Iterable[tuple[Identity, str]],
    scps: Callable[[Identity], Levels] | None = None,
) -> AdminVerdict:
    """Whether holding ``policy`` alone makes one of ``holders`` a full administrator. A holder
    is (who, the ARN the policy is attached to: who itself, or a group it is in); it decides
    what ``${aws:username}`` and "itself" mean. ``scps``: the SCP levels over a holder."""
    verdicts = [
        admin(
            Access(
                who,
                (Attachment(policy, via),),
                None,
                () if via == who.arn else (via,),
                scps(who) if scps is not None else (),
            )
        )
        for who, via in holders
    ]
    return next((v for v in verdicts if v.is_admin), verdicts[0])


def assume_any(policy: Policy, partition: str = "aws") -> list[Statement]:
    """Allow statements of ``policy`` that allow ``sts:AssumeRole`` on every role anywhere,
    unless an unconditional Deny of the same policy takes it back. ``*`` on ``*`` is left to
    the administrator checks (it would only repeat them)."""
    every_role = f"arn:{partition}:iam::*:role/*"
    found = []
    candidates = policy.statements_for("sts:AssumeRole")
    denies = [d for d in candidates if d.effect == "Deny" and not d.conditioned]
    for st in candidates:
        if st.effect != "Allow" or (st.all_actions and st.universal):
            continue
        globs = resource_globs(st, None).globs
        hits = any(covers_resource(g, every_role) for g in globs)
        if hits == st.not_resource:  # NotResource: it must not exclude every role
            continue
        if not any(_deny_covers_all(d, every_role) for d in denies):
            found.append(st)
    return found


def _deny_covers_all(deny: Statement, every_role: str) -> bool:
    globs = resource_globs(deny, None).globs
    if deny.not_resource:
        return not globs
    return any(covers_resource(g, every_role) for g in globs)
