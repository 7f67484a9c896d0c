"""What every report says about the organization's policies: which were read, or that they were
not and access is judged by IAM policies alone (and why); and that a version 1 snapshot evaluates
exactly as it did."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pytest

from iamgate.app.evaluate import GateOptions, evaluate, organization_note
from iamgate.formats.snapshot_json import snapshot_from_dict
from iamgate.model.config import Config
from iamgate.model.org_policies import (
    OrganizationPolicies,
    OrgLevel,
    OrgPolicy,
    PolicyType,
    TargetKind,
)
from iamgate.model.snapshot import CollectionError, Snapshot, Source
from testing import DATA
from testing.factories import ACCOUNT, snap

NOT_READ = "organization policies were not read: access is judged by IAM policies alone"
ALLOW_ALL = {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
FULL = OrgPolicy("p-FullAWSAccess", "FullAWSAccess", ALLOW_ALL, aws_managed=True)
RCP_FULL = OrgPolicy("p-RCPFullAWSAccess", "RCPFullAWSAccess", ALLOW_ALL, aws_managed=True)
DENY = OrgPolicy("p-denyiam12", "deny-iam", {"Statement": []})


def chain(ou_scps: tuple[OrgPolicy, ...] = (FULL,), rcps: bool = True) -> tuple[OrgLevel, ...]:
    r = (RCP_FULL,) if rcps else ()
    return (
        OrgLevel("r-ab12", TargetKind.ROOT, (FULL,), r),
        OrgLevel("ou-ab12-cdefgh12", TargetKind.OU, ou_scps, r),
        OrgLevel(ACCOUNT, TargetKind.ACCOUNT, (FULL,), r),
    )


def policies(**changes: object) -> OrganizationPolicies:
    base = OrganizationPolicies(
        "o-abcdef1234", "999999999999", (PolicyType.SCP, PolicyType.RCP), chain()
    )
    return replace(base, **changes)


@pytest.mark.parametrize(
    ("snapshot", "note"),
    [
        (
            snap(organization_policies=policies(chain=chain((FULL, DENY)))),
            f"organization policies were read for account {ACCOUNT} (o-abcdef1234): SCPs deny-iam "
            "(ou-ab12-cdefgh12); RCPs: only the AWS-managed RCPFullAWSAccess; applied: SCPs to "
            "what its users and roles may do (not its service-linked roles), RCPs to who may "
            "assume its roles",
        ),
        (
            snap(
                organization_policies=policies(
                    enabled=(PolicyType.SCP,),
                    chain=chain(rcps=False),
                    read_with="arn:aws:iam::999999999999:role/reader",
                )
            ),
            f"organization policies were read for account {ACCOUNT} (o-abcdef1234, read with "
            "arn:aws:iam::999999999999:role/reader): SCPs: only the AWS-managed FullAWSAccess; "
            "RCPs not enabled (none apply); applied: SCPs to what its users and roles may do (not "
            "its service-linked roles), RCPs to who may assume its roles",
        ),
        (
            snap(organization_policies=policies(management_account_id=ACCOUNT)),
            f"organization policies were read for account {ACCOUNT} (o-abcdef1234): SCPs: only "
            "the AWS-managed FullAWSAccess; RCPs: only the AWS-managed RCPFullAWSAccess; it is "
            "the management account: no SCP or RCP applies to it",
        ),
        (
            snap(organization_policies=OrganizationPolicies(None)),
            f"account {ACCOUNT} is in no AWS Organization: no SCP or RCP applies",
        ),
        (
            snap(organization_policies_unread="a member scanned alone"),
            f"{NOT_READ} (a member scanned alone)",
        ),
        (
            snap(
                errors=(
                    CollectionError(
                        Source.ORGANIZATION_POLICIES, "ListRoots", "us-east-1", "AccessDenied", "no"
                    ),
                )
            ),
            f"{NOT_READ} (ListRoots failed: AccessDenied; see the collection errors)",
        ),
        (snap(), f"{NOT_READ} (not collected)"),
    ],
    ids=["member", "role-no-rcps", "management", "no-organization", "unread", "error", "none"],
)
def test_the_note_says_what_was_read(snapshot: Snapshot, note: str) -> None:
    assert organization_note(snapshot) == note
    verdict = evaluate(snapshot, Config(), GateOptions(as_of=date(2026, 6, 1)))
    assert note in verdict.notes


def test_a_policy_name_two_policies_share_is_told_apart_by_id() -> None:
    twin = OrgPolicy("p-denyiam99", "deny-iam", {})
    snapshot = snap(organization_policies=policies(chain=chain((FULL, DENY, twin))))
    assert "SCPs deny-iam [p-denyiam12] (ou-ab12-cdefgh12), deny-iam [p-denyiam99]" in (
        organization_note(snapshot)
    )


def test_a_version_1_snapshot_evaluates_as_it_did() -> None:
    # Every finding the same (check, resource, status, message) as the version 2 form of the
    # same data; the one difference is the note that says the policies were not read.
    old = snapshot_from_dict(json.loads((DATA / "demo-snapshot.json").read_text("utf-8")))
    same = replace(old, organization_policies_unread="")
    options = GateOptions(as_of=date(2026, 11, 27))
    a, b = evaluate(old, Config(), options), evaluate(same, Config(), options)
    assert a.findings == b.findings
    assert len(a.findings) > 100  # the demo account's, every check
    assert a.counts == b.counts
    assert [n for n in a.notes if "organization" in n] == [
        f"{NOT_READ} (a snapshot of schema version 1, taken before iamgate read them)"
    ]
