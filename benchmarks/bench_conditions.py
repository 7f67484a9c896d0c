"""The price of deciding conditions on the caller's keys (issue 20): the least-privilege checks
on a large synthetic account whose policies condition their statements on the caller's type,
name and tags, against the same account with those conditions taken out (no AWS, no network).

Run: python benchmarks/bench_conditions.py [users]   (prints seconds per check, both accounts)
"""

from __future__ import annotations

import random
import sys
import time
from datetime import UTC, datetime
from typing import Any

from iamgate.checks import run_checks
from iamgate.model.config import Config
from iamgate.model.snapshot import AttachedPolicy, Group, ManagedPolicy, Role, Snapshot, Tag, User

ACCOUNT = "123456789012"
NOW = datetime(2026, 6, 1, tzinfo=UTC)
ACTIONS = [
    "s3:Get*",
    "iam:PassRole",
    "lambda:*",
    "ec2:*",
    "iam:CreateAccessKey",
    "iam:List*",
    "sts:AssumeRole",
    "iam:*Policy*",
]
CONDITIONS: list[dict[str, Any]] = [
    {"StringEquals": {"aws:PrincipalTag/team": "platform"}},
    {"StringNotEquals": {"aws:PrincipalTag/team": "apps"}},
    {"StringEquals": {"aws:PrincipalType": "AssumedRole"}},
    {"StringLike": {"aws:username": "svc-*"}},
    {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
]
CHECKS = ("principal-admin-access", "group-admin-access", "policy-privilege-escalation")
TEAMS = ("platform", "apps", "data", "security")


def _statement(rng: random.Random, j: int, conditioned: bool) -> dict[str, Any]:
    st: dict[str, Any] = {
        "Sid": f"S{j}",
        "Effect": "Deny" if j == 4 else "Allow",
        "Action": rng.sample(ACTIONS, 3),
        "Resource": "*",
    }
    if conditioned and rng.random() < 0.6:
        st["Condition"] = rng.choice(CONDITIONS)
    return st


def account(users: int, conditioned: bool, seed: int = 7) -> Snapshot:
    rng = random.Random(seed)
    policies = [
        ManagedPolicy(
            arn=f"arn:aws:iam::{ACCOUNT}:policy/p{i}",
            name=f"p{i}",
            document={
                "Version": "2012-10-17",
                "Statement": [_statement(rng, j, conditioned) for j in range(5)],
            },
            attachment_count=1,
        )
        for i in range(300)
    ]

    def attach(n: int) -> tuple[AttachedPolicy, ...]:
        return tuple(AttachedPolicy(p.name, p.arn) for p in rng.sample(policies, n))

    groups = [
        Group(f"g{i}", f"arn:aws:iam::{ACCOUNT}:group/g{i}", NOW, attached=attach(3))
        for i in range(50)
    ]
    people = [
        User(
            name=f"u{i}",
            arn=f"arn:aws:iam::{ACCOUNT}:user/u{i}",
            create_date=NOW,
            groups=tuple(g.name for g in rng.sample(groups, 2)),
            attached=attach(2),
            tags=(Tag("team", rng.choice(TEAMS)),),
        )
        for i in range(users)
    ]
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    roles = [
        Role(f"r{i}", f"arn:aws:iam::{ACCOUNT}:role/r{i}", NOW, trust, attached=attach(2))
        for i in range(users // 5)
    ]
    return Snapshot(
        ACCOUNT, NOW, users=tuple(people), groups=tuple(groups), roles=tuple(roles),
        policies=tuple(policies),
    )  # fmt: skip


def main(users: int) -> None:
    for conditioned in (False, True):
        snap = account(users, conditioned)
        label = "with conditions" if conditioned else "without conditions"
        for check in CHECKS:
            start = time.perf_counter()
            results = run_checks(snap, Config(), [check])
            took = time.perf_counter() - start
            failed = sum(r.passed is False for r in results)
            print(f"{label:20} {check:30} {took:7.2f} s  {len(results)} results, {failed} fail")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
