"""Least privilege: full administrators, escalation paths, service wildcards, roles assumable
everywhere, idle admin policies, idle groups and CloudShell.

Every verdict on what a principal may do goes through :mod:`iamgate.policy`: one evaluator
(``evaluate.allows``), one definition of full administrator (``admin.admin``) and the escalation
graph (``graph.Graph``), all built once per run by the :class:`~iamgate.checks.context.Context`.
If a document a principal needs is missing from the snapshot, the principal is ``error``, never
pass. Service-linked roles (path ``/aws-service-role/``) are not judged: AWS owns their policies
and no one in the account can change or assume them.
"""

from __future__ import annotations

from collections.abc import Iterator

from iamgate.checks.aws_docs import (
    BEST_PRACTICES,
    CLOUDSHELL_ACCESS,
    EVALUATION_LOGIC,
    GROUPS,
    PASS_ROLE,
    POLICY_VARIABLES,
    SCP_EVALUATION,
    SWITCH_ROLE_PERMISSIONS,
)
from iamgate.checks.context import Context
from iamgate.checks.registry import Outcome, check
from iamgate.model.results import Severity
from iamgate.model.snapshot import Group, Role, Source, User
from iamgate.policy.admin import assume_any, policy_grants_admin
from iamgate.policy.document import Statement, service_wildcards, short_name
from iamgate.policy.evaluate import allows, allows_any
from iamgate.policy.organization import scp_denial
from iamgate.policy.principals import (
    ADMIN_POLICY_ARN_SUFFIX,
    SSO_PATH,
    Holder,
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
    semantics=(EVALUATION_LOGIC, POLICY_VARIABLES, SCP_EVALUATION),
    rationale="Least privilege: a standing administrator turns one leaked credential into full "
    "control. Full administrator: may perform every action on every resource (by * on *, "
    "AdministratorAccess, a group, or Allow NotAction lists that together leave nothing out, "
    "with no Deny or boundary taking anything away), or may grant itself anything (the IAM "
    "writes that attach or write a policy on itself, a group it is in, or a policy attached "
    "to it). 'All but IAM' grants such as PowerUserAccess are not full administrator: the "
    "message says what they exclude, and policy-privilege-escalation judges where they lead. "
    "Service-linked roles are not judged: AWS owns their policies. In an AWS Organization, a "
    "member's principal stays one only while the SCPs still let it write any policy on "
    "itself (it then holds all they allow, the most anyone in the account can); the message "
    "names each SCP and level that keeps anything from it.",
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
        verdict = ctx.principals.verdict(entity)
        if eff.access is None or verdict is None:
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
        if verdict.is_admin:
            why = verdict.why
            if verdict.grant is not None:  # name the group the grant comes through
                why = why.replace(verdict.grant.label, eff.access.label(verdict.grant), 1)
            yield Outcome(
                entity.arn,
                kind,
                False,
                f"{kind} {entity.name} is a full administrator: {why}{_sso_note(entity)}",
            )
        else:
            prefix = "not a full administrator: " if verdict.excluded else ""
            yield Outcome(entity.arn, kind, True, prefix + verdict.why)


@check(
    id="policy-service-wildcard",
    title="No customer policy allows every action of a service",
    severity=Severity.MEDIUM,
    resource_type="policy",
    requires=_AUTH,
    fsbp=("IAM.21",),
    semantics=(BEST_PRACTICES, EVALUATION_LOGIC, SCP_EVALUATION),
    rationale="service:* grants every present and future action of the service, including its "
    "administrative and destructive ones (iam:* is administrator access in all but name). A "
    "pattern is judged by what it matches, not by its spelling (s3:**, s3:*?*, s*:* match "
    "every action of s3), and an Allow with NotAction allows every action of every service it "
    "does not name. A statement allowing every action on every resource is left to the "
    "administrator checks.",
    remediation="List the actions the workload calls (IAM Access Analyzer can generate a policy "
    "from CloudTrail activity), then replace service:* with them.",
)
def policy_service_wildcard(ctx: Context) -> Iterator[Outcome]:
    for policy, holders in ctx.principals.customer_policies(attached_only=True):
        every = service_wildcards(policy.statements)
        if not every:
            yield Outcome(
                policy.id, "policy", True, "no statement allows every action of a service"
            )
            continue
        denied = {
            action: by
            for action, _st in every
            if not action.startswith("NotAction") and (by := _scp_denies(ctx, holders, action))
        }  # a NotAction grant names no pattern an SCP Deny could be held against
        found = [(action, st) for action, st in every if action not in denied]
        if not found:
            why = "; ".join(f"{action}: {by.label} denies it" for action, by in denied.items())
            yield Outcome(
                policy.id,
                "policy",
                True,
                f"allows every action of a service, but the organization's SCPs deny it all: {why}",
            )
            continue
        listed = "; ".join(f"{_whole(action)} in {st.label}" for action, st in found[:5])
        more = f" and {len(found) - 5} more" if len(found) > 5 else ""
        yield Outcome(
            policy.id, "policy", False, f"policy allows every action of a service: {listed}{more}"
        )


def _scp_denies(
    ctx: Context, holders: list[Holder], action: str, resource: str = "*"
) -> Statement | None:
    """An SCP Deny that takes ``action`` on ``resource`` from every holder of a policy
    (:func:`iamgate.policy.organization.scp_denial`); None when some holder keeps it."""
    found: Statement | None = None
    for who, _via in holders:
        by = scp_denial(ctx.principals.scps_for(who), who, action, resource)
        if by is None:
            return None
        found = found or by
    return found


def _whole(what: str) -> str:
    if what.startswith("NotAction"):
        return f"{what} (every action of every other service)"
    return what


@check(
    id="policy-privilege-escalation",
    title="No principal can escalate its own privileges",
    severity=Severity.HIGH,
    resource_type="user/group/role",
    requires=_WITH_AWS_POLICIES,
    semantics=(EVALUATION_LOGIC, PASS_ROLE, SWITCH_ROLE_PERMISSIONS, SCP_EVALUATION),
    rationale="A principal that can obtain another's access (assume a role, create its "
    "credentials, write its policies, pass it to a service that runs code, or run code on "
    "compute that carries it) is as privileged as the best it can reach. iamgate builds the "
    "account's graph of such edges (the union of Rhino Security Labs', Cloudsplaining's, "
    "Prowler's and PMapper's methods, each asked on the resource it needs: iam:PassRole on "
    "the role passed, iam:CreateAccessKey on the user) and fails a principal that can reach "
    "full administrator or an IAM write it does not hold; the message gives the shortest "
    "path with the statement behind each hop. A full administrator passes here "
    "(principal-admin-access reports it); a group is judged as a member holding only its "
    "policies.",
    remediation="Break the first hop: scope iam:PassRole, sts:AssumeRole and the IAM writes to "
    "the resources the job needs (never the principal itself or a more privileged one), or "
    "add a permissions boundary that denies them.",
)
def policy_privilege_escalation(ctx: Context) -> Iterator[Outcome]:
    found = ctx.graph.escalations()
    for entity in _principals(ctx, User, Group, Role):
        kind = kind_of(entity)
        esc = found[entity.arn]
        if esc.status == "escalates":
            message = f"{kind} {entity.name} can escalate privileges: {esc.message}"
            yield Outcome(entity.arn, kind, False, message)
        elif esc.status == "unknown":
            message = esc.message
            if esc.path:
                message = (
                    f"not evaluated: {kind} {entity.name} reaches a principal whose "
                    f"access is unknown: {esc.message}"
                )
            yield Outcome(entity.arn, kind, None, message)
        else:
            yield Outcome(entity.arn, kind, True, esc.message + _scp_note(ctx, entity))


def _scp_note(ctx: Context, entity: User | Group | Role) -> str:
    """When the principal escalates by its policies alone: the step an SCP denies (or that
    the SCPs keep what it reaches from being an administrator)."""
    alone = ctx.escalations_by_iam_alone
    if alone is None:
        return ""
    before = alone[entity.arn]
    if before.status != "escalates":
        return ""
    for hop in before.path:
        source = ctx.entity(hop.source.arn)
        access = ctx.principals.access(source).access if source is not None else None
        if access is None:
            continue
        for step in hop.decisions:
            if step.resource == "*":
                again = allows_any(access, step.action)
            else:
                again = allows(access, step.action, step.resource)
            if not again.allowed:
                return f"; its policies alone would let it escalate, but {again.why}"
    return (
        "; its policies alone would let it escalate, but the organization's SCPs keep what it "
        "reaches from full administrator"
    )


@check(
    id="role-assume-any",
    title="No customer policy allows sts:AssumeRole on every role",
    severity=Severity.MEDIUM,
    resource_type="policy",
    requires=_AUTH,
    semantics=(SWITCH_ROLE_PERMISSIONS, SCP_EVALUATION),
    rationale="sts:AssumeRole on * lets the holder assume every role whose trust admits its "
    "account (most roles trusted by the account root do), in this account and in every "
    "account that trusts it: the holder's real access is the union of theirs, and a new "
    "role trusting the account widens it silently. A statement allowing every action on "
    "every resource is left to the administrator checks. A Condition does not pass it "
    "(conditions are not evaluated); the message names the condition keys to review.",
    remediation="List the roles the job assumes (arn:aws:iam::ACCOUNT:role/NAME), or a path or "
    "prefix reserved for them.",
)
def role_assume_any(ctx: Context) -> Iterator[Outcome]:
    partition = ctx.snapshot.partition
    for policy, holders in ctx.principals.customer_policies(attached_only=True):
        found = assume_any(policy, partition)
        if not found:
            yield Outcome(
                policy.id, "policy", True, "no statement allows sts:AssumeRole on every role"
            )
            continue
        st = found[0]
        by = _scp_denies(ctx, holders, "sts:AssumeRole", f"arn:{partition}:iam::*:role/*")
        if by is not None:
            yield Outcome(
                policy.id,
                "policy",
                True,
                f"{st.label} allows sts:AssumeRole on every role, but {by.label} denies it",
            )
            continue
        cond = f" (conditioned on {', '.join(st.condition_keys)})" if st.conditioned else ""
        yield Outcome(
            policy.id,
            "policy",
            False,
            f"{st.label} allows sts:AssumeRole on every role{cond}: {st.describe()}",
        )


@check(
    id="policy-full-admin-unattached",
    title="No unattached customer policy grants full administrator access",
    severity=Severity.LOW,
    resource_type="policy",
    requires=_AUTH,
    semantics=(EVALUATION_LOGIC, SCP_EVALUATION),
    rationale="A customer-managed policy that grants full administrator but is attached to "
    "nothing is one iam:Attach*Policy away from a new administrator, and nobody reviews a "
    "policy that seems unused. Same definition of full administrator as policy-full-admin "
    "(which judges the attached ones).",
    remediation="Delete the policy (aws iam delete-policy, after its non-default versions), or "
    "record in the baseline why it is kept.",
)
def policy_full_admin_unattached(ctx: Context) -> Iterator[Outcome]:
    for policy, holders in ctx.principals.customer_policies(attached_only=False):
        if policy.kind != "managed":
            continue
        count = ctx.principals.managed[policy.id].attachment_count
        if count > 0:
            yield Outcome(
                policy.id, "policy", True, f"attached {count} time(s) (see policy-full-admin)"
            )
            continue
        verdict = policy_grants_admin(policy, holders, ctx.principals.scps_for)
        if verdict.is_admin:
            yield Outcome(
                policy.id,
                "policy",
                False,
                f"{short_name(policy.id)} is attached to nothing and grants full administrator "
                f"access: {verdict.why}",
            )
        else:
            yield Outcome(policy.id, "policy", True, f"unattached; {verdict.why}")


@check(
    id="group-no-members",
    title="No group carries policies without members",
    severity=Severity.LOW,
    resource_type="group",
    requires=_AUTH,
    semantics=(GROUPS,),
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
    semantics=(CLOUDSHELL_ACCESS,),
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
