"""Globs written to stall the gate: anyone who can write a policy or a baseline entry chooses
them. The real command must answer (within the subprocess timeout: a backtracking matcher took
minutes here) and answer right. How fast is measured in benchmarks/, not asserted here."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from iamgate.formats.snapshot_json import snapshot_to_json
from testing.factories import ACCOUNT, ADMIN, arn, doc, role, snap, user

STARS = 300


def test_policy_globs_with_hundreds_of_stars(offline: Any, tmp_path: Path) -> None:
    spread = "i*a*m*:*P*a*s*s*R*o*l*e*"  # still iam:PassRole, one star per letter
    never = "*a" * STARS + "b"  # almost matches every action: the backtracking shape
    deploy = doc(
        {
            "Sid": "Deploy",
            "Effect": "Allow",
            # lambda:CreateFunction and lambda:InvokeFunction, a star between every letter
            "Action": [spread, "l*a*m*b*d*a*:*F*u*n*c*t*i*o*n*", never],
            "Resource": ["arn:aws:*" + "*a" * STARS + "b", "*"],
        }
    )
    nothing = doc({"Effect": "Allow", "Action": [never, "iam:" + never], "Resource": "*"})
    # What the deployer could pass to a function it creates: an administrator Lambda carries.
    carried = doc(
        {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    )
    snapshot = snap(
        roles=(
            role("deployer", inline={"deploy": deploy}),
            role("reader"),
            role("ops-admin", carried, attached=(ADMIN.arn,)),
        ),
        users=(user("harmless", inline={"p": nothing}),),
        policies=(ADMIN,),
    )
    (tmp_path / "s.json").write_text(snapshot_to_json(snapshot), encoding="utf-8")
    run = offline(
        "evaluate",
        "s.json",
        "--checks",
        "policy-privilege-escalation,principal-admin-access",
        "--json",
        "r.json",
    )
    assert run.code == 1, run.stderr
    found = {
        (f["check"], f["resource"]): f
        for f in json.loads((tmp_path / "r.json").read_text())["findings"]
    }
    escalation = found[("policy-privilege-escalation", arn("role", "deployer"))]
    assert escalation["status"] == "fail"
    # The spread glob matches case-insensitively, as IAM does: i*a*m*:*P*a*s*s*R*o*l*e* also
    # grants iam:UpdateAssumeRolePolicy (uPdAte-aSSume-ROLE), the shortest path to ops-admin.
    assert "iam:UpdateAssumeRolePolicy (statement 'Deploy'" in escalation["message"]
    assert escalation["message"].endswith("role/ops-admin (full administrator)")
    assert found[("policy-privilege-escalation", arn("user", "harmless"))]["status"] == "pass"
    assert found[("principal-admin-access", arn("role", "deployer"))]["status"] == "pass"


def test_a_baseline_glob_with_hundreds_of_stars(offline: Any, tmp_path: Path) -> None:
    snapshot = snap(users=(user("bob"),))
    (tmp_path / "s.json").write_text(snapshot_to_json(snapshot), encoding="utf-8")
    hostile = f"arn:aws:iam::{ACCOUNT}:user/" + "*a" * STARS + "b"
    (tmp_path / "b.yml").write_text(
        f'version: 1\naccount: "{ACCOUNT}"\nexceptions:\n'
        f"  - check: policy-privilege-escalation\n    resource: {json.dumps(hostile)}\n"
        "    reason: r\n    owner: o\n    expires: 2026-07-01\n",
        encoding="utf-8",
    )
    run = offline(
        "evaluate",
        "s.json",
        "--baseline",
        "b.yml",
        "--as-of",
        "2026-06-01",
        "--checks",
        "policy-privilege-escalation",
        "--json",
        "r.json",
    )
    assert run.code == 0, run.stderr
    results = json.loads((tmp_path / "r.json").read_text())
    assert [e["resource"] for e in results["stale_exceptions"]] == [hostile]
