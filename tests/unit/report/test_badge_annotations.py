"""The badge and the GitHub annotations, from verdicts built with the real gate."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from pathlib import Path

import pytest

from iamgate.app.reports import Outputs, write_reports
from iamgate.gate.apply import apply_baseline
from iamgate.model.baseline import Baseline, BaselineException
from iamgate.model.results import Result, Severity, Verdict
from iamgate.report.annotations import render_annotations
from iamgate.report.badge import render_badge_json, render_badge_svg
from iamgate.text import workflow_command as command
from iamgate.text import workflow_data as escape_data
from iamgate.text import workflow_property as escape_property
from testing.checks import infos
from testing.factories import ACCOUNT, NOW, arn

TODAY = date(2026, 6, 1)
CHECK = "user-console-mfa"


def verdict(
    failing: int = 0,
    accepted_expiring: int = 0,
    accepted_later: int = 0,
    errors: int = 0,
    fail_on: Severity = Severity.LOW,
) -> Verdict:
    results: list[Result] = []
    exceptions: list[BaselineException] = []
    for i in range(failing):
        results.append(Result(CHECK, arn("user", f"new{i}"), "user", False, "no MFA"))
    for i, days in enumerate([10] * accepted_expiring + [80] * accepted_later):
        res = arn("user", f"ok{i}")
        results.append(Result(CHECK, res, "user", False, "no MFA"))
        exceptions.append(
            BaselineException(
                CHECK,
                res,
                "a reason",
                "team",
                TODAY + timedelta(days=days),
                None,
                False,
                "b.yml",
                5 + i,
            )
        )
    for i in range(errors):
        results.append(Result(CHECK, arn("user", f"err{i}"), "user", None, "not evaluated"))
    results.append(Result(CHECK, arn("user", "fine"), "user", True, "has MFA"))
    return apply_baseline(
        results,
        Baseline(ACCOUNT, tuple(exceptions), "b.yml"),
        today=TODAY,
        generated_at=NOW,
        account_id=ACCOUNT,
        fail_on=fail_on,
        checks=infos(),
    )


@pytest.mark.parametrize(
    ("v", "message", "color"),
    [
        (verdict(), "passing", "brightgreen"),
        (verdict(accepted_later=3), "passing", "brightgreen"),
        (verdict(accepted_expiring=2, accepted_later=1), "passing, 2 expiring", "yellow"),
        (verdict(failing=3, accepted_expiring=1), "3 new findings", "red"),
        (verdict(failing=1), "1 new finding", "red"),
        (verdict(failing=2, fail_on=Severity.CRITICAL), "passing", "brightgreen"),
        (verdict(errors=1), "error", "lightgrey"),
        (verdict(failing=1, errors=1), "1 new finding", "red"),
    ],
)
def test_badge_json(v: Verdict, message: str, color: str) -> None:
    data = json.loads(render_badge_json(v))
    assert data == {
        "schemaVersion": 1,
        "label": "IAM compliance",
        "message": message,
        "color": color,
    }


def test_badge_svg_is_xml_with_the_texts_and_grows_with_them() -> None:
    short = render_badge_svg(verdict())
    long = render_badge_svg(verdict(accepted_expiring=12))
    for svg, text in ((short, "passing"), (long, "passing, 12 expiring")):
        root = ET.fromstring(svg)
        texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
        assert texts == ["IAM compliance", "IAM compliance", text, text]
    width = int(ET.fromstring(short).get("width", "0"))
    assert int(ET.fromstring(long).get("width", "0")) > width > 0


def test_escaping_hostile_strings() -> None:
    hostile = "100%\r\n::error::pwned, a:b"
    assert escape_data(hostile) == "100%25%0D%0A::error::pwned, a:b"
    assert escape_property(hostile) == "100%25%0D%0A%3A%3Aerror%3A%3Apwned%2C a%3Ab"
    line = command("error", hostile, title="t:1,2\n")
    assert line == "::error title=t%3A1%2C2%0A::100%25%0D%0A::error::pwned, a:b"
    assert "\n" not in line
    # %25 first: an already-escaped sequence is not left to be decoded as a newline.
    assert escape_data("%0A") == "%250A"


def test_annotations_for_failures_capped_at_ten() -> None:
    text = render_annotations(verdict(failing=25, accepted_expiring=3))
    lines = text.splitlines()
    errors = [line for line in lines if line.startswith("::error")]
    warnings = [line for line in lines if line.startswith("::warning")]
    assert len(errors) == 10
    assert errors[-1] == "::error::… and 16 more new findings (see the job summary)"
    assert all("title=iamgate new finding%3A user-console-mfa (high)" in e for e in errors[:9])
    assert len(warnings) == 3
    assert "exception expires on 2026-06-11" in warnings[0]


def test_annotations_exactly_ten_are_all_shown() -> None:
    lines = render_annotations(verdict(failing=10)).splitlines()
    assert len(lines) == 10
    assert not any("more new findings" in line for line in lines)


def test_no_annotations_when_clean() -> None:
    assert render_annotations(verdict(accepted_later=2)) == ""


def test_warnings_capped_too() -> None:
    lines = render_annotations(verdict(accepted_expiring=14)).splitlines()
    assert len(lines) == 10
    assert lines[-1].startswith("::warning::… and 5 more exceptions expiring soon")


def test_expired_exception_is_an_error_annotation() -> None:
    res = arn("user", "old")
    exc = BaselineException(CHECK, res, "r", "o", TODAY - timedelta(days=1), source="b.yml", line=3)
    v = apply_baseline(
        [Result(CHECK, res, "user", False, "no MFA")],
        Baseline(ACCOUNT, (exc,), "b.yml"),
        today=TODAY,
        generated_at=NOW,
        account_id=ACCOUNT,
        checks=infos(),
    )
    (line,) = render_annotations(v).splitlines()
    assert line.startswith("::error title=iamgate expired exception%3A user-console-mfa")


def test_output_dir_gets_both_badge_files_and_badge_overrides(tmp_path: Path) -> None:
    v = verdict(failing=2)
    report = write_reports(v, Outputs(output_dir=tmp_path / "out"))
    assert report.written["badge"] == tmp_path / "out" / "badge.json"
    assert report.written["badge-svg"] == tmp_path / "out" / "badge.svg"
    assert json.loads(report.written["badge"].read_text(encoding="utf-8"))["color"] == "red"
    only = write_reports(v, Outputs(badge=tmp_path / "b" / "iam.json"))
    assert set(only.written) == {"badge", "badge-svg"}
    assert (tmp_path / "b" / "iam.svg").read_text(encoding="utf-8").startswith("<svg")
