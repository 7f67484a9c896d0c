"""The evaluator, table-driven: action x resource x policy -> decision (``allows``), then the one
definition of full administrator (``admin``), then the policy-level questions.

Rows named ``issue-...`` are the examples the issue gave of wrong verdicts both ways.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest

from iamgate.policy.admin import admin, assume_any, coverage, policy_grants_admin
from iamgate.policy.document import parse_policy
from iamgate.policy.evaluate import (
    Access,
    Attachment,
    Decision,
    Identity,
    Kind,
    allows,
    allows_any,
    member_of,
)
from testing.policies import (
    ACCOUNT,
    ADMIN,
    MFA,
    ONLY_S3,
    OWN_CREDENTIALS,
    POWER_USER,
    access,
    allow,
    arn,
    deny,
    doc,
)

S3 = "arn:aws:s3:::"
USER_ALICE, USER_BOB = arn("user", "alice"), arn("user", "bob")
ROLE_ADMIN, ROLE_LOGS = arn("role", "ops-admin"), arn("role", "logs-writer")
TAGGED = "arn:aws:s3:::team-${aws:PrincipalTag/team}/*"
NOT_IAM = {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}


@dataclass(frozen=True)
class Row:
    id: str
    docs: tuple[Any, ...]
    action: str
    resource: str
    allowed: bool
    conditioned: bool | None = None  # None: not asserted
    kind: Kind = "user"
    name: str = "alice"
    boundary: dict[str, Any] | None = None
    denied_by: str | None = None  # the Sid of the Deny that removes it
    unsure: bool = False  # a conditioned Deny may apply (asserted when True)
    blocked: bool = False  # the identity policies allow it, the boundary does not


ROWS = [
    # --- the examples --------------------------------------------------------------------
    Row(
        "issue-own-credentials-on-itself",
        (OWN_CREDENTIALS,),
        "iam:CreateAccessKey",
        USER_ALICE,
        True,
        False,
    ),
    Row(
        "issue-own-credentials-not-on-another-user",
        (OWN_CREDENTIALS,),
        "iam:CreateAccessKey",
        USER_BOB,
        False,
    ),
    Row(
        "issue-own-credentials-mfa-deny-is-conditioned",
        (OWN_CREDENTIALS,),
        "iam:CreateAccessKey",
        USER_ALICE,
        True,
        unsure=True,
    ),
    Row(
        "issue-passrole-scoped-to-logs-role-not-admin-role",
        (doc(allow("iam:PassRole", ROLE_LOGS)),),
        "iam:PassRole",
        ROLE_ADMIN,
        False,
    ),
    Row(
        "issue-passrole-scoped-to-logs-role",
        (doc(allow("iam:PassRole", ROLE_LOGS)),),
        "iam:PassRole",
        ROLE_LOGS,
        True,
    ),
    Row("issue-power-user-no-iam", (POWER_USER,), "iam:PutUserPolicy", USER_ALICE, False),
    Row("issue-power-user-lambda", (POWER_USER,), "lambda:UpdateFunctionCode", "*", True),
    Row(
        "issue-power-user-listed-iam-action",
        (POWER_USER,),
        "iam:CreateServiceLinkedRole",
        arn("role", "aws-service-role/x"),
        True,
    ),
    Row(
        "issue-deny-notaction-s3-denies-ec2",
        (ONLY_S3,),
        "ec2:RunInstances",
        "*",
        False,
        denied_by="OnlyS3",
    ),
    Row(
        "issue-deny-notaction-s3-denies-iam",
        (ONLY_S3,),
        "iam:PutUserPolicy",
        USER_ALICE,
        False,
        denied_by="OnlyS3",
    ),
    Row("issue-deny-notaction-s3-keeps-s3", (ONLY_S3,), "s3:PutObject", S3 + "b/k", True),
    Row(
        "issue-role-put-role-policy-on-itself",
        (doc(allow("iam:PutRolePolicy", arn("role", "alice"))),),
        "iam:PutRolePolicy",
        arn("role", "alice"),
        True,
        kind="role",
    ),
    # --- basics, case ---------------------------------------------------------------------------
    Row("admin-any-action", (ADMIN,), "iam:PutUserPolicy", USER_BOB, True, False),
    Row("admin-s3", (ADMIN,), "s3:GetObject", S3 + "b/k", True),
    Row("every-action-glob", (doc(allow("*:*")),), "kms:Decrypt", "*", True),
    Row("implicit-deny", (doc(allow("s3:GetObject")),), "s3:PutObject", S3 + "b/k", False),
    Row(
        "action-case-insensitive",
        (doc(allow("IAM:putUSERpolicy")),),
        "iam:PutUserPolicy",
        USER_BOB,
        True,
    ),
    Row(
        "action-case-insensitive-ask",
        (doc(allow("iam:PutUserPolicy")),),
        "IAM:PUTUSERPOLICY",
        USER_BOB,
        True,
    ),
    Row(
        "resource-case-sensitive",
        (doc(allow("s3:GetObject", S3 + "Bucket/*")),),
        "s3:GetObject",
        S3 + "bucket/k",
        False,
    ),
    Row(
        "resource-user-name-case",
        (doc(allow("iam:GetUser", arn("user", "Bob"))),),
        "iam:GetUser",
        USER_BOB,
        False,
    ),
    Row(
        "action-wildcard-middle",
        (doc(allow("iam:*Policy*")),),
        "iam:PutRolePolicy",
        ROLE_ADMIN,
        True,
    ),
    Row(
        "action-wildcard-no-match", (doc(allow("iam:*Policy*")),), "iam:PassRole", ROLE_ADMIN, False
    ),
    Row("action-qmark", (doc(allow("iam:Put?serPolicy")),), "iam:PutUserPolicy", USER_BOB, True),
    Row("action-string-not-list", (doc(allow("s3:*", S3 + "*")),), "s3:ListBucket", S3 + "b", True),
    Row(
        "statement-object-not-list",
        ({"Version": "2012-10-17", "Statement": allow("sqs:*")},),
        "sqs:SendMessage",
        "arn:aws:sqs:us-east-1:1:q",
        True,
    ),
    Row(
        "url-encoded-document",
        (quote(json.dumps(doc(allow("sns:Publish")))),),
        "sns:Publish",
        "arn:aws:sns:us-east-1:1:t",
        True,
    ),
    # --- resources and ARN wildcards ------------------------------------------------------------
    Row(
        "role-prefix",
        (doc(allow("iam:PassRole", arn("role", "app-*"))),),
        "iam:PassRole",
        arn("role", "app-web"),
        True,
    ),
    Row(
        "role-prefix-other",
        (doc(allow("iam:PassRole", arn("role", "app-*"))),),
        "iam:PassRole",
        ROLE_ADMIN,
        False,
    ),
    Row(
        "any-account-segment",
        (doc(allow("sts:AssumeRole", "arn:aws:iam::*:role/x")),),
        "sts:AssumeRole",
        arn("role", "x"),
        True,
    ),
    Row(
        "other-account",
        (doc(allow("sts:AssumeRole", "arn:aws:iam::210987654321:role/x")),),
        "sts:AssumeRole",
        arn("role", "x"),
        False,
    ),
    Row(
        "segment-star-stays-in-segment",
        (doc(allow("s3:GetObject", S3 + "a*b")),),
        "s3:GetObject",
        S3 + "a:b",
        False,
    ),
    Row(
        "segment-final-star-crosses",
        (doc(allow("logs:PutLogEvents", "arn:aws:logs:us-east-1:*")),),
        "logs:PutLogEvents",
        "arn:aws:logs:us-east-1:1:log-group:g:log-stream:s",
        True,
    ),
    Row(
        "qmark-not-colon",
        (doc(allow("iam:GetUser", f"arn:aws:iam::{ACCOUNT[:-1]}?:user/x")),),
        "iam:GetUser",
        arn("user", "x"),
        True,
    ),
    Row(
        "arn-star-is-everything",
        (doc(allow("iam:PassRole", "arn:*")),),
        "iam:PassRole",
        ROLE_ADMIN,
        True,
    ),
    Row(
        "path-prefix",
        (doc(allow("iam:CreateAccessKey", arn("user", "contractors/*"))),),
        "iam:CreateAccessKey",
        arn("user", "contractors/bob"),
        True,
    ),
    # --- policy variables ------------------------------------------------------------------------
    Row(
        "own-credentials-role-has-no-username",
        (OWN_CREDENTIALS,),
        "iam:CreateAccessKey",
        arn("user", "deployer"),
        False,
        kind="role",
        name="deployer",
    ),
    Row(
        "variables-literal-in-2008-version",
        (doc(allow("iam:GetUser", "arn:aws:iam::*:user/${aws:username}"), version="2008-10-17"),),
        "iam:GetUser",
        USER_ALICE,
        False,
    ),
    Row(
        "variables-literal-in-2008-version-literal-match",
        (doc(allow("iam:GetUser", "arn:aws:iam::*:user/${aws:username}"), version="2008-10-17"),),
        "iam:GetUser",
        arn("user", "${aws:username}"),
        True,
    ),
    Row(
        "variable-default-for-role",
        (doc(allow("s3:GetObject", S3 + "home/${aws:username, 'shared'}/*")),),
        "s3:GetObject",
        S3 + "home/shared/f",
        True,
        kind="role",
        name="r",
    ),
    Row(
        "variable-default-unused-for-user",
        (doc(allow("s3:GetObject", S3 + "home/${aws:username, 'shared'}/*")),),
        "s3:GetObject",
        S3 + "home/shared/f",
        False,
    ),
    Row(
        "principal-arn-variable",
        (doc(allow("iam:GetRole", "${aws:PrincipalArn}")),),
        "iam:GetRole",
        arn("role", "r"),
        True,
        False,
        kind="role",
        name="r",
    ),
    Row(
        "principal-arn-variable-other",
        (doc(allow("iam:GetRole", "${aws:PrincipalArn}")),),
        "iam:GetRole",
        ROLE_ADMIN,
        False,
        kind="role",
        name="r",
    ),
    Row(
        "userid-unknown-allow-widens",
        (doc(allow("s3:PutObject", S3 + "home/${aws:userid}/*")),),
        "s3:PutObject",
        S3 + "home/anything/f",
        True,
        True,
    ),
    Row(
        "principal-tag-unknown-allow-widens",
        (doc(allow("s3:GetObject", TAGGED)),),
        "s3:GetObject",
        S3 + "team-red/k",
        True,
        True,
    ),
    Row(
        "principal-tag-unknown-deny-narrows",
        (ADMIN, doc(deny("s3:GetObject", TAGGED, "T"))),
        "s3:GetObject",
        S3 + "team-red/k",
        True,
        False,
    ),
    Row(
        "unknown-in-allow-notresource-excludes-less",
        (doc({"Effect": "Allow", "Action": "s3:*", "NotResource": TAGGED}),),
        "s3:GetObject",
        S3 + "team-red/k",
        True,
        True,
    ),
    Row(
        "unknown-in-deny-notresource-exempts-more",
        (ADMIN, doc({"Effect": "Deny", "Action": "s3:*", "NotResource": TAGGED})),
        "s3:GetObject",
        S3 + "team-red/k",
        True,
    ),
    Row(
        "absent-in-deny-notresource-exempts-nothing",
        (
            ADMIN,
            doc(
                {
                    "Sid": "OnlyHome",
                    "Effect": "Deny",
                    "Action": "s3:*",
                    "NotResource": S3 + "home/${aws:username}/*",
                }
            ),
        ),
        "s3:GetObject",
        S3 + "home/r/k",
        False,
        kind="role",
        name="r",
        denied_by="OnlyHome",
    ),
    Row(
        "deny-own-user-by-variable",
        (ADMIN, doc(deny("iam:DeleteUser", "arn:aws:iam::*:user/${aws:username}", "KeepMe"))),
        "iam:DeleteUser",
        USER_ALICE,
        False,
        denied_by="KeepMe",
    ),
    Row(
        "source-identity-unknown",
        (doc(allow("s3:GetObject", S3 + "b/${aws:SourceIdentity}/*")),),
        "s3:GetObject",
        S3 + "b/x/k",
        True,
        True,
    ),
    Row(
        "variable-escape-star",
        (doc(allow("s3:GetObject", S3 + "b/${*}")),),
        "s3:GetObject",
        S3 + "b/*",
        True,
    ),
    Row(
        "variable-escape-star-is-literal",
        (doc(allow("s3:GetObject", S3 + "b/${*}")),),
        "s3:GetObject",
        S3 + "b/x",
        False,
    ),
    Row(
        "principal-account-variable",
        (doc(allow("sts:AssumeRole", "arn:aws:iam::${aws:PrincipalAccount}:role/*")),),
        "sts:AssumeRole",
        ROLE_ADMIN,
        True,
        False,
    ),
    # --- NotAction / NotResource ------------------------------------------------------------------
    Row(
        "allow-notresource-excluded",
        (doc({"Effect": "Allow", "Action": "s3:*", "NotResource": S3 + "secret/*"}),),
        "s3:GetObject",
        S3 + "secret/k",
        False,
    ),
    Row(
        "allow-notresource-other",
        (doc({"Effect": "Allow", "Action": "s3:*", "NotResource": S3 + "secret/*"}),),
        "s3:GetObject",
        S3 + "public/k",
        True,
    ),
    Row("allow-notaction-excluded", (doc(NOT_IAM),), "iam:CreateUser", USER_BOB, False),
    Row("allow-notaction-other", (doc(NOT_IAM),), "ec2:RunInstances", "*", True),
    Row(
        "allow-notaction-notresource",
        (doc({"Effect": "Allow", "NotAction": "iam:*", "NotResource": S3 + "secret"}),),
        "s3:GetObject",
        S3 + "secret",
        False,
    ),
    Row(
        "deny-notaction-scoped-resource",
        (ADMIN, doc({"Effect": "Deny", "NotAction": "s3:*", "Resource": S3 + "x"})),
        "ec2:RunInstances",
        "*",
        True,
    ),
    Row(
        "deny-notaction-star-denies-nothing",
        (ADMIN, doc({"Effect": "Deny", "NotAction": "*", "Resource": "*"})),
        "iam:CreateUser",
        USER_BOB,
        True,
    ),
    Row(
        "deny-notaction-listed-action-survives",
        (ADMIN, doc({"Effect": "Deny", "NotAction": ["iam:Get*", "iam:List*"], "Resource": "*"})),
        "iam:GetUser",
        USER_BOB,
        True,
    ),
    Row(
        "deny-notresource-outside",
        (
            ADMIN,
            doc(
                {
                    "Sid": "OnlyBucket",
                    "Effect": "Deny",
                    "Action": "s3:*",
                    "NotResource": S3 + "ok/*",
                }
            ),
        ),
        "s3:GetObject",
        S3 + "other/k",
        False,
        denied_by="OnlyBucket",
    ),
    Row(
        "deny-notresource-inside",
        (ADMIN, doc({"Effect": "Deny", "Action": "s3:*", "NotResource": S3 + "ok/*"})),
        "s3:GetObject",
        S3 + "ok/k",
        True,
    ),
    Row(
        "deny-specific-role",
        (ADMIN, doc(deny("iam:PassRole", ROLE_ADMIN, "NoAdmin"))),
        "iam:PassRole",
        ROLE_ADMIN,
        False,
        denied_by="NoAdmin",
    ),
    Row(
        "deny-specific-role-other",
        (ADMIN, doc(deny("iam:PassRole", ROLE_ADMIN))),
        "iam:PassRole",
        ROLE_LOGS,
        True,
    ),
    # --- conditions ----------------------------------------------------------------------------
    Row(
        "conditioned-allow-grants",
        (doc(allow("iam:PassRole", Condition=MFA)),),
        "iam:PassRole",
        ROLE_ADMIN,
        True,
        True,
    ),
    Row(
        "unconditioned-allow-preferred",
        (doc(allow("iam:PassRole", Condition=MFA), allow("iam:PassRole")),),
        "iam:PassRole",
        ROLE_ADMIN,
        True,
        False,
    ),
    Row(
        "conditioned-deny-removes-nothing",
        (ADMIN, doc(deny("iam:*", Condition=MFA))),
        "iam:CreateUser",
        USER_BOB,
        True,
        unsure=True,
    ),
    Row(
        "unconditioned-deny-beats-conditioned-allow",
        (doc(allow("iam:*", Condition=MFA)), doc(deny("iam:CreateUser", sid="No"))),
        "iam:CreateUser",
        USER_BOB,
        False,
        denied_by="No",
    ),
    Row(
        "deny-in-second-policy",
        (ADMIN, doc(deny("ec2:*", sid="NoEC2"))),
        "ec2:RunInstances",
        "*",
        False,
        denied_by="NoEC2",
    ),
    # --- permissions boundary ---------------------------------------------------------------------
    Row(
        "boundary-blocks",
        (doc(allow("iam:*")),),
        "iam:CreateUser",
        USER_BOB,
        False,
        boundary=doc(allow("s3:*")),
        blocked=True,
    ),
    Row(
        "boundary-identity-lacks",
        (doc(allow("iam:*")),),
        "s3:GetObject",
        S3 + "b/k",
        False,
        boundary=doc(allow("s3:*")),
    ),
    Row(
        "boundary-both-allow",
        (doc(allow("s3:*")),),
        "s3:GetObject",
        S3 + "b/k",
        True,
        boundary=doc(allow("*")),
    ),
    Row(
        "boundary-deny",
        (ADMIN,),
        "s3:DeleteBucket",
        S3 + "b",
        False,
        boundary=doc(allow("*"), deny("s3:DeleteBucket", sid="KeepBuckets")),
        denied_by="KeepBuckets",
    ),
    Row(
        "boundary-deny-notaction",
        (ADMIN,),
        "iam:CreateUser",
        USER_BOB,
        False,
        boundary=doc(
            allow("*"), {"Sid": "S3Only", "Effect": "Deny", "NotAction": "s3:*", "Resource": "*"}
        ),
        denied_by="S3Only",
    ),
    Row(
        "boundary-notaction-allows-rest",
        (ADMIN,),
        "ec2:RunInstances",
        "*",
        True,
        boundary=doc(NOT_IAM),
    ),
    Row(
        "boundary-notaction-blocks-iam",
        (ADMIN,),
        "iam:AttachUserPolicy",
        USER_ALICE,
        False,
        boundary=doc(NOT_IAM),
        blocked=True,
    ),
    Row(
        "boundary-conditioned",
        (ADMIN,),
        "s3:GetObject",
        S3 + "b/k",
        True,
        True,
        boundary=doc(allow("s3:*", Condition=MFA)),
    ),
    Row(
        "boundary-resource-scoped",
        (ADMIN,),
        "s3:GetObject",
        S3 + "other/k",
        False,
        boundary=doc(allow("s3:*", S3 + "mine/*")),
        blocked=True,
    ),
    Row(
        "boundary-with-variables",
        (ADMIN,),
        "s3:GetObject",
        S3 + "home/alice/k",
        True,
        boundary=doc(allow("s3:*", S3 + "home/${aws:username}/*")),
    ),
    Row(
        "boundary-with-variables-other-home",
        (ADMIN,),
        "s3:GetObject",
        S3 + "home/bob/k",
        False,
        boundary=doc(allow("s3:*", S3 + "home/${aws:username}/*")),
        blocked=True,
    ),
]


@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_allows(row: Row) -> None:
    acc = access(*row.docs, kind=row.kind, name=row.name, boundary=row.boundary)
    d = allows(acc, row.action, row.resource)
    assert d.allowed is row.allowed, d.why
    if row.conditioned is not None and row.allowed:
        assert d.conditioned is row.conditioned, d.why
    if row.denied_by is not None:
        assert d.denied_by is not None, d.why
        assert d.denied_by.sid == row.denied_by, d.why
        assert row.denied_by in d.why
    elif not row.allowed:
        assert d.denied_by is None, d.why
    if row.unsure:
        assert d.unsure, d.why
    assert d.boundary_blocks is row.blocked, d.why


def test_enough_rows() -> None:
    assert len(ROWS) >= 60
    assert len({r.id for r in ROWS}) == len(ROWS)


def test_decision_messages() -> None:
    acc = access(doc(allow("iam:PassRole", ROLE_LOGS, "Pass", Condition=MFA)))
    yes = allows(acc, "iam:PassRole", ROLE_LOGS)
    assert (
        yes.why == f"iam:PassRole on {ROLE_LOGS} is allowed by statement 'Pass' of policy/p0 "
        "(conditioned on aws:MultiFactorAuthPresent)"
    )
    no = allows(acc, "iam:PassRole", ROLE_ADMIN)
    assert no.why == f"no statement allows iam:PassRole on {ROLE_ADMIN}"
    bounded = access(ADMIN, boundary=doc(allow("s3:*")))
    assert allows(bounded, "iam:PassRole", ROLE_ADMIN).why.endswith(
        "outside the permissions boundary"
    )


# --- admin ------------------------------------------------------------------------------------

SELF_PUT = doc(allow("iam:PutUserPolicy", "arn:aws:iam::*:user/${aws:username}", "Self"))


@dataclass(frozen=True)
class AdminRow:
    id: str
    docs: tuple[Any, ...]
    admin: bool
    route: str = ""
    why: str = ""  # a fragment the explanation must contain
    kind: Kind = "user"
    boundary: dict[str, Any] | None = None
    conditioned: bool = False


ADMIN_ROWS = [
    AdminRow("administrator-access", (ADMIN,), True, "every-action", "allows every action"),
    AdminRow("star-colon-star", (doc(allow("*:*")),), True, "every-action"),
    AdminRow("arn-star-resource", (doc(allow("*", "arn:*")),), True, "every-action"),
    AdminRow(
        "issue-power-user-is-not-admin",
        (POWER_USER,),
        False,
        "",
        "every action except iam:*, organizations:*, account:*",
    ),
    AdminRow(
        "issue-admin-with-deny-notaction-s3",
        (ONLY_S3,),
        False,
        "",
        "statement 'OnlyS3' of policy/p0 denies every action but s3:*",
    ),
    AdminRow(
        "issue-role-put-own-policy",
        (doc(allow("iam:PutRolePolicy", arn("role", "alice"))),),
        True,
        "self-grant",
        "may grant itself anything: iam:PutRolePolicy",
        kind="role",
    ),
    AdminRow(
        "issue-role-attach-own-policy",
        (doc(allow("iam:AttachRolePolicy", arn("role", "alice"))),),
        True,
        "self-grant",
        kind="role",
    ),
    AdminRow("self-put-user-policy", (SELF_PUT,), True, "self-grant", "iam:PutUserPolicy"),
    AdminRow("self-put-user-policy-variable-role", (SELF_PUT,), False, kind="role"),
    AdminRow("own-credentials-is-not-admin", (OWN_CREDENTIALS,), False),
    AdminRow("iam-star", (doc(allow("iam:*")),), True, "self-grant"),
    AdminRow("iam-write-on-others-only", (doc(allow("iam:PutUserPolicy", USER_BOB)),), False),
    AdminRow(
        "admin-within-s3-boundary",
        (ADMIN,),
        False,
        "",
        "permissions boundary limits it",
        boundary=doc(allow("s3:*")),
    ),
    AdminRow(
        "admin-can-remove-own-boundary",
        (ADMIN,),
        True,
        "self-grant",
        "iam:DeleteUserPermissionsBoundary",
        boundary=doc(allow(["s3:*", "iam:DeleteUserPermissionsBoundary"])),
    ),
    AdminRow(
        "admin-removable-narrow-deny",
        (ADMIN, doc(deny("ec2:TerminateInstances"))),
        True,
        "self-grant",
        "iam:DetachUserPolicy",
    ),
    AdminRow(
        "admin-unremovable-deny",
        (ADMIN, doc(deny("ec2:TerminateInstances"), deny("iam:*"))),
        False,
        why="denies ec2:TerminateInstances",
    ),
    AdminRow(
        "conditioned-admin",
        (doc(allow("*", Condition=MFA)),),
        True,
        "every-action",
        conditioned=True,
    ),
    AdminRow("notaction-plus-iam", (doc(NOT_IAM, allow("iam:*")),), True, "every-action"),
    AdminRow(
        "two-notaction-statements",
        (doc(NOT_IAM, {"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"}),),
        True,
        "every-action",
    ),
    AdminRow(
        "conditioned-deny-keeps-admin", (ADMIN, doc(deny("*", Condition=MFA))), True, "every-action"
    ),
    AdminRow("star-on-s3-only", (doc(allow("*", S3 + "*")),), False),
    AdminRow(
        "notresource-star-allow",
        (doc({"Effect": "Allow", "Action": "*", "NotResource": S3 + "secret/*"}),),
        True,
        "self-grant",
    ),
    AdminRow("deny-everything", (ADMIN, doc(deny("*"))), False, why="denies *"),
    AdminRow(
        "create-policy-version-on-own-policy",
        (doc(allow("iam:CreatePolicyVersion", arn("policy", "p0"))),),
        True,
        "self-grant",
        "iam:CreatePolicyVersion",
    ),
]


@pytest.mark.parametrize("row", ADMIN_ROWS, ids=[r.id for r in ADMIN_ROWS])
def test_admin(row: AdminRow) -> None:
    acc = access(*row.docs, kind=row.kind, boundary=row.boundary)
    verdict = admin(acc)
    assert verdict.is_admin is row.admin, verdict.why
    if row.route:
        assert verdict.route == row.route, verdict.why
    assert row.why in verdict.why
    assert verdict.conditioned is row.conditioned or not row.admin


def test_self_grant_through_a_group() -> None:
    group = arn("group", "devs")
    acc = access(doc(allow("iam:PutGroupPolicy", group)), groups=(group,))
    assert admin(acc).route == "self-grant"
    assert not admin(access(doc(allow("iam:PutGroupPolicy", group)))).is_admin  # not a member


def test_leaving_a_group_takes_all_its_policies() -> None:
    """Admin only through a group that also holds a guard Deny: leaving the group to shed the
    guard loses the grant too; the same guard held by the user itself can be deleted."""
    group = arn("group", "ops")
    me = arn("user", "alice")
    who = Identity(me, "user", "alice", ACCOUNT)
    grant = parse_policy(arn("policy", "grant"), doc(allow("*")))
    writes = ["iam:Put*", "iam:Attach*", "iam:CreatePolicyVersion", "iam:Detach*"]
    guard = doc(deny([*writes, "iam:DeleteGroupPolicy"], sid="Guard"))
    in_group = parse_policy(f"{group}#inline/guard", guard, "inline")
    acc = Access(who, (Attachment(grant, group), Attachment(in_group, group)), None, (group,))
    verdict = admin(acc)
    assert not verdict.is_admin, verdict.why
    assert "Guard" in verdict.why
    own = parse_policy(f"{me}#inline/guard", guard, "inline")
    acc = Access(who, (Attachment(grant, group), Attachment(own, me)), None, (group,))
    verdict = admin(acc)
    assert verdict.is_admin
    assert "iam:DeleteUserPolicy" in verdict.why


def test_a_group_member_writing_itself_is_admin() -> None:
    """A group is judged as a member holding its policies: ``${aws:username}`` is the member."""
    group = arn("group", "devs")
    member = member_of(group, ACCOUNT)
    pol = parse_policy(f"{group}#inline/self", SELF_PUT, "inline")
    verdict = admin(Access(member, (Attachment(pol, group),), None, (group,)))
    assert verdict.is_admin
    own_keys = parse_policy(f"{group}#inline/keys", OWN_CREDENTIALS, "inline")
    keys = Access(member, (Attachment(own_keys, group),), None, (group,))
    assert not admin(keys).is_admin
    assert not allows(keys, "iam:CreateAccessKey", USER_BOB).allowed


def test_allows_any() -> None:
    acc = access(doc(allow("lambda:CreateFunction", "arn:aws:lambda:*:*:function:dev-*")))
    assert allows_any(acc, "lambda:CreateFunction").allowed
    denied = access(doc(allow("lambda:*")), doc(deny("lambda:CreateFunction")))
    assert not allows_any(denied, "lambda:CreateFunction").allowed
    partly = access(doc(allow("lambda:*")), doc(deny("lambda:*", "arn:aws:lambda:*:*:function:x")))
    assert allows_any(partly, "lambda:CreateFunction").allowed
    outside = access(doc(allow("s3:*", S3 + "a/*")), boundary=doc(allow("s3:*", S3 + "b/*")))
    got = allows_any(outside, "s3:GetObject")
    assert not got.allowed
    assert got.boundary_blocks
    inside = access(doc(allow("s3:*", S3 + "a/*")), boundary=doc(allow("s3:*", S3 + "*")))
    assert allows_any(inside, "s3:GetObject").allowed
    # Own credentials do not count as an IAM write over others.
    own = access(OWN_CREDENTIALS)
    assert allows_any(own, "iam:CreateAccessKey").allowed
    assert not allows_any(own, "iam:CreateAccessKey", frozenset({USER_ALICE})).allowed
    named = access(doc(allow("iam:PutUserPolicy", "arn:aws:iam::*:user/alice")))
    assert not allows_any(named, "iam:PutUserPolicy", frozenset({USER_ALICE})).allowed
    conditioned = access(doc(allow("iam:PassRole", Condition=MFA)))
    assert allows_any(conditioned, "iam:PassRole").conditioned


def test_policy_questions() -> None:
    p = parse_policy(arn("policy", "x"), doc(allow("sts:AssumeRole")))
    assert assume_any(p)
    sts_star = parse_policy(arn("policy", "s"), doc(allow("sts:*", "arn:aws:iam::*:role/*")))
    assert assume_any(sts_star)
    scoped = parse_policy(arn("policy", "y"), doc(allow("sts:AssumeRole", arn("role", "*"))))
    assert not assume_any(scoped)  # every role of one account: not "every role"
    taken_back = parse_policy(arn("policy", "z"), doc(allow("sts:*"), deny("sts:AssumeRole")))
    assert not assume_any(taken_back)
    not_resource = parse_policy(
        arn("policy", "n"),
        doc({"Effect": "Allow", "Action": "sts:AssumeRole", "NotResource": arn("role", "x")}),
    )
    assert assume_any(not_resource)
    everything = parse_policy(arn("policy", "e"), ADMIN)
    assert not assume_any(everything)  # left to the administrator checks
    holders = [
        (Identity(arn("user", "(h)"), "user", "(h)", ACCOUNT), arn("user", "(h)")),
        (Identity(arn("role", "(h)"), "role", "(h)", ACCOUNT), arn("role", "(h)")),
    ]
    assert policy_grants_admin(parse_policy(arn("policy", "a"), ADMIN), holders).is_admin
    assert not policy_grants_admin(parse_policy(arn("policy", "b"), POWER_USER), holders).is_admin
    assert policy_grants_admin(parse_policy(arn("policy", "c"), SELF_PUT), holders).is_admin
    version = doc(allow("iam:CreatePolicyVersion", arn("policy", "v")))
    assert policy_grants_admin(parse_policy(arn("policy", "v"), version), holders).is_admin
    assert not policy_grants_admin(parse_policy(arn("policy", "w"), version), holders).is_admin


# --- near misses that pin the helpers (found by mutation testing) ---------------------------


@pytest.mark.parametrize(
    ("deny", "allowed"),
    [
        (deny("s3:*", S3 + "*"), False),  # covers every bucket the Allow names
        (deny("s3:*", S3 + "a/*"), True),  # covers a/*, not b/*
        ({"Effect": "Deny", "Action": "s3:*", "NotResource": S3 + "c/*"}, False),  # a, b ⊄ c
        ({"Effect": "Deny", "Action": "s3:*", "NotResource": S3 + "a/*"}, True),  # a/* spared
        ({"Effect": "Deny", "Action": "s3:*", "NotResource": []}, False),  # denies everything
        (deny("s3:*", S3 + "*", Condition=MFA), True),  # may not apply
    ],
)
def test_allows_any_with_a_deny(deny: dict[str, Any], allowed: bool) -> None:
    acc = access(doc(allow("s3:GetObject", [S3 + "a/*", S3 + "b/*"])), doc(deny))
    assert allows_any(acc, "s3:GetObject").allowed is allowed


@pytest.mark.parametrize(
    ("allow_st", "allowed"),
    [
        ({"Effect": "Allow", "Action": "s3:*", "NotResource": S3 + "x"}, False),  # Deny is "*"
        ({"Effect": "Allow", "Action": "s3:*", "NotResource": S3 + "x"}, True),  # Deny NotRes.
    ],
)
def test_allows_any_notresource_allow(allow_st: dict[str, Any], allowed: bool) -> None:
    if allowed:
        d = {"Effect": "Deny", "Action": "s3:*", "NotResource": S3 + "y"}
    else:
        d = deny("s3:*", "*")
    assert allows_any(access(doc(allow_st), doc(d)), "s3:GetObject").allowed is allowed
    scoped = access(doc(allow_st), doc(deny("s3:*", S3 + "z")))
    assert allows_any(scoped, "s3:GetObject").allowed  # a scoped Deny leaves the rest


@pytest.mark.parametrize(
    ("identity", "boundary", "allowed"),
    [
        (allow("s3:*", S3 + "a/*"), allow("s3:*", S3 + "b/*"), False),
        (allow("s3:*", S3 + "a/*"), allow("s3:*", S3 + "a/k"), True),
        (
            {"Effect": "Allow", "Action": "s3:*", "NotResource": S3 + "x"},
            allow("s3:*", S3 + "b"),
            True,
        ),
        (
            allow("s3:*", S3 + "a/*"),
            {"Effect": "Allow", "Action": "s3:*", "NotResource": S3 + "x"},
            True,
        ),
    ],
)
def test_allows_any_within_a_boundary(
    identity: dict[str, Any], boundary: dict[str, Any], allowed: bool
) -> None:
    got = allows_any(access(doc(identity), boundary=doc(boundary)), "s3:GetObject")
    assert got.allowed is allowed
    assert got.boundary_blocks is not allowed


@pytest.mark.parametrize(
    ("exclusions", "is_admin"),
    [
        (("iam:*", "s3:*"), True),  # different services: together they leave nothing out
        (("IAM:*", "iam:Get*"), False),  # same service (any case): iam:Get* is left out
        (("iam:*", "*:Get*"), False),  # a wildcard service proves nothing: iam:Get* left out
        (("iam:*", "iam:*"), False),
        (("iam:*", "*"), False),  # NotAction "*" allows nothing: iam:* is left out
    ],
)
def test_two_notaction_grants(exclusions: tuple[str, str], is_admin: bool) -> None:
    sts = [{"Effect": "Allow", "NotAction": x, "Resource": "*"} for x in exclusions]
    # "Every action on every resource" alone (the self-grant would make every case admin).
    got = coverage(parse_policy(arn("policy", "p"), doc(*sts)).statements, None)
    assert got.everything is is_admin, got.describe()


def test_policy_level_questions_near_misses() -> None:
    every_role = "arn:aws:iam::*:role/*"
    star_on_roles = parse_policy(arn("policy", "a"), doc(allow("*", every_role)))
    assert assume_any(star_on_roles)  # every action, but on roles only: not an admin grant
    excluded = parse_policy(
        arn("policy", "b"),
        doc({"Effect": "Allow", "Action": "sts:AssumeRole", "NotResource": every_role}),
    )
    assert not assume_any(excluded)
    maybe_denied = parse_policy(
        arn("policy", "c"), doc(allow("sts:AssumeRole"), deny("sts:AssumeRole", Condition=MFA))
    )
    assert assume_any(maybe_denied)
    all_denied = parse_policy(
        arn("policy", "d"),
        doc(
            allow("sts:AssumeRole"),
            {"Effect": "Deny", "Action": "sts:AssumeRole", "NotResource": []},
        ),
    )
    assert not assume_any(all_denied)
    partly = parse_policy(
        arn("policy", "e"),
        doc(
            allow("sts:AssumeRole"),
            {"Effect": "Deny", "Action": "sts:AssumeRole", "NotResource": arn("role", "x")},
        ),
    )
    assert assume_any(partly)
    other = parse_policy(
        arn("policy", "f"), doc(allow("sts:AssumeRole"), deny("sts:*", arn("role", "x")))
    )
    assert assume_any(other)


def test_group_holders_of_a_policy() -> None:
    group = arn("group", "ops")
    member = member_of(group, ACCOUNT)
    writes_group = parse_policy(
        f"{group}#inline/w", doc(allow("iam:PutGroupPolicy", group)), "inline"
    )
    assert policy_grants_admin(writes_group, [(member, group)]).is_admin
    other = parse_policy(
        f"{group}#inline/o", doc(allow("iam:PutGroupPolicy", arn("group", "x"))), "inline"
    )
    verdict = policy_grants_admin(other, [(member, group)])
    assert not verdict.is_admin
    assert verdict.why == "no statement allows every action on every resource"


def test_removing_a_deny_by_leaving_its_group_or_rewriting_its_policy() -> None:
    me = arn("user", "alice")
    who = Identity(me, "user", "alice", ACCOUNT)
    group = arn("group", "guarded")
    grant = parse_policy(f"{me}#inline/all", doc(allow("*")), "inline")
    no_writes = ["iam:Put*", "iam:Attach*", "iam:Detach*", "iam:Delete*"]
    # The guard is the group's only policy: leaving the group sheds it.
    guard = parse_policy(f"{group}#inline/guard", doc(deny(no_writes)), "inline")
    acc = Access(who, (Attachment(grant, me), Attachment(guard, group)), None, (group,))
    verdict = admin(acc)
    assert verdict.is_admin, verdict.why
    assert "iam:RemoveUserFromGroup" in verdict.why
    stay = parse_policy(f"{group}#inline/guard", doc(deny([*no_writes, "iam:Remove*"])), "inline")
    acc = Access(who, (Attachment(grant, me), Attachment(stay, group)), None, (group,))
    assert not admin(acc).is_admin
    # A managed guard attached to the user: a new version of it removes it.
    managed_guard = parse_policy(arn("policy", "guard"), doc(deny(no_writes)))
    acc = Access(who, (Attachment(grant, me), Attachment(managed_guard, me)))
    verdict = admin(acc)
    assert verdict.is_admin, verdict.why
    assert f"iam:CreatePolicyVersion on {arn('policy', 'guard')}" in verdict.why


def test_allows_any_decision_fields() -> None:
    d = allows_any(access(doc(allow("s3:*", S3 + "a/*", "A"))), "s3:GetObject")
    assert (d.allowed, d.action, d.resource, d.conditioned) == (True, "s3:GetObject", "*", False)
    assert d.grant is not None
    assert d.grant.sid == "A"
    none = allows_any(access(doc(allow("s3:*", S3 + "a/*"))), "ec2:RunInstances")
    assert (none.allowed, none.action, none.resource) == (False, "ec2:RunInstances", "*")
    bounded = allows_any(
        access(doc(allow("s3:*")), boundary=doc(allow("s3:*", Condition=MFA, sid="B"))),
        "s3:GetObject",
    )
    assert bounded.allowed
    assert bounded.conditioned
    assert bounded.boundary_grant is not None
    assert bounded.boundary_grant.sid == "B"
    guessed = allows_any(access(doc(allow("s3:*", TAGGED))), "s3:GetObject")
    assert guessed.conditioned  # rests on an unknown tag
    # An unconditioned grant is preferred for the message.
    both = allows_any(
        access(doc(allow("s3:*", Condition=MFA), allow("s3:*", sid="Plain"))), "s3:Get"
    )
    assert both.grant is not None
    assert both.grant.sid == "Plain"
    assert not both.conditioned


@pytest.mark.parametrize(
    ("resource", "kind", "expected"),
    [
        (S3 + "${aws:PrincipalType}/k", "user", S3 + "User/k"),
        (S3 + "${aws:PrincipalType}/k", "role", S3 + "AssumedRole/k"),
        (S3 + "${aws:PrincipalAccount}/k", "role", S3 + ACCOUNT + "/k"),
    ],
)
def test_principal_variables(resource: str, kind: Kind, expected: str) -> None:
    acc = access(doc(allow("s3:GetObject", resource)), kind=kind)
    assert allows(acc, "s3:GetObject", expected).allowed
    assert not allows(acc, "s3:GetObject", S3 + "other/k").allowed


@pytest.mark.parametrize(
    "statement",
    [
        allow("*", "${aws:PrincipalTag/scope}"),  # an unknown value widened to every resource
        {"Effect": "Allow", "Action": "*", "NotResource": "${aws:PrincipalTag/scope}"},
    ],
)
def test_variables_that_may_cover_everything(statement: dict[str, Any]) -> None:
    verdict = admin(access(doc(statement)))
    assert verdict.is_admin
    assert verdict.route == "every-action"
    assert verdict.conditioned


def test_coverage_messages() -> None:
    not_res = {"Effect": "Deny", "Action": ["s3:*", "ec2:*"], "NotResource": [S3 + "a", S3 + "b"]}
    got = coverage(parse_policy(arn("policy", "p"), doc(allow("*"), not_res)).statements, None)
    assert got.describe() == f"statement #2 of policy/p denies s3:*, ec2:* on all but {S3}a, {S3}b"
    scoped = deny(["s3:*", "ec2:*"], [S3 + "a", S3 + "b"])
    got = coverage(parse_policy(arn("policy", "p"), doc(allow("*"), scoped)).statements, None)
    assert got.describe() == f"statement #2 of policy/p denies s3:*, ec2:* on {S3}a, {S3}b"
    two = {"Effect": "Deny", "NotAction": ["s3:*", "ec2:*"], "Resource": "*"}
    got = coverage(parse_policy(arn("policy", "p"), doc(allow("*"), two)).statements, None)
    assert got.describe() == "statement #2 of policy/p denies every action but s3:*, ec2:*"
    assert coverage((), None).describe() == "no statement allows every action on every resource"


def test_a_group_member_in_another_partition() -> None:
    """The member judged for a group lives in the group's partition and account: a group policy
    of ``aws-cn`` that lets members write their own user policy makes them administrators."""
    group = "arn:aws-cn:iam::123456789012:group/devs"
    member = member_of(group, ACCOUNT)
    assert member.arn == f"arn:aws-cn:iam::{ACCOUNT}:user/(member)"
    own = "arn:aws-cn:iam::${aws:PrincipalAccount}:user/${aws:username}"
    pol = parse_policy(f"{group}#inline/self", doc(allow("iam:PutUserPolicy", own)), "inline")
    verdict = admin(Access(member, (Attachment(pol, group),), None, (group,)))
    assert verdict.is_admin, verdict.why
    assert verdict.route == "self-grant"
    # The member is nobody else: not a user of the aws partition, not a role.
    assert not allows(
        Access(member, (Attachment(pol, group),)), "iam:PutUserPolicy", arn("user", "(member)")
    ).allowed


def test_labels_name_the_group_a_statement_comes_through() -> None:
    """``(via group ops)``: the group's name, without its path; nothing for the principal's own
    policies, for a group's inline policy (its id names the group) or for the boundary."""
    me = arn("user", "alice")
    who = Identity(me, "user", "alice", ACCOUNT)
    ops = arn("group", "team/ops")
    mine = parse_policy(arn("policy", "mine"), doc(allow("s3:*", sid="Mine")))
    shared = parse_policy(arn("policy", "shared"), doc(allow("ec2:*", sid="Shared")))
    inline = parse_policy(f"{ops}#inline/i", doc(allow("sqs:*", sid="Inline")), "inline")
    bound = parse_policy(arn("policy", "b"), doc(allow("*", sid="Bound")))
    acc = Access(
        who,
        (Attachment(mine, me), Attachment(shared, ops), Attachment(inline, ops)),
        bound,
        (ops,),
    )
    assert acc.label(shared.statements[0]) == "statement 'Shared' of policy/shared (via group ops)"
    assert acc.label(mine.statements[0]) == "statement 'Mine' of policy/mine"
    assert acc.label(inline.statements[0]) == "statement 'Inline' of group/ops#inline/i"
    assert acc.label(bound.statements[0]) == "statement 'Bound' of policy/b"
    d = allows(acc, "ec2:RunInstances", "*")
    assert d.grant is not None
    assert acc.label(d.grant).endswith("(via group ops)")


