"""SCPs and RCPs applied to the verdicts, offline on a snapshot: near-miss pairs at each level
of the chain (root, OU, account), the exemptions (the management account, service-linked
roles), a level that keeps nothing, and policies that were not read."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from iamgate.app.evaluate import APPLIED, organization_note
from iamgate.checks.context import Context
from iamgate.model.config import Config
from iamgate.model.org_policies import (
    OrganizationPolicies,
    OrgLevel,
    OrgPolicy,
    PolicyType,
    TargetKind,
)
from iamgate.model.snapshot import ManagedPolicy, Organization, Snapshot
from iamgate.policy.principals import Principals
from testing.checks import run
from testing.factories import ACCOUNT, ADMIN, arn, doc, group, managed, role, snap, user

ORG = "o-abcdef1234"
MANAGEMENT = "999999999999"
OU = "ou-ab12-prod1234"
ROOT = "r-ab12"
EVERYTHING = {"Effect": "Allow", "Action": "*", "Resource": "*"}
FULL = OrgPolicy("p-FullAWSAccess", "FullAWSAccess", doc(EVERYTHING), aws_managed=True)
RCP_FULL = OrgPolicy(
    "p-RCPFullAWSAccess",
    "RCPFullAWSAccess",
    doc({"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}),
    aws_managed=True,
)
DENY_IAM = OrgPolicy(
    "p-denyiam1",
    "deny-iam-writes",
    doc({"Sid": "DenyIam", "Effect": "Deny", "Action": "iam:*", "Resource": "*"}),
)
# Keys only alice may create: a Deny whose condition holds for everyone else.
KEYS_ONLY_ALICE = OrgPolicy(
    "p-keys1234",
    "keys-only-alice",
    doc(
        {
            "Sid": "OnlyAlice",
            "Effect": "Deny",
            "Action": "iam:CreateAccessKey",
            "Resource": "*",
            "Condition": {"ArnNotEquals": {"aws:PrincipalArn": arn("user", "alice")}},
        }
    ),
)
ONLY_S3 = OrgPolicy(
    "p-onlys3aa", "only-s3", doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"})
)
DENY_OUTSIDE = OrgPolicy(
    "p-rcpouter1",
    "deny-outside-org",
    doc(
        {
            "Sid": "DenyOutside",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "sts:AssumeRole",
            "Resource": "*",
            "Condition": {
                "StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORG},
                "BoolIfExists": {"aws:PrincipalIsAWSService": "false"},
            },
        }
    ),
)
LEVELS = {"root": 0, "ou": 1, "account": 2}
LABELS = {"root": f"root {ROOT}", "ou": OU, "account": f"account {ACCOUNT}"}


def org(
    at: str = "",
    scps: tuple[OrgPolicy, ...] = (),
    rcps: tuple[OrgPolicy, ...] = (),
    management: str = MANAGEMENT,
    replace_full: bool = False,
) -> OrganizationPolicies:
    """The chain root -> OU -> account, FullAWSAccess and RCPFullAWSAccess everywhere, with
    ``scps`` and ``rcps`` also attached at level ``at`` (instead of FullAWSAccess when
    ``replace_full``)."""
    chain = []
    for name, (target, kind) in zip(
        LEVELS,
        ((ROOT, TargetKind.ROOT), (OU, TargetKind.OU), (ACCOUNT, TargetKind.ACCOUNT)),
        strict=True,
    ):
        own_scps: tuple[OrgPolicy, ...] = (FULL,)
        own_rcps: tuple[OrgPolicy, ...] = (RCP_FULL,)
        if name == at:
            own_scps = scps if replace_full else (FULL, *scps)
            own_rcps = (RCP_FULL, *rcps)
        chain.append(OrgLevel(target, kind, own_scps, own_rcps))
    return OrganizationPolicies(ORG, management, (PolicyType.SCP, PolicyType.RCP), tuple(chain))


def account(policies: OrganizationPolicies | None, **more: Any) -> Snapshot:
    """alice: an administrator; bob: may create alice's access keys (an escalation path)."""
    bob_keys = {
        "Effect": "Allow",
        "Action": "iam:CreateAccessKey",
        "Resource": arn("user", "alice"),
    }
    return snap(
        users=(user("alice", attached=(ADMIN.arn,)), user("bob", inline={"keys": doc(bob_keys)})),
        policies=(ADMIN,),
        organization=Organization(ORG, MANAGEMENT),
        organization_policies=policies,
        **more,
    )


