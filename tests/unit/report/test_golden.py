"""Golden files for every reporter, from one shared set of fixture verdicts.

Regenerate after an intended change with ``IAMGATE_UPDATE_GOLDEN=1 pytest tests/unit`` and
review the diff like code.
"""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from collections.abc import Callable

import pytest

from iamgate.formats.results_json import render_results as render_json
from iamgate.model.results import Verdict
from iamgate.report.csv import render_csv
from iamgate.report.junit import render_junit
from iamgate.report.markdown import render_markdown
from testing import DATA
from testing.verdicts import A, fixture_verdict

GOLDEN = DATA / "golden"

REPORTERS: dict[str, Callable[[Verdict], str]] = {
    "junit.xml": render_junit,
    "summary.md": render_markdown,
    "results.json": render_json,
    "results.csv": render_csv,
}


@pytest.mark.parametrize("name", sorted(REPORTERS))
def test_golden(name: str) -> None:
    text = REPORTERS[name](fixture_verdict())
    path = GOLDEN / name
    if os.environ.get("IAMGATE_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


def test_junit_totals_are_right() -> None:
    root = ET.fromstring(render_junit(fixture_verdict()))
    assert root.get("tests") == "8"
    assert root.get("failures") == "4"  # 3 new + 1 expired
    assert root.get("errors") == "1"
    assert root.get("skipped") == "2"
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    # One suite per check that ran, even with no test case (coverage shows).
    assert "user-access-key-rotation" in suites
    assert suites["user-access-key-rotation"].get("tests") == "0"


def test_json_is_valid_and_complete() -> None:
    data = json.loads(render_json(fixture_verdict()))
    assert data["verdict"] == "fail"
    assert data["counts"] == {
        "new": 3,
        "expired": 1,
        "accepted": 2,
        "stale": 1,
        "passed": 1,
        "errors": 1,
    }
    assert data["stale_exceptions"][0]["resource"] == f"{A}:user/gone"
    accepted = [f for f in data["findings"] if f["status"] == "accepted"]
    assert {f["exception"]["source"] for f in accepted} == {
        "baselines/123456789012.yml:4",
        "baselines/123456789012.yml:15",
    }


def table_widths(markdown: str) -> list[set[int]]:
    """For each table, the set of column counts of its rows (escaped pipes are content)."""
    tables: list[set[int]] = []
    previous = False
    for line in markdown.splitlines():
        is_row = line.startswith("|")
        if is_row:
            width = line.replace("\\|", "").count("|") - 1
            if not previous:
                tables.append(set())
            tables[-1].add(width)
        previous = is_row
    return tables


def test_markdown_tables_keep_their_columns() -> None:
    widths = table_widths(render_markdown(fixture_verdict()))
    assert len(widths) == 10
    assert all(len(w) == 1 for w in widths), widths


def test_markdown_folds_to_stay_under_the_step_summary_limit() -> None:
    base = fixture_verdict()
    many = tuple(base.findings[1] for _ in range(40_000))
    from dataclasses import replace

    big = replace(base, findings=many, counts={**base.counts, "new": 40_000})
    text = render_markdown(big)
    assert len(text.encode()) < 1024 * 1024
    assert "more rows, folded to fit" in text
