"""Who holds what: direct grants, administrator access, support access (CIS 1.15-1.17).

Admin detection goes through :mod:`iamgate.policy.admin`, the one definition of full administrator.
"""

from __future__ import annotations

from collections.abc import Iterator

from iamgate.checks.aws_docs import (
    BEST_PRACTICES,
    EVALUATION_LOGIC,
    GROUPS,
    LAST_ACCESSED_REGIONS,
    POLICY_VARIABLES,
    ROLE_LAST_USED,
    SCP_EVALUATION,
    SERVER_CERTIFICATES,
    SERVICE_LINKED_ROLES,
    SUPPORT_ACCESS,
)
from iamgate.checks.context import Context
from iamgate.checks.registry import Outcome, check
from iamgate.model.config import ROLE_LAST_USED_WINDOW_DAYS
from iamgate.model.results import Severity
from iamgate.model.snapshot import Group, Role, Source, User
from iamgate.policy.admin import policy_grants_admin
from iamgate.policy.principals import ADMIN_POLICY_ARN_SUFFIX

_AUTH = (Source.AUTHORIZATION_DETAILS, Source.IDENTITY)
SUPPORT_POLICY_SUFFIX = ":policy/AWSSupportAccess"


@check(
    id="user-direct-policies",
    title="Users get permissions through groups only",
    severity=Severity.LOW,
    resource_type="user",
    requires=_AUTH,
    cis=("1.15",),
    fsbp=("IAM.2",),
    semantics=(BEST_PRACTICES, GROUPS),
    rationale="Permissions granted to groups are reviewed once and apply consistently; grants "
    "scattered on users drift and are missed in access reviews.",
    remediation="Put the user in a group that carries the policy, then detach the user's own "
    "policies (aws iam detach-user-policy / delete-user-policy).",
)
def user_direct_policies(ctx: Context) -> Iterator[Outcome]:
    for user in ctx.snapshot.users:
        if not (user.attached or user.inline):  # most users: no list to build
            yield Outcome(user.arn, "user", True, "no policies attached directly")
            continue
        direct = [a.name or a.arn for a in user.attached] + [
            f"{p.name} (inline)" for p in user.inline
        ]
        yield Outcome(
            user.arn,
            "user",
            False,
            f"user {user.name} has policies attached directly: {', '.join(direct)}",
        )


@check(
    id="group-admin-access",
    title="No group grants full administrator access",
    severity=Severity.HIGH,
    resource_type="group",
    requires=(*_AUTH, Source.AWS_MANAGED_POLICIES),
    cis=("1.16",),
    semantics=(EVALUATION_LOGIC, SCP_EVALUATION),
    rationale="Least privilege: a group that makes its members full administrators (every "
    "action on every resource, or the IAM writes to grant themselves anything) hands that "
    "to whoever is added to it, and membership is the easiest thing to change unnoticed. "
    "Judged as a member holding only the group's policies, with the same definition of "
    "administrator as principal-admin-access.",
    remediation="Replace the admin grant with the actions the group's job needs; keep admin on a "
    "role assumed with MFA for break-glass use.",
)
def group_admin_access(ctx: Context) -> Iterator[Outcome]:
    for group in ctx.snapshot.groups:
        verdict = ctx.principals.verdict(group)
        if verdict is None:
            eff = ctx.principals.access(group)
            if any(a.arn.endswith(ADMIN_POLICY_ARN_SUFFIX) for a in group.attached):
                # Known by its ARN even without its document.
                yield Outcome(
                    group.arn,
                    "group",
                    False,
                    f"group {group.name} grants full administrator access: AdministratorAccess "
                    "is attached",
                )
            else:
                yield Outcome(group.arn, "group", None, eff.problem)
        elif verdict.is_admin:
            yield Outcome(
                group.arn,
                "group",
                False,
                f"group {group.name} grants full administrator access: {verdict.why}",
            )
        else:
            yield Outcome(group.arn, "group", True, verdict.why)


@check(
    id="policy-full-admin",
    title="No attached policy grants full administrator access",
    severity=Severity.HIGH,
    resource_type="policy",
    requires=_AUTH,
    cis=("1.16",),
    fsbp=("IAM.1",),
    semantics=(EVALUATION_LOGIC, POLICY_VARIABLES, SCP_EVALUATION),
    rationale="A policy with full administrative privileges defeats least privilege wherever "
    "it is attached. Full administrator: * on * (however written), or the IAM writes that let "
    "the holder grant itself anything (e.g. iam:PutUserPolicy on itself, "
    "iam:CreatePolicyVersion on the policy). Customer-managed policies are judged for any "
    "user or role that could hold them, inline policies for their holder.",
    remediation="Rewrite the policy to list the actions and resources needed, or detach it.",
)
def policy_full_admin(ctx: Context) -> Iterator[Outcome]:
    for policy, holders in ctx.principals.customer_policies(attached_only=True):
        verdict = policy_grants_admin(policy, holders, ctx.principals.scps_for)
        if verdict.is_admin:
            yield Outcome(
                policy.id,
                "policy",
                False,
                f"policy grants full administrator access: {verdict.why}",
            )
        else:
            yield Outcome(policy.id, "policy", True, verdict.why)


