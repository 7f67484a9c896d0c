"""Account password policy (CIS 1.8, 1.9; FSBP IAM.7, IAM.15, IAM.16)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from iamgate.checks.aws_docs import PASSWORD_POLICY
from iamgate.checks.context import Context
from iamgate.checks.registry import Outcome, check
from iamgate.model.results import Severity
from iamgate.model.snapshot import Source

_NEEDS = (Source.PASSWORD_POLICY, Source.IDENTITY)
_NO_POLICY = (
    "no account password policy is set (the AWS default applies: 8 characters, never expires)"
)


def _policy(ctx: Context) -> dict[str, Any] | None:
    policy = ctx.snapshot.password_policy
    return dict(policy) if policy is not None else None


def _outcome(ctx: Context, passed: bool, message: str) -> Iterator[Outcome]:
    yield Outcome(ctx.account_arn, "account", passed, message)


@check(
    id="password-policy-present",
    title="An account password policy is set",
    severity=Severity.MEDIUM,
    resource_type="account",
    requires=_NEEDS,
    cis=("1.8",),
    fsbp=("IAM.7",),
    semantics=(PASSWORD_POLICY,),
    rationale="Without a password policy IAM users may choose short, simple passwords.",
    remediation="aws iam update-account-password-policy --minimum-password-length 14 "
    "--require-symbols --require-numbers --require-uppercase-characters "
    "--require-lowercase-characters --allow-users-to-change-password --max-password-age 90 "
    "--password-reuse-prevention 24",
)
def password_policy_present(ctx: Context) -> Iterator[Outcome]:
    policy = _policy(ctx)
    if policy is None:
        yield from _outcome(ctx, False, _NO_POLICY)
    else:
        yield from _outcome(ctx, True, "an account password policy is set")


@check(
    id="password-policy-min-length",
    title="Passwords are at least the configured minimum length",
    severity=Severity.MEDIUM,
    resource_type="account",
    requires=_NEEDS,
    cis=("1.8",),
    fsbp=("IAM.15",),
    semantics=(PASSWORD_POLICY,),
    rationale="Longer passwords resist guessing and brute force.",
    remediation="aws iam update-account-password-policy --minimum-password-length 14 (keep the "
    "other settings: the call replaces the whole policy)",
)
def password_policy_min_length(ctx: Context) -> Iterator[Outcome]:
    limit = ctx.thresholds.password_min_length
    policy = _policy(ctx)
    if policy is None:
        yield from _outcome(ctx, False, f"{_NO_POLICY}; minimum length must be >= {limit}")
        return
    length = int(policy.get("MinimumPasswordLength") or 0)
    passed = length >= limit
    yield from _outcome(ctx, passed, f"minimum password length is {length} (required >= {limit})")


def _requirement(ctx: Context, key: str, what: str) -> Iterator[Outcome]:
    policy = _policy(ctx)
    if policy is None:
        yield from _outcome(ctx, False, f"{_NO_POLICY}; passwords need not contain {what}")
    elif policy.get(key):
        yield from _outcome(ctx, True, f"passwords must contain {what}")
    else:
        yield from _outcome(ctx, False, f"the password policy does not require {what}")


_COMPLEXITY = dict(
    severity=Severity.LOW,
    resource_type="account",
    requires=_NEEDS,
    fsbp=("IAM.7",),
    semantics=(PASSWORD_POLICY,),
    rationale="Mixed character classes make passwords harder to guess.",
)


@check(
    id="password-policy-uppercase",
    title="Passwords require an uppercase letter",
    remediation="aws iam update-account-password-policy --require-uppercase-characters ...",
    **_COMPLEXITY,  # type: ignore[arg-type]
)
def password_policy_uppercase(ctx: Context) -> Iterator[Outcome]:
    yield from _requirement(ctx, "RequireUppercaseCharacters", "an uppercase letter (A-Z)")


@check(
    id="password-policy-lowercase",
    title="Passwords require a lowercase letter",
    remediation="aws iam update-account-password-policy --require-lowercase-characters ...",
    **_COMPLEXITY,  # type: ignore[arg-type]
)
def password_policy_lowercase(ctx: Context) -> Iterator[Outcome]:
    yield from _requirement(ctx, "RequireLowercaseCharacters", "a lowercase letter (a-z)")


@check(
    id="password-policy-numbers",
    title="Passwords require a number",
    remediation="aws iam update-account-password-policy --require-numbers ...",
    **_COMPLEXITY,  # type: ignore[arg-type]
)
def password_policy_numbers(ctx: Context) -> Iterator[Outcome]:
    yield from _requirement(ctx, "RequireNumbers", "a number (0-9)")


@check(
    id="password-policy-symbols",
    title="Passwords require a symbol",
    remediation="aws iam update-account-password-policy --require-symbols ...",
    **_COMPLEXITY,  # type: ignore[arg-type]
)
def password_policy_symbols(ctx: Context) -> Iterator[Outcome]:
    yield from _requirement(ctx, "RequireSymbols", "a non-alphanumeric character")


@check(
    id="password-policy-max-age",
    title="Passwords expire within the configured maximum age",
    severity=Severity.LOW,
    resource_type="account",
    requires=_NEEDS,
    fsbp=("IAM.7",),
    semantics=(PASSWORD_POLICY,),
    rationale="Expiring passwords limit how long a leaked password stays useful.",
    remediation="aws iam update-account-password-policy --max-password-age 90 ...",
)
def password_policy_max_age(ctx: Context) -> Iterator[Outcome]:
    limit = ctx.thresholds.password_max_age_days
    policy = _policy(ctx)
    if policy is None:
        yield from _outcome(ctx, False, f"{_NO_POLICY}; passwords never expire")
        return
    # moto and AWS report an unset age as 0 or leave it out: both mean "never expires".
    age = int(policy.get("MaxPasswordAge") or 0)
    if age == 0:
        yield from _outcome(ctx, False, f"passwords never expire (required: {limit} days or less)")
    else:
        yield from _outcome(ctx, age <= limit, f"passwords expire after {age} days (limit {limit})")


@check(
    id="password-policy-reuse-prevention",
    title="Passwords cannot reuse the configured number of previous ones",
    severity=Severity.LOW,
    resource_type="account",
    requires=_NEEDS,
    cis=("1.9",),
    fsbp=("IAM.16",),
    semantics=(PASSWORD_POLICY,),
    rationale="Reuse prevention stops users cycling back to a compromised password.",
    remediation="aws iam update-account-password-policy --password-reuse-prevention 24 ...",
)
def password_policy_reuse_prevention(ctx: Context) -> Iterator[Outcome]:
    limit = ctx.thresholds.password_reuse_prevention
    policy = _policy(ctx)
    if policy is None:
        yield from _outcome(ctx, False, f"{_NO_POLICY}; password reuse is not prevented")
        return
    reuse = int(policy.get("PasswordReusePrevention") or 0)
    if reuse == 0:
        yield from _outcome(ctx, False, f"password reuse is not prevented (required: {limit})")
    else:
        yield from _outcome(
            ctx, reuse >= limit, f"the last {reuse} passwords cannot be reused (required {limit})"
        )


@check(
    id="password-policy-allow-change",
    title="Users may change their own password",
    severity=Severity.LOW,
    resource_type="account",
    requires=_NEEDS,
    fsbp=("IAM.7",),
    semantics=(PASSWORD_POLICY,),
    rationale="Users who cannot change their password cannot rotate it or recover from a leak.",
    remediation="aws iam update-account-password-policy --allow-users-to-change-password ...",
)
def password_policy_allow_change(ctx: Context) -> Iterator[Outcome]:
    policy = _policy(ctx)
    if policy is None:
        yield from _outcome(ctx, False, f"{_NO_POLICY}; users may not change their password")
    elif policy.get("AllowUsersToChangePassword"):
        yield from _outcome(ctx, True, "users may change their own password")
    else:
        yield from _outcome(ctx, False, "users may not change their own password")
