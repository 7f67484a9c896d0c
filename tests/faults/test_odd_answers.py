"""Answers that are 200 OK and still wrong: AWS (or whatever stands at the endpoint) behaving
oddly, at the wire, through the fault proxy in front of moto.

Each class must end in a collection error (exit 3, reports written, the operation named), never
a pass, a hang or an internal error: Access Analyzer bodies that are empty or hold items that
are not objects, pagination markers that cycle, never end, or are missing from a truncated
page, and credential reports that disagree with the user listing, are stale, or hold dates
from the future.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from iamgate.checks import REGISTRY
from iamgate.model.snapshot import Source
from testing.faults.fault_proxy import REPORT_USER, FaultProxy, Rule
from testing.faults.harness import REGION, Scan, accepting_baseline, config, scan

ALICE = f"arn:aws:iam::123456789012:user/{REPORT_USER}"
ANALYZER_CHECKS = {
    "access-analyzer-enabled",
    "access-analyzer-external-access",
    "access-analyzer-unused-access",
}
USER_CHECKS = {
    cid
    for cid, c in REGISTRY.items()
    if cid.startswith("user-") and Source.CREDENTIAL_REPORT in c.meta.requires
}
# Every paginated call the scan makes of the seeded account, by service protocol: IAM (query,
# IsTruncated + Marker), Access Analyzer (REST-JSON, nextToken in the query or the body),
# CloudWatch Logs (JSON), CloudWatch (query, NextToken), EventBridge (JSON) and SNS (query).
PAGINATED = [
    "GetAccountAuthorizationDetails",
    "ListVirtualMFADevices",
    "ListServerCertificates",
    "ListAnalyzers",
    "ListFindingsV2",
    "DescribeMetricFilters",
    "DescribeAlarms",
    "ListRules",
    "ListTargetsByRule",
    "ListSubscriptionsByTopic",
]
IAM_PAGINATED = PAGINATED[:3]


@pytest.fixture(scope="module")
def accepted(fault_proxy: FaultProxy, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A baseline that makes the unfaulted scan pass: an unnoticed fault shows as exit 0."""
    baseline, _ = accepting_baseline(fault_proxy, tmp_path_factory)
    return baseline


def errors_of(result: Scan, operation: str) -> list[dict[str, Any]]:
    return [e for e in result.results()["errors"] if e["operation"] == operation]


def assert_malformed(result: Scan, operation: str, fragment: str = "") -> dict[str, Any]:
    """Exit 3 with every report written, and one MalformedResponse naming ``operation``."""
    assert result.code == 3, result.stderr
    assert "internal error" not in result.stderr
    for name in ("junit.xml", "summary.md", "results.json", "results.csv", "snapshot.json"):
        assert (result.out / name).is_file(), name
    assert result.results()["verdict"] == "error"
    found = errors_of(result, operation)
    assert found, (operation, result.results()["errors"])
    assert found[0]["code"] == "MalformedResponse", found
    assert fragment in found[0]["message"], found
    assert f"{operation} ({REGION}) failed: MalformedResponse" in result.stderr
    return found[0]


def statuses_of(result: Scan, resource: str) -> dict[str, str]:
    return {
        f["check"]: f["status"] for f in result.results()["findings"] if f["resource"] == resource
    }


# --- Access Analyzer: empty answers and items that are not objects ------------------------------


@pytest.mark.parametrize("operation", ["ListAnalyzers", "ListFindingsV2", "GetFindingV2"])
@pytest.mark.parametrize("fault", ["empty-body", "empty-object"])
def test_an_empty_access_analyzer_answer_is_an_error_not_no_findings(
    operation: str, fault: str, proxied: FaultProxy, accepted: Path, tmp_path: Path
) -> None:
    result = scan(proxied, tmp_path, [Rule(operation, fault)], baseline=accepted)
    error = assert_malformed(result, operation, "(missing)")
    assert error["source"] == "access_analyzer_region"
    statuses = {f["check"]: f["status"] for f in result.results()["findings"]}
    for check in ANALYZER_CHECKS:
        assert statuses[check] == "error", (check, statuses)


@pytest.mark.parametrize("operation", ["ListAnalyzers", "ListFindingsV2"])
def test_an_access_analyzer_item_that_is_not_an_object_is_an_error_not_a_crash(
    operation: str, proxied: FaultProxy, accepted: Path, tmp_path: Path
) -> None:
    result = scan(proxied, tmp_path, [Rule(operation, "item-not-object")], baseline=accepted)
    assert_malformed(result, operation, "could not be read")
    assert result.junit_errors() >= ANALYZER_CHECKS


# --- pagination that never ends well -----------------------------------------------------------


@pytest.mark.parametrize("operation", PAGINATED)
def test_a_cycling_marker_stops_with_an_error_not_a_loop(
    operation: str, proxied: FaultProxy, accepted: Path, tmp_path: Path
) -> None:
    # A, B, A, B, ...: botocore's paginators only notice the same marker twice in a row.
    result = scan(
        proxied, tmp_path, [Rule(operation, "marker-cycle")], baseline=accepted, timeout=60
    )
    assert_malformed(result, operation, "already used")
    assert result.seen[operation] == 3  # no, A, B: the third answer (A again) stops it


