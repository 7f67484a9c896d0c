"""The ``aws_iam_policy_document`` data source, rendered as the AWS provider renders it, for the
documents a plan could not render itself (their inputs are known only after apply).

The provider's rendering
(https://registry.terraform.io/providers/hashicorp/aws/latest/docs/data-sources/iam_policy_document):
``source_policy_documents`` first, then this document's ``statement`` blocks (a statement whose
``sid`` is already there replaces it), then ``override_policy_documents`` (replacing by ``sid``,
or appended); ``effect`` defaults to ``Allow``; ``principals``/``not_principals`` of type ``*``
with identifier ``*`` are ``"*"``; each ``condition`` block is
``{test: {variable: values}}``.

A value still unknown after tracing (``tf_values``) is read conservatively, and said so: in an
``Allow`` statement an unknown action, resource or principal is ``*`` and an unknown condition
is dropped (an Allow grants); a ``Deny`` statement holding an unknown value is dropped (a Deny
removes nothing).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from iamgate.plan.tf_values import Instance, Unknown, is_unknown

VERSION = "2012-10-17"
_LISTS = {
    "actions": "Action",
    "not_actions": "NotAction",
    "resources": "Resource",
    "not_resources": "NotResource",
}


@dataclass
class Rendered:
    document: dict[str, Any] | None  # None: could not be rendered (a source document unknown)
    assumptions: list[str] = field(default_factory=list)
    why: str = ""


def render(instance: Instance) -> Rendered:
    """The document ``instance`` (a ``data.aws_iam_policy_document``) renders to."""
    out = Rendered(None)
    statements: list[dict[str, Any]] = []
    for key in ("source_policy_documents", "source_json"):
        if not _merge_documents(instance, key, statements, out, override=False):
            return out
    blocks = instance.get("statement")
    count = len(blocks) if isinstance(blocks, list) else 0
    for i in range(count):
        statement = _statement(instance, i, out)
        if statement is not None:
            _put(statements, statement)
    for key in ("override_policy_documents", "override_json"):
        if not _merge_documents(instance, key, statements, out, override=True):
            return out
    document: dict[str, Any] = {"Version": _text(instance.get("version")) or VERSION}
    policy_id = instance.get("policy_id")
    if isinstance(policy_id, str) and policy_id:
        document["Id"] = policy_id
    document["Statement"] = statements
    out.document = document
    return out


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _put(statements: list[dict[str, Any]], statement: dict[str, Any]) -> None:
    sid = statement.get("Sid")
    for i, old in enumerate(statements):
        if sid and old.get("Sid") == sid:
            statements[i] = statement
            return
    statements.append(statement)


def _merge_documents(
    instance: Instance, key: str, statements: list[dict[str, Any]], out: Rendered, override: bool
) -> bool:
    value = instance.get(key)
    if is_unknown(value):
        out.why = value.describe()
        return False
    texts = value if isinstance(value, list) else [value] if isinstance(value, str) else []
    for i, text in enumerate(texts):
        if is_unknown(text) or not isinstance(text, str):
            out.why = f"{key}[{i}] is known only after apply"
            return False
        try:
            document = json.loads(text) if text else {}
        except json.JSONDecodeError as exc:
            out.why = f"{key}[{i}] is not JSON: {exc.msg}"
            return False
        found = document.get("Statement", []) if isinstance(document, dict) else []
        for statement in found if isinstance(found, list) else [found]:
            if isinstance(statement, dict):
                if override:
                    _put(statements, statement)
                elif not any(s.get("Sid") == statement.get("Sid") for s in statements):
                    statements.append(statement)
    return True


def _statement(instance: Instance, index: int, out: Rendered) -> dict[str, Any] | None:
    where = f"statement {index + 1} of {instance.change.address}"
    effect = instance.get("statement", index, "effect")
    if is_unknown(effect):
        out.assumptions.append(f"{where}: its effect is known only after apply; read as Allow")
        effect = "Allow"
    deny = effect == "Deny"
    statement: dict[str, Any] = {"Effect": "Deny" if deny else "Allow"}
    sid = instance.get("statement", index, "sid")
    if isinstance(sid, str) and sid:
        statement["Sid"] = sid
    unknowns: list[str] = []
    for key, element in _LISTS.items():
        values = _list(instance, ("statement", index, key), unknowns, deny, key.startswith("not_"))
        if values is not None:
            statement[element] = values
    for key, element in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
        principals = _principals(instance, index, key, unknowns, deny)
        if principals is not None:
            statement[element] = principals
    conditions = _conditions(instance, index, unknowns, deny)
    if conditions:
        statement["Condition"] = conditions
    if unknowns and deny:
        out.assumptions.append(
            f"{where}: a Deny holding values known only after apply ({'; '.join(unknowns)}) is "
            "left out (a Deny removes nothing)"
        )
        return None
    if unknowns:
        out.assumptions.append(
            f"{where}: {'; '.join(unknowns)} known only after apply: read as granting "
            "(an Allow grants)"
        )
    return statement


def _list(
    instance: Instance, path: tuple[Any, ...], unknowns: list[str], deny: bool, negated: bool
) -> list[Any] | None:
    values = instance.get(*path)
    if values is None:
        return None
    if isinstance(values, Unknown):
        unknowns.append(values.describe())
        return None if negated or deny else ["*"]
    out = []
    for i, item in enumerate(values if isinstance(values, list) else [values]):
        if isinstance(item, Unknown) or item is None:
            item = instance.get(*path, i) if item is None else item
        if isinstance(item, Unknown):
            unknowns.append(item.describe())
            if not negated and not deny:
                out.append("*")
        else:
            out.append(item)
    return out if out or not negated else None


def _principals(instance: Instance, index: int, key: str, unknowns: list[str], deny: bool) -> Any:
    blocks = instance.get("statement", index, key)
    if isinstance(blocks, Unknown):
        unknowns.append(blocks.describe())
        return None if deny or key.startswith("not_") else "*"
    if not isinstance(blocks, list) or not blocks:
        return None
    found: dict[str, list[Any]] = {}
    for j in range(len(blocks)):
        kind = instance.get("statement", index, key, j, "type")
        identifiers = _list(
            instance, ("statement", index, key, j, "identifiers"), unknowns, deny, False
        )
        if is_unknown(kind) or not isinstance(kind, str):
            unknowns.append(f"{key}[{j}].type")
            kind = "AWS"
        found.setdefault(kind, []).extend(identifiers or [])
    if list(found) == ["*"] and found["*"] in (["*"], []):
        return "*"
    return {kind: ids[0] if len(ids) == 1 else ids for kind, ids in found.items()}


def _conditions(
    instance: Instance, index: int, unknowns: list[str], deny: bool
) -> dict[str, dict[str, Any]]:
    blocks = instance.get("statement", index, "condition")
    if isinstance(blocks, Unknown):
        unknowns.append(blocks.describe())
        return {}
    out: dict[str, dict[str, Any]] = {}
    for j in range(len(blocks) if isinstance(blocks, list) else 0):
        at = ("statement", index, "condition", j)
        parts = [instance.get(*at, k) for k in ("test", "variable")]
        values = instance.get(*at, "values")
        items: Sequence[Any] = values if isinstance(values, list) else [values]
        items = [instance.get(*at, "values", k) if v is None else v for k, v in enumerate(items)]
        missing = [p for p in (*parts, values, *items) if is_unknown(p)]
        if missing:
            unknowns.append(f"the condition {j + 1} ({missing[0].describe()})")
            continue  # an Allow without it grants more; a Deny holding it is dropped
        test, variable = (str(p) for p in parts)
        out.setdefault(test, {})[variable] = list(items)
    return out