def messages(snapshot: Snapshot, check_id: str) -> dict[str, tuple[bool | None, str]]:
    return {r.resource: (r.passed, r.message) for r in run(snapshot, check_id)}


ALICE, BOB = arn("user", "alice"), arn("user", "bob")


@pytest.mark.parametrize("level", LEVELS)
def test_an_scp_at_each_level_changes_an_admin_verdict(level: str) -> None:
    found = messages(account(org(level, (DENY_IAM,))), "principal-admin-access")
    assert found[ALICE] == (
        True,
        "full administrator by its policies, but statement 'DenyIam' of SCP deny-iam-writes "
        f"({LABELS[level]}) denies iam:*: not a full administrator",
    )
    # The near miss: FullAWSAccess alone at that level.
    assert found_admin(account(org(level)))


DENY_LEAVE = OrgPolicy(
    "p-denyleave",
    "deny-leave-organization",
    doc({"Sid": "NoLeave", "Effect": "Deny", "Action": "organizations:Leave*", "Resource": "*"}),
)


@pytest.mark.parametrize("level", LEVELS)
def test_a_guardrail_that_leaves_the_iam_writes_keeps_an_administrator(level: str) -> None:
    """The near miss of the Deny of iam:*: an SCP that keeps only leaving the organization from
    every principal of the account leaves alice every IAM write on herself, so she holds all the
    SCPs allow, the most anyone there can hold: still a full administrator, and the verdict names
    the SCP. (Read as any Deny, it would pass every administrator of most organizations.)"""
    found = messages(account(org(level, (DENY_LEAVE,))), "principal-admin-access")
    passed, message = found[ALICE]
    assert passed is False
    assert (
        f"within the organization's SCPs (statement 'NoLeave' of SCP deny-leave-organization "
        f"({LABELS[level]}) denies organizations:Leave*)" in message
    )
    assert "may still grant itself anything they allow: iam:PutUserPolicy" in message
    # Both together: the IAM writes go, and with them the administrator.
    both = messages(account(org(level, (DENY_LEAVE, DENY_IAM))), "principal-admin-access")
    assert both[ALICE][0] is True
    assert both[ALICE][1].endswith("not a full administrator")


def found_admin(snapshot: Snapshot) -> bool:
    return messages(snapshot, "principal-admin-access")[ALICE][0] is False


@pytest.mark.parametrize("level", LEVELS)
def test_an_scp_at_each_level_changes_an_escalation_path(level: str) -> None:
    blocked = messages(account(org(level, (KEYS_ONLY_ALICE,))), "policy-privilege-escalation")
    assert blocked[BOB] == (
        True,
        "no privilege-escalation path; its policies alone would let it escalate, but "
        f"iam:CreateAccessKey on {ALICE} is denied by statement 'OnlyAlice' of SCP "
        f"keys-only-alice ({LABELS[level]}) (its condition on aws:PrincipalArn holds)",
    )
    # alice is still an administrator: the SCP's condition fails for her.
    assert found_admin(account(org(level, (KEYS_ONLY_ALICE,))))
    open_ = messages(account(org(level)), "policy-privilege-escalation")
    assert open_[BOB][0] is False
    assert "iam:CreateAccessKey" in open_[BOB][1]


@pytest.mark.parametrize("level", LEVELS)
def test_the_management_account_is_exempt(level: str) -> None:
    managed = account(org(level, (DENY_IAM, KEYS_ONLY_ALICE), management=ACCOUNT))
    assert found_admin(managed)
    assert messages(managed, "policy-privilege-escalation")[BOB][0] is False


SLR = replace(
    role("AWSServiceRoleForThing", attached=(ADMIN.arn,)),
    path="/aws-service-role/thing.amazonaws.com/",
    arn=f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/thing.amazonaws.com/AWSServiceRoleForThing",
)
PLAIN = role("deployer", attached=(ADMIN.arn,))