@pytest.mark.parametrize("operation", ["GetAccountAuthorizationDetails", "ListFindingsV2"])
def test_a_marker_that_never_ends_stops_at_the_page_cap(
    operation: str, proxied: FaultProxy, accepted: Path, tmp_path: Path
) -> None:
    cfg = config(extra="max_pages = 5\n")
    rules = [Rule(operation, "marker-endless")]
    result = scan(proxied, tmp_path, rules, baseline=accepted, cfg=cfg, timeout=60)
    assert_malformed(result, operation, "more than 5 pages")
    assert result.seen[operation] == 5


@pytest.mark.parametrize("operation", IAM_PAGINATED)
def test_a_truncated_page_without_a_marker_is_an_error_not_a_short_list(
    operation: str, proxied: FaultProxy, accepted: Path, tmp_path: Path
) -> None:
    result = scan(proxied, tmp_path, [Rule(operation, "truncated-no-marker")], baseline=accepted)
    assert_malformed(result, operation, "gives no Marker")


# --- the credential report against the user listing --------------------------------------------


def test_a_user_missing_from_the_credential_report_is_an_error_not_a_pass(
    proxied: FaultProxy, accepted: Path, tmp_path: Path
) -> None:
    # The report AWS reused predates the user (who has a password and no MFA).
    rules = [Rule("GetCredentialReport", "csv-drop-user")]
    result = scan(proxied, tmp_path, rules, baseline=accepted)
    assert result.code == 3, result.stderr
    assert result.results()["verdict"] == "error"
    mine = {f["check"]: f for f in result.results()["findings"] if f["resource"] == ALICE}
    assert set(mine) >= USER_CHECKS
    for check in USER_CHECKS:
        assert mine[check]["status"] == "error", mine[check]
        assert "has no row in the credential report (generated " in mine[check]["message"]
        assert "run again after" in mine[check]["message"]
    assert result.junit_errors() >= USER_CHECKS


def test_a_report_row_without_a_listed_user_is_an_error(
    proxied: FaultProxy, accepted: Path, tmp_path: Path
) -> None:
    rules = [Rule("GetCredentialReport", "csv-extra-user")]
    result = scan(proxied, tmp_path, rules, baseline=accepted)
    assert result.code == 3, result.stderr
    ghost = statuses_of(result, "arn:aws:iam::123456789012:user/ghost")
    assert ghost == dict.fromkeys(USER_CHECKS, "error")
    # The listed users are judged as before.
    assert statuses_of(result, ALICE)["user-console-mfa"] == "accepted"


def test_credential_dates_in_the_future_are_errors_not_fresh(
    proxied: FaultProxy, accepted: Path, tmp_path: Path
) -> None:
    rules = [Rule("GetCredentialReport", "csv-future-dates")]
    result = scan(proxied, tmp_path, rules, baseline=accepted)
    assert result.code == 3, result.stderr
    mine = statuses_of(result, ALICE)
    # Every check that reads one of alice's dates says error; the ones that read none do not.
    for check in ("user-access-key-rotation", "user-unused-credentials", "user-inactive"):
        assert mine[check] == "error", (check, mine)
    for check in ("user-console-mfa", "user-multiple-active-keys"):
        assert mine[check] != "error", (check, mine)
    messages = [f["message"] for f in result.results()["findings"] if f["resource"] == ALICE]
    assert any("after the credential report was generated" in m for m in messages), messages


def test_an_old_report_is_said_in_the_summary(
    proxied: FaultProxy, accepted: Path, tmp_path: Path
) -> None:
    rules = [Rule("GetCredentialReport", "report-generated-4h-ago")]
    result = scan(proxied, tmp_path, rules, baseline=accepted)
    assert result.code == 0, result.stderr  # every user has a row: nothing is unknown
    notes = result.results()["notes"]
    # Four hours before the fetch: the snapshot's time is a few seconds before that.
    ages = [re.search(r"(\d) h (\d\d) min before this snapshot", n) for n in notes]
    assert [m.groups() for m in ages if m] in ([("3", "59")], [("4", "00")]), notes
    summary = (result.out / "summary.md").read_text(encoding="utf-8")
    assert "the credential report was generated at" in summary
    snapshot = (result.out / "snapshot.json").read_text(encoding="utf-8")
    assert '"credential_report_generated_at": "' in snapshot


def test_a_fresh_report_is_not_noted(proxied: FaultProxy, accepted: Path, tmp_path: Path) -> None:
    result = scan(proxied, tmp_path, [], baseline=accepted)
    assert result.code == 0, result.stderr
    assert not any("credential report" in n for n in result.results()["notes"])


def test_a_report_generated_in_the_future_is_an_error(
    proxied: FaultProxy, accepted: Path, tmp_path: Path
) -> None:
    rules = [Rule("GetCredentialReport", "report-generated-in-future")]
    result = scan(proxied, tmp_path, rules, baseline=accepted)
    assert_malformed(result, "GetCredentialReport", "after now")
    assert result.junit_errors() >= USER_CHECKS
