"""Start-up: every command pays for what the CLI imports, so the AWS SDK (boto3, about a third of
a second) and Jinja2 are imported only by the commands that use them."""

from __future__ import annotations

import json
import subprocess
import sys

from testing import REPO

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
