"""The command as a user meets it: catalogue, demo, bad arguments (no AWS needed)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from iamgate.checks import REGISTRY
from iamgate.formats.snapshot_json import snapshot_to_json
from testing import SRC
from testing.factories import snap


def test_checks_lists_the_catalogue(offline: Any) -> None:
    table = offline("checks")
    assert table.code == 0
    for check_id in REGISTRY:
        assert check_id in table.stdout
    as_json = json.loads(offline("checks", "--format", "json").stdout)
    assert [c["id"] for c in as_json] == list(REGISTRY)
    root_mfa = next(c for c in as_json if c["id"] == "root-mfa")
    assert root_mfa["severity"] == "critical"
    assert root_mfa["cis"] == ["1.5"]
    assert root_mfa["fsbp"] == ["IAM.9"]


def test_checks_show(offline: Any) -> None:
    shown = offline("checks", "show", "user-access-key-rotation")
    assert shown.code == 0
    assert "Why:" in shown.stdout
    assert "Fix:" in shown.stdout
    unknown = offline("checks", "show", "nope")
    assert unknown.code == 2
    assert "unknown check 'nope'" in unknown.stderr


def test_unknown_check_selection_is_bad_input(offline: Any) -> None:
    run = offline("scan", "--checks", "root-mfa,not-a-check")
    assert run.code == 2
    assert "not-a-check" in run.stderr
    assert "Traceback" not in run.stderr


def test_bad_fail_on_is_a_usage_error(offline: Any, tmp_path: Path) -> None:
    # A snapshot that exists and evaluates: only the bad --fail-on can make it exit 2.
    (tmp_path / "s.json").write_text(snapshot_to_json(snap()), encoding="utf-8")
    assert offline("evaluate", "s.json", "--fail-on", "high", "--allow-partial").code == 0
    run = offline("evaluate", "s.json", "--fail-on", "severe", "--allow-partial")
    assert run.code == 2
    assert "--fail-on" in run.stderr
    assert "'severe' is not one of" in run.stderr


def test_demo_shows_every_status(offline: Any) -> None:
    run = offline("demo", "--output-dir", "demo")
    assert run.code == 1, run.stderr
    results = run.json("demo/results.json")
    statuses = {f["status"] for f in results["findings"]}
    assert statuses == {"pass", "fail", "accepted", "expired", "error"}
    # The one error: a user created after the (reused) credential report, never a pass.
    errors = {f["resource"] for f in results["findings"] if f["status"] == "error"}
    assert errors == {"arn:aws:iam::123456789012:user/late-joiner"}
    # An exception is stale only when its check ran and saw nothing failing: the user checks
    # said error for late-joiner, so their exceptions are not called stale; the certificate's is.
    stale = [e["resource"] for e in results["stale_exceptions"]]
    assert stale == ["arn:aws:iam::123456789012:server-certificate/retired-api"]
    summary = run.text("demo/summary.md")
    assert "expiring within 30 days" in summary
    names = (
        "junit.xml",
        "summary.md",
        "results.json",
        "snapshot.json",
        "results.csv",
        "results.sarif",
    )
    for name in names:
        assert (run.cwd / "demo" / name).is_file(), name
    failing = {f["check"] for f in results["findings"] if f["status"] == "fail"}
    # The seeded mistakes, one of each kind moto can show.
    assert {
        "root-mfa",
        "root-no-access-keys",
        "user-console-mfa",
        "user-access-key-rotation",
        "group-admin-access",
        "policy-full-admin",
        "user-direct-policies",
        "user-initial-access-key",
        "password-policy-min-length",
        "support-role",
        # least privilege, role trust, Access Analyzer (moto_analyzer) and monitoring
        "principal-admin-access",
        "policy-service-wildcard",
        "policy-privilege-escalation",
        "role-assume-any",
        "policy-full-admin-unattached",
        "role-trust-public",
        "role-trust-external-account",
        "role-trust-federated-subject",
        "role-trust-service-confused-deputy",
        "group-no-members",
        "cloudshell-full-access",
        "access-analyzer-enabled",
        "access-analyzer-external-access",
        "access-analyzer-unused-access",
        "cloudtrail-multi-region",
        "cloudtrail-global-events",
        "cloudtrail-log-validation",
        "iam-change-alarm",
        "cloudtrail-change-alarm",
        "console-auth-failure-alarm",
        "role-unused",
    } <= failing
    # An alert that reaches someone (EventBridge rules in both demo regions) beside broken ones.
    alerts = {f["check"]: f for f in results["findings"] if f["check"].endswith("-alarm")}
    assert alerts["root-usage-alarm"]["status"] == "pass"
    assert "EventBridge rule root-activity (eu-west-1)" in alerts["root-usage-alarm"]["message"]
    assert "trail main is single-region" in alerts["iam-change-alarm"]["message"]
    assert "iamgate: FAIL:" in run.stderr
    accepted = [
        f
        for f in results["findings"]
        if f["status"] == "accepted" and f["check"] == "access-analyzer-external-access"
    ]
    assert accepted
    assert accepted[0]["exception"]["reason"].startswith("As per use case")
    # The unpinned GitHub Actions role, named with who can assume it and why.
    github = {
        f["check"]: f
        for f in results["findings"]
        if f["resource"] == "arn:aws:iam::123456789012:role/github-deploy"
    }
    assert github["role-trust-federated-subject"]["status"] == "fail"
    assert github["role-trust-federated-subject"]["message"].endswith(
        "any GitHub Actions workflow in any repository (statement 'GitHubActions' conditions "
        "only on aud; pin token.actions.githubusercontent.com:sub to repo:OWNER/REPO:...)"
    )
    assert github["role-trust-public"]["status"] == "fail"
    assert "role github-deploy" in summary
    # The service-linked role is not judged: AWS owns it.
    slr = [
        f
        for f in results["findings"]
        if f["check"] == "principal-admin-access" and "AWSServiceRoleFor" in f["resource"]
    ]
    assert [f["status"] for f in slr] == ["pass"]
    # The demo's multi-hop escalation, each hop with the statement that grants it.
    by = {(f["check"], f["resource"]): f for f in results["findings"]}
    bot = by[("policy-privilege-escalation", "arn:aws:iam::123456789012:user/build-bot")]
    assert bot["status"] == "fail"
    assert bot["message"] == (
        "user build-bot can escalate privileges: user/build-bot → codebuild:StartBuild "
        "(statement 'RunBuilds' of policy/ci-builds (via group ci)) on a resource that runs as "
        "it (codebuild.amazonaws.com) → role/deployer → iam:PassRole + lambda:CreateFunction + "
        "lambda:InvokeFunction (statement 'DeployFunctions' of policy/lambda-deployer) → "
        "role/ops-automation (full administrator)"
    )
    assert "role/ops-automation" in summary
    # The pull request's side: the demo's plan, judged against the account just scanned.
    plan = run.json("demo/plan/results.json")
    introduced = {
        (f["check"], f["resource"].rsplit(":", 1)[-1])
        for f in plan["findings"]
        if f.get("change") == "introduced"
    }
    assert introduced == {
        ("role-trust-federated-subject", "role/ci-release-prod"),  # any GitHub repository
        ("role-trust-public", "role/ci-release-prod"),
        ("policy-privilege-escalation", "role/ci-release-prod"),
        ("policy-privilege-escalation", "user/alice"),  # a new trust, two hops from admin
    }
    assert plan["verdict"] == "fail"
    assert "plan (plan.json, a pull request's change): introduces 4 findings and fixes 1" in (
        run.stderr
    )


def test_no_credentials_is_a_collection_error(offline: Any, tmp_path: Any) -> None:
    empty = tmp_path / "empty-aws-config"
    empty.write_text("")
    run = offline(
        "scan",
        env={
            "AWS_CONFIG_FILE": str(empty),
            "AWS_SHARED_CREDENTIALS_FILE": str(empty),
            "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
        },
    )
    assert run.code == 3
    assert "no AWS credentials found" in run.stderr


# moto is an optional extra: every command but the demo works without it.
_WITHOUT_MOTO = (
    "import sys; sys.modules['moto'] = None; sys.argv[0] = 'iamgate'; "
    "from iamgate.cli import main; main()"
)


def _without_moto(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "GITHUB_"))}
    env["PYTHONPATH"] = str(SRC)
    return subprocess.run(
        [sys.executable, "-c", _WITHOUT_MOTO, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_evaluate_never_imports_moto(tmp_path: Path) -> None:
    (tmp_path / "s.json").write_text(snapshot_to_json(snap()), encoding="utf-8")
    run = _without_moto(["evaluate", "s.json", "--output-dir", "out", "--allow-partial"], tmp_path)
    assert run.returncode == 1, run.stderr  # the snapshot's one new failure; moto would be 4
    assert (tmp_path / "out" / "results.json").is_file()


def test_demo_without_moto_says_how_to_install_it(tmp_path: Path) -> None:
    run = _without_moto(["demo", "--output-dir", "out"], tmp_path)
    assert run.returncode == 2, run.stderr
    assert "pip install 'iamgate[demo]'" in run.stderr
    assert "Traceback" not in run.stderr
