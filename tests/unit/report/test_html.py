"""report.html: golden file, self-containment, the content-security policy, what the page says.

Regenerate the golden file after an intended change with
``IAMGATE_UPDATE_GOLDEN=1 pytest tests/unit/report`` and look at the page in a browser.
"""

from __future__ import annotations

import os
import re
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from iamgate.checks import catalogue
from iamgate.gate.combine import combine
from iamgate.gate.since import with_since
from iamgate.model.results import Status, Verdict
from iamgate.report.context import ReportContext
from iamgate.report.html import CheckStat, csp_hash, render_html
from testing import DATA
from testing.htmlpage import ALLOWED_TAGS, read_page
from testing.verdicts import fixture_verdict, history_before, previous_verdict

GOLDEN = DATA / "golden" / "report.html"


def full_verdict() -> Verdict:
    return with_since(fixture_verdict(), [previous_verdict()], "previous/results.json")


def full_context() -> ReportContext:
    return ReportContext(checks=catalogue(), history=history_before())


def page_text(html: str) -> str:
    return " ".join(read_page(html).text.split())


def test_golden() -> None:
    html = render_html(full_verdict(), full_context())
    if os.environ.get("IAMGATE_UPDATE_GOLDEN"):
        GOLDEN.write_text(html, encoding="utf-8")
    assert html == GOLDEN.read_text(encoding="utf-8")


def test_the_same_whatever_the_order_of_findings() -> None:
    verdict = full_verdict()
    shuffled = replace(verdict, findings=tuple(reversed(verdict.findings)))
    assert render_html(shuffled, full_context()) == render_html(verdict, full_context())


def test_the_only_time_shown_is_the_runs_own() -> None:
    later = replace(full_verdict(), generated_at=datetime(2026, 6, 2, 7, 30, tzinfo=UTC))
    html = render_html(later, full_context())
    assert "2026-06-02 07:30 UTC" in html
    assert "2026-06-01 12:00 UTC" not in html


@pytest.mark.parametrize("with_extras", [True, False])
def test_self_contained_no_external_reference(with_extras: bool) -> None:
    verdict, context = (
        (full_verdict(), full_context()) if with_extras else (fixture_verdict(), ReportContext())
    )
    html = render_html(verdict, context)
    lowered = html.lower()
    for needle in ("http:", "https:", "://", "@import", "url(", "<link", "<img", "<iframe"):
        assert needle not in lowered, needle
    page = read_page(html)
    assert {e.tag for e in page.elements} <= ALLOWED_TAGS
    for e in page.elements:
        assert not {"src", "srcset"} & set(e.attrs), e
        assert "style" not in e.attrs, e  # the CSP pins the stylesheet: no style= would apply
        assert not any(name.startswith("on") for name in e.attrs), e
        href = e.attrs.get("href")
        assert href is None or re.fullmatch(r"#[a-z-]+", href), href


