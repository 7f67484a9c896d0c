"""``--access-analyzer-findings FILE.json``: findings exported by hand, gated like collected ones.

Accepted shapes: the output of ``aws accessanalyzer list-findings-v2`` (or ``list-findings``):
``{"findings": [...]}``; and the console's export, a JSON list of finding objects. Field names
follow the service model (``id``, ``resource``, ``resourceType``, ``status``, ``findingType``,
``principal``, ``action``, ``isPublic``, ``findingDetails``); they are read defensively, since the
console's export is not a documented format. Only ACTIVE findings count (an archived finding is
out of the gate, as in the console), and a finding without an ``id`` is bad input.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from iamgate.collect_analyzer import finding_from_api
from iamgate.errors import InputError
from iamgate.snapshot import AnalyzerRegion, Snapshot


def load_findings_file(path: Path) -> AnalyzerRegion:
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("no such file", name) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read Access Analyzer findings: {exc}", name) from None
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON: {exc.msg}", name, exc.lineno) from None
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
        if not item.get("resource") and not item.get("resourceType"):
            raise InputError(f"finding #{i + 1} ({item['id']}) names no resource", name)
        finding = finding_from_api(item)
        if finding.status == "ACTIVE":
            findings.append(finding)
    return AnalyzerRegion(region="export", findings=tuple(findings), export=name)


def with_exported_findings(snapshot: Snapshot, exported: AnalyzerRegion) -> Snapshot:
    """The snapshot with the file's findings added; they replace the collected findings."""
    regions = (*(r for r in snapshot.access_analyzer if not r.export), exported)
    return dataclasses.replace(snapshot, access_analyzer=regions)
