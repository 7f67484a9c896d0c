"""A CloudFormation template -> the changes deploying it makes to IAM (``model/change.py``).

A template says what a stack holds, not how it differs from what is deployed: every resource
whose ``Condition`` holds is created, or updated when an entity of that name is already in the
account. One row per resource type in :data:`TYPES`, after the ``AWS::IAM::*`` reference
(https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/AWS_IAM.html); its
``Ref`` and ``Fn::GetAtt`` values are in :data:`ATTRIBUTES`. Not modelled: resources an earlier
version of the template held and this one drops (the template alone cannot say them), nested
stacks (plan their templates too), custom resources.

Every ``AWS::IAM::*`` type not in the table is unresolved: an ``error`` for the checks of what
it touches, never a silent pass.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from iamgate.formats.cloudformation import Template, TemplateResource
from iamgate.model.change import (
    AccessKey,
    Assumed,
    Attach,
    ChangeSet,
    LoginProfile,
    Membership,
    Op,
    PrincipalKind,
    PutGroup,
    PutInline,
    PutPolicy,
    PutRole,
    PutUser,
    Unresolved,
)
from iamgate.model.results import Origin
from iamgate.model.snapshot import Snapshot, Source
from iamgate.plan.cfn_existing import Existing, Listed, unlisted
from iamgate.plan.cfn_intrinsics import NO_VALUE, Evaluator, Stack, Where
from iamgate.plan.names import normal_path, placeholder

_AUTH = (Source.AUTHORIZATION_DETAILS,)


@dataclass
class _Resource:
    """One resource of the template, its properties evaluated on demand."""

    ev: Evaluator
    resource: TemplateResource
    origin: Origin
    snapshot: Snapshot
    existing: Existing

    @property
    def where(self) -> Where:
        return Where(self.resource.logical_id, self.resource.line)

    def get(self, key: str) -> Any:
        raw = self.resource.properties.get(key)
        if raw is None:
            return None
        value = self.ev.evaluate(raw, self.where)
        return None if value is NO_VALUE else value

    def text(self, key: str, required: bool = True) -> str | None:
        value = self.get(key)
        if value is None and not required:
            return None
        if not isinstance(value, str | int) or isinstance(value, bool) or value == "":
            raise self.ev.fail(f"{key}: expected a string", self.where)
        return str(value)

    def texts(self, key: str) -> tuple[str, ...]:
        value = self.get(key)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.ev.fail(f"{key}: expected a list of strings", self.where)
        return tuple(value)

    def document(self, value: Any, what: str) -> Mapping[str, Any]:
        if isinstance(value, str):  # a policy document may be given as JSON text
            try:
                value = json.loads(value)
            except json.JSONDecodeError as exc:
                raise self.ev.fail(
                    f"{what}: not a JSON policy document: {exc.msg}", self.where
                ) from None
        if not isinstance(value, dict):
            raise self.ev.fail(f"{what}: expected a policy document", self.where)
        return value

    def inline_policies(self, kind: PrincipalKind, principal: str) -> list[Op]:
        ops: list[Op] = []
        policies = self.get("Policies") or []
        if not isinstance(policies, list):
            raise self.ev.fail("Policies: expected a list", self.where)
        for i, policy in enumerate(policies):
            if not isinstance(policy, dict) or not isinstance(policy.get("PolicyName"), str):
                raise self.ev.fail(
                    f"Policies[{i}]: expected PolicyName and PolicyDocument", self.where
                )
            document = self.document(policy.get("PolicyDocument"), f"Policies[{i}].PolicyDocument")
            ops.append(PutInline(self.origin, kind, principal, policy["PolicyName"], document))
        return ops

    def attachments(self, kind: PrincipalKind, principal: str) -> list[Op]:
        return [
            Attach(self.origin, kind, principal, arn) for arn in self.texts("ManagedPolicyArns")
        ]

    def declared(self, kind: PrincipalKind, name: str, ops: list[Op]) -> list[Op]:
        """``ops`` (the principal and what it lists), then, when the principal is already in
        the account, what it holds and the template does not list (``plan/cfn_existing.py``)."""
        listed = Listed.of(
            self.texts("ManagedPolicyArns"),
            (op.name for op in ops if isinstance(op, PutInline)),
            self.texts("Groups") if kind == "user" else (),
        )
        return [*ops, *unlisted(self.existing, self.origin, kind, name, listed)]


def name_of(ev: Evaluator, resource: TemplateResource, key: str) -> str:
    """The resource's name property, or the name CloudFormation generates for it."""
    raw = resource.properties.get(key)
    if raw is None:
        return ev.generated_name(resource)
    value = ev.evaluate(raw, Where(resource.logical_id, resource.line))
    if not isinstance(value, str) or not value:
        raise ev.fail(f"{key}: expected a name", Where(resource.logical_id, resource.line))
    return value


