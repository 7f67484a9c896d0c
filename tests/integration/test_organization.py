"""Many accounts against moto's server: an organization, per-account baselines, a denied role,
the matrix, and ``merge`` of separate runs equal to one multi-account run."""

from __future__ import annotations

import json
import threading
import urllib.parse
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any, ClassVar

import pytest

from iamgate.demo.standin import MotoAccount
from testing.cli import Run, run_cli

ROLE = "iamgate-audit"
MANAGEMENT = "123456789012"
AS_OF = "2026-06-01"
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class DenyAssumeRole:
    """In front of moto: ``AccessDenied`` for AssumeRole into the listed role ARNs (moto itself
    lets any role be assumed), and a count of the other requests by action."""

    denied: ClassVar[set[str]] = set()

    def __init__(self, app: WSGIApp):
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = BytesIO(body)
        form = urllib.parse.parse_qs(body.decode("latin-1"))
        if form.get("Action") == ["AssumeRole"] and form.get("RoleArn", [""])[0] in self.denied:
            start_response("403 Forbidden", [("Content-Type", "text/xml")])
            return [
                b'<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error>'
                b"<Type>Sender</Type><Code>AccessDenied</Code><Message>User is not authorized "
                b"to perform: sts:AssumeRole</Message></Error><RequestId>1</RequestId>"
                b"</ErrorResponse>"
            ]
        return self.app(environ, start_response)


@pytest.fixture(scope="module")
def org_server() -> Iterator[MotoAccount]:
    server = MotoAccount(middleware=DenyAssumeRole)
    yield server
    server.stop()


@dataclass
class Org:
    server: MotoAccount
    members: list[str]  # member account ids, sorted
    denied: str  # the member whose role cannot be assumed
    cwd: Path

    @property
    def all(self) -> list[str]:
        return sorted([MANAGEMENT, *self.members])

    def run(self, *args: str) -> Run:
        return run_cli(list(args), self.server.env(), self.cwd)

    def scan(self, *args: str, out: str = "out") -> Run:
        return self.run(
            "scan",
            "--organization",
            "--member-role-name",
            ROLE,
            "--baseline",
            "baselines/{account_id}.yml",
            "--as-of",
            AS_OF,
            "--output-dir",
            out,
            *args,
        )


