"""The SCP levels as the evaluator applies them: ``allows`` and ``allows_any`` near-miss pairs,
and the escalation graph's vectorised answers equal to ``allows`` with random SCP levels (the
graph shares its answers between principals, so the SCP levels must be part of its keys)."""

from __future__ import annotations

import random
from typing import Any

import pytest

from iamgate.model.org_policies import (
    OrganizationPolicies,
    OrgLevel,
    OrgPolicy,
    PolicyType,
    TargetKind,
)
from iamgate.model.snapshot import Organization
from iamgate.policy.escalation import Graph, Variant
from iamgate.policy.evaluate import allows, allows_any
from iamgate.policy.principals import Principals
from testing.factories import ACCOUNT, arn, doc, group, managed, role, snap, user

ORG = "o-abcdef1234"
EVERYTHING = {"Effect": "Allow", "Action": "*", "Resource": "*"}
FULL = OrgPolicy("p-FullAWSAccess", "FullAWSAccess", doc(EVERYTHING), aws_managed=True)
ACTIONS = ["iam:PassRole", "iam:PutRolePolicy", "sts:AssumeRole", "iam:CreateAccessKey"]


def chain(*levels: tuple[OrgPolicy, ...]) -> OrganizationPolicies:
    """root, OUs, then the account, each with its SCPs."""
    kinds = [TargetKind.ROOT, *[TargetKind.OU] * (len(levels) - 2), TargetKind.ACCOUNT]
    ids = ["r-ab12", *[f"ou-ab12-level{i:03d}" for i in range(len(levels) - 2)], ACCOUNT]
    made = tuple(
        OrgLevel(target, kind, scps) for target, kind, scps in zip(ids, kinds, levels, strict=True)
    )
    return OrganizationPolicies(ORG, "999999999999", (PolicyType.SCP,), made)


def scp(name: str, *statements: dict[str, Any]) -> OrgPolicy:
    return OrgPolicy(f"p-{name}", name, doc(*statements))


def access_of(policies: OrganizationPolicies, *statements: dict[str, Any]) -> Any:
    s = snap(
        users=(user("alice", inline={"p": doc(*statements)}),),
        organization=Organization(ORG, "999999999999"),
        organization_policies=policies,
    )
    found = Principals(s).access(s.users[0]).access
    assert found is not None
    return found


ALICE_KEYS = {"Effect": "Allow", "Action": "iam:CreateAccessKey", "Resource": "*"}
TARGET = arn("user", "bob")


def test_every_level_must_allow() -> None:
    only_s3 = scp("only-s3", {"Effect": "Allow", "Action": "s3:*", "Resource": "*"})
    blocked = access_of(chain((FULL,), (only_s3,), (FULL,)), ALICE_KEYS)
    found = allows(blocked, "iam:CreateAccessKey", TARGET)
    assert not found.allowed
    assert found.why == (
        f"iam:CreateAccessKey on {TARGET} is allowed by no SCP attached at ou-ab12-level000"
    )
    assert not allows_any(blocked, "iam:CreateAccessKey").allowed
    assert allows_any(blocked, "iam:CreateAccessKey").scp_blocks == "ou-ab12-level000"
    # Near miss: the same SCP beside FullAWSAccess allows it.
    kept = access_of(chain((FULL,), (FULL, only_s3), (FULL,)), ALICE_KEYS)
    assert allows(kept, "iam:CreateAccessKey", TARGET).allowed
    assert allows_any(kept, "iam:CreateAccessKey").allowed


def test_an_allow_on_some_resources_bounds_to_them() -> None:
    """An SCP Allow with a Resource (allowed in SCPs since 2025) bounds to those resources."""
    own = scp("own-keys", {"Effect": "Allow", "Action": "iam:*", "Resource": arn("user", "a*")})
    bounded = access_of(chain((FULL,), (own,)), ALICE_KEYS)
    assert allows(bounded, "iam:CreateAccessKey", arn("user", "alice")).allowed
    assert not allows(bounded, "iam:CreateAccessKey", TARGET).allowed
    assert allows_any(bounded, "iam:CreateAccessKey").allowed


