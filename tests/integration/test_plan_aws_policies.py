"""``iamgate plan`` of the most common serverless change, a new Lambda role with an AWS-managed
policy the account holds nowhere, as a user runs it (moto's server loads AWS-managed policies:
``MOTO_IAM_LOAD_MANAGED_POLICIES``): read live, read with ``--read-missing-policies``, recorded in
the snapshot by ``[collect] aws_managed_policies``; and, beside each, the same change whose
document cannot be had, an error that says how to supply it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from iamgate.demo.standin import MotoAccount
from testing.cli import DATA, run_cli, without_ci

A = "arn:aws:iam::123456789012"
BASIC = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
TYPO = "arn:aws:iam::aws:policy/AWSLambdaBasicExecutionRole"  # it lives under service-role/
SNAPSHOT = DATA / "demo-snapshot.json"  # holds neither document
READS = {"principal-admin-access", "policy-privilege-escalation", "group-admin-access"}


def template(tmp_path: Path, **roles: str) -> str:
    """A stack of Lambda roles, each with one AWS-managed policy."""
    lines = ["Resources:"]
    for logical, arn in roles.items():
        lines += [
            f"  {logical}:",
            "    Type: AWS::IAM::Role",
            "    Properties:",
            f"      RoleName: {logical.lower()}",
            "      AssumeRolePolicyDocument:",
            "        Version: 2012-10-17",
            "        Statement:",
            "          - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, "
            'Action: "sts:AssumeRole"}',
            f"      ManagedPolicyArns: [{arn}]",
        ]
    (tmp_path / "fn.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return "fn.yml"


def results_on(run: Any, role: str) -> dict[str, dict[str, Any]]:
    """The role's findings by check (of the checks that read AWS-managed documents)."""
    return {
        f["check"]: f
        for f in run.json()["findings"]
        if f["resource"] == f"{A}:role/{role}" and f["check"] in READS
    }


def test_offline_without_the_document_is_an_error_that_says_how_to_supply_it(
    offline: Any, tmp_path: Path
) -> None:
    fn = template(tmp_path, Fn=BASIC)
    run = offline(
        "plan", "--snapshot", str(SNAPSHOT), "--cloudformation", fn, "--output-dir", "out"
    )
    assert run.code == 3, run.stderr
    found = results_on(run, "fn")
    assert found["principal-admin-access"]["status"] == "error"
    message = found["principal-admin-access"]["message"]
    assert BASIC in message
    assert "--read-missing-policies" in message
    assert "[collect] aws_managed_policies" in message
    assert "plan without --snapshot" in message
    assert found["principal-admin-access"]["origin"] == {
        "address": "Fn",
        "file": "fn.yml",
        "line": 2,
    }


def test_read_missing_policies_reads_only_those_and_judges_the_change(
    moto_server: MotoAccount, tmp_path: Path
) -> None:
    """The near-miss pair in one stack: the policy that exists is read and judged; the one
    misspelt (no such policy) is an error naming AWS's answer. (No reset: only AWS-managed
    policies are read, and moto holds them all.)"""
    fn = template(tmp_path, Fn=BASIC, Typo=TYPO)
    run = run_cli(
        ["plan", "--snapshot", str(SNAPSHOT), "--cloudformation", fn, "--read-missing-policies",
         "--output-dir", "out", "--verbose"],
        without_ci(moto_server.env()),
        tmp_path,
    )  # fmt: skip
    assert run.code == 3, run.stderr
    judged = results_on(run, "fn")
    assert judged["principal-admin-access"]["status"] == "pass"
    assert judged["policy-privilege-escalation"]["status"] == "pass"
    typo = results_on(run, "typo")["principal-admin-access"]
    assert typo["status"] == "error"
    assert f"{TYPO}, which the change attaches, could not be read: GetPolicy" in typo["message"]
    assert "NoSuchEntity" in typo["message"]
    # Read-only, and only what the snapshot lacks: two policies, no collection.
    assert "GetPolicyVersion: 1 AWS-managed policies the change attaches" in run.stderr
    assert "GetAccountAuthorizationDetails" not in run.stderr


def test_a_snapshot_that_records_the_policy_judges_the_change_offline(
    aws: MotoAccount, iamgate: Any, offline: Any, tmp_path: Path
) -> None:
    """The nightly snapshot made with [collect] aws_managed_policies is enough: no AWS at plan
    time (the same plan on a snapshot without it is the error above)."""
    (tmp_path / "iamgate.toml").write_text(
        f'[collect]\naws_managed_policies = ["{BASIC}"]\n', encoding="utf-8"
    )
    collected = iamgate("collect", "-o", "snapshot.json", "--regions", "us-east-1")
    assert collected.code == 0, collected.stderr
    snapshot = json.loads((tmp_path / "snapshot.json").read_text(encoding="utf-8"))
    (recorded,) = [p for p in snapshot["policies"] if p["arn"] == BASIC]
    assert recorded["attachment_count"] == 0
    fn = template(tmp_path, Fn=BASIC)
    run = offline(
        "plan", "--snapshot", "snapshot.json", "--cloudformation", fn, "--output-dir", "out"
    )
    assert run.code == 0, run.stdout + run.stderr
    assert {f["status"] for f in results_on(run, "fn").values()} == {"pass"}
