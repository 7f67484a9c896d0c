"""The organization's SCPs and RCPs through botocore's Stubber (every request and answer checked
against the Organizations model): the chain from the root to the account, pages, answers that
must not be read as "nothing attached", each answer read once per organization, and who may
read at all."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.stub import Stubber

from iamgate.aws.clients import AwsOptions, Clients
from iamgate.collect.org_policies import ORGANIZATION_POLICIES, PolicyReader
from iamgate.collect.snapshot import ANSWERS, PERMISSIONS
from iamgate.collect.source import Session, SourceFailed
from iamgate.errors import CollectError
from iamgate.model.org_policies import OrganizationPolicies, PolicyType, TargetKind
from iamgate.model.snapshot import Organization

MANAGEMENT = "111111111111"
MEMBER = "222222222222"
OTHER = "333333333333"
ORG = "o-abcdef1234"
ROOT = "r-ab12"
OU = "ou-ab12-cdefgh12"
ROLE = "arn:aws:iam::111111111111:role/org-reader"
SCP, RCP = "SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"
ALLOW_ALL = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
)
DENY_IAM = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "iam:*", "Resource": "*"}]}
)


@pytest.fixture
def clients(monkeypatch: pytest.MonkeyPatch) -> Clients:
    for key in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    return Clients(AwsOptions(region="us-east-1", max_attempts=1))


@pytest.fixture
def stub(clients: Clients) -> Iterator[Stubber]:
    with Stubber(clients.client("organizations")) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


def session(clients: Clients, account: str = MANAGEMENT, **kwargs: Any) -> Session:
    s = Session(
        clients, lambda _m: None, PERMISSIONS, account_id=account, answers=ANSWERS, **kwargs
    )
    s.found["organization"] = Organization(ORG, MANAGEMENT)
    return s


def roots(*enabled: str, statuses: dict[str, str] | None = None, org: str = ORG) -> dict[str, Any]:
    types = [{"Type": t, "Status": (statuses or {}).get(t, "ENABLED")} for t in enabled]
    arn = f"arn:aws:organizations::{MANAGEMENT}:root/{org}/{ROOT}"
    return {"Roots": [{"Id": ROOT, "Arn": arn, "Name": "Root", "PolicyTypes": types}]}


def parent(pid: str, kind: str = "ORGANIZATIONAL_UNIT", **more: Any) -> dict[str, Any]:
    return {"Parents": [{"Id": pid, "Type": kind}], **more}


def listed(*policies: tuple[str, str], kind: str = SCP, **more: Any) -> dict[str, Any]:
    return {
        "Policies": [
            {"Id": pid, "Name": name, "Type": kind, "AwsManaged": pid.endswith("FullAWSAccess")}
            for pid, name in policies
        ],
        **more,
    }


def described(pid: str, name: str, content: str, kind: str = SCP) -> dict[str, Any]:
    summary = {"Id": pid, "Name": name, "Type": kind, "AwsManaged": pid.endswith("FullAWSAccess")}
    return {"Policy": {"PolicySummary": summary, "Content": content}}


FULL = ("p-FullAWSAccess", "FullAWSAccess")
RCP_FULL = ("p-RCPFullAWSAccess", "RCPFullAWSAccess")
DENY = ("p-denyiam123", "deny-iam")


def expect_level(
    stub: Stubber,
    target: str,
    scps: list[tuple[str, str]] | None,
    rcps: list[tuple[str, str]] | None,
    new: set[str],
) -> None:
    """The calls one level costs: its SCPs (then RCPs) listed, each policy not yet read read."""
    for kind, policies in ((SCP, scps), (RCP, rcps)):
        if policies is None:
            continue
        stub.add_response(
            "list_policies_for_target",
            listed(*policies, kind=kind),
            {"TargetId": target, "Filter": kind},
        )
        for pid, name in policies:
            if pid in new:
                content = DENY_IAM if pid == DENY[0] else ALLOW_ALL
                stub.add_response(
                    "describe_policy", described(pid, name, content, kind), {"PolicyId": pid}
                )
                new.discard(pid)


def test_the_chain_runs_from_the_root_to_the_account_with_every_page(
    clients: Clients, stub: Stubber
) -> None:
    stub.add_response("list_roots", roots(SCP, RCP), {})
    # AWS may answer an empty page with a marker: the next page is still asked for.
    stub.add_response("list_parents", {"Parents": [], "NextToken": "t1"}, {"ChildId": MEMBER})
    stub.add_response("list_parents", parent(OU), {"ChildId": MEMBER, "NextToken": "t1"})
    stub.add_response("list_parents", parent(ROOT, "ROOT"), {"ChildId": OU})
    new = {FULL[0], RCP_FULL[0], DENY[0]}
    expect_level(stub, ROOT, [FULL], [RCP_FULL], new)
    # The OU's SCPs come in two pages.
    stub.add_response(
        "list_policies_for_target", listed(FULL, NextToken="p2"), {"TargetId": OU, "Filter": SCP}
    )
    stub.add_response(
        "list_policies_for_target", listed(DENY), {"TargetId": OU, "Filter": SCP, "NextToken": "p2"}
    )
    stub.add_response("describe_policy", described(*DENY, DENY_IAM), {"PolicyId": DENY[0]})
    expect_level(stub, OU, None, [RCP_FULL], set())  # its SCPs: above
    expect_level(stub, MEMBER, [FULL], [RCP_FULL], set())

    s = session(clients, MEMBER)
    reader = PolicyReader(lambda: clients)
    s.organization_reader = reader
    found = s.run(ORGANIZATION_POLICIES)
    assert s.errors == []
    policies = found["organization_policies"]
    assert isinstance(policies, OrganizationPolicies)
    assert [(lv.target_id, lv.kind) for lv in policies.chain] == [
        (ROOT, TargetKind.ROOT),
        (OU, TargetKind.OU),
        (MEMBER, TargetKind.ACCOUNT),
    ]
    assert [p.name for p in policies.chain[1].scps] == ["FullAWSAccess", "deny-iam"]
    assert policies.chain[1].scps[1].document["Statement"][0]["Action"] == "iam:*"
    assert policies.chain[1].scps[0].aws_managed is True
    assert policies.chain[1].scps[1].aws_managed is False
    assert [p.name for p in policies.chain[2].rcps] == ["RCPFullAWSAccess"]
    assert policies.enabled == (PolicyType.RCP, PolicyType.SCP)
    assert (policies.organization_id, policies.management_account_id) == (ORG, MANAGEMENT)
    assert policies.shape_problem(MEMBER) is None


def test_a_type_not_enabled_is_not_read_and_applies_nothing(
    clients: Clients, stub: Stubber
) -> None:
    # RCPs are still being enabled: AWS does not apply them yet, so they are not listed.
    stub.add_response("list_roots", roots(SCP, RCP, statuses={RCP: "PENDING_ENABLE"}), {})
    stub.add_response("list_parents", parent(ROOT, "ROOT"), {"ChildId": MANAGEMENT})
    new = {FULL[0]}
    expect_level(stub, ROOT, [FULL], None, new)
    expect_level(stub, MANAGEMENT, [FULL], None, new)
    s = session(clients)  # the management account reads its own, with its own credentials
    policies = s.run(ORGANIZATION_POLICIES)["organization_policies"]
    assert policies.enabled == (PolicyType.SCP,)
    assert all(level.rcps == () for level in policies.chain)
    assert policies.exempt(MANAGEMENT)
    assert not policies.exempt(MEMBER)


def test_each_answer_is_read_once_for_the_whole_organization(
    clients: Clients, stub: Stubber
) -> None:
    stub.add_response("list_roots", roots(SCP), {})
    stub.add_response("list_parents", parent(OU), {"ChildId": MEMBER})
    stub.add_response("list_parents", parent(ROOT, "ROOT"), {"ChildId": OU})
    new = {FULL[0], DENY[0]}
    expect_level(stub, ROOT, [FULL], None, new)
    expect_level(stub, OU, [FULL, DENY], None, new)
    expect_level(stub, MEMBER, [FULL], None, new)
    # The second account of the same OU: its own parent and policies only.
    stub.add_response("list_parents", parent(OU), {"ChildId": OTHER})
    expect_level(stub, OTHER, [FULL, DENY], None, new)
    reader = PolicyReader(lambda: clients)
    org = Organization(ORG, MANAGEMENT)
    first = reader.read(MEMBER, org, lambda _m: None)
    second = reader.read(OTHER, org, lambda _m: None)
    assert first.chain[:2] == second.chain[:2]
    assert [p.name for p in second.chain[2].scps] == ["FullAWSAccess", "deny-iam"]


def test_a_failure_is_remembered_and_named_for_the_role_that_reads(
    clients: Clients, stub: Stubber
) -> None:
    stub.add_client_error("list_roots", "AccessDeniedException", "You don't have permissions", 403)
    reader = PolicyReader(lambda: clients, role_arn=ROLE)
    org = Organization(ORG, MANAGEMENT)
    with pytest.raises(SourceFailed) as first:
        reader.read(MEMBER, org, lambda _m: None)
    with pytest.raises(SourceFailed) as second:  # no second call: the Stubber has none queued
        reader.read(OTHER, org, lambda _m: None)
    assert first.value.error == second.value.error
    error = first.value.error
    assert (error.source, error.operation, error.code) == (
        "organization_policies",
        "ListRoots",
        "AccessDeniedException",
    )
    assert error.hint == f"Grant organizations:ListRoots to {ROLE} (--organization-role)."


def test_a_role_that_cannot_be_assumed_is_a_collection_error() -> None:
    def connect() -> Clients:
        raise CollectError(f"cannot assume {ROLE}: AccessDenied: no")

    with pytest.raises(SourceFailed) as failed:
        PolicyReader(connect, role_arn=ROLE).read(MEMBER, Organization(ORG, MANAGEMENT), print)
    assert (failed.value.error.operation, failed.value.error.code) == (
        "AssumeRole",
        "AssumeRoleFailed",
    )
    assert "--organization-role" in failed.value.error.hint


def test_a_role_of_another_organization_reads_nothing_for_this_one(
    clients: Clients, stub: Stubber
) -> None:
    stub.add_response("list_roots", roots(SCP, org="o-zzzzzzzzzz"), {})
    with pytest.raises(SourceFailed) as failed:
        PolicyReader(lambda: clients, role_arn=ROLE).read(
            MEMBER, Organization(ORG, MANAGEMENT), print
        )
    assert failed.value.error.code == "WrongOrganization"
    assert "o-zzzzzzzzzz" in failed.value.error.message


def _chain_to_root(stub: Stubber) -> None:
    stub.add_response("list_roots", roots(SCP), {})
    stub.add_response("list_parents", parent(ROOT, "ROOT"), {"ChildId": MANAGEMENT})


@pytest.mark.parametrize(
    ("case", "operation", "fragment"),
    [
        ("no policy types", "ListRoots", "PolicyTypes"),
        ("two roots", "ListRoots", "listed 2 roots, not one"),
        ("two parents", "ListParents", "has 2 parents, not one"),
        ("a parent of its own", "ListParents", "do not reach the root"),
        ("no SCP on a level", "ListPoliciesForTarget", "no SCP attached to root r-ab12"),
        ("markers that cycle", "ListPoliciesForTarget", "already used"),
        ("content not JSON", "DescribePolicy", "is not a JSON policy document"),
        ("another policy than asked", "DescribePolicy", "asked for policy p-FullAWSAccess"),
        ("a policy of another type", "ListPoliciesForTarget", "got a 'TAG_POLICY' policy"),
        ("a parent id AWS never makes", "ListParents", "not a ou id"),
        ("deeper than AWS nests", "ListParents", "do not reach the root within 7 levels"),
        ("another root", "ListParents", "lead to r-zz99, not root r-ab12"),
    ],
)
def test_answers_that_cannot_be_read_as_they_stand_are_errors_never_empty(
    clients: Clients, stub: Stubber, case: str, operation: str, fragment: str
) -> None:
    if case == "no policy types":
        stub.add_response("list_roots", {"Roots": [{"Id": ROOT}]}, {})
    elif case == "two roots":
        two = roots(SCP)
        two["Roots"] *= 2
        stub.add_response("list_roots", two, {})
    elif case == "two parents":
        stub.add_response("list_roots", roots(SCP), {})
        both = {
            "Parents": [{"Id": OU, "Type": "ORGANIZATIONAL_UNIT"}, {"Id": ROOT, "Type": "ROOT"}]
        }
        stub.add_response("list_parents", both, {"ChildId": MANAGEMENT})
    elif case == "a parent of its own":
        stub.add_response("list_roots", roots(SCP), {})
        stub.add_response("list_parents", parent(OU), {"ChildId": MANAGEMENT})
        stub.add_response("list_parents", parent(OU), {"ChildId": OU})
    elif case == "deeper than AWS nests":
        stub.add_response("list_roots", roots(SCP), {})
        child = MANAGEMENT
        for n in range(6):  # six OUs, each the parent of the one before: one more than AWS allows
            ou = f"ou-ab12-deep000{n}"
            stub.add_response("list_parents", parent(ou), {"ChildId": child})
            child = ou
    elif case == "another root":
        stub.add_response("list_roots", roots(SCP), {})
        stub.add_response("list_parents", parent("r-zz99", "ROOT"), {"ChildId": MANAGEMENT})
    elif case == "a parent id AWS never makes":
        stub.add_response("list_roots", roots(SCP), {})
        stub.add_response("list_parents", parent("ou-x"), {"ChildId": MANAGEMENT})
    else:
        _chain_to_root(stub)
        root_scps = {"TargetId": ROOT, "Filter": SCP}
        if case == "no SCP on a level":
            stub.add_response("list_policies_for_target", listed(), root_scps)
        elif case == "markers that cycle":
            stub.add_response("list_policies_for_target", listed(NextToken="a"), root_scps)
            stub.add_response(
                "list_policies_for_target", listed(NextToken="b"), {**root_scps, "NextToken": "a"}
            )
            stub.add_response(
                "list_policies_for_target", listed(NextToken="a"), {**root_scps, "NextToken": "b"}
            )
        elif case == "a policy of another type":
            stub.add_response(
                "list_policies_for_target", listed(FULL, kind="TAG_POLICY"), root_scps
            )
        else:
            stub.add_response("list_policies_for_target", listed(FULL), root_scps)
            answer = described(*FULL, "{not json" if case == "content not JSON" else ALLOW_ALL)
            if case == "another policy than asked":
                answer["Policy"]["PolicySummary"]["Id"] = "p-somethingelse"
            stub.add_response("describe_policy", answer, {"PolicyId": FULL[0]})
    s = session(clients)
    assert s.run(ORGANIZATION_POLICIES) == {}  # not read: None in the snapshot, never empty
    assert len(s.errors) == 1
    error = s.errors[0]
    assert (error.source, error.operation, error.code) == (
        "organization_policies",
        operation,
        "MalformedResponse",
    )
    assert fragment in error.message


@pytest.mark.parametrize(
    ("organization", "account", "expected"),
    [
        (Organization(None), MEMBER, {"organization_policies": OrganizationPolicies(None)}),
        (
            Organization(ORG, MANAGEMENT),
            MEMBER,
            {
                "organization_policies": None,
                "organization_policies_unread": f"account {MEMBER} is a member of organization "
                f"{ORG}, scanned without --organization-role; only the management account "
                f"({MANAGEMENT}) or a delegated administrator can read them",
            },
        ),
        (
            None,
            MANAGEMENT,
            {
                "organization_policies": None,
                "organization_policies_unread": "the account's organization is not known "
                "(DescribeOrganization failed)",
            },
        ),
    ],
)
def test_who_may_read_decides_before_any_call(
    clients: Clients,
    stub: Stubber,
    organization: Organization | None,
    account: str,
    expected: dict[str, Any],
) -> None:
    s = session(clients, account)
    if organization is None:
        del s.found["organization"]
    else:
        s.found["organization"] = organization
    assert s.run(ORGANIZATION_POLICIES) == expected  # the Stubber fails any call
    assert s.errors == []
