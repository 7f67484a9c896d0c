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
    # The CSV says what the change does to each finding and what causes it; the hostile
    # formula guard applies to the cause as to every cell.
    import csv as csv_module

    rows = list(csv_module.DictReader(run.text("out/results.csv").splitlines()))
    assert list(rows[0])[-2:] == ["change", "caused_by"]
    caused = {
        (r["check"], r["resource"]): r["caused_by"] for r in rows if r["change"] == "introduced"
    }
    assert set(caused) == INTRODUCED
    assert caused[("policy-privilege-escalation", f"{A}:user/alice")] == "aws_iam_role.deployer"
    assert {r["change"] for r in rows} <= {"introduced", "fixed", "unchanged"}
    # The account after is no account that was read: no snapshot.json, and the notes say so.
    assert not (run.cwd / "out" / "snapshot.json").exists()
    assert "this is the account as" in run.text("out/summary.md")
    # The Action's outputs, read from this results.json.
    outputs = offline("github-outputs", "--output-dir", "out", "--exit-code", str(run.code))
    assert "verdict=fail" in outputs.stdout.splitlines()


def test_a_plan_against_the_account_it_collects(
    aws: MotoAccount, iamgate: Any, tmp_path: Path
) -> None:
    """Without --snapshot the account is read as ``scan`` reads it (an empty one here), and so
    are the documents of the AWS-managed policies the change attaches that it holds nowhere."""
    (tmp_path / "roles.yml").write_text(
        """Resources:
  Anyone:
    Type: AWS::IAM::Role
    Properties:
      RoleName: anyone
      AssumeRolePolicyDocument:
        Version: 2012-10-17
        Statement: [{Effect: Allow, Principal: {AWS: "*"}, Action: "sts:AssumeRole"}]
  Fn:
    Type: AWS::IAM::Role
    Properties:
      RoleName: fn
      AssumeRolePolicyDocument:
        Version: 2012-10-17
        Statement:
          - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: "sts:AssumeRole"}
      ManagedPolicyArns: [arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]
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
    judged = {
        f["check"]: f["status"]
        for f in run.json()["findings"]
        if f["resource"] == f"{A}:role/fn" and f["check"].endswith("admin-access")
    }
    assert judged == {"principal-admin-access": "pass"}
    assert not [
        f for f in run.json()["findings"] if f["change"] == "introduced" and f["status"] == "error"
    ]


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
    assert "::error::pwned ##\\[add-mask\\]x" in run.stdout  # shown, escaped (markdown)
    origins = [f.get("origin") for f in run.json()["findings"] if f.get("change") == "introduced"]
    assert {"address": hostile} in origins  # results.json keeps the exact text


def test_a_plans_sarif_reports_what_the_change_introduces_at_its_template_line(
    offline: Any, tmp_path: Path
) -> None:
    """Code scanning on a pull request shows what the pull request causes, where it is written:
    the template's line; the account's existing findings stay with the nightly run."""
    import jsonschema

    from testing.cli import DATA as data

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
    run = offline(
        "plan", "--snapshot", str(SNAPSHOT), "--cloudformation", "roles.yml", "--output-dir", "out"
    )
    assert run.code == 1, run.stderr
    sarif = json.loads(run.text("out/results.sarif"))
    schema = json.loads((data / "schemas" / "sarif-schema-2.1.0.json").read_text("utf-8"))
    jsonschema.Draft4Validator(schema).validate(sarif)
    results = sarif["runs"][0]["results"]
    introduced = {
        (f["check"], f["resource"])
        for f in run.json()["findings"]
        if f.get("change") == "introduced" and f["status"] == "fail"
    }
    assert introduced  # the public trust, at least
    named = {
        (r["ruleId"], r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"])
        for r in results
    }
    assert named == introduced  # the demo account's own failures are not in it
    public = next(r for r in results if r["ruleId"] == "role-trust-public")
    where = public["locations"][0]["physicalLocation"]
    assert where == {"artifactLocation": {"uri": "roles.yml"}, "region": {"startLine": 2}}
    assert "caused by Anyone (roles.yml:2)" in public["message"]["text"]
    # The Action's outputs: "new" counts only what the change introduces.
    outputs = offline("github-outputs", "--output-dir", "out", "--exit-code", str(run.code))
    lines = outputs.stdout.splitlines()
    assert f"new={len(introduced)}" in lines
    assert f"introduced={run.json()['plan']['introduced']}" in lines
    assert "fixed=0" in lines
