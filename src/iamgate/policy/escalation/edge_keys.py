"""The condition keys an edge fixes (``policy/condition_keys.py``: origins *edge* and *target*),
as :class:`~iamgate.policy.request.Known` values the rules pass to every question they ask.

- **the target** (:func:`target_known`): the user, role, group or policy acted on: its
  ``aws:ResourceTag/*`` and ``iam:ResourceTag/*`` (a user's or role's tags from
  ``GetAccountAuthorizationDetails``; None, not collected, leaves them unknown; IAM groups have
  no tags; a managed policy's are not collected), ``aws:ResourceAccount`` (the account) and
  ``aws:ResourceOrgID`` (its organization, when read);
- **the edge** (:func:`passed_to`, :func:`attaching`, :data:`NO_BOUNDARY`): the service a
  pass-and-run edge passes the role to (``iam:PassedToService``); the policy an attach writes
  (``iam:PolicyARN``: each policy that can lift the target, :func:`lifting_policies`; the
  edge exists when one is allowed); the boundary a create edge sets
  (``iam:PermissionsBoundary``: none, or one of the policies that lift, as the new principal
  assumes), and the boundary a put
  sets instead of the old one (each of those policies: the unbounded node assumes one lifts).

Left unknown (the conservative reading): ``iam:PermissionsBoundary`` when a boundary is
deleted or a policy written (there AWS reads the target's current boundary),
``iam:AssociatedResourceArn``, a managed policy's tags, and an edge key in a statement of an
action that does not carry it (AWS would find it absent).

What the values mean:
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html and
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache

from iamgate.model.snapshot import Tag
from iamgate.policy.admin import admin
from iamgate.policy.catalogue import IAM_WRITE, METHODS
from iamgate.policy.errors import PolicyFormatError
from iamgate.policy.evaluate import Access, Attachment, Identity
from iamgate.policy.principals import Principals
from iamgate.policy.request import Known

# A create edge that sets no boundary: a condition requiring one fails.
NO_BOUNDARY = Known({"iam:PermissionsBoundary": None})
# The actions an attach edge performs: each asked with every policy it could attach.
ATTACH_ACTIONS = frozenset(
    {"iam:attachuserpolicy", "iam:attachrolepolicy", "iam:attachgrouppolicy"}
)
# The actions that replace a boundary: each asked with every boundary that lifts it.
PUT_BOUNDARY_ACTIONS = frozenset(
    {"iam:putuserpermissionsboundary", "iam:putrolepermissionsboundary"}
)


@lru_cache(maxsize=64)
def passed_to(service: str) -> Known:
    """The edge of a pass-and-run row: the role is passed to ``service``."""
    return Known({"iam:PassedToService": (service,)})


def target_known(
    account: str, tags: tuple[Tag, ...] | None, org: str | None, org_known: bool
) -> Known:
    """The keys of a resource of the account acted on (``tags`` None: not known; the
    organization only when it was read)."""
    pairs = None if tags is None else tuple((t.key, t.value) for t in tags)
    return Known.target(account, pairs, (org or "") if org_known else None)


# Any AWS managed policy the snapshot does not hold (only attached ones are collected): an
# attacker may attach it, and it may lift everything (IAMFullAccess...). Not a real name.
UNCOLLECTED = "(an AWS managed policy not in the snapshot)"
_ESCALATING = tuple(
    sorted(
        {a for m in METHODS for group in m.actions for a in group}
        | {"iam:PassRole", "sts:AssumeRole", *IAM_WRITE}
    )
)


def lifting_policies(principals: Principals, named: Iterable[str]) -> tuple[str, ...]:
    """The managed policies an attach may write that can lift its target (the raised node
    assumes one lifts everything: the safe direction): AWS's AdministratorAccess; any AWS
    managed policy not in the snapshot (one placeholder, and each such ARN ``named`` in an
    ``iam:PolicyARN`` condition); every managed policy of the snapshot that makes its holder
    full administrator or allows an action of the escalation catalogue. A policy of the
    snapshot that does neither cannot lift, so an attach limited to such policies is no
    edge."""
    snapshot = principals.snapshot
    aws = f"arn:{snapshot.partition}:iam::aws:policy/"
    found = dict.fromkeys((aws + "AdministratorAccess", aws + UNCOLLECTED))
    held = {p.arn for p in snapshot.policies}
    found.update(dict.fromkeys(a for a in named if a.startswith(aws) and a not in held))
    arn = f"arn:{snapshot.partition}:iam::{snapshot.account_id}:role/(holder)"
    who = Identity(arn, "role", "(holder)", snapshot.account_id, own_values=False)
    for managed in snapshot.policies:
        try:
            policy = principals.policy(managed.arn)
        except PolicyFormatError:
            found[managed.arn] = None  # unreadable: it may lift anything
            continue
        if policy is None or managed.arn in found:
            continue
        if (
            any(policy.allows_some(a.lower()) for a in _ESCALATING)
            or admin(Access(who, (Attachment(policy, arn),))).is_admin
        ):
            found[managed.arn] = None
    return tuple(found)


def attaching(arns: Sequence[str]) -> tuple[Known, ...]:
    """The alternatives of an attach edge: each policy it may attach."""
    return tuple(Known({"iam:PolicyARN": (arn,)}) for arn in arns)


def bounding(arns: Sequence[str]) -> tuple[Known, ...]:
    """The alternatives of a boundary replaced by one that lifts it (the unbounded node
    assumes one): each policy of :func:`lifting_policies` as the new boundary."""
    return tuple(Known({"iam:PermissionsBoundary": (arn,)}) for arn in arns)
