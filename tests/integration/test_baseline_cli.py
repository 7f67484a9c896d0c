"""``iamgate baseline init/lint/diff/prune`` as the real command, on files and on a real git
history built in a temporary repository."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

from iamgate.formats.snapshot_json import snapshot_to_json
from testing.cli import DATA, REPO, SRC, iamgate_command
from testing.factories import snap

ACCOUNT = "123456789012"
A = f"arn:aws:iam::{ACCOUNT}"
AS_OF = "2026-06-01"

BASE = f"""\
# Accepted exceptions for the ops account.
version: 1
account: "{ACCOUNT}"
exceptions:
  # Break-glass: token in the safe.
  - check: user-console-mfa
    resource: {A}:user/break-glass
    reason: Break-glass user; hardware token kept in the safe
    owner: platform-security
    expires: 2026-07-01

  - check: user-inactive
    resource: {A}:user/old-contractor
    reason: Contract renewal pending with procurement
    owner: it-operations
    expires: 2026-07-15
"""


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.invalid", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def make_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "ops"
    (repo / "baselines").mkdir(parents=True)
    git(repo, "init", "--quiet", "-b", "main")
    (repo / "baselines" / f"{ACCOUNT}.yml").write_text(BASE, encoding="utf-8")
    (repo / "README.md").write_text("ops\n", encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "--quiet", "-m", "baseline")
    git(repo, "checkout", "--quiet", "-b", "change")
    return repo


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# --- lint ---


def test_lint_exit_codes(offline: Any, tmp_path: Path) -> None:
    good = write(tmp_path / f"{ACCOUNT}.yml", BASE)
    assert offline("baseline", "lint", str(good), "--as-of", AS_OF).code == 0

    bad = write(tmp_path / "bad.yml", BASE.replace("owner: it-operations", "owner: TODO"))
    run = offline("baseline", "lint", str(good), str(bad), "--as-of", "2026-07-10")
    assert run.code == 1
    lines = run.stdout.splitlines()
    assert lines == [
        f"{good}:10: user-console-mfa on {A}:user/break-glass: expired on 2026-07-01 (9 days "
        "ago): renew it with a fresh review, or remove it",
        f"{bad}:10: user-console-mfa on {A}:user/break-glass: expired on 2026-07-01 (9 days "
        "ago): renew it with a fresh review, or remove it",
        f"{bad}:15: user-inactive on {A}:user/old-contractor: owner is a placeholder ('TODO')",
    ]
    assert "3 problems in 2 files" in run.stderr

    missing = offline("baseline", "lint", str(good), str(tmp_path / "nope.yml"))
    assert missing.code == 2
    assert "nope.yml: no such file" in missing.stdout


def test_lint_annotations_in_github_actions(offline: Any, tmp_path: Path) -> None:
    bad = write(tmp_path / "b.yml", BASE.replace("check: user-inactive", "check: nope"))
    run = offline("baseline", "lint", "b.yml", env={"GITHUB_ACTIONS": "true"})
    assert run.code == 1
    assert "::error file=b.yml,title=iamgate baseline lint,line=12::unknown check 'nope'" in (
        run.stdout
    )
    assert bad.is_file()


# --- init ---


def test_init_from_snapshot_then_lint_rejects_placeholders(offline: Any, tmp_path: Path) -> None:
    snap = str(DATA / "demo-snapshot.json")
    run = offline("baseline", "init", "--snapshot", snap, "-o", "b.yml", "--as-of", AS_OF)
    assert run.code == 0, run.stderr
    text = (tmp_path / "b.yml").read_text(encoding="utf-8")
    assert "expires: 2026-08-30" in text
    assert text.count("TODO: why is this accepted?") >= 10
    lint = offline("baseline", "lint", "b.yml", "--as-of", AS_OF)
    assert lint.code == 1
    assert "placeholder" in lint.stdout

    again = offline("baseline", "init", "--snapshot", snap, "-o", "b.yml")
    assert again.code == 2
    assert "use --force" in again.stderr
    forced = offline("baseline", "init", "--snapshot", snap, "-o", "b.yml", "--force")
    assert forced.code == 0


def test_init_from_results_with_configured_horizon(offline: Any, tmp_path: Path) -> None:
    snap = str(DATA / "demo-snapshot.json")
    ev = offline("evaluate", snap, "--output-dir", "out", "--checks", "user-console-mfa")
    assert ev.code == 1
    write(tmp_path / "iamgate.toml", "[baseline]\nmax_expiry_days = 30\n")
    run = offline(
        "baseline", "init", "--results", "out/results.json", "-o", "b.yml", "--as-of", AS_OF
    )
    assert run.code == 0, run.stderr
    text = (tmp_path / "b.yml").read_text(encoding="utf-8")
    assert "expires: 2026-07-01" in text
    assert f'resource: "{A}:user/bob"' in text
    assert text.count("  - check: ") == 2  # bob and break-glass: no baseline was given


# --- prune ---


def test_prune_stale_exceptions_from_a_real_run(offline: Any, tmp_path: Path) -> None:
    demo = (REPO / "baselines" / f"{ACCOUNT}.yml").read_text(encoding="utf-8")
    baseline = write(tmp_path / "baselines" / f"{ACCOUNT}.yml", demo)
    snap = str(DATA / "demo-snapshot.json")
    gate = ("--baseline", str(baseline), "--as-of", "2026-11-27")
    ev = offline("evaluate", snap, *gate, "--output-dir", "out")
    assert ev.code == 1
    stale = ev.json()["stale_exceptions"]
    # departed-admin's exception (user-console-mfa) is not stale: the demo's late-joiner has no
    # credential report row, so that check could not see every user (an error, not "gone").
    assert [s["resource"] for s in stale] == [f"{A}:server-certificate/retired-api"]
    before = baseline.read_text(encoding="utf-8")

    dry = offline("baseline", "prune", str(baseline), "--results", "out/results.json", "--dry-run")
    assert dry.code == 0
    assert f"would remove: server-certificate-expired on {A}:server-certificate/retired-api" in (
        dry.stdout
    )
    assert baseline.read_text(encoding="utf-8") == before

    run = offline("baseline", "prune", str(baseline), "--results", "out/results.json")
    assert run.code == 0, run.stderr
    after = baseline.read_text(encoding="utf-8")
    assert "departed-admin" in after
    assert "retired-api" not in after
    assert after.startswith("# Accepted exceptions for account 123456789012")
    # Still a valid baseline (the demo's expiry dates span more than the default horizon).
    write(tmp_path / "long.toml", "[baseline]\nmax_expiry_days = 200\n")
    lint = ("baseline", "lint", str(baseline), "--as-of", "2026-10-01", "--config", "long.toml")
    assert offline(*lint).code == 0
    again = offline("evaluate", snap, *gate, "--output-dir", "out2")
    assert again.json("out2/results.json")["stale_exceptions"] == []


def test_prune_refuses_results_of_another_account(offline: Any, tmp_path: Path) -> None:
    write(tmp_path / "b.yml", BASE)
    other = snapshot_to_json(snap(account_id="999999999999"))
    write(tmp_path / "s.json", other)
    assert offline("evaluate", "s.json", "--json", "r.json").code in (0, 1)
    run = offline("baseline", "prune", "b.yml", "--results", "r.json")
    assert run.code == 2
    assert "999999999999" in run.stderr


def test_prune_refuses_a_file_that_is_not_results(offline: Any, tmp_path: Path) -> None:
    write(tmp_path / "b.yml", BASE)
    write(tmp_path / "r.json", '{"account_id": "999999999999", "stale_exceptions": []}')
    run = offline("baseline", "prune", "b.yml", "--results", "r.json")
    assert run.code == 2
    assert "not an iamgate results.json" in run.stderr


# --- diff ---


def _changed_head() -> str:
    return BASE.replace("expires: 2026-07-01", "expires: 2026-08-20").replace(
        f"resource: {A}:user/old-contractor", f"resource: {A}:user/old-*"
    ) + (
        f"""
  - check: root-no-access-keys
    resource: {A}:root
    reason: Legacy billing integration signs with root keys until March
    owner: finance-it
    expires: 2026-07-01
