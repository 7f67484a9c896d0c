"""The organization's SCPs and RCPs read from moto's server by the real ``iamgate``: the root, OUs
and the account itself, once per organization scan, with ``--organization-role`` for a member
scanned alone, and said in every report when they were not read.

The organization is the demo's (``iamgate.demo.organization``): root -> workloads -> prod ->
prod-app, and sandbox under the root.
"""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any, ClassVar

import pytest

from iamgate.app.evaluate import APPLIED
from iamgate.demo.organization import MEMBER_ROLE, VENDOR, OrganizationDemo, seed_organization
from iamgate.demo.standin import MotoAccount
from testing.cli import Run, run_cli

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
READER = "arn:aws:iam::123456789012:role/iamgate-organization-reader"
NOT_READ = "organization policies were not read: access is judged by IAM policies alone"


class Wire:
    """In front of moto: every Organizations call with the id it was about, and AccessDenied for
    AssumeRole into the ``denied`` role ARNs (moto lets any role be assumed)."""

    denied: ClassVar[set[str]] = set()
    calls: ClassVar[list[tuple[str, str, str]]] = []  # (operation, id, filter)
    lock = threading.Lock()

    def __init__(self, app: WSGIApp):
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = BytesIO(body)
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if target.startswith("AWSOrganizationsV20161128."):
            params = json.loads(body or b"{}")
            about = params.get("TargetId") or params.get("ChildId") or params.get("PolicyId")
            with self.lock:
                self.calls.append((target.split(".")[1], about or "", params.get("Filter", "")))
        form = urllib.parse.parse_qs(body.decode("latin-1"))
        if form.get("Action") == ["AssumeRole"] and form.get("RoleArn", [""])[0] in self.denied:
            start_response("403 Forbidden", [("Content-Type", "text/xml")])
            return [
                b'<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error>'
                b"<Type>Sender</Type><Code>AccessDenied</Code><Message>not authorized to "
                b"perform: sts:AssumeRole</Message></Error><RequestId>1</RequestId>"
                b"</ErrorResponse>"
            ]
        return self.app(environ, start_response)

    @classmethod
    def counted(cls, operation: str) -> Counter[tuple[str, str]]:
        return Counter((about, kind) for op, about, kind in cls.calls if op == operation)


@pytest.fixture(scope="module")
def org_server() -> Iterator[MotoAccount]:
    server = MotoAccount(middleware=Wire)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def seeded(org_server: MotoAccount) -> list[OrganizationDemo]:
    # Built once per module (member accounts are slow to make in moto); scans only read.
    org_server.reset()
    return [seed_organization(org_server)]


@dataclass
class Org:
    server: MotoAccount
    demo: OrganizationDemo
    cwd: Path

    def run(self, *args: str) -> Run:
        Wire.calls.clear()
        return run_cli([*args, "--regions", "us-east-1"], self.server.env(), self.cwd)

    def member_role(self, member: str) -> str:
        return f"arn:aws:iam::{member}:role/{MEMBER_ROLE}"


@pytest.fixture
def org(org_server: MotoAccount, seeded: list[OrganizationDemo], tmp_path: Path) -> Iterator[Org]:
    listed = {a["Id"] for a in org_server.client("organizations").list_accounts()["Accounts"]}
    if not set(seeded[0].members) <= listed:  # another test on this worker reset moto
        org_server.reset()
        seeded[0] = seed_organization(org_server)
    yield Org(org_server, seeded[0], tmp_path)
    Wire.denied = set()


def prod_app_note(demo: OrganizationDemo) -> str:
    root, prod, app = demo.root_id, demo.prod_ou, demo.prod_app
    return (
        f"organization policies were read for account {app} ({demo.organization_id}): SCPs "
        f"deny-leave-organization (root {root}), deny-iam ({prod}), deny-trail-changes (account "
        f"{app}); RCPs deny-external-assume ({prod}); {APPLIED}"
    )


