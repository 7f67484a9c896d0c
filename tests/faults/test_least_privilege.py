"""iamgate's own access: ``iam-policy.json`` must grant exactly the actions a full scan calls.

Two independent records of the calls: the snapshot's ``api_calls`` (botocore's before-call
event, per ``service:Operation``) and what the proxy saw on the wire.
"""

from __future__ import annotations

import json
from pathlib import Path

from iamgate.collect.snapshot import PERMISSIONS
from testing import REPO
from testing.faults.fault_proxy import FaultProxy
from testing.faults.harness import proxy_env, run_iamgate

POLICY = REPO / "iam-policy.json"
# botocore service names whose IAM action prefix differs.
IAM_PREFIX = {"accessanalyzer": "access-analyzer"}


def policy_actions() -> set[str]:
    doc = json.loads(POLICY.read_text(encoding="utf-8"))
    statements = doc["Statement"]
    assert all(s["Effect"] == "Allow" for s in statements), "iam-policy.json must only Allow"
    actions: set[str] = set()
    for s in statements:
        listed = s["Action"] if isinstance(s["Action"], list) else [s["Action"]]
        actions.update(listed)
    return actions


def action_of(call: str) -> str:
    service, operation = call.split(":", 1)
    return f"{IAM_PREFIX.get(service, service)}:{operation}"


def diff_message(called: set[str], granted: set[str]) -> str:
    lines = []
    for action in sorted(called - granted):
        lines.append(f"  add    {action!r}: a full scan calls it, iam-policy.json lacks it")
    for action in sorted(granted - called):
        lines.append(f"  remove {action!r}: iam-policy.json grants it, no scan calls it")
    return "iam-policy.json is not least privilege:\n" + "\n".join(lines)


def test_policy_is_read_only_and_has_no_wildcards() -> None:
    for action in policy_actions():
        _service, operation = action.split(":", 1)
        assert "*" not in action, action
        assert operation.startswith(("Get", "List", "Describe", "Generate")), action


def test_policy_grants_exactly_what_a_full_scan_calls(proxied: FaultProxy, tmp_path: Path) -> None:
    # The seeded account (tests/faults/conftest.py) makes the scan call every operation.
    run = run_iamgate(
        ["scan", "--output-dir", "out", "--quiet"], proxy_env(proxied.endpoint), tmp_path
    )
    assert run.code in (0, 1), run.stderr
    snapshot = json.loads((tmp_path / "out" / "snapshot.json").read_text(encoding="utf-8"))
    called = {action_of(call) for call in snapshot["api_calls"]}
    granted = policy_actions()
    assert called == granted, diff_message(called, granted)
    # The wire agrees with botocore's record (an operation name from each request).
    wire = {op for op, n in proxied.seen.items() if n}
    assert wire == {a.split(":", 1)[1] for a in called}
    # The permission each error message names is in the policy too.
    named = set(PERMISSIONS.values())
    assert named <= granted, diff_message(named | granted, granted)
