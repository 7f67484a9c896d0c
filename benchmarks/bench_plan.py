"""``iamgate plan`` of a 1,000-resource-change Terraform plan against a 10,000-user snapshot,
timed beside ``iamgate evaluate`` of the same snapshot (issue 19: at most 2x).

    python benchmarks/bench_plan.py                       # 10,000 users, 1,000 changes, 3 runs
    python benchmarks/bench_plan.py --users 20000 --changes 2000 --repeat 5

Both commands run as child processes in turn, ``--output-dir`` and every report included;
CPU (user + sys) and peak RSS are the kernel's (``os.wait4``), the ratio is the median of the
pairs. The snapshot is ``bench.py``'s synthetic one (every source present, no errors); the plan
follows Terraform's JSON format and mixes the shapes real plans have: new roles with trust
policies and inline policies, managed policies attached by reference (their ARNs known only
after apply), memberships, attachments to existing users, access keys, deletions and updates,
in modules with ``for_each`` keys. The data is generated before the timings.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import ACCOUNT, iamgate_cmd
from bench_scale import env, generate, machine, run

AWS = "registry.terraform.io/hashicorp/aws"
A = f"arn:aws:iam::{ACCOUNT}"


def _change(
    address: str, actions: list[str], before: Any, after: Any, unknown: Any
) -> dict[str, Any]:
    module, _, local = address.rpartition(".aws_")
    rtype, name = ("aws_" + local).split(".", 1)
    index = None
    if "[" in name:
        name, key = name.split("[", 1)
        index = json.loads(key.rstrip("]"))
    entry: dict[str, Any] = {"address": address, "mode": "managed", "type": rtype, "name": name}
    if module:
        entry["module_address"] = module
    if index is not None:
        entry["index"] = index
    entry["provider_name"] = AWS
    entry["change"] = {
        "actions": actions,
        "before": before,
        "after": after,
        "after_unknown": unknown,
    }
    return entry


def _doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def terraform_plan(changes: int, users: int) -> dict[str, Any]:
    """``changes`` resource changes in teams of ten: per team a role (its trust and an inline
    policy), a managed policy attached to it by reference, a user's membership, an attachment
    to an existing user, an access key, an update of an existing role's trust, and the deletion
    of an existing user's inline-free attachment."""
    out: list[dict[str, Any]] = []
    resources: list[dict[str, Any]] = []
    lambda_trust = _doc(
        {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    )
    for t in range(changes // 10):
        key = f'["team-{t}"]'
        module = f"module.teams{key}"
        role = f"team-{t}-runtime"
        out.append(
            _change(
                f"{module}.aws_iam_role.runtime",
                ["create"],
                None,
                {
                    "name": role,
                    "path": "/teams/",
                    "assume_role_policy": lambda_trust,
                    "permissions_boundary": None,
                },
                {
                    "arn": True,
                    "id": True,
                    "unique_id": True,
                    "inline_policy": True,
                    "managed_policy_arns": True,
                },
            )
        )
        out.append(
            _change(
                f"{module}.aws_iam_role_policy.runtime",
                ["create"],
                None,
                {
                    "name": "logs",
                    "role": role,
                    "policy": _doc(
                        {"Effect": "Allow", "Action": ["logs:PutLogEvents"], "Resource": "*"}
                    ),
                },
                {"id": True},
            )
        )
        out.append(
            _change(
                f"{module}.aws_iam_policy.deploy",
                ["create"],
                None,
                {
                    "name": f"team-{t}-deploy",
                    "path": "/",
                    "policy": _doc(
                        {
                            "Effect": "Allow",
                            "Action": ["s3:PutObject"],
                            "Resource": f"arn:aws:s3:::team-{t}/*",
                        }
                    ),
                },
                {"arn": True, "id": True, "policy_id": True, "attachment_count": True},
            )
        )
        out.append(
            _change(
                f"{module}.aws_iam_role_policy_attachment.deploy",
                ["create"],
                None,
                {"role": role},
                {"id": True, "policy_arn": True},
            )
        )
        user = f"user-{(t * 7) % users:06d}"
        out.append(
            _change(
                f"{module}.aws_iam_user_group_membership.member",
                ["create"],
                None,
                {"user": user, "groups": [f"team-{t % 50}"]},
                {"id": True},
            )
        )
        out.append(
            _change(
                f"{module}.aws_iam_user_policy_attachment.read",
                ["create"],
                None,
                {"user": user, "policy_arn": f"{A}:policy/app-{t % 200}"},
                {"id": True},
            )
        )
        new_user = f"svc-team-{t}"
        out.append(
            _change(
                f"{module}.aws_iam_user.service",
                ["create"],
                None,
                {"name": new_user, "path": "/", "permissions_boundary": None},
                {"arn": True, "id": True, "unique_id": True},
            )
        )
        out.append(
            _change(
                f"{module}.aws_iam_access_key.service",
                ["create"],
                None,
                {"user": new_user, "status": "Active"},
                {"id": True, "secret": True, "create_date": True},
            )
        )
        out.append(
            _change(
                f"{module}.aws_iam_group.team",
                ["create"],
                None,
                {"name": f"squad-{t}", "path": "/"},
                {"arn": True, "id": True},
            )
        )
        gone = f"user-{(t * 11 + 3) % users:06d}"
        out.append(
            _change(
                f"{module}.aws_iam_group_membership.squad",
                ["create"],
                None,
                {"name": f"squad-{t}", "group": f"squad-{t}", "users": [gone, new_user]},
                {"id": True},
            )
        )
    resources.append(
        {
            "address": "aws_iam_role_policy_attachment.deploy",
            "mode": "managed",
            "type": "aws_iam_role_policy_attachment",
            "name": "deploy",
            "expressions": {
                "policy_arn": {"references": ["aws_iam_policy.deploy.arn", "aws_iam_policy.deploy"]}
            },
        }
    )
    return {
        "format_version": "1.2",
        "terraform_version": "1.9.5",
        "planned_values": {"root_module": {}},
        "resource_changes": out,
        "configuration": {
            "root_module": {"module_calls": {"teams": {"module": {"resources": resources}}}}
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--changes", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory(prefix="iamgate-bench-plan-") as tmp:
        work = Path(tmp)
        started = time.perf_counter()
        generate("snapshot", work, args.users)
        plan = terraform_plan(args.changes, args.users)
        (work / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
        size = (work / "snapshot.json").stat().st_size / 1e6
        print(
            f"snapshot.json of {args.users:,} users ({size:.1f} MB), "
            f"plan.json of {len(plan['resource_changes']):,} resource changes "
            f"({(work / 'plan.json').stat().st_size / 1e6:.1f} MB): generated in "
            f"{time.perf_counter() - started:.1f} s, not timed",
            flush=True,
        )
        bench(work, args.repeat)


def bench(work: Path, repeat: int) -> None:
    evaluate = [*iamgate_cmd(), "evaluate", "snapshot.json", "--output-dir", "evaluate-out", "-q"]
    plan = [
        *iamgate_cmd(),
        "plan",
        "--snapshot",
        "snapshot.json",
        "--terraform",
        "plan.json",
        "--output-dir",
        "plan-out",
        "-q",
    ]
    children = env()
    pairs = []
    for i in range(repeat):
        e = run(evaluate, work, children)
        p = run(plan, work, children)
        pairs.append((e, p))
        print(
            f"  run {i + 1}: evaluate {e.cpu:6.2f} s cpu {e.wall:6.2f} s wall {e.rss_mb:5.0f} MB "
            f"(exit {e.code}) | plan {p.cpu:6.2f} s cpu {p.wall:6.2f} s wall {p.rss_mb:5.0f} MB "
            f"(exit {p.code})",
            flush=True,
        )
    cpu = statistics.median(p.cpu / e.cpu for e, p in pairs)
    wall = statistics.median(p.wall / e.wall for e, p in pairs)
    med = statistics.median
    print(f"  median of {repeat}:")
    for label, runs in (("evaluate", [e for e, _ in pairs]), ("plan", [p for _, p in pairs])):
        cpus, walls = (r.cpu for r in runs), (r.wall for r in runs)
        print(f"    {label + ':':9} {med(cpus):6.2f} s cpu, {med(walls):6.2f} s wall")
    print(
        f"    ratio plan / evaluate (median of the pairs): cpu {cpu:.2f}x, wall {wall:.2f}x; "
        f"target <= 2x: {'met' if cpu <= 2 else 'MISSED'} (cpu)"
    )
    results = json.loads((work / "plan-out" / "results.json").read_text(encoding="utf-8"))
    section = results["plan"]
    print(
        f"  plan: {section['resource_changes']:,} IAM resource changes, {section['introduced']:,} "
        f"findings introduced, {section['fixed']:,} fixed, {len(results['findings']):,} results, "
        f"{results['counts']['errors']} not evaluated"
    )


if __name__ == "__main__":
    main()