def test_a_deny_at_any_level_denies() -> None:
    deny = scp("deny-keys", {"Sid": "NoKeys", "Effect": "Deny", "Action": "iam:*", "Resource": "*"})
    for at in range(3):
        levels: list[tuple[OrgPolicy, ...]] = [(FULL,), (FULL,), (FULL,)]
        levels[at] = (FULL, deny)
        found = allows(access_of(chain(*levels), ALICE_KEYS), "iam:CreateAccessKey", TARGET)
        assert not found.allowed
        assert found.denied_by is not None
        assert "SCP deny-keys" in found.denied_by.label
    assert allows(
        access_of(chain((FULL,), (FULL,), (FULL,)), ALICE_KEYS), "iam:CreateAccessKey", TARGET
    ).allowed


def test_an_undecided_scp_condition() -> None:
    """A Deny on a key of the request removes nothing; an Allow on one still allows (and the
    decision says it is conditioned)."""
    mfa = {"Bool": {"aws:MultiFactorAuthPresent": "false"}}
    deny = scp("deny-no-mfa", {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": mfa})
    assert allows(
        access_of(chain((FULL, deny), (FULL,)), ALICE_KEYS), "iam:CreateAccessKey", TARGET
    ).allowed
    allow = scp(
        "mfa-only", {**EVERYTHING, "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}
    )
    found = allows(access_of(chain((allow,), (FULL,)), ALICE_KEYS), "iam:CreateAccessKey", TARGET)
    assert found.allowed
    assert found.conditioned
    assert "aws:MultiFactorAuthPresent" in found.conditions


# --- the graph's shared answers equal allows --------------------------------------------------


def _statement(rng: random.Random, names: list[str]) -> dict[str, Any]:
    kind = rng.choice(["user", "role"])
    resource = rng.choice(
        [
            "*",
            arn(kind, rng.choice(names)),
            arn(kind, rng.choice(names)[:2] + "*"),
            f"arn:aws:iam::*:{kind}/" + "${aws:username}",
        ]
    )
    st: dict[str, Any] = {
        "Effect": rng.choice(["Allow", "Allow", "Deny"]),
        "Action" if rng.random() < 0.8 else "NotAction": rng.sample(ACTIONS, 2),
        "Resource" if rng.random() < 0.8 else "NotResource": resource,
    }
    if rng.random() < 0.3:  # decided for some principals, not others
        st["Condition"] = {"ArnLike": {"aws:PrincipalArn": arn(kind, rng.choice(names)[:2] + "*")}}
    return st


def _level(rng: random.Random, names: list[str], at: int) -> tuple[OrgPolicy, ...]:
    own = scp(f"scp{at}", *[_statement(rng, names) for _ in range(2)])
    return (FULL, own) if rng.random() < 0.7 else (own,)


@pytest.mark.parametrize("seed", range(4))
def test_bitsets_equal_allows_under_scps(seed: int) -> None:
    rng = random.Random(seed)
    names = [f"n{i}{rng.choice('abc')}" for i in range(8)]
    groups = tuple(group(f"g{i}", inline={"p": doc(_statement(rng, names))}) for i in range(2))
    bound = managed("b0", doc(_statement(rng, names), EVERYTHING))
    users, roles = [], []
    for i, name in enumerate(names):
        inline = {"p": doc(*[_statement(rng, names) for _ in range(2)]), "q": doc(EVERYTHING)}
        boundary = bound.arn if rng.random() < 0.3 else None
        if i % 2:
            gs = tuple(g.name for g in rng.sample(groups, rng.randint(0, 2)))
            users.append(user(name, groups=gs, inline=inline, boundary=boundary))
        else:
            roles.append(role(name, inline=inline, boundary=boundary))
    policies = chain(*[_level(rng, names, at) for at in range(3)])
    s = snap(
        users=tuple(users),
        roles=tuple(roles),
        groups=groups,
        policies=(bound,),
        organization=Organization(ORG, "999999999999"),
        organization_policies=policies,
    )
    g = Graph(Principals(s))
    account = g.index
    for index in range(len(account.entities)):
        acc = g.facts.access(index)
        assert acc is not None
        assert acc.scps, "every principal here is bound by the SCPs"
        for action in ACTIONS:
            own = (
                frozenset({acc.who.arn, *acc.groups}) if action.startswith("iam:") else frozenset()
            )
            assert g.facts.holds(index, action).allowed == allows_any(acc, action, own).allowed
            for uni in (account.users, account.roles):
                found = g.facts.allowed(acc, action, uni)
                for j, target in enumerate(uni.arns):
                    expected = allows(acc, action, target).allowed
                    assert (uni.first + j in found) == expected, (acc.who.arn, action, target)


def test_a_new_principal_is_bound_but_its_name_is_its_creators() -> None:
    """The new principal an edge creates is bound by the SCPs; a condition on its ARN is not
    decided (whoever creates it picks the name), so a Deny that spares role/admin-* removes
    nothing from it, while an unconditional Deny does."""
    spare = {"ArnNotLike": {"aws:PrincipalArn": arn("role", "admin-*")}}
    writes = scp(
        "writes", {"Effect": "Deny", "Action": "iam:*", "Resource": "*", "Condition": spare}
    )
    hard = scp("no-iam", {"Effect": "Deny", "Action": "iam:*", "Resource": "*"})
    for levels, expected in (((FULL,), (FULL, writes)), True), (((FULL,), (FULL, hard)), False):
        s = snap(
            users=(user("alice"),),
            organization=Organization(ORG, "999999999999"),
            organization_policies=chain(*levels),
        )
        g = Graph(Principals(s))
        new = g.facts.access(g.space.index(Variant.NEW, 0))
        assert new is not None
        assert new.scps
        assert allows(new, "iam:PutRolePolicy", arn("role", "x")).allowed is expected
    # Alice, whose ARN is known (she may not federate), is denied by the same Deny.
    iam = {"Effect": "Allow", "Action": "iam:*", "Resource": "*"}
    alice = access_of(chain((FULL,), (FULL, writes)), iam)
    assert not allows(alice, "iam:PutRolePolicy", arn("role", "x")).allowed


def test_principals_sharing_policies_but_not_scp_readings_are_not_shared() -> None:
    """alice and carol hold the same policy object; an SCP spares only alice. The graph shares
    answers between nodes of the same policies, so the SCP levels must be in its keys: alice
    may create the administrator's keys (and escalates), carol may not."""
    keys = managed(
        "keys", doc({"Effect": "Allow", "Action": "iam:CreateAccessKey", "Resource": "*"})
    )
    admin = managed("admin", doc(EVERYTHING))
    only_alice = scp(
        "keys-only-alice",
        {
            "Effect": "Deny",
            "Action": "iam:CreateAccessKey",
            "Resource": "*",
            "Condition": {"ArnNotEquals": {"aws:PrincipalArn": arn("user", "alice")}},
        },
    )
    for order in (("alice", "carol"), ("carol", "alice")):
        s = snap(
            users=(
                *(user(name, attached=(keys.arn,)) for name in order),
                user("boss", attached=(admin.arn,)),
            ),
            policies=(keys, admin),
            organization=Organization(ORG, "999999999999"),
            organization_policies=chain((FULL,), (FULL, only_alice), (FULL,)),
        )
        g = Graph(Principals(s))
        position = g.index.position
        first = position[arn("user", order[0])]
        g.facts.holds(first, "iam:CreateAccessKey")  # the first asked must not answer for both
        held = {
            name: g.facts.holds(position[arn("user", name)], "iam:CreateAccessKey").allowed
            for name in order
        }
        assert held == {"alice": True, "carol": False}
        escalations = g.escalations()
        assert escalations[arn("user", "alice")].status == "escalates"
        assert escalations[arn("user", "carol")].status != "escalates"
