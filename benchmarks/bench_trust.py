"""Time the role-trust checks on a large synthetic account, and on hostile trust policies
(no AWS, no network).

Run: python benchmarks/bench_trust.py [roles]   (prints seconds per check and the worst cases)
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from typing import Any

from iamgate.checks import run_checks
from iamgate.model.config import Config, TrustSettings
from iamgate.model.snapshot import Organization, Role, Snapshot
from iamgate.policy.trust import TrustContext, who_can_assume

ACCOUNT = "123456789012"
ORG = "o-mine123456"
NOW = datetime(2026, 6, 1, tzinfo=UTC)
GH = "token.actions.githubusercontent.com"
CHECKS = (
    "role-trust-public",
    "role-trust-external-account",
    "role-trust-federated-subject",
    "role-trust-service-confused-deputy",
)


def st(effect: str, principal: Any, action: str, condition: Any = None) -> dict[str, Any]:
    out = {"Effect": effect, "Principal": principal, "Action": action}
    return {**out, "Condition": condition} if condition else out


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


GITHUB = {"Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/{GH}"}
TRUSTS = [
    doc(st("Allow", {"Service": "ec2.amazonaws.com"}, "sts:AssumeRole")),
    doc(st("Allow", {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "sts:AssumeRole")),
    doc(
        st("Allow", "*", "sts:AssumeRole"),
        st("Deny", "*", "sts:AssumeRole", {"StringNotEquals": {"aws:PrincipalOrgID": ORG}}),
    ),
    doc(
        st(
            "Allow",
            GITHUB,
            "sts:AssumeRoleWithWebIdentity",
            {
                "StringEquals": {f"{GH}:aud": "sts.amazonaws.com"},
                "StringLike": {f"{GH}:sub": "repo:my-org/app:*"},
            },
        )
    ),
    doc(
        st(
            "Allow",
            {"AWS": "210987654321"},
            "sts:AssumeRole",
            {"StringEquals": {"sts:ExternalId": "x-1"}},
        )
    ),
    doc(st("Allow", {"Service": "codebuild.amazonaws.com"}, "sts:AssumeRole")),
]
# Hostile shapes: glob values built to make a backtracking matcher explode, and enough Deny
# exceptions to hit the model's cap on candidates.
HOSTILE = {
    "glob": doc(
        st(
            "Allow",
            "*",
            "sts:AssumeRole",
            {"StringLike": {"aws:PrincipalArn": "*a" * 200 + "b", f"{GH}:sub": "*a" * 200}},
        )
    ),
    "denies": doc(
        st("Allow", "*", "sts:*"),
        *(
            st(
                "Deny",
                "*",
                "sts:*",
                {
                    "StringNotEquals": {"aws:PrincipalOrgID": [f"o-{i}a", f"o-{i}b"]},
                    "StringNotLike": {"aws:PrincipalArn": f"arn:aws:iam::*:role/r{i}"},
                },
            )
            for i in range(20)
        ),
    ),
}


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    roles = tuple(
        Role(f"r{i}", f"arn:aws:iam::{ACCOUNT}:role/r{i}", NOW, TRUSTS[i % len(TRUSTS)])
        for i in range(count)
    )
    snapshot = Snapshot(ACCOUNT, NOW, roles=roles, organization=Organization(ORG))
    config = Config(trust=TrustSettings(oidc_owners=("github:my-org",)))
    print(f"{count} roles, {len(TRUSTS)} kinds of trust")
    start = time.perf_counter()
    results = run_checks(snapshot, config, CHECKS)
    elapsed = time.perf_counter() - start
    print(f"4 role-trust checks: {len(results)} results in {elapsed:.2f} s")
    context = TrustContext(ACCOUNT, ORG)
    for name, document in HOSTILE.items():
        start = time.perf_counter()
        assumers = who_can_assume(document, context)
        admission = assumers.admits(f"arn:aws:iam::{ACCOUNT}:role/r0")
        elapsed = time.perf_counter() - start
        print(
            f"hostile trust '{name}': {len(assumers.entries)} assumers, admits r0: "
            f"{admission is not None}, in {elapsed * 1000:.1f} ms"
        )


if __name__ == "__main__":
    main()
