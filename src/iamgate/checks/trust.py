"""Who may assume a role: the public, and other accounts.

A trust policy decides who can become the role; its permissions matter only after that. Only
``Allow`` statements are read (a ``Deny`` in a trust policy can only narrow them), and a
condition is taken at face value for ``role-trust-public`` (any condition narrows "everyone"),
but ``role-trust-external-account`` wants one that pins the caller: ``sts:ExternalId`` or an
organization key.
"""

from __future__ import annotations

from collections.abc import Iterator

from iamgate.checks.context import Context
from iamgate.checks.registry import Outcome, check
from iamgate.model.results import Severity
from iamgate.model.snapshot import Source
from iamgate.policy.principals import is_service_linked
from iamgate.policy.trust import principal_account, trust_statements

_AUTH = (Source.AUTHORIZATION_DETAILS, Source.IDENTITY)
# Condition keys that tie an outside principal to a known party (lower-case).
PINNING_KEYS = frozenset(
    {
        "sts:externalid",
        "aws:principalorgid",
        "aws:principalorgpaths",
        "aws:sourceorgid",
        "aws:sourceorgpaths",
        "aws:principalaccount",
        "aws:sourceaccount",
        "aws:principalarn",
        "aws:sourcearn",
    }
)
COGNITO = "cognito-identity.amazonaws.com"


@check(
    id="role-trust-public",
    title="No role can be assumed by anyone",
    severity=Severity.CRITICAL,
    resource_type="role",
    requires=_AUTH,
    rationale='A trust policy with Principal "*" (or AWS "*") and no condition lets any AWS '
    "account in the world assume the role; a web-identity provider with no condition (e.g. "
    "GitHub's token.actions.githubusercontent.com without a 'sub' condition) lets any of its "
    "users do the same.",
    remediation="Name the accounts or roles that may assume the role, or add a condition "
    "(aws:PrincipalOrgID, sts:ExternalId; for OIDC the provider's 'aud' and 'sub').",
)
def role_trust_public(ctx: Context) -> Iterator[Outcome]:
    for role in ctx.snapshot.roles:
        problems = []
        for st in trust_statements(role.trust_policy):
            if st.condition_keys:
                continue
            if "*" in st.principals.get("AWS", ()):
                problems.append(f'{st.label} trusts every AWS principal ("*") with no condition')
            for provider in st.principals.get("Federated", ()):
                if provider == COGNITO or ":oidc-provider/" in provider:
                    problems.append(
                        f"{st.label} trusts every user of {provider.rsplit('/', 1)[-1]} "
                        "with no condition"
                    )
        if problems:
            yield Outcome(
                role.arn,
                "role",
                False,
                f"role {role.name} can be assumed by anyone: " + "; ".join(problems),
            )
        else:
            yield Outcome(role.arn, "role", True, "not assumable by the public")


@check(
    id="role-trust-external-account",
    title="Roles trust other accounts only with an external id or organization condition",
    severity=Severity.HIGH,
    resource_type="role",
    requires=_AUTH,
    rationale="A role that trusts another account without sts:ExternalId (or an organization "
    "condition) can be assumed by anyone in that account, and a vendor that serves many "
    "customers can be tricked into using it for someone else (the confused deputy). Accounts "
    "listed in [trust] trusted_accounts (your own organization's) pass.",
    remediation="Add a Condition with sts:ExternalId (vendors) or aws:PrincipalOrgID (your "
    "organization); list your own accounts in iamgate.toml [trust] trusted_accounts.",
)
def role_trust_external_account(ctx: Context) -> Iterator[Outcome]:
    own = ctx.snapshot.account_id
    trusted = set(ctx.config.trust.trusted_accounts)
    for role in ctx.snapshot.roles:
        if is_service_linked(role):
            yield Outcome(role.arn, "role", True, "service-linked role: AWS owns its trust policy")
            continue
        outside: list[str] = []
        for st in trust_statements(role.trust_policy):
            if st.condition_keys & PINNING_KEYS:
                continue
            for principal in st.principals.get("AWS", ()):
                account = principal_account(principal)
                if account and account != own and account not in trusted:
                    outside.append(f"{account} ({st.label})")
        if outside:
            yield Outcome(
                role.arn,
                "role",
                False,
                f"role {role.name} can be assumed from account(s) {', '.join(outside)} without "
                "sts:ExternalId or an organization condition (if the account is yours, list it "
                "in [trust] trusted_accounts)",
            )
        else:
            yield Outcome(role.arn, "role", True, "no untrusted account may assume the role")