@pytest.mark.parametrize(
    ("resource", "allowed"),
    [
        # Out of reach of an identity policy, an IAM resource of another account counts as one's
        # own when the account segment may be one's own account
        # (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html).
        ("arn:aws:iam::*:user/alice", False),
        (f"arn:aws:iam::{ACCOUNT[:-1]}?:user/alice", False),
        (USER_ALICE, False),
        # Another account's alice, or another user of one's own account: a write over others.
        ("arn:aws:iam::210987654321:user/alice", True),
        ("arn:aws:iam::*:user/bob", True),
        ("arn:aws:iam::*:user/a*", True),
        ("*", True),
    ],
)
def test_allows_any_over_others(resource: str, allowed: bool) -> None:
    acc = access(doc(allow("iam:PutUserPolicy", resource)))
    got = allows_any(acc, "iam:PutUserPolicy", frozenset({USER_ALICE}))
    assert got.allowed is allowed, got.why


# --- every field of a decision, on each path ---------------------------------------------------


def _sts(*docs: dict[str, Any], boundary: dict[str, Any] | None = None) -> Any:
    """(access, its statements by Sid) for the given documents."""
    acc = access(*docs, boundary=boundary)
    pols = [*acc.policies(), *([acc.boundary] if acc.boundary else [])]
    return acc, {st.sid: st for p in pols for st in p.statements}


