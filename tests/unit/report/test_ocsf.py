"""--ocsf: OCSF Compliance Finding records, validated by py-ocsf-models' own models, with the
status mapping the issue asks for (New, Suppressed with the reason, Resolved with --previous)."""

from __future__ import annotations

import json
from typing import Any

from iamgate.checks import catalogue
from iamgate.gate.since import with_since
from iamgate.report.context import ReportContext
from iamgate.report.ocsf import CloudComplianceFinding, render_ocsf
from testing.verdicts import (
    ACCOUNT,
    PAYLOADS,
    A,
    fixture_verdict,
    hostile_verdict,
    previous_verdict,
)


def records(text: str) -> dict[str, dict[str, Any]]:
    data = json.loads(text)
    assert isinstance(data, list)
    for record in data:
        # The models' own validation, of what was written (not of what was built).
        CloudComplianceFinding.model_validate(record)
    return {r["resources"][0]["uid"] + " " + r["status"]: r for r in data}


def render(verdict: Any) -> dict[str, dict[str, Any]]:
    return records(render_ocsf(verdict, ReportContext(checks=catalogue())))


def test_class_profile_and_fields() -> None:
    found = render(fixture_verdict())
    bob = found[f"{A}:user/bob New"]
    assert (bob["class_uid"], bob["category_uid"], bob["type_uid"]) == (2003, 2, 200301)
    assert bob["class_name"] == "Compliance Finding"
    assert bob["metadata"]["profiles"] == ["cloud"]
    assert bob["metadata"]["product"]["name"] == "iamgate"
    assert bob["cloud"] == {
        "provider": "AWS",
        "account": {"uid": ACCOUNT, "name": ACCOUNT, "type_id": 10},
    }
    assert bob["resources"][0]["type"] == "AWS::IAM::User"
    assert bob["severity_id"] == 4
    assert bob["severity"] == "High"
    assert bob["compliance"]["requirements"] == ["CIS 1.10", "FSBP IAM.5"]
    assert bob["compliance"]["control"] == "user-console-mfa"
    assert bob["compliance"]["status_id"] == 3  # Fail
    assert bob["time"] == 1_780_315_200_000  # 2026-06-01 12:00 UTC, in milliseconds


def test_status_new_suppressed_expired_and_error() -> None:
    found = render(fixture_verdict())
    assert set(found) == {
        f"{A}:root New",  # root-mfa fails, and support-role could not be evaluated
        f"{A}:user/bob New",
        f"{A}:user/break-glass Suppressed",
        f"{A}:user/old New",
        f"{A}:user/etl-vendor Suppressed",
        f"{A}:user/x#inline/a|b<c>&]]> New",
    }
    accepted = found[f"{A}:user/break-glass Suppressed"]
    assert accepted["status_id"] == 3
    assert "Break-glass | kept in the safe <sealed>" in accepted["status_detail"]
    assert "owner security" in accepted["status_detail"]
    assert "expires 2026-06-20" in accepted["status_detail"]
    assert "exception expired on 2026-05-01" in found[f"{A}:user/old New"]["status_detail"]
    # A passing resource is no record.
    assert not any("user/alice" in key for key in found)


def test_error_is_a_record_with_unknown_compliance() -> None:
    data = json.loads(render_ocsf(fixture_verdict(), ReportContext(checks=catalogue())))
    error = next(r for r in data if r["metadata"]["event_code"] == "support-role")
    assert error["compliance"]["status_id"] == 0  # Unknown, never Pass
    assert error["status_detail"] == "could not be evaluated"


def test_fixed_since_the_previous_run_is_resolved_only_with_previous() -> None:
    current = fixture_verdict()
    assert not any(k.endswith("Resolved") for k in render(current))
    compared = with_since(current, [previous_verdict()], "previous/results.json")
    found = render(compared)
    resolved = [r for k, r in found.items() if k.endswith("Resolved")]
    assert [r["resources"][0]["uid"] for r in resolved] == [f"{A}:user/carol"]
    assert resolved[0]["activity_id"] == 3
    assert resolved[0]["type_uid"] == 200303
    assert resolved[0]["status_id"] == 4
    assert resolved[0]["compliance"]["status_id"] == 1  # Pass


def test_uid_is_stable_per_account_check_and_resource() -> None:
    first = render(fixture_verdict())
    again = render(fixture_verdict())
    assert {k: r["finding_info"]["uid"] for k, r in first.items()} == {
        k: r["finding_info"]["uid"] for k, r in again.items()
    }


def test_hostile_text_stays_json_text() -> None:
    text = render_ocsf(hostile_verdict(), ReportContext(checks=catalogue()))
    data = json.loads(text)
    messages = {r["message"] for r in data}
    assert any(PAYLOADS[0] in m for m in messages)  # kept as it is: JSON strings are inert
    assert len(text.splitlines()) == len(data) + 2  # one record a line: no text broke one


def test_no_findings_is_an_empty_array() -> None:
    from dataclasses import replace

    assert render_ocsf(replace(fixture_verdict(), findings=()), ReportContext()) == "[]\n"
