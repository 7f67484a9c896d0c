"""A plan's reports: what the change introduces and fixes comes first, each with its cause, and
every address, logical id, file path and hop (written by whoever opens the pull request) stays
text in the summary, the page and the workflow commands."""

from __future__ import annotations

import re
from dataclasses import replace

import cmarkgfm

from iamgate.checks import catalogue
from iamgate.model.results import Change, Origin, PlanComparison, Status, Verdict
from iamgate.report.annotations import render_annotations
from iamgate.report.context import ReportContext
from iamgate.report.html import render_html
from iamgate.report.markdown import render_markdown
from testing.htmlpage import ALLOWED_TAGS, read_page
from testing.verdicts import PAYLOADS, fixture_verdict

HOSTILE = "<script>alert(1)</script>|x\n::error::pwned ##[group]"
ORIGIN = Origin(
    address=f'module.ci.aws_iam_role.r["{HOSTILE}"]',
    file=f"infra/{PAYLOADS[1]}.yml",
    line=12,
    hop=f"user/{PAYLOADS[0]} → sts:AssumeRole → role/x",
)


def plan_verdict() -> Verdict:
    base = fixture_verdict()
    failing = [f for f in base.findings if f.status is Status.FAIL]
    introduced = replace(failing[0], change=Change.INTRODUCED, origin=ORIGIN)
    fixed = replace(failing[1], status=Status.PASS, change=Change.FIXED, origin=ORIGIN)
    findings = tuple(
        introduced
        if f is failing[0]
        else fixed
        if f is failing[1]
        else replace(f, change=Change.UNCHANGED)
        for f in base.findings
    )
    return replace(
        base,
        findings=findings,
        plan=PlanComparison(
            sources=(f"plans/{PAYLOADS[2]}.json",),
            changes=3,
            introduced=(introduced,),
            fixed=(fixed,),
        ),
    )


def test_the_summary_starts_with_what_the_change_introduces_and_fixes() -> None:
    text = render_markdown(plan_verdict())
    first = text.split("\n\n")[1]
    assert first.startswith("**This change introduces 1 finding and fixes 1**")
    assert "### Introduced by this change (1)" in text
    assert "Failing before this change too" in text
    assert "<script>" not in text
    assert "##[group]" not in text
    assert "\\<script\\>alert(1)\\</script\\>\\|x ::error::pwned ##\\[group\\]" in text
    rendered = cmarkgfm.github_flavored_markdown_to_html(text)  # as GitHub renders it
    assert not re.search(r"<(script|img|svg)\\b", rendered)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;|x ::error::pwned ##[group]" in rendered
    assert not any(line.lstrip().startswith("::") for line in text.splitlines())


def test_only_introduced_findings_block_and_the_verdict_line_says_so() -> None:
    verdict = plan_verdict()
    assert [f.change for f in verdict.blocking] == [Change.INTRODUCED]
    assert "after the change: 1 introduced (0 accepted), 1 fixed" in render_markdown(verdict)


def test_the_page_shows_the_change_first_as_text() -> None:
    page = read_page(render_html(plan_verdict(), ReportContext(checks=catalogue())))
    assert {e.tag for e in page.elements} <= ALLOWED_TAGS
    assert len(page.all("script")) == 1
    assert "This change introduces 1 finding and fixes 1" in page.text
    assert (
        ORIGIN.address.replace("\n", " ") in page.text.replace("\n", " ")
        or HOSTILE.split("\n")[0] in page.text
    )
    assert PAYLOADS[0] in page.text  # the hop, shown verbatim
    assert "before the change too" in page.text


def test_annotations_point_at_the_template_line_and_stay_one_command_each() -> None:
    out = render_annotations(plan_verdict())
    (line,) = [x for x in out.splitlines() if x.startswith("::error")]
    assert line.startswith("::error title=iamgate finding introduced by the change")
    assert ",file=infra/" in line
    assert ",line=12::" in line
    assert "\n" not in line.rstrip("\n")
    assert "%0A::error::pwned" in line  # the address's line break, escaped
    assert "caused by module.ci.aws_iam_role.r[" in line


def test_a_scan_verdict_renders_as_before() -> None:
    """No plan: no plan section, no change column, the same words."""
    text = render_markdown(fixture_verdict())
    assert "This change" not in text
    assert "### New failures" in text