@pytest.mark.parametrize("level", LEVELS)
def test_a_service_linked_role_is_exempt_from_scps(level: str) -> None:
    s = replace(account(org(level, (DENY_IAM,))), roles=(SLR, PLAIN))
    principals = Principals(s)
    slr, plain = principals.verdict(SLR), principals.verdict(PLAIN)
    assert slr is not None
    assert slr.is_admin  # SCPs do not apply to it
    assert plain is not None
    assert not plain.is_admin  # the same policies, an ordinary role
    # In the graph's facts (which evaluate through the same access): a service-linked role
    # that may create alice's keys keeps that action, an ordinary role loses it.
    keys = {"Effect": "Allow", "Action": "iam:CreateAccessKey", "Resource": ALICE}
    both = replace(
        s,
        roles=(
            replace(SLR, attached=(), inline=(_inline("keys", keys),)),
            replace(PLAIN, attached=(), inline=(_inline("keys", keys),)),
        ),
        organization_policies=org(level, (KEYS_ONLY_ALICE,)),
    )
    graph = Context(both, Config()).graph
    position = graph.index.position
    assert graph.facts.can(position[SLR.arn], "iam:createaccesskey")
    assert not graph.facts.can(position[PLAIN.arn], "iam:createaccesskey")
    users = graph.index.users
    for who, expected in ((SLR.arn, True), (PLAIN.arn, False)):
        access = graph.facts.access(position[who])
        assert access is not None
        held = graph.facts.allowed(access, "iam:CreateAccessKey", users)
        assert (users.position[ALICE] in held) is expected


def _inline(name: str, statement: dict[str, Any]) -> Any:
    from iamgate.model.snapshot import InlinePolicy

    return InlinePolicy(name, doc(statement))


def test_a_level_without_an_allowing_scp_denies() -> None:
    """FullAWSAccess detached from the OU, only-s3 left: nothing but S3 passes that level."""
    detached = account(org("ou", (ONLY_S3,), replace_full=True))
    found = messages(detached, "principal-admin-access")
    assert found[ALICE] == (
        True,
        f"full administrator by its policies, but no SCP attached at {OU} allows every action "
        "on every resource: not a full administrator",
    )
    assert messages(detached, "policy-privilege-escalation")[BOB] == (
        True,
        "no privilege-escalation path; its policies alone would let it escalate, but "
        f"iam:CreateAccessKey on {ALICE} is allowed by no SCP attached at {OU}",
    )
    # The near miss: only-s3 beside FullAWSAccess keeps everything.
    kept = account(org("ou", (ONLY_S3,)))
    assert found_admin(kept)
    assert messages(kept, "policy-privilege-escalation")[BOB][0] is False


def test_a_decided_condition_keeps_the_named_principal() -> None:
    """An SCP that denies IAM to all but one role: that role stays an administrator."""
    except_ops = OrgPolicy(
        "p-exceptops",
        "iam-only-ops",
        doc(
            {
                "Sid": "OnlyOps",
                "Effect": "Deny",
                "Action": "iam:*",
                "Resource": "*",
                "Condition": {"ArnNotLike": {"aws:PrincipalArn": arn("role", "ops")}},
            }
        ),
    )
    s = replace(
        account(org("ou", (except_ops,))),
        roles=(role("ops", attached=(ADMIN.arn,)), role("dev", attached=(ADMIN.arn,))),
    )
    found = messages(s, "principal-admin-access")
    assert found[arn("role", "ops")][0] is False
    assert found[arn("role", "dev")][0] is True
    assert "SCP iam-only-ops (ou-ab12-prod1234)" in found[arn("role", "dev")][1]


def test_a_conditioned_scp_deny_removes_nothing() -> None:
    """A Deny on a key of the request (the region) may not apply: the administrator stays one."""
    regions = OrgPolicy(
        "p-regions12",
        "regions",
        doc(
            {
                "Effect": "Deny",
                "NotAction": "iam:*",
                "Resource": "*",
                "Condition": {"StringNotEquals": {"aws:RequestedRegion": "eu-west-1"}},
            }
        ),
    )
    assert found_admin(account(org("root", (regions,))))