def test_allows_decisions_in_full() -> None:
    obj = S3 + "b/k"
    maybe = deny("s3:*", Condition=MFA, sid="Maybe")
    acc, st = _sts(
        doc(allow("s3:*", sid="A"), allow("s3:*", sid="A2"), maybe, deny("s3:Put*", sid="D"))
    )
    # The first unconditioned Allow is the grant; a later one does not replace it.
    assert allows(acc, "s3:GetObject", obj) == Decision(
        True, "s3:GetObject", obj, st["A"], unsure=(st["Maybe"],)
    )
    assert allows(acc, "s3:PutObject", obj) == Decision(
        False, "s3:PutObject", obj, st["A"], None, st["D"], unsure=(st["Maybe"],)
    )
    acc, st = _sts(doc(allow("ec2:*"), maybe))
    assert allows(acc, "s3:GetObject", obj) == Decision(
        False, "s3:GetObject", obj, unsure=(st["Maybe"],)
    )
    fence = doc(
        allow("s3:Get*", sid="B"),
        deny("s3:GetObject", Condition=MFA, sid="BMaybe"),
        deny("s3:GetBucketPolicy", sid="BD"),
    )
    acc, st = _sts(doc(allow("s3:*", sid="A"), maybe), boundary=fence)
    unsure = (st["Maybe"], st["BMaybe"])
    assert allows(acc, "s3:GetObject", obj) == Decision(
        True, "s3:GetObject", obj, st["A"], st["B"], None, False, unsure
    )
    assert allows(acc, "s3:GetBucketPolicy", S3 + "b") == Decision(
        False, "s3:GetBucketPolicy", S3 + "b", st["A"], None, st["BD"], unsure=(st["Maybe"],)
    )
    assert allows(acc, "s3:PutObject", obj) == Decision(
        False, "s3:PutObject", obj, st["A"], unsure=(st["Maybe"],), boundary_blocks=True
    )


