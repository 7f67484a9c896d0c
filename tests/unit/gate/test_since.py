"""--previous: what appeared, was fixed or newly accepted, and where the reports say it."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from iamgate.errors import InputError
from iamgate.formats.results_json import load_results, render_results
from iamgate.gate.combine import combine
from iamgate.gate.since import compare, with_since
from iamgate.model.results import Finding, Status
from iamgate.report.markdown import render_markdown
from testing.verdicts import A, fixture_verdict, previous_verdict


def keys(findings: tuple[Finding, ...]) -> list[tuple[str, str]]:
    return [(f.check, f.resource.removeprefix(A + ":")) for f in findings]


def test_appeared_fixed_and_newly_accepted() -> None:
    since = compare([previous_verdict()], fixture_verdict(), "prev.json")
    assert since.previous_generated_at == previous_verdict().generated_at
    # bob passed then; old's exception expired since (accepted then, expired now): both appear.
    # Most severe first.
    assert keys(since.appeared) == [("user-console-mfa", "user/bob"), ("user-inactive", "user/old")]
    assert [f.status for f in since.appeared] == [Status.FAIL, Status.EXPIRED]
    # carol failed then and is gone now; the failure is reported as it was then.
    assert keys(since.fixed) == [("user-console-mfa", "user/carol")]
    assert since.fixed[0].message == "user carol has a console password and no MFA device"
    assert since.accepted == ()


def test_newly_accepted_is_failing_then_accepted_now() -> None:
    now = fixture_verdict()
    bob_failing = replace(
        previous_verdict(),
        findings=tuple(
            replace(f, status=Status.FAIL) if f.resource.endswith("/break-glass") else f
            for f in previous_verdict().findings
        ),
    )
    since = compare([bob_failing], now, "prev.json")
    assert keys(since.accepted) == [("user-console-mfa", "user/break-glass")]


def test_a_failure_is_not_fixed_when_this_run_could_not_see_it() -> None:
    carol = next(f for f in previous_verdict().findings if f.resource.endswith("/carol"))
    now = fixture_verdict()
    # The check did not run this time.
    skipped = replace(now, checks=tuple(c for c in now.checks if c != "user-console-mfa"))
    skipped = replace(
        skipped, findings=tuple(f for f in now.findings if f.check != "user-console-mfa")
    )
    assert carol not in compare([previous_verdict()], skipped, "p").fixed
    # The check ran but errored in that account.
    errored = replace(
        now,
        findings=(
            *(f for f in now.findings if f.check != "user-console-mfa"),
            replace(carol, resource=f"{A}:root", status=Status.ERROR),
        ),
    )
    assert compare([previous_verdict()], errored, "p").fixed == ()
    # The account was not scanned this time (an organization run that lost it).
    other = replace(
        previous_verdict(),
        account_id="210987654321",
        findings=(replace(carol, account_id="210987654321"),),
    )
    since = compare([previous_verdict(), other], now, "p")
    assert [f.account_id for f in since.fixed] == ["123456789012"]


def test_runs_of_other_accounts_are_bad_input() -> None:
    other = replace(
        previous_verdict(),
        account_id="210987654321",
        findings=tuple(replace(f, account_id="210987654321") for f in previous_verdict().findings),
    )
    with pytest.raises(InputError, match=r"prev.json: is a run of account\(s\) 210987654321"):
        compare([other], fixture_verdict(), "prev.json")


def test_a_previous_run_newer_than_this_one_is_bad_input() -> None:
    now = fixture_verdict()
    newer = replace(previous_verdict(), generated_at=now.generated_at + timedelta(seconds=1))
    with pytest.raises(InputError, match="generated after this run"):
        compare([newer], now, "prev.json")


def test_another_schema_version_is_bad_input(tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    data = json.loads(render_results(previous_verdict()))
    path.write_text(json.dumps({**data, "schema_version": 2}), encoding="utf-8")
    with pytest.raises(InputError, match="schema_version 1") as caught:
        load_results(path)
    assert caught.value.exit_code == 2


def test_results_json_gains_one_field_and_reads_back_the_same(tmp_path: Path) -> None:
    plain = render_results(fixture_verdict())
    compared = render_results(with_since(fixture_verdict(), [previous_verdict()], "p"))
    data = json.loads(compared)
    assert {k: v for k, v in data.items() if k != "since_last_run"} == json.loads(plain)
    assert data["since_last_run"]["previous_generated_at"] == "2026-04-30T12:00:00Z"
    assert [(f["check"], f["status"]) for f in data["since_last_run"]["appeared"]] == [
        ("user-console-mfa", "fail"),
        ("user-inactive", "expired"),
    ]
    assert data["since_last_run"]["fixed"][0]["resource"] == f"{A}:user/carol"
    (tmp_path / "plain.json").write_text(plain, encoding="utf-8")
    (tmp_path / "compared.json").write_text(compared, encoding="utf-8")
    # Derived from two runs: not read back, so the run reads back as it was.
    assert load_results(tmp_path / "compared.json") == load_results(tmp_path / "plain.json")


def test_the_markdown_summary_says_what_is_new_first() -> None:
    text = render_markdown(with_since(fixture_verdict(), [previous_verdict()], "p"))
    lines = text.splitlines()
    assert lines[2] == (
        "**2 new since the last run** (2026-04-30 12:00 UTC): user-console-mfa on "
        f"{A}:user/bob, user-inactive on {A}:user/old. 1 finding fixed."
    )
    assert [c.strip() for c in lines[4].split("|")[1:-1]] == [
        "since the last run",
        "severity",
        "check",
        "resource",
    ]
    assert f"| fixed                | high       | user-console-mfa | {A}:user/carol" in text
    assert text.index("since the last run") < text.index("iamgate ❌ FAIL")


def test_the_markdown_says_nothing_changed_and_escapes_names() -> None:
    same = with_since(fixture_verdict(), [fixture_verdict()], "p")
    assert "**Nothing changed since the last run** (2026-06-01 12:00 UTC)" in render_markdown(same)
    hostile = replace(fixture_verdict().findings[1], resource=f"{A}:user/<b>x|y</b>")
    since = replace(same.since, appeared=(hostile,))  # type: ignore[arg-type]
    text = render_markdown(replace(same, since=since))
    assert "<b>" not in text
    assert "\\<b\\>x\\|y\\</b\\>" in text


def test_merged_runs_compare_like_one_run() -> None:
    merged = combine([fixture_verdict()])
    assert compare([previous_verdict()], merged, "p") == compare(
        [previous_verdict()], fixture_verdict(), "p"
    )
