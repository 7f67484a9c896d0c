"""How junit.xml writes passing resources (``--junit-passing``): one test case each for one
account, counted per check for several (an organization's merge), failures always one case per
resource. Run as a user would: ``iamgate evaluate`` twice, then ``iamgate merge``."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from iamgate.formats.snapshot_json import snapshot_to_json
from testing.factories import row, snap

OTHER = "210987654321"
CHECK = "user-console-mfa"


@pytest.fixture
def two_results(offline: Any, tmp_path: Path) -> tuple[str, str]:
    """results.json of two accounts: three users each, one with a console password and no MFA."""
    rows = (
        row("<root_account>", password=None, mfa=True),
        row("alice", password=True, mfa=True),
        row("bob", password=True, mfa=True),
        row("mallory", password=True, mfa=False),
    )
    first = snap(credential_report=rows)
    for name, snapshot in (("a", first), ("b", dataclasses.replace(first, account_id=OTHER))):
        (tmp_path / f"{name}.json").write_text(snapshot_to_json(snapshot), encoding="utf-8")
        run = offline("evaluate", f"{name}.json", "--checks", CHECK, "--json", f"{name}-r.json")
        assert run.code == 1, run.stderr
    return "a-r.json", "b-r.json"


def cases(path: Path) -> list[tuple[str, str, str]]:
    """(suite, case name, outcome) of every test case."""
    found = []
    for suite in ET.fromstring(path.read_text(encoding="utf-8")).iter("testsuite"):
        for case in suite.iter("testcase"):
            outcome = next((child.tag for child in case), "pass")
            found.append((suite.get("name", ""), case.get("name", ""), outcome))
    return found


def test_a_merge_counts_passing_resources_by_default(
    offline: Any, tmp_path: Path, two_results: tuple[str, str]
) -> None:
    run = offline("merge", *two_results, "--junit", "j.xml", "-q")
    assert run.code == 1, run.stderr
    got = cases(tmp_path / "j.xml")
    for account in ("123456789012", OTHER):
        suite = f"{account}.{CHECK}"
        mine = sorted((name, outcome) for s, name, outcome in got if s == suite)
        assert mine == [
            ("2 passing resources", "pass"),
            ("arn:aws:iam::123456789012:user/mallory", "failure"),
        ], mine


def test_each_passing_resource_on_request(
    offline: Any, tmp_path: Path, two_results: tuple[str, str]
) -> None:
    run = offline("merge", *two_results, "--junit", "j.xml", "--junit-passing", "each", "-q")
    assert run.code == 1, run.stderr
    got = cases(tmp_path / "j.xml")
    assert len(got) == 6
    assert sum(outcome == "pass" for _, _, outcome in got) == 4
    assert not any("passing resources" in name for _, name, _ in got)


def test_one_account_writes_each_passing_resource_by_default(
    offline: Any, tmp_path: Path, two_results: tuple[str, str]
) -> None:
    run = offline("merge", two_results[0], "--junit", "one.xml", "-q")
    assert run.code == 1, run.stderr
    assert sum(outcome == "pass" for _, _, outcome in cases(tmp_path / "one.xml")) == 2
    summary = offline(
        "evaluate", "a.json", "--checks", CHECK, "--junit", "s.xml", "--junit-passing", "summary"
    )
    assert summary.code == 1, summary.stderr
    assert [(n, o) for _, n, o in cases(tmp_path / "s.xml")] == [
        ("arn:aws:iam::123456789012:user/mallory", "failure"),
        ("2 passing resources", "pass"),
    ]


def test_an_unknown_value_is_bad_input(offline: Any, two_results: tuple[str, str]) -> None:
    run = offline("merge", *two_results, "--junit", "j.xml", "--junit-passing", "some")
    assert run.code == 2
    assert "--junit-passing" in run.stderr
    assert "auto, each or summary" in run.stderr
