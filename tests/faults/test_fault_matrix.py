"""The fault matrix: every AWS operation the collector calls x every fault class.

The real ``iamgate scan`` runs as a subprocess against a seeded moto account behind
``fault_proxy``. Expected outcomes are data (``FAULTS``): a recovered fault must give the same
verdict and findings as no fault; an unrecovered one must make exactly the checks that needed the
data ``error``, exit 3 (1 with new failures), and name the operation, the region and the fix.

Operations and the source each feeds come from the collectors' own declarations
(``iamgate.collect.snapshot.PERMISSIONS``/``OPERATION_SOURCE``): one added there is in the matrix
at once (alone until it is given a batch), and one the matrix names that the collector no longer
calls fails ``test_every_operation_the_matrix_names_is_one_the_collector_calls``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from iamgate.checks import REGISTRY
from iamgate.collect.snapshot import OPERATION_SOURCE, PERMISSIONS
from testing.faults.fault_proxy import FaultProxy, Rule
from testing.faults.harness import REGION, Scan, accepting_baseline, config, scan

# The scans name their region (--regions), so the region lookup is not made: its fallback when
# denied is tested in tests/test_access_analyzer*.py. Every other operation is in the matrix.
NOT_CALLED = {"DescribeRegions"}
OPERATIONS = [op for op in PERMISSIONS if op not in NOT_CALLED]

# The snapshot source each operation feeds: the checks requiring it are the dependent ones.
# Derived from the collectors' own declarations, so a new operation is in the matrix at once.
SOURCE_OF = {op: str(source) for op, source in OPERATION_SOURCE.items()}
# A failure in one region's Access Analyzer spoils only that region: no check ``requires`` the
# source, and the Access Analyzer checks report error for the region themselves.
REGIONAL = {
    "access_analyzer_region": {
        "access-analyzer-enabled",
        "access-analyzer-external-access",
        "access-analyzer-unused-access",
    }
}
# Operations whose failure stops the run: nothing can be attributed to an unknown account.
FATAL = {"GetCallerIdentity"}
# Operations faulted together in one run: independent sources, and none needs another's answer
# (GetPolicy* run only when GetAccountAuthorizationDetails succeeded; the organization's
# policies only when DescribeOrganization did, and each of their calls after the one before, so
# each goes in a batch of its own).
BATCHES = [
    [
        "GetAccountAuthorizationDetails",
        "GenerateCredentialReport",
        "GetAccountSummary",
        "ListRoots",
    ],
    ["ListServerCertificates", "GetPolicy", "GetCredentialReport", "DescribeOrganization"],
    ["GetAccountPasswordPolicy", "ListVirtualMFADevices", "GetPolicyVersion", "ListParents"],
    # The alarm's topic is read whether or not the rules were (SNS reads both).
    ["ListRules", "ListSubscriptionsByTopic", "ListPoliciesForTarget"],
    ["DescribeTrails", "DescribePolicy"],
]
PAGINATED = ["GetAccountAuthorizationDetails", "ListVirtualMFADevices", "ListServerCertificates"]


def batches() -> list[list[str]]:
    known = {op for b in BATCHES for op in b}
    # An operation added to the collector later runs alone until it is given a batch.
    return [*BATCHES, *([op] for op in OPERATIONS if op not in known and op not in FATAL)]


def test_every_operation_the_matrix_names_is_one_the_collector_calls() -> None:
    # A renamed or removed operation must fail here, not silently shrink the matrix.
    named = {*NOT_CALLED, *FATAL, *(op for b in BATCHES for op in b), *PAGINATED}
    named |= set(POLICY_READERS)
    assert named <= set(PERMISSIONS), named - set(PERMISSIONS)
    assert set(SOURCE_OF) == set(PERMISSIONS)


@dataclass(frozen=True)
class Fault:
    name: str
    proxy_fault: str  # what fault_proxy does
    times: int | None  # None: every request
    recovered: bool
    hint: str  # fragment of the fix named in the message ("{perm}": the operation's permission)
    max_attempts: int = 3
    only: tuple[str, ...] = ()  # limit to these operations (when each case costs seconds)


FAULTS = {
    f.name: f
    for f in [
        Fault("access-denied", "denied", None, False, "Grant {perm}"),
        Fault("unauthorized-operation", "unauthorized", None, False, "Grant {perm}"),
        Fault("expired-token", "expired", None, False, "expired or invalid"),
        Fault("throttled-forever", "throttle", None, False, "raise [collect] max_attempts"),
        Fault("server-error-5xx", "5xx", None, False, "server error past all retries"),
        Fault("connection-reset", "reset", None, False, "could not be reached"),
        # Each timeout costs read_timeout (1 s): one attempt keeps the matrix fast; retrying a
        # dropped connection is covered by connection-reset.
        Fault("read-timeout", "timeout", None, False, "could not be reached", max_attempts=1),
        Fault("truncated-body", "truncated", None, False, "could not read"),
        # A 200 with nothing in it: botocore reads an empty JSON body as {} (no trails, no
        # findings); the collection guard refuses an answer without the members the code reads.
        Fault("empty-body", "empty-body", None, False, "could not read"),
        # Recovered by botocore's retries (max_attempts = 3 in the test config).
        Fault("throttled-then-clears", "throttle", 2, True, ""),
        Fault("server-error-once", "5xx", 1, True, ""),
        Fault("connection-reset-once", "reset", 1, True, ""),
        # A timeout costs read_timeout (1 s) per request: three operations stand for all (the
        # same retry path as connection-reset-once, which hits every operation).
        Fault(
            "timeout-once",
            "timeout",
            1,
            True,
            "",
            only=("GetCallerIdentity", "GetAccountAuthorizationDetails", "GetCredentialReport"),
        ),
    ]
}
UNRECOVERED = [f for f in FAULTS.values() if not f.recovered]
RECOVERED = [f for f in FAULTS.values() if f.recovered]


# Sources no check requires: their failure is a collection error, and every verdict stays as it
# was (the organization's policies: access is then judged by IAM policies alone).
NO_DEPENDENT = {"organization_policies"}


def dependent_checks(source: str) -> set[str]:
    if source in REGIONAL:
        return REGIONAL[source]
    return {cid for cid, c in REGISTRY.items() if source in {s.value for s in c.meta.requires}}


@pytest.fixture(scope="module")
def clean(fault_proxy: FaultProxy, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The unfaulted scan, and a baseline accepting its failures (so a clean run passes)."""
    baseline, passing = accepting_baseline(fault_proxy, tmp_path_factory)
    # Every operation of the matrix must really be called, or its cases would prove nothing.
    never = [op for op in OPERATIONS if not passing.seen.get(op)]
    assert not never, f"the seeded account never makes the scan call {never}: seed it so it does"
    return {"baseline": baseline, "statuses": passing.statuses(), "seen": passing.seen}


