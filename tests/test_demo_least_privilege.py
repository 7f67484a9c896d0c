"""`iamgate demo` shows a failure of every least-privilege, Access Analyzer and monitoring kind."""

from __future__ import annotations

import csv
from typing import Any

NEW_CHECKS = {
    "principal-admin-access",
    "policy-service-wildcard",
    "policy-privilege-escalation",
    "role-trust-public",
    "role-trust-external-account",
    "group-no-members",
    "cloudshell-full-access",
    "access-analyzer-enabled",
    "access-analyzer-external-access",
    "access-analyzer-unused-access",
    "cloudtrail-multi-region",
    "cloudtrail-global-events",
    "cloudtrail-log-validation",
    "iam-change-alarm",
}


def test_demo_fails_every_new_kind_and_writes_csv(offline: Any) -> None:
    run = offline("demo", "--output-dir", "demo", "--quiet")
    assert run.code == 1, run.stderr
    with (run.cwd / "demo" / "results.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    failing = {r["check"] for r in rows if r["status"] == "fail"}
    assert failing >= NEW_CHECKS
    accepted = [r for r in rows if r["status"] == "accepted" and r["check"].startswith("access-")]
    assert accepted
    assert accepted[0]["exception_reason"].startswith("As per use case")
    slr = [r for r in rows if "AWSServiceRoleFor" in r["resource"]]
    assert slr
    assert all(r["status"] == "pass" for r in slr if r["check"] == "principal-admin-access")
