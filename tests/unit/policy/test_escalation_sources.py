"""The escalation catalogue against its sources (issue 20, item 4): every method a vendored
source lists is a row, a chain of rows or a reasoned exclusion; the vendored lists say what
they were read at; the refresh tool rebuilds them; and every service row (``pass`` and
``existing``) escalates beside the near miss that does not."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from iamgate.model.snapshot import Snapshot
from iamgate.policy.catalogue import BY_ID, COMBINATIONS, METHODS, NOT_MODELLED, Method, sources
from iamgate.policy.escalation import Graph
from iamgate.policy.principals import Principals
from iamgate.policy.wildcard import match_action
from testing.escalation_sources import RHINO_BLOG, VENDORED
from testing.factories import ADMIN, role, snap, user
from testing.policies import allow, doc, trust_service

ROOT = Path(__file__).resolve().parents[3]
NAMED = set(sources()) | set(COMBINATIONS) | set(NOT_MODELLED)


def _covering(entry: str) -> list[str]:
    """The catalogue names that cover a source entry (``source:name``, maybe with a remark)."""
    return [n for n in NAMED if n == entry or n.startswith(entry + " ")]


def _rows_of(entry: str) -> list[Method]:
    rows = [m for m in METHODS if any(s == entry or s.startswith(entry + " ") for s in m.sources)]
    return rows + [BY_ID[i] for n in _covering(entry) for i in COMBINATIONS.get(n, ())]


@pytest.mark.parametrize("vendored", VENDORED, ids=lambda v: v.source)
def test_every_vendored_method_is_covered(vendored: Any) -> None:
    missing = [m.name for m in vendored.methods if not _covering(f"{vendored.source}:{m.name}")]
    assert missing == [], f"{vendored.source} lists methods the catalogue does not cover"


def test_rhino_blog_methods_are_covered() -> None:
    assert [n for n in RHINO_BLOG if not _covering(f"rhino:{n}")] == []


def test_a_method_missing_from_the_catalogue_is_named() -> None:
    """The coverage test can fail: a name no row mentions is reported."""
    assert _covering("prowler:PassRole+SomethingNew") == []
    assert _covering("prowler:PassRole+ECS") == []  # a prefix of a real name is not it


@pytest.mark.parametrize("vendored", VENDORED, ids=lambda v: v.source)
def test_vendored_lists_record_their_version(vendored: Any) -> None:
    assert re.fullmatch(r"[0-9a-f]{40}", vendored.commit)
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", vendored.date)
    assert vendored.repository.count("/") == 1
    assert vendored.methods
    assert len(set(vendored.names)) == len(vendored.names)


@pytest.mark.parametrize("vendored", VENDORED, ids=lambda v: v.source)
def test_covering_rows_ask_the_sources_actions(vendored: Any) -> None:
    """A method is mapped to rows that ask at least one of its actions, and a method that
    passes a role is mapped to a ``pass`` (or ``new``) row: a name alone cannot be mis-mapped."""
    for method in vendored.methods:
        entry = f"{vendored.source}:{method.name}"
        if not method.actions or entry in NOT_MODELLED:
            continue
        rows = _rows_of(entry)
        asked = {a for m in rows for step in m.actions for a in step}
        theirs = [a for a in method.actions if a.lower() != "iam:passrole"]
        assert any(match_action(p, a) for p in theirs for a in asked), entry
        if any(a.lower() == "iam:passrole" for a in method.actions):
            assert any(m.kind in ("pass", "new") for m in rows), entry


def test_rows_name_known_sources_and_link_aws() -> None:
    known = {"rhino", "cloudsplaining", "prowler", "pmapper", "iamgate"}
    for m in METHODS:
        assert m.sources, m.id
        assert {s.split(":", 1)[0] for s in m.sources} <= known, m.id
        assert m.docs.startswith("https://docs.aws.amazon.com/"), m.id
    for chain in COMBINATIONS.values():
        assert all(i in BY_ID for i in chain)
    assert len(BY_ID) == len(METHODS)


def test_not_modelled_entries_are_real_and_reasoned() -> None:
    listed = {f"{v.source}:{m.name}" for v in VENDORED for m in v.methods}
    for entry, why in NOT_MODELLED.items():
        assert entry in listed, entry
        assert len(why) > 20
        assert entry not in set(sources())  # excluded or covered, never both


# --- the refresh tool ----------------------------------------------------------------------------

PROWLER_FILE = """
from x import y
privilege_escalation_policies_combination = {
    "PassRole+EC2": {"iam:PassRole", "ec2:RunInstances"},
    "NewThing": {"new:Action"},
}
def f():
    return y(privilege_escalation_policies_combination)
