"""Effective access: one small document per row, and the access or paths it should give."""

from __future__ import annotations

from typing import Any

import pytest

from iamgate.checks.privilege import open_paths
from iamgate.policy.access import Access, service_wildcards
from iamgate.policy.document import statements
from iamgate.policy.principals import Decisions, Effective


def doc(*sts: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(sts)}


def allow(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


COND = {"Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}}


@pytest.mark.parametrize(
    ("identity", "boundary", "action", "expected"),
    [
        # wildcards in the middle, and case
        (doc(allow("iam:*Policy*")), None, "iam:CreatePolicyVersion", True),
        (doc(allow("iam:*Policy*")), None, "iam:CreateUser", False),
        (doc(allow("IAM:createPOLICYversion")), None, "iam:CreatePolicyVersion", True),
        (doc(allow("iam:Create?olicyVersion")), None, "iam:CreatePolicyVersion", True),
        # NotAction grants everything else
        (doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}), None, "s3:Get", True),
        (doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}), None, "iam:X", False),
        # an unconditional Deny wins; a conditional one never removes a grant
        (doc(allow("iam:*"), deny("iam:Create*")), None, "iam:CreateAccessKey", False),
        (doc(allow("iam:*"), deny("iam:*", **COND)), None, "iam:CreateAccessKey", True),
        # a Deny scoped to some resources, or sparing some (NotResource), may not apply
        (doc(allow("iam:*"), deny("iam:*", "arn:aws:iam::1:user/x")), None, "iam:PassRole", True),
        (
            doc(allow("iam:*"), {"Effect": "Deny", "Action": "iam:*", "NotResource": "arn:x"}),
            None,
            "iam:PassRole",
            True,
        ),
        # a Deny with NotAction denies everything but the listed actions
        (
            doc(allow("*"), {"Effect": "Deny", "NotAction": "s3:*", "Resource": "*"}),
            None,
            "iam:PassRole",
            False,
        ),
        # Allow on some resources still counts (the resource may be the principal itself)
        (doc(allow("iam:PassRole", "arn:aws:iam::1:role/r")), None, "iam:PassRole", True),
        (doc(allow("iam:*", NotResource="arn:x") | {"Resource": None}), None, "iam:X", True),
        # the permissions boundary limits what is granted
        (doc(allow("*")), doc(allow("s3:*")), "iam:CreateUser", False),
        (doc(allow("*")), doc(allow("s3:*")), "s3:GetObject", True),
        (doc(allow("s3:GetObject")), doc(allow("*")), "s3:PutObject", False),
        (doc(allow("*")), doc(allow("*"), deny("iam:*")), "iam:CreateUser", False),
    ],
)
def test_effective_action(
    identity: dict[str, Any], boundary: dict[str, Any] | None, action: str, expected: bool
) -> None:
    identity = {**identity, "Statement": [_clean(s) for s in identity["Statement"]]}
    access = Access(statements(identity), statements(boundary) if boundary else None)
    assert (access.allows(action) is not None) is expected
    # The per-policy fast path gives the same answer, with each statement in a policy of its
    # own (so Allow and Deny come from different policies) and all in one policy.
    split = tuple(
        st for i, one in enumerate(identity["Statement"]) for st in statements(doc(one), f"p{i}")
    )
    for sts in (split, statements(identity, "one")):
        eff = Effective(Access(sts, access.boundary), boundary_arn="b" if boundary else "")
        assert (Decisions().allows(eff, action) is not None) is expected


def _clean(st: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in st.items() if v is not None}


@pytest.mark.parametrize(
    ("identity", "boundary", "is_admin"),
    [
        (doc(allow("*")), None, True),
        (doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}), None, True),
        (doc(allow("*"), deny("*")), None, False),
        (doc(allow("*"), deny("*", **COND)), None, True),
        (doc(allow("*")), doc(allow("s3:*")), False),
        (doc(allow("*")), doc(allow("*")), True),
        (doc(allow("iam:*")), None, False),
    ],
)
def test_admin(identity: dict[str, Any], boundary: dict[str, Any] | None, is_admin: bool) -> None:
    access = Access(statements(identity), statements(boundary) if boundary else None)
    assert access.admin()[0] is is_admin


@pytest.mark.parametrize(
    ("document", "paths"),
    [
        (doc(allow("iam:CreatePolicyVersion")), {"create-policy-version"}),
        (doc(allow(["iam:PassRole", "lambda:CreateFunction"])), set()),
        (
            doc(allow(["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"])),
            {"passrole-lambda"},
        ),
        (doc(allow(["iam:PassRole", "ec2:RunInstances"])), {"passrole-ec2"}),
        (doc(allow("iam:UpdateAssumeRolePolicy")), set()),  # needs sts:AssumeRole too
        (
            doc(allow(["iam:UpdateAssumeRolePolicy", "sts:AssumeRole"])),
            {"update-assume-role-policy"},
        ),
        (doc(allow("s3:*"), allow("ec2:Describe*")), set()),
        (doc(allow("iam:Attach*Policy")), {"attach-user-policy", "attach-group-policy"}),
        (doc(allow("iam:*Login*"), deny("iam:Update*")), {"create-login-profile"}),
    ],
)
def test_escalation_paths(document: dict[str, Any], paths: set[str]) -> None:
    found = {p.id for p, _ in open_paths(Access(statements(document, source="pol")))}
    assert found == paths


def test_escalation_names_the_granting_statement() -> None:
    sts = statements(doc(allow("iam:CreateAccessKey", Sid="Keys")), source="arn:p")
    [(path, grants)] = open_paths(Access(sts))
    assert path.id == "create-access-key"
    assert grants[0].statement.label == "statement 'Keys' of arn:p"


@pytest.mark.parametrize(
    ("document", "found"),
    [
        (doc(allow("s3:*")), ["s3:*"]),
        (doc(allow(["S3:*", "iam:Get*"])), ["S3:*"]),
        (doc(allow("*")), []),
        (doc(allow("iam:*Policy")), []),
        (doc(deny("s3:*")), []),
        (doc({"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"}), []),
    ],
)
def test_service_wildcards(document: dict[str, Any], found: list[str]) -> None:
    assert [a for a, _ in service_wildcards(statements(document))] == found
