"""The escalation graph and decided conditions: the graph's edges are left as they are (issue 20,
first half), but its vectorised evaluation (``Facts.allowed``, shared between principals whose
read policies are the same objects) must keep answering what ``allows`` answers, now
that ``allows`` decides the caller's keys; each principal's policies are read for it once
(``request.specialize``), so both see the same statements. A path is explained with ``allows``:
an edge it would not grant would stop the run (exit 4)."""

from __future__ import annotations

import dataclasses
import random
from typing import Any

import pytest

from iamgate.model.snapshot import Tag
from iamgate.policy.escalation import Graph
from iamgate.policy.evaluate import allows
from iamgate.policy.principals import Principals
from testing.factories import ADMIN, arn, group, managed, role, snap, user
from testing.policies import ACCOUNT, doc, trust_aws

ACTIONS = [
    "iam:PassRole",
    "iam:PutRolePolicy",
    "sts:AssumeRole",
    "iam:CreateAccessKey",
    "iam:AttachUserPolicy",
]
# Conditions on the caller's own keys, each met by some principals and not by others.
CALLER_CONDITIONS: list[dict[str, Any]] = [
    {"StringEquals": {"aws:PrincipalType": "AssumedRole"}},
    {"StringEquals": {"aws:PrincipalType": "User"}},
    {"StringNotEquals": {"aws:PrincipalTag/team": "ops"}},
    {"StringEquals": {"aws:PrincipalTag/team": "ops"}},
    {"StringLike": {"aws:username": "n1*"}},
    {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/*"}},
    {"Null": {"aws:PrincipalTag/team": "true"}},
    {
        "StringEquals": {"aws:PrincipalTag/team": "ops"},
        "Bool": {"aws:MultiFactorAuthPresent": "true"},
    },
]


def _statement(rng: random.Random, names: list[str]) -> dict[str, Any]:
    kind = rng.choice(["user", "role"])
    st: dict[str, Any] = {
        "Effect": rng.choice(["Allow", "Allow", "Deny"]),
        "Action": rng.sample(ACTIONS, 2),
        "Resource": rng.choice(["*", arn(kind, rng.choice(names)), arn(kind, "n*")]),
    }
    if rng.random() < 0.7:
        st["Condition"] = rng.choice(CALLER_CONDITIONS)
    return st


def _account(seed: int) -> Any:
    rng = random.Random(seed)
    names = [f"n{i}{rng.choice('abc')}" for i in range(10)]
    groups = tuple(group(f"g{i}", inline={"p": doc(_statement(rng, names))}) for i in range(3))
    shared = managed("shared", doc(*[_statement(rng, names) for _ in range(3)]))
    users, roles = [], []
    for i, name in enumerate(names):
        inline = (
            {"p": doc(*[_statement(rng, names) for _ in range(2)])} if rng.random() < 0.6 else {}
        )
        tags = rng.choice([(), (Tag("team", "ops"),), (Tag("Team", "dev"),), None])
        if i % 2:
            gs = tuple(g.name for g in rng.sample(groups, rng.randint(0, 2)))
            u = user(name, groups=gs, inline=inline, attached=(shared.arn,))
            users.append(dataclasses.replace(u, tags=tags))
        else:
            r = role(name, trust_aws(ACCOUNT), inline=inline, attached=(shared.arn,))
            roles.append(dataclasses.replace(r, tags=tags))
    roles.append(role("boss", trust_aws(ACCOUNT), attached=(ADMIN.arn,)))
    return snap(users=tuple(users), roles=tuple(roles), groups=groups, policies=(ADMIN, shared))


@pytest.mark.parametrize("seed", range(4))
def test_bitsets_equal_allows_with_caller_conditions(seed: int) -> None:
    g = Graph(Principals(_account(seed)))
    index = g.index
    accesses = [a for a in (*index.base, *index.group_base) if a is not None]
    assert len(accesses) == len(index.base) + len(index.group_base)
    for acc in accesses:
        for action in ACTIONS:
            for uni in (index.users, index.roles):
                found = g.facts.allowed(acc, action, uni)
                for j, target in enumerate(uni.arns):
                    expected = allows(acc, action, target).allowed
                    assert ((uni.first + j) in found) == expected, (acc.who.arn, action, target)


def test_every_path_is_explained() -> None:
    """Every edge the bitsets give is one ``allows`` grants: explaining the paths never fails
    (and the accounts do escalate, so there are paths to explain)."""
    paths = 0
    for seed in range(4):
        for esc in Graph(Principals(_account(seed))).escalations().values():
            assert all(hop.how for hop in esc.path)
            paths += esc.status == "escalates"
    assert paths


def test_a_deny_on_the_callers_tag_closes_the_edge() -> None:
    """``Deny iam:CreateAccessKey unless aws:PrincipalTag/team = ops``: the ops user reaches the
    admin user, the dev user does not (its Deny's condition holds), and an untagged snapshot's
    user keeps the edge (the tag is unknown: the Deny may not apply)."""
    policy = managed(
        "keys",
        doc(
            {"Effect": "Allow", "Action": "iam:CreateAccessKey", "Resource": "*"},
            {
                "Effect": "Deny",
                "Action": "iam:CreateAccessKey",
                "Resource": "*",
                "Condition": {"StringNotEquals": {"aws:PrincipalTag/team": "ops"}},
            },
        ),
    )
    admin = dataclasses.replace(user("admin", attached=(ADMIN.arn,)), tags=())
    ops = dataclasses.replace(user("ops", attached=(policy.arn,)), tags=(Tag("team", "ops"),))
    dev = dataclasses.replace(user("dev", attached=(policy.arn,)), tags=(Tag("team", "dev"),))
    old = user("old", attached=(policy.arn,))  # a snapshot without tags
    s = snap(users=(admin, ops, dev, old), policies=(ADMIN, policy))
    found = {e.principal.rsplit("/", 1)[-1]: e for e in Graph(Principals(s)).escalations().values()}
    assert found["ops"].status == "escalates", found["ops"].message
    assert found["dev"].status == "none", found["dev"].message
    assert found["old"].status == "escalates", found["old"].message
