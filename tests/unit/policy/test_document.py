"""Parsing policy documents: one small document per row (parliament's style). What the parsed
statements allow is tested in test_evaluate.py."""

from __future__ import annotations

import pytest

from iamgate.policy.document import (
    PolicyFormatError,
    parse_policy,
    service_wildcards,
    short_name,
    statements,
)
from iamgate.policy.wildcard import matches


def doc(*sts: dict[str, object]) -> dict[str, object]:
    return {"Version": "2012-10-17", "Statement": list(sts)}


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


@pytest.mark.parametrize(
    "bad",
    [
        "not json",
        {"Statement": "x"},
        {"Version": "2012-10-17"},
        doc({"Effect": "Maybe", "Action": "*", "Resource": "*"}),
        doc({"Effect": "Allow", "Action": 3, "Resource": "*"}),
        doc({"Effect": "Allow", "Action": "*", "NotAction": "iam:*", "Resource": "*"}),
        doc({"Effect": "Allow", "Resource": "*"}),
        doc({"Effect": "Allow", "Action": "*"}),
        doc({"Effect": "Allow", "Action": "*", "Resource": "*", "NotResource": "x"}),
        doc({"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": "x"}),
        doc("not an object"),
        {"iamgate:unparsed": "{not json"},
    ],
)
def test_malformed_documents_raise(bad: object) -> None:
    with pytest.raises(PolicyFormatError):
        statements(bad)  # type: ignore[arg-type]


def test_statements_keep_their_shape() -> None:
    st = statements(
        doc(
            {
                "Sid": "Mostly",
                "Effect": "Allow",
                "NotAction": ["iam:*"],
                "NotResource": "arn:aws:s3:::secret",
                "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
            }
        ),
        "arn:aws:iam::123456789012:policy/p",
    )[0]
    assert (st.not_action, st.not_resource, st.condition_keys) == (
        True,
        True,
        ("aws:multifactorauthpresent",),
    )
    assert st.label == "statement 'Mostly' of policy/p"
    assert st.describe() == "Allow NotAction [iam:*] on NotResource [arn:aws:s3:::secret]"
    assert st.covers_action("s3:GetObject")
    assert not st.covers_action("IAM:PassRole")
    assert not st.universal
    assert not st.all_actions


def test_universal_and_every_action() -> None:
    (star,) = statements(doc({"Effect": "Allow", "Action": "*:*", "Resource": ["arn:*"]}))
    assert star.all_actions
    assert star.universal
    (none,) = statements(doc({"Effect": "Deny", "NotAction": "*", "Resource": "*"}))
    assert none.no_action
    (every,) = statements(doc({"Effect": "Allow", "Action": "s3:*", "NotResource": []}))
    assert every.universal


def test_variables_only_in_the_2012_version() -> None:
    res = "arn:aws:iam::*:user/${aws:username}"
    (new,) = statements(doc({"Effect": "Allow", "Action": "iam:GetUser", "Resource": res}))
    (old,) = statements({"Version": "2008-10-17", "Statement": [{**new_statement(res)}]})
    assert new.has_variables
    assert not old.has_variables


def new_statement(resource: str) -> dict[str, object]:
    return {"Effect": "Allow", "Action": "iam:GetUser", "Resource": resource}


@pytest.mark.parametrize(
    ("arn", "short"),
    [
        ("arn:aws:iam::1:user/path/ci", "user/ci"),
        ("arn:aws:iam::1:role/deployer", "role/deployer"),
        ("arn:aws:iam::aws:policy/AdministratorAccess", "policy/AdministratorAccess (AWS managed)"),
        ("arn:aws:iam::1:user/ci#inline/deploy", "user/ci#inline/deploy"),
        ("arn:aws:iam::1:root", "root"),
        ("iamgate:any-policy", "iamgate:any-policy"),
    ],
)
def test_short_names(arn: str, short: str) -> None:
    assert short_name(arn) == short


def test_policy_caches_statements_per_action() -> None:
    policy = parse_policy(
        "arn:aws:iam::1:policy/p",
        doc(
            {"Effect": "Allow", "Action": "iam:*", "Resource": "*"},
            {"Effect": "Deny", "Action": "iam:Create*", "Resource": "*"},
        ),
    )
    assert [s.effect for s in policy.statements_for("IAM:CreateUser")] == ["Allow", "Deny"]
    assert policy.statements_for("iam:createuser") is policy.statements_for("iam:CreateUser")
    assert policy.allows_some("iam:PassRole")
    assert not policy.allows_some("s3:GetObject")
    assert policy.kind == "managed"
    assert [s.effect for s in policy.broad] == ["Allow", "Deny"]


@pytest.mark.parametrize(
    ("document", "found"),
    [
        (doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}), ["s3:*"]),
        (doc({"Effect": "Allow", "Action": ["S3:*", "iam:Get*"], "Resource": "*"}), ["S3:*"]),
        (doc({"Effect": "Allow", "Action": "*", "Resource": "*"}), []),
        (doc({"Effect": "Allow", "Action": "iam:*Policy", "Resource": "*"}), []),
        (doc({"Effect": "Deny", "Action": "s3:*", "Resource": "*"}), []),
        (doc({"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"}), []),
    ],
)
def test_service_wildcards(document: dict[str, object], found: list[str]) -> None:
    assert [a for a, _ in service_wildcards(statements(document))] == found


def test_describe_plain_statements() -> None:
    (st,) = statements(doc({"Effect": "Deny", "Action": ["s3:*", "ec2:*"], "Resource": ["a", "b"]}))
    assert st.describe() == "Deny s3:*, ec2:* on a, b"


@pytest.mark.parametrize("action", ["*", "*:*", "s*:*", "s3:", ":*", "s3:Get*"])
def test_not_a_service_wildcard(action: str) -> None:
    assert (
        service_wildcards(statements(doc({"Effect": "Allow", "Action": action, "Resource": "*"})))
        == []
    )