def path_of(ev: Evaluator, resource: TemplateResource) -> str:
    raw = resource.properties.get("Path")
    if raw is None:
        return "/"
    return normal_path(ev.evaluate(raw, Where(resource.logical_id, resource.line)))


# --- resource types ------------------------------------------------------------------------------


def _role(r: _Resource) -> list[Op]:
    name = name_of(r.ev, r.resource, "RoleName")
    trust = r.document(r.get("AssumeRolePolicyDocument"), "AssumeRolePolicyDocument")
    role = PutRole(
        r.origin, name, trust, path_of(r.ev, r.resource), r.text("PermissionsBoundary", False)
    )
    return r.declared(
        "role", name, [role, *r.inline_policies("role", name), *r.attachments("role", name)]
    )


def _user(r: _Resource) -> list[Op]:
    name = name_of(r.ev, r.resource, "UserName")
    user = PutUser(r.origin, name, path_of(r.ev, r.resource), r.text("PermissionsBoundary", False))
    ops: list[Op] = [user, *r.inline_policies("user", name), *r.attachments("user", name)]
    ops += [Membership(r.origin, name, group) for group in r.texts("Groups")]
    if r.get("LoginProfile") is not None:
        ops.append(LoginProfile(r.origin, name))
    return r.declared("user", name, ops)


def _group(r: _Resource) -> list[Op]:
    name = name_of(r.ev, r.resource, "GroupName")
    group = PutGroup(r.origin, name, path_of(r.ev, r.resource))
    ops = [group, *r.inline_policies("group", name), *r.attachments("group", name)]
    return r.declared("group", name, ops)


def _managed_policy(r: _Resource) -> list[Op]:
    arn = _managed_policy_arn(r.ev, r.resource)
    name = arn.rsplit("/", 1)[-1]
    document = r.document(r.get("PolicyDocument"), "PolicyDocument")
    ops: list[Op] = [PutPolicy(r.origin, arn, name, document)]
    for key, kind in (("Users", "user"), ("Groups", "group"), ("Roles", "role")):
        ops += [Attach(r.origin, kind, principal, arn) for principal in r.texts(key)]  # type: ignore[arg-type]
    return ops


def _managed_policy_arn(ev: Evaluator, resource: TemplateResource) -> str:
    name = name_of(ev, resource, "ManagedPolicyName")
    return ev.stack.account.arn("policy", name, path_of(ev, resource))


def _policy(r: _Resource) -> list[Op]:
    """``AWS::IAM::Policy``: one inline policy, put into each of its users, groups and roles."""
    name = str(r.text("PolicyName"))
    document = r.document(r.get("PolicyDocument"), "PolicyDocument")
    ops: list[Op] = []
    for key, kind in (("Users", "user"), ("Groups", "group"), ("Roles", "role")):
        ops += [PutInline(r.origin, kind, p, name, document) for p in r.texts(key)]  # type: ignore[arg-type]
    return ops


def _inline(kind: PrincipalKind, key: str) -> Callable[[_Resource], list[Op]]:
    def put(r: _Resource) -> list[Op]:
        document = r.document(r.get("PolicyDocument"), "PolicyDocument")
        return [PutInline(r.origin, kind, str(r.text(key)), str(r.text("PolicyName")), document)]

    return put


def _user_to_group(r: _Resource) -> list[Op]:
    group = str(r.text("GroupName"))
    return [Membership(r.origin, user, group) for user in r.texts("Users")]


def _access_key(r: _Resource) -> list[Op]:
    """A new key, unless the user is already in the account with a key: a template does not
    say whether it is deployed, and counting a deployed key twice would invent a finding."""
    user = str(r.text("UserName"))
    active = r.get("Status") != "Inactive"
    existing = next((u for u in r.snapshot.users if u.name == user), None)
    row = next(
        (x for x in r.snapshot.credential_report if existing and x.arn == existing.arn), None
    )
    if row is not None and any(isinstance(k.last_rotated, datetime) for k in row.keys):
        note = (
            f"{r.resource.logical_id}: user {user} already has an access key; taken to be this "
            "one (a template does not say whether it is deployed)"
        )
        return [Assumed(r.origin, note)]
    return [AccessKey(r.origin, user, active)]


def _nothing(_r: _Resource) -> list[Op]:
    return []


def _nested_stack(r: _Resource) -> list[Op]:
    note = (
        f"{r.resource.logical_id}: nested stack not read; plan its template too (--cloudformation)"
    )
    return [Assumed(r.origin, note)]


