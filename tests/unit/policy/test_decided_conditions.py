"""Conditions on keys the account decides (issue 20), near-miss pairs: for every key of the
condition-key table that iamgate can know, a request that meets the condition beside the nearly
identical one that does not, each read in an Allow (granted / not granted) and in a Deny
(denied / not denied). Then the keys it cannot know keep the conservative reading, and a block
mixing both is decided soundly."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import pytest

from iamgate.policy import condition_keys
from iamgate.policy.condition_keys import Origin
from iamgate.policy.document import parse_policy
from iamgate.policy.evaluate import Access, Attachment, Identity, Known, allows, allows_any
from iamgate.policy.request import tags_of
from testing.policies import ACCOUNT, allow, arn, deny, doc

ACTION = "iam:PassRole"
TARGET = arn("role", "deploy")
ORG = "o-abcdefghij"
ALICE = Identity(arn("user", "alice"), "user", "alice", ACCOUNT, (("team", "ops"),), ORG, True)


@dataclass(frozen=True)
class Pair:
    id: str
    condition: dict[str, Any]
    meets: Identity  # the caller that meets the condition
    misses: Identity  # the nearly identical one that does not
    known: Known = field(default_factory=Known)  # the edge's and target's values, for both
    known_miss: Known | None = None  # when the near miss is in the edge or target instead


def _who(**changes: Any) -> Identity:
    return replace(ALICE, **changes)


ROLE = _who(arn=arn("role", "alice"), kind="role")
PAIRS = [
    # --- the caller -----------------------------------------------------------------------------
    Pair("principal-type", {"StringEquals": {"aws:PrincipalType": "User"}}, ALICE, ROLE),
    Pair(
        "principal-type-assumed-role",
        {"StringEquals": {"aws:PrincipalType": "AssumedRole"}},
        ROLE,
        ALICE,
    ),
    Pair(
        "principal-arn",
        {"ArnEquals": {"aws:PrincipalArn": arn("user", "alice")}},
        ALICE,
        _who(arn=arn("user", "alicia"), name="alicia"),
    ),
    Pair(
        "principal-arn-pattern",
        {"ArnLike": {"aws:PrincipalArn": arn("role", "*")}},
        ROLE,
        ALICE,
    ),
    Pair(
        "principal-account",
        {"StringEquals": {"aws:PrincipalAccount": ACCOUNT}},
        ALICE,
        _who(account="210987654321"),
    ),
    Pair(
        "principal-org-id",
        {"StringEquals": {"aws:PrincipalOrgID": ORG}},
        ALICE,
        _who(org="o-zyxwvutsrq"),
    ),
    Pair(
        "principal-org-id-absent-outside-an-organization",
        {"Null": {"aws:PrincipalOrgID": "true"}},
        _who(org=None),
        ALICE,
    ),
    Pair(
        "principal-org-paths-absent-outside-an-organization",
        {"Null": {"aws:PrincipalOrgPaths": "true"}},
        # Outside an organization the key is absent; inside one the path is not collected, so
        # it is unknown (below): no near miss can be known.
        _who(org=None),
        _who(org=None),
    ),
    Pair(
        "principal-tag",
        {"StringEquals": {"aws:PrincipalTag/team": "ops"}},
        ALICE,
        _who(tags=(("team", "dev"),)),
    ),
    Pair(
        "principal-tag-key-ignores-case",
        {"StringEquals": {"aws:PrincipalTag/TEAM": "ops"}},
        _who(tags=tags_of([("Team", "ops")])),
        _who(tags=()),
    ),
    Pair(
        "principal-tag-value-is-case-sensitive",
        {"StringEquals": {"aws:PrincipalTag/team": "ops"}},
        ALICE,
        _who(tags=(("team", "OPS"),)),
    ),
    Pair("username", {"StringLike": {"aws:username": "ali*"}}, ALICE, _who(name="bob")),
    Pair("username-absent-for-a-role", {"Null": {"aws:username": "true"}}, ROLE, ALICE),
    Pair(
        "userid",
        {"StringEquals": {"aws:userid": "AIDAALICE"}},
        _who(unique_id="AIDAALICE"),
        _who(unique_id="AIDABOB"),
    ),
    Pair(
        "principal-is-aws-service",
        {"Bool": {"aws:PrincipalIsAWSService": "false"}},
        ALICE,
        ALICE,  # a user or role never signs as a service: the Allow side only
    ),
    Pair(
        "principal-service-name-absent",
        {"StringEqualsIfExists": {"aws:PrincipalServiceName": "x.amazonaws.com"}},
        ALICE,
        ALICE,
    ),
    # --- the edge, given in Known ---------------------------------------------------------------
    Pair(
        "passed-to-service",
        {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}},
        ALICE,
        ALICE,
        Known({"iam:PassedToService": ("ec2.amazonaws.com",)}),
        Known({"iam:PassedToService": ("lambda.amazonaws.com",)}),
    ),
    Pair(
        "policy-arn",
        {"ArnEquals": {"iam:PolicyARN": arn("policy", "read-only")}},
        ALICE,
        ALICE,
        Known({"iam:PolicyARN": (arn("policy", "read-only"),)}),
        Known({"iam:PolicyARN": ("arn:aws:iam::aws:policy/AdministratorAccess",)}),
    ),
    Pair(
        "permissions-boundary",
        {"ArnEquals": {"iam:PermissionsBoundary": arn("policy", "bound")}},
        ALICE,
        ALICE,
        Known({"iam:PermissionsBoundary": (arn("policy", "bound"),)}),
        Known({"iam:PermissionsBoundary": None}),  # the edge sets no boundary
    ),
    Pair(
        "associated-resource-arn",
        {"ArnLike": {"iam:AssociatedResourceArn": "arn:aws:ec2:*:*:instance/*"}},
        ALICE,
        ALICE,
        Known({"iam:AssociatedResourceArn": ("arn:aws:ec2:us-east-1:1:instance/i-1",)}),
        Known({"iam:AssociatedResourceArn": ("arn:aws:lambda:us-east-1:1:function:f",)}),
    ),
    # --- the target, given in Known -------------------------------------------------------------
    Pair(
        "resource-tag",
        {"StringEquals": {"aws:ResourceTag/env": "dev"}},
        ALICE,
        ALICE,
        Known.target(ACCOUNT, [("env", "dev")]),
        Known.target(ACCOUNT, [("env", "prod")]),
    ),
    Pair(
        "iam-resource-tag-absent",
        {"StringEquals": {"iam:ResourceTag/env": "dev"}},
        ALICE,
        ALICE,
        Known.target(ACCOUNT, [("Env", "dev")]),
        Known.target(ACCOUNT, []),  # every tag given: env is absent
    ),
    Pair(
        "resource-account",
        {"StringEquals": {"aws:ResourceAccount": ACCOUNT}},
        ALICE,
        ALICE,
        Known.target(ACCOUNT, None),
        Known.target("210987654321", None),
    ),
    Pair(
        "resource-org-id",
        {"StringEquals": {"aws:ResourceOrgID": ORG}},
        ALICE,
        ALICE,
        Known.target(ACCOUNT, None, ORG),
        Known.target(ACCOUNT, None, ""),  # the target's account is in no organization
    ),
]


def _access(who: Identity, *statements: dict[str, Any]) -> Access:
    policy = parse_policy(arn("policy", "p"), doc(*statements))
    return Access(who, (Attachment(policy, who.arn),))


def _decide(who: Identity, known: Known, effect: str, condition: dict[str, Any]) -> Any:
    if effect == "Allow":
        return allows(
            _access(who, allow(ACTION, "*", "C", Condition=condition)), ACTION, TARGET, known
        )
    acc = _access(who, allow(ACTION, "*", "All"), deny(ACTION, "*", "C", Condition=condition))
    return allows(acc, ACTION, TARGET, known)


@pytest.mark.parametrize("pair", PAIRS, ids=[p.id for p in PAIRS])
def test_an_allow_conditioned_on_a_known_key(pair: Pair) -> None:
    met = _decide(pair.meets, pair.known, "Allow", pair.condition)
    assert (met.allowed, met.conditioned) == (True, False), met.why
    assert met.met  # the message says which condition held
    missed = _decide(pair.misses, pair.known_miss or pair.known, "Allow", pair.condition)
    trivial = pair.meets == pair.misses and pair.known_miss is None
    if trivial:
        return  # a key with one value for every user and role: no near miss exists
    assert missed.allowed is False, missed.why
    assert missed.why == f"no statement allows {ACTION} on {TARGET}"


@pytest.mark.parametrize("pair", PAIRS, ids=[p.id for p in PAIRS])
def test_a_deny_conditioned_on_a_known_key(pair: Pair) -> None:
    met = _decide(pair.meets, pair.known, "Deny", pair.condition)
    assert met.allowed is False, met.why
    assert met.denied_by is not None
    assert met.denied_by.sid == "C"
    assert "holds" in met.why
    if pair.meets == pair.misses and pair.known_miss is None:
        return
    missed = _decide(pair.misses, pair.known_miss or pair.known, "Deny", pair.condition)
    assert (missed.allowed, missed.unsure) == (True, ()), missed.why


def test_every_decidable_key_of_the_table_has_a_pair() -> None:
    covered = {
        condition_keys.find(key).name  # type: ignore[union-attr]
        for p in PAIRS
        for block in p.condition.values()
        for key in block
    }
    decidable = {k.name for k in condition_keys.KEYS if k.origin is not Origin.REQUEST}
    assert decidable <= covered, decidable - covered


# --- what iamgate cannot know keeps the conservative reading --------------------------------

UNKNOWN = [
    ("a request key", {"Bool": {"aws:MultiFactorAuthPresent": "true"}}, ALICE, Known()),
    ("a key not in the table", {"StringEquals": {"ec2:InstanceType": "t3.micro"}}, ALICE, Known()),
    (
        "tags not collected",
        {"StringEquals": {"aws:PrincipalTag/team": "ops"}},
        _who(tags=None),
        Known(),
    ),
    (
        "the org path",
        {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": "o-x/*"}},
        ALICE,
        Known(),
    ),
    (
        "the organization not read",
        {"StringEquals": {"aws:PrincipalOrgID": ORG}},
        _who(org_known=False),
        Known(),
    ),
    ("a role's user id", {"StringLike": {"aws:userid": "AROA*"}}, ROLE, Known()),
    (
        "a user that may federate",
        {"StringEquals": {"aws:PrincipalType": "User"}},
        _who(own_values=False),
        Known(),
    ),
    (
        "an edge key not given",
        {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}},
        ALICE,
        Known(),
    ),
    (
        "a target tag not given",
        {"StringEquals": {"aws:ResourceTag/env": "dev"}},
        ALICE,
        Known.target(ACCOUNT, None),
    ),
    (
        "a variable not known",
        {"StringEquals": {"aws:username": "${aws:PrincipalTag/x}"}},
        _who(tags=None),
        Known(),
    ),
    (
        "an operator not modelled",
        {"NumericLessThan": {"aws:PrincipalTag/level": "3"}},
        _who(tags=(("level", "2"),)),
        Known(),
    ),
]


@pytest.mark.parametrize(
    ("what", "condition", "who", "known"), UNKNOWN, ids=[u[0] for u in UNKNOWN]
)
def test_an_unknown_value_keeps_the_conservative_reading(
    what: str, condition: dict[str, Any], who: Identity, known: Known
) -> None:
    granted = _decide(who, known, "Allow", condition)
    (key,) = (k for block in condition.values() for k in block)
    assert (granted.allowed, granted.conditioned, granted.conditions) == (True, True, (key,)), what
    assert granted.why.endswith(f"(conditioned on {key})")
    denied = _decide(who, known, "Deny", condition)
    assert denied.allowed is True, what  # the Deny removes nothing: it may not apply
    assert len(denied.unsure) == 1, what


# --- a block mixing known and unknown keys --------------------------------------------------------

MFA = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}


def test_a_known_key_that_fails_decides_the_whole_block() -> None:
    """Several keys are AND: the known one failing makes the block fail, whatever MFA says."""
    condition = {"StringEquals": {"aws:PrincipalType": "AssumedRole"}, **MFA}
    granted = _decide(ALICE, Known(), "Allow", condition)
    assert granted.allowed is False, granted.why
    denied = _decide(ALICE, Known(), "Deny", condition)
    assert (denied.allowed, denied.unsure) == (True, ()), denied.why


def test_a_known_key_that_holds_leaves_the_unknown_one() -> None:
    condition = {"StringEquals": {"aws:PrincipalType": "User"}, **MFA}
    granted = _decide(ALICE, Known(), "Allow", condition)
    assert granted.allowed
    assert granted.conditioned
    assert granted.conditions == ("aws:MultiFactorAuthPresent",)
    denied = _decide(ALICE, Known(), "Deny", condition)
    assert denied.allowed
    assert len(denied.unsure) == 1


def test_allows_any_decides_the_same() -> None:
    acc = _access(
        ROLE, allow(ACTION, "*", "A", Condition={"StringEquals": {"aws:PrincipalType": "User"}})
    )
    assert allows_any(acc, ACTION).allowed is False
    acc = _access(
        ALICE,
        allow(ACTION, "*", "A"),
        deny(ACTION, "*", "D", Condition={"StringEquals": {"aws:PrincipalTag/team": "ops"}}),
    )
    assert allows_any(acc, ACTION).allowed is False
    assert allows_any(replace(acc, who=_who(tags=(("team", "dev"),))), ACTION).allowed is True


def test_a_request_key_is_refused_as_known() -> None:
    """The table says the request's keys are never known: Known refuses them."""
    with pytest.raises(ValueError, match="aws:MultiFactorAuthPresent is a key of the request"):
        Known({"aws:MultiFactorAuthPresent": ("true",)})