def test_allows_any_decisions_in_full() -> None:
    acc, st = _sts(doc(allow("s3:*", S3 + "a/*", "A")), boundary=doc(allow("s3:*", S3 + "*", "B")))
    assert allows_any(acc, "s3:GetObject") == Decision(True, "s3:GetObject", "*", st["A"], st["B"])
    acc, st = _sts(doc(allow("s3:*", S3 + "a/*", "A")), boundary=doc(allow("s3:*", S3 + "b/*")))
    assert allows_any(acc, "s3:GetObject") == Decision(
        False, "s3:GetObject", "*", st["A"], boundary_blocks=True
    )


# --- policy variables resolved for the principal, not for "anyone" ------------------------------

OWN_USER = "arn:aws:iam::*:user/${aws:username}"
HOME = S3 + "home/${aws:username}/*"


KEY = "iam:CreateAccessKey"


@pytest.mark.parametrize(
    ("docs", "boundary", "action", "kind", "allowed", "conditioned"),
    [
        # A Deny of one's own user by a variable covers an Allow of it, literal or not.
        (
            (doc(allow(KEY, USER_ALICE)), doc(deny("iam:*", OWN_USER))),
            None,
            KEY,
            "user",
            False,
            None,
        ),
        (
            (doc(allow(KEY, OWN_USER)), doc(deny("iam:*", "arn:aws:iam::*:user/alice"))),
            None,
            KEY,
            "user",
            False,
            None,
        ),
        # The Allow of one's own user resolves to alice: no unknown value, not conditioned.
        ((OWN_CREDENTIALS,), None, KEY, "user", True, False),
        # The boundary's home is alice's, which the identity's home of bob never meets...
        (
            (doc(allow("s3:*", S3 + "home/bob/*")),),
            doc(allow("s3:*", HOME)),
            "s3:GetObject",
            "user",
            False,
            None,
        ),
        (
            (doc(allow("s3:*", HOME)),),
            doc(allow("s3:*", S3 + "home/bob/*")),
            "s3:GetObject",
            "user",
            False,
            None,
        ),
        # ... and meets alice's own, without an unknown value.
        (
            (doc(allow("s3:*", S3 + "home/alice/*")),),
            doc(allow("s3:*", HOME)),
            "s3:GetObject",
            "user",
            True,
            False,
        ),
        # A boundary Deny of one's own user leaves the boundary nothing for it.
        (
            (doc(allow(KEY, USER_ALICE)),),
            doc(allow("iam:*", USER_ALICE), deny("iam:*", OWN_USER)),
            KEY,
            "user",
            False,
            None,
        ),
        # An entry that resolves to nothing (a role has no user name) does not end the search.
        (
            (doc(allow("s3:*", HOME), allow("s3:*", S3 + "b/*")),),
            None,
            "s3:GetObject",
            "role",
            True,
            False,
        ),
    ],
)
def test_allows_any_resolves_variables_for_the_principal(
    docs: tuple[dict[str, Any], ...],
    boundary: dict[str, Any] | None,
    action: str,
    kind: Kind,
    allowed: bool,
    conditioned: bool | None,
) -> None:
    got = allows_any(access(*docs, kind=kind, boundary=boundary), action)
    assert got.allowed is allowed, got.why
    if conditioned is not None:
        assert got.conditioned is conditioned, got.why


