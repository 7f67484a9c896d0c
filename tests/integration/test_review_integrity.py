"""The review cannot be fooled (issue 24), through the real ``iamgate``: broad acceptance in
disguise, a ref shadowed by a directory, a pull request's own configuration, and baseline
files that resolve outside the reviewed directory."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from testing import DATA

ACCOUNT = "123456789012"
A = f"arn:aws:iam::{ACCOUNT}"
AS_OF = "2026-06-01"


def baseline(resource: str, extra: str = "") -> str:
    return (
        f'version: 1\naccount: "{ACCOUNT}"\nexceptions:\n'
        f"  - check: user-console-mfa\n    resource: '{resource}'\n"
        "    reason: Every CI user signs in through the SSO portal, which enforces MFA\n"
        f"    owner: platform\n    expires: 2026-07-01\n{extra}"
    )


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# --- breadth is explicit ----------------------------------------------------------------------


def test_broad_patterns_in_disguise_fail_lint_and_the_gate(offline: Any, tmp_path: Path) -> None:
    files = [
        write(tmp_path / f"b{n}.yml", baseline(p)) for n, p in enumerate(("arn:*", "*:*", "a*"))
    ]
    run = offline("baseline", "lint", *map(str, files), "--as-of", AS_OF)
    assert run.code == 1, run.stdout + run.stderr
    for n, reach in enumerate(("partition", "start of the ARN", "start of the ARN")):
        assert f"b{n}.yml:5: resource" in run.stdout
        assert f"reaches into the {reach}" in run.stdout.splitlines()[n]
    gate = offline("evaluate", str(DATA / "demo-snapshot.json"), "--baseline", str(files[0]))
    assert gate.code == 2, gate.stderr
    assert "reaches into the partition" in gate.stderr
    narrow = write(tmp_path / f"{ACCOUNT}.yml", baseline(f"{A}:user/ci-*"))  # the near miss
    assert offline("baseline", "lint", str(narrow), "--as-of", AS_OF).code == 0


def test_lint_says_how_many_findings_a_broad_entry_accepts(offline: Any, tmp_path: Path) -> None:
    made = offline("evaluate", str(DATA / "demo-snapshot.json"), "--json", "results.json")
    assert made.code == 1, made.stderr
    broad = write(tmp_path / f"{ACCOUNT}.yml", baseline(f"{A}:user/*", "    allow-broad: true\n"))
    run = offline("baseline", "lint", str(broad), "--results", "results.json", "--as-of", AS_OF)
    assert run.code == 0, run.stdout + run.stderr
    (line,) = [x for x in run.stdout.splitlines() if "broad:" in x]
    assert line.startswith(f"{broad}:4: broad: user-console-mfa on {A}:user/*")
    assert "reaches into the resource type" in line
    count = int(line.rsplit("accepts ", 1)[1].split()[0])
    assert count > 0


# --- a pull request sees exactly what it changes ------------------------------------------------


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=T", "-c", "user.email=t@example.invalid", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


CRITICAL = (
    "  - check: root-mfa\n    resource: arn:aws:iam::123456789012:root\n"
    "    reason: Root MFA token is being replaced by the security team\n"
    "    owner: platform\n    expires: {expires}\n"
)


def pull_request(tmp_path: Path) -> Path:
    """A repository whose base branch (origin/main) has one baseline; the work tree is the
    pull request."""
    repo = tmp_path / "ops"
    write(repo / "baselines" / f"{ACCOUNT}.yml", baseline(f"{A}:user/ci-*"))
    git(repo, "init", "--quiet", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "--quiet", "-m", "base")
    git(repo, "update-ref", "refs/remotes/origin/main", "main")
    return repo


def test_a_directory_named_like_the_base_ref_cannot_replace_the_base(
    offline: Any, tmp_path: Path
) -> None:
    repo = pull_request(tmp_path)
    added = baseline(f"{A}:user/ci-*") + CRITICAL.format(expires="2026-06-30")
    write(repo / "baselines" / f"{ACCOUNT}.yml", added)
    # The pull request also adds origin/main/, a copy of its own baselines: compared with that,
    # nothing would have been added.
    write(repo / "origin" / "main" / f"{ACCOUNT}.yml", added)
    fooled = offline("baseline", "diff", "origin/main", "baselines", "--as-of", AS_OF, cwd=repo)
    assert fooled.code == 2, fooled.stdout
    assert "names both a path in the working tree and the git ref 'origin/main'" in fooled.stderr
    assert "No exception was added" not in fooled.stdout
    review = offline(
        "baseline", "diff", "origin/main:baselines", "./baselines", "--as-of", AS_OF, cwd=repo
    )
    assert review.code == 0, review.stderr
    assert "1 added, 0 changed, 0 removed" in review.stdout
    assert "### ⚠️ Needs security review" in review.stdout


def test_the_review_judges_with_the_base_configuration_and_shows_its_change(
    offline: Any, tmp_path: Path
) -> None:
    repo = pull_request(tmp_path)
    write(repo / "iamgate.toml", '[baseline]\nmax_expiry_days = 3650\n[gate]\nfail_on = "high"\n')
    far = baseline(f"{A}:user/ci-*") + CRITICAL.format(expires="2030-01-01")
    write(repo / "baselines" / f"{ACCOUNT}.yml", far)
    run = offline(
        "baseline", "diff", "origin/main:baselines", "./baselines", "--as-of", AS_OF, cwd=repo
    )
    assert run.code == 1, run.stdout + run.stderr  # lint, by the base's 90 days, fails
    assert "more than 90 days away" in run.stdout
    assert (
        "Judged with the configuration of the defaults (iamgate.toml is not at origin/main), "
        "the base's: a change cannot relax its own review." in run.stdout
    )
    assert "### ⚠️ Configuration changed (2)" in run.stdout
    assert "| baseline.max\\_expiry\\_days | 90 | 3650 | ⚠️ yes |" in run.stdout
    assert "| gate.fail\\_on | low | high | ⚠️ yes |" in run.stdout
    assert "- **configuration** baseline.max\\_expiry\\_days relaxed: 90 → 3650" in run.stdout


def test_a_baseline_that_is_a_symlink_is_refused_by_lint_diff_and_the_gate(
    offline: Any, tmp_path: Path
) -> None:
    repo = pull_request(tmp_path)
    outside = write(repo / "elsewhere" / "target.yml", baseline(f"{A}:user/ci-*"))
    link = repo / "baselines" / "210987654321.yml"
    link.symlink_to(outside)
    lint = offline("baseline", "lint", str(link), "--as-of", AS_OF, cwd=repo)
    assert lint.code == 2, lint.stdout
    assert f"{link}: is a symbolic link (to {outside})" in lint.stdout
    diff = offline("baseline", "diff", "origin/main:baselines", "./baselines", cwd=repo)
    assert diff.code == 2, diff.stdout
    assert "baselines/210987654321.yml: is a symbolic link" in diff.stderr
    gate = offline("evaluate", str(DATA / "demo-snapshot.json"), "--baseline", str(link))
    assert gate.code == 2, gate.stderr
    assert "is a symbolic link" in gate.stderr
    climbing = "baselines/../elsewhere/target.yml"
    lint = offline("baseline", "lint", climbing, "--as-of", AS_OF, cwd=repo)
    assert lint.code == 2, lint.stdout
    assert f"{climbing}: climbs out of its directory" in lint.stdout
    git(repo, "add", "-A")
    git(repo, "commit", "--quiet", "-m", "link")  # committed: a link at a ref is refused too
    at_ref = offline("baseline", "diff", "origin/main:baselines", "main:baselines", cwd=repo)
    assert at_ref.code == 2, at_ref.stdout
    assert "main:baselines/210987654321.yml: is a symbolic link (to" in at_ref.stderr
