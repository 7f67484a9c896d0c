"""The least-privilege and trust checks, each on both sides, from hand-built snapshots."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from iamgate.checks import run_checks
from iamgate.model.config import Config, TrustSettings
from iamgate.model.snapshot import Organization, Snapshot
from testing.factories import ADMIN, arn, doc, group, managed, role, snap, user

ALLOW_ALL = {"Effect": "Allow", "Action": "*", "Resource": "*"}
GITHUB = "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"
WEB_IDENTITY = "sts:AssumeRoleWithWebIdentity"


def results(check: str, snapshot: Snapshot, config: Config | None = None) -> dict[str, Any]:
    """resource -> (passed, message) for one check."""
    out = run_checks(snapshot, config or Config(), [check])
    return {r.resource: (r.passed, r.message) for r in out}


def trust(
    principal: Any, condition: dict[str, Any] | None = None, action: str = "sts:AssumeRole"
) -> dict[str, Any]:
    st: dict[str, Any] = {"Effect": "Allow", "Principal": principal, "Action": action}
    if condition:
        st["Condition"] = condition
    return doc(st)


# --- principal-admin-access ----------------------------------------------------------------


def test_admin_via_group_is_named_with_the_group() -> None:
    s = snap(
        users=(user("bob", groups=("admins",)), user("alice")),
        groups=(group("admins", attached=(ADMIN.arn,)),),
        policies=(ADMIN,),
    )
    got = results("principal-admin-access", s)
    passed, message = got[arn("user", "bob")]
    assert passed is False
    assert "via group admins" in message
    assert "AdministratorAccess" in message
    assert got[arn("user", "alice")][0] is True


def test_admin_by_not_action_and_revoked_by_unconditional_deny() -> None:
    not_action = {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}
    s = snap(
        roles=(
            role("wide", inline={"p": doc(not_action)}),
            role("denied", inline={"p": doc(ALLOW_ALL, {**ALLOW_ALL, "Effect": "Deny"})}),
        )
    )
    got = results("principal-admin-access", s)
    assert got[arn("role", "wide")][0] is False
    assert "NotAction" in got[arn("role", "wide")][1]
    assert got[arn("role", "denied")][0] is True


def test_boundary_limits_admin_and_missing_boundary_is_an_error() -> None:
    boundary = managed("s3-only", doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}))
    s = snap(
        users=(
            user("bounded", inline={"p": doc(ALLOW_ALL)}, boundary=boundary.arn),
            user("unknown", inline={"p": doc(ALLOW_ALL)}, boundary=arn("policy", "gone")),
        ),
        policies=(boundary,),
    )
    got = results("principal-admin-access", s)
    assert got[arn("user", "bounded")][0] is True
    assert got[arn("user", "unknown")][0] is None
    assert "permissions boundary" in got[arn("user", "unknown")][1]


def test_service_linked_role_is_not_judged() -> None:
    slr = dataclasses.replace(
        role("AWSServiceRoleForX", attached=(ADMIN.arn,)), path="/aws-service-role/x/"
    )
    got = results("principal-admin-access", snap(roles=(slr,), policies=(ADMIN,)))
    assert got[slr.arn] == (True, "service-linked role: AWS owns its policies")


def test_missing_group_is_an_error_not_a_pass() -> None:
    got = results("principal-admin-access", snap(users=(user("x", groups=("ghost",)),)))
    assert got[arn("user", "x")][0] is None


# --- policy-service-wildcard ---------------------------------------------------------------


def test_service_wildcard_in_attached_and_inline_policies() -> None:
    wide = managed("wide", doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}))
    narrow = managed("narrow", doc({"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}))
    unattached = managed("spare", wide.document, attachments=0)
    aws_owned = managed("AmazonS3FullAccess", wide.document, aws_managed=True)
    u = user("u", inline={"svc": doc({"Effect": "Allow", "Action": "iam:*", "Resource": "*"})})
    got = results(
        "policy-service-wildcard",
        snap(users=(u,), policies=(wide, narrow, unattached, aws_owned)),
    )
    assert got[wide.arn][0] is False
    assert "s3:*" in got[wide.arn][1]
    assert got[narrow.arn][0] is True
    assert unattached.arn not in got
    assert aws_owned.arn not in got
    assert got[f"{u.arn}#inline/svc"][0] is False


# --- policy-privilege-escalation -----------------------------------------------------------


def test_escalation_names_path_and_statement() -> None:
    pol = doc(
        {
            "Sid": "Deploy",
            "Effect": "Allow",
            "Action": ["iam:PassRole", "lambda:*"],
            "Resource": "*",
        }
    )
    s = snap(
        roles=(role("deployer", inline={"deploy": pol}), role("reader")),
        groups=(
            group(
                "g",
                inline={"v": doc({"Effect": "Allow", "Action": "iam:Create*", "Resource": "*"})},
            ),
        ),
    )
    got = results("policy-privilege-escalation", s)
    passed, message = got[arn("role", "deployer")]
    assert passed is False
    assert "passrole-lambda" in message
    assert "statement 'Deploy'" in message
    assert got[arn("role", "reader")][0] is True
    assert got[arn("group", "g")][0] is False
    assert "create-policy-version" in got[arn("group", "g")][1]


def test_escalation_through_a_group_and_blocked_by_boundary() -> None:
    esc = doc({"Effect": "Allow", "Action": "iam:AttachUserPolicy", "Resource": "*"})
    boundary = managed("no-iam", doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}))
    s = snap(
        users=(
            user("member", groups=("ops",)),
            user("bounded", groups=("ops",), boundary=boundary.arn),
        ),
        groups=(group("ops", inline={"esc": esc}),),
        policies=(boundary,),
    )
    got = results("policy-privilege-escalation", s)
    assert got[arn("user", "member")][0] is False
    assert "via group ops" in got[arn("user", "member")][1]
    assert got[arn("user", "bounded")][0] is True


def test_conditional_deny_does_not_close_a_path() -> None:
    pol = doc(
        {"Effect": "Allow", "Action": "iam:CreateAccessKey", "Resource": "*"},
        {
            "Effect": "Deny",
            "Action": "iam:*",
            "Resource": "*",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}},
        },
    )
    got = results("policy-privilege-escalation", snap(users=(user("u", inline={"p": pol}),)))
    assert got[arn("user", "u")][0] is False


# --- group-no-members, cloudshell-full-access ----------------------------------------------


def test_group_no_members() -> None:
    s = snap(
        users=(user("a", groups=("used",)),),
        groups=(
            group("used", attached=(ADMIN.arn,)),
            group("idle", attached=(ADMIN.arn,)),
            group("empty"),
        ),
    )
    got = results("group-no-members", s)
    assert got[arn("group", "idle")][0] is False
    assert got[arn("group", "used")][0] is True
    assert got[arn("group", "empty")][0] is True


def test_cloudshell_full_access() -> None:
    shell = "arn:aws:iam::aws:policy/AWSCloudShellFullAccess"
    s = snap(users=(user("a"),), groups=(group("devs", attached=(shell,)),))
    got = results("cloudshell-full-access", s)
    assert got[arn("group", "devs")][0] is False
    assert got[arn("user", "a")][0] is True


# --- role trust --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("policy", "public"),
    [
        (trust("*"), True),
        (trust({"AWS": "*"}), True),
        (trust({"AWS": "*"}, {"StringEquals": {"aws:PrincipalOrgID": "o-1"}}), False),
        (trust({"Federated": GITHUB}, action=WEB_IDENTITY), True),
        # sts:AssumeRole lets no web identity in (it needs sts:AssumeRoleWithWebIdentity).
        (trust({"Federated": GITHUB}), False),
        (
            trust(
                {"Federated": GITHUB},
                {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:o/r:*"}},
                WEB_IDENTITY,
            ),
            False,
        ),
        (trust({"Service": "lambda.amazonaws.com"}), False),
        (trust({"AWS": "111122223333"}), False),
    ],
)
def test_role_trust_public(policy: dict[str, Any], public: bool) -> None:
    got = results("role-trust-public", snap(roles=(role("r", policy),)))
    assert got[arn("role", "r")][0] is (not public)


IN_ORG = {"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}


@pytest.mark.parametrize(
    ("policy", "org", "passes"),
    [
        (trust({"AWS": "arn:aws:iam::210987654321:root"}), None, False),
        (trust({"AWS": ["210987654321"]}), None, False),
        (
            trust(
                {"AWS": "arn:aws:iam::210987654321:root"}, {"StringEquals": {"sts:ExternalId": "x"}}
            ),
            None,
            True,
        ),
        # An organization condition passes when it names the account's own organization only.
        (trust({"AWS": "210987654321"}, IN_ORG), "o-abc", True),
        (trust({"AWS": "210987654321"}, IN_ORG), "o-other", False),
        (trust({"AWS": "210987654321"}, IN_ORG), None, False),
        (
            trust({"AWS": "210987654321"}, {"Bool": {"aws:MultiFactorAuthPresent": "true"}}),
            None,
            False,
        ),
        (trust({"AWS": "arn:aws:iam::123456789012:root"}), None, True),  # own account
        (trust({"AWS": "arn:aws:iam::333344445555:role/ci"}), None, True),  # listed as trusted
        (trust({"Service": "ec2.amazonaws.com"}), None, True),
    ],
)
def test_role_trust_external_account(policy: dict[str, Any], org: str | None, passes: bool) -> None:
    config = Config(trust=TrustSettings(trusted_accounts=("333344445555",)))
    s = snap(roles=(role("r", policy),), organization=Organization(org))
    got = results("role-trust-external-account", s, config)
    assert got[arn("role", "r")][0] is passes
    if not passes:
        assert "210987654321" in got[arn("role", "r")][1]