def test_csp_forbids_every_load_and_pins_the_inline_code() -> None:
    html = render_html(full_verdict(), full_context())
    page = read_page(html)
    metas = [m for m in page.all("meta") if m.attrs.get("http-equiv") == "Content-Security-Policy"]
    assert len(metas) == 1
    # Before anything the policy must cover.
    assert page.elements.index(metas[0]) < page.elements.index(page.all("style")[0])
    content = metas[0].attrs["content"]
    assert content is not None
    policy = {d.split()[0]: d.split()[1:] for d in content.split("; ")}
    assert policy["default-src"] == ["'none'"]
    assert policy["img-src"] == ["data:"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["form-action"] == ["'none'"]
    assert policy["script-src"] == [csp_hash("".join(page.raw_texts["script"]))]
    assert policy["style-src"] == [csp_hash("".join(page.raw_texts["style"]))]


def test_shows_verdict_counts_account_and_date() -> None:
    text = page_text(render_html(full_verdict(), full_context()))
    assert "FAIL" in text
    assert "4 findings at severity low and above fail the gate." in text
    for n, label in ((3, "New"), (1, "Expired"), (2, "Accepted"), (1, "Stale"), (1, "Passed")):
        assert f"{n} {label}" in text
    assert "Account 123456789012" in text
    assert "Judged on 2026-06-01" in text
    assert "Gate fails on Low and above" in text


def test_since_the_last_run_comes_first() -> None:
    page = read_page(render_html(full_verdict(), full_context()))
    sections = [e.attrs["id"] for e in page.all("section")]
    assert sections[:3] == ["since", "summary", "trend"]
    text = " ".join(page.text.split())
    assert "2 new findings, 1 fixed since the last run (2026-04-30 12:00 UTC)" in text
    assert "Trend over the last 4 runs" in text


def test_nothing_changed_is_said_and_no_history_means_no_trend() -> None:
    same = with_since(fixture_verdict(), [fixture_verdict()], "previous/results.json")
    html = render_html(same, ReportContext(checks=catalogue()))
    text = page_text(html)
    assert "Nothing changed since the last run (2026-06-01 12:00 UTC)" in text
    assert 'id="trend"' not in html
    first = render_html(fixture_verdict(), ReportContext(history=()))
    assert "One run recorded so far" in page_text(first)


def test_findings_rows_carry_the_filter_attributes() -> None:
    page = read_page(render_html(full_verdict(), full_context()))
    rows = [e.attrs for e in page.all("tr") if "data-severity" in e.attrs]
    failing = [f for f in full_verdict().findings if f.status in (Status.FAIL, Status.EXPIRED)]
    assert len(rows) == len(failing) == 4
    assert {r["data-status"] for r in rows} == {"new", "expired"}
    assert {r["data-type"] for r in rows} == {"account", "user", "policy"}
    selects = {e.attrs["id"] for e in page.all("select")}
    assert selects == {"filter-severity", "filter-status", "filter-check", "filter-type"}
    # Shown by the script only: a page opened without script has no dead controls.
    assert "hidden" in next(e for e in page.all("div") if e.attrs.get("id") == "filters").attrs


def test_remarks_expiring_stale_checks_and_errors() -> None:
    html = render_html(full_verdict(), full_context())
    text = page_text(html)
    # The accepted exceptions with their reason, owner, ticket and expiry.
    assert "Break-glass | kept in the safe <sealed>" in text
    assert "security SEC-1 2026-06-20" in text
    assert "2026-06-20 in 19 days" in text  # expiring soon
    assert "Stale exceptions 1" in text
    # ARNs may wrap at their separators (<wbr>), so the text nodes are joined as they are.
    assert "arn:aws:iam::123456789012:user/gone" in "".join(read_page(html).texts)
    assert "user-console-mfa Users with a console password have MFA" in text
    assert "CIS 1.10" in text  # the catalogue's standards ids
    assert "GetAccountAuthorizationDetails" in text
    assert "Grant iam:GetAccountAuthorizationDetails to the role iamgate runs as." in text


def test_pass_rate_never_rounds_up() -> None:
    info = catalogue()["root-mfa"]
    assert CheckStat(info, 999, 1, 0, 0).rate[0] == "99%"
    assert CheckStat(info, 1, 999, 0, 0).rate[0] == "<1%"
    assert CheckStat(info, 0, 0, 0, 3).rate[0] == "–"
    assert CheckStat(info, 4, 0, 0, 0).rate == ("100%", 80.0, "good")


def test_several_accounts_get_a_table_a_column_and_a_filter() -> None:
    one = fixture_verdict()
    other = replace(
        one,
        account_id="210987654321",
        findings=tuple(
            replace(f, account_id="210987654321", resource=f.resource.replace("1234", "2109"))
            for f in one.findings
        ),
        stale=(),
        counts={**one.counts, "stale": 0},
    )
    page = read_page(render_html(combine([one, other]), full_context()))
    text = " ".join(page.text.split())
    assert "Accounts (2)" in text
    assert "210987654321" in text
    assert any(e.attrs.get("id") == "filter-account" for e in page.all("select"))