@pytest.mark.parametrize(
    ("statement", "resource", "conditioned"),
    [
        # A literal entry is sure, whatever an unknown entry beside it widens to.
        (allow("s3:*", ["${aws:PrincipalTag/team}", S3 + "b/k"]), S3 + "b/k", False),
        (allow("s3:*", ["${aws:PrincipalTag/team}", S3 + "b/k"]), S3 + "c/k", True),
        # A default does not stand in for an unknown value (only for an absent one).
        (allow("s3:*", S3 + "b/${aws:PrincipalTag/team, 'none'}/*"), S3 + "b/red/k", True),
        # NotResource: an unknown entry dropped, then an absent one: still rests on the unknown.
        (
            {
                "Effect": "Allow",
                "Action": "s3:*",
                "NotResource": [S3 + "${aws:PrincipalTag/t}", HOME],
            },
            S3 + "b/k",
            True,
        ),
    ],
)
def test_which_grants_rest_on_unknown_values(
    statement: dict[str, Any], resource: str, conditioned: bool
) -> None:
    got = allows(access(doc(statement), kind="role", name="r"), "s3:GetObject", resource)
    assert got.allowed, got.why
    assert got.conditioned is conditioned, got.why


def test_a_default_keeps_its_text() -> None:
    """Only the quotes around a default are removed."""
    acc = access(doc(allow("s3:*", S3 + "${aws:username, 'X-ray'}")), kind="role", name="r")
    assert allows(acc, "s3:GetObject", S3 + "X-ray").allowed


