"""Least privilege: effective access of every principal, service wildcards, escalation paths,
idle groups and CloudShell.

Effective access (:func:`principal_access`) gathers every policy that applies: attached managed
and inline policies, a user's groups' policies, and the permissions boundary that limits them.
If any of those documents is missing from the snapshot, the principal is ``error``, never pass.
Service-linked roles (path ``/aws-service-role/``) are not judged: AWS owns their policies and
no one in the account can change or assume them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator

from iamgate.checks.context import Context
from iamgate.checks.registry import Outcome, check
from iamgate.model.results import Severity
from iamgate.model.snapshot import Group, Role, Source, User
from iamgate.policy.access import (
    ADMIN_POLICY_ARN_SUFFIX,
    Access,
    Grant,
    admin_grants,
    service_wildcards,
)
from iamgate.policy.document import Statement, statements
from iamgate.policy.escalation import PATHS, EscalationPath
from iamgate.policy.principals import (
    SSO_PATH,
    Decisions,
    inline_policy_id,
    is_service_linked,
    kind_of,
)

_AUTH = (Source.AUTHORIZATION_DETAILS, Source.IDENTITY)
# Effective access reads the documents of attached AWS-managed policies too: without them, say
# error rather than judge on a part of the grants.
_WITH_AWS_POLICIES = (*_AUTH, Source.AWS_MANAGED_POLICIES)
CLOUDSHELL_SUFFIX = ":policy/AWSCloudShellFullAccess"


def _principals(ctx: Context, *kinds: type) -> list[User | Group | Role]:
    snap = ctx.snapshot
    every: list[User | Group | Role] = [*snap.users, *snap.groups, *snap.roles]
    return [e for e in every if isinstance(e, kinds)]


def _sso_note(entity: User | Group | Role) -> str:
    if isinstance(entity, Role) and entity.path.startswith(SSO_PATH):
        return " (an IAM Identity Center role: change its permission set, not the role)"
    return ""


@check(
    id="principal-admin-access",
    title="No user or role is a full administrator",
    severity=Severity.HIGH,
    resource_type="user/role",
    requires=_WITH_AWS_POLICIES,
    rationale="Least privilege: a standing administrator (by * on *, AdministratorAccess, a group, "
    "or an Allow of NotAction, which grants everything else) turns one leaked credential into "
    "full control. Service-linked roles are not judged: AWS owns their policies.",
    remediation="Grant the actions the job needs; keep full admin on a break-glass role assumed "
    "with MFA, and accept that role in the baseline with its reason.",
)
def principal_admin_access(ctx: Context) -> Iterator[Outcome]:
    for entity in _principals(ctx, User, Role):
        kind = kind_of(entity)
        if is_service_linked(entity):
            yield Outcome(entity.arn, kind, True, "service-linked role: AWS owns its policies")
            continue
        eff = ctx.principals.access(entity)
        if eff.access is None:
            # An attached AdministratorAccess is enough to know, even without its document.
            bounded = isinstance(entity, User | Role) and entity.permissions_boundary
            if any(a.arn.endswith(ADMIN_POLICY_ARN_SUFFIX) for a in entity.attached) and not (
                bounded
            ):
                yield Outcome(
                    entity.arn,
                    kind,
                    False,
                    f"{kind} {entity.name} is a full "
                    "administrator: AdministratorAccess is attached",
                )
            else:
                yield Outcome(entity.arn, kind, None, eff.problem)
            continue
        is_admin, why = eff.access.admin()
        if is_admin:
            grant = admin_grants(eff.access.statements)[0]
            via = f" (via {eff.via[grant.source]})" if grant.source in eff.via else ""
            yield Outcome(
                entity.arn,
                kind,
                False,
                f"{kind} {entity.name} is a full administrator: {why}{via}{_sso_note(entity)}",
            )
        else:
            yield Outcome(entity.arn, kind, True, why)


@check(
    id="policy-service-wildcard",
    title="No customer policy allows every action of a service",
    severity=Severity.MEDIUM,
    resource_type="policy",
    requires=_AUTH,
    fsbp=("IAM.21",),
    rationale="service:* grants every present and future action of the service, including its "
    "administrative and destructive ones (iam:* is administrator access in all but name).",
    remediation="List the actions the workload calls (IAM Access Analyzer can generate a policy "
    "from CloudTrail activity), then replace service:* with them.",
)
def policy_service_wildcard(ctx: Context) -> Iterator[Outcome]:
    def judge(pid: str, sts: tuple[Statement, ...]) -> Outcome:
        found = service_wildcards(sts)
        if not found:
            return Outcome(pid, "policy", True, "no statement allows service:*")
        listed = "; ".join(f"{action} in {st.label}" for action, st in found[:5])
        more = f" and {len(found) - 5} more" if len(found) > 5 else ""
        return Outcome(
            pid, "policy", False, f"policy allows every action of a service: {listed}{more}"
        )

    for policy in ctx.snapshot.policies:
        if not policy.aws_managed and policy.attachment_count > 0:
            yield judge(policy.arn, statements(policy.document, source=policy.arn))
    for entity in _principals(ctx, User, Group, Role):
        for pol in entity.inline:
            pid = inline_policy_id(entity.arn, pol.name)
            yield judge(pid, statements(pol.document, source=pid))


def open_paths(
    access: Access, allows: Callable[[str], Grant | None] | None = None
) -> list[tuple[EscalationPath, list[Grant]]]:
    """The escalation paths whose every action the access allows, with the granting statements."""
    ask = allows or access.allows
    found = []
    decided: dict[str, Grant | None] = {}
    for path in PATHS:
        for action in path.actions:
            if action not in decided:
                decided[action] = ask(action)
        grants = [decided[action] for action in path.actions]
        if all(g is not None for g in grants):
            found.append((path, [g for g in grants if g is not None]))
    return found


@check(
    id="policy-privilege-escalation",
    title="No principal can escalate its own privileges",
    severity=Severity.HIGH,
    resource_type="user/group/role",
    requires=_WITH_AWS_POLICIES,
    rationale="Some permissions let a principal grant itself more (a new policy version, a policy "
    "attachment, a role passed to a new Lambda function or instance...). Whoever holds them is "
    "an administrator in waiting. Paths: Rhino Security Labs' published list. A grant scoped to "
    "some resources still counts: the resource may be the principal itself.",
    remediation="Remove the listed actions, scope them to resources the principal cannot use to "
    "raise its own rights (and iam:PassRole to the roles it must pass), or add a permissions "
    "boundary that denies them.",
)
def policy_privilege_escalation(ctx: Context) -> Iterator[Outcome]:
    decisions = Decisions()
    for entity in _principals(ctx, User, Group, Role):
        kind = kind_of(entity)
        if is_service_linked(entity):
            yield Outcome(entity.arn, kind, True, "service-linked role: AWS owns its policies")
            continue
        eff = ctx.principals.access(entity)
        if eff.access is None:
            yield Outcome(entity.arn, kind, None, eff.problem)
            continue
        is_admin, _why = eff.access.admin()
        if is_admin:
            yield Outcome(
                entity.arn,
                kind,
                False,
                f"{kind} {entity.name} is a full administrator, so every escalation path is "
                "open (see principal-admin-access)",
            )
            continue
        paths = open_paths(eff.access, functools.partial(decisions.allows, eff))
        if not paths:
            yield Outcome(entity.arn, kind, True, "no known privilege-escalation path")
            continue
        path, grants = paths[0]
        how = ", ".join(f"{g.action} by {eff.where(g.statement)}" for g in grants)
        others = ""
        if len(paths) > 1:
            others = f"; also {', '.join(p.id for p, _ in paths[1:])}"
        yield Outcome(
            entity.arn,
            kind,
            False,
            f"{kind} {entity.name} can escalate privileges: {path.id} ({path.description}): "
            f"{how}{others}",
        )


@check(
    id="group-no-members",
    title="No group carries policies without members",
    severity=Severity.LOW,
    resource_type="group",
    requires=_AUTH,
    rationale="An empty group with policies is unreviewed access waiting to be handed out: adding "
    "a user to it is one call, and nobody reviews a group that seems unused.",
    remediation="Delete the group (detach and delete its policies first), or record in the "
    "baseline why it is kept.",
)
def group_no_members(ctx: Context) -> Iterator[Outcome]:
    members: dict[str, int] = {}
    for user in ctx.snapshot.users:
        for name in user.groups:
            members[name] = members.get(name, 0) + 1
    for group in ctx.snapshot.groups:
        count = members.get(group.name, 0)
        has_policies = bool(group.attached or group.inline)
        if count:
            yield Outcome(group.arn, "group", True, f"{count} member(s)")
        elif has_policies:
            names = [a.name or a.arn for a in group.attached] + [
                f"{p.name} (inline)" for p in group.inline
            ]
            yield Outcome(
                group.arn,
                "group",
                False,
                f"group {group.name} has no members but carries policies: {', '.join(names)}",
            )
        else:
            yield Outcome(group.arn, "group", True, "no members and no policies")


@check(
    id="cloudshell-full-access",
    title="AWSCloudShellFullAccess is not attached",
    severity=Severity.MEDIUM,
    resource_type="user/group/role",
    requires=_AUTH,
    cis=("1.22",),
    rationale="CloudShell with full access can upload and download files to and from a shell "
    "that holds the user's credentials, a path for data to leave the account unnoticed.",
    remediation="Detach AWSCloudShellFullAccess; grant the CloudShell actions needed, without "
    "cloudshell:PutFileUpload / GetFileDownloadUrls where data export matters.",
)
def cloudshell_full_access(ctx: Context) -> Iterator[Outcome]:
    for entity in _principals(ctx, User, Group, Role):
        kind = kind_of(entity)
        if any(a.arn.endswith(CLOUDSHELL_SUFFIX) for a in entity.attached):
            yield Outcome(
                entity.arn,
                kind,
                False,
                f"{kind} {entity.name} has AWSCloudShellFullAccess attached",
            )
        else:
            yield Outcome(entity.arn, kind, True, "AWSCloudShellFullAccess is not attached")
