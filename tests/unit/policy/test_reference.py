"""``allows`` against a second, deliberately simple reading of IAM evaluation written from the
AWS documentation (``testing/iam_reference.py``, which shares no code with iamgate), on
generated policies and requests.

The reference knows the whole request. iamgate knows the caller's keys (``Identity``), the
edge's and the target's when given (``Known``), and never the request's own (MFA here). So:

- with conditions only on keys iamgate knows, the two agree exactly;
- with request keys too, iamgate is sound both ways: it never denies what some request would be
  allowed (no false pass), and a decision that is neither conditioned nor under an unsure Deny
  holds for every request.

The evaluator is also checked to answer the same once the policies are read for the principal
(``request.specialize``, what the escalation graph's bitsets see).
"""

from __future__ import annotations

import os
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs

from iamgate.policy.document import parse_policy
from iamgate.policy.evaluate import Access, Attachment, Identity, Known, allows
from iamgate.policy.request import specialize
from testing import iam_reference

ACCOUNT = "123456789012"
ACTIONS = ["iam:PassRole", "iam:CreateAccessKey", "s3:GetObject"]
RESOURCES = [
    f"arn:aws:iam::{ACCOUNT}:role/deploy",
    f"arn:aws:iam::{ACCOUNT}:user/alice",
    f"arn:aws:iam::{ACCOUNT}:user/bob",
    "arn:aws:s3:::ops/report",
]
ACTION_PATTERNS = ["*", "iam:*", "iam:Pass*", "iam:CreateAccessKey", "s3:Get?bject", "S3:*"]
RESOURCE_PATTERNS = [
    "*",
    f"arn:aws:iam::{ACCOUNT}:role/*",
    "arn:aws:iam::*:user/${aws:username}",
    "arn:aws:s3:::${aws:PrincipalTag/team}/*",
    f"arn:aws:iam::{ACCOUNT}:user/b?b",
    "arn:aws:s3:::ops/*",
]
# Keys iamgate can know, with values that meet or miss them.
KNOWN_KEYS: dict[str, list[str]] = {
    "aws:PrincipalType": ["User", "AssumedRole", "user"],
    "aws:username": ["alice", "bob", "a*", "${aws:PrincipalTag/team}"],
    "aws:PrincipalArn": [f"arn:aws:iam::{ACCOUNT}:user/alice", f"arn:aws:iam::{ACCOUNT}:role/*"],
    "aws:PrincipalAccount": [ACCOUNT, "999999999999"],
    "aws:PrincipalTag/team": ["ops", "dev", "o*"],
    "iam:PassedToService": ["ec2.amazonaws.com", "lambda.amazonaws.com", "*.amazonaws.com"],
    "aws:ResourceTag/env": ["prod", "dev"],
}
REQUEST_KEYS: dict[str, list[str]] = {"aws:MultiFactorAuthPresent": ["true", "false"]}
OPERATORS = [
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "StringEqualsIfExists",
    "StringNotLikeIfExists",
    "ForAnyValue:StringLike",
    "ForAllValues:StringEquals",
    "ForAnyValue:StringNotEquals",
    "ArnLike",
    "ArnNotEquals",
    "Null",
]
ARN_KEYS = {"aws:PrincipalArn"}


@hs.composite
def clauses(draw: Any, keys: dict[str, list[str]]) -> dict[str, dict[str, Any]]:
    block: dict[str, dict[str, Any]] = {}
    for _ in range(draw(hs.integers(1, 2))):
        key = draw(hs.sampled_from(sorted(keys)))
        operator = draw(hs.sampled_from(OPERATORS))
        if operator.startswith("Arn") != (key in ARN_KEYS) and operator != "Null":
            operator = "ArnLike" if key in ARN_KEYS else "StringEquals"
        if key == "aws:MultiFactorAuthPresent" and operator != "Null":
            operator = draw(hs.sampled_from(["Bool", "BoolIfExists"]))
        values = (
            [draw(hs.sampled_from(["true", "false"]))]
            if operator == "Null"
            else draw(hs.lists(hs.sampled_from(keys[key]), min_size=1, max_size=2, unique=True))
        )
        block.setdefault(operator, {})[key] = values
    return block


@hs.composite
def statements(draw: Any, keys: dict[str, list[str]]) -> dict[str, Any]:
    actions = draw(hs.lists(hs.sampled_from(ACTION_PATTERNS), min_size=1, max_size=2))
    resources = draw(hs.lists(hs.sampled_from(RESOURCE_PATTERNS), min_size=1, max_size=2))
    st: dict[str, Any] = {
        "Effect": draw(hs.sampled_from(["Allow", "Allow", "Deny"])),
        ("NotAction" if draw(hs.integers(0, 5)) == 0 else "Action"): actions,
        ("NotResource" if draw(hs.integers(0, 5)) == 0 else "Resource"): resources,
    }
    if draw(hs.booleans()):
        st["Condition"] = draw(clauses(keys))
    return st


