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

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from iamgate.model.org_policies import OrganizationPolicies, OrgLevel, PolicyType
from iamgate.policy.document import Policy, PolicyFormatError, Statement, parse_policy
from iamgate.policy.evaluate import Identity, resource_applies, resource_globs
from iamgate.policy.trust_statements import TrustStatement, parse_trust
from iamgate.policy.wildcard import covers_action, covers_resource

# One level of the chain: the policies of one type attached to it, parsed. An Access holds one
# tuple of levels; principals that read them alike share the very same tuple (its id is a key).
Level = tuple[Policy, ...]
Levels = tuple[Level, ...]


def policy_id(policy_type: PolicyType, name: str, level: OrgLevel) -> str:
    """``SCP deny-iam-writes (ou-ab12-prod12)``: how a message names an organization policy
    and the level it is attached at."""
    return f"{policy_type.short} {name} ({level.label})"


@dataclass(frozen=True, slots=True)
class OrganizationBounds:
    """The SCP and RCP levels over one account's principals and resources, parsed once.
    ``scps`` / ``rcps`` empty: nothing bounds (not read, not enabled, in no organization, or
    the management account); ``scps`` leaves out the levels that allow everything and deny
    nothing."""

    scps: Levels = ()
    rcps: Levels = ()
    applied: bool = False  # the policies were read and apply to this account
    # Every RCP Deny that may cover assuming a role, read as a trust policy's Deny (with the
    # statement it came from, for its Resource): see :func:`trust_denies`.
    rcp_denies: tuple[tuple[TrustStatement, Statement], ...] = ()

    @property
    def scps_restrict(self) -> bool:
        """Whether some SCP could take anything away (levels that allow everything and deny
        nothing are left out of ``scps``)."""
        return bool(self.scps)

    def trust_denies(self, role_arn: str) -> tuple[TrustStatement, ...]:
        """The RCP Denies that apply to assuming ``role_arn`` (a role of a member account that
        is not service-linked), each labelled with its policy and level.

        Only Denies change who may assume a role: every level keeps ``RCPFullAWSAccess``
        (Allow ``*`` to ``*``), which cannot be detached, so every level allows what the trust
        allows (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_evaluation.html).
        An RCP Deny reads like a Deny in the trust policy itself: both are resource-side
        Denies with a Principal, so the trust model narrows its candidates by them."""
        return tuple(
            trust for trust, st in self.rcp_denies if resource_applies(st, role_arn, None)[0]
        )


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
    rcps = _levels(policies, PolicyType.RCP)
    documents = [
        (p.document, parsed)
        for level, parsed_level in zip(policies.chain, rcps, strict=False)
        for p, parsed in zip(level.rcps, parsed_level, strict=True)
    ]
    denies = tuple(pair for doc, parsed in documents for pair in _trust_denies(doc, parsed))
    scps = tuple(level for level in _levels(policies, PolicyType.SCP) if not _allows_all(level))
    return OrganizationBounds(scps, rcps, True, denies)


def _allows_all(level: Level) -> bool:
    """A level that allows every action on every resource and denies nothing (FullAWSAccess,
    alone or beside other Allows) bounds nothing: it is left out of the SCP levels, so an
    organization of FullAWSAccess alone costs the evaluator nothing."""
    statements = [st for policy in level for st in policy.statements]
    return not any(st.effect == "Deny" for st in statements) and any(
        st.all_actions and st.universal and not st.conditioned for st in statements
    )


def scp_denial(levels: Levels, who: Identity, action: str, resource: str) -> Statement | None:
    """An SCP Deny that certainly takes away every action the pattern ``action`` names on
    every resource the glob ``resource`` names, for ``who`` (``levels`` read for it): no
    condition left once read for it, Action patterns that cover ``action``, Resource globs
    that cover ``resource``. NotAction / NotResource Denies and levels that merely allow less
    are not followed (they remove nothing here: a finding is never dropped on a guess)."""
    for level in levels:
        for policy in level:
            for st in policy.statements:
                if st.effect != "Deny" or st.conditioned or st.not_action or st.not_resource:
                    continue
                if not any(covers_action(p, action) for p in st.actions):
                    continue
                globs = resource_globs(st, who).globs
                if any(covers_resource(g, resource) for g in globs):
                    return st
    return None


def read_bounds(
    policies: OrganizationPolicies | None, account_id: str
) -> tuple[OrganizationBounds, str]:
    """:func:`bounds`, or none (IAM policies alone) with the reason when a document cannot be
    read: SCPs and RCPs only take access away, so leaving them out can only report more,
    never less."""
    try:
        return bounds(policies, account_id), ""
    except PolicyFormatError as exc:
        return OrganizationBounds(), f"an organization policy could not be read ({exc})"


def _trust_denies(
    document: Mapping[str, Any], policy: Policy
) -> list[tuple[TrustStatement, Statement]]:
    """The policy's Denies of an STS action, read as trust statements (RCPs name their
    Principal, ``*``, as a trust policy does)."""
    try:
        trusts, _notes = parse_trust(document)
    except PolicyFormatError:
        return []  # not readable as a resource-side Deny: it narrows no trust (never a pass)
    return [
        (replace(trust, label=f"{trust.label} of {policy.id}"), st)
        for trust, st in zip(trusts, policy.statements, strict=True)
        if st.effect == "Deny" and any(st.covers_action(a) for a in _ASSUME)
    ]


# The STS calls that assume a role (RCPs cover STS: the role is the resource).
_ASSUME = ("sts:AssumeRole", "sts:AssumeRoleWithWebIdentity", "sts:AssumeRoleWithSAML")
