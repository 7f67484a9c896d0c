"""The GitLab CI template, checked against GitLab's CI schema (check-jsonschema's vendored copy:
offline), beside a near miss the schema must refuse; and what the template promises."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from testing.cli import REPO

TEMPLATE = REPO / "ci" / "gitlab" / "iamgate.gitlab-ci.yml"


def check_jsonschema(path: Path) -> subprocess.CompletedProcess[str]:
    script = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent))
    assert script is not None, "check-jsonschema is in the test extra"
    return subprocess.run(
        [script, "--builtin-schema", "vendor.gitlab-ci", str(path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_the_template_passes_gitlabs_schema_and_a_near_miss_does_not(tmp_path: Path) -> None:
    good = check_jsonschema(TEMPLATE)
    assert good.returncode == 0, good.stdout + good.stderr
    # The same template with one wrong type (a timeout is a string, not a number): refused.
    broken = tmp_path / "broken.gitlab-ci.yml"
    broken.write_text(
        TEMPLATE.read_text("utf-8").replace("timeout: 30 minutes", "timeout: [30]"),
        encoding="utf-8",
    )
    assert broken.read_text("utf-8") != TEMPLATE.read_text("utf-8")
    bad = check_jsonschema(broken)
    assert bad.returncode != 0, bad.stdout


def test_the_template_uses_oidc_publishes_junit_and_keeps_reports() -> None:
    doc: dict[str, Any] = yaml.safe_load(TEMPLATE.read_text("utf-8"))
    job = doc["iamgate"]
    assert job["id_tokens"]["IAMGATE_ID_TOKEN"]["aud"] == "sts.amazonaws.com"
    # boto3's credential chain exchanges the token: no key, no AWS CLI.
    assert set(job["variables"]) >= {"AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"}
    assert not any(k.startswith("AWS_SECRET") or k == "AWS_ACCESS_KEY_ID" for k in doc["variables"])
    assert job["artifacts"]["when"] == "always"
    assert job["artifacts"]["reports"]["junit"] == "iamgate-report/junit.xml"
    assert "iamgate-report/" in job["artifacts"]["paths"]
    script = " ".join(job["script"])
    assert "iamgate scan" in script
    assert "allow_failure" not in job  # the exit code fails the pipeline
