"""The --history file: appending, bounding, reading back, and refusing what it did not write."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from iamgate.errors import InputError
from iamgate.formats.history_jsonl import (
    HISTORY_LIMIT,
    entry_for,
    entry_json,
    load_history,
    parse_history,
    render_history,
)
from testing.verdicts import fixture_verdict, history_before


def test_a_run_is_one_line_with_counts_by_status_and_severity() -> None:
    text = render_history((), fixture_verdict())
    assert text.count("\n") == 1
    line = json.loads(text)
    assert line == {
        "v": 1,
        "time": "2026-06-01T12:00:00Z",
        "accounts": ["123456789012"],
        "verdict": "fail",
        "counts": {"new": 3, "expired": 1, "accepted": 2, "stale": 1, "passed": 1, "errors": 1},
        # new + expired: root-mfa (critical), bob and the inline policy (high), old (low)
        "failing_by_severity": {"critical": 1, "high": 2, "medium": 0, "low": 1, "info": 0},
        "checks": list(fixture_verdict().checks),
    }


def test_appending_keeps_the_earlier_runs_and_reads_back() -> None:
    earlier = history_before()
    text = render_history(earlier, fixture_verdict())
    runs = parse_history(text, "h.jsonl")
    assert runs == (*earlier, entry_for(fixture_verdict()))
    assert text.startswith("".join(entry_json(e) + "\n" for e in earlier))


def test_bounded_to_the_last_runs() -> None:
    verdict = fixture_verdict()
    start = verdict.generated_at
    many = tuple(
        replace(entry_for(verdict), time=start - timedelta(days=n)) for n in range(500, 0, -1)
    )
    runs = parse_history(render_history(many, verdict), "h")
    assert len(runs) == HISTORY_LIMIT == 400
    assert runs[0].time == start - timedelta(days=399)  # the oldest dropped first
    assert runs[-1].time == start
    assert len(parse_history(render_history(many[:3], verdict, limit=2), "h")) == 2


def test_ascii_only_so_no_line_separator_breaks_a_line() -> None:
    entry = replace(entry_for(fixture_verdict()), accounts=("a\u2028b\nc",))
    line = entry_json(entry)
    assert line.isascii()
    assert "\n" not in line
    assert parse_history(line, "h")[0].accounts == ("a\u2028b\nc",)


def test_blank_lines_and_crlf_are_read() -> None:
    line = entry_json(entry_for(fixture_verdict()))
    assert len(parse_history(f"\r\n{line}\r\n\r\n{line}\r\n", "h")) == 2


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: "{not json", "not JSON"),
        (lambda d: "[1, 2]", "not a JSON object"),
        (lambda d: {**d, "v": 2}, "line format v=2"),
        (lambda d: {k: v for k, v in d.items() if k != "counts"}, "missing counts"),
        (lambda d: {**d, "time": "yesterday"}, "time is not an ISO 8601"),
        (lambda d: {**d, "verdict": "maybe"}, "verdict must be one of"),
        (lambda d: {**d, "counts": {**d["counts"], "new": -1}}, "counts.new must be"),
        (lambda d: {**d, "counts": {**d["counts"], "new": "3"}}, "counts.new must be"),
        (lambda d: {**d, "counts": {**d["counts"], "new": True}}, "counts.new must be"),
        (lambda d: {**d, "failing_by_severity": {}}, "failing_by_severity must have"),
        (lambda d: {**d, "checks": "root-mfa"}, "checks must be a list"),
    ],
)
def test_a_malformed_line_is_bad_input_with_file_and_line(edit: object, message: str) -> None:
    good = entry_json(entry_for(fixture_verdict()))
    changed = edit(json.loads(good))  # type: ignore[operator]
    bad = changed if isinstance(changed, str) else json.dumps(changed)
    with pytest.raises(InputError) as caught:
        parse_history(f"{good}\n\n{bad}\n", "badges/history.jsonl")
    assert str(caught.value).startswith("badges/history.jsonl:3: not an iamgate history line")
    assert message in str(caught.value)
    assert caught.value.exit_code == 2


def test_a_missing_file_is_the_first_run_and_a_directory_is_bad_input(tmp_path: Path) -> None:
    assert load_history(tmp_path / "history.jsonl") == ()
    with pytest.raises(InputError, match="is a directory"):
        load_history(tmp_path)
    (tmp_path / "link").symlink_to(tmp_path / "gone")
    with pytest.raises(InputError, match="no such file"):
        load_history(tmp_path / "link")  # a dangling link is not a first run


def test_the_time_is_the_runs_own() -> None:
    later = replace(fixture_verdict(), generated_at=datetime(2027, 1, 2, 3, 4, 5, 678, UTC))
    assert json.loads(render_history((), later))["time"] == "2027-01-02T03:04:05Z"