@check(
    id="support-role",
    title="A role can manage AWS Support cases",
    severity=Severity.LOW,
    resource_type="account",
    requires=_AUTH,
    cis=("1.17",),
    semantics=(SUPPORT_ACCESS,),
    rationale="During an incident someone must be able to open a support case without using "
    "root. CIS 1.17 asks for a role (its audit lists the policy's PolicyRoles): a role is "
    "assumed for the incident and audited as such; a user or group holding AWSSupportAccess "
    "does not satisfy it.",
    remediation="Create a role with the AWS managed policy AWSSupportAccess attached, trusted by "
    "the people who handle incidents.",
)
def support_role(ctx: Context) -> Iterator[Outcome]:
    snap = ctx.snapshot

    def holding(entities: list[User] | list[Group] | list[Role]) -> list[str]:
        return [
            e.arn
            for e in entities
            if any(a.arn.endswith(SUPPORT_POLICY_SUFFIX) for a in e.attached)
        ]

    roles = holding(list(snap.roles))
    if roles:
        more = f" and {len(roles) - 3} more" if len(roles) > 3 else ""
        yield Outcome(
            ctx.account_arn,
            "account",
            True,
            f"AWSSupportAccess is attached to {', '.join(roles[:3])}{more}",
        )
        return
    others = holding(list(snap.users)) + holding(list(snap.groups))
    note = (
        f" (it is attached to {', '.join(others[:3])}, but CIS 1.17 asks for a role)"
        if others
        else ""
    )
    yield Outcome(ctx.account_arn, "account", False, f"no role has AWSSupportAccess attached{note}")


@check(
    id="server-certificate-expired",
    title="No expired server certificate is stored in IAM",
    severity=Severity.MEDIUM,
    resource_type="certificate",
    requires=(Source.SERVER_CERTIFICATES,),
    cis=("1.19",),
    semantics=(SERVER_CERTIFICATES,),
    rationale="An expired certificate can be deployed by mistake and breaks the service behind "
    "it; stale ones clutter the account.",
    remediation="aws iam delete-server-certificate --server-certificate-name NAME (move live "
    "certificates to ACM).",
)
def server_certificate_expired(ctx: Context) -> Iterator[Outcome]:
    for cert in ctx.snapshot.server_certificates:
        if cert.expiration < ctx.now:
            yield Outcome(
                cert.arn,
                "certificate",
                False,
                f"server certificate {cert.name} expired on {cert.expiration:%Y-%m-%d}",
            )
        else:
            yield Outcome(cert.arn, "certificate", True, f"valid until {cert.expiration:%Y-%m-%d}")


SERVICE_LINKED_PATH = "/aws-service-role/"


@check(
    id="role-unused",
    title="No role goes unused longer than the configured number of days",
    severity=Severity.MEDIUM,
    resource_type="role",
    requires=_AUTH,
    semantics=(ROLE_LAST_USED, LAST_ACCESSED_REGIONS, SERVICE_LINKED_ROLES),
    rationale="A role nobody assumes is access without a use: its trust and permissions are "
    "reviewed by no one and wait for whoever finds them. GetAccountAuthorizationDetails returns "
    "each role's RoleLastUsed (no other call, no Access Analyzer unused-access analyzer). AWS "
    "reports it for the trailing 400 days only, and only from the regions that track it (a "
    "region that began tracking within the last year reports a shorter window): a role without "
    "a date was not used in that window, which is not the same as never. Service-linked roles "
    "(path /aws-service-role/) are not judged: their service creates, uses and deletes them. "
    "A role younger than the threshold is not judged either: it cannot have gone unused that "
    "long. Threshold: [checks] role_unused_days (default 90, at most 400).",
    remediation="Find who owns the role (its tags, its trust policy), then delete it (aws iam "
    "delete-role after detaching its policies and removing it from instance profiles); accept "
    "in the baseline a role kept for a rare use, such as break-glass or disaster recovery.",
)
def role_unused(ctx: Context) -> Iterator[Outcome]:
    limit = ctx.config.checks.role_unused_days
    for role in ctx.snapshot.roles:
        yield _role_use(ctx, role, limit)


def _role_use(ctx: Context, role: Role, limit: int) -> Outcome:
    if role.path.startswith(SERVICE_LINKED_PATH):
        return Outcome(
            role.arn,
            "role",
            True,
            "not judged: a service-linked role, created, used and deleted by its AWS service",
        )
    age = ctx.age_days(role.create_date)
    if role.last_used is None:
        if age <= limit:
            return Outcome(
                role.arn,
                "role",
                True,
                f"not judged: created {age} days ago, not longer than {limit} days",
            )
        window = min(age, ROLE_LAST_USED_WINDOW_DAYS)
        return Outcome(
            role.arn,
            "role",
            False,
            f"role {role.name} was not used in the last {window} days (AWS tracks a role's last "
            f"use for 400 days, in the regions that track it); created {age} days ago",
        )
    idle = ctx.age_days(role.last_used)
    where = f" in {role.last_used_region}" if role.last_used_region else ""
    when = f"{role.last_used:%Y-%m-%d}{where}"
    if idle > limit:
        return Outcome(
            role.arn,
            "role",
            False,
            f"role {role.name} was last used {idle} days ago ({when}), more than {limit} days",
        )
    return Outcome(role.arn, "role", True, f"last used {idle} days ago ({when})")
