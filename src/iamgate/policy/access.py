"""What a set of identity statements allows, as AWS evaluates it, for the questions the checks
ask.

- action names match case-insensitively, with ``*`` and ``?`` anywhere (``iam:*Policy*``);
- an explicit ``Deny`` wins over any ``Allow``, but a Deny with a ``Condition`` may not apply,
  so it never removes a grant here (the conservative reading for a compliance gate);
- ``Allow`` + ``NotAction`` grants everything *but* the listed actions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from iamgate.policy.document import Statement
from iamgate.policy.wildcard import matches

ADMIN_POLICY_ARN_SUFFIX = ":policy/AdministratorAccess"


def _covers_action(st: Statement, action: str) -> bool:
    if st.actions is not None:
        return any(matches(p, action) for p in st.actions)
    if st.not_actions is not None:
        return not any(matches(p, action) for p in st.not_actions)
    return False


def _all_resources(st: Statement) -> bool:
    """The statement applies to every resource (``*``), or to all but a few (NotResource)."""
    if st.resources is not None:
        return "*" in st.resources
    return st.not_resources is not None


def _deny_all_resources(st: Statement) -> bool:
    """A Deny applies everywhere only with ``Resource: *`` (NotResource spares the listed ones)."""
    if st.resources is not None:
        return "*" in st.resources
    return st.not_resources is not None and not st.not_resources


def _is_all_actions(st: Statement) -> bool:
    return st.actions is not None and any(a in ("*", "*:*") for a in st.actions)


def admin_grants(sts: Iterable[Statement]) -> list[Statement]:
    """Allow statements that grant full administrator access (or its equivalent)."""
    return [
        st
        for st in sts
        if st.effect == "Allow"
        and _all_resources(st)
        and (_is_all_actions(st) or st.not_actions is not None)
    ]


def admin_revoked_by(sts: Iterable[Statement]) -> Statement | None:
    """An unconditional Deny of every action on every resource, if there is one."""
    for st in sts:
        if (
            st.effect == "Deny"
            and not st.has_condition
            and _deny_all_resources(st)
            and (_is_all_actions(st) or (st.not_actions is not None and not st.not_actions))
        ):
            return st
    return None


def describe_admin(grant: Statement) -> str:
    if grant.not_actions is not None:
        listed = ", ".join(grant.not_actions)
        return f"Allow NotAction [{listed}] on * (everything else) in {grant.label}"
    return f"Allow * on * in {grant.label}"


@dataclass(frozen=True, slots=True)
class Grant:
    action: str
    statement: Statement


@dataclass(frozen=True, slots=True)
class Decision:
    """What one policy says about one action."""

    grant: Statement | None = None  # the first Allow that covers it
    deny: Statement | None = None  # the first unconditional Deny of it on every resource


def decide(sts: Iterable[Statement], action: str) -> Decision:
    grant = None
    for st in sts:
        if not _covers_action(st, action):
            continue
        if st.effect == "Deny":
            if not st.has_condition and _deny_all_resources(st):
                return Decision(grant, st)
        elif grant is None:
            grant = st
    return Decision(grant, None)


def combine(action: str, decisions: Iterable[Decision]) -> Grant | None:
    """Several policies together: any unconditional Deny wins, else the first grant."""
    grant = None
    for d in decisions:
        if d.deny is not None:
            return None
        if grant is None and d.grant is not None:
            grant = Grant(action, d.grant)
    return grant


def allowed(sts: Iterable[Statement], action: str) -> Grant | None:
    """Whether ``action`` is allowed on some resource, and by which statement.

    An unconditional Deny covering the action on every resource removes the grant; a Deny
    with a Condition or scoped to some resources does not (it may not apply).
    """
    return combine(action, [decide(sts, action)])


# --- effective access of a principal ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Access:
    """What a principal may do: its identity statements, limited by a permissions boundary.

    ``boundary`` is None when the principal has none. An action is effective only when the
    identity statements allow it *and* the boundary allows it (AWS intersects the two).
    """

    statements: tuple[Statement, ...]
    boundary: tuple[Statement, ...] | None = None

    def allows(self, action: str) -> Grant | None:
        grant = allowed(self.statements, action)
        if grant is None:
            return None
        if self.boundary is not None and allowed(self.boundary, action) is None:
            return None
        return grant

    def admin(self) -> tuple[bool, str]:
        """(full administrator, why), reading Deny and the boundary as AWS does."""
        grants = admin_grants(self.statements)
        if not grants:
            return False, "no statement grants full administrator access"
        revoked = admin_revoked_by(self.statements)
        if revoked is not None:
            return False, f"administrator access is granted but denied by {revoked.label}"
        if self.boundary is not None:
            if not admin_grants(self.boundary):
                return False, (
                    f"{describe_admin(grants[0])}, but the permissions boundary limits it"
                )
            limited = admin_revoked_by(self.boundary)
            if limited is not None:
                return False, f"the permissions boundary denies it ({limited.label})"
        return True, describe_admin(grants[0])


def service_wildcards(sts: Iterable[Statement]) -> list[tuple[str, Statement]]:
    """``(service:*, statement)`` for each Allow of a whole service (``iam:*``, ``S3:*``)."""
    found = []
    for st in sts:
        if st.effect != "Allow" or st.actions is None:
            continue
        for action in st.actions:
            service, sep, name = action.partition(":")
            if sep and name == "*" and service and "*" not in service:
                found.append((action, st))
    return found
