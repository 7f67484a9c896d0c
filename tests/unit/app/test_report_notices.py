"""A report that had to leave something out says so: ``Report.notices``, printed on stderr by
every gating command (even with --quiet)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iamgate.app.reports import Outputs, write_reports
from iamgate.report import sarif
from testing.verdicts import fixture_verdict


def test_sarif_past_githubs_limit_is_a_notice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sarif, "MAX_RESULTS", 2)
    report = write_reports(fixture_verdict(), Outputs(sarif=tmp_path / "r.sarif"))
    assert report.written == {"sarif": tmp_path / "r.sarif"}
    assert len(report.notices) == 1
    assert "4 of 6 results left out" in report.notices[0]
    written = json.loads((tmp_path / "r.sarif").read_text("utf-8"))
    assert len(written["runs"][0]["results"]) == 2


def test_within_the_limits_nothing_is_said(tmp_path: Path) -> None:
    report = write_reports(fixture_verdict(), Outputs(output_dir=tmp_path))
    assert (tmp_path / "results.sarif").is_file()
    assert report.notices == ()
