"""``results.sarif``: the findings as SARIF 2.1.0, for GitHub code scanning.

One run, one rule per check that ran, one result per failing finding (``fail`` or ``expired``)
and per accepted one (with a ``suppression`` of kind ``external``: code scanning shows it as
dismissed, with the exception's reason, owner and expiry). Passing resources are never results.
What could not be evaluated is said in the invocation (``executionSuccessful`` false, one
notification per error), never as a pass.

GitHub's limits (https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning):
25,000 results per run and a 10 MB upload once gzip-compressed are hard limits; a result needs a
location; ``partialFingerprints`` match a result to its alert from one upload to the next, and a
rule's ``security-severity`` (0.1-10) ranks it when the rule is tagged ``security``. Past a limit
the results of lowest priority are left out (failing before accepted, by severity), and the run
says so in ``properties.iamgate`` (``omitted``) and in a notification.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from json.encoder import encode_basestring
from operator import attrgetter
from pathlib import PureWindowsPath
from typing import Any
from urllib.parse import quote

from iamgate import __version__
from iamgate.model.results import (
    Change,
    CheckInfo,
    ExceptionRef,
    Finding,
    Severity,
    Status,
    Verdict,
)
from iamgate.report.context import ReportContext
from iamgate.text import sarif_text

SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
MAX_RESULTS = 25_000  # GitHub: results per run
MAX_GZIP_BYTES = 10 * 1024 * 1024  # GitHub: the upload, gzip-compressed
MAX_NOTIFICATIONS = 100
FINGERPRINT = "iamgateFinding/v1"  # sha256 of (account, check, resource)
INFORMATION_URI = "https://github.com/iamgate/iamgate"

# GitHub reads security-severity as critical > 9.0, high 7.0-8.9, medium 4.0-6.9, low 0.1-3.9.
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
}
LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "warning",
    Severity.INFO: "note",
}
_FAILING = (Status.FAIL, Status.EXPIRED)
_WANTED = (*_FAILING, Status.ACCEPTED)  # what becomes a result
_RANK = {s: s.rank for s in Severity}  # the property is a slow descriptor
# A plan's run reports what the change introduces: a pull request is not the place for the
# account's existing findings (the nightly run reports those). Other runs carry no change.
_REPORTED_CHANGES = (None, Change.INTRODUCED)


@dataclass(frozen=True, slots=True)
class Place:
    """Where a result points: a file of the repository, and a line when one is known."""

    path: str
    line: int | None = None


def place_of(finding: Finding, baseline: str, fallback: str) -> Place:
    """The most specific place that is known, in order: the change that causes a plan's finding
    (its template line), the exception that decided the finding (its line: where an expired or
    accepted one is renewed or removed), the account's baseline file (where an exception would be
    added), else ``fallback``."""
    origin = finding.origin
    if origin is not None and origin.file:
        return Place(origin.file, origin.line if origin.line and origin.line > 0 else None)
    if finding.exception is not None:
        path, _, line = finding.exception.source.rpartition(":")
        if path and line.isdigit() and int(line) > 0:
            return Place(path, int(line))
    if baseline:
        return Place(baseline)
    return Place(fallback)


@lru_cache(maxsize=1024)  # a few paths (the baselines, the templates) for thousands of results
def uri_of(path: str) -> str:
    """A repository-relative URI (``baselines/1.yml``), or ``file://`` for an absolute path
    (the upload action makes it relative to the checkout)."""
    windows = PureWindowsPath(path)
    if windows.drive and windows.is_absolute():
        path = "/" + windows.as_posix()
    posix = path.replace("\\", "/")
    quoted = quote(posix, safe="/-._~", errors="backslashreplace")
    return f"file://{quoted}" if posix.startswith("/") else quoted


def fingerprint(f: Finding) -> str:
    key = "\0".join((f.account_id, f.check, f.resource))
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def _accounts(verdict: Verdict) -> tuple[Verdict, ...]:
    return verdict.accounts or (verdict,)


def account_baseline(verdict: Verdict) -> str:
    """The baseline this account was gated on; read back from results.json, the file its
    exceptions came from; else ``baselines/<account>.yml``, where its exceptions would go."""
    if verdict.baseline:
        return verdict.baseline
    refs: Iterator[ExceptionRef] = filter(None, map(_EXCEPTION, verdict.findings))  # in C
    for ref in chain(refs, verdict.stale):
        path = ref.source.rpartition(":")[0]
        if path:
            return path
    return f"baselines/{verdict.account_id}.yml"


_EXCEPTION = attrgetter("exception")
# Results are kept in priority order: failing before accepted, by severity, then by place.
_PLACE = attrgetter("account_id", "check", "resource")


def _first(wanted: list[Finding], most: int) -> list[Finding]:
    """The first ``most`` of ``wanted`` in priority order: grouped by status and severity (in
    the order found), and only the groups that are kept sorted by place. The same list, in the
    same order, as a stable sort of them all by (failing, severity, place) cut to ``most``."""
    groups: dict[tuple[bool, int], list[Finding]] = {}
    for f in wanted:
        groups.setdefault((f.status not in _FAILING, -_RANK[f.severity]), []).append(f)
    kept: list[Finding] = []
    for key in sorted(groups):
        if len(kept) >= most:
            break
        kept += sorted(groups[key], key=_PLACE)[: most - len(kept)]
    return kept


def _rule(info: CheckInfo) -> dict[str, Any]:
    tags = ["security", "iam", *(f"CIS-{c}" for c in info.cis), *(f"FSBP-{c}" for c in info.fsbp)]
    if info.family:
        tags.insert(2, info.family)
    help_text = "\n\n".join(
        part
        for part in (
            info.rationale,
            f"Fix: {info.remediation}" if info.remediation else "",
            "AWS documentation: " + " ".join(info.docs) if info.docs else "",
        )
        if part
    )
    properties: dict[str, Any] = {"tags": tags[:20], "precision": "very-high"}
    if info.severity in SECURITY_SEVERITY:
        properties["security-severity"] = SECURITY_SEVERITY[info.severity]
    rule: dict[str, Any] = {
        "id": sarif_text(info.id),  # an id read from a results.json is text like any other
        "name": "".join(word.title() for word in sarif_text(info.id).split("-")),
        "shortDescription": {"text": sarif_text(info.title)},
        "fullDescription": {"text": info.rationale or info.title},
        "help": {"text": help_text or info.title},
        "defaultConfiguration": {"level": LEVEL[info.severity]},
        "properties": properties,
    }
    if info.docs:
        rule["helpUri"] = info.docs[0]
    return rule


def _justification(f: Finding) -> str:
    e = f.exception
    if e is None:  # an accepted finding always names its exception
        return ""
    ticket = f"; ticket {e.ticket}" if e.ticket else ""
    return sarif_text(f"{e.reason} (owner {e.owner}; expires {e.expires:%Y-%m-%d}{ticket})")


def _message(f: Finding) -> str:
    caused = f" (caused by {f.origin.describe()})" if f.origin is not None else ""
    return sarif_text(f"{f.resource}: {f.message}{caused}")


def _result(f: Finding, index: int, place: Place) -> dict[str, Any]:
    """One result as an object: what :func:`_result_line` writes (the tests compare them)."""
    region = {"region": {"startLine": place.line}} if place.line else {}
    result: dict[str, Any] = {
        "ruleId": sarif_text(f.check),
        "ruleIndex": index,
        "level": LEVEL[f.severity],
        "message": {"text": _message(f)},
        "locations": [
            {
                "physicalLocation": {"artifactLocation": {"uri": uri_of(place.path)}, **region},
                "logicalLocations": [
                    {
                        "fullyQualifiedName": sarif_text(f.resource),
                        "kind": sarif_text(f.resource_type),
                    }
                ],
            }
        ],
        "partialFingerprints": {FINGERPRINT: fingerprint(f)},
        "properties": {"account": sarif_text(f.account_id), "status": f.status.value},
    }
    if f.status is Status.ACCEPTED:
        result["suppressions"] = [
            {"kind": "external", "status": "accepted", "justification": _justification(f)}
        ]
    return result


class _Encoded(dict[str, str]):
    """``value -> encode(sarif_text(value))`` as JSON, each made once: a check, a type, an
    account or a resource (a result per failing check) repeats from result to result. At most
    a few values per result (``MAX_RESULTS``)."""

    def __missing__(self, value: str) -> str:
        made = self[value] = encode_basestring(sarif_text(value))
        return made


_json: Callable[[str], str] = encode_basestring  # the C function json.dumps uses for a str
# Each severity's level and each status as JSON, made once (``.value`` is a slow descriptor).
_LEVEL_JSON = {s: _json(level) for s, level in LEVEL.items()}
_STATUS_JSON = {s: _json(s.value) for s in Status}


def _result_line(f: Finding, index: int, place: Place, once: _Encoded) -> str:
    """``json.dumps(_result(f, index, place), ensure_ascii=False)``, written from its members'
    JSON (the C encoder each), without the nested objects: the lines of 25,000 results."""
    region = f', "region": {{"startLine": {place.line}}}' if place.line else ""
    suppressions = (
        ', "suppressions": [{"kind": "external", "status": "accepted", '
        f'"justification": {_json(_justification(f))}}}]'
        if f.status is Status.ACCEPTED
        else ""
    )
    return (
        f'{{"ruleId": {once[f.check]}, "ruleIndex": {index}, '
        f'"level": {_LEVEL_JSON[f.severity]}, "message": {{"text": {_json(_message(f))}}}, '
        f'"locations": [{{"physicalLocation": {{"artifactLocation": '
        f'{{"uri": {_json(uri_of(place.path))}}}{region}}}, "logicalLocations": '
        f'[{{"fullyQualifiedName": {once[f.resource]}, '
        f'"kind": {once[f.resource_type]}}}]}}], '
        f'"partialFingerprints": {{"{FINGERPRINT}": "{fingerprint(f)}"}}, '  # hex: no escape
        f'"properties": {{"account": {once[f.account_id]}, "status": {_STATUS_JSON[f.status]}}}'
        f"{suppressions}}}"
    )


def _notifications(verdict: Verdict) -> list[dict[str, Any]]:
    said = [
        f"[{e.account_id}] {e.describe()}" if e.account_id else e.describe()
        for e in verdict.collection_errors
    ]
    said += [
        f"{f.check} could not evaluate {f.resource}: {f.message}"
        for f in verdict.non_passing
        if f.status is Status.ERROR
    ]
    shown = [{"level": "error", "message": {"text": sarif_text(s)}} for s in said]
    if len(shown) > MAX_NOTIFICATIONS:
        more = len(shown) - MAX_NOTIFICATIONS + 1
        shown = shown[: MAX_NOTIFICATIONS - 1]
        shown.append({"level": "error", "message": {"text": f"and {more} more errors"}})
    return shown


@dataclass(frozen=True, slots=True)
class _Run:
    rules: list[dict[str, Any]]
    results: list[str]  # each result's JSON, in order
    total: int  # results before any was left out


def _build(verdict: Verdict, checks: Mapping[str, CheckInfo]) -> _Run:
    wanted = [
        f for f in verdict.non_passing if f.status in _WANTED and f.change in _REPORTED_CHANGES
    ]
    ran = list(verdict.checks) or sorted({f.check for f in verdict.findings})
    ran += sorted({f.check for f in wanted} - set(ran))  # a check known only from a results file
    index = {cid: i for i, cid in enumerate(ran)}
    rules = [
        _rule(checks.get(cid) or CheckInfo(cid, _title(verdict, cid), _severity(verdict, cid)))
        for cid in ran
    ]
    places = {v.account_id: (v.baseline, account_baseline(v)) for v in _accounts(verdict)}
    results = []
    once = _Encoded()
    for f in _first(wanted, MAX_RESULTS):
        baseline, fallback = places.get(f.account_id, ("", f"baselines/{f.account_id}.yml"))
        results.append(_result_line(f, index[f.check], place_of(f, baseline, fallback), once))
    return _Run(rules, results, len(wanted))


def _title(verdict: Verdict, cid: str) -> str:
    return next((f.title for f in verdict.findings if f.check == cid), cid)


def _severity(verdict: Verdict, cid: str) -> Severity:
    return next((f.severity for f in verdict.findings if f.check == cid), Severity.INFO)


def _document(verdict: Verdict, run: _Run, kept: int) -> dict[str, Any]:
    notifications = _notifications(verdict)
    omitted = run.total - kept
    if omitted:
        notifications.insert(
            0,
            {
                "level": "warning",
                "message": {
                    "text": f"{omitted} of {run.total} results left out to stay within GitHub's "
                    "limits (accepted before failing, lower severity first)"
                },
            },
        )
    invocation: dict[str, Any] = {
        "executionSuccessful": not verdict.has_errors,
        "exitCode": int(verdict.exit_code),
    }
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "iamgate",
                        "version": sarif_text(verdict.tool_version or __version__),
                        "informationUri": INFORMATION_URI,
                        "rules": run.rules,
                    }
                },
                "invocations": [invocation],
                "properties": {
                    "iamgate": {
                        "verdict": verdict.status,
                        "accounts": sorted(sarif_text(v.account_id) for v in _accounts(verdict)),
                        "results": run.total,
                        "omitted": omitted,
                    }
                },
            }
        ],
    }


# The results are the last member of the last run, one per line after the first line.
_RESULTS_OPEN = ', "results": ['


def _dump(document: Mapping[str, Any], results: Sequence[str]) -> str:
    """The log with one result per line, by the C encoder (``indent`` would take the pure-Python
    one: most of the report's time at 25,000 results). The results are the last member of the
    last run, so the text around them is known: no search in text that names may have written."""
    head = json.dumps(document, ensure_ascii=False)
    assert head.endswith("}]}"), "the runs are the document's last member"
    lines = ",\n".join(results)
    return f"{head[:-3]}{_RESULTS_OPEN}\n{lines}\n]}}]}}\n"


def render_sarif(verdict: Verdict, context: ReportContext) -> str:
    """The SARIF log; fewer results (the lowest in priority) while it would be over 10 MB
    gzip-compressed."""
    run = _build(verdict, context.checks)
    kept = len(run.results)
    while True:
        text = _dump(_document(verdict, run, kept), run.results[:kept])
        if kept == 0 or len(gzip.compress(text.encode(), compresslevel=6)) <= MAX_GZIP_BYTES:
            return text
        kept //= 2


def _head(text: str) -> Any:
    """The log without its results: its first line, as :func:`_dump` writes it, read alone
    (a log of 25,000 results is 20 MB); any other text is read whole."""
    first, newline, _rest = text.partition("\n")
    if newline and first.endswith(_RESULTS_OPEN):
        return json.loads(first.removesuffix(_RESULTS_OPEN) + "}]}")
    return json.loads(text)


def sarif_notice(text: str) -> str | None:
    """What a user must hear of a written SARIF log: results left out to fit GitHub's limits."""
    run = _head(text)["runs"][0]["properties"]["iamgate"]
    if not run["omitted"]:
        return None
    return (
        f"results.sarif: {run['omitted']} of {run['results']} results left out to stay within "
        "GitHub's code scanning limits (25,000 results, 10 MB gzip-compressed); accepted "
        "findings and lower severities go first"
    )


__all__: Sequence[str] = ["Place", "place_of", "render_sarif", "sarif_notice"]
