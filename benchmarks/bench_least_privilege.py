"""Time the least-privilege checks on a large synthetic account (no AWS, no network).

Run: python benchmarks/bench_least_privilege.py [users]   (prints seconds per check)
"""

from __future__ import annotations

import random
import sys
import time
from datetime import UTC, datetime

from iamgate.checks import run_checks
from iamgate.model.config import Config
from iamgate.model.snapshot import AttachedPolicy, Group, ManagedPolicy, Role, Snapshot, User

ACCOUNT = "123456789012"
NOW = datetime(2026, 6, 1, tzinfo=UTC)
ACTIONS = [
    "s3:Get*",
    "iam:PassRole",
    "lambda:*",
    "ec2:*",
    "iam:Get*",
    "iam:List*",
    "sqs:*",
    "dynamodb:Query",
    "kms:Decrypt",
    "iam:*Policy*",
]
CHECKS = ("principal-admin-access", "policy-privilege-escalation", "policy-service-wildcard")


def account(users: int, rng: random.Random) -> Snapshot:
    policies = [
        ManagedPolicy(
            arn=f"arn:aws:iam::{ACCOUNT}:policy/p{i}",
            name=f"p{i}",
            document={
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": f"S{j}",
                        "Effect": "Allow",
                        "Action": rng.sample(ACTIONS, 3),
                        "Resource": "*",
                    }
                    for j in range(5)
                ],
            },
            attachment_count=1,
        )
        for i in range(300)
    ]

    def attach(n: int) -> tuple[AttachedPolicy, ...]:
        return tuple(AttachedPolicy(p.name, p.arn) for p in rng.sample(policies, n))

    groups = [
        Group(f"g{i}", f"arn:aws:iam::{ACCOUNT}:group/g{i}", NOW, attached=attach(4))
        for i in range(100)
    ]
    trust = {"Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}}]}
    return Snapshot(
        account_id=ACCOUNT,
        collected_at=NOW,
        users=tuple(
            User(
                f"u{i}",
                f"arn:aws:iam::{ACCOUNT}:user/u{i}",
                NOW,
                groups=tuple(g.name for g in rng.sample(groups, 3)),
                attached=attach(1),
            )
            for i in range(users)
        ),
        groups=tuple(groups),
        roles=tuple(
            Role(f"r{i}", f"arn:aws:iam::{ACCOUNT}:role/r{i}", NOW, trust, attached=attach(3))
            for i in range(users // 2)
        ),
        policies=tuple(policies),
    )


def main() -> None:
    users = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    snapshot = account(users, random.Random(1))
    print(f"{users} users, {users // 2} roles, 100 groups, 300 policies x 5 statements")
    for check in CHECKS:
        start = time.perf_counter()
        results = run_checks(snapshot, Config(), [check])
        print(f"{check}: {len(results)} results in {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
