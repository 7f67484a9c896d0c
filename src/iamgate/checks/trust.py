"""Who can assume each role, worked out as AWS decides it.

A trust policy decides who can become the role; its permissions matter only after that. The
model (``iamgate.policy.trust``) reads every statement: conditions with their operators and
values, every ``Deny``, and web identity federation by its provider. Each check asks it one
question and names exactly who can assume the role, with the statement and condition that let
them in. Service-linked roles are not judged: AWS owns their trust policies. In a member
account of an AWS Organization, the RCP Denies on assuming the role count like Denies of its
trust (``Context.assumers``), and a pass that only an RCP makes says so.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from iamgate.checks.aws_docs import (
    CONDITION_OPERATORS,
    CONFUSED_DEPUTY,
    OIDC_ROLES,
    PRINCIPAL,
    RCP_EVALUATION,
    THIRD_PARTY,
)
from iamgate.checks.context import Context
from iamgate.checks.registry import Outcome, check
from iamgate.model.results import Severity
from iamgate.model.snapshot import Role, Source
from iamgate.policy.trust import Assumer, Assumers, Kind, Risk
from iamgate.policy.trust_statements import TrustStatement

_AUTH = (Source.AUTHORIZATION_DETAILS, Source.IDENTITY)
_SHOWN = 5  # assumers named in one message; the rest are counted


def _list(items: list[str]) -> str:
    items = list(dict.fromkeys(items))
    more = len(items) - _SHOWN
    return "; ".join(items[:_SHOWN]) + (f"; and {more} more" if more > 0 else "")


def _who(assumers: Assumers, kinds: tuple[Kind, ...] = tuple(Kind)) -> str:
    return _list([a.who for a in assumers.entries if a.kind in kinds])


def _judge(
    ctx: Context,
    risk: Risk,
    fails: str,
    passes: Callable[[Assumers], str],
    hint: str = "",
) -> Iterator[Outcome]:
    # Per trust model (roles whose trust reads alike share one, see Context.assumers): whether
    # it passes, and the text that says so or names the failing assumers.
    judged: dict[int, tuple[bool, str]] = {}
    for role, linked, assumers, problem, denies in ctx.role_trusts:
        if linked:
            yield Outcome(role.arn, "role", True, "service-linked role: AWS owns its trust policy")
            continue
        if assumers is None:
            yield Outcome(
                role.arn, "role", None, f"not evaluated: malformed trust policy: {problem}"
            )
            continue
        found = judged.get(id(assumers))  # kept alive by the context's cache
        if found is None:
            found = judged[id(assumers)] = _verdict(assumers, risk, passes)
        passed, text = found
        if not passed:
            yield Outcome(role.arn, "role", False, f"role {role.name} {fails}: {text}{hint}")
        else:
            yield Outcome(role.arn, "role", True, text + _rcp_note(ctx, role, risk, denies))


def _verdict(assumers: Assumers, risk: Risk, passes: Callable[[Assumers], str]) -> tuple[bool, str]:
    """(whether no assumer carries ``risk``, what ``passes`` says or the failing assumers)."""
    failing: tuple[Assumer, ...] = assumers.with_risk(risk)
    if failing:
        return False, _list([a.describe() for a in failing])
    return True, passes(assumers)


def _rcp_note(ctx: Context, role: Role, risk: Risk, denies: tuple[TrustStatement, ...]) -> str:
    """What the organization's RCPs changed (``denies``: those on the role): the trust alone
    admits a caller of this risk, and an RCP Deny keeps it out (``""`` when the trust alone
    passes too)."""
    if not denies:
        return ""
    admitted = ctx.assumers_by_trust(role).with_risk(risk)
    if not admitted:
        return ""
    who = _list([a.who for a in admitted])
    return f"; its trust alone admits {who}, but {_list([d.label for d in denies])} denies it"


def _can_assume(assumers: Assumers) -> str:
    if not assumers.entries:
        return "no one can assume it (no statement grants sts:AssumeRole to anyone)"
    return f"can assume it: {_who(assumers)}"


@check(
    id="role-trust-public",
    title="No role can be assumed by anyone",
    severity=Severity.CRITICAL,
    resource_type="role",
    requires=_AUTH,
    semantics=(PRINCIPAL, CONDITION_OPERATORS, RCP_EVALUATION),
    rationale='Anyone can assume a role whose trust policy allows "*" (or {"AWS": "*"}) with no '
    "condition that pins the caller to an account, organization or principal ARN once every "
    "Deny is applied (aws:SecureTransport, sts:ExternalId, a wildcard value or an IfExists / "
    "ForAllValues test pin nothing), or that federates an identity provider anyone can sign up "
    "to (github.com, gitlab.com, HCP Terraform, Buildkite, Google, Login with Amazon, Facebook, "
    "Cognito guests) without a condition on the claim that names the caller.",
    remediation="Name the accounts or roles that may assume the role, or pin the caller with "
    "aws:PrincipalOrgID / aws:PrincipalAccount / aws:PrincipalArn (or a Deny of every principal "
    "outside your organization); for web identity, pin the provider's subject claim "
    "(GitHub: token.actions.githubusercontent.com:sub = repo:OWNER/REPO:...).",
)
def role_trust_public(ctx: Context) -> Iterator[Outcome]:
    yield from _judge(
        ctx,
        Risk.PUBLIC,
        "can be assumed by anyone",
        lambda a: f"not assumable by anyone; {_can_assume(a)}",
    )


def _external_pass(assumers: Assumers) -> str:
    if assumers.with_risk(Risk.PUBLIC):  # said once, by role-trust-public
        return f"not judged here: anyone can assume it (role-trust-public); {_can_assume(assumers)}"
    return f"no outside account can assume it without sts:ExternalId; {_can_assume(assumers)}"


@check(
    id="role-trust-external-account",
    title="Roles trust other accounts only with an external id or within your organization",
    severity=Severity.HIGH,
    resource_type="role",
    requires=(*_AUTH, Source.ORGANIZATION),
    semantics=(PRINCIPAL, THIRD_PARTY, RCP_EVALUATION),
    rationale="A role that a principal of another account can assume without sts:ExternalId can "
    "be used by anyone in that account, and a vendor that serves many customers can be tricked "
    "into using it for someone else (the confused deputy). Accounts of your organization "
    "(aws:PrincipalOrgID equal to the account's own organization, read with "
    "organizations:DescribeOrganization) and those listed in [trust] trusted_accounts pass; an "
    "organization id of someone else's organization, an account pattern or a wildcard external "
    "id do not. A service held to another account's source (aws:SourceAccount) fails too.",
    remediation="Add a Condition with sts:ExternalId (vendors) or aws:PrincipalOrgID (your "
    "organization); list your own accounts in iamgate.toml [trust] trusted_accounts.",
)
def role_trust_external_account(ctx: Context) -> Iterator[Outcome]:
    if ctx.snapshot.organization is None:  # older snapshots: the organization was not read
        yield Outcome(
            ctx.account_arn,
            "account",
            None,
            "not evaluated: the snapshot has no organization data (taken by an older iamgate); "
            "collect again",
        )
        return
    yield from _judge(
        ctx,
        Risk.EXTERNAL,
        "can be assumed from outside this account, its organization and [trust] "
        "trusted_accounts without sts:ExternalId",
        _external_pass,
        " (if an account is yours, list it in [trust] trusted_accounts)",
    )


def _federated_pass(assumers: Assumers) -> str:
    who = _who(assumers, (Kind.WEB_IDENTITY, Kind.SAML))
    return (
        f"every web identity and SAML trust pins the caller: {who}"
        if who
        else ("no web identity or SAML trust")
    )


@check(
    id="role-trust-federated-subject",
    title="Web identity and SAML trusts pin the caller",
    severity=Severity.CRITICAL,
    resource_type="role",
    requires=_AUTH,
    semantics=(OIDC_ROLES, CONDITION_OPERATORS, RCP_EVALUATION),
    rationale="A web identity trust lets in every identity its provider vouches for unless a "
    "condition pins the claim that names the caller: for GitHub Actions the sub claim "
    "repo:OWNER/REPO:... (an aud condition alone admits every workflow of every repository on "
    "github.com), for GitLab project_path:GROUP/PROJECT, for HCP Terraform the organization, "
    "for EKS system:serviceaccount:NAMESPACE:NAME, for an unknown provider one exact sub. A pin "
    "with a wildcard before the owner, a negated or IfExists / ForAllValues test, an owner "
    "missing from [trust] oidc_owners (when set), or a provider registered in another account "
    "does not pin the caller.",
    remediation="Add a StringEquals (or StringLike) condition on the provider's subject claim "
    "naming your repository, project, workspace or service account (the message names the "
    "claim), and list your owners in iamgate.toml [trust] oidc_owners.",
)
def role_trust_federated_subject(ctx: Context) -> Iterator[Outcome]:
    yield from _judge(
        ctx,
        Risk.UNPINNED_FEDERATION,
        "trusts a web identity or SAML provider without pinning the caller",
        _federated_pass,
    )


def _deputy_pass(assumers: Assumers) -> str:
    who = _who(assumers, (Kind.SERVICE,))
    return (
        f"every service is held to a source or acts only for this account: {who}"
        if who
        else ("no service principal")
    )


@check(
    id="role-trust-service-confused-deputy",
    title="Service trusts name the account the service acts for",
    severity=Severity.LOW,
    resource_type="role",
    requires=_AUTH,
    semantics=(CONFUSED_DEPUTY, RCP_EVALUATION),
    rationale="A service that works for many customers can be steered by one of them into using "
    "another customer's role (the cross-service confused deputy) unless the trust holds it to "
    "aws:SourceAccount, aws:SourceArn (with an account in it), aws:SourceOrgID or "
    "aws:SourceOrgPaths; a trust pinned by a caller key a service principal does not carry "
    "(aws:PrincipalAccount, aws:PrincipalArn, aws:PrincipalOrgID...) admits no service at all. "
    "Services that "
    "only run this account's own code with a role passed by iam:PassRole (EC2, Lambda, "
    "Lambda@Edge, ECS tasks, EKS, EKS Pod Identity) are exempt.",
    remediation="Add a Condition with aws:SourceAccount (your account id) or aws:SourceArn (the "
    "resource the service acts for) to the service's trust statement. Check the service's "
    "documentation first: not every service sets these keys when it assumes a role, and there "
    "the condition breaks it; accept such a role in the baseline with that reason.",
)
def role_trust_service_confused_deputy(ctx: Context) -> Iterator[Outcome]:
    yield from _judge(
        ctx,
        Risk.CONFUSED_DEPUTY,
        "can be assumed by a service acting for any account (no aws:SourceAccount, "
        "aws:SourceArn or aws:SourceOrgID)",
        _deputy_pass,
    )
