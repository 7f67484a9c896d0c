"""One owner per output path (issue 24), through the real ``iamgate``: two outputs on one file
are refused before anything is written, and a passing run whose step summary cannot be written
writes no report that says "pass" (the race of two runs on one --history, and the unit rules:
tests/unit/app/test_report_targets.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from testing import DATA

SNAPSHOT = str(DATA / "demo-snapshot.json")
PASSING = ("--checks", "password-policy-present")  # a check the demo account passes


def test_two_outputs_on_one_path_are_refused_before_anything_is_written(
    offline: Any, tmp_path: Path
) -> None:
    run = offline("evaluate", SNAPSHOT, "--output-dir", "out", "--json", "out/junit.xml")
    assert run.code == 2, run.stderr
    assert run.stderr.strip() == (
        "iamgate: error (bad input): out/junit.xml: junit.xml of --output-dir and --json "
        "would both be written here: give each output its own file"
    )
    assert not (tmp_path / "out").exists()


def test_a_pass_whose_step_summary_cannot_be_written_writes_no_report(
    offline: Any, tmp_path: Path
) -> None:
    summary = tmp_path / "summary.md"
    ok = offline(
        "evaluate",
        SNAPSHOT,
        *PASSING,
        "--output-dir",
        "ok",
        env={"GITHUB_STEP_SUMMARY": str(summary)},
    )
    assert ok.code == 0, ok.stderr  # the near miss: a writable summary, a pass
    assert "PASS" in summary.read_text(encoding="utf-8")
    summary.unlink()
    summary.mkdir()  # cannot be appended to
    run = offline(
        "evaluate",
        SNAPSHOT,
        *PASSING,
        "--output-dir",
        "out",
        env={"GITHUB_STEP_SUMMARY": str(summary)},
    )
    assert run.code == 2, run.stderr
    assert "cannot append" in run.stderr
    assert list((tmp_path / "out").iterdir()) == []  # no report of this run says "pass"