# --- recovered: same verdict, same findings ---------------------------------------------------


@pytest.mark.parametrize("fault", RECOVERED, ids=lambda f: f.name)
def test_recovered_fault_gives_the_same_verdict(
    fault: Fault, proxied: FaultProxy, clean: dict[str, Any], tmp_path: Path
) -> None:
    # Every operation at once: a recovered fault must leave no trace, whichever call it hit.
    ops = [op for op in OPERATIONS if not fault.only or op in fault.only]
    rules = [Rule(op, fault.proxy_fault, fault.times) for op in ops]
    result = scan(proxied, tmp_path, rules, baseline=clean["baseline"])
    assert result.code == 0, result.stderr
    assert result.results()["errors"] == []
    assert result.statuses() == clean["statuses"]
    for op in ops:  # the fault was really injected: more requests than without it
        assert result.seen.get(op, 0) > clean["seen"][op], (op, result.seen)


def test_empty_page_in_the_middle_of_pagination_is_followed(
    proxied: FaultProxy, clean: dict[str, Any], tmp_path: Path
) -> None:
    ops = PAGINATED
    result = scan(
        proxied, tmp_path, [Rule(op, "empty-page") for op in ops], baseline=clean["baseline"]
    )
    assert result.code == 0, result.stderr
    assert result.statuses() == clean["statuses"]
    for op in ops:  # page 1 (data), page 2 (empty, truncated), page 3 (empty, last)
        assert result.seen[op] == 3, (op, result.seen)


def test_throttling_recovers_in_the_default_adaptive_mode(
    proxied: FaultProxy, clean: dict[str, Any], tmp_path: Path
) -> None:
    # Adaptive mode's rate limiter sleeps after a throttle: one operation keeps this short.
    rules = [Rule("GetAccountSummary", "throttle", 2)]
    result = scan(
        proxied,
        tmp_path,
        rules,
        baseline=clean["baseline"],
        cfg=config(retry_mode="adaptive"),
    )
    assert result.code == 0, result.stderr
    assert result.statuses() == clean["statuses"]
    assert result.seen["GetAccountSummary"] == 3


# --- not recovered: dependent checks error, the fix is named -----------------------------------


def assert_names_the_fix(result: Scan, op: str, fault: Fault, errors: list[dict[str, Any]]) -> None:
    hint = fault.hint.format(perm=PERMISSIONS[op])
    mine = [e for e in errors if e["operation"] == op]
    assert mine, f"{op}: no collection error recorded: {errors}"
    for e in mine:
        assert e["region"] == REGION
        assert hint in e["hint"], (op, e)
        assert e["source"] == SOURCE_OF[op], (op, e)
    assert f"{op} ({REGION}) failed" in result.stderr, result.stderr
    assert hint in result.stderr