def documents(keys: dict[str, list[str]]) -> Any:
    return hs.lists(statements(keys), min_size=1, max_size=3).map(
        lambda sts: {"Version": "2012-10-17", "Statement": sts}
    )


@hs.composite
def principals(draw: Any) -> tuple[Identity, dict[str, list[str]]]:
    """Who asks, and the reference's view of the caller's keys."""
    kind = draw(hs.sampled_from(["user", "role"]))
    name = {"user": draw(hs.sampled_from(["alice", "bob"])), "role": "deploy"}[kind]
    arn = f"arn:aws:iam::{ACCOUNT}:{kind}/{name}"
    tags = draw(hs.sampled_from([(), (("team", "ops"),), (("team", "dev"),)]))
    who = Identity(arn, kind, name, ACCOUNT, tags=tags)
    context: dict[str, list[str]] = {
        "aws:principaltype": ["User" if kind == "user" else "AssumedRole"],
        "aws:principalarn": [arn],
        "aws:principalaccount": [ACCOUNT],
        **{f"aws:principaltag/{k}": [v] for k, v in tags},
    }
    if kind == "user":
        context["aws:username"] = [name]
    return who, context


@hs.composite
def edges(draw: Any) -> tuple[Known, dict[str, list[str]]]:
    """The edge's and target's keys, given to iamgate as Known and to the reference."""
    service = draw(hs.sampled_from([None, "ec2.amazonaws.com", "lambda.amazonaws.com"]))
    env = draw(hs.sampled_from([None, "prod", "dev"]))
    values: dict[str, tuple[str, ...] | None] = {"iam:PassedToService": None}
    context: dict[str, list[str]] = {}
    if service is not None:
        values["iam:PassedToService"] = (service,)
        context["iam:passedtoservice"] = [service]
    if env is not None:
        values["aws:ResourceTag/env"] = (env,)
        context["aws:resourcetag/env"] = [env]
    return Known(values, ("aws:ResourceTag/",)), context


def _access(who: Identity, docs: list[dict[str, Any]], bound: dict[str, Any] | None) -> Access:
    atts = tuple(
        Attachment(parse_policy(f"{who.arn}#inline/p{i}", d), who.arn) for i, d in enumerate(docs)
    )
    boundary = parse_policy(f"arn:aws:iam::{ACCOUNT}:policy/b", bound) if bound else None
    return Access(who, atts, boundary)


def _both(access: Access, action: str, resource: str, known: Known) -> Any:
    """The decision, checked to be the same once the policies are read for the principal."""
    decision = allows(access, action, resource, known)
    read = Access(
        access.who,
        tuple(Attachment(specialize(a.policy, access.who), a.via) for a in access.attachments),
        specialize(access.boundary, access.who) if access.boundary else None,
    )
    assert allows(read, action, resource, known).allowed == decision.allowed
    return decision


# CI runs each property this many times, derandomized (the same cases every run). For a wider,
# random search: IAMGATE_REFERENCE_EXAMPLES=20000 pytest tests/unit/policy/test_reference.py
EXAMPLES = int(os.environ.get("IAMGATE_REFERENCE_EXAMPLES", "0")) or 100
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize="IAMGATE_REFERENCE_EXAMPLES" not in os.environ,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@SETTINGS
@given(
    principals(),
    edges(),
    hs.lists(documents(KNOWN_KEYS), min_size=1, max_size=2),
    hs.one_of(hs.none(), documents(KNOWN_KEYS)),
    hs.sampled_from(ACTIONS),
    hs.sampled_from(RESOURCES),
)
def test_known_keys_decide_exactly_as_the_reference(
    principal: Any, edge: Any, docs: Any, bound: Any, action: str, resource: str
) -> None:
    who, caller = principal
    known, given_ = edge
    decision = _both(_access(who, docs, bound), action, resource, known)
    expected = iam_reference.evaluate(docs, bound, action, resource, {**caller, **given_})
    assert decision.allowed == expected, decision.why


@SETTINGS
@given(
    principals(),
    edges(),
    hs.lists(documents({**KNOWN_KEYS, **REQUEST_KEYS}), min_size=1, max_size=2),
    hs.sampled_from(ACTIONS),
    hs.sampled_from(RESOURCES),
)
def test_request_keys_keep_the_conservative_reading(
    principal: Any, edge: Any, docs: Any, action: str, resource: str
) -> None:
    who, caller = principal
    known, given_ = edge
    decision = _both(_access(who, docs, None), action, resource, known)
    outcomes = [
        iam_reference.evaluate(docs, None, action, resource, {**caller, **given_, **mfa})
        for mfa in (
            {},
            {"aws:multifactorauthpresent": ["true"]},
            {"aws:multifactorauthpresent": ["false"]},
        )
    ]
    if any(outcomes):  # some request gets through: iamgate must not say no (a false pass)
        assert decision.allowed, decision.why
    if decision.allowed and not decision.conditioned and not decision.unsure:
        assert all(outcomes), decision.why  # nothing undecided: every request gets through
