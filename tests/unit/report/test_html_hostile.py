"""Attacker-controlled text everywhere report.html shows account or baseline data.

Policy names, tags and messages come from the account; exception reasons, owners and tickets
from a baseline a contributor wrote; check ids and titles from a results.json that ``merge``
reads. The page must show them as text, never run or load anything because of them, and keep
its structure: no new element, no new attribute. (tests/browser runs the same page in Chromium.)
"""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from iamgate.checks import catalogue
from iamgate.report import html
from iamgate.report.context import ReportContext
from iamgate.report.html import render_html
from testing.htmlpage import ALLOWED_TAGS, read_page
from testing.verdicts import ALL, PAYLOADS, fixture_verdict, history_before, hostile_verdict


@pytest.fixture(params=["listed", "waiting"], autouse=True)
def rows(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test twice: the findings to act on listed by the template, and all of them
    waiting in the page's <template> (made by html._waiting_row, not by Jinja2)."""
    if request.param == "waiting":
        monkeypatch.setattr(html, "FIRST_ROWS", 0)
    return str(request.param)


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