@pytest.mark.parametrize("ops", batches(), ids=lambda b: "+".join(b))
@pytest.mark.parametrize("fault", UNRECOVERED, ids=lambda f: f.name)
def test_unrecovered_fault_errors_the_dependent_checks(
    fault: Fault, ops: list[str], proxied: FaultProxy, clean: dict[str, Any], tmp_path: Path
) -> None:
    rules = [Rule(op, fault.proxy_fault, fault.times) for op in ops]
    result = scan(
        proxied, tmp_path, rules, baseline=clean["baseline"], cfg=config(fault.max_attempts)
    )
    assert result.code == 3, result.stderr
    results = result.results()
    assert results["verdict"] == "error"
    sources = {SOURCE_OF[op] for op in ops}
    dependent = set().union(*(dependent_checks(s) for s in sources))
    assert dependent, f"no check depends on {ops}"
    assert not set().union(*(dependent_checks(s) for s in sources & NO_DEPENDENT))
    by_check: dict[str, set[str]] = {}
    for f in results["findings"]:
        by_check.setdefault(f["check"], set()).add(f["status"])
    for check in dependent:
        assert by_check.get(check) == {"error"}, (check, by_check.get(check))
    assert dependent <= result.junit_errors()
    # The checks that did not need the data are untouched.
    untouched = {s for s in clean["statuses"] if s[0] not in dependent}
    assert untouched <= result.statuses()
    for op in ops:
        assert_names_the_fix(result, op, fault, results["errors"])


@pytest.mark.parametrize("fault", UNRECOVERED, ids=lambda f: f.name)
def test_unrecovered_identity_fault_stops_the_run(
    fault: Fault, proxied: FaultProxy, clean: dict[str, Any], tmp_path: Path
) -> None:
    rules = [Rule("GetCallerIdentity", fault.proxy_fault, fault.times)]
    result = scan(proxied, tmp_path, rules, baseline=clean["baseline"], cfg=config(1))
    assert result.code == 3, result.stderr
    hint = fault.hint.format(perm=PERMISSIONS["GetCallerIdentity"])
    assert f"GetCallerIdentity ({REGION}) failed" in result.stderr
    assert hint in result.stderr
    # Nothing is reported for an account that could not be identified: no report can read as
    # a pass.
    assert not (result.out / "junit.xml").exists()
    assert not (result.out / "results.json").exists()


def test_new_failures_and_a_fault_exit_1(proxied: FaultProxy, tmp_path: Path) -> None:
    # No baseline: the failures the account has are new, and they win over the error.
    result = scan(proxied, tmp_path, [Rule("ListServerCertificates", "denied")])
    assert result.code == 1, result.stderr
    results = result.results()
    assert results["verdict"] == "fail"
    assert_names_the_fix(
        result, "ListServerCertificates", FAULTS["access-denied"], results["errors"]
    )
    assert "server-certificate-expired" in result.junit_errors()


@pytest.mark.parametrize("ops", batches(), ids=lambda b: "+".join(b))
def test_allow_partial_decides_on_what_it_saw(
    ops: list[str], proxied: FaultProxy, clean: dict[str, Any], tmp_path: Path
) -> None:
    rules = [Rule(op, "denied") for op in ops]
    result = scan(proxied, tmp_path, rules, "--allow-partial", baseline=clean["baseline"])
    assert result.code == 0, result.stderr
    results = result.results()
    assert results["verdict"] == "pass"
    assert results["counts"]["errors"] > 0
    for op in ops:  # still listed, in results.json, stderr and the junit errors
        assert_names_the_fix(result, op, FAULTS["access-denied"], results["errors"])
    assert result.junit_errors()
    assert "Could not evaluate" in (result.out / "summary.md").read_text(encoding="utf-8")


# --- damaged bodies that parse -------------------------------------------------------------


def test_credential_report_cut_mid_row_is_an_error_not_fewer_users(
    proxied: FaultProxy, clean: dict[str, Any], tmp_path: Path
) -> None:
    result = scan(
        proxied, tmp_path, [Rule("GetCredentialReport", "csv-cut")], baseline=clean["baseline"]
    )
    assert result.code == 3, result.stderr
    results = result.results()
    errors = [e for e in results["errors"] if e["operation"] == "GetCredentialReport"]
    assert errors
    assert errors[0]["code"] == "MalformedResponse"
    assert "truncated" in errors[0]["message"]
    for check in dependent_checks("credential_report"):
        assert check in result.junit_errors()


# The check that reads the damaged document, per operation that carries documents.
POLICY_READERS = {
    "GetAccountAuthorizationDetails": "policy-full-admin",
    "GetPolicyVersion": "group-admin-access",
}


@pytest.mark.parametrize("op", list(POLICY_READERS))
def test_policy_document_that_is_not_json_is_an_error(
    op: str, proxied: FaultProxy, clean: dict[str, Any], tmp_path: Path
) -> None:
    result = scan(proxied, tmp_path, [Rule(op, "policy-not-json")], baseline=clean["baseline"])
    assert result.code == 3, result.stderr
    results = result.results()
    assert results["verdict"] == "error"
    reader = POLICY_READERS[op]
    statuses = {f["status"] for f in results["findings"] if f["check"] == reader}
    assert statuses == {"error"}, statuses
    messages = [f["message"] for f in results["findings"] if f["check"] == reader]
    assert any("policy document could not be read" in m for m in messages), messages