"""


def _git(where: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(where), "-c", "user.name=t", "-c", "user.email=t@t", *args],
        check=True,
        capture_output=True,
    )


def test_refresh_tool_reads_a_checkout(tmp_path: Path) -> None:
    repo = tmp_path / "prowler"
    path = repo / "prowler/providers/aws/services/iam/lib/privilege_escalation.py"
    path.parent.mkdir(parents=True)
    path.write_text(PROWLER_FILE, encoding="utf-8")
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "list", "--date=2026-01-02T00:00:00Z")
    out = tmp_path / "out"
    tool = ROOT / "tools" / "refresh_escalation_sources.py"
    run = [sys.executable, str(tool), "--prowler", str(repo), "--out", str(out)]
    subprocess.run(run, check=True, capture_output=True)
    record = json.loads((out / "prowler.json").read_text(encoding="utf-8"))
    assert record["methods"] == [
        {"name": "PassRole+EC2", "actions": ["ec2:RunInstances", "iam:PassRole"]},
        {"name": "NewThing", "actions": ["new:Action"]},
    ]
    assert re.fullmatch(r"[0-9a-f]{40}", record["commit"])
    assert record["repository"] == "prowler-cloud/prowler"
    # What the coverage test then says about it: NewThing is not in the catalogue.
    assert _covering("prowler:NewThing") == []
    assert _covering("prowler:PassRole+EC2")


# --- every service row: the account where it escalates beside the near miss ---------------------

SERVICE_ROWS = [m for m in METHODS if m.kind in ("pass", "existing")]
OTHER_SERVICE = "sns.amazonaws.com"  # a service no row runs code with


def _escalation(m: Method, *, steps: int | None = None, passrole: bool = True, trust: str = ""):
    """The verdict of a user holding the first action of each of ``m``'s steps (all, or the
    first ``steps``) on every resource, beside an administrator role trusting ``trust``."""
    actions = [step[0] for step in m.actions[:steps]]
    if m.kind == "pass" and passrole:
        actions.append("iam:PassRole")
    dev = user("dev", inline={"p": doc(allow(actions, "*", "Dev"))})
    target = role("target", trust_service(trust or m.service), attached=(ADMIN.arn,))
    s: Snapshot = snap(users=(dev,), roles=(target,), policies=(ADMIN,))
    verdicts = Graph(Principals(s)).escalations()
    return next(v for v in verdicts.values() if v.principal.endswith("user/dev"))


@pytest.mark.parametrize("m", SERVICE_ROWS, ids=lambda m: m.id)
def test_service_row_escalates_beside_its_near_miss(m: Method) -> None:
    hit = _escalation(m)
    assert hit.status == "escalates", hit.message
    assert hit.message.endswith("→ role/target (full administrator)"), hit.message
    assert hit.path[0].method == m.id, hit.message
    # The role trusts a service that runs no code for the caller: nothing to reach.
    assert _escalation(m, trust=OTHER_SERVICE).status == "none"
    if m.kind == "pass":  # the service actions without iam:PassRole
        _assert_not_through(m, _escalation(m, passrole=False))
    if len(m.actions) > 1:  # every step but the last
        _assert_not_through(m, _escalation(m, steps=len(m.actions) - 1))


def _assert_not_through(m: Method, miss: Any) -> None:
    """No escalation through ``m``. Some of its actions also act on existing resources that
    keep their role (lambda:UpdateFunctionCode, batch:SubmitJob...): then through that
    ``existing`` row, never through ``m``."""
    if miss.status != "none":
        other = BY_ID[miss.path[0].method]
        assert other.kind == "existing", miss.message
        assert other.id != m.id, miss.message


# --- the new methods, however the policy spells their actions ----------------------------

STEP_FUNCTIONS = "states.amazonaws.com"


def _states_verdict(statement: dict[str, Any], trust: str = STEP_FUNCTIONS) -> Any:
    dev = user("dev", inline={"p": doc(statement, allow("iam:PassRole", "*", "Pass"))})
    target = role("target", trust_service(trust), attached=(ADMIN.arn,))
    s: Snapshot = snap(users=(dev,), roles=(target,), policies=(ADMIN,))
    found = Graph(Principals(s)).escalations().values()
    return next(v for v in found if v.principal.endswith("user/dev"))


@pytest.mark.parametrize(
    "statement",
    [
        allow(["states:CreateStateMachine", "states:StartExecution"]),
        allow("states:*"),
        allow("states:**"),
        allow(["states:Create*", "states:Start*Execution"]),
        {"Effect": "Allow", "NotAction": ["s3:*", "iam:*"], "Resource": "*"},
    ],
    ids=["literal", "service-star", "double-star", "prefixes", "notaction"],
)
def test_patterns_are_judged_by_what_they_match(statement: dict[str, Any]) -> None:
    hit = _states_verdict(statement)
    assert hit.status == "escalates", hit.message
    assert hit.path[0].method == "passrole-step-functions", hit.message
    # The near miss: the same grant, but the administrator role trusts Lambda, not Step
    # Functions (PassRole to a role the service cannot carry).
    miss = _states_verdict(statement, trust="lambda.amazonaws.com")
    assert all(h.method != "passrole-step-functions" for h in miss.path), miss.message


def test_a_pattern_that_matches_no_step_is_no_escalation() -> None:
    # states:Start* does not match CreateStateMachine; NotAction states:* excludes every step.
    assert _states_verdict(allow("states:Start*")).status == "none"
    notaction = {"Effect": "Allow", "NotAction": ["states:*", "iam:*"], "Resource": "*"}
    hit = _states_verdict(notaction)
    assert all(h.method != "passrole-step-functions" for h in hit.path), hit.message


def _dev_beside_admin(statements: list[dict[str, Any]], trust: str) -> Any:
    dev = user("dev", inline={"p": doc(*statements)})
    target = role("target", trust_service(trust), attached=(ADMIN.arn,))
    found = Graph(Principals(snap(users=(dev,), roles=(target,), policies=(ADMIN,))))
    return next(v for v in found.escalations().values() if v.principal.endswith("user/dev"))


def test_ecs_start_task_with_a_task_role_override() -> None:
    """StartTask's overrides.taskRoleArn runs a task as any role ECS tasks can carry."""
    grant = [allow(["ecs:StartTask", "iam:PassRole"], "*", "Ops")]
    hit = _dev_beside_admin(grant, "ecs-tasks.amazonaws.com")
    assert hit.message == (
        "user/dev → iam:PassRole + ecs:StartTask (statement 'Ops' of user/dev#inline/p) "
        "→ role/target (full administrator)"
    )
    # Near miss: PassRole only to a role ECS cannot carry (it trusts EC2), StartTask anywhere.
    logs = "arn:aws:iam::123456789012:role/logs"
    scoped = [allow("ecs:StartTask", "*", "Ops"), allow("iam:PassRole", logs, "Pass")]
    assert _dev_beside_admin(scoped, "ecs-tasks.amazonaws.com").status == "none"


def test_batch_submit_job_overrides_an_existing_definition() -> None:
    """SubmitJob's command override runs under the job definition's role: no PassRole."""
    hit = _dev_beside_admin([allow("batch:SubmitJob", "*", "Jobs")], "ecs-tasks.amazonaws.com")
    assert hit.status == "escalates", hit.message
    assert hit.path[0].method == "batch-submit-job"
    assert "on a resource that runs as it (ecs-tasks.amazonaws.com)" in hit.message
    # Near miss: the admin role is Lambda's, which no Batch job runs as.
    assert _dev_beside_admin([allow("batch:SubmitJob", "*")], "lambda.amazonaws.com").status == (
        "none"
    )