def test_organization_scan_reads_each_level_once_and_hands_each_account_its_chain(
    org: Org,
) -> None:
    run = org.run(
        "scan", "--organization", "--member-role-name", MEMBER_ROLE, "--output-dir", "out"
    )
    assert run.code == 1, run.stderr  # the demo's IAM mistakes fail the gate
    results = run.json()
    assert results["errors"] == []
    notes = {a["account_id"]: a["notes"] for a in results["accounts"]}
    demo = org.demo
    assert prod_app_note(demo) in notes[demo.prod_app]
    sandbox = [n for n in notes[demo.sandbox] if n.startswith("organization policies")]
    assert sandbox == [
        f"organization policies were read for account {demo.sandbox} ({demo.organization_id}): "
        f"SCPs deny-leave-organization (root {demo.root_id}); RCPs: only the AWS-managed "
        f"RCPFullAWSAccess; {APPLIED}"
    ]
    assert any(
        n.endswith("; it is the management account: no SCP or RCP applies to it")
        for n in notes[demo.management]
    )
    # Once per organization: the root, each OU and each policy read once for three accounts.
    assert Wire.counted("ListRoots") == {("", ""): 1}
    listed = Wire.counted("ListPoliciesForTarget")
    for target in (demo.root_id, demo.workloads_ou, demo.prod_ou):
        for kind in ("SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"):
            assert listed[(target, kind)] == 1, (target, kind, listed)
    assert set(listed.values()) == {1}
    assert len(listed) == 2 * 6  # root, 2 OUs, 3 accounts; two types each
    described = Wire.counted("DescribePolicy")
    assert set(described.values()) == {1}
    assert len(described) == 2 + len(demo.policies)  # FullAWSAccess, RCPFullAWSAccess, ours
    assert set(Wire.counted("ListParents").values()) == {1}
    # The summary says it too, per account (a cell of at most 300 characters).
    assert prod_app_note(demo)[:250] in run.text("out/summary.md")
    applied_to_verdicts(demo, results["findings"])


def applied_to_verdicts(demo: OrganizationDemo, findings: list[dict[str, Any]]) -> None:
    """One verdict changed by SCPs and one by an RCP, each beside its near miss: the same IAM
    mistakes in the management account (exempt) and in sandbox (outside the prod OU)."""
    found = {
        (f["account_id"], f["check"], f["resource"].rsplit("/", 1)[-1]): (f["status"], f["message"])
        for f in findings
    }
    admin = "principal-admin-access"
    status, message = found[(demo.prod_app, admin, "ops-admin")]
    assert status == "pass", message
    assert message == (
        "full administrator by its policies, but statement #1 of SCP deny-leave-organization "
        f"(root {demo.root_id}) denies organizations:LeaveOrganization; statement #1 of SCP "
        f"deny-iam ({demo.prod_ou}) denies iam:*; statement #1 of SCP deny-trail-changes "
        f"(account {demo.prod_app}) denies cloudtrail:StopLogging, cloudtrail:DeleteTrail: "
        "not a full administrator"
    )
    assert found[(demo.management, admin, "ops-admin")][0] == "fail"  # SCPs never apply
    # The near miss of deny-iam: the root's guardrail leaves sandbox's administrator its IAM
    # writes, so it stays one, and the message names the guardrail.
    status, message = found[(demo.sandbox, admin, "ops-admin")]
    assert status == "fail", message
    assert (
        f"within the organization's SCPs (statement #1 of SCP deny-leave-organization (root "
        f"{demo.root_id}) denies organizations:LeaveOrganization)" in message
    )
    external = "role-trust-external-account"
    status, message = found[(demo.prod_app, external, "vendor-audit")]
    assert status == "pass", message
    assert message.endswith(
        f"; its trust alone admits any principal of account {VENDOR}, but statement #1 of RCP "
        f"deny-external-assume ({demo.prod_ou}) denies it"
    )
    assert found[(demo.sandbox, external, "vendor-audit")][0] == "fail"  # outside prod
    assert found[(demo.management, external, "vendor-audit")][0] == "fail"


