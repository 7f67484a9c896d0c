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
import itertools
import json
import operator
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from json.encoder import encode_basestring
from pathlib import Path
from typing import Any

from iamgate.errors import InputError
from iamgate.formats.files import read_json
from iamgate.formats.times import format_time, parse_time
from iamgate.model.results import (
    Change,
    ExceptionRef,
    Finding,
    Origin,
    PlanComparison,
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
    if f.change is not None:  # `iamgate plan` only: other runs keep their exact shape
        data["change"] = f.change
        if f.origin is not None:
            data["origin"] = origin_json(f.origin)
    return data


def origin_json(o: Origin) -> dict[str, Any]:
    """Where a plan's finding comes from (a SARIF location: file, line, and the address)."""
    data: dict[str, Any] = {"address": o.address}
    if o.file:
        data["file"] = o.file
    if o.line is not None:
        data["line"] = o.line
    if o.hop:
        data["hop"] = o.hop
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


def plan_json(plan: PlanComparison) -> dict[str, Any]:
    """What the change does (``iamgate plan``). Written, never read back: the findings carry
    their own ``change``, and the counts are derived from them."""

    def listed(f: Finding) -> dict[str, Any]:
        found = change_json(f)
        if f.origin is not None:
            found["origin"] = origin_json(f.origin)
        return found

    return {
        "sources": list(plan.sources),
        "resource_changes": plan.changes,
        "introduced": len(plan.introduced),
        "fixed": len(plan.fixed),
        "blind_checks": list(plan.blind),
        "fixed_findings": [listed(f) for f in plan.fixed],
    }


def render_results(verdict: Verdict) -> str:
    return "".join(iter_results(verdict))


class _Once(dict[str, str]):
    """``value -> make(value)``, each made once (a dict lookup, in C, for the rest)."""

    def __init__(self, make: Callable[[str], str]) -> None:
        super().__init__()
        self.make = make

    def __missing__(self, value: str) -> str:
        made = self[value] = self.make(value)
        return made


def _finding_lines(findings: Iterable[Finding]) -> Iterator[str]:
    """Each finding as ``json.dumps(finding_json(f), ensure_ascii=False)`` writes it, made
    from its members' JSON: the ones that repeat (account, check, resource, type, status,
    severity, title) are encoded once, by the same C function ``json.dumps`` uses."""
    once = _Once(encode_basestring)
    for f in findings:
        if f.exception is not None or f.origin is not None:
            yield json.dumps(finding_json(f), ensure_ascii=False)
            continue
        change = "" if f.change is None else f', "change": {once[f.change]}'
        yield (
            f'{{"account_id": {once[f.account_id]}, "check": {once[f.check]}, '
            f'"resource": {once[f.resource]}, "resource_type": {once[f.resource_type]}, '
            f'"status": {once[f.status]}, "severity": {once[f.severity]}, '
            f'"title": {once[f.title]}, "message": {encode_basestring(f.message)}{change}}}'
        )


def iter_results(verdict: Verdict, chunk: int = 4096) -> Iterator[str]:
    """``results.json`` in pieces (``chunk`` findings each): written as it is made."""
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
    if verdict.plan is not None:  # only `iamgate plan`
        head["plan"] = plan_json(verdict.plan)
    lines = json.dumps(head, indent=1, ensure_ascii=False)[:-2]  # reopen the object
    if not verdict.findings:
        yield f'{lines},\n "findings": []\n}}\n'
        return
    yield f'{lines},\n "findings": [\n  '
    findings = _finding_lines(verdict.findings)
    yield ",\n  ".join(itertools.islice(findings, chunk))
    while piece := ",\n  ".join(itertools.islice(findings, chunk)):
        yield ",\n  " + piece
    yield "\n ]\n}\n"


# --- reading ----------------------------------------------------------------------------------


class _Malformed(ValueError):
    """Where in the file, and what is wrong there."""


_ACCOUNT = re.compile(r"[0-9]{12}")


def _get(obj: Any, key: str, where: str) -> Any:
    if not isinstance(obj, dict):
        raise _Malformed(f"{where or 'the file'}: expected an object")
    if key not in obj:
        raise _Malformed(f"{where + '.' if where else ''}{key}: missing")
    return obj[key]


def _text(obj: Any, key: str, where: str, default: str | None = None) -> str:
    if default is not None and isinstance(obj, dict) and obj.get(key) is None:
        return default
    value = _get(obj, key, where)
    return _string(value, f"{where + '.' if where else ''}{key}")


def _string(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise _Malformed(f"{where}: expected a string")
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate ("\ud800"): it could not be written out
            raise _Malformed(f"{where}: not valid Unicode text") from None
    return value


def _list(obj: Any, key: str, where: str) -> list[Any]:
    value = _get(obj, key, where)
    if not isinstance(value, list):
        raise _Malformed(f"{where + '.' if where else ''}{key}: expected a list")
    return value


def _account(value: str, where: str, blank: bool = False) -> str:
    if not (_ACCOUNT.fullmatch(value) or (blank and value == "")):
        raise _Malformed(f"{where}: not a 12-digit account id: {value!r}")
    return value


def _choice(enum: Any, value: str, where: str) -> Any:
    try:
        return enum(value)
    except ValueError:
        raise _Malformed(f"{where}: {value!r} is not one of {', '.join(enum)}") from None


def _date(value: str, where: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _Malformed(f"{where}: not a date (YYYY-MM-DD): {value!r}") from None


def _exception(e: Any, where: str) -> ExceptionRef:
    ticket = e.get("ticket") if isinstance(e, dict) else None
    return ExceptionRef(
        check=_text(e, "check", where),
        resource=_text(e, "resource", where),
        reason=_text(e, "reason", where),
        owner=_text(e, "owner", where),
        expires=_date(_text(e, "expires", where), f"{where}.expires"),
        ticket=None if ticket is None else _string(ticket, f"{where}.ticket"),
        source=_text(e, "source", where),
    )


def _origin(o: Any, where: str) -> Origin:
    line = o.get("line") if isinstance(o, dict) else None
    if line is not None and (not isinstance(line, int) or isinstance(line, bool) or line < 1):
        raise _Malformed(f"{where}.line: expected a line number")
    return Origin(
        address=_text(o, "address", where),
        file=_text(o, "file", where, default=""),
        line=line,
        hop=_text(o, "hop", where, default=""),
    )


def _finding(f: Any, where: str) -> Finding:
    exc = f.get("exception") if isinstance(f, dict) else None
    change = f.get("change") if isinstance(f, dict) else None
    origin = f.get("origin") if isinstance(f, dict) else None
    return Finding(
        check=_text(f, "check", where),
        resource=_text(f, "resource", where),
        resource_type=_text(f, "resource_type", where),
        status=_choice(Status, _text(f, "status", where), f"{where}.status"),
        severity=_choice(Severity, _text(f, "severity", where), f"{where}.severity"),
        title=_text(f, "title", where),
        message=_text(f, "message", where),
        account_id=_account(_text(f, "account_id", where), f"{where}.account_id"),
        exception=_exception(exc, f"{where}.exception") if exc is not None else None,
        change=None
        if change is None
        else _choice(Change, _string(change, where), f"{where}.change"),
        origin=_origin(origin, f"{where}.origin") if origin is not None else None,
    )


_FINDING = operator.itemgetter(
    "check", "resource", "resource_type", "status", "severity", "title", "message", "account_id"
)
_STATUSES = {s.value: s for s in Status}
_SEVERITIES = {s.value: s for s in Severity}


class _Findings:
    """Reads the findings of a file, the common ones in bulk: a plain finding (eight members,
    all ASCII text, a known status and severity, an account id seen before) is checked by a few
    C-level operations, and the text repeated across findings (check, type, title, account) is
    kept once. Anything else goes through :func:`_finding`, which checks it member by member
    and says where it is wrong: both accept and refuse the same findings."""

    def __init__(self) -> None:
        self.accounts: set[str] = set()
        self.shared: dict[str, str] = {}

    def read(self, found: list[Any]) -> list[Finding]:
        out: list[Finding] = []
        append, shared, accounts = out.append, self.shared, self.accounts
        statuses, severities, get = _STATUSES, _SEVERITIES, _FINDING
        for i, f in enumerate(found):
            try:
                check, resource, kind, status, severity, title, message, account = get(f)
                # join: TypeError unless every member is a str; isascii: no text to check
                plain = len(f) == 8 and "".join(get(f)).isascii() and account in accounts
            except (TypeError, KeyError):
                plain = False
            known = statuses.get(status) if plain else None
            level = severities.get(severity) if known is not None else None
            if known is None or level is None:
                finding = _finding(f, f"findings[{i}]")
                accounts.add(finding.account_id)
                append(finding)
                continue
            append(
                Finding(
                    shared.setdefault(check, check),
                    resource,
                    shared.setdefault(kind, kind),
                    known,
                    level,
                    shared.setdefault(title, title),
                    message,
                    shared.setdefault(account, account),
                )
            )
        return out


def _error(e: Any, account_id: str, where: str) -> CollectionError:
    return CollectionError(
        source=_text(e, "source", where),
        operation=_text(e, "operation", where),
        region=_text(e, "region", where),
        code=_text(e, "code", where),
        message=_text(e, "message", where),
        hint=_text(e, "hint", where, default=""),
        account_id=_account(_text(e, "account_id", where, default=account_id), where),
    )


def _number(obj: Any, key: str, where: str) -> int:
    value = _get(obj, key, where)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 10**6:
        raise _Malformed(f"{key}: expected a whole number from 0 to 1000000")
    return value


def _flag(obj: Any, key: str, where: str) -> bool:
    value = _get(obj, key, where)
    if not isinstance(value, bool):
        raise _Malformed(f"{where + '.' if where else ''}{key}: expected true or false")
    return value


def verdicts_from_results(data: Any, source: str) -> list[Verdict]:
    """The per-account verdicts a ``results.json`` was rendered from.

    Every member is checked for its type (and account ids, statuses, dates for their form), so
    damage anywhere is bad input naming where it is, never a crash in a later step."""
    if not isinstance(data, dict) or data.get("schema_version") != RESULTS_SCHEMA_VERSION:
        raise InputError(
            f"not an iamgate results.json (schema_version {RESULTS_SCHEMA_VERSION})", source
        )
    try:
        return _verdicts(data)
    except _Malformed as exc:
        raise InputError(f"malformed results.json: {exc}", source) from None
    except (KeyError, TypeError, ValueError, AttributeError, RecursionError) as exc:
        raise InputError(f"malformed results.json: {type(exc).__name__}: {exc}", source) from None


def _verdicts(data: dict[str, Any]) -> list[Verdict]:
    findings = _Findings().read(_list(data, "findings", ""))
    generated = _text(data, "generated_at", "")
    try:
        generated_at = parse_time(generated)
    except ValueError:
        raise _Malformed(f"generated_at: not an ISO 8601 time: {generated!r}") from None
    common: dict[str, Any] = {
        "generated_at": generated_at,
        "today": _date(_text(data, "as_of", ""), "as_of"),
        "fail_on": _choice(Severity, _text(data, "fail_on", ""), "fail_on"),
        "expiring_within_days": _number(data, "expiring_within_days", ""),
        "tool_version": _text(data, "tool_version", "", default=""),
        "checks": tuple(
            _string(c, f"checks[{i}]") for i, c in enumerate(_list(data, "checks", ""))
        ),
    }
    plan = _plan(data.get("plan"), findings)
    if plan is not None:  # a plan's verdict: only what it introduces fails (Verdict.blocking)
        common["plan"] = plan
    several = data.get("accounts")
    if several is not None and not isinstance(several, list):
        raise _Malformed("accounts: expected a list")
    entries = [(f"accounts[{i}]", e) for i, e in enumerate(several or [])] or [("", data)]
    by_account: dict[str, list[Finding]] = {}
    for f in findings:  # grouped once: a check per account and finding would be quadratic
        by_account.setdefault(f.account_id, []).append(f)
    verdicts = []
    seen: set[str] = set()
    for where, entry in entries:
        account = _account(
            _text(entry, "account_id", where), f"{where + '.' if where else ''}account_id"
        )
        if account in seen:
            raise _Malformed(f"{where}: account {account} is listed twice")
        seen.add(account)
        mine = tuple(by_account.get(account, ()))
        stale = tuple(
            _exception(e, f"{where}.stale_exceptions[{i}]")
            for i, e in enumerate(_list(entry, "stale_exceptions", where))
        )
        errors = tuple(
            _error(e, account, f"{where}.errors[{i}]")
            for i, e in enumerate(_list(entry, "errors", where))
        )
        notes = tuple(
            _string(n, f"{where}.notes[{i}]") for i, n in enumerate(_list(entry, "notes", where))
        )
        verdict = Verdict(
            account_id=account,
            findings=mine,
            stale=stale,
            collection_errors=errors,
            allow_partial=_flag(entry, "allow_partial", where),
            notes=notes,
            counts=count_statuses(mine, len(stale)),
            **common,
        )
        if verdict.counts != _get(entry, "counts", where) or verdict.status != _get(
            entry, "verdict", where
        ):
            raise _Malformed(
                f"account {account}: counts/verdict do not match the findings (was the file "
                "edited?)"
            )
        verdicts.append(verdict)
    if sum(len(v.findings) for v in verdicts) != len(findings):
        raise _Malformed("findings of an account not listed in `accounts`")
    return verdicts


def _plan(head: Any, findings: list[Finding]) -> PlanComparison | None:
    """The plan section's settings (the lists are the findings' own ``change``)."""
    if head is None:
        return None
    changes = _number(head, "resource_changes", "plan")
    return PlanComparison(
        sources=tuple(
            _string(s, f"plan.sources[{i}]") for i, s in enumerate(_list(head, "sources", "plan"))
        ),
        changes=changes,
        introduced=tuple(f for f in findings if f.change is Change.INTRODUCED),
        blind=tuple(
            _string(c, f"plan.blind_checks[{i}]")
            for i, c in enumerate(_list(head, "blind_checks", "plan"))
        ),
    )


def load_results(path: Path) -> list[Verdict]:
    """The per-account verdicts of a ``results.json`` file."""
    return verdicts_from_results(read_json(path, "results"), str(path))
