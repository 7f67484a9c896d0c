"""``iamgate plan`` as a user runs it: offline on a saved snapshot, and against an account it
collects itself; the reports, the annotations and the Action's outputs it leaves behind."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from iamgate.demo.run import demo_plan_path
from iamgate.demo.standin import MotoAccount
from testing.cli import DATA

SNAPSHOT = DATA / "demo-snapshot.json"
A = "arn:aws:iam::123456789012"
INTRODUCED = {
    ("role-trust-federated-subject", f"{A}:role/ci-release-prod"),
    ("role-trust-public", f"{A}:role/ci-release-prod"),
    ("policy-privilege-escalation", f"{A}:role/ci-release-prod"),
    ("policy-privilege-escalation", f"{A}:user/alice"),
}


def test_a_plan_of_the_demo_account_offline(offline: Any) -> None:
    run = offline(
        "plan",
        "--snapshot",
        str(SNAPSHOT),
        "--terraform",
        str(demo_plan_path()),
        "--output-dir",
        "out",
        "--annotations",
    )
    assert run.code == 1, run.stderr
    results = run.json()
    introduced = {
        (f["check"], f["resource"]) for f in results["findings"] if f.get("change") == "introduced"
    }
    assert introduced == INTRODUCED
    assert results["plan"]["introduced"] == 4
    assert results["plan"]["fixed_findings"][0]["origin"] == {
        "address": "aws_iam_role.shared_reports"
    }
    alice = next(
        f
        for f in results["findings"]
        if f["resource"] == f"{A}:user/alice" and f["check"] == "policy-privilege-escalation"
    )
    assert alice["origin"]["address"] == "aws_iam_role.deployer"
    assert alice["origin"]["hop"].startswith("user/alice → sts:AssumeRole")
    # The summary leads with the change; only what it introduces is annotated.
    assert run.stdout.splitlines()[2].startswith(
        "**This change introduces 4 findings and fixes 1**"
    )
    errors = [line for line in run.stdout.splitlines() if line.startswith("::error")]
    assert len(errors) == 4
    assert all("caused by" in line for line in errors)
    assert "This change introduces 4 findings" in run.text("out/report.html")
    # The account after is no account that was read: no snapshot.json, and the notes say so.
    assert not (run.cwd / "out" / "snapshot.json").exists()
    assert "this is the account as" in run.text("out/summary.md")
    # The Action's outputs, read from this results.json.
    outputs = offline("github-outputs", "--output-dir", "out", "--exit-code", str(run.code))
    assert "verdict=fail" in outputs.stdout.splitlines()


def test_a_plan_against_the_account_it_collects(
    aws: MotoAccount, iamgate: Any, tmp_path: Path
) -> None:
    """Without --snapshot the account is read as ``scan`` reads it (an empty one here)."""
    (tmp_path / "roles.yml").write_text(
        """Resources:
  Anyone:
    Type: AWS::IAM::Role
    Properties:
      RoleName: anyone
      AssumeRolePolicyDocument:
        Version: 2012-10-17
        Statement: [{Effect: Allow, Principal: {AWS: "*"}, Action: "sts:AssumeRole"}]
""",
        encoding="utf-8",
    )
    run = iamgate(
        "plan", "--cloudformation", "roles.yml", "--regions", "us-east-1", "--output-dir", "out"
    )
    assert run.code == 1, run.stderr
    found = {
        (f["check"], f["change"], json.dumps(f.get("origin")))
        for f in run.json()["findings"]
        if f["resource"] == f"{A}:role/anyone" and f["status"] == "fail"
    }
    origin = json.dumps({"address": "Anyone", "file": "roles.yml", "line": 2})
    assert ("role-trust-public", "introduced", origin) in found


def test_a_plan_whose_addresses_carry_commands_prints_them_as_text(
    offline: Any, tmp_path: Path
) -> None:
    """A for_each key is any text the pull request writes: shown, never run."""
    from testing.plans import ROLE_UNKNOWN, create, plan, role_values, trust

    key = '"\\n::error::pwned ##[add-mask]x"'
    hostile = f"aws_iam_role.r[{key}]"
    public = role_values("wide-open", trust({"AWS": "*"}))
    (tmp_path / "plan.json").write_text(
        json.dumps(plan(create(hostile, public, ROLE_UNKNOWN))), encoding="utf-8"
    )
    args = ["plan", "--snapshot", str(SNAPSHOT), "--terraform", "plan.json", "--verbose"]
    run = offline(*args, "--output-dir", "out")
    assert run.code == 1, run.stderr
    for stream in (run.stdout, run.stderr):
        for line in stream.splitlines():
            assert not line.lstrip().startswith("::"), line
            assert "##[" not in line, line
    assert "::error::pwned #\\#[add-mask]x" in run.stdout  # shown, escaped
    origins = [f.get("origin") for f in run.json()["findings"] if f.get("change") == "introduced"]
    assert {"address": hostile} in origins  # results.json keeps the exact text