def test_policies_not_read_keep_iam_verdicts_and_say_so() -> None:
    unread = account(
        None,
        organization_policies_unread=f"account {ACCOUNT} is a member of organization {ORG}, "
        "scanned without --organization-role",
    )
    assert found_admin(unread)
    assert messages(unread, "policy-privilege-escalation")[BOB][0] is False
    assert organization_note(unread).startswith(
        "organization policies were not read: access is judged by IAM policies alone"
    )
    read = account(org("ou", (DENY_IAM,)))
    assert organization_note(read).endswith(f"; {APPLIED}")
    assert not found_admin(read)


def test_an_unreadable_scp_is_not_applied_and_the_note_says_so() -> None:
    """A document that cannot be read bounds nothing (IAM-only verdicts: more findings, never
    fewer), and every report's note says why."""
    broken = OrgPolicy("p-broken12", "broken", {"Version": "2012-10-17"})
    s = account(org("ou", (DENY_IAM, broken)))
    assert found_admin(s)
    assert organization_note(s).endswith(
        "; not applied: an organization policy could not be read (policy document has no "
        "Statement): access is judged by IAM policies alone"
    )


# --- RCPs: who may assume a role -------------------------------------------------------------

PUBLIC_TRUST = doc({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"})
OUTSIDE_TRUST = doc(
    {
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
        "Action": "sts:AssumeRole",
    }
)


@pytest.mark.parametrize("level", LEVELS)
def test_an_rcp_closes_a_public_trust(level: str) -> None:
    opened = role("opened", PUBLIC_TRUST)
    closed = replace(account(org(level, rcps=(DENY_OUTSIDE,))), roles=(opened,))
    passed, message = messages(closed, "role-trust-public")[opened.arn]
    assert passed is True, message
    assert (
        "its trust alone admits any principal of any AWS account, but statement 'DenyOutside' "
        f"of RCP deny-outside-org ({LABELS[level]}) denies it"
    ) in message
    # Near misses: no such RCP; or the management account, whose resources RCPs never bound.
    for snapshot in (
        replace(account(org(level)), roles=(opened,)),
        replace(account(org(level, rcps=(DENY_OUTSIDE,), management=ACCOUNT)), roles=(opened,)),
    ):
        assert messages(snapshot, "role-trust-public")[opened.arn][0] is False


def test_an_rcp_closes_a_cross_account_trust() -> None:
    vendor = role("vendor", OUTSIDE_TRUST)
    closed = replace(account(org("account", rcps=(DENY_OUTSIDE,))), roles=(vendor,))
    passed, message = messages(closed, "role-trust-external-account")[vendor.arn]
    assert passed is True, message
    assert "RCP deny-outside-org" in message
    opened = replace(account(org("account")), roles=(vendor,))
    assert messages(opened, "role-trust-external-account")[vendor.arn][0] is False


def test_an_rcp_on_other_roles_leaves_this_one() -> None:
    """An RCP whose Resource names other roles does not bound this one."""
    narrow = OrgPolicy(
        "p-rcpnarrow",
        "deny-outside-prod",
        doc(
            {
                **DENY_OUTSIDE.document["Statement"][0],
                "Resource": "arn:aws:iam::*:role/prod-*",
            }
        ),
    )
    opened = role("opened", PUBLIC_TRUST)
    s = replace(account(org("root", rcps=(narrow,))), roles=(opened,))
    assert messages(s, "role-trust-public")[opened.arn][0] is False
    prod = role("prod-api", PUBLIC_TRUST)
    s = replace(s, roles=(prod,))
    assert messages(s, "role-trust-public")[prod.arn][0] is True


# --- policy-level checks: judged for their holders, whom the SCPs bound -----------------------

ASSUME_ANY = managed(
    "assume-any",
    doc({"Sid": "Hop", "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}),
)
IAM_STAR = managed(
    "iam-star", doc({"Sid": "Iam", "Effect": "Allow", "Action": "iam:*", "Resource": "*"})
)
DENY_ASSUME = OrgPolicy(
    "p-noassume1",
    "no-assume",
    doc({"Sid": "NoAssume", "Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*"}),
)
# Near miss: denies assuming only some roles; every other role can still be assumed.
DENY_SOME_ASSUME = OrgPolicy(
    "p-noassume2",
    "no-assume-prod",
    doc({"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::*:role/prod-*"}),
)
DENY_IAM_WRITES = OrgPolicy(
    "p-nowrites1",
    "deny-iam-create",
    doc({"Effect": "Deny", "Action": "iam:Create*", "Resource": "*"}),
)


Make = Callable[[OrganizationPolicies], Snapshot]


def holding(*policies: ManagedPolicy) -> Make:
    """carol holds ``policies``; the organization's policies are given later."""

    def make(organization_policies: OrganizationPolicies) -> Snapshot:
        return snap(
            users=(user("carol", attached=tuple(p.arn for p in policies)),),
            policies=policies,
            organization=Organization(ORG, MANAGEMENT),
            organization_policies=organization_policies,
        )

    return make


def policy_verdict(
    make: Make, check_id: str, policies: OrganizationPolicies
) -> tuple[bool | None, str]:
    (result,) = [r for r in run(make(policies), check_id) if r.resource_type == "policy"]
    return result.passed, result.message


def test_role_assume_any_under_an_scp_deny() -> None:
    make = holding(ASSUME_ANY)
    passed, message = policy_verdict(make, "role-assume-any", org("ou", (DENY_ASSUME,)))
    assert passed is True
    assert message == (
        f"statement 'Hop' of {ASSUME_ANY.arn.split(':', 5)[-1]} allows sts:AssumeRole on every "
        f"role, but statement 'NoAssume' of SCP no-assume ({OU}) denies it"
    )
    for near in (org("ou", (DENY_SOME_ASSUME,)), org("ou", (DENY_ASSUME,), management=ACCOUNT)):
        assert policy_verdict(make, "role-assume-any", near)[0] is False


def test_policy_service_wildcard_under_an_scp_deny() -> None:
    make = holding(IAM_STAR)
    passed, message = policy_verdict(make, "policy-service-wildcard", org("root", (DENY_IAM,)))
    assert passed is True
    assert message == (
        "allows every action of a service, but the organization's SCPs deny it all: iam:*: "
        f"statement 'DenyIam' of SCP deny-iam-writes (root {ROOT}) denies it"
    )
    for near in (org("root", (DENY_IAM_WRITES,)), org("root")):
        assert policy_verdict(make, "policy-service-wildcard", near)[0] is False


def test_policy_full_admin_for_holders_the_scps_bound() -> None:
    make = holding(ADMIN_CUSTOMER)
    passed, message = policy_verdict(make, "policy-full-admin", org("account", (DENY_IAM,)))
    assert passed is True
    assert message.startswith("full administrator by its policies, but ")
    assert policy_verdict(make, "policy-full-admin", org("account"))[0] is False


ADMIN_CUSTOMER = managed("admin-copy", doc(EVERYTHING))


def test_group_admin_access_for_members_the_scps_bound() -> None:
    """A group is judged as a member holding its policies, and the member is bound by the SCPs
    (a condition on the member's own ARN stays undecided: it could be anyone)."""
    admins = group("admins", attached=(ADMIN.arn,))
    bounded = replace(account(org("root", (DENY_IAM,))), groups=(admins,))
    passed, message = messages(bounded, "group-admin-access")[admins.arn]
    assert passed is True
    assert message.startswith("full administrator by its policies, but statement 'DenyIam'")
    spared = OrgPolicy(
        "p-spareops",
        "spare-ops",
        doc(
            {
                "Effect": "Deny",
                "Action": "iam:*",
                "Resource": "*",
                "Condition": {"ArnNotLike": {"aws:PrincipalArn": arn("user", "ops-*")}},
            }
        ),
    )
    for near in (org("root"), org("root", (spared,))):
        found = messages(replace(account(near), groups=(admins,)), "group-admin-access")
        assert found[admins.arn][0] is False


def test_policy_service_wildcard_keeps_a_notaction_grant() -> None:
    """An Allow NotAction grant is judged by its holders' policies alone: a Deny whose pattern
    happens to match its text ("N*") denies nothing of it."""
    not_s3 = managed("not-s3", doc({"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"}))
    odd = OrgPolicy("p-oddnames", "odd", doc({"Effect": "Deny", "Action": "N*", "Resource": "*"}))
    assert (
        policy_verdict(holding(not_s3), "policy-service-wildcard", org("root", (odd,)))[0] is False
    )
