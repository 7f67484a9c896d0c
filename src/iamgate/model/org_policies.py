"""The AWS Organizations policies that bound an account: SCPs and RCPs, level by level.

What AWS does with them (the IAM policy evaluation logic with Organizations), and so what a reader
of this model must do:

- an SCP caps what the *principals* of a member account may do, an RCP what may be done to the
  account's *resources*; neither grants anything
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html);
- an action is allowed only if a policy attached at **every** level from the root down to the
  account allows it, and denied if any policy at any level denies it
  (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html,
  https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_evaluation.html);
- neither applies to the management account (its principals or its resources), and SCPs do not
  apply to service-linked roles
  (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html,
  https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html);
- a policy type that is not ``ENABLED`` on the root applies nothing
  (https://docs.aws.amazon.com/organizations/latest/APIReference/API_PolicyTypeSummary.html).

Only the types that apply to access are read: ``SERVICE_CONTROL_POLICY`` and
``RESOURCE_CONTROL_POLICY``. Each level holds the policies attached to it *directly*
(``ListPoliciesForTarget`` lists no inherited ones), so the chain is the whole picture.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

# AWS Organizations nests OUs at most five deep under the root: root + 5 OUs + the account.
# https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html
MAX_LEVELS = 7


class PolicyType(StrEnum):
    """The organization policy types that bound access (AWS's ``PolicyType`` values)."""

    SCP = "SERVICE_CONTROL_POLICY"
    RCP = "RESOURCE_CONTROL_POLICY"

    @property
    def short(self) -> str:
        return "SCP" if self is PolicyType.SCP else "RCP"


class TargetKind(StrEnum):
    """What a level of the chain is: the organization's root, an OU, or the account itself."""

    ROOT = "root"
    OU = "ou"
    ACCOUNT = "account"


@dataclass(frozen=True, slots=True)
class OrgPolicy:
    """One SCP or RCP as ``DescribePolicy`` gave it (its document parsed from ``Content``)."""

    id: str  # p-FullAWSAccess, p-abcd1234
    name: str
    document: Mapping[str, Any]
    aws_managed: bool = False  # FullAWSAccess, RCPFullAWSAccess: allow everything
    arn: str = ""


@dataclass(frozen=True, slots=True)
class OrgLevel:
    """One level between the root and the account, with the policies attached to it."""

    target_id: str  # r-..., ou-...-..., or the 12-digit account id
    kind: TargetKind
    scps: tuple[OrgPolicy, ...] = ()
    rcps: tuple[OrgPolicy, ...] = ()

    def attached(self, policy_type: PolicyType) -> tuple[OrgPolicy, ...]:
        return self.scps if policy_type is PolicyType.SCP else self.rcps

    @property
    def label(self) -> str:
        """How a message names the level: ``root r-ab12``, ``ou-ab12-cdefgh12``,
        ``account 111111111111``."""
        if self.kind is TargetKind.OU:
            return self.target_id
        return f"{self.kind.value} {self.target_id}"


@dataclass(frozen=True, slots=True)
class OrganizationPolicies:
    """The SCPs and RCPs over one account, read from its organization.

    A snapshot holds ``None`` instead when they were not read (``organization_policies_unread``
    or a collection error says why): verdicts are then judged by IAM policies alone.
    """

    organization_id: str | None  # None: the account is in no organization; nothing applies
    management_account_id: str = ""
    # The types ENABLED on the root; a type not listed applies nothing, and is not read.
    enabled: tuple[PolicyType, ...] = ()
    chain: tuple[OrgLevel, ...] = ()  # the root first, the account last
    read_with: str = ""  # the role they were read with (--organization-role); "": the scan's own

    def is_enabled(self, policy_type: PolicyType) -> bool:
        return policy_type in self.enabled

    def exempt(self, account_id: str) -> bool:
        """SCPs and RCPs apply to nothing of the management account (or of an account in no
        organization)."""
        return self.organization_id is None or account_id == self.management_account_id

    def shape_problem(self, account_id: str) -> str | None:
        """What makes this chain impossible for ``account_id`` (None when it is sound): the
        root first, OUs between, the account itself last, at most ``MAX_LEVELS``."""
        if self.organization_id is None:
            return "chain: an account in no organization has no levels" if self.chain else None
        if not self.chain:
            return "chain: empty (the root and the account, at least)"
        kinds = [level.kind for level in self.chain]
        if kinds[0] is not TargetKind.ROOT or kinds[-1] is not TargetKind.ACCOUNT:
            return "chain: must run from the root to the account"
        if any(kind is not TargetKind.OU for kind in kinds[1:-1]):
            return "chain: only OUs between the root and the account"
        if len(kinds) > MAX_LEVELS:
            return f"chain: {len(kinds)} levels (AWS allows {MAX_LEVELS})"
        if self.chain[-1].target_id != account_id:
            return f"chain: ends at account {self.chain[-1].target_id}, not {account_id}"
        for level in self.chain:
            for policy_type in PolicyType:
                problem = level_problem(level, policy_type, self.is_enabled(policy_type))
                if problem is not None:
                    return f"chain: {problem}"
        return None


def level_problem(level: OrgLevel, policy_type: PolicyType, enabled: bool) -> str | None:
    """What AWS would never show at ``level``: a policy of a type that is not enabled, or no
    policy of an enabled one. AWS keeps at least one SCP (FullAWSAccess by default) and one RCP
    (RCPFullAWSAccess, which cannot be detached) on every root, OU and account while the type
    is enabled; a level without one would read as "everything denied", a false pass.
    https://docs.aws.amazon.com/organizations/latest/APIReference/API_DetachPolicy.html
    https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_evaluation.html
    """
    attached = level.attached(policy_type)
    if attached and not enabled:
        return f"{policy_type.short}s attached to {level.label}, a type not enabled on the root"
    if enabled and not attached:
        return (
            f"no {policy_type.short} attached to {level.label}, although the type is enabled "
            "(AWS keeps at least one on every level)"
        )
    return None
