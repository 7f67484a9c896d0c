"""Parsing policy documents: one small document per row (parliament's style). What the parsed
statements allow is tested in test_evaluate.py."""

from __future__ import annotations

from urllib.parse import quote

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


ALLOW = {"Effect": "Allow", "Action": "*", "Resource": "*"}
LIST = "must be a string or a list of strings"


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        # The message reaches the report ("not evaluated: malformed policy in snapshot: ..."),
        # so it names the statement and the field at fault.
        ("not json", "policy document is not JSON: Expecting value"),
        ("[" * 100_000, "policy document is nested too deeply"),
        ("[]", "policy document is not a JSON object"),
        ({"Statement": "x"}, "Statement must be an object or a list"),
        ({"Version": "2012-10-17"}, "policy document has no Statement"),
        ({"iamgate:unparsed": "{not json"}, "policy document could not be read: '{not json'"),
        (doc("not an object"), "statement #1 is not an object"),
        (doc({**ALLOW, "Effect": "Maybe"}), "statement #1: Effect must be Allow or Deny"),
        (doc(ALLOW, {**ALLOW, "Effect": "allow"}), "statement #2: Effect must be Allow or Deny"),
        (doc({**ALLOW, "Action": 3}), f"Action {LIST}"),
        (doc({"Effect": "Allow", "NotAction": [1], "Resource": "*"}), f"NotAction {LIST}"),
        (doc({**ALLOW, "Resource": {"a": 1}}), f"Resource {LIST}"),
        (doc({"Effect": "Allow", "Action": "*", "NotResource": 2}), f"NotResource {LIST}"),
        (
            doc({**ALLOW, "NotAction": "iam:*"}),
            "statement #1: needs exactly one of Action and NotAction",
        ),
        (
            doc({"Effect": "Allow", "Resource": "*"}),
            "statement #1: needs exactly one of Action and NotAction",
        ),
        (
            doc({"Effect": "Allow", "Action": "*"}),
            "statement #1: needs exactly one of Resource and NotResource",
        ),
        (
            doc({**ALLOW, "NotResource": "x"}),
            "statement #1: needs exactly one of Resource and NotResource",
        ),
        (doc({**ALLOW, "Condition": "x"}), "statement #1: Condition must be an object"),
    ],
)
def test_malformed_documents_raise(bad: object, message: str) -> None:
    with pytest.raises(PolicyFormatError) as raised:
        statements(bad)  # type: ignore[arg-type]
    assert str(raised.value) == message


def test_json_text_is_not_url_decoded() -> None:
    """AWS returns policy documents URL-encoded; JSON text (even after blanks) is taken as it is,
    so a ``%`` in it stays a ``%``."""
    text = (
        ' \n{"Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::a%41"}}'
    )
    (st,) = statements(text)
    assert st.resources == ("arn:aws:s3:::a%41",)
    (encoded,) = statements(quote(text.strip()))
    assert encoded.resources == ("arn:aws:s3:::a%41",)


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
        ("arn:aws:iam::1:user/a/b/ci", "user/ci"),
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
        # Allow + NotAction allows every action of every service it does not name (issue 20).
        (doc({"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"}), ["NotAction [s3:*]"]),
        (doc({"Effect": "Allow", "NotAction": "*", "Resource": "*"}), []),  # names no action
        (
            doc(
                {"Effect": "Deny", "Action": "ec2:*", "Resource": "*"},
                {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
                {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
            ),
            ["NotAction [iam:*]", "s3:*"],
        ),
        # Every action, but on one bucket only: not an administrator, still every action of s3.
        (doc({"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::b/*"}), ["*"]),
    ],
)
def test_service_wildcards(document: dict[str, object], found: list[str]) -> None:
    assert [a for a, _ in service_wildcards(statements(document))] == found


# The shortest action names AWS documents have three letters (apigateway:GET): s3:???* still
# matches every action of s3, s3:????* does not.
@pytest.mark.parametrize(
    "action", ["s3:*", "S3:**", "s3:*?*", "s3:?*", "s3:???*", "s3*", "s*:*", "?3:*", "*3:*"]
)
def test_every_spelling_of_a_whole_service(action: str) -> None:
    """Judged by what the pattern matches: each of these matches every action of s3."""
    found = service_wildcards(
        statements(doc({"Effect": "Allow", "Action": action, "Resource": "*"}))
    )
    assert [a for a, _ in found] == [action]


def test_describe_plain_statements() -> None:
    (st,) = statements(doc({"Effect": "Deny", "Action": ["s3:*", "ec2:*"], "Resource": ["a", "b"]}))
    assert st.describe() == "Deny s3:*, ec2:* on a, b"


@pytest.mark.parametrize("action", ["*", "*:*", "**", "s3:", ":*", "s3:Get*", "s3:????*", "s3:?"])
def test_not_a_service_wildcard(action: str) -> None:
    assert (
        service_wildcards(statements(doc({"Effect": "Allow", "Action": action, "Resource": "*"})))
        == []
    )


@pytest.mark.parametrize(
    ("policy_id", "kind"),
    [
        ("arn:aws:iam::aws:policy/AdministratorAccess", "aws-managed"),
        ("arn:aws-cn:iam::aws:policy/job-function/ViewOnlyAccess", "aws-managed"),
        ("arn:aws:iam::123456789012:policy/deploy", "managed"),
        ("arn:aws:iam::123456789012:user/ci#inline/deploy", "inline"),
        ("arn:aws:iam::123456789012:group/ops#inline/p", "inline"),
    ],
)
def test_policy_kind_from_its_id(policy_id: str, kind: str) -> None:
    assert (
        parse_policy(policy_id, doc({"Effect": "Allow", "Action": "*", "Resource": "*"})).kind
        == kind
    )


def test_a_statement_of_no_policy_is_labelled_by_its_place() -> None:
    (_, second) = statements(doc(*[{"Effect": "Allow", "Action": "*", "Resource": "*"}] * 2))
    assert second.label == "statement #2"
