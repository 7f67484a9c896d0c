"""What applying an organization's SCPs and RCPs costs the check phase (issue 22).

    python benchmarks/bench_org.py [roles] [--repeat K]

On the role-heavy synthetic account (``synthetic_roles.py``, 5,000 roles by default), the check
phase of every check runs in this process, in turn, ``--repeat`` (3) times, for three copies of
the snapshot that differ only in ``organization_policies``:

- ``none``: not read (IAM policies alone: the verdicts before issue 22);
- ``full``: the root, two OUs and the account with FullAWSAccess and RCPFullAWSAccess only;
- ``guardrails``: the same with a Deny of organizations:LeaveOrganization at the root, a Deny of
  IAM writes for all but one role (a condition decided per principal) on an OU, and an RCP that
  denies sts:AssumeRole from outside the organization (then the escalation check also builds
  the IAM-only graph, to say which step an SCP closes).

It prints the median CPU of each, its ratio to ``none``, and how many results changed status.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic_roles import synthetic_role_snapshot

from iamgate.checks import REGISTRY
from iamgate.checks.context import Context
from iamgate.checks.runner import run_check
from iamgate.model.config import Config
from iamgate.model.org_policies import (
    OrganizationPolicies,
    OrgLevel,
    OrgPolicy,
    PolicyType,
    TargetKind,
)
from iamgate.model.snapshot import Organization

ORG = "o-bench12345"


def _doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


FULL = OrgPolicy(
    "p-FullAWSAccess",
    "FullAWSAccess",
    _doc({"Effect": "Allow", "Action": "*", "Resource": "*"}),
    aws_managed=True,
)
RCP_FULL = OrgPolicy(
    "p-RCPFullAWSAccess",
    "RCPFullAWSAccess",
    _doc({"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}),
    aws_managed=True,
)


def _guardrails(account: str) -> tuple[tuple[OrgPolicy, ...], ...]:
    leave = OrgPolicy(
        "p-leave123",
        "deny-leave",
        _doc({"Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}),
    )
    writes = OrgPolicy(
        "p-writes12",
        "iam-writes-only-admin",
        _doc(
            {
                "Effect": "Deny",
                "Action": ["iam:Put*", "iam:Attach*", "iam:Create*", "iam:Update*"],
                "Resource": "*",
                "Condition": {
                    "ArnNotLike": {"aws:PrincipalArn": f"arn:aws:iam::{account}:role/admin-*"}
                },
            }
        ),
    )
    return ((FULL, leave), (FULL,), (FULL, writes), (FULL,))


def _rcp() -> OrgPolicy:
    return OrgPolicy(
        "p-outside1",
        "deny-outside",
        _doc(
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "sts:AssumeRole",
                "Resource": "*",
                "Condition": {
                    "StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORG},
                    "BoolIfExists": {"aws:PrincipalIsAWSService": "false"},
                },
            }
        ),
    )


def organization(account: str, guarded: bool) -> OrganizationPolicies:
    scps = _guardrails(account) if guarded else ((FULL,),) * 4
    rcps = ((RCP_FULL,), (RCP_FULL,), (RCP_FULL, _rcp()), (RCP_FULL,)) if guarded else None
    kinds = (TargetKind.ROOT, TargetKind.OU, TargetKind.OU, TargetKind.ACCOUNT)
    ids = ("r-ab12", "ou-ab12-aaaaaaaa", "ou-ab12-bbbbbbbb", account)
    levels = tuple(
        OrgLevel(target, kind, level_scps, (rcps[i] if rcps else (RCP_FULL,)))
        for i, (target, kind, level_scps) in enumerate(zip(ids, kinds, scps, strict=True))
    )
    return OrganizationPolicies(ORG, "999999999999", (PolicyType.SCP, PolicyType.RCP), levels)


def check_phase(snapshot: Any) -> tuple[float, dict[tuple[str, str], bool | None]]:
    ctx = Context(snapshot, Config())
    statuses: dict[tuple[str, str], bool | None] = {}
    started = time.process_time()
    for check_id, chk in REGISTRY.items():
        for result in run_check(chk, snapshot, ctx):
            statuses[(check_id, result.resource)] = result.passed
    return time.process_time() - started, statuses


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("roles", nargs="?", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    base = synthetic_role_snapshot(args.roles)
    account = base.account_id
    base = replace(base, organization=Organization(ORG, "999999999999"))
    variants = {
        "none": replace(base, organization_policies=None),
        "full": replace(base, organization_policies=organization(account, False)),
        "guardrails": replace(base, organization_policies=organization(account, True)),
    }
    times: dict[str, list[float]] = {name: [] for name in variants}
    statuses: dict[str, dict[tuple[str, str], bool | None]] = {}
    for _ in range(args.repeat):
        for name, snapshot in variants.items():
            cpu, statuses[name] = check_phase(snapshot)
            times[name].append(cpu)
    print(f"roles={args.roles} users={len(base.users)} repeat={args.repeat}")
    floor = statistics.median(times["none"])
    for name, cpus in times.items():
        median = statistics.median(cpus)
        changed = sum(
            1 for key, passed in statuses[name].items() if statuses["none"].get(key) != passed
        )
        print(
            f"{name:>10}: check phase median CPU {median:.2f} s "
            f"({median / floor:.2f}x none); results {len(statuses[name])}, "
            f"changed status vs none {changed}"
        )


if __name__ == "__main__":
    main()
