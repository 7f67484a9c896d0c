"""House rules for the workflows and the action, checked on every run (zizmor and actionlint
check more in .ci/run): no ${{ }} inside run:, actions pinned by commit SHA, no persisted
checkout credentials, permissions granted per job only."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from testing.cli import REPO

WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")


def _steps(doc: dict[str, Any]) -> list[dict[str, Any]]:
    if "runs" in doc:
        return list(doc["runs"]["steps"])
    return [s for job in doc["jobs"].values() for s in job.get("steps", [])]


def _load(path: Path) -> dict[str, Any]:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(doc, dict)
    return doc


def test_the_expected_workflows_exist() -> None:
    assert [p.name for p in WORKFLOWS] == [
        "baseline-review.yml",
        "ci.yml",
        "nightly-organization.yml",
        "nightly.yml",
        "plan-comment.yml",
        "plan-review.yml",
        "selftest.yml",
    ]


@pytest.mark.parametrize("path", [*WORKFLOWS, REPO / "action.yml"], ids=lambda p: p.name)
def test_steps(path: Path) -> None:
    for step in _steps(_load(path)):
        if "run" in step:
            assert "${{" not in step["run"], f"{path.name}: {step.get('name')}"
        uses = step.get("uses")
        if uses is None or uses == "./":
            continue
        assert PINNED.match(uses), f"{path.name}: {uses} is not pinned to a commit SHA"
        if uses.startswith("actions/checkout@"):
            assert step["with"]["persist-credentials"] is False


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_permissions_are_per_job(path: Path) -> None:
    doc = _load(path)
    assert doc["permissions"] == {}
    for name, job in doc["jobs"].items():
        assert "permissions" in job, f"{path.name}: job {name} has no permissions block"
        assert "write-all" not in str(job["permissions"])


def test_write_permissions_only_where_needed() -> None:
    writes = {
        (path.name, name, scope)
        for path in WORKFLOWS
        for name, job in _load(path)["jobs"].items()
        for scope, level in job["permissions"].items()
        if level == "write"
    }
    assert writes == {
        ("nightly.yml", "gate", "id-token"),
        ("nightly.yml", "gate", "checks"),
        ("nightly.yml", "badge", "contents"),
        ("nightly.yml", "code-scanning", "security-events"),
        ("nightly-organization.yml", "code-scanning", "security-events"),
        ("nightly-organization.yml", "plan", "id-token"),
        ("nightly-organization.yml", "scan", "id-token"),
        ("nightly-organization.yml", "publish", "contents"),
        ("baseline-review.yml", "comment", "pull-requests"),
        ("plan-comment.yml", "comment", "pull-requests"),
    }


def test_baseline_review_is_pull_request_not_target() -> None:
    doc = _load(REPO / ".github" / "workflows" / "baseline-review.yml")
    triggers = doc[True]  # YAML 1.1 reads the key `on` as true
    assert set(triggers) == {"pull_request"}
    assert triggers["pull_request"]["paths"] == ["baselines/**", "iamgate.toml"]
    # Both sides unambiguous (issue 24): a directory named like the base ref cannot stand in.
    steps = doc["jobs"]["review"]["steps"]
    diff = next(s["run"] for s in steps if "baseline diff" in s.get("run", ""))
    assert 'iamgate baseline diff "origin/${BASE_REF}:baselines" ./baselines' in diff


def test_nightly_keeps_its_history_and_compares_with_the_last_run() -> None:
    jobs = _load(REPO / ".github" / "workflows" / "nightly.yml")["jobs"]
    gate = next(s for s in jobs["gate"]["steps"] if s.get("uses") == "./")
    assert gate["with"]["history"] == "iamgate-report/history.jsonl"
    assert gate["with"]["previous"] == "${{ steps.earlier.outputs.previous }}"
    assert jobs["gate"]["permissions"]["actions"] == "read"  # the last run's artifact
    # Published with the badge, by the one job that can write, only when this run wrote it.
    publish = next(s["run"] for s in jobs["badge"]["steps"] if "run" in s)
    assert "test -s iamgate-report/history.jsonl" in publish
    assert "git add badge.json badge.svg history.jsonl" in publish
    org = _load(REPO / ".github" / "workflows" / "nightly-organization.yml")["jobs"]
    merge = next(s["run"] for s in org["report"]["steps"] if "iamgate merge" in s.get("run", ""))
    assert "--previous" in merge
    assert "--history report/history.jsonl" in merge
    # The organization's trend: its own branch, written only by the job that runs no iamgate.
    read = next(s["run"] for s in org["report"]["steps"] if "history.jsonl" in s.get("run", ""))
    assert "refs/heads/badges-organization" in read
    assert org["report"]["permissions"] == {"contents": "read", "actions": "read"}
    publish = next(s["run"] for s in org["publish"]["steps"] if "run" in s)
    assert "test -s report/history.jsonl" in publish
    assert "HEAD:refs/heads/badges-organization" in publish
    runs = [s.get("run", "") for s in org["publish"]["steps"]]
    assert not any("iamgate " in run for run in runs)


def test_plan_review_runs_the_pull_request_read_only_and_comments_from_workflow_run() -> None:
    """The job that reads the pull request's files can write nothing; the one that can write
    (the comment) runs from the default branch's files, checks out nothing and runs no iamgate."""
    review = _load(REPO / ".github" / "workflows" / "plan-review.yml")
    assert set(review[True]) == {"pull_request"}
    plan = review["jobs"]["plan"]
    assert plan["permissions"] == {"contents": "read", "actions": "read"}
    gate = next(s for s in plan["steps"] if s.get("uses") == "./")
    assert gate["with"]["snapshot"] == "${{ steps.before.outputs.snapshot }}"
    assert "plan-cloudformation" in gate["with"]
    upload = next(s for s in plan["steps"] if "upload-artifact" in s.get("uses", ""))
    assert upload["if"] == "always()"
    # Fail closed: no nightly snapshot, no plan (never a plan against an empty account).
    before = next(s["run"] for s in plan["steps"] if s.get("id") == "before")
    assert "exit 1" in before
    comment = _load(REPO / ".github" / "workflows" / "plan-comment.yml")
    assert set(comment[True]) == {"workflow_run"}
    assert comment[True]["workflow_run"]["workflows"] == [review["name"]]
    job = comment["jobs"]["comment"]
    assert job["permissions"] == {"actions": "read", "pull-requests": "write"}
    assert "head_repository.full_name == github.repository" in job["if"]
    assert not any("run" in s or "checkout" in s.get("uses", "") for s in job["steps"])
    script = next(s for s in job["steps"] if "github-script" in s.get("uses", ""))
    # The number comes from the event, never from the artifact the pull request's job wrote.
    assert "workflow_run.pull_requests[0].number" in script["env"]["PULL_REQUEST"]
    assert "<!-- iamgate-plan-review -->" in script["with"]["script"]