def _member_client(server: MotoAccount, account: str, service: str) -> Any:
    sts = server.client("sts")
    creds = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/{ROLE}", RoleSessionName="seed")[
        "Credentials"
    ]
    return server.client(
        service, credentials=(creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
    )


def _build_organization(server: MotoAccount) -> list[str]:
    """Three members, each with one console user without MFA. Sorted member ids."""
    server.reset()
    orgs = server.client("organizations")
    orgs.create_organization(FeatureSet="ALL")
    members = []
    for i in range(3):
        status = orgs.create_account(Email=f"m{i}@example.com", AccountName=f"m{i}")
        members.append(status["CreateAccountStatus"]["AccountId"])
    for account in members:
        iam = _member_client(server, account, "iam")
        iam.create_user(UserName="dev")
        iam.create_login_profile(UserName="dev", Password="Passw0rd!Passw0rd")
    return sorted(members)


@pytest.fixture(scope="module")
def organization(org_server: MotoAccount) -> list[str]:
    # Built once per module: creating member accounts in moto is slow (each loads the AWS
    # managed policies), and scans only read.
    return _build_organization(org_server)


@pytest.fixture
def org(org_server: MotoAccount, organization: list[str], tmp_path: Path) -> Iterator[Org]:
    """The organization; the last member's role is denied; member 0 has a baseline accepting
    its user, member 1 none at all."""
    members = organization
    listed = org_server.client("organizations").list_accounts()["Accounts"] if members else []
    if sorted(a["Id"] for a in listed) != sorted([MANAGEMENT, *members]):
        members[:] = _build_organization(org_server)  # another test reset moto in between
    denied = members[2]
    DenyAssumeRole.denied = {f"arn:aws:iam::{denied}:role/{ROLE}"}
    baselines = tmp_path / "baselines"
    baselines.mkdir()
    (baselines / f"{members[0]}.yml").write_text(
        f'version: 1\naccount: "{members[0]}"\nexceptions:\n'
        f"  - check: user-console-mfa\n"
        f"    resource: arn:aws:iam::{members[0]}:user/dev\n"
        f"    reason: Test user\n    owner: qa\n    expires: 2026-12-31\n"
    )
    yield Org(org_server, members, denied, tmp_path)
    DenyAssumeRole.denied = set()


def _failing(results: dict[str, Any]) -> set[tuple[str, str, str, str]]:
    return {
        (f["account_id"], f["check"], f["resource"], f["status"])
        for f in results["findings"]
        if f["status"] != "pass"
    }


def test_organization_scan_reports_every_account(org: Org) -> None:
    run = org.scan()
    assert run.code == 1, run.stderr  # a new failure somewhere: fail wins over the error
    results = run.json()
    by_account = {a["account_id"]: a for a in results["accounts"]}
    assert sorted(by_account) == org.all

    ok, accepted, missing, denied = (
        by_account[MANAGEMENT],
        by_account[org.members[0]],
        by_account[org.members[1]],
        by_account[org.denied],
    )
    # The denied member is an error, with the AssumeRole failure named, and checks `error`.
    assert denied["verdict"] == "error"
    assert denied["errors"][0]["operation"] == "AssumeRole"
    assert "AccessDenied" in denied["errors"][0]["message"]
    assert denied["counts"]["errors"] == len(results["checks"])
    assert denied["counts"]["passed"] == 0
    # Member 0's baseline accepts its user; member 1 has no baseline file: a new failure.
    assert accepted["counts"]["accepted"] == 1
    assert (org.members[0], "user-console-mfa", f"arn:aws:iam::{org.members[0]}:user/dev") in {
        (f["account_id"], f["check"], f["resource"])
        for f in results["findings"]
        if f["status"] == "accepted"
    }
    assert (
        org.members[1],
        "user-console-mfa",
        f"arn:aws:iam::{org.members[1]}:user/dev",
        "fail",
    ) in _failing(results)
    assert any("no baseline file" in n for n in missing["notes"])
    assert ok["verdict"] in ("fail", "pass")
    assert results["counts"]["errors"] == sum(a["counts"]["errors"] for a in by_account.values())
    assert "AccessDenied" in run.stderr

    # JUnit: one suite per account and check, named <account>.<check>.
    root = ET.fromstring(run.text("out/junit.xml"))
    suites = {s.get("name") for s in root.iter("testsuite")}
    for account in org.all:
        assert f"{account}.user-console-mfa" in suites
    assert len(suites) == len(org.all) * len(results["checks"])
    denied_suite = next(
        s for s in root.iter("testsuite") if s.get("name", "").startswith(denied_id := org.denied)
    )
    assert denied_suite.get("errors") == "1", denied_id

    # Markdown: the per-account table comes first.
    md = run.text("out/summary.md")
    assert md.index("### Accounts (4)") < md.index("### New failures")
    table = md[md.index("### Accounts") : md.index("### New failures")]
    assert f"| {org.denied} " in table
    assert "ERROR" in table
    for account in org.all:
        assert f"| {account} " in table


def test_merge_of_chunks_equals_one_run(org: Org) -> None:
    whole = org.scan(out="whole")
    ids = org.all
    first = org.scan("--account-ids", ",".join(ids[:2]), out="r1")
    second = org.scan("--account-ids", ",".join(ids[2:]), out="r2")
    assert {first.code, second.code} <= {1, 3}
    merged = org.run("merge", "r1/results.json", "r2/results.json", "--output-dir", "merged", "-q")
    assert merged.code == whole.code == 1, merged.stderr
    a, b = whole.json("whole/results.json"), merged.json("merged/results.json")
    assert a["counts"] == b["counts"]
    assert (org.cwd / "merged" / "badge.json").exists()
    assert a["verdict"] == b["verdict"]
    assert {(f["account_id"], f["check"], f["resource"], f["status"]) for f in a["findings"]} == {
        (f["account_id"], f["check"], f["resource"], f["status"]) for f in b["findings"]
    }
    strip = (
        [{k: v for k, v in acc.items() if k != "errors"} for acc in a["accounts"]],
        [{k: v for k, v in acc.items() if k != "errors"} for acc in b["accounts"]],
    )
    assert strip[0] == strip[1]
    suites = lambda name: sorted(  # noqa: E731
        s.get("name") for s in ET.fromstring(org.cwd.joinpath(name).read_text()).iter("testsuite")
    )
    assert suites("whole/junit.xml") == suites("merged/junit.xml")
    # The same file twice is refused: an account must not be counted twice.
    twice = org.run("merge", "r1/results.json", "r1/results.json", "--output-dir", "x")
    assert twice.code == 2
    assert "is also in" in twice.stderr


def test_matrix_chunks_cover_every_account(org: Org) -> None:
    run = org.run(
        "accounts", "--organization", "--member-role-name", ROLE, "--matrix", "--chunk-size", "3"
    )
    assert run.code == 0, run.stderr
    include = json.loads(run.stdout)["include"]
    assert [c["chunk"] for c in include] == ["1", "2"]
    assert [a for c in include for a in c["accounts"].split(",")] == org.all
    listed = json.loads(org.run("accounts", "--organization", "--member-role-name", ROLE).stdout)
    roles = {t["account_id"]: t["role_arn"] for t in listed}
    assert roles[MANAGEMENT] is None  # the caller's own account: no role to assume
    assert roles[org.members[0]] == f"arn:aws:iam::{org.members[0]}:role/{ROLE}"


def test_accounts_file_and_malformed_baseline(org: Org) -> None:
    accounts = org.cwd / "accounts.yml"
    accounts.write_text(
        f'- account_id: "{org.members[1]}"\n  role_arn: arn:aws:iam::{org.members[1]}:role/{ROLE}\n'
    )
    run = org.run("scan", "--accounts", "accounts.yml", "--output-dir", "out", "--as-of", AS_OF)
    assert run.code == 1, run.stderr
    assert [a["account_id"] for a in run.json()["accounts"]] == [org.members[1]]

    accounts.write_text(
        f'- account_id: "{org.members[1]}"\n  role_arn: arn:aws:iam::{org.members[0]}:role/x\n'
    )
    bad = org.run("scan", "--accounts", "accounts.yml")
    assert bad.code == 2
    assert "accounts.yml:2:" in bad.stderr
    assert "not " in bad.stderr

    (org.cwd / "baselines" / f"{org.members[1]}.yml").write_text("version: 1\naccount: [\n")
    broken = org.scan(out="broken")
    assert broken.code == 2
    assert f"baselines/{org.members[1]}.yml" in broken.stderr
    assert not (org.cwd / "broken").exists()  # refused before any account was scanned


def test_single_account_baseline_template(org: Org) -> None:
    # The caller's own account, no baseline file for it: an empty baseline, said in the notes.
    run = org.run("scan", "--baseline", "baselines/{account_id}.yml", "--output-dir", "out")
    assert run.code == 1, run.stderr
    results = run.json()
    assert results["account_id"] == MANAGEMENT
    assert "accounts" not in results
    assert any(f"no baseline file baselines/{MANAGEMENT}.yml" in n for n in results["notes"])
