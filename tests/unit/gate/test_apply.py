from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from iamgate.checks import REGISTRY
from iamgate.errors import ExitCode
from iamgate.formats.baseline_yaml import parse_baseline
from iamgate.gate.apply import apply_baseline
from iamgate.model.baseline import EMPTY, Baseline
from iamgate.model.results import Result, Severity, Status, Verdict
from iamgate.model.snapshot import CollectionError
from testing.checks import infos

TODAY = date(2026, 6, 1)
NOW = datetime(2026, 6, 1, tzinfo=UTC)
BOB = "arn:aws:iam::123456789012:user/bob"
CAROL = "arn:aws:iam::123456789012:user/carol"


def baseline(*entries: tuple[str, str, str]) -> Baseline:
    lines = ["version: 1", 'account: "123456789012"', "exceptions:"]
    for check, resource, expires in entries:
        lines += [
            f"  - check: {check}",
            f"    resource: {resource}",
            "    reason: because",
            "    owner: me",
            f"    expires: {expires}",
        ]
    return parse_baseline("\n".join(lines) + "\n", "b.yml", REGISTRY)


def fail(check: str, resource: str) -> Result:
    return Result(check, resource, "user", False, "bad")


def gate(results: list[Result], base: Baseline | None = None, **kw: Any) -> Verdict:
    args: dict[str, Any] = {
        "today": TODAY,
        "generated_at": NOW,
        "account_id": "123456789012",
        "checks": infos(),
    }
    args.update(kw)
    return apply_baseline(results, base or EMPTY, **args)


def statuses(verdict: Verdict) -> dict[tuple[str, str], Status]:
    return {(f.check, f.resource): f.status for f in verdict.findings}


def test_no_baseline_every_failure_is_new() -> None:
    v = gate([fail("user-console-mfa", BOB), Result("user-console-mfa", CAROL, "user", True, "")])
    assert statuses(v) == {
        ("user-console-mfa", BOB): Status.FAIL,
        ("user-console-mfa", CAROL): Status.PASS,
    }
    assert v.exit_code is ExitCode.FAIL


def test_accepted_expired_and_stale() -> None:
    base = baseline(
        ("user-console-mfa", BOB, "2026-06-01"),  # live through its last day
        ("user-inactive", BOB, "2026-05-31"),  # expired yesterday
        ("user-console-mfa", CAROL, "2027-01-01"),  # carol passes: stale
    )
    v = gate(
        [
            fail("user-console-mfa", BOB),
            fail("user-inactive", BOB),
            Result("user-console-mfa", CAROL, "user", True, ""),
        ],
        base,
    )
    assert statuses(v) == {
        ("user-console-mfa", BOB): Status.ACCEPTED,
        ("user-inactive", BOB): Status.EXPIRED,
        ("user-console-mfa", CAROL): Status.PASS,
    }
    expired = next(f for f in v.findings if f.status is Status.EXPIRED)
    assert "expired on 2026-05-31, 1 days ago" in expired.message
    assert [e.resource for e in v.stale] == [CAROL]
    assert v.counts == {"new": 0, "expired": 1, "accepted": 1, "stale": 1, "passed": 1, "errors": 0}
    assert v.exit_code is ExitCode.FAIL


def test_accepted_only_passes_and_live_exact_beats_expired_glob() -> None:
    base = baseline(
        ("user-console-mfa", "arn:aws:iam::123456789012:user/*", "2026-01-01"),
        ("user-console-mfa", BOB, "2026-12-31"),
    )
    v = gate([fail("user-console-mfa", BOB)], base)
    assert statuses(v)[("user-console-mfa", BOB)] is Status.ACCEPTED
    assert v.exit_code is ExitCode.PASS
    assert v.stale == ()


def test_errors_never_pass_unless_partial_is_allowed() -> None:
    err = Result("root-mfa", "arn:aws:iam::123456789012:root", "account", None, "not evaluated")
    v = gate([err])
    assert v.status == "error"
    assert v.exit_code is ExitCode.COLLECT_ERROR
    assert gate([err], allow_partial=True).exit_code is ExitCode.PASS
    # New failures win over errors: exit 1.
    assert gate([err, fail("user-console-mfa", BOB)]).exit_code is ExitCode.FAIL


def test_collection_error_alone_is_not_a_pass() -> None:
    ce = CollectionError("server_certificates", "ListServerCertificates", "us-east-1", "X", "y")
    v = gate([], collection_errors=[ce])
    assert v.status == "error"


def test_exception_for_a_check_that_errored_is_not_stale() -> None:
    base = baseline(("root-mfa", "arn:aws:iam::123456789012:root", "2027-01-01"))
    err = Result("root-mfa", "arn:aws:iam::123456789012:root", "account", None, "not evaluated")
    assert gate([err], base).stale == ()


def test_fail_on_threshold_reports_but_does_not_fail() -> None:
    low = fail("user-multiple-active-keys", BOB)  # low severity
    v = gate([low], fail_on=Severity.MEDIUM)
    assert statuses(v)[("user-multiple-active-keys", BOB)] is Status.FAIL
    assert v.exit_code is ExitCode.PASS
    assert gate([low], fail_on=Severity.LOW).exit_code is ExitCode.FAIL


def test_expiring_window() -> None:
    base = baseline(("user-console-mfa", BOB, "2026-07-01"), ("user-inactive", BOB, "2026-08-01"))
    v = gate([fail("user-console-mfa", BOB), fail("user-inactive", BOB)], base)
    assert [f.check for f in v.expiring()] == ["user-console-mfa"]
