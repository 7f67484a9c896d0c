"""The least-privilege and trust checks, each on both sides, from hand-built snapshots."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from iamgate.checks import run_checks
from iamgate.model.config import Config, TrustSettings
from iamgate.model.snapshot import Organization, Snapshot
from testing.factories import ADMIN, arn, doc, group, managed, role, row, snap, user

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
    iam_too = {"Effect": "Allow", "Action": "iam:*", "Resource": "*"}
    s = snap(
        roles=(
            role("wide", inline={"p": doc(not_action)}),
            role("wider", inline={"p": doc(not_action, iam_too)}),
            role("denied", inline={"p": doc(ALLOW_ALL, {**ALLOW_ALL, "Effect": "Deny"})}),
            role(
                "only-s3",
                inline={"p": doc(ALLOW_ALL, {**not_action, "Effect": "Deny", "NotAction": "s3:*"})},
            ),
        )
    )
    got = results("principal-admin-access", s)
    # Everything but IAM is not full administrator (PowerUserAccess's shape); the message
    # says what is left out.
    assert got[arn("role", "wide")] == (
        True,
        "not a full administrator: statement #1 of role/wide#inline/p allows every action "
        "except iam:*",
    )
    assert got[arn("role", "wider")][0] is False
    assert got[arn("role", "denied")][0] is True
    assert got[arn("role", "only-s3")] == (
        True,
        "statement #2 of role/only-s3#inline/p denies every action but s3:*",
    )


def test_admin_by_self_grant() -> None:
    own = {"Effect": "Allow", "Action": "iam:AttachRolePolicy", "Resource": arn("role", "r")}
    other = {"Effect": "Allow", "Action": "iam:AttachRolePolicy", "Resource": arn("role", "x")}
    s = snap(
        roles=(role("r", inline={"p": doc(own)}), role("x"), role("q", inline={"p": doc(other)}))
    )
    got = results("principal-admin-access", s)
    assert got[arn("role", "r")][0] is False
    assert "may grant itself anything: iam:AttachRolePolicy" in got[arn("role", "r")][1]
    assert got[arn("role", "q")][0] is True


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


LAMBDA_ADMIN = role(
    "ops-admin",
    doc(
        {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ),
    attached=(ADMIN.arn,),
)


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
        roles=(role("deployer", inline={"deploy": pol}), role("reader"), LAMBDA_ADMIN),
        groups=(
            group(
                "g",
                inline={"v": doc({"Effect": "Allow", "Action": "iam:Create*", "Resource": "*"})},
            ),
        ),
        policies=(ADMIN,),
    )
    got = results("policy-privilege-escalation", s)
    assert got[arn("role", "deployer")] == (
        False,
        "role deployer can escalate privileges: role/deployer → iam:PassRole + "
        "lambda:CreateFunction + lambda:InvokeFunction (statement 'Deploy' of "
        "role/deployer#inline/deploy) → role/ops-admin (full administrator)",
    )
    assert got[arn("role", "reader")][0] is True
    # iam:Create* creates users, keys, roles and policy versions, but with nothing attached
    # to them here it reaches nobody more privileged.
    assert got[arn("group", "g")] == (True, "no privilege-escalation path")
    # The administrator passes here: principal-admin-access reports it.
    assert got[LAMBDA_ADMIN.arn] == (
        True,
        "role/ops-admin is already full administrator (see principal-admin-access)",
    )


def test_passing_only_a_weaker_role_is_no_escalation() -> None:
    pol = doc({"Effect": "Allow", "Action": ["iam:PassRole", "lambda:*"], "Resource": "*"})
    s = snap(roles=(role("deployer", inline={"deploy": pol}), role("reader")))
    assert results("policy-privilege-escalation", s)[arn("role", "deployer")][0] is True


def test_escalation_through_a_group_and_blocked_by_boundary() -> None:
    esc = doc({"Effect": "Allow", "Action": "iam:CreateAccessKey", "Resource": "*"})
    boundary = managed("no-iam", doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}))
    s = snap(
        users=(
            user("member", groups=("ops",)),
            user("bounded", groups=("ops",), boundary=boundary.arn),
            user("boss", attached=(ADMIN.arn,)),
        ),
        groups=(group("ops", inline={"esc": esc}),),
        policies=(boundary, ADMIN),
        # The report knows boss has a free key slot (without a row the hop would say so).
        credential_report=(row("<root_account>", password=None, mfa=True), row("boss")),
    )
    got = results("policy-privilege-escalation", s)
    assert got[arn("user", "member")][0] is False
    assert got[arn("user", "member")][1] == (
        "user member can escalate privileges: user/member → iam:CreateAccessKey (statement #1 "
        "of group/ops#inline/esc) → user/boss (full administrator)"
    )
    assert got[arn("user", "bounded")][0] is True


def test_a_member_who_may_attach_to_itself_is_reported_once() -> None:
    """iam:AttachUserPolicy on * makes the member a full administrator (it may attach anything
    to itself): principal-admin-access fails it, the escalation check does not repeat it."""
    esc = doc({"Effect": "Allow", "Action": "iam:AttachUserPolicy", "Resource": "*"})
    s = snap(users=(user("member", groups=("ops",)),), groups=(group("ops", inline={"esc": esc}),))
    assert results("principal-admin-access", s)[arn("user", "member")][0] is False
    assert results("policy-privilege-escalation", s)[arn("user", "member")][0] is True


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
    boss = user("boss", attached=(ADMIN.arn,))
    s = snap(users=(user("u", inline={"p": pol}), boss), policies=(ADMIN,))
    got = results("policy-privilege-escalation", s)
    assert got[arn("user", "u")][0] is False
    unconditional = doc(
        {"Effect": "Allow", "Action": "iam:CreateAccessKey", "Resource": "*"},
        {"Effect": "Deny", "Action": "iam:*", "Resource": "*"},
    )
    s = snap(users=(user("u", inline={"p": unconditional}), boss), policies=(ADMIN,))
    assert results("policy-privilege-escalation", s)[arn("user", "u")][0] is True


def test_missing_policy_makes_escalation_an_error() -> None:
    s = snap(users=(user("x", attached=(arn("policy", "gone"),)),))
    passed, message = results("policy-privilege-escalation", s)[arn("user", "x")]
    assert passed is None
    assert "the snapshot lacks policy" in message


# --- role-assume-any, policy-full-admin-unattached ----------------------------------------------


def test_role_assume_any() -> None:
    anywhere = managed("hop", doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}))
    listed = managed(
        "listed",
        doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": arn("role", "ci-*")}),
    )
    spare = managed("spare", anywhere.document, attachments=0)
    conditioned = {
        "Effect": "Allow",
        "Action": "sts:*",
        "Resource": "*",
        "Condition": {"StringEquals": {"aws:ResourceTag/team": "x"}},
    }
    s = snap(
        policies=(anywhere, listed, spare, ADMIN),
        roles=(role("r", inline={"c": doc(conditioned), "all": doc(ALLOW_ALL)}),),
    )
    got = results("role-assume-any", s)
    assert got[anywhere.arn] == (
        False,
        "statement #1 of policy/hop allows sts:AssumeRole on every role: Allow sts:AssumeRole on *",
    )
    assert got[listed.arn][0] is True
    assert spare.arn not in got  # unattached: grants nothing to anyone
    assert ADMIN.arn not in got  # AWS managed
    c = got[f"{arn('role', 'r')}#inline/c"]
    assert c[0] is False
    assert "conditioned on aws:resourcetag/team" in c[1]
    assert got[f"{arn('role', 'r')}#inline/all"][0] is True  # * on *: the admin checks say it


def test_policy_full_admin_unattached() -> None:
    spare = managed("spare-admin", doc(ALLOW_ALL), attachments=0)
    used = managed("used-admin", doc(ALLOW_ALL), attachments=2)
    spare_read = managed(
        "spare-read", doc({"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}), attachments=0
    )
    version = managed(
        "self-versioning",
        doc(
            {
                "Effect": "Allow",
                "Action": "iam:CreatePolicyVersion",
                "Resource": arn("policy", "self-versioning"),
            }
        ),
        attachments=0,
    )
    s = snap(policies=(spare, used, spare_read, version, ADMIN))
    got = results("policy-full-admin-unattached", s)
    assert got[spare.arn][0] is False
    assert got[spare.arn][1].startswith("policy/spare-admin is attached to nothing and grants")
    assert got[used.arn] == (True, "attached 2 time(s) (see policy-full-admin)")
    assert got[spare_read.arn][0] is True
    assert got[version.arn][0] is False  # whoever holds it may rewrite it: full administrator
    assert ADMIN.arn not in got


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


def test_escalation_results_name_the_kind() -> None:
    s = snap(users=(user("u"),), groups=(group("g"),), roles=(role("r"),))
    out = run_checks(s, Config(), ["policy-privilege-escalation", "principal-admin-access"])
    kinds = {(r.check, r.resource): r.resource_type for r in out}
    assert kinds == {
        ("policy-privilege-escalation", arn("user", "u")): "user",
        ("policy-privilege-escalation", arn("group", "g")): "group",
        ("policy-privilege-escalation", arn("role", "r")): "role",
        ("principal-admin-access", arn("user", "u")): "user",
        ("principal-admin-access", arn("role", "r")): "role",
    }
