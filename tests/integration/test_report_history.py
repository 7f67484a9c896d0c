"""Two nightly scans against moto with a change between them: --history keeps the trend,
--previous says what appeared and what was fixed, in every report that carries it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from iamgate.demo.seed import seed_clean
from iamgate.demo.standin import MotoAccount

ACCOUNT = "123456789012"
HISTORY = "badges/history.jsonl"
ONE_REGION = ("--regions", "us-east-1")  # Access Analyzer: one region is enough here


def user_arn(name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:user/{name}"


def console_user_without_mfa(aws: MotoAccount, name: str) -> None:
    iam = aws.client("iam")
    iam.create_user(UserName=name)
    iam.create_login_profile(UserName=name, Password="Not-a-real-Passw0rd!")
    aws.set_password_last_used(name, 1)


def changes(results: dict[str, Any], kind: str) -> set[tuple[str, str]]:
    return {(f["check"], f["resource"]) for f in results["since_last_run"][kind]}


def test_two_scans_with_a_change_between_them(aws: MotoAccount, iamgate: Any) -> None:
    seed_clean(aws)
    console_user_without_mfa(aws, "bob")
    first = iamgate("scan", *ONE_REGION, "--output-dir", "run1", "--history", HISTORY)
    assert first.code == 1, first.stderr
    assert "since_last_run" not in first.json("run1/results.json")  # no --previous: as before
    assert len(first.text(HISTORY).splitlines()) == 1
    assert f"history: {HISTORY} is new; it starts with this run" in first.stderr

    # Overnight: bob's console password is removed, carol gets one without MFA.
    aws.client("iam").delete_login_profile(UserName="bob")
    console_user_without_mfa(aws, "carol")

    second = iamgate(
        "scan",
        *ONE_REGION,
        "--output-dir",
        "run2",
        "--history",
        HISTORY,
        "--previous",
        "run1/results.json",
    )
    assert second.code == 1, second.stderr
    assert f"history: 1 earlier run in {HISTORY}" in second.stderr
    results = second.json("run2/results.json")
    assert ("user-console-mfa", user_arn("carol")) in changes(results, "appeared")
    assert ("user-console-mfa", user_arn("bob")) in changes(results, "fixed")
    assert ("user-console-mfa", user_arn("bob")) not in changes(results, "appeared")
    assert (
        results["since_last_run"]["previous_generated_at"]
        == first.json("run1/results.json")["generated_at"]
    )

    # The summary (printed, and the step summary's text) says what is new first.
    summary = second.text("run2/summary.md").splitlines()
    appeared = len(results["since_last_run"]["appeared"])
    assert summary[2].startswith(f"**{appeared} new since the last run** (")
    assert f"user-console-mfa on {user_arn('carol')}" in summary[2]
    assert "fixed." in summary[2]

    # The history holds both runs, the newest last, with this run's counts.
    lines = [json.loads(line) for line in second.text(HISTORY).splitlines()]
    assert len(lines) == 2
    assert lines[-1]["counts"] == results["counts"]
    assert lines[-1]["time"] == results["generated_at"].split(".")[0].rstrip("Z") + "Z"

    # The page draws the trend and leads with the change.
    html = second.text("run2/report.html")
    assert "Trend over the last 2 runs" in html
    assert html.index('id="since"') < html.index('id="summary"')
    assert "carol" in html


def test_bad_history_or_previous_is_bad_input_and_nothing_is_written(
    aws: MotoAccount, iamgate: Any, tmp_path: Path
) -> None:
    seed_clean(aws)
    first = iamgate("scan", *ONE_REGION, "--output-dir", "run1")
    assert first.code == 0, first.stderr

    (tmp_path / "history.jsonl").write_text('{"v":1}\nnot json\n', encoding="utf-8")
    run = iamgate("scan", "--output-dir", "out", "--history", "history.jsonl")
    assert run.code == 2
    assert "history.jsonl:1: not an iamgate history line: missing time" in run.stderr
    assert not (tmp_path / "out").exists()  # refused before the scan: nothing written
    assert (tmp_path / "history.jsonl").read_text(encoding="utf-8").startswith('{"v":1}')

    other = (tmp_path / "run1/results.json").read_text(encoding="utf-8")
    (tmp_path / "other.json").write_text(other.replace(ACCOUNT, "210987654321"), "utf-8")
    run = iamgate("scan", *ONE_REGION, "--output-dir", "out", "--previous", "other.json")
    assert run.code == 2
    assert "other.json: is a run of account(s) 210987654321" in run.stderr
    assert not (tmp_path / "out").exists()  # the account is known after the scan, not written
