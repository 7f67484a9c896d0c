"""Machine-readable results (``results.json``), the input of ``merge`` and ``baseline prune``.

Findings are written one per line: readable, diffable, and fast (the C JSON encoder is used for
each line; an indented dump of 100,000 findings would go through the slow pure-Python one).
"""

from __future__ import annotations

import json
from typing import Any

from iamgate.gate import Verdict
from iamgate.model import ExceptionRef, Finding
from iamgate.snapshot import CollectionError, format_time, to_jsonable

RESULTS_SCHEMA_VERSION = 1


def exception_json(e: ExceptionRef) -> dict[str, Any]:
    return {
        "check": e.check,
        "resource": e.resource,
        "reason": e.reason,
        "owner": e.owner,
        "expires": e.expires.isoformat(),
        "ticket": e.ticket,
        "source": e.source,
    }


def finding_json(f: Finding) -> dict[str, Any]:
    data: dict[str, Any] = {
        "account_id": f.account_id,
        "check": f.check,
        "resource": f.resource,
        "resource_type": f.resource_type,
        # StrEnum members are str: json writes their value (``.value`` is a slow descriptor).
        "status": f.status,
        "severity": f.severity,
        "title": f.title,
        "message": f.message,
    }
    if f.exception is not None:
        data["exception"] = exception_json(f.exception)
    return data


def error_json(e: CollectionError) -> dict[str, Any]:
    data: dict[str, Any] = to_jsonable(e)
    if not data["account_id"]:  # single-account output keeps its shape
        del data["account_id"]
    return data


def account_json(v: Verdict) -> dict[str, Any]:
    return {
        "account_id": v.account_id,
        "verdict": v.status,
        "exit_code": int(v.exit_code),
        "allow_partial": v.allow_partial,
        "counts": v.counts,
        "notes": list(v.notes),
        "stale_exceptions": [exception_json(e) for e in v.stale],
        "errors": [error_json(e) for e in v.collection_errors],
    }


def render_json(verdict: Verdict) -> str:
    head: dict[str, Any] = {
        "schema_version": RESULTS_SCHEMA_VERSION,
        "tool_version": verdict.tool_version,
        "account_id": verdict.account_id,
        "generated_at": format_time(verdict.generated_at),
        "as_of": verdict.today.isoformat(),
        "verdict": verdict.status,
        "exit_code": int(verdict.exit_code),
        "fail_on": verdict.fail_on.value,
        "allow_partial": verdict.allow_partial,
        "expiring_within_days": verdict.expiring_within_days,
        "counts": verdict.counts,
        "checks": list(verdict.checks),
        "notes": list(verdict.notes),
        "stale_exceptions": [exception_json(e) for e in verdict.stale],
        "errors": [error_json(e) for e in verdict.collection_errors],
    }
    if verdict.accounts:  # several accounts: each one's verdict, enough for `merge`
        head["accounts"] = [account_json(a) for a in verdict.accounts]
    lines = json.dumps(head, indent=1, ensure_ascii=False)[:-2]  # reopen the object
    findings = ",\n  ".join(
        json.dumps(finding_json(f), ensure_ascii=False) for f in verdict.findings
    )
    return (
        f'{lines},\n "findings": [\n  {findings}\n ]\n}}\n'
        if findings
        else f'{lines},\n "findings": []\n}}\n'
    )
