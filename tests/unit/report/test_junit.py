"""The JUnit writer against junit-xml's own rendering, byte for byte; and the summary of passing
resources that keeps an organization's report usable."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from iamgate.gate.combine import combine
from iamgate.model.results import (
    ExceptionRef,
    Finding,
    Severity,
    Status,
    Verdict,
    count_statuses,
)
from iamgate.report.junit import render_junit
from testing.junit_reference import render_junit_reference

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
# Text a resource name, message or reason can hold: markup, quotes, line breaks, tabs, the
# characters XML cannot carry (replaced), lone surrogates, and plain text.
AWKWARD = st.text(
    alphabet=st.sampled_from(
        [
            "a",
            "Z",
            " ",
            "<",
            ">",
            "&",
            '"',
            "'",
            "\n",
            "\r",
            "\t",
            "\x00",
            "\x1b",
            "\x85",
            "\ud800",
            "\ufffe",
            "é",
            "☃",
            "]",
            ":",
            "/",
        ]
    ),
    max_size=12,
)
ACCOUNTS = st.sampled_from(["111111111111", "222222222222", "333333333333"])
CHECKS = st.sampled_from(["root-mfa", "user-console-mfa", "policy-full-admin"])


@st.composite
def findings(draw: st.DrawFn) -> Finding:
    status = draw(st.sampled_from(list(Status)))
    exception = None
    if status in (Status.ACCEPTED, Status.EXPIRED) and draw(st.booleans()):
        exception = ExceptionRef(
            draw(CHECKS),
            draw(AWKWARD),
            draw(AWKWARD),
            draw(AWKWARD),
            date(2026, 7, 1),
            draw(st.none() | AWKWARD),
            draw(AWKWARD),
        )
    return Finding(
        check=draw(CHECKS),
        resource=draw(AWKWARD),
        resource_type="user",
        status=status,
        severity=draw(st.sampled_from(list(Severity))),
        title=draw(AWKWARD),
        message=draw(AWKWARD),
        account_id=draw(ACCOUNTS),
        exception=exception,
    )


def verdict_of(found: list[Finding], checks: tuple[str, ...], account: str) -> Verdict:
    mine = tuple(f for f in found if f.account_id == account)
    return Verdict(account, NOW, NOW.date(), mine, checks=checks, counts=count_statuses(mine, 0))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(findings(), max_size=25),
    st.lists(CHECKS, unique=True).map(tuple),
    st.sets(ACCOUNTS, min_size=1),
)
def test_the_writer_is_junit_xml_byte_for_byte(
    found: list[Finding], checks: tuple[str, ...], accounts: set[str]
) -> None:
    ordered = sorted(accounts)
    single = verdict_of(found, checks, ordered[0])
    assert render_junit(single) == render_junit_reference(single)
    several = combine([verdict_of(found, checks, a) for a in ordered])
    assert render_junit(several) == render_junit_reference(several)


def test_an_empty_report_is_junit_xml_too() -> None:
    empty = Verdict("123456789012", NOW, NOW.date(), ())
    assert render_junit(empty) == render_junit_reference(empty)


def _finding(resource: str, status: Status, account: str = "111111111111") -> Finding:
    return Finding("user-console-mfa", resource, "user", status, Severity.HIGH, "t", "msg", account)


def test_summary_counts_passing_resources_and_keeps_every_failure() -> None:
    found = [
        *(_finding(f"arn:user/p{i}", Status.PASS) for i in range(5)),
        _finding("arn:user/bad", Status.FAIL),
        _finding("arn:user/unknown", Status.ERROR),
    ]
    v = verdict_of(found, ("user-console-mfa", "root-mfa"), "111111111111")
    root = ET.fromstring(render_junit(v, passing="summary"))
    cases = {c.get("name"): c for c in root.iter("testcase")}
    assert set(cases) == {"arn:user/bad", "arn:user/unknown", "5 passing resources"}
    assert cases["arn:user/bad"].find("failure") is not None
    assert cases["arn:user/unknown"].find("error") is not None
    assert root.get("tests") == "3"
    assert (root.get("failures"), root.get("errors")) == ("1", "1")
    # A check with no result at all still has its suite.
    assert {s.get("name") for s in root.iter("testsuite")} == {"user-console-mfa", "root-mfa"}
    # The full report has one case per resource.
    assert ET.fromstring(render_junit(v)).get("tests") == "7"
