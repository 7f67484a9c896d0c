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
        ("nightly-organization.yml", "plan", "id-token"),
        ("nightly-organization.yml", "scan", "id-token"),
        ("nightly-organization.yml", "publish", "contents"),
        ("baseline-review.yml", "comment", "pull-requests"),
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
