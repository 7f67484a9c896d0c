"""Start-up: every command pays for what the CLI imports, so the AWS SDK (boto3, about a third of
a second) and Jinja2 are imported only by the commands that use them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from testing import DATA, REPO

HEAVY = ("boto3", "botocore", "jinja2", "urllib3")


def imported_by(code: str) -> set[str]:
    probe = f"import sys, json\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
        env={"PYTHONPATH": str(REPO / "src")},
    ).stdout
    return set(json.loads(out))


def test_the_cli_imports_no_aws_sdk_and_no_template_engine() -> None:
    loaded = imported_by("import iamgate.cli.app")
    assert "iamgate.cli.scan" in loaded  # every command is registered
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_a_scan_imports_the_aws_sdk_when_it_runs() -> None:
    # The probe above must be able to fail: what the scan path needs does import boto3.
    assert "boto3" in imported_by("import iamgate.app.scan")


# What only other commands need: the plan parsers (CloudFormation's YAML among them), the
# baseline rules and review, the check registry (imported by the commands that run checks).
OTHER_COMMANDS = ("iamgate.app.plan", "iamgate.plan", "iamgate.app.review", "iamgate.baseline.lint")


def test_the_cli_starts_without_any_command_s_use_case() -> None:
    loaded = imported_by("import iamgate.cli.app")
    assert "iamgate.cli.evaluate" in loaded
    lazy = {*OTHER_COMMANDS, "iamgate.checks", "iamgate.app.evaluate", "yaml", "tabulate"}
    assert not loaded & lazy, sorted(loaded & lazy)


def test_evaluate_imports_what_it_runs_and_nothing_only_other_commands_need(
    tmp_path: Path,
) -> None:
    argv = ["iamgate", "evaluate", str(DATA / "demo-snapshot.json"), "-q"]
    argv += ["--output-dir", str(tmp_path)]
    loaded = imported_by(
        f"sys.argv = {argv!r}\n"
        "from iamgate.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass"
    )
    assert {"iamgate.checks", "iamgate.app.evaluate"} <= loaded  # the probe can fail
    assert (tmp_path / "junit.xml").is_file()
    assert not loaded & {*OTHER_COMMANDS, *HEAVY[:2]}, sorted(loaded & {*OTHER_COMMANDS})
