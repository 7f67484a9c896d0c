"""``iamgate merge``: per-job ``results.json`` files -> one verdict over every account.

Each file is read back into per-account ``Verdict``s (findings with their exceptions, stale
exceptions, collection errors, the gate's settings), which ``gate.combine`` joins exactly as a
single multi-account scan would. A file whose counts do not match its findings, two files with
the same account, or files gated with different settings are bad input: a merged report must
not say something no single run could have said.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from iamgate.errors import InputError
from iamgate.gate import Verdict, _count, combine
from iamgate.model import ExceptionRef, Finding, Severity, Status
from iamgate.report.jsonreport import RESULTS_SCHEMA_VERSION
from iamgate.snapshot import CollectionError, parse_time


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
                counts=_count(mine, len(stale)),
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
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("no such file", str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read: {exc}", str(path)) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON: {exc.msg}", str(path), exc.lineno) from None
    return verdicts_from_results(data, str(path))


def merge(paths: Sequence[Path]) -> Verdict:
    if not paths:
        raise InputError("no results.json files given", "FILES")
    verdicts: list[Verdict] = []
    seen: dict[str, Path] = {}
    settings: tuple[Any, ...] | None = None
    for path in paths:
        for v in load_results(path):
            if v.account_id in seen:
                raise InputError(
                    f"account {v.account_id} is also in {seen[v.account_id]}", str(path)
                )
            seen[v.account_id] = path
            mine = (v.fail_on, v.today, v.checks)
            if settings is not None and mine != settings:
                raise InputError(
                    "gated with other settings (fail-on, as-of date or checks) than the first "
                    "file: run every job with the same options",
                    str(path),
                )
            settings = mine
            verdicts.append(v)
    return combine(verdicts)
