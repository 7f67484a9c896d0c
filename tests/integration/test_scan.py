"""End to end: moto's server over HTTP, the real ``iamgate`` command as a subprocess."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from iamgate.demo.seed import seed_clean
from iamgate.demo.standin import MotoAccount

ACCOUNT = "123456789012"
SUPPORT = "arn:aws:iam::aws:policy/AWSSupportAccess"


def user_arn(name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:user/{name}"


def make_clean(aws: MotoAccount) -> Any:
    """An account that passes every core check (the one clean seeder, also the Action's)."""
    seed_clean(aws)
    return aws.client("iam")


def seed_mistakes(aws: MotoAccount) -> None:
    iam = make_clean(aws)
    iam.create_user(UserName="bob")  # console password without MFA
    iam.create_login_profile(UserName="bob", Password="Not-a-real-Passw0rd!")
    aws.set_password_last_used("bob", 1)
    iam.create_user(UserName="ci")  # an access key 200 days old, used yesterday
    iam.create_access_key(UserName="ci")
    aws.age_user("ci", 300)
    aws.age_key("ci", 0, created_days=200, used_days=1)
    iam.create_group(GroupName="admins")
    iam.attach_group_policy(
        GroupName="admins", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess"
    )
    iam.add_user_to_group(GroupName="admins", UserName="ci")


# ci's admin rights, seen by the least-privilege checks too (once: an administrator passes
# policy-privilege-escalation, "already full administrator").
ADMIN_EXCEPTIONS = "".join(
    f"""  - check: {check}
    resource: {resource}
    reason: Admin group, membership reviewed monthly
    owner: security
    expires: 2099-01-01
"""
    for check, resource in [("principal-admin-access", user_arn("ci"))]
)


def junit_cases(path: Path) -> dict[tuple[str, str], str]:
    root = ET.parse(path).getroot()
    cases = {}
    for case in root.iter("testcase"):
        kinds = [c.tag for c in case if c.tag in ("failure", "skipped", "error")]
        cases[(case.get("classname", ""), case.get("name", ""))] = kinds[0] if kinds else "pass"
    return cases


def test_clean_account_passes(aws: MotoAccount, iamgate: Any) -> None:
    make_clean(aws)
    run = iamgate("scan", "--output-dir", "out")
    assert run.code == 0, run.stderr
    assert "iamgate: PASS: 0 new" in run.stderr
    results = run.json()
    assert results["verdict"] == "pass"
    assert {f["status"] for f in results["findings"]} == {"pass"}
    assert "Traceback" not in run.stderr


def test_scan_reports_every_seeded_mistake(aws: MotoAccount, iamgate: Any) -> None:
    seed_mistakes(aws)
    run = iamgate("scan", "--output-dir", "out")
    assert run.code == 1, run.stderr
    results = run.json()
    failing = {(f["check"], f["resource"]) for f in results["findings"] if f["status"] == "fail"}
    assert failing == {
        ("user-console-mfa", user_arn("bob")),
        ("user-access-key-rotation", user_arn("ci")),
        ("group-admin-access", f"arn:aws:iam::{ACCOUNT}:group/admins"),
        # ci is an administrator through the admins group: reported once, here
        ("principal-admin-access", user_arn("ci")),
    }
    by = {(f["check"], f["resource"]): f for f in results["findings"]}
    escalation = by[("policy-privilege-escalation", user_arn("ci"))]
    assert escalation["status"] == "pass"
    assert escalation["message"] == (
        "user/ci is already full administrator (see principal-admin-access)"
    )
    rotation = next(f for f in results["findings"] if f["check"] == "user-access-key-rotation")
    assert "access key 1 is 200 days old" in rotation["message"]
    assert results["counts"]["new"] == 4
    cases = junit_cases(run.cwd / "out/junit.xml")
    assert cases[("iamgate.user-console-mfa", user_arn("bob"))] == "failure"
    assert (
        cases[("iamgate.group-admin-access", f"arn:aws:iam::{ACCOUNT}:group/admins")] == "failure"
    )
    assert cases[("iamgate.root-mfa", f"arn:aws:iam::{ACCOUNT}:root")] == "pass"
    summary = run.text("out/summary.md")
    assert "❌ FAIL" in summary
    assert "| user-console-mfa" in summary
    snapshot = run.json("out/snapshot.json")
    assert snapshot["account_id"] == ACCOUNT
    # Printed too: the summary on stdout, the one-line verdict on stderr.
    assert "### New failures (4)" in run.stdout
    assert "iamgate: FAIL: 4 new" in run.stderr


def test_baseline_accepts_expires_and_reports_stale(
    aws: MotoAccount, iamgate: Any, tmp_path: Path
) -> None:
    seed_mistakes(aws)
    (tmp_path / "baseline.yml").write_text(f"""version: 1
account: "{ACCOUNT}"
exceptions:
  - check: user-console-mfa
    resource: {user_arn("bob")}
    reason: Break-glass account
    owner: security
    expires: 2099-01-01
  - check: user-access-key-rotation
    resource: {user_arn("ci")}
    reason: Vendor rotates quarterly
    owner: platform
    expires: 2020-01-01
  - check: group-admin-access
    resource: arn:aws:iam::{ACCOUNT}:group/admins
    reason: Admin group, membership reviewed monthly
    owner: security
    expires: 2099-01-01
  - check: user-console-mfa
    resource: {user_arn("gone")}
    reason: Left the company
    owner: security
    expires: 2099-01-01
{ADMIN_EXCEPTIONS}""")
    run = iamgate("scan", "--baseline", "baseline.yml", "--output-dir", "out")
    assert run.code == 1, run.stderr  # the expired exception fails the gate
    results = run.json()
    by = {(f["check"], f["resource"]): f for f in results["findings"]}
    assert by[("user-console-mfa", user_arn("bob"))]["status"] == "accepted"
    expired = by[("user-access-key-rotation", user_arn("ci"))]
    assert expired["status"] == "expired"
    assert "exception expired on 2020-01-01" in expired["message"]
    assert [e["resource"] for e in results["stale_exceptions"]] == [user_arn("gone")]
    assert results["counts"] == {
        "new": 0,
        "expired": 1,
        "accepted": 3,
        "stale": 1,
        "passed": results["counts"]["passed"],
        "errors": 0,
    }
    cases = junit_cases(run.cwd / "out/junit.xml")
    assert cases[("iamgate.user-console-mfa", user_arn("bob"))] == "skipped"
    assert cases[("iamgate.user-access-key-rotation", user_arn("ci"))] == "failure"
    root = ET.parse(run.cwd / "out/junit.xml").getroot()
    assert root.get("skipped") == "3"


def test_only_new_failures_fail_the_gate(aws: MotoAccount, iamgate: Any, tmp_path: Path) -> None:
    seed_mistakes(aws)
    entries = "".join(
        f"""  - check: {check}
    resource: {resource}
    reason: Accepted for the test
    owner: security
    expires: 2099-01-01
"""
        for check, resource in [
            ("user-console-mfa", user_arn("bob")),
            ("user-access-key-rotation", user_arn("ci")),
            ("group-admin-access", f"arn:aws:iam::{ACCOUNT}:group/admins"),
        ]
    )
    entries += ADMIN_EXCEPTIONS
    (tmp_path / "b.yml").write_text(f'version: 1\naccount: "{ACCOUNT}"\nexceptions:\n{entries}')
    run = iamgate("scan", "--baseline", "b.yml")
    assert run.code == 0, run.stderr
    assert "iamgate: PASS: 0 new, 0 expired, 4 accepted" in run.stderr


def test_baseline_for_another_account_is_bad_input(
    aws: MotoAccount, iamgate: Any, tmp_path: Path
) -> None:
    (tmp_path / "b.yml").write_text('version: 1\naccount: "999999999999"\nexceptions: []\n')
    run = iamgate("scan", "--baseline", "b.yml", "--output-dir", "out")
    assert run.code == 2
    assert "b.yml:2: baseline is for account 999999999999" in run.stderr
    assert not (tmp_path / "out").exists()


def test_collect_then_evaluate_offline_gives_the_same_findings(
    aws: MotoAccount, iamgate: Any, offline: Any
) -> None:
    seed_mistakes(aws)
    collected = iamgate("collect", "--output", "snap.json")
    assert collected.code == 0, collected.stderr
    scanned = iamgate("scan", "--json", "scan.json")
    evaluated = offline("evaluate", "snap.json", "--json", "eval.json")
    assert evaluated.code == scanned.code == 1

    def key(doc: dict[str, Any]) -> set[tuple[str, str, str]]:
        return {(f["check"], f["resource"], f["status"]) for f in doc["findings"]}

    assert key(evaluated.json("eval.json")) == key(scanned.json("scan.json"))
    calls = collected.json("snap.json")["api_calls"]
    assert calls["iam:GetAccountAuthorizationDetails"] == 1
    assert calls["sts:GetCallerIdentity"] == 1


def test_calls_grow_with_pages_not_users(aws: MotoAccount, iamgate: Any) -> None:
    iam = aws.client("iam")
    counts = []
    for n in (2, 25):
        for i in range(len(counts) and 2, n):
            iam.create_user(UserName=f"u{i}")
            iam.create_access_key(UserName=f"u{i}")
        run = iamgate("collect", "--output", f"s{n}.json", "--regions", "us-east-1")
        assert run.code == 0, run.stderr
        calls = run.json(f"s{n}.json")["api_calls"]
        # Polling the report depends on whether one is ready, not on the number of users.
        assert calls.pop("iam:GenerateCredentialReport") <= 2
        counts.append(calls)
    assert counts[0] == counts[1]
    assert sum(counts[1].values()) <= 12


def test_step_summary_and_fail_on(aws: MotoAccount, iamgate: Any, tmp_path: Path) -> None:
    seed_mistakes(aws)
    summary = tmp_path / "step-summary.md"
    summary.write_text("earlier step\n")
    run = iamgate(
        "scan", "--fail-on", "critical", "--quiet", env={"GITHUB_STEP_SUMMARY": str(summary)}
    )
    # Only high/medium findings: reported, but below the threshold.
    assert run.code == 0, run.stderr
    assert run.stdout == ""
    text = summary.read_text()
    assert text.startswith("earlier step\n")
    assert "below the fail-on threshold" in text


def test_config_changes_thresholds_and_says_so(
    aws: MotoAccount, iamgate: Any, tmp_path: Path
) -> None:
    seed_mistakes(aws)
    (tmp_path / "iamgate.toml").write_text("[thresholds]\naccess_key_max_age_days = 365\n")
    run = iamgate("scan", "--json", "r.json")
    assert "thresholds.access_key_max_age_days = 365 (default 90) from iamgate.toml" in run.stderr
    findings = run.json("r.json")["findings"]
    rotation = next(f for f in findings if f["check"] == "user-access-key-rotation")
    assert rotation["status"] == "pass"
    assert any("access_key_max_age_days = 365" in n for n in run.json("r.json")["notes"])


def test_progress_only_when_asked_outside_a_terminal(aws: MotoAccount, iamgate: Any) -> None:
    make_clean(aws)
    quiet = iamgate("scan")
    assert "GetAccountAuthorizationDetails: page 1" not in quiet.stderr
    verbose = iamgate("scan", "--verbose")
    assert "GetAccountAuthorizationDetails: page 1" in verbose.stderr


def test_unreachable_endpoint_exits_3(aws: MotoAccount, iamgate: Any, tmp_path: Path) -> None:
    (tmp_path / "iamgate.toml").write_text("[collect]\nmax_attempts = 1\nconnect_timeout = 1\n")
    run = iamgate("scan", "--output-dir", "out", env={"AWS_ENDPOINT_URL": "http://127.0.0.1:9"})
    assert run.code == 3
    assert "could not collect" in run.stderr
    assert "Traceback" not in run.stderr
    assert not (tmp_path / "out" / "junit.xml").exists()


def test_role_arn_and_profile_are_honoured(aws: MotoAccount, iamgate: Any, tmp_path: Path) -> None:
    make_clean(aws)
    creds = tmp_path / "credentials"
    creds.write_text("[audit]\naws_access_key_id = testing\naws_secret_access_key = testing\n")
    env = {
        "AWS_SHARED_CREDENTIALS_FILE": str(creds),
        "AWS_ACCESS_KEY_ID": "",
        "AWS_SECRET_ACCESS_KEY": "",
    }
    role = f"arn:aws:iam::{ACCOUNT}:role/support"
    run = iamgate(
        "collect",
        "-o",
        "s.json",
        "--profile",
        "audit",
        "--role-arn",
        role,
        "--external-id",
        "ext-1",
        "--role-session-name",
        "nightly",
        env=env,
    )
    assert run.code == 0, run.stderr
    snapshot = run.json("s.json")
    assert snapshot["caller_arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/support/nightly"
    assert snapshot["api_calls"]["sts:AssumeRole"] == 1
    missing = iamgate("collect", "-o", "s.json", "--profile", "nobody", env=env)
    assert missing.code == 2  # a setting to fix, not an account that could not be read
    assert "--profile: AWS profile 'nobody' is in neither" in missing.stderr
