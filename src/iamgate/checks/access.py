"""Who holds what: direct grants, administrator access, support access (CIS 1.15-1.17).

Admin detection goes through :mod:`iamgate.policy`, which reads the policy language as AWS does.
"""

from __future__ import annotations

from collections.abc import Iterator

from iamgate.checks.context import Context
from iamgate.checks.registry import Outcome, check
from iamgate.model.results import Severity
from iamgate.model.snapshot import Group, Role, Source, User
from iamgate.policy.access import (
    ADMIN_POLICY_ARN_SUFFIX,
    admin_grants,
    admin_revoked_by,
    describe_admin,
)
from iamgate.policy.document import Statement, statements
from iamgate.policy.principals import admin_verdict, inline_policy_id

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
    rationale="Permissions granted to groups are reviewed once and apply consistently; grants "
    "scattered on users drift and are missed in access reviews.",
    remediation="Put the user in a group that carries the policy, then detach the user's own "
    "policies (aws iam detach-user-policy / delete-user-policy).",
)
def user_direct_policies(ctx: Context) -> Iterator[Outcome]:
    for user in ctx.snapshot.users:
        direct = [a.name or a.arn for a in user.attached] + [
            f"{p.name} (inline)" for p in user.inline
        ]
        if direct:
            yield Outcome(
                user.arn,
                "user",
                False,
                f"user {user.name} has policies attached directly: {', '.join(direct)}",
            )
        else:
            yield Outcome(user.arn, "user", True, "no policies attached directly")


@check(
    id="group-admin-access",
    title="No group grants full administrator access",
    severity=Severity.HIGH,
    resource_type="group",
    requires=(*_AUTH, Source.AWS_MANAGED_POLICIES),
    cis=("1.16",),
    rationale="Least privilege: a group with * on * makes every member an administrator, and "
    "membership is the easiest thing to change unnoticed.",
    remediation="Replace the admin grant with the actions the group's job needs; keep admin on a "
    "role assumed with MFA for break-glass use.",
)
def group_admin_access(ctx: Context) -> Iterator[Outcome]:
    for group in ctx.snapshot.groups:
        sts, missing = ctx.principals.entity_statements(group)
        is_admin, why = admin_verdict(sts, missing)
        unknown = [a for a in missing if not a.endswith(ADMIN_POLICY_ARN_SUFFIX)]
        if is_admin:
            yield Outcome(
                group.arn,
                "group",
                False,
                f"group {group.name} grants full administrator access: {why}",
            )
        elif unknown:
            yield Outcome(
                group.arn,
                "group",
                None,
                f"not evaluated: the snapshot lacks the document of {', '.join(unknown)}",
            )
        else:
            yield Outcome(group.arn, "group", True, why)


@check(
    id="policy-full-admin",
    title="No attached policy allows * on *",
    severity=Severity.HIGH,
    resource_type="policy",
    requires=_AUTH,
    cis=("1.16",),
    fsbp=("IAM.1",),
    rationale="A policy with full administrative privileges defeats least privilege wherever "
    "it is attached.",
    remediation="Rewrite the policy to list the actions and resources needed, or detach it.",
)
def policy_full_admin(ctx: Context) -> Iterator[Outcome]:
    def judge(arn: str, sts: tuple[Statement, ...]) -> Outcome:
        grants = admin_grants(sts)
        revoked = admin_revoked_by(sts)
        if grants and revoked is None:
            return Outcome(
                arn,
                "policy",
                False,
                f"policy allows full administrator access: {describe_admin(grants[0])}",
            )
        return Outcome(arn, "policy", True, "no statement allows * on *")

    for policy in ctx.snapshot.policies:
        if not policy.aws_managed and policy.attachment_count > 0:
            yield judge(policy.arn, statements(policy.document, source=policy.arn))
    entities: list[User | Group | Role] = [
        *ctx.snapshot.users,
        *ctx.snapshot.groups,
        *ctx.snapshot.roles,
    ]
    for entity in entities:
        for pol in entity.inline:
            pid = inline_policy_id(entity.arn, pol.name)
            yield judge(pid, statements(pol.document, source=pid))


@check(
    id="support-role",
    title="A principal can manage AWS Support cases",
    severity=Severity.LOW,
    resource_type="account",
    requires=_AUTH,
    cis=("1.17",),
    rationale="During an incident someone must be able to open a support case without using root.",
    remediation="Create a role (or group) with the AWS managed policy AWSSupportAccess attached.",
)
def support_role(ctx: Context) -> Iterator[Outcome]:
    snap = ctx.snapshot
    entities: list[User | Group | Role] = [*snap.users, *snap.groups, *snap.roles]
    holders = [
        e.arn for e in entities if any(a.arn.endswith(SUPPORT_POLICY_SUFFIX) for a in e.attached)
    ]
    if holders:
        more = f" and {len(holders) - 3} more" if len(holders) > 3 else ""
        yield Outcome(
            ctx.account_arn,
            "account",
            True,
            f"AWSSupportAccess is attached to {', '.join(holders[:3])}{more}",
        )
    else:
        yield Outcome(
            ctx.account_arn,
            "account",
            False,
            "no user, group or role has AWSSupportAccess attached",
        )


@check(
    id="server-certificate-expired",
    title="No expired server certificate is stored in IAM",
    severity=Severity.MEDIUM,
    resource_type="certificate",
    requires=(Source.SERVER_CERTIFICATES,),
    cis=("1.19",),
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
