"""The organization's SCPs and RCPs as bounds on access: parsed once per snapshot.

What AWS does (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html,
https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html,
https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_evaluation.html):

- an SCP caps what a principal of a member account may do; an action is allowed only if, at
  **every** level from the root through each OU to the account, some SCP attached there allows
  it, and no SCP at any level denies it. Neither grants anything. So each level acts like one
  more permissions boundary (:class:`~.evaluate.Access` ``scps``): the statements of the level's
  SCPs together must allow, and any Deny denies. Conditions are read as the evaluator reads them
  (decided keys decided; an undecided Allow allows, an undecided Deny removes nothing);
- SCPs do not apply to the management account's principals, nor to service-linked roles
  (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html);
- an RCP caps what may be done to a member account's resources, whoever asks, in the same
  every-level way; it does not apply to the management account's resources, nor to
  service-linked roles, and only to the services RCPs support, of which iamgate models one:
  ``sts:AssumeRole`` and its siblings on the account's roles
  (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html);
- a policy type that is not enabled on the root applies nothing.

Policies that were not read (``Snapshot.organization_policies`` None) bound nothing: verdicts are
then judged by IAM policies alone, and every report says so (``app/evaluate.organization_note``).
"""

from __future__ import annotations

from dataclasses import dataclass

from iamgate.model.org_policies import OrganizationPolicies, OrgLevel, PolicyType
from iamgate.policy.document import Policy, parse_policy

# One level of the chain: the policies of one type attached to it, parsed. An Access holds one
# tuple of levels; principals that read them alike share the very same tuple (its id is a key).
Level = tuple[Policy, ...]
Levels = tuple[Level, ...]
ORG_PREFIXES = ("SCP ", "RCP ")  # how a level policy's id starts: its messages name it so


def policy_id(policy_type: PolicyType, name: str, level: OrgLevel) -> str:
    """``SCP deny-iam-writes (ou-ab12-prod12)``: how a message names an organization policy
    and the level it is attached at."""
    return f"{policy_type.short} {name} ({level.label})"


def is_org_policy(policy: Policy) -> bool:
    return policy.id.startswith(ORG_PREFIXES)


@dataclass(frozen=True, slots=True)
class OrganizationBounds:
    """The SCP and RCP levels over one account's principals and resources, parsed once.
    ``scps`` / ``rcps`` empty: nothing bounds (not read, not enabled, in no organization, or
    the management account)."""

    scps: Levels = ()
    rcps: Levels = ()
    applied: bool = False  # the policies were read and apply to this account


def _levels(policies: OrganizationPolicies, policy_type: PolicyType) -> Levels:
    if not policies.is_enabled(policy_type):
        return ()
    return tuple(
        tuple(
            parse_policy(policy_id(policy_type, p.name, level), p.document, "synthetic")
            for p in level.attached(policy_type)
        )
        for level in policies.chain
    )


def bounds(policies: OrganizationPolicies | None, account_id: str) -> OrganizationBounds:
    """What the organization's policies bound for ``account_id``: nothing when they were not
    read or do not apply (the management account, no organization). Raises
    :class:`~.errors.PolicyFormatError` on a document that cannot be read."""
    if policies is None or policies.exempt(account_id):
        return OrganizationBounds()
    return OrganizationBounds(
        _levels(policies, PolicyType.SCP), _levels(policies, PolicyType.RCP), applied=True
    )
