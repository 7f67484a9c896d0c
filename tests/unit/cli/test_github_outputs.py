"""``iamgate github-outputs``: the Action's outputs, failing closed."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from iamgate.cli.app import app
from iamgate.formats.results_json import render_results
from iamgate.model.results import Finding, Severity, Status, Verdict, count_statuses


def outputs(*args: str) -> dict[str, str]:
    result = CliRunner().invoke(app, ["github-outputs", *args])
    assert result.exit_code == 0, result.output
    return dict(line.split("=", 1) for line in result.output.splitlines())


def write_results(out: Path, status: Status) -> None:
    finding = Finding(
        "root-mfa",
        "arn:aws:iam::123456789012:root",
        "account",
        status,
        Severity.CRITICAL,
        "t",
        "m",
        "123456789012",
    )
    verdict = Verdict(
        "123456789012",
        datetime(2026, 6, 1, tzinfo=UTC),
        date(2026, 6, 1),
        (finding,),
        checks=("root-mfa",),
        counts=count_statuses([finding], 0),
    )
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(render_results(verdict), encoding="utf-8")


@pytest.mark.parametrize(
    ("status", "code", "verdict"), [(Status.FAIL, 1, "fail"), (Status.PASS, 0, "pass")]
)
def test_the_verdict_and_counts_come_from_results(
    tmp_path: Path, status: Status, code: int, verdict: str
) -> None:
    write_results(tmp_path / "out", status)
    got = outputs("--output-dir", str(tmp_path / "out"), "--exit-code", str(code))
    assert got["verdict"] == verdict
    assert got["new"] == ("1" if status is Status.FAIL else "0")
    assert got["results-path"] == str(tmp_path / "out" / "results.json")
    assert got["sarif-path"] == str(tmp_path / "out" / "results.sarif")
    assert got["badge-path"] == str(tmp_path / "out" / "badge.json")


def test_an_exit_code_that_is_neither_pass_nor_fail_is_an_error(tmp_path: Path) -> None:
    write_results(tmp_path / "out", Status.PASS)
    got = outputs("--output-dir", str(tmp_path / "out"), "--exit-code", "3")
    assert got["verdict"] == "error"
    assert got["new"] == "0"


@pytest.mark.parametrize("content", ["", "{", '{"schema_version": 1}', "[]"])
def test_missing_or_damaged_results_are_an_error(tmp_path: Path, content: str) -> None:
    (tmp_path / "out").mkdir()
    if content:
        (tmp_path / "out" / "results.json").write_text(content, encoding="utf-8")
    got = outputs("--output-dir", str(tmp_path / "out"), "--exit-code", "0")
    assert got["verdict"] == "error"


def test_a_newline_in_a_path_cannot_start_another_output(tmp_path: Path) -> None:
    got = outputs("--output-dir", str(tmp_path), "--badge", "b.json\nverdict=pass")
    assert got["verdict"] == "error"
    assert got["badge-path"] == "b.json verdict=pass"
