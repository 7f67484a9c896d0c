"""Trust policies as parsed today (``policy/trust.py``): the default trust answer of the
escalation graph is built on them."""

from __future__ import annotations

from typing import Any

from iamgate.policy.trust import principal_account, trust_statements


def doc(*sts: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(sts)}


def test_trust_statements_normalize_principals_and_conditions() -> None:
    [star, aws] = trust_statements(
        doc(
            {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"},
            {
                "Effect": "Allow",
                "Principal": {"AWS": ["111122223333", "arn:aws:iam::444455556666:role/x"]},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"sts:ExternalId": "abc"}},
            },
            {"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole"},
        )
    )
    assert star.principals == {"AWS": ("*",)}
    assert not star.condition_keys
    assert aws.condition_keys == {"sts:externalid"}
    assert [principal_account(p) for p in aws.principals["AWS"]] == [
        "111122223333",
        "444455556666",
    ]
    assert principal_account("*") is None
