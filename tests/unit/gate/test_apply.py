from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from iamgate.checks import REGISTRY
from iamgate.errors import ExitCode, InputError
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
        ("user-console-mfa", "arn:aws:iam::123456789012:user/b*", "2026-01-01"),
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


def test_exceptions_of_checks_that_did_not_run_are_not_stale() -> None:
    # --checks user-console-mfa: the root-mfa exception was not looked at, so it is kept.
    base = baseline(
        ("root-mfa", "arn:aws:iam::123456789012:root", "2027-01-01"),
        ("user-console-mfa", CAROL, "2027-01-01"),
    )
    v = gate([fail("user-console-mfa", BOB)], base, checks=infos("user-console-mfa"))
    assert [(e.check, e.resource) for e in v.stale] == [("user-console-mfa", CAROL)]
    # With the check run and nothing failing, it is stale.
    v = gate([], base, checks=infos("root-mfa", "user-console-mfa"))
    assert {e.check for e in v.stale} == {"root-mfa", "user-console-mfa"}


def test_exact_and_glob_matching_through_the_index() -> None:
    users = [f"arn:aws:iam::123456789012:user/u{n}" for n in range(300)]
    base = baseline(
        *(("user-console-mfa", u, "2027-01-01") for u in users[:100]),
        ("user-console-mfa", "arn:aws:iam::123456789012:user/u1*", "2027-01-01"),
        ("user-console-mfa", "arn:aws:iam::123456789012:user/*9", "2020-01-01"),
        ("user-inactive", users[200], "2027-01-01"),
    )
    v = gate([fail("user-console-mfa", u) for u in users], base)
    got = {r: s for (_, r), s in statuses(v).items()}
    for n, u in enumerate(users):
        if n < 100 or str(n).startswith("1"):
            assert got[u] is Status.ACCEPTED, u  # exact, or the live u1* glob
        elif str(n).endswith("9"):
            assert got[u] is Status.EXPIRED, u  # only the expired *9 glob
        else:
            assert got[u] is Status.FAIL, u  # the user-inactive entry is another check's
    # The exact entry is the one reported, not a glob that also matches.
    exact = next(f for f in v.findings if f.resource == users[19])
    assert exact.exception is not None
    assert exact.exception.resource == users[19]


def test_a_baseline_of_globs_built_to_stall_the_gate_is_bad_input(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from iamgate.gate import apply

    monkeypatch.setattr(apply, "MAX_GLOB_RUNS", 1000)
    prefix = "arn:aws:iam::123456789012:user/"
    base = baseline(*(("user-console-mfa", f"{prefix}*x{n}*", "2027-01-01") for n in range(100)))
    with pytest.raises(InputError, match="globs would have to be run more than 1,000 times") as e:
        gate([fail("user-console-mfa", f"{prefix}u{n}") for n in range(20)], base)
    assert e.value.source == "b.yml"
