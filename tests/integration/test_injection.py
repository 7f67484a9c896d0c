"""Text a pull-request author or an account controls never becomes a GitHub workflow command.

GitHub's runner reads a command from any output line that starts with ``::`` (after leading
whitespace) and from ``##[`` anywhere in a line. Newline and ``::`` text is fed through every
command that prints baseline or account text (``baseline lint``, ``diff``, ``prune``, ``init``,
the duplicate-exception error of ``scan``/``evaluate``, the summary of ``evaluate``, ``merge``
and ``scan``, progress and collection errors), and no line of stdout or stderr may start with
``::`` or carry ``##[``, while the text itself is still shown (escaped), so a reviewer sees it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from iamgate.formats.snapshot_json import snapshot_to_json
from testing.cli import Run
from testing.factories import ACCOUNT, arn, row, snap

A = f"arn:aws:iam::{ACCOUNT}"
# Accepted by the baseline loader (no control character): dangerous only where it is printed.
CMD = "::error title=pwned::from the baseline"
LEGACY = "##[add-mask]from the baseline"
# Account text has no such limit: a snapshot (or an answer) can carry line breaks.
NEWLINE_USER = "eve\n::error title=pwned::from the account"
LEGACY_USER = "mallory##[error]from the account"


def no_workflow_command(run: Run) -> None:
    for stream, text in (("stdout", run.stdout), ("stderr", run.stderr)):
        for line in text.splitlines():
            assert not line.lstrip().startswith("::"), f"{stream}: {line!r}"
            assert "##[" not in line, f"{stream}: {line!r}"


def entry(check: str, resource: str, reason: str, owner: str, expires: str) -> str:
    return (
        f"  - check: {check}\n    resource: {json.dumps(resource)}\n"
        f"    reason: {json.dumps(reason)}\n    owner: {json.dumps(owner)}\n"
        f"    expires: {expires}\n"
    )


def baseline(*entries: str) -> str:
    return f'version: 1\naccount: "{ACCOUNT}"\nexceptions:\n' + "".join(entries)


HOSTILE = baseline(
    entry("user-console-mfa", f"{A}:user/{LEGACY}", CMD, LEGACY, "2026-12-31"),
    entry("user-inactive", f"{A}:user/gone", f"ok {LEGACY}", CMD, "2026-07-01"),
)


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    snapshot = snap(
        credential_report=(
            row("<root_account>", password=None, mfa=True),
            row(NEWLINE_USER, password=True),
            row(LEGACY_USER, password=True),
        )
    )
    paths = {
        "snapshot": tmp_path / "snapshot.json",
        # A file name is text a pull request chooses too.
        "hostile": tmp_path / "::warning title=pwned::file.yml",
        "clean": tmp_path / "clean.yml",
        "duplicate": tmp_path / "duplicate.yml",
    }
    paths["snapshot"].write_text(snapshot_to_json(snapshot), encoding="utf-8")
    paths["hostile"].write_text(HOSTILE, encoding="utf-8")
    paths["clean"].write_text(baseline(), encoding="utf-8")
    twice = entry("root-mfa", f"{A}:root {CMD}", "r", "o", "2026-07-01")
    paths["duplicate"].write_text(baseline(twice, twice), encoding="utf-8")
    return paths


def test_baseline_lint_diff_prune_and_init(offline: Any, files: dict[str, Path]) -> None:
    # Named as a workflow would name it: relative, so the name starts the line.
    lint = offline("baseline", "lint", files["hostile"].name, "--as-of", "2026-06-01")
    assert lint.code == 1, lint.stderr
    no_workflow_command(lint)
    assert "\\x3a:warning title=pwned::file.yml:" in lint.stdout  # shown, and inert
    assert "#\\x23[add-mask]" in lint.stdout

    diff = offline(
        "baseline", "diff", str(files["clean"]), str(files["hostile"]), "--as-of", "2026-06-01"
    )
    assert diff.code == 1, diff.stderr  # the head fails lint
    no_workflow_command(diff)
    assert "##\\[add-mask\\]from the baseline" in diff.stdout  # markdown shows "##[add-mask]..."
    assert "iamgate: lint: " in diff.stderr

    evaluate = offline(
        "evaluate",
        str(files["snapshot"]),
        "--baseline",
        str(files["hostile"]),
        "--as-of",
        "2026-06-01",
        "--checks",
        "user-console-mfa,user-inactive",
        "--output-dir",
        "out",
        "--verbose",
    )
    assert evaluate.code == 1, evaluate.stderr
    no_workflow_command(evaluate)
    results = evaluate.json()
    assert {e["resource"] for e in results["stale_exceptions"]} == {
        f"{A}:user/{LEGACY}",
        f"{A}:user/gone",
    }

    pruned = files["hostile"].with_name("prune-me.yml")
    shutil.copy(files["hostile"], pruned)
    prune = offline("baseline", "prune", str(pruned), "--results", "out/results.json")
    assert prune.code == 0, prune.stderr
    no_workflow_command(prune)
    assert prune.stdout.count("removed: ") == 2
    assert "owner \\x3a:error" not in prune.stdout  # mid-line: left readable
    assert "owner ::error title=pwned::from the baseline" in prune.stdout

    init = offline(
        "baseline", "init", "--results", "out/results.json", "-o", str(files["hostile"]) + "x"
    )
    assert init.code == 0, init.stderr
    no_workflow_command(init)


def test_account_text_in_summaries_progress_and_errors(
    offline: Any, files: dict[str, Path]
) -> None:
    run = offline(
        "evaluate",
        str(files["snapshot"]),
        "--as-of",
        "2026-06-01",
        "--output-dir",
        "out",
        "--verbose",
    )
    assert run.code == 1, run.stderr
    no_workflow_command(run)
    assert "eve ::error title=pwned::from the account" in run.stdout  # in a table cell
    assert "mallory##\\[error\\]from the account" in run.stdout

    merge = offline("merge", "out/results.json", "--output-dir", "merged", "--verbose")
    assert merge.code == 1, merge.stderr
    no_workflow_command(merge)
    assert "mallory##\\[error\\]" in merge.stdout

    dup = offline("evaluate", str(files["snapshot"]), "--baseline", str(files["duplicate"]))
    assert dup.code == 2, dup.stderr
    no_workflow_command(dup)
    assert "duplicate exception for root-mfa" in dup.stderr


def test_scan_of_an_account_whose_names_carry_commands(aws: Any, iamgate: Any) -> None:
    # IAM paths may hold any printable ASCII: "::" and "##[" included.
    iam = aws.client("iam")
    iam.create_user(UserName="pathy", Path="/::error::x/##[error]y/")
    iam.create_login_profile(UserName="pathy", Password="Pw-0123456789-Xx!")
    run = iamgate("scan", "--regions", "us-east-1", "--output-dir", "out", "--verbose")
    assert run.code in (1, 3), run.stderr
    no_workflow_command(run)
    assert f"{A}:user/::error::x/##\\[error\\]y/pathy" in run.stdout  # shown in the summary
    assert arn("user", "pathy") not in run.stdout