@pytest.mark.parametrize(
    ("deny_st", "allowed"),
    [
        (deny("s3:*", "arn:*"), False),  # every ARN
        # S3 keys may hold ':'; a '*' inside a segment does not match across it.
        ({"Effect": "Deny", "Action": "s3:*", "NotResource": S3 + "a:b"}, False),
    ],
)
def test_deny_coverage_edges(deny_st: dict[str, Any], allowed: bool) -> None:
    acc = access(doc(allow("s3:*", S3 + "a*b")), doc(deny_st))
    assert allows_any(acc, "s3:GetObject").allowed is allowed


def test_boundary_within_a_segment() -> None:
    """The boundary's ``a:b`` and the identity's ``a*b`` (a star that stays in its segment)
    never meet (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html)."""
    acc = access(doc(allow("s3:*", S3 + "a*b")), boundary=doc(allow("s3:*", S3 + "a:b")))
    assert not allows_any(acc, "s3:GetObject").allowed


# --- every action on every resource: coverage and the verdict's fields -----------------------


def _coverage(*statements: dict[str, Any], who: Identity | None = None) -> Any:
    return coverage(parse_policy(arn("policy", "p"), doc(*statements)).statements, who)


ALICE = Identity(USER_ALICE, "user", "alice", ACCOUNT)
ROLE_R = Identity(arn("role", "r"), "role", "r", ACCOUNT)
NOT_OWN_USER = {"Effect": "Allow", "Action": "*", "NotResource": OWN_USER}