"""
    )


def test_diff_git_ref_against_working_tree(offline: Any, tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    write(repo / "baselines" / f"{ACCOUNT}.yml", _changed_head())
    write(repo / "baselines" / "210987654321.yml", BASE.replace(ACCOUNT, "210987654321"))
    run = offline("baseline", "diff", "main", "--as-of", AS_OF, "-o", "review.md", cwd=repo)
    assert run.code == 0, run.stdout + run.stderr
    md = (repo / "review.md").read_text(encoding="utf-8")
    assert md.strip() == run.stdout.strip()
    assert "Comparing **main:baselines** → **baselines** (2 files): 3 added, 2 changed" in md
    review = md[md.index("Needs security review") : md.index("### Added")]
    assert "**root-no-access-keys** (critical:" in review
    assert "expiry pushed out by 50 days (2026-07-01 → 2026-08-20)" in review
    assert f"resource widened from \\`{A}:user/old-contractor\\` to \\`{A}:user/old-\\*\\`" in md
    assert "baselines/210987654321.yml" in md


def test_diff_two_refs_and_ref_path_forms(offline: Any, tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    write(repo / "baselines" / f"{ACCOUNT}.yml", _changed_head())
    git(repo, "commit", "--quiet", "-am", "accept more")
    # Uncommitted edits must not show when two refs are compared.
    write(repo / "baselines" / f"{ACCOUNT}.yml", BASE)
    both = offline("baseline", "diff", "main", "change", "--as-of", AS_OF, cwd=repo)
    assert both.code == 0, both.stderr
    assert "1 added, 2 changed, 0 removed" in both.stdout
    path = f"baselines/{ACCOUNT}.yml"
    files = offline(
        "baseline", "diff", f"main:{path}", f"change:{path}", "--as-of", AS_OF, cwd=repo
    )
    assert files.code == 0
    assert "Comparing **main:baselines/123456789012.yml** → **change:baselines/" in files.stdout
    assert "1 added, 2 changed" in files.stdout
    # A file at a ref against a file in the working tree (the edit above reverted it).
    same = offline("baseline", "diff", f"main:{path}", path, "--as-of", AS_OF, cwd=repo)
    assert "No exception was added, changed or removed." in same.stdout


def test_diff_new_file_and_lint_failure_exit_1(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    bad = _changed_head().replace("owner: finance-it", 'owner: "TODO: owner"')
    write(repo / "baselines" / "new" / f"{ACCOUNT}.yml", bad)
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(PYTHONPATH=str(SRC), GITHUB_STEP_SUMMARY=str(summary))
    proc = subprocess.run(
        [
            *iamgate_command(),
            "baseline",
            "diff",
            "main:baselines/new",
            "baselines/new",
            "--as-of",
            AS_OF,
        ],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("earlier step\n## Baseline review (iamgate)")
    assert "3 added, 0 changed, 0 removed" in text
    assert "### ❌ Lint: 1 problem" in text
    assert "owner is a placeholder" in proc.stderr


def test_diff_bad_ref_is_bad_input(offline: Any, tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    run = offline("baseline", "diff", "no-such-branch", cwd=repo)
    assert run.code == 2
    assert "no-such-branch" in run.stderr


# --- the end of the calendar, and checks left out -----------------------------------------------


def test_as_of_the_last_day_of_the_calendar_does_not_overflow(offline: Any, tmp_path: Path) -> None:
    baseline = write(tmp_path / "b.yml", BASE)
    snapshot = str(DATA / "demo-snapshot.json")
    last = "9999-12-31"
    lint = offline("baseline", "lint", str(baseline), "--as-of", last)
    assert lint.code == 1, lint.stderr  # everything has expired by then: said, not a crash
    assert lint.stdout.count("expired on") == 2
    run = offline(
        "evaluate", snapshot, "--baseline", str(baseline), "--as-of", last, "--json", "r.json"
    )
    assert run.code == 1, run.stderr
    init = offline("baseline", "init", "--snapshot", snapshot, "-o", "new.yml", "--as-of", last)
    assert init.code == 0, init.stderr
    assert "expires: 9999-12-31" in (tmp_path / "new.yml").read_text(encoding="utf-8")


def test_exceptions_of_checks_left_out_are_neither_stale_nor_pruned(
    offline: Any, tmp_path: Path
) -> None:
    demo = (REPO / "baselines" / f"{ACCOUNT}.yml").read_text(encoding="utf-8")
    baseline = write(tmp_path / "b.yml", demo)
    snap_file = str(DATA / "demo-snapshot.json")
    gate = ("--baseline", str(baseline), "--as-of", "2026-11-27", "--checks", "root-mfa")
    ev = offline("evaluate", snap_file, *gate, "--output-dir", "out")
    assert ev.code in (0, 1), ev.stderr
    assert ev.json()["stale_exceptions"] == []  # root-mfa has no exception; the rest did not run
    assert "Stale exceptions" not in (tmp_path / "out" / "summary.md").read_text("utf-8")
    before = baseline.read_text(encoding="utf-8")
    run = offline("baseline", "prune", str(baseline), "--results", "out/results.json")
    assert run.code == 0, run.stderr
    assert "removed 0 stale exceptions" in run.stderr
    assert baseline.read_text(encoding="utf-8") == before
