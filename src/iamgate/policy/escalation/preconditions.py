"""What AWS checks before it performs an edge's call: an edge AWS would refuse is no edge.

One row per precondition, as data (``docs/checks.md`` lists them, generated): the catalogue
methods it applies to, what the target must be, the error AWS answers otherwise, the API
documentation, and how iamgate decides it (or why it keeps the conservative reading, "the call
succeeds"). :class:`Standing` holds what the rules need of the account to decide them: which
roles are service-linked, which users have a password, which have both access-key slots taken.

The credential report is the only source of a user's password and keys. A user without a row
(no report, or a user created after it: AWS reuses a report for up to four hours) keeps the
conservative reading, and the hop says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from iamgate.model.snapshot import CredentialRow, Role, Snapshot, User
from iamgate.policy.catalogue import of_kind
from iamgate.policy.escalation.targets import Targets
from iamgate.policy.principals import is_service_linked

_API = "https://docs.aws.amazon.com/IAM/latest/APIReference/API_"
_STS = "https://docs.aws.amazon.com/STS/latest/APIReference/API_"
_USER_GUIDE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/"
QUOTAS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html"
SERVICE_LINKED = "https://docs.aws.amazon.com/IAM/latest/UserGuide/using-service-linked-roles.html"


@dataclass(frozen=True, slots=True)
class Precondition:
    """What a target must be for AWS to perform a method's call on it."""

    methods: tuple[str, ...]  # catalogue ids
    requires: str
    refusal: str  # what AWS answers otherwise
    docs: tuple[str, ...]
    decided: str  # how iamgate decides it, or why it keeps "the call succeeds"


PRECONDITIONS: tuple[Precondition, ...] = (
    Precondition(
        (
            "update-assume-role-policy",
            "put-role-policy",
            "attach-role-policy",
            "delete-role-permissions-boundary",
            "put-role-permissions-boundary",
        ),
        "the role is not service-linked (path `/aws-service-role/`)",
        "`UnmodifiableEntity`: only the service that owns it may change it",
        (
            SERVICE_LINKED,
            _API + "UpdateAssumeRolePolicy.html",
            _API + "PutRolePolicy.html",
            _API + "AttachRolePolicy.html",
            _API + "DeleteRolePermissionsBoundary.html",
            _API + "PutRolePermissionsBoundary.html",
        ),
        "decided: no such edge into a service-linked role",
    ),
    Precondition(
        ("update-login-profile",),
        "the user has a console password",
        "`NoSuchEntity` (no login profile)",
        (_API + "UpdateLoginProfile.html",),
        "decided from the credential report's `password_enabled`; a user without a row keeps "
        "the edge, and the hop says the password is not known (AWS reuses a report for up to "
        "four hours: a password set since then is not seen)",
    ),
    Precondition(
        ("create-login-profile",),
        "the user has no console password, or the caller may `iam:DeleteLoginProfile` it first",
        "`EntityAlreadyExists`",
        (_API + "CreateLoginProfile.html", _API + "DeleteLoginProfile.html"),
        "decided from the credential report's `password_enabled`, as above",
    ),
    Precondition(
        ("create-access-key",),
        "the user has fewer than 2 access keys (a quota AWS does not raise), or the caller may "
        "`iam:DeleteAccessKey` one first",
        "`LimitExceeded`",
        (_API + "CreateAccessKey.html", QUOTAS, _API + "DeleteAccessKey.html"),
        "decided from the credential report: a slot is taken when its key is active or has a "
        "`last_rotated` date; only two taken slots remove the edge (an inactive key AWS may "
        "show as `N/A` leaves the slot looking free)",
    ),
    Precondition(
        ("add-user-to-group",),
        "the caller is a user (only users are members of groups)",
        "`NoSuchEntity` (a role is no user)",
        (_API + "AddUserToGroup.html",),
        "decided: only users join groups",
    ),
    Precondition(
        ("add-user-to-group",),
        "the user is in fewer than 10 groups (a quota AWS does not raise)",
        "`LimitExceeded`",
        (_API + "AddUserToGroup.html", QUOTAS),
        "not decided: the user may leave a group first (`iam:RemoveUserFromGroup`)",
    ),
    Precondition(
        ("attach-user-policy", "attach-group-policy", "attach-role-policy"),
        "fewer managed policies attached than the quota (10 by default, up to 20)",
        "`LimitExceeded`",
        (_API + "AttachRolePolicy.html", QUOTAS),
        "not decided: the quota can be raised and is not collected, and a writer may detach one",
    ),
    Precondition(
        ("put-user-policy", "put-group-policy", "put-role-policy"),
        "the inline policies' total size stays under the quota (2,048, 5,120, 10,240 characters)",
        "`LimitExceeded`",
        (_API + "PutRolePolicy.html", QUOTAS),
        "not decided: an administrator policy is short, and a writer may replace a policy",
    ),
    Precondition(
        ("create-policy-version",),
        "the policy has fewer than 5 versions",
        "`LimitExceeded`",
        (_API + "CreatePolicyVersion.html",),
        "not decided: non-default versions are not collected (Prowler and Cloudsplaining "
        "count the edge alike)",
    ),
    Precondition(
        ("set-default-policy-version",),
        "another version of the policy exists",
        "`NoSuchEntity`",
        (_API + "SetDefaultPolicyVersion.html",),
        "not decided: non-default versions are not collected",
    ),
    Precondition(
        ("create-policy-version", "set-default-policy-version"),
        "the policy is customer-managed",
        "AWS managed policies cannot be changed",
        (_API + "CreatePolicyVersion.html",),
        "decided: only customer-managed policies are written",
    ),
    Precondition(
        (
            "delete-user-permissions-boundary",
            "delete-role-permissions-boundary",
            "put-user-permissions-boundary",
            "put-role-permissions-boundary",
        ),
        "the principal has a permissions boundary (to remove or replace)",
        "nothing to lift",
        (_API + "DeleteUserPermissionsBoundary.html", _API + "PutRolePermissionsBoundary.html"),
        "decided: only principals with a boundary",
    ),
    Precondition(
        ("assume-role",),
        "the role's trust policy admits the caller (and, where it names the account, the "
        "caller's own policies allow `sts:AssumeRole`)",
        "`AccessDenied`",
        (_STS + "AssumeRole.html", _USER_GUIDE + "id_roles_use_permissions-to-switch.html"),
        "decided by the trust model (`policy/trust.py`)",
    ),
    Precondition(
        tuple(m.id for m in of_kind("pass")),
        "the role trusts the service (which assumes it) and is not service-linked",
        "the service cannot assume the role",
        (_USER_GUIDE + "id_roles_use_passrole.html",),
        "decided: only roles whose trust admits the service",
    ),
    Precondition(
        ("passrole-ec2",),
        "an instance profile holds the role",
        "`InvalidParameterValue` (no such instance profile)",
        (_USER_GUIDE + "id_roles_use_switch-role-ec2_instance-profiles.html",),
        "not decided: instance profiles are not collected (`iam:CreateInstanceProfile` may "
        "make one)",
    ),
    Precondition(
        tuple(m.id for m in of_kind("existing")),
        "a resource of the service runs as the role",
        "nothing to run",
        (_USER_GUIDE + "id_roles_use_passrole.html",),
        "not decided: no inventory of functions, instances, stacks or projects is collected",
    ),
    Precondition(
        tuple(m.id for m in of_kind("new")),
        "the name is free and the account is under its quota of users or roles",
        "`EntityAlreadyExists`, `LimitExceeded`",
        (_API + "CreateRole.html", _API + "CreateUser.html", QUOTAS),
        "not decided: any free name will do, and the quotas (adjustable) are not collected",
    ),
)

