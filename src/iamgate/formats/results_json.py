"""``results.json``: the machine-readable results, written and read here only.

Written by every run; read back by ``merge``, ``baseline init``/``prune`` and the Action's
outputs. Reading rebuilds the per-account ``Verdict``s the file was rendered from and checks that
its counts and verdicts match its findings, so an edited or damaged file is bad input, not a
different answer.

Findings are written one per line: readable, diffable, and fast (the C JSON encoder is used for
each line; an indented dump of 100,000 findings would go through the slow pure-Python one).
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from pathlib import Path
from typing import Any

from iamgate.errors import InputError
from iamgate.formats.files import read_json
from iamgate.formats.times import format_time, parse_time
from iamgate.model.results import (
    ExceptionRef,
    Finding,
    Severity,
    SinceLastRun,
    Status,
    Verdict,
    count_statuses,
)
from iamgate.model.snapshot import CollectionError

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
    data: dict[str, Any] = dataclasses.asdict(e)
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


def change_json(f: Finding) -> dict[str, Any]:
    return {
        "account_id": f.account_id,
        "check": f.check,
        "resource": f.resource,
        "severity": f.severity,
        "status": f.status,
    }


def since_json(since: SinceLastRun) -> dict[str, Any]:
    """What changed since the previous run (``--previous``). Written, never read back: it is
    derived from two runs, and ``merge`` compares the merged run anew."""
    return {
        "previous_generated_at": format_time(since.previous_generated_at),
        "appeared": [change_json(f) for f in since.appeared],
        "fixed": [change_json(f) for f in since.fixed],
        "accepted": [change_json(f) for f in since.accepted],
    }


def render_results(verdict: Verdict) -> str:
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
    if verdict.since is not None:  # only with --previous: other runs keep their exact shape
        head["since_last_run"] = since_json(verdict.since)
    lines = json.dumps(head, indent=1, ensure_ascii=False)[:-2]  # reopen the object
    findings = ",\n  ".join(
        json.dumps(finding_json(f), ensure_ascii=False) for f in verdict.findings
    )
    return (
        f'{lines},\n "findings": [\n  {findings}\n ]\n}}\n'
        if findings
        else f'{lines},\n "findings": []\n}}\n'
    )


# --- reading ----------------------------------------------------------------------------------


def _exception(e: dict[str, Any]) -> ExceptionRef:
    return ExceptionRef(
        check=e["check"],
        resource=e["resource"],
        reason=e["reason"],
        owner=e["owner"],
        expires=date.fromisoformat(e["expires"]),
        ticket=e.get("ticket"),
        source=e["source"],
    )


def _finding(f: dict[str, Any]) -> Finding:
    exc = f.get("exception")
    return Finding(
        check=f["check"],
        resource=f["resource"],
        resource_type=f["resource_type"],
        status=Status(f["status"]),
        severity=Severity(f["severity"]),
        title=f["title"],
        message=f["message"],
        account_id=f["account_id"],
        exception=_exception(exc) if exc else None,
    )


def _error(e: dict[str, Any], account_id: str) -> CollectionError:
    return CollectionError(
        source=e["source"],
        operation=e["operation"],
        region=e["region"],
        code=e["code"],
        message=e["message"],
        hint=e.get("hint", ""),
        account_id=e.get("account_id") or account_id,
    )


def verdicts_from_results(data: Any, source: str) -> list[Verdict]:
    """The per-account verdicts a ``results.json`` was rendered from."""
    if not isinstance(data, dict) or data.get("schema_version") != RESULTS_SCHEMA_VERSION:
        raise InputError(
            f"not an iamgate results.json (schema_version {RESULTS_SCHEMA_VERSION})", source
        )
    try:
        findings = [_finding(f) for f in data["findings"]]
        common: dict[str, Any] = {
            "generated_at": parse_time(data["generated_at"]),
            "today": date.fromisoformat(data["as_of"]),
            "fail_on": Severity(data["fail_on"]),
            "expiring_within_days": int(data["expiring_within_days"]),
            "tool_version": data.get("tool_version", ""),
            "checks": tuple(data["checks"]),
        }
        entries = data.get("accounts") or [
            {**data, "stale_exceptions": data["stale_exceptions"], "errors": data["errors"]}
        ]
        verdicts = []
        for entry in entries:
            account = entry["account_id"]
            mine = tuple(f for f in findings if f.account_id == account)
            stale = tuple(_exception(e) for e in entry["stale_exceptions"])
            verdict = Verdict(
                account_id=account,
                findings=mine,
                stale=stale,
                collection_errors=tuple(_error(e, account) for e in entry["errors"]),
                allow_partial=bool(entry["allow_partial"]),
                notes=tuple(entry["notes"]),
                counts=count_statuses(mine, len(stale)),
                **common,
            )
            if verdict.counts != entry["counts"] or verdict.status != entry["verdict"]:
                raise InputError(
                    f"account {account}: counts/verdict do not match the findings "
                    "(was the file edited?)",
                    source,
                )
            verdicts.append(verdict)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InputError(f"malformed results.json: {type(exc).__name__}: {exc}", source) from None
    if sum(len(v.findings) for v in verdicts) != len(findings):
        raise InputError("findings of an account not listed in `accounts`", source)
    return verdicts


def load_results(path: Path) -> list[Verdict]:
    """The per-account verdicts of a ``results.json`` file."""
    return verdicts_from_results(read_json(path, "results"), str(path))
