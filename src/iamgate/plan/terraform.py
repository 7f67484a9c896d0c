"""A Terraform plan -> the changes it makes to IAM (``model/change.py``).

One row per resource type in :data:`TYPES`: what creating or updating it does, what deleting it
does, and which of the snapshot's data it touches. A replacement (``["delete", "create"]`` or
``["create", "delete"]``) is its delete then its create, as IAM sees it (a name is unique, so
the old object goes first); ``no-op``, ``read`` and ``forget`` change nothing in the account.
The AWS provider's documentation of each resource is the semantics relied on
(https://registry.terraform.io/providers/hashicorp/aws/latest/docs, "IAM"); the exclusive
kinds are called out where they are mapped.

Every ``aws_iam_*`` resource not in the table is either known to touch nothing a check reads
(:data:`NO_EFFECT`) or unresolved: an ``error`` for the checks of what it touches, never a
silent pass. Resources of other services are outside the IAM the checks judge.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime

from iamgate.formats.terraform_plan import PlannedChange, TerraformPlan
from iamgate.formats.times import parse_time
from iamgate.model.change import (
    AccessKey,
    Assumed,
    Attach,
    ChangeSet,
    ExclusiveAttachments,
    ExclusiveHolders,
    ExclusiveInline,
    LoginProfile,
    Membership,
    Op,
    PrincipalKind,
    PutGroup,
    PutInline,
    PutPolicy,
    PutRole,
    PutUser,
    Remove,
    RemoveInline,
    SetPasswordPolicy,
    Unresolved,
)
from iamgate.model.results import Origin
from iamgate.model.snapshot import Source
from iamgate.plan.names import Account, placeholder
from iamgate.plan.tf_policy_document import render
from iamgate.plan.tf_resource import AUTH, REPORT, Make, Mapper, Resource, Unresolvable, nothing
from iamgate.plan.tf_values import Instance, Unknown, Value, Values

# --- principals ----------------------------------------------------------------------------------


def _put_user(r: Resource) -> list[Op]:
    """An update that changes ``name`` renames the user in place (the provider calls UpdateUser
    with NewUserName): it keeps its policies, groups and credentials."""
    name = r.name()
    path = r.values.path(r.instance)
    return [PutUser(r.origin, name, path, r.boundary(), renamed_from=_old_name(r, name))]


def _put_group(r: Resource) -> list[Op]:
    """As a user: an update of ``name`` is UpdateGroup with NewGroupName (members and policies
    stay)."""
    name = r.name()
    return [PutGroup(r.origin, name, r.values.path(r.instance), renamed_from=_old_name(r, name))]


def _old_name(r: Resource, name: str) -> str | None:
    """The name an in-place update changes (not a replacement: its delete removes the old)."""
    if r.change.before is None or "delete" in r.change.actions:
        return None
    old = r.before("name")
    return old if isinstance(old, str) and old and old != name else None


def _put_role(r: Resource) -> list[Op]:
    name = r.name()
    trust = r.document("assume_role_policy")
    ops: list[Op] = [PutRole(r.origin, name, trust, r.values.path(r.instance), r.boundary())]
    if _configured(r, "inline_policy"):
        names = []
        blocks = r.after("inline_policy")
        for i in range(len(blocks) if isinstance(blocks, list) else 0):
            inline = r.text("inline_policy", i, "name")
            names.append(inline)
            ops.append(
                PutInline(r.origin, "role", name, inline, r.document("inline_policy", i, "policy"))
            )
        ops.append(ExclusiveInline(r.origin, "role", name, tuple(names)))
    if _configured(r, "managed_policy_arns"):
        ops.append(ExclusiveAttachments(r.origin, "role", name, r.texts("managed_policy_arns")))
    return ops


def _configured(r: Resource, attribute: str) -> bool:
    """A role's ``inline_policy`` blocks and ``managed_policy_arns`` are exclusive only when the
    configuration sets them (the provider ignores them otherwise)."""
    config = r.values.plan.references.get(r.change.config_address)
    if config is not None:
        return any(key == attribute or key.startswith(attribute + ".") for key in config)
    value = r.after(attribute)
    return isinstance(value, list) and bool(value)


def _delete(kind: str) -> Make:
    def delete(r: Resource) -> list[Op]:
        if kind == "policy":
            return [Remove(r.origin, "policy", r.policy_arn("arn", before=True))]
        return [Remove(r.origin, kind, r.text("name", before=True))]  # type: ignore[arg-type]

    return delete


def _put_policy(r: Resource) -> list[Op]:
    name = r.name()
    arn = r.account.arn("policy", name, r.values.path(r.instance))
    return [PutPolicy(r.origin, arn, name, r.document("policy"))]


# --- policies on principals ----------------------------------------------------------------------


def _inline(kind: PrincipalKind) -> tuple[Make, Make]:
    def put(r: Resource) -> list[Op]:
        ops: list[Op] = []
        principal, name = r.text(kind), r.name()
        if r.change.before is not None:
            old = (r.before(kind), r.before("name"))
            if old != (principal, name) and all(isinstance(v, str) for v in old):
                ops.append(RemoveInline(r.origin, kind, str(old[0]), str(old[1])))
        return [*ops, PutInline(r.origin, kind, principal, name, r.document("policy"))]

    def delete(r: Resource) -> list[Op]:
        return [RemoveInline(r.origin, kind, r.text(kind, before=True), r.name(before=True))]

    return put, delete


def _attachment(kind: PrincipalKind) -> tuple[Make, Make]:
    def put(r: Resource) -> list[Op]:
        return [Attach(r.origin, kind, r.text(kind), r.policy_arn())]

    def delete(r: Resource) -> list[Op]:
        principal = r.text(kind, before=True)
        return [Attach(r.origin, kind, principal, r.policy_arn(before=True), attach=False)]

    return put, delete


def _put_holders(r: Resource) -> list[Op]:
    """``aws_iam_policy_attachment``: exclusive across the account ("all of the
    users/roles/groups to which a single policy is attached must be declared by a single
    aws_iam_policy_attachment resource")."""
    return [
        ExclusiveHolders(
            r.origin,
            r.policy_arn(),
            users=r.texts("users"),
            groups=r.texts("groups"),
            roles=r.texts("roles"),
        )
    ]


def _delete_holders(r: Resource) -> list[Op]:
    arn = r.policy_arn(before=True)
    kinds: tuple[PrincipalKind, ...] = ("user", "group", "role")
    return [
        Attach(r.origin, kind, name, arn, attach=False)
        for kind in kinds
        for name in r.texts(f"{kind}s", before=True)
    ]


def _exclusive_attachments(kind: PrincipalKind) -> Make:
    """``aws_iam_{kind}_policy_attachments_exclusive``: the principal's managed policies become
    exactly ``policy_arns``; destroying the resource detaches nothing."""

    def put(r: Resource) -> list[Op]:
        return [
            ExclusiveAttachments(r.origin, kind, r.text(f"{kind}_name"), r.texts("policy_arns"))
        ]

    return put


def _exclusive_inline(kind: PrincipalKind) -> Make:
    """``aws_iam_{kind}_policies_exclusive``: inline policies not in ``policy_names`` are
    deleted; destroying the resource deletes nothing."""

    def put(r: Resource) -> list[Op]:
        return [ExclusiveInline(r.origin, kind, r.text(f"{kind}_name"), r.texts("policy_names"))]

    return put


# --- memberships ---------------------------------------------------------------------------------


def _put_user_groups(r: Resource) -> list[Op]:
    """``aws_iam_user_group_membership``: not exclusive; an update removes only the groups it
    listed before."""
    user = r.text("user")
    after = r.texts("groups")
    gone = [] if r.change.before is None else r.texts("groups", before=True)
    removed = [Membership(r.origin, user, g, add=False) for g in gone if g not in after]
    return [*removed, *(Membership(r.origin, user, g) for g in after)]


def _delete_user_groups(r: Resource) -> list[Op]:
    user = r.text("user", before=True)
    return [Membership(r.origin, user, g, add=False) for g in r.texts("groups", before=True)]


def _put_group_members(r: Resource) -> list[Op]:
    """``aws_iam_group_membership``: adds ``users``; an update removes the users it held before
    and no longer lists (its state holds every member of the group)."""
    group = r.text("group")
    after = r.texts("users")
    gone = [] if r.change.before is None else r.texts("users", before=True)
    removed = [Membership(r.origin, u, group, add=False) for u in gone if u not in after]
    return [*removed, *(Membership(r.origin, u, group) for u in after)]


def _delete_group_members(r: Resource) -> list[Op]:
    group = r.text("group", before=True)
    return [Membership(r.origin, u, group, add=False) for u in r.texts("users", before=True)]


# --- account settings and credentials ------------------------------------------------------------


_PASSWORD_FIELDS = {
    "minimum_password_length": "MinimumPasswordLength",
    "require_lowercase_characters": "RequireLowercaseCharacters",
    "require_numbers": "RequireNumbers",
    "require_uppercase_characters": "RequireUppercaseCharacters",
    "require_symbols": "RequireSymbols",
    "allow_users_to_change_password": "AllowUsersToChangePassword",
    "hard_expiry": "HardExpiry",
}


def _put_password_policy(r: Resource) -> list[Op]:
    """UpdateAccountPasswordPolicy with the resource's values, as GetAccountPasswordPolicy then
    answers (MaxPasswordAge and PasswordReusePrevention absent when 0: not set)."""
    policy: dict[str, int | bool] = {}
    for attribute, key in _PASSWORD_FIELDS.items():
        value = r.after(attribute)
        if isinstance(value, Unknown):
            raise Unresolvable(value.describe())
        if isinstance(value, bool | int):
            policy[key] = value
    for attribute, key in (
        ("max_password_age", "MaxPasswordAge"),
        ("password_reuse_prevention", "PasswordReusePrevention"),
    ):
        value = r.after(attribute)
        if isinstance(value, Unknown):
            raise Unresolvable(value.describe())
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            policy[key] = value
    policy["ExpirePasswords"] = "MaxPasswordAge" in policy
    return [SetPasswordPolicy(r.origin, policy)]


def _delete_password_policy(r: Resource) -> list[Op]:
    return [SetPasswordPolicy(r.origin, None)]


def _put_access_key(r: Resource) -> list[Op]:
    active = r.after("status") != "Inactive"
    if r.change.before is None:
        return [AccessKey(r.origin, r.text("user"), active)]
    return [AccessKey(r.origin, r.text("user"), active, created=_created(r))]


def _delete_access_key(r: Resource) -> list[Op]:
    return [AccessKey(r.origin, r.text("user", before=True), created=_created(r), delete=True)]


def _created(r: Resource) -> datetime | None:
    value = r.before("create_date")
    try:
        return parse_time(value) if isinstance(value, str) and value else None
    except ValueError:
        return None


def _put_login_profile(r: Resource) -> list[Op]:
    return [LoginProfile(r.origin, r.text("user"))]


def _delete_login_profile(r: Resource) -> list[Op]:
    return [LoginProfile(r.origin, r.text("user", before=True), enabled=False)]


_ROLE_INLINE = _inline("role")
_USER_INLINE = _inline("user")
_GROUP_INLINE = _inline("group")
_ROLE_ATTACH = _attachment("role")
_USER_ATTACH = _attachment("user")
_GROUP_ATTACH = _attachment("group")

TYPES: Mapping[str, Mapper] = {
    "aws_iam_user": Mapper(_put_user, _delete("user"), (*AUTH, *REPORT)),
    "aws_iam_group": Mapper(_put_group, _delete("group")),
    "aws_iam_role": Mapper(_put_role, _delete("role")),
    "aws_iam_policy": Mapper(_put_policy, _delete("policy")),
    "aws_iam_role_policy": Mapper(*_ROLE_INLINE),
    "aws_iam_user_policy": Mapper(*_USER_INLINE),
    "aws_iam_group_policy": Mapper(*_GROUP_INLINE),
    "aws_iam_role_policy_attachment": Mapper(*_ROLE_ATTACH),
    "aws_iam_user_policy_attachment": Mapper(*_USER_ATTACH),
    "aws_iam_group_policy_attachment": Mapper(*_GROUP_ATTACH),
    "aws_iam_policy_attachment": Mapper(_put_holders, _delete_holders),
    "aws_iam_role_policy_attachments_exclusive": Mapper(_exclusive_attachments("role"), nothing),
    "aws_iam_user_policy_attachments_exclusive": Mapper(_exclusive_attachments("user"), nothing),
    "aws_iam_group_policy_attachments_exclusive": Mapper(_exclusive_attachments("group"), nothing),
    "aws_iam_role_policies_exclusive": Mapper(_exclusive_inline("role"), nothing),
    "aws_iam_user_policies_exclusive": Mapper(_exclusive_inline("user"), nothing),
    "aws_iam_group_policies_exclusive": Mapper(_exclusive_inline("group"), nothing),
    "aws_iam_user_group_membership": Mapper(_put_user_groups, _delete_user_groups),
    "aws_iam_group_membership": Mapper(_put_group_members, _delete_group_members),
    "aws_iam_account_password_policy": Mapper(
        _put_password_policy, _delete_password_policy, (Source.PASSWORD_POLICY,)
    ),
    "aws_iam_access_key": Mapper(_put_access_key, _delete_access_key, REPORT),
    "aws_iam_user_login_profile": Mapper(_put_login_profile, _delete_login_profile, REPORT),
    # Reference targets only: no check reads providers or instance profiles (the snapshot has
    # none); their ARNs are worked out so that trusts and attachments naming them connect.
    "aws_iam_openid_connect_provider": Mapper(nothing, nothing),
    "aws_iam_saml_provider": Mapper(nothing, nothing),
    "aws_iam_instance_profile": Mapper(nothing, nothing),
}

# IAM resources no check reads, with the reason.
NO_EFFECT: Mapping[str, str] = {
    "aws_iam_user_ssh_key": "SSH public keys for CodeCommit",
    "aws_iam_signing_certificate": "X.509 signing certificates",
    "aws_iam_service_specific_credential": "service-specific credentials (CodeCommit, Keyspaces)",
    "aws_iam_virtual_mfa_device": "an MFA device is only created; enabling it needs codes",
    "aws_iam_security_token_service_preferences": "the global STS endpoint's token version",
}
# Modelled as unresolved, with what they touch.
UNMODELLED_TOUCHES: Mapping[str, tuple[Source, ...]] = {
    "aws_iam_server_certificate": (Source.SERVER_CERTIFICATES,),
}


# --- computed attributes of planned resources (for references) -----------------------------------


def _entity_attributes(kind: str) -> Callable[[Instance, str], Value]:
    def compute(instance: Instance, attribute: str) -> Value:
        values = instance.values
        name = values.name(instance)
        if attribute in ("name", "id") and kind != "policy":
            return name
        if attribute in ("arn",) or (attribute == "id" and kind == "policy"):
            return values.account.arn(kind, str(name), values.path(instance))
        return placeholder("", f"{instance.change.address}.{attribute}")

    return compute


def _provider_attributes(kind: str, key: str) -> Callable[[Instance, str], Value]:
    def compute(instance: Instance, attribute: str) -> Value:
        value = instance.get(key)
        if attribute in ("arn", "id") and isinstance(value, str) and value:
            name = value.split("://", 1)[-1] if kind == "oidc-provider" else value
            return instance.values.account.provider_arn(kind, name)
        return Unknown(f"{instance.change.address}.{attribute}")

    return compute


def _policy_document_attributes(instance: Instance, attribute: str) -> Value:
    if attribute not in ("json", "minified_json"):
        return placeholder("", f"{instance.change.address}.{attribute}")
    rendered = render(instance)
    instance.values.notes.extend((instance.change.address, n) for n in rendered.assumptions)
    if rendered.document is None:
        return Unknown(f"{instance.change.address}.json ({rendered.why})")
    return json.dumps(rendered.document)


def _caller_attributes(instance: Instance, attribute: str) -> Value:
    account = instance.values.account
    return {"account_id": account.id, "id": account.id}.get(
        attribute, Unknown(f"{instance.change.address}.{attribute}")
    )


def _partition_attributes(instance: Instance, attribute: str) -> Value:
    account = instance.values.account
    return account.partition if attribute in ("partition", "id") else Unknown(attribute)


COMPUTED: Mapping[str, Callable[[Instance, str], Value]] = {
    "aws_iam_user": _entity_attributes("user"),
    "aws_iam_group": _entity_attributes("group"),
    "aws_iam_role": _entity_attributes("role"),
    "aws_iam_policy": _entity_attributes("policy"),
    "aws_iam_instance_profile": _entity_attributes("instance-profile"),
    "aws_iam_openid_connect_provider": _provider_attributes("oidc-provider", "url"),
    "aws_iam_saml_provider": _provider_attributes("saml-provider", "name"),
    "data.aws_iam_policy_document": _policy_document_attributes,
    "data.aws_caller_identity": _caller_attributes,
    "data.aws_partition": _partition_attributes,
}


# --- the plan ------------------------------------------------------------------------------------


def terraform_changes(plan: TerraformPlan, account: Account) -> ChangeSet:
    """What ``plan`` does to IAM, in the plan's order (``plan.apply`` orders it as IAM must)."""
    values = Values(plan, account, COMPUTED)
    ops: list[Op] = []
    counted = 0
    for change in plan.changes:
        if change.mode != "managed" or not change.type.startswith("aws_iam_"):
            continue
        acts = set(change.actions)
        if acts <= {"no-op", "read", "forget"}:
            continue
        counted += 1
        ops.extend(_resource_ops(change, values, account))
    return ChangeSet(plan.source, tuple(ops), counted)


def _resource_ops(change: PlannedChange, values: Values, account: Account) -> list[Op]:
    origin = Origin(change.address + (f" (deposed {change.deposed})" if change.deposed else ""))
    mapper = TYPES.get(change.type)
    if mapper is None:
        if change.type in NO_EFFECT:
            return []
        touches = UNMODELLED_TOUCHES.get(change.type, AUTH)
        return [Unresolved(origin, f"{change.type} is not modelled by iamgate plan", touches)]
    resource = Resource(change, values, account, origin)
    acts = set(change.actions)
    ops: list[Op] = []
    try:
        if "delete" in acts:
            ops.extend(mapper.delete(resource))
        if acts & {"create", "update"}:
            ops.extend(mapper.put(resource))
    except Unresolvable as exc:
        return [Unresolved(origin, str(exc), mapper.touches, _subject(resource))]
    notes = [note for address, note in values.notes]
    values.notes.clear()
    subject = _subject(resource)
    return [*ops, *(Assumed(origin, note, subject) for note in dict.fromkeys(notes))]


def _subject(r: Resource) -> str:
    """The ARN the resource is about, when it can be told (for attributing findings)."""
    for kind in ("role", "user", "group"):
        name = r.change.after.get(kind) if r.change.after else None
        if r.change.type == f"aws_iam_{kind}":
            name = r.values.name(r.instance)
        if isinstance(name, str) and name and "(" not in name[:1]:
            return r.account.arn(kind, name)
    return ""