@pytest.mark.parametrize(
    ("statements", "who", "everything", "conditioned", "why"),
    [
        # A conditioned Deny or one that names no action takes nothing away, wherever it is.
        ((deny(Condition=MFA), allow(sid="All")), None, True, False, "'All'"),
        (({"Effect": "Deny", "NotAction": "*", "Resource": "*"}, allow()), None, True, False, ""),
        # A Deny on NotResource [] denies everything; on NotResource "*" nothing.
        (
            (allow(), {"Effect": "Deny", "Action": "s3:*", "NotResource": []}),
            None,
            False,
            False,
            "denies s3:* on all but ",
        ),
        (
            (allow(), {"Effect": "Deny", "Action": "s3:*", "NotResource": "*"}),
            None,
            True,
            False,
            "",
        ),
        # A Deny of one's own home is a Deny (resolved for alice, not dropped as unknown).
        ((allow(), deny("s3:*", HOME)), ALICE, False, False, "denies s3:*"),
        # ${aws:PrincipalArn} is the principal's own ARN, not every resource.
        ((allow("*", "${aws:PrincipalArn}"),), ALICE, False, False, "no statement"),
        # For a role, NotResource of its (absent) user name excludes nothing: not a guess.
        ((NOT_OWN_USER,), ROLE_R, True, False, ""),
        (
            ({**NOT_OWN_USER, "Action": None, "NotAction": "iam:*"}, allow("iam:*")),
            ROLE_R,
            True,
            False,
            "",
        ),
        # An unknown tag widened to every resource is a guess, helped or not.
        (
            (
                {"Effect": "Allow", "NotAction": "iam:*", "Resource": "${aws:PrincipalTag/x}"},
                allow("iam:*"),
            ),
            ALICE,
            True,
            True,
            "",
        ),
        # The exclusions of a NotAction are covered by a conditioned Allow: conditioned.
        (
            (
                {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*", "Sid": "N"},
                allow("iam:*", Condition=MFA),
            ),
            None,
            True,
            True,
            "statement 'N' of policy/p allows every action on every resource",
        ),
        # Every exclusion must be covered, not only the first.
        (
            ({"Effect": "Allow", "NotAction": ["iam:*", "s3:*"], "Resource": "*"}, allow("iam:*")),
            None,
            False,
            False,
            "allows every action except s3:*",
        ),
        (
            (
                {"Effect": "Allow", "NotAction": ["iam:*", "s3:*"], "Resource": "*"},
                {"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"},
            ),
            None,
            False,
            False,
            "except s3:*",
        ),
        # Two grants leaving out as much: the first is named.
        (
            (
                {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
                {"Effect": "Allow", "NotAction": "iam:Get*", "Resource": "*"},
            ),
            None,
            False,
            False,
            "statement #1 of policy/p allows every action except iam:*",
        ),
    ],
)
def test_coverage_cases(
    statements: tuple[dict[str, Any], ...],
    who: Identity | None,
    everything: bool,
    conditioned: bool,
    why: str,
) -> None:
    sts = [{k: v for k, v in st.items() if v is not None} for st in statements]
    got = _coverage(*sts, who=who)
    assert got.everything is everything, got.describe()
    if everything:
        assert got.conditioned is conditioned, got.describe()
    assert why in got.describe()


def test_no_grants_cover_nothing() -> None:
    assert coverage((), None).everything is False
    assert _coverage(deny()).everything is False


GUARD = ["iam:PutUserPolicy", "iam:DeleteUserPolicy", "iam:DeleteUserPermissionsBoundary"]
GUARD += ["iam:PutUserPermissionsBoundary"]


@pytest.mark.parametrize(
    ("docs", "boundary", "kind", "is_admin", "why", "conditioned"),
    [
        # Unconditioned: the verdict says so exactly, with no note.
        (
            (ADMIN,),
            None,
            "user",
            True,
            "statement 'Admin' of policy/p0 allows every action on every resource",
            False,
        ),
        # A conditioned boundary makes the verdict conditioned.
        ((ADMIN,), doc(allow(Condition=MFA)), "user", True, "every resource (conditioned)", True),
        # NotResource of a role's absent user name: every resource, and no guess.
        ((doc(NOT_OWN_USER),), None, "role", True, "", False),
        ((ADMIN,), doc(NOT_OWN_USER), "role", True, "", False),
        # Wildcards around an unknown value: it may resolve to every resource.
        ((doc(allow("*", "*${aws:PrincipalTag/x}*")),), None, "user", True, "", True),
        ((doc(allow("*", "?${aws:PrincipalTag/x}")),), None, "user", True, "", True),
        (
            (doc(allow("iam:AttachUserPolicy", OWN_USER)),),
            doc(allow(), deny(["s3:*", *GUARD], [HOME, OWN_USER])),
            "user",
            False,
            "",
            False,
        ),
    ],
)
def test_admin_verdicts_resolve_for_the_principal(
    docs: tuple[dict[str, Any], ...],
    boundary: dict[str, Any] | None,
    kind: Kind,
    is_admin: bool,
    why: str,
    conditioned: bool,
) -> None:
    verdict = admin(access(*docs, kind=kind, boundary=boundary))
    assert verdict.is_admin is is_admin, verdict.why
    assert why in verdict.why
    if why.startswith("statement"):
        assert verdict.why == why
    assert verdict.conditioned is conditioned
    if is_admin:
        assert verdict.route == "every-action", verdict.why


def test_a_guard_of_ones_own_resources_it_may_not_remove() -> None:
    """Attaching any policy to itself gives alice all but her own home and user, which an
    inline Deny she may not delete or rewrite keeps: not a full administrator."""
    attach = parse_policy(arn("policy", "attach"), doc(allow("iam:AttachUserPolicy", OWN_USER)))
    guard = parse_policy(
        f"{USER_ALICE}#inline/guard", doc(deny(["s3:*", *GUARD], [HOME, OWN_USER])), "inline"
    )
    acc = Access(ALICE, (Attachment(attach, USER_ALICE), Attachment(guard, USER_ALICE)))
    verdict = admin(acc)
    assert not verdict.is_admin, verdict.why


def test_admin_verdict_fields() -> None:
    # Self-grant: the write that does it is the grant, and each step is named.
    acc, st = _sts(
        doc(allow(["iam:PutUserPolicy", "iam:DeleteUserPermissionsBoundary"], USER_ALICE, "W")),
        boundary=doc(allow("iam:*")),
    )
    verdict = admin(acc)
    assert verdict.is_admin, verdict.why
    assert verdict.grant is st["W"]
    assert verdict.why == (
        f"may grant itself anything: iam:PutUserPolicy on {USER_ALICE} is allowed by statement 'W' "
        f"of policy/p0; iam:DeleteUserPermissionsBoundary on {USER_ALICE} is allowed by statement "
        "'W' of policy/p0"
    )
    # Not every action: the grant that comes closest, and what it leaves out; the boundary
    # is not mentioned when the identity policies already fall short.
    acc, st = _sts(doc({**NOT_IAM, "Sid": "N"}), boundary=doc(allow()))
    verdict = admin(acc)
    assert (verdict.is_admin, verdict.grant, verdict.excluded) == (False, st["N"], ("iam:*",))
    assert verdict.why == "statement 'N' of policy/p0 allows every action except iam:*"
    # Everything, but the boundary falls short: said so, with what the boundary leaves out.
    acc, st = _sts(doc(allow(sid="A")), boundary=doc({**NOT_IAM, "Sid": "B"}))
    verdict = admin(acc)
    assert (verdict.is_admin, verdict.grant, verdict.excluded) == (False, st["A"], ("iam:*",))
    assert verdict.why == (
        "statement 'A' of policy/p0 allows every action on every resource, but the permissions "
        "boundary limits it: statement 'B' of policy/boundary allows every action except iam:*"
    )


def test_policy_level_near_misses() -> None:
    # Writing any group's policy makes no administrator of a holder that is in no group.
    groups_only = parse_policy(arn("policy", "g"), doc(allow("iam:PutGroupPolicy")))
    holders = [
        (Identity(arn("user", "(h)"), "user", "(h)", ACCOUNT), arn("user", "(h)")),
        (Identity(arn("role", "(h)"), "role", "(h)", ACCOUNT), arn("role", "(h)")),
    ]
    assert not policy_grants_admin(groups_only, holders).is_admin
    # Statements before the one that allows every role do not hide it.
    after_deny = parse_policy(
        arn("policy", "a"), doc(deny("sts:AssumeRole", arn("role", "x")), allow("sts:AssumeRole"))
    )
    assert assume_any(after_deny)
    after_scoped = parse_policy(
        arn("policy", "b"), doc(allow("sts:AssumeRole", arn("role", "x")), allow("sts:AssumeRole"))
    )
    assert [st.index for st in assume_any(after_scoped)] == [1]
    # A variable in the role ARN: unknown for "any holder", so it may name every role.
    tagged = parse_policy(
        arn("policy", "t"),
        doc(allow("sts:AssumeRole", "arn:aws:iam::*:role/${aws:PrincipalTag/r}")),
    )
    assert assume_any(tagged)


def test_self_grant_steps_are_only_those_taken() -> None:
    """No boundary: nothing to remove, and the verdict names the one write."""
    role = arn("role", "alice")
    verdict = admin(access(doc(allow("iam:PutRolePolicy", role, "W")), kind="role"))
    assert verdict.why == (
        f"may grant itself anything: iam:PutRolePolicy on {role} is allowed by statement 'W' "
        "of policy/p0"
    )


@pytest.mark.parametrize("via_group", [False, True])
def test_removing_a_guard_under_a_grant_on_every_arn(via_group: bool) -> None:
    """``arn:*`` is every resource as ``*`` is: a managed guard the user may rewrite (a new
    version), or a group guard it may leave, takes nothing away for good."""
    me, group = USER_ALICE, arn("group", "guarded")
    grant = parse_policy(f"{me}#inline/all", doc(allow("*", "arn:*")), "inline")
    writes = ["iam:Put*", "iam:Attach*", "iam:Detach*", "iam:Delete*"]
    if via_group:
        guard = parse_policy(f"{group}#inline/guard", doc(deny(writes)), "inline")
        acc = Access(ALICE, (Attachment(grant, me), Attachment(guard, group)), None, (group,))
        step = f"iam:RemoveUserFromGroup on {group}"
    else:
        guard = parse_policy(arn("policy", "guard"), doc(deny(writes)))
        acc = Access(ALICE, (Attachment(grant, me), Attachment(guard, me)))
        step = f"iam:CreatePolicyVersion on {arn('policy', 'guard')}"
    verdict = admin(acc)
    assert verdict.is_admin, verdict.why
    assert step in verdict.why


def test_a_policy_whose_holder_may_detach_it() -> None:
    """A holder of "everything but S3" may write itself a policy and detach this one."""
    pol = parse_policy(arn("policy", "most"), doc(allow("*", "arn:*"), deny("s3:*")))
    holders = [(ALICE, USER_ALICE), (ROLE_R, ROLE_R.arn)]
    verdict = policy_grants_admin(pol, holders)
    assert verdict.is_admin, verdict.why
    assert f"iam:DetachUserPolicy on {USER_ALICE}" in verdict.why
