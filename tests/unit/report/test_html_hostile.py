"""Attacker-controlled text everywhere report.html shows account or baseline data.

Policy names, tags and messages come from the account; exception reasons, owners and tickets
from a baseline a contributor wrote; check ids and titles from a results.json that ``merge``
reads. The page must show them as text, never run or load anything because of them, and keep
its structure: no new element, no new attribute. (tests/browser runs the same page in Chromium.)
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime

from iamgate.checks import catalogue
from iamgate.model.results import ExceptionRef, Finding, Severity, SinceLastRun, Status, Verdict
from iamgate.model.snapshot import CollectionError
from iamgate.report.context import ReportContext
from iamgate.report.html import render_html
from testing.htmlpage import ALLOWED_TAGS, read_page
from testing.verdicts import ACCOUNT, fixture_verdict, history_before

PAYLOADS = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(2)>",
    "javascript:alert(3)",
    "</script><script>alert(4)</script>",
    "</style><style>*{display:none}</style>",
    "line\u2028separator\u2029paragraph",
    "&lt;already-escaped&gt; &amp; {{ 7*7 }} ${x} <!-- ]]>",
    "https://evil.example/x.png",
    "' onmouseover='alert(5)",
    '" autofocus onfocus="alert(6)',
)
ALL = " | ".join(PAYLOADS)


def hostile_verdict() -> Verdict:
    """Every text field an attacker can reach holds payloads."""
    exception = ExceptionRef(
        check="user-console-mfa",
        resource=f"arn:aws:iam::{ACCOUNT}:user/{PAYLOADS[1]}",
        reason=ALL,
        owner=PAYLOADS[0],
        expires=date(2026, 6, 10),
        ticket=PAYLOADS[3],
        source=PAYLOADS[4],
    )
    findings = tuple(
        Finding(
            check=payload if i % 2 else "user-console-mfa",  # a check id from a results.json
            resource=f"arn:aws:iam::{ACCOUNT}:policy/{payload}",  # a policy name
            resource_type=payload,
            status=status,
            severity=Severity.HIGH,
            title=PAYLOADS[2],
            message=f"tag Name={payload} ({i})",  # a tag in a message
            account_id=ACCOUNT,
            exception=exception if status in (Status.ACCEPTED, Status.EXPIRED) else None,
        )
        for i, payload in enumerate(PAYLOADS)
        for status in (Status.FAIL, Status.EXPIRED, Status.ACCEPTED, Status.ERROR)
    )
    base = fixture_verdict()
    return replace(
        base,
        findings=findings,
        stale=(exception,),
        collection_errors=(CollectionError(*PAYLOADS[:6], account_id=ACCOUNT),),
        notes=PAYLOADS,
        tool_version=PAYLOADS[8],
        checks=(*base.checks, PAYLOADS[1]),
        since=SinceLastRun(
            previous_generated_at=datetime(2026, 5, 31, tzinfo=UTC),
            appeared=findings[:3],
            fixed=findings[4:6],
            accepted=findings[2:3],
        ),
    )


def hostile_page() -> str:
    return render_html(
        hostile_verdict(), ReportContext(checks=catalogue(), history=history_before())
    )


def test_no_unexpected_element_or_attribute() -> None:
    page = read_page(hostile_page())
    tags = {e.tag for e in page.elements}
    assert tags <= ALLOWED_TAGS, tags - ALLOWED_TAGS
    assert len(page.all("script")) == 1
    assert len(page.all("style")) == 1
    for e in page.elements:
        for name, value in e.attrs.items():
            assert not name.startswith("on"), (e.tag, name)
            assert name not in ("src", "srcdoc", "autofocus", "formaction", "style"), name
            if name == "href":
                assert value is not None
                assert re.fullmatch(r"#[a-z-]+", value), value


def test_script_and_style_are_the_package_assets_only() -> None:
    page = read_page(hostile_page())
    code = "".join(page.raw_texts["script"]) + "".join(page.raw_texts["style"])
    assert "alert" not in code
    assert "evil" not in code


def test_every_payload_is_shown_as_text_and_kept_in_attributes() -> None:
    page = read_page(hostile_page())
    text = page.text
    for payload in PAYLOADS:
        assert payload in text, payload  # shown verbatim, entities and all
    assert ALL in text  # the reason, whole
    # Attribute values keep the exact text (the filter compares them as strings).
    assert set(page.attr_values("data-type")) == set(PAYLOADS)
    options = {o.attrs.get("value") for o in page.all("option")}
    assert options >= set(PAYLOADS)


def test_payloads_never_appear_unescaped() -> None:
    html = hostile_page()
    for bad in ("<img", "<svg onload", "<script>alert", "</script><script>", "</style><style>"):
        assert bad not in html
    assert html.count("<script>") == 1
    assert html.count("</script>") == 1
    assert html.count("<style>") == 1
    assert '"><img' not in html
    assert "&#34;&gt;&lt;img" in html
    assert "javascript:" not in "".join(a for a in read_page(html).attr_values("href"))


def test_control_characters_and_lone_surrogates_are_replaced() -> None:
    base = fixture_verdict()
    odd = replace(base.findings[0], message="ansi \x1b[31mred\x1b[0m nul \x00 del \x7f half \ud83d")
    html = render_html(replace(base, findings=(odd, *base.findings[1:])), ReportContext())
    html.encode("utf-8")  # would raise on a lone surrogate
    for bad in ("\x1b", "\x00", "\x7f"):
        assert bad not in html
    assert "ansi \ufffd[31mred\ufffd[0m nul \ufffd del \ufffd half \ufffd" in html
