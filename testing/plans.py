"""Terraform plans in the documented JSON shape (``terraform show -json``), built small for tests:
``resource_changes`` entries and the ``configuration`` references that trace unknown values."""

from __future__ import annotations

import json
from typing import Any

from iamgate.formats.terraform_plan import terraform_plan_from_json
from iamgate.model.change import ChangeSet
from iamgate.model.snapshot import Snapshot
from iamgate.plan import Account, apply_changes, terraform_changes

ACCOUNT = "123456789012"
AWS_PROVIDER = "registry.terraform.io/hashicorp/aws"


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action: Any, resource: Any = "*", **more: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **more}


def trust(principal: Any, action: str = "sts:AssumeRole", **more: Any) -> dict[str, Any]:
    return doc({"Effect": "Allow", "Principal": principal, "Action": action, **more})


def change(
    address: str,
    actions: list[str],
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    unknown: Any = None,
    **entry: Any,
) -> dict[str, Any]:
    """One ``resource_changes`` entry; type, name, mode and module come from the address."""
    parts = address.split(".")
    module = ".".join(parts[:-2]) if len(parts) > 2 and parts[0] == "module" else ""
    data = parts[-3] == "data" if len(parts) >= 3 else False
    rtype, name = parts[-2], parts[-1]
    index = None
    if "[" in name:
        name, key = name.split("[", 1)
        key = key.rstrip("]")
        index = json.loads(key)
    if module.endswith(".data"):
        module = module.removesuffix(".data")
    found: dict[str, Any] = {
        "address": address,
        "mode": "data" if data else "managed",
        "type": rtype,
        "name": name,
        "provider_name": AWS_PROVIDER,
        "change": {
            "actions": actions,
            "before": before,
            "after": after,
            "after_unknown": unknown if unknown is not None else {},
            "before_sensitive": False,
            "after_sensitive": {},
        },
    }
    if module:
        found["module_address"] = module
    if index is not None:
        found["index"] = index
    found.update(entry)
    return found


def create(
    address: str, after: dict[str, Any], unknown: Any = None, **entry: Any
) -> dict[str, Any]:
    return change(address, ["create"], None, after, unknown, **entry)


def delete(address: str, before: dict[str, Any], **entry: Any) -> dict[str, Any]:
    return change(address, ["delete"], before, None, **entry)


def update(
    address: str, before: dict[str, Any], after: dict[str, Any], unknown: Any = None
) -> dict[str, Any]:
    return change(address, ["update"], before, after, unknown)


def plan(
    *changes: dict[str, Any],
    resources: list[dict[str, Any]] | None = None,
    module_calls: dict[str, Any] | None = None,
    version: str = "1.2",
) -> dict[str, Any]:
    root: dict[str, Any] = {"resources": resources or []}
    if module_calls:
        root["module_calls"] = module_calls
    return {
        "format_version": version,
        "terraform_version": "1.9.5",
        "planned_values": {"root_module": {}},
        "resource_changes": list(changes),
        "configuration": {"root_module": root},
    }


def refs(address: str, **expressions: Any) -> dict[str, Any]:
    """A configuration resource whose arguments reference other values:
    ``refs("aws_iam_role_policy_attachment.a", policy_arn=["aws_iam_policy.p.arn"])``."""
    rtype, name = address.split(".")[-2:]
    mode = "data" if address.startswith("data.") else "managed"

    def expr(value: Any) -> Any:
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return {"references": value}
        if isinstance(value, list):
            return [expr(v) for v in value]
        if isinstance(value, dict):
            return {k: expr(v) for k, v in value.items()}
        return {"constant_value": value}

    return {
        "address": address,
        "mode": mode,
        "type": rtype,
        "name": name,
        "expressions": {k: expr(v) for k, v in expressions.items()},
    }


def ops_of(data: dict[str, Any], account: str = ACCOUNT) -> ChangeSet:
    return terraform_changes(terraform_plan_from_json(data, "plan.json"), Account(account))


def after_plan(snapshot: Snapshot, data: dict[str, Any]) -> Snapshot:
    return apply_changes(snapshot, [ops_of(data, snapshot.account_id)])


def role_values(name: str, trust_policy: dict[str, Any], **more: Any) -> dict[str, Any]:
    return {
        "name": name,
        "path": "/",
        "assume_role_policy": json.dumps(trust_policy),
        "permissions_boundary": None,
        "description": "",
        "max_session_duration": 3600,
        "force_detach_policies": False,
        **more,
    }


ROLE_UNKNOWN = {
    "arn": True,
    "id": True,
    "unique_id": True,
    "create_date": True,
    "inline_policy": True,
    "managed_policy_arns": True,
    "name_prefix": True,
}
POLICY_UNKNOWN = {
    "arn": True,
    "id": True,
    "policy_id": True,
    "attachment_count": True,
    "name_prefix": True,
}


def changes_between(before: Snapshot, after: Snapshot) -> ChangeSet:
    """The operations that turn ``before`` into ``after`` (IAM entities only), written as a
    plan reader would: what is gone is removed, everything in ``after`` is put, and each
    principal's policies and memberships are set exactly."""
    from iamgate.model.change import (
        ExclusiveAttachments,
        ExclusiveInline,
        Membership,
        Op,
        PutGroup,
        PutInline,
        PutPolicy,
        PutRole,
        PutUser,
        Remove,
    )
    from iamgate.model.results import Origin

    origin = Origin("test")
    ops: list[Op] = []
    for kind, old, new in (
        ("user", before.users, after.users),
        ("group", before.groups, after.groups),
        ("role", before.roles, after.roles),
    ):
        kept = {e.name for e in new}
        ops += [Remove(origin, kind, e.name) for e in old if e.name not in kept]  # type: ignore[arg-type]
    kept_policies = {p.arn for p in after.policies}
    ops += [Remove(origin, "policy", p.arn) for p in before.policies if p.arn not in kept_policies]
    ops += [PutPolicy(origin, p.arn, p.name, p.document) for p in after.policies]
    ops += [PutUser(origin, u.name, u.path, u.permissions_boundary) for u in after.users]
    ops += [PutGroup(origin, g.name, g.path) for g in after.groups]
    ops += [
        PutRole(origin, r.name, r.trust_policy, r.path, r.permissions_boundary) for r in after.roles
    ]
    old_groups = {u.name: set(u.groups) for u in before.users}
    for u in after.users:
        ops += [
            Membership(origin, u.name, g, add=False)
            for g in old_groups.get(u.name, set()) - set(u.groups)
        ]
        ops += [Membership(origin, u.name, g) for g in u.groups]
    for kind, entities in (("user", after.users), ("group", after.groups), ("role", after.roles)):
        for e in entities:
            arns = tuple(a.arn for a in e.attached)
            ops.append(ExclusiveAttachments(origin, kind, e.name, arns))  # type: ignore[arg-type]
            ops += [PutInline(origin, kind, e.name, p.name, p.document) for p in e.inline]  # type: ignore[arg-type]
            ops.append(ExclusiveInline(origin, kind, e.name, tuple(p.name for p in e.inline)))  # type: ignore[arg-type]
    return ChangeSet("test", tuple(ops), len(ops))