# The action that clears the way for a credentials method on a user AWS would refuse it on.
UNLOCKS = {
    "create-access-key": "iam:DeleteAccessKey",
    "create-login-profile": "iam:DeleteLoginProfile",
}


def _keys_taken(row: CredentialRow) -> int:
    return sum(1 for k in row.keys if k.active or isinstance(k.last_rotated, datetime))


class Standing:
    """What the preconditions read of the account, as sets of principal positions (users then
    roles, as :class:`.index.AccountIndex` numbers them)."""

    def __init__(self, snapshot: Snapshot, entities: Sequence[User | Role]) -> None:
        rows = {r.arn: r for r in snapshot.credential_report if not r.is_root}
        with_password: list[int] = []
        without_password: list[int] = []
        keys_full: list[int] = []
        unknown: list[int] = []
        linked: list[int] = []
        for position, entity in enumerate(entities):
            if not isinstance(entity, User):  # only a role is service-linked
                if is_service_linked(entity):
                    linked.append(position)
                continue
            row = rows.get(entity.arn)
            if row is None or row.password_enabled is None:
                unknown.append(position)
                continue
            (with_password if row.password_enabled else without_password).append(position)
            if _keys_taken(row) >= 2:
                keys_full.append(position)
        self.unmodifiable = Targets.of(linked)
        self.unknown = frozenset(unknown)  # users the report says nothing of
        # Where each credentials method is refused (unless ``UNLOCKS`` clears the way).
        self.refused = {
            "create-access-key": Targets.of(keys_full),
            "create-login-profile": Targets.of(with_password),
            "update-login-profile": Targets.of(without_password),
        }

    def refusal(self, method: str) -> str:
        """Why AWS refuses ``method`` on a user in :attr:`refused` (for a hop's text)."""
        return {
            "create-access-key": "the user has two access keys",
            "create-login-profile": "the user has a password",
        }.get(method, "")

    def unknown_note(self, method: str) -> str:
        """The hop's note for a user the credential report says nothing of."""
        what = "access keys" if method == "create-access-key" else "password"
        return f" (its {what} not known: no credential report row)"
