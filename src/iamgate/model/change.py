"""A planned change to an account, as data: what ``iamgate plan`` reads from a Terraform plan
or a CloudFormation template (``plan/``), and what ``plan.apply`` folds onto a snapshot.

Each operation is one IAM API effect, named after what it does to the account (not after the
resource that asks for it), and carries the :class:`Origin` that asks for it, so every finding
the change causes can name its cause. Principals are named as IAM names them (users, groups and
roles by name, managed policies by ARN). Values known only after apply are placeholders made by
the readers; what the readers could not work out at all is an :class:`Unresolved`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from iamgate.model.results import Origin
from iamgate.model.snapshot import Source

PrincipalKind = Literal["user", "group", "role"]
EntityKind = Literal["user", "group", "role", "policy"]
PRINCIPAL_KINDS: tuple[PrincipalKind, ...] = ("user", "group", "role")


@dataclass(frozen=True, slots=True)
class PutUser:
    """CreateUser, or UpdateUser/PutUserPermissionsBoundary of an existing user (its groups,
    policies and credentials stay). ``renamed_from``: UpdateUser's ``UserName`` when it gives
    the user a new name (``NewUserName``): the user keeps everything under the new name."""

    origin: Origin
    name: str
    path: str = "/"
    permissions_boundary: str | None = None
    renamed_from: str | None = None


@dataclass(frozen=True, slots=True)
class PutGroup:
    """CreateGroup, or UpdateGroup (``renamed_from``: its old name, ``NewGroupName`` the new one:
    the group keeps its members and policies)."""

    origin: Origin
    name: str
    path: str = "/"
    renamed_from: str | None = None


@dataclass(frozen=True, slots=True)
class PutRole:
    """CreateRole, or UpdateAssumeRolePolicy/PutRolePermissionsBoundary of an existing role."""

    origin: Origin
    name: str
    trust_policy: Mapping[str, Any]
    path: str = "/"
    permissions_boundary: str | None = None


@dataclass(frozen=True, slots=True)
class PutPolicy:
    """CreatePolicy, or CreatePolicyVersion as the default of an existing one."""

    origin: Origin
    arn: str
    name: str
    document: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Remove:
    """DeleteUser/DeleteGroup/DeleteRole (``key`` the name) or DeletePolicy (the ARN). What
    depended on it goes with it: memberships, attachments, inline policies, credentials."""

    origin: Origin
    kind: EntityKind
    key: str


@dataclass(frozen=True, slots=True)
class PutInline:
    """PutUserPolicy/PutGroupPolicy/PutRolePolicy."""

    origin: Origin
    kind: PrincipalKind
    principal: str
    name: str
    document: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class RemoveInline:
    origin: Origin
    kind: PrincipalKind
    principal: str
    name: str


@dataclass(frozen=True, slots=True)
class Attach:
    """Attach{User,Group,Role}Policy; ``attach=False`` is the Detach."""

    origin: Origin
    kind: PrincipalKind
    principal: str
    policy_arn: str
    attach: bool = True


@dataclass(frozen=True, slots=True)
class ExclusiveAttachments:
    """The principal's managed policies become exactly ``arns`` (Terraform's
    ``*_policy_attachments_exclusive``, a role's ``managed_policy_arns``, CloudFormation's
    ``ManagedPolicyArns``)."""

    origin: Origin
    kind: PrincipalKind
    principal: str
    arns: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ExclusiveInline:
    """The principal's inline policies are cut down to ``names`` (Terraform's
    ``*_policies_exclusive``); their documents come from their own ``PutInline``."""

    origin: Origin
    kind: PrincipalKind
    principal: str
    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ExclusiveHolders:
    """The policy is attached to exactly these principals across the account (Terraform's
    ``aws_iam_policy_attachment``)."""

    origin: Origin
    policy_arn: str
    users: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Membership:
    """AddUserToGroup; ``add=False`` is RemoveUserFromGroup."""

    origin: Origin
    user: str
    group: str
    add: bool = True


@dataclass(frozen=True, slots=True)
class SetPasswordPolicy:
    """UpdateAccountPasswordPolicy (as GetAccountPasswordPolicy then answers), or
    DeleteAccountPasswordPolicy when ``policy`` is None."""

    origin: Origin
    policy: Mapping[str, int | bool] | None


@dataclass(frozen=True, slots=True)
class AccessKey:
    """CreateAccessKey (``created`` None: a new key), UpdateAccessKey of the key created at
    ``created`` (its status), or DeleteAccessKey (``delete``). The credential report has no key
    ids: an existing key is found by its creation time."""

    origin: Origin
    user: str
    active: bool = True
    created: datetime | None = None
    delete: bool = False


@dataclass(frozen=True, slots=True)
class LoginProfile:
    """CreateLoginProfile (a console password), or DeleteLoginProfile (``enabled=False``)."""

    origin: Origin
    user: str
    enabled: bool = True


@dataclass(frozen=True, slots=True)
class Unresolved:
    """A change whose effect could not be worked out: every check that reads ``touches`` says
    ``error`` on ``resource`` (the account when empty), never pass."""

    origin: Origin
    reason: str
    touches: tuple[Source, ...] = (Source.AUTHORIZATION_DETAILS,)
    resource: str = ""


@dataclass(frozen=True, slots=True)
class Assumed:
    """A value known only after apply, read conservatively (an Allow grants, a Deny removes
    nothing): said in the report, beside the findings of ``resource``."""

    origin: Origin
    note: str
    resource: str = ""


Op = (
    PutUser
    | PutGroup
    | PutRole
    | PutPolicy
    | Remove
    | PutInline
    | RemoveInline
    | Attach
    | ExclusiveAttachments
    | ExclusiveInline
    | ExclusiveHolders
    | Membership
    | SetPasswordPolicy
    | AccessKey
    | LoginProfile
    | Unresolved
    | Assumed
)


@dataclass(frozen=True, slots=True)
class ChangeSet:
    """What one input file asks of the account, in the order it is applied."""

    source: str  # the file
    ops: tuple[Op, ...]
    resources: int  # resource changes read (creates, updates, deletes; not no-ops)
