"""IAM Access Analyzer findings: the API's shapes (ListFindingsV2, GetFindingV2, v1 ListFindings)
and the files users export (``--access-analyzer-findings FILE.json``), read into one type.

Accepted shapes: the output of ``aws accessanalyzer list-findings-v2`` (or ``list-findings``):
``{"findings": [...]}``; and the console's export, a JSON list of finding objects. Field names
follow the service model (``id``, ``resource``, ``resourceType``, ``status``, ``findingType``,
``principal``, ``action``, ``isPublic``, ``findingDetails``); they are read defensively, since the
console's export is not a documented format. Only ACTIVE findings count (an archived finding is
out of the gate, as in the console), and a finding without an ``id`` is bad input.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from iamgate.errors import InputError
from iamgate.formats.files import read_json
from iamgate.model.snapshot import AnalyzerFinding, AnalyzerRegion


def _text_principal(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(k): str(v) for k, v in value.items()}


def finding_from_api(item: dict[str, Any], analyzer_arn: str = "") -> AnalyzerFinding:
    """A finding from ListFindingsV2 / GetFindingV2, the v1 ListFindings shape, or the console.

    Fields are read defensively: the console export and the two API versions differ in which
    ones they carry (v1 and the console have ``principal``/``action``/``isPublic`` at the top;
    v2 has them under ``findingDetails[].externalAccessDetails``).
    """
    principal = _text_principal(item.get("principal"))
    actions = [str(a) for a in item.get("action") or [] if isinstance(a, str)]
    public = item.get("isPublic")
    unused: list[str] = []
    for details in item.get("findingDetails") or []:
        if not isinstance(details, dict):
            continue
        ext = details.get("externalAccessDetails")
        if isinstance(ext, dict):
            principal.update(_text_principal(ext.get("principal")))
            actions.extend(str(a) for a in ext.get("action") or [])
            if isinstance(ext.get("isPublic"), bool):
                public = ext["isPublic"]
        perm = details.get("unusedPermissionDetails")
        if isinstance(perm, dict):
            names = [
                str(a.get("action"))
                for a in perm.get("actions") or []
                if isinstance(a, dict) and a.get("action")
            ]
            service = str(perm.get("serviceNamespace", "?"))
            unused.append(f"{service}: {', '.join(names)}" if names else f"{service} (all)")
    finding_type = str(item.get("findingType") or "ExternalAccess")
    return AnalyzerFinding(
        id=str(item.get("id", "")),
        resource=str(item.get("resource") or ""),
        resource_type=str(item.get("resourceType") or "unknown"),
        finding_type=finding_type,
        status=str(item.get("status") or "ACTIVE"),
        analyzer_arn=analyzer_arn or str(item.get("analyzerArn") or ""),
        resource_owner_account=str(item.get("resourceOwnerAccount") or ""),
        principal=principal,
        actions=tuple(dict.fromkeys(actions)),
        is_public=public if isinstance(public, bool) else None,
        detail="; ".join(unused),
    )


# The members read from a finding, and their types: a field of another type is bad input,
# never a crash and never a value silently dropped. Members not listed are not read.
_TEXT: Any = str
_SHAPE: dict[str, Any] = {
    "id": _TEXT,
    "resource": _TEXT,
    "resourceType": _TEXT,
    "status": _TEXT,
    "findingType": _TEXT,
    "analyzerArn": _TEXT,
    "resourceOwnerAccount": _TEXT,
    "principal": {"*": _TEXT},
    "action": [_TEXT],
    "isPublic": bool,
    "findingDetails": [
        {
            "externalAccessDetails": {
                "principal": {"*": _TEXT},
                "action": [_TEXT],
                "isPublic": bool,
            },
            "unusedPermissionDetails": {"serviceNamespace": _TEXT, "actions": [{"action": _TEXT}]},
        }
    ],
}
_KINDS = {str: "a string", bool: "true or false"}


def _problem(shape: Any, value: Any, where: str) -> str | None:
    """Where ``value`` does not have ``shape`` (None: it does; null is always allowed)."""
    if value is None:
        return None
    if isinstance(shape, type):
        return None if isinstance(value, shape) else f"{where}: expected {_KINDS[shape]}"
    if isinstance(shape, list):
        if not isinstance(value, list):
            return f"{where}: expected a list"
        return next(
            (p for i, v in enumerate(value) if (p := _problem(shape[0], v, f"{where}[{i}]"))),
            None,
        )
    if not isinstance(value, dict):
        return f"{where}: expected an object"
    if "*" in shape:
        items = ((k, v, shape["*"]) for k, v in value.items())
    else:
        items = ((k, value[k], sub) for k, sub in shape.items() if k in value)
    return next((p for k, v, sub in items if (p := _problem(sub, v, f"{where}.{k}"))), None)


def load_findings_file(path: Path) -> AnalyzerRegion:
    name = str(path)
    data: Any = read_json(path, "Access Analyzer findings")
    if isinstance(data, dict) and isinstance(data.get("findings"), list):
        items = data["findings"]
    elif isinstance(data, list):
        items = data
    else:
        raise InputError(
            'expected {"findings": [...]} (aws accessanalyzer list-findings-v2) or a list of '
            "findings (the console's export)",
            name,
        )
    findings = []
    for i, raw in enumerate(items):
        # Tolerate "ResourceType"-style keys as well as the model's "resourceType".
        item = {k[:1].lower() + k[1:]: v for k, v in raw.items()} if isinstance(raw, dict) else raw
        if not isinstance(item, dict) or not item.get("id"):
            raise InputError(f"finding #{i + 1} is not an object with an 'id'", name)
        problem = _problem(_SHAPE, item, f"finding #{i + 1}")
        if problem is not None:
            raise InputError(problem, name)
        if not item.get("resource") and not item.get("resourceType"):
            raise InputError(f"finding #{i + 1} ({item['id']}) names no resource", name)
        finding = finding_from_api(item)
        if finding.status == "ACTIVE":
            findings.append(finding)
    return AnalyzerRegion(region="export", findings=tuple(findings), export=name)
