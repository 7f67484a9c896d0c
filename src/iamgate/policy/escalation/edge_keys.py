"""The condition keys an edge fixes (``policy/condition_keys.py``: origins *edge* and *target*),
as :class:`~iamgate.policy.request.Known` values the rules pass to every question they ask.

- **the target** (:func:`target_known`): the user, role, group or policy acted on: its
  ``aws:ResourceTag/*`` and ``iam:ResourceTag/*`` (a user's or role's tags from
  ``GetAccountAuthorizationDetails``; None, not collected, leaves them unknown; IAM groups have
  no tags; a managed policy's are not collected), ``aws:ResourceAccount`` (the account) and
  ``aws:ResourceOrgID`` (its organization, when read);
- **the edge** (:func:`passed_to`, :func:`attaching`, :data:`NO_BOUNDARY`): the service a
  pass-and-run edge passes the role to (``iam:PassedToService``); the policy an attach writes
  (``iam:PolicyARN``: an administrator policy, as the raised node assumes; each alternative is
  asked, the edge exists when one is allowed); the boundary a create edge sets
  (``iam:PermissionsBoundary``: none, as the new principal assumes), and the boundary a put
  sets instead of the old one (an administrator policy, as the unbounded node assumes).

Left unknown (the conservative reading): ``iam:PermissionsBoundary`` when a boundary is
deleted or a policy written (there AWS reads the target's current boundary),
``iam:AssociatedResourceArn``, a managed policy's tags, and an edge key in a statement of an
action that does not carry it (AWS would find it absent).

What the values mean:
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html and
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from iamgate.model.snapshot import Tag
from iamgate.policy.admin import admin
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


def admin_policies(principals: Principals) -> tuple[str, ...]:
    """The managed policies an attacker would attach: AWS's AdministratorAccess, and every
    managed policy of the snapshot that alone makes its holder full administrator."""
    snapshot = principals.snapshot
    found = [f"arn:{snapshot.partition}:iam::aws:policy/AdministratorAccess"]
    arn = f"arn:{snapshot.partition}:iam::{snapshot.account_id}:role/(holder)"
    who = Identity(arn, "role", "(holder)", snapshot.account_id, own_values=False)
    for managed in snapshot.policies:
        try:
            policy = principals.policy(managed.arn)
        except PolicyFormatError:
            continue  # judged elsewhere; an attacker would attach AdministratorAccess anyway
        if managed.arn in found or policy is None:
            continue
        if admin(Access(who, (Attachment(policy, arn),))).is_admin:
            found.append(managed.arn)
    return tuple(found)


def attaching(arns: Sequence[str]) -> tuple[Known, ...]:
    """The alternatives of an attach edge: each policy it may attach."""
    return tuple(Known({"iam:PolicyARN": (arn,)}) for arn in arns)


def bounding(arns: Sequence[str]) -> tuple[Known, ...]:
    """The alternatives of a boundary replaced by one that lifts it (the unbounded node
    assumes one): each administrator policy as the new boundary."""
    return tuple(Known({"iam:PermissionsBoundary": (arn,)}) for arn in arns)