TYPES: Mapping[str, Callable[[_Resource], list[Op]]] = {
    "AWS::IAM::Role": _role,
    "AWS::IAM::User": _user,
    "AWS::IAM::Group": _group,
    "AWS::IAM::ManagedPolicy": _managed_policy,
    "AWS::IAM::Policy": _policy,
    "AWS::IAM::RolePolicy": _inline("role", "RoleName"),
    "AWS::IAM::UserPolicy": _inline("user", "UserName"),
    "AWS::IAM::GroupPolicy": _inline("group", "GroupName"),
    "AWS::IAM::UserToGroupAddition": _user_to_group,
    "AWS::IAM::AccessKey": _access_key,
    # Reference targets only: no check reads providers or instance profiles.
    "AWS::IAM::InstanceProfile": _nothing,
    "AWS::IAM::OIDCProvider": _nothing,
    "AWS::IAM::SAMLProvider": _nothing,
    "AWS::CloudFormation::Stack": _nested_stack,
}
UNMODELLED_TOUCHES: Mapping[str, tuple[Source, ...]] = {
    "AWS::IAM::ServerCertificate": (Source.SERVER_CERTIFICATES,),
    "AWS::IAM::VirtualMFADevice": (Source.CREDENTIAL_REPORT, Source.VIRTUAL_MFA_DEVICES),
}


# --- Ref and Fn::GetAtt of IAM resources ---------------------------------------------------------


def _principal_attributes(kind: str, key: str) -> Callable[[Evaluator, TemplateResource, str], Any]:
    def compute(ev: Evaluator, resource: TemplateResource, attribute: str) -> Any:
        name = name_of(ev, resource, key)
        if attribute == "":
            return name
        if attribute == "Arn":
            return ev.stack.account.arn(kind, name, path_of(ev, resource))
        return placeholder("", f"{resource.logical_id}.{attribute}")

    return compute


def _managed_policy_attributes(ev: Evaluator, resource: TemplateResource, attribute: str) -> Any:
    if attribute in ("", "PolicyArn"):
        return _managed_policy_arn(ev, resource)
    return placeholder("", f"{resource.logical_id}.{attribute}")


def _provider_attributes(kind: str, key: str) -> Callable[[Evaluator, TemplateResource, str], Any]:
    def compute(ev: Evaluator, resource: TemplateResource, attribute: str) -> Any:
        if attribute not in ("", "Arn"):
            return placeholder("", f"{resource.logical_id}.{attribute}")
        if kind == "saml-provider":
            name = name_of(ev, resource, key)
        else:
            url = ev.evaluate(
                resource.properties.get(key), Where(resource.logical_id, resource.line)
            )
            name = str(url).split("://", 1)[-1]
        return ev.stack.account.provider_arn(kind, name)

    return compute


ATTRIBUTES: Mapping[str, Callable[[Evaluator, TemplateResource, str], Any]] = {
    "AWS::IAM::Role": _principal_attributes("role", "RoleName"),
    "AWS::IAM::User": _principal_attributes("user", "UserName"),
    "AWS::IAM::Group": _principal_attributes("group", "GroupName"),
    "AWS::IAM::InstanceProfile": _principal_attributes("instance-profile", "InstanceProfileName"),
    "AWS::IAM::ManagedPolicy": _managed_policy_attributes,
    "AWS::IAM::OIDCProvider": _provider_attributes("oidc-provider", "Url"),
    "AWS::IAM::SAMLProvider": _provider_attributes("saml-provider", "Name"),
}


# --- the template --------------------------------------------------------------------------------


def cloudformation_changes(template: Template, stack: Stack, snapshot: Snapshot) -> ChangeSet:
    """What deploying ``template`` as ``stack`` does to IAM."""
    ev = Evaluator(template, stack, ATTRIBUTES)
    existing = Existing.of(snapshot)
    ops: list[Op] = []
    counted = 0
    for resource in template.resources:
        origin = Origin(resource.logical_id, template.source, resource.line)
        iam = resource.type.startswith("AWS::IAM::")
        if not (iam or resource.type in TYPES) or not ev.included(resource):
            continue
        counted += 1
        make = TYPES.get(resource.type)
        if make is None:
            touches = UNMODELLED_TOUCHES.get(resource.type, _AUTH)
            ops.append(
                Unresolved(origin, f"{resource.type} is not modelled by iamgate plan", touches)
            )
            continue
        ops.extend(make(_Resource(ev, resource, origin, snapshot, existing)))
        ops.extend(Assumed(origin, note) for note in ev.notes)
        ev.notes.clear()
    return ChangeSet(template.source, tuple(ops), counted)