def test_organization_role_reads_a_members_chain(org: Org) -> None:
    demo = org.demo
    run = org.run(
        "collect",
        "-o",
        "snapshot.json",
        "--role-arn",
        org.member_role(demo.prod_app),
        "--organization-role",
        READER,
    )
    assert run.code == 0, run.stderr
    snapshot = json.loads(run.text("snapshot.json"))
    policies = snapshot["organization_policies"]
    assert policies["organization_id"] == demo.organization_id
    assert policies["management_account_id"] == demo.management
    assert policies["read_with"] == READER
    assert policies["enabled"] == ["RESOURCE_CONTROL_POLICY", "SERVICE_CONTROL_POLICY"]
    levels = [(lv["target_id"], lv["kind"]) for lv in policies["chain"]]
    assert levels == [
        (demo.root_id, "root"),
        (demo.workloads_ou, "ou"),
        (demo.prod_ou, "ou"),
        (demo.prod_app, "account"),
    ]
    by_level = {
        lv["target_id"]: ([p["name"] for p in lv["scps"]], [p["name"] for p in lv["rcps"]])
        for lv in policies["chain"]
    }
    assert by_level[demo.prod_ou] == (
        ["FullAWSAccess", "deny-iam"],
        ["RCPFullAWSAccess", "deny-external-assume"],
    )
    assert by_level[demo.prod_app][0] == ["FullAWSAccess", "deny-trail-changes"]
    assert by_level[demo.root_id][0] == ["FullAWSAccess", "deny-leave-organization"]
    rcp = policies["chain"][2]["rcps"][1]
    assert rcp["id"] == demo.policies["deny-external-assume"]
    assert rcp["document"]["Statement"][0]["Condition"]["StringNotEqualsIfExists"] == {
        "aws:PrincipalOrgID": demo.organization_id
    }
    assert rcp["aws_managed"] is False
    assert policies["chain"][0]["scps"][0]["aws_managed"] is True
    # The calls made with the role are the scan's, and iam-policy.json lists them.
    assert snapshot["api_calls"]["organizations:ListRoots"] == 1
    assert snapshot["api_calls"]["sts:AssumeRole"] == 2  # the member role, then the reader
    # Offline, the snapshot's policies bound the verdicts as the scan's would.
    offline = run_cli(
        ["evaluate", "snapshot.json", "--output-dir", "offline"], org.server.env(), org.cwd
    )
    assert offline.code == 1, offline.stderr
    found = {
        (f["check"], f["resource"].rsplit("/", 1)[-1]): (f["status"], f["message"])
        for f in offline.json("offline/results.json")["findings"]
    }
    status, message = found[("principal-admin-access", "ops-admin")]
    assert status == "pass"
    assert f"statement #1 of SCP deny-iam ({demo.prod_ou}) denies iam:*" in message
    status, message = found[("role-trust-external-account", "vendor-audit")]
    assert status == "pass"
    assert f"RCP deny-external-assume ({demo.prod_ou}) denies it" in message


def test_a_member_without_access_is_judged_by_iam_alone_and_says_so(org: Org) -> None:
    demo = org.demo
    member = org.member_role(demo.prod_app)
    alone = org.run("scan", "--role-arn", member, "--output-dir", "alone")
    assert alone.code == 1, alone.stderr
    assert [op for op, _id, _f in Wire.calls] == ["DescribeOrganization"]  # nothing tried
    results = alone.json("alone/results.json")
    assert results["errors"] == []
    expected = (
        f"{NOT_READ} (account {demo.prod_app} is a member of organization "
        f"{demo.organization_id}, scanned without --organization-role; only the management "
        f"account ({demo.management}) or a delegated administrator can read them)"
    )
    assert expected in results["notes"]
    assert NOT_READ in alone.text("alone/summary.md")
    assert NOT_READ in alone.text("alone/report.html")
    snapshot = json.loads(alone.text("alone/snapshot.json"))
    assert snapshot["organization_policies"] is None
    # IAM-only verdicts: the administrator and the vendor trust that the organization's SCPs and
    # RCP change in the organization scan fail here, as before issue 22.
    by = {(f["check"], f["resource"].rsplit("/", 1)[-1]): f["status"] for f in results["findings"]}
    assert by[("principal-admin-access", "ops-admin")] == "fail"
    assert by[("role-trust-external-account", "vendor-audit")] == "fail"
    # A role that cannot be assumed: a collection error of its own; IAM verdicts unchanged.
    Wire.denied = {READER}
    denied = org.run(
        "scan", "--role-arn", member, "--organization-role", READER, "--output-dir", "denied"
    )
    assert denied.code == 1, denied.stderr  # the new failures win over the error
    got = denied.json("denied/results.json")
    assert [(e["source"], e["operation"], e["code"]) for e in got["errors"]] == [
        ("organization_policies", "AssumeRole", "AssumeRoleFailed")
    ]
    assert "--organization-role" in got["errors"][0]["hint"]
    statuses = {(f["check"], f["resource"], f["status"]) for f in got["findings"]}
    assert statuses == {(f["check"], f["resource"], f["status"]) for f in results["findings"]}
    assert (
        f"{NOT_READ} (AssumeRole failed: AssumeRoleFailed; see the collection errors)"
        in (got["notes"])
    )
    assert "collection error" in denied.stderr
    assert READER in denied.stderr