@pytest.mark.parametrize(
    ("name", "gate", "sarif"),
    [
        ("nightly.yml", "gate", "iamgate-report/results.sarif"),
        ("nightly-organization.yml", "report", "report/results.sarif"),
    ],
)
def test_nightly_uploads_sarif_only_from_a_run_that_saw_everything(
    name: str, gate: str, sarif: str
) -> None:
    """Code scanning closes every alert missing from the latest analysis: a run with errors
    (a check that could not run, a chunk that failed) must not be uploaded, or its alerts would
    close as fixed."""
    jobs = _load(REPO / ".github" / "workflows" / name)["jobs"]
    job = jobs["code-scanning"]
    upload = [s for s in job["steps"] if s.get("uses", "").startswith("github/codeql-action/")]
    assert len(upload) == 1
    assert upload[0]["uses"].startswith("github/codeql-action/upload-sarif@")
    assert upload[0]["with"]["sarif_file"] == sarif
    assert f"needs.{gate}.outputs.errors == '0'" in job["if"]
    assert f"needs.{gate}.outputs.verdict == 'pass'" in job["if"]
    assert "errors" in jobs[gate]["outputs"]
    # The only job holding security-events: write.
    holders = [n for n, j in jobs.items() if j["permissions"].get("security-events")]
    assert holders == ["code-scanning"]


def test_selftest_runs_the_plan_through_the_action_both_ways() -> None:
    """The plan input is exercised in CI like the others: `uses: ./` with plan-cloudformation on
    committed fixtures and the demo snapshot, one change that must fail, one that must pass
    (tests/integration/test_action.py runs these steps as CI does)."""
    steps = _load(REPO / ".github" / "workflows" / "selftest.yml")["jobs"]["selftest"]["steps"]
    plans = {
        s["id"]: s for s in steps if s.get("uses") == "./" and "plan-cloudformation" in s["with"]
    }
    assert set(plans) == {"plan-failing", "plan-passing"}
    for step in plans.values():
        assert step["with"]["snapshot"] == "tests/data/demo-snapshot.json"
        assert (REPO / step["with"]["plan-cloudformation"]).is_file()
        assert (REPO / step["with"]["baseline"]).is_file()
    assert plans["plan-failing"]["continue-on-error"] is True
    assert "continue-on-error" not in plans["plan-passing"]
    # Each is followed by a step that checks its outputs.
    for n, step in enumerate(steps):
        if step.get("id") in plans:
            check = steps[n + 1]
            assert f"steps.{step['id']}.outputs.verdict" in str(check["env"])
            assert "INTRODUCED" in check["env"]
    upload = next(s for s in steps if "upload-artifact" in s.get("uses", ""))
    for step in plans.values():
        assert step["with"]["output-dir"] + "/" in upload["with"]["path"]
