"""The pre-commit hook (.pre-commit-hooks.yaml) as a user's repository meets it: `pre-commit
try-repo` installs it from this checkout into its own virtualenv (language: python, so pip
fetches the dependencies from the package index) and runs it on a good baseline, a bad one,
and a bad file outside baselines/ that the hook's `files:` pattern leaves alone.

One try-repo run: each run installs a fresh environment (30-70 s), so the three files go
through the same run, and each file's verdict is read from what the hook printed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

from testing.cli import REPO

GOOD = "baselines/123456789012.yml"
BAD = "baselines/210987654321.yml"
OUTSIDE = "elsewhere/210987654321.yml"


def _baseline(account: str, *, reason: bool) -> str:
    expires = (datetime.now(UTC).date() + timedelta(days=30)).isoformat()
    why = "    reason: Break-glass user; hardware token kept in the safe\n" if reason else ""
    return (
        f'version: 1\naccount: "{account}"\nexceptions:\n'
        "  - check: user-console-mfa\n"
        f"    resource: arn:aws:iam::{account}:user/break-glass\n"
        f"{why}    owner: platform-security\n    expires: {expires}\n"
    )


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def test_the_hook_is_declared_for_baseline_files() -> None:
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text("utf-8"))
    assert hook["id"] == "iamgate-baseline-lint"
    assert hook["entry"].startswith("iamgate baseline lint")
    assert hook["language"] == "python"


def test_try_repo_passes_the_good_baseline_and_fails_the_bad_one_with_its_line(
    tmp_path: Path,
) -> None:
    script = shutil.which("pre-commit", path=str(Path(sys.executable).parent))
    assert script is not None, "pre-commit is in the test extra"
    user = tmp_path / "user-repo"
    for name, text in (
        (GOOD, _baseline("123456789012", reason=True)),
        (BAD, _baseline("210987654321", reason=False)),
        (OUTSIDE, _baseline("210987654321", reason=False)),
    ):
        (user / name).parent.mkdir(parents=True, exist_ok=True)
        (user / name).write_text(text, encoding="utf-8")
    _git(user.parent, "init", "--quiet", str(user))
    _git(user, "add", "-A")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "PRE_COMMIT"))}
    env["PRE_COMMIT_HOME"] = str(tmp_path / "pre-commit-home")
    run = subprocess.run(
        [script, "try-repo", str(REPO), "iamgate-baseline-lint", "--files", GOOD, BAD, OUTSIDE],
        cwd=user,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    out = run.stdout + run.stderr
    assert run.returncode == 1, out
    assert "iamgate baseline lint" in out
    assert f"{BAD}:4: exception is missing 'reason'" in out
    assert "1 problem in 2 files" in out  # the good one linted clean; the outside one skipped
    assert GOOD not in out.split("hook id: iamgate-baseline-lint", 1)[1]
    assert OUTSIDE not in out.split("hook id: iamgate-baseline-lint", 1)[1]
