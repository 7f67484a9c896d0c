"""The policy language: table-driven, one small document per row (parliament's style)."""

from __future__ import annotations

import pytest

from iamgate.policy.access import admin_grants, admin_revoked_by, allowed
from iamgate.policy.document import PolicyFormatError, statements
from iamgate.policy.wildcard import matches


def doc(*sts: dict[str, object]) -> dict[str, object]:
    return {"Version": "2012-10-17", "Statement": list(sts)}


ALLOW_ALL = {"Effect": "Allow", "Action": "*", "Resource": "*"}


@pytest.mark.parametrize(
    ("document", "is_admin"),
    [
        (doc(ALLOW_ALL), True),
        (doc({"Effect": "Allow", "Action": ["*"], "Resource": ["*"]}), True),
        (doc({"Effect": "Allow", "Action": "*:*", "Resource": "*"}), True),
        ({"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}, True),
        (doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}), True),
        (doc({"Effect": "Allow", "Action": "iam:*", "Resource": "*"}), False),
        (doc({"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::bucket/*"}), False),
        (doc({"Effect": "Deny", "Action": "*", "Resource": "*"}), False),
        (doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}), False),
    ],
)
def test_admin_grants(document: dict[str, object], is_admin: bool) -> None:
    assert bool(admin_grants(statements(document))) is is_admin


@pytest.mark.parametrize(
    ("deny", "revokes"),
    [
        ({"Effect": "Deny", "Action": "*", "Resource": "*"}, True),
        ({"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"Bool": {}}}, False),
        ({"Effect": "Deny", "Action": "iam:*", "Resource": "*"}, False),
        ({"Effect": "Deny", "Action": "*", "Resource": "arn:aws:s3:::x"}, False),
    ],
)
def test_deny_revokes_admin_only_when_unconditional_and_total(
    deny: dict[str, object], revokes: bool
) -> None:
    sts = statements(doc(ALLOW_ALL, deny))
    assert (admin_revoked_by(sts) is not None) is revokes


@pytest.mark.parametrize(
    ("glob", "action", "expected"),
    [
        ("iam:*", "iam:CreateUser", True),
        ("IAM:createuser", "iam:CreateUser", True),
        ("iam:*Policy*", "iam:CreatePolicyVersion", True),
        ("iam:*Policy*", "iam:CreateUser", False),
        ("iam:Get?", "iam:GetX", True),
        ("s3:*", "iam:CreateUser", False),
    ],
)
def test_action_matching(glob: str, action: str, expected: bool) -> None:
    assert matches(glob, action) is expected


def test_allowed_names_the_statement_and_respects_unconditional_deny() -> None:
    sts = statements(
        doc({"Sid": "Esc", "Effect": "Allow", "Action": "iam:*", "Resource": "*"}), "p"
    )
    grant = allowed(sts, "iam:CreatePolicyVersion")
    assert grant is not None
    assert grant.statement.sid == "Esc"
    denied = statements(
        doc(
            {"Effect": "Allow", "Action": "iam:*", "Resource": "*"},
            {"Effect": "Deny", "Action": "iam:Create*", "Resource": "*"},
        )
    )
    assert allowed(denied, "iam:CreatePolicyVersion") is None
    conditional = statements(
        doc(
            {"Effect": "Allow", "Action": "iam:*", "Resource": "*"},
            {"Effect": "Deny", "Action": "iam:*", "Resource": "*", "Condition": {"x": {}}},
        )
    )
    assert allowed(conditional, "iam:CreateUser") is not None


def test_not_action_allows_everything_else() -> None:
    sts = statements(doc({"Effect": "Allow", "NotAction": ["iam:*"], "Resource": "*"}))
    assert allowed(sts, "s3:GetObject") is not None
    assert allowed(sts, "iam:CreateUser") is None


@pytest.mark.parametrize(
    "bad",
    [
        "not json",
        {"Statement": "x"},
        {"Version": "2012-10-17"},
        doc({"Effect": "Maybe", "Action": "*", "Resource": "*"}),
        doc({"Effect": "Allow", "Action": 3, "Resource": "*"}),
    ],
)
def test_malformed_documents_raise(bad: object) -> None:
    with pytest.raises(PolicyFormatError):
        statements(bad)  # type: ignore[arg-type]
