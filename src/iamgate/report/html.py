"""``report.html``: one self-contained page for reviewers and the account's owner.

The page loads nothing: CSS and the small filter script are inline, charts are inline SVG drawn
from numbers computed in ``charts.py``. Three layers keep hostile account data inert:

1. Jinja2 with ``autoescape=True`` for every template (``select_autoescape`` would *not* escape
   a ``.html.j2`` file) and a ``finalize`` hook that replaces control characters; only this
   package's own stylesheet and script are marked safe.
2. No value from the account or the baseline is ever placed in a URL, an event handler, a
   ``<script>`` or a ``<style>``: only in text or a quoted ``data-*`` / ``value`` attribute. The
   filter script compares those attributes as strings; no JSON is embedded.
3. A Content-Security-Policy ``<meta>`` that allows no network load at all, and only the exact
   inline script and stylesheet of this page (by SHA-256), so even a missed escape could
   neither run nor load anything.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from itertools import chain
from operator import attrgetter
from typing import Any

import jinja2
from markupsafe import Markup

from iamgate.formats.history_jsonl import HISTORY_LIMIT, entry_for
from iamgate.model.results import CheckInfo, Finding, Severity, Status, Verdict
from iamgate.report import charts
from iamgate.report.context import ReportContext
from iamgate.text import html_text

SEVERITIES = tuple(sorted(Severity, key=lambda s: -s.rank))  # most severe first
SEVERITY_LABEL = {s: s.value.capitalize() for s in Severity}
STATUS_LABEL = {
    Status.FAIL: "New",
    Status.EXPIRED: "Expired",
    Status.ACCEPTED: "Accepted",
    Status.ERROR: "Not evaluated",
    Status.PASS: "Passed",
}
# The filter's word for a status (the page and the URL fragment say "new", not "fail").
STATUS_KEY = {Status.FAIL: "new", Status.EXPIRED: "expired"}
VERDICT_LABEL = {"fail": "FAIL", "error": "ERROR", "pass": "PASS"}
FAILING = (Status.FAIL, Status.EXPIRED)
# Per table of remarks (accepted, not evaluated): more rows make a page no browser scrolls nor
# printer prints usefully; results.json and the CSV hold every finding.
MAX_ROWS = 2000
# The findings to act on: every one is in the page (up to PAGE_ROWS), so that the filters find
# any of them, but only the first FIRST_ROWS of each check are laid out when the page opens;
# the rest wait in a <template> (parsed, never rendered) until a filter or a click wants them.
FIRST_ROWS = 100
PAGE_ROWS = 100_000
_RANK = {s: s.rank for s in Severity}  # the property is a slow descriptor at 100,000 findings

_clean = html_text  # the one HTML text function (iamgate.text); Jinja2 then escapes it


def _finalize(value: object) -> object:
    """Applied to every ``{{ ... }}`` before it is escaped."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return _clean(value)
    return value


_BREAK_AFTER = re.compile(r"(?<=[/:])(?=[^/:])")


def breakable(text: str) -> Markup:
    """``text`` escaped, with ``<wbr>`` after each run of ``/`` or ``:`` so that a narrow column
    wraps an ARN at its separators. ``Markup.join`` escapes every part."""
    return Markup("<wbr>").join(_clean(part) for part in _BREAK_AFTER.split(text))


def csp_hash(source: str) -> str:
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def content_security_policy(style: str, script: str) -> str:
    return "; ".join(
        (
            "default-src 'none'",
            f"style-src {csp_hash(style)}",
            f"script-src {csp_hash(script)}",
            "img-src data:",
            "base-uri 'none'",
            "form-action 'none'",
        )
    )


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("iamgate.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["day"] = lambda d: f"{d:%Y-%m-%d}"
    env.filters["breakable"] = breakable
    return env


@cache
def _asset(name: str) -> Markup:
    """A static file of this package: the only text marked safe."""
    text = (resources.files("iamgate.report") / "templates" / name).read_text(encoding="utf-8")
    return Markup(text)  # noqa: S704


@dataclass(frozen=True, slots=True)
class CheckStat:
    """One check that ran, and how its resources came out."""

    info: CheckInfo
    passed: int
    failed: int  # new + expired
    accepted: int
    errors: int

    @property
    def evaluated(self) -> int:
        return self.passed + self.failed + self.accepted

    @property
    def rate(self) -> tuple[str, float, str]:
        """(text, width of the 80-unit bar, level). Rounded down: 999 of 1,000 is not 100%."""
        if not self.evaluated:
            return ("–", 0.0, "none")
        percent = self.passed * 100 // self.evaluated
        text = "<1%" if percent == 0 and self.passed else f"{percent}%"
        share = self.passed / self.evaluated
        level = "good" if share == 1 else "fair" if share >= 0.8 else "poor"
        return (text, round(80 * share, 1), level)


_CHECK = attrgetter("check")
_STATUS = attrgetter("status")
_CHECK_STATUS = attrgetter("check", "status")
_SEVERITY_STATUS = attrgetter("severity", "status")


def check_stats(verdict: Verdict, catalogue: dict[str, CheckInfo]) -> list[CheckStat]:
    """One row per check that ran, in catalogue order, counted over every finding (in C: each
    check's findings, and the statuses of those that are not passes)."""
    total = Counter(map(_CHECK, verdict.findings))
    by = Counter(map(_CHECK_STATUS, verdict.non_passing))
    others: Counter[str] = Counter()
    for (check, _status), n in by.items():
        others[check] += n
    ids = dict.fromkeys(chain(verdict.checks, total))
    return [
        CheckStat(
            catalogue.get(c) or CheckInfo(c, c, Severity.INFO, family="other"),
            total[c] - others[c],
            by[c, Status.FAIL] + by[c, Status.EXPIRED],
            by[c, Status.ACCEPTED],
            by[c, Status.ERROR],
        )
        for c in ids
    ]


@dataclass(frozen=True, slots=True)
class Option:
    value: str
    count: int


def _options(values: Iterable[str], order: Sequence[str] | None = None) -> list[Option]:
    counts = Counter(values)
    keys = [k for k in order if k in counts] if order is not None else sorted(counts)
    return [Option(k, counts[k]) for k in keys]


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _when(value: datetime) -> str:
    return f"{value.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def _headline(verdict: Verdict, blocking: int, below: int) -> str:
    threshold = f"severity {verdict.fail_on.value} and above"
    if verdict.plan is not None:
        threshold = f"{threshold} introduced by the change"
        below = 0  # the others were failing before the change: the plan section says so
    if verdict.status == "fail":
        verb = "fails" if blocking == 1 else "fail"
        return f"{_plural(blocking, 'finding')} at {threshold} {verb} the gate."
    if verdict.status == "error":
        return (
            "Some checks could not be evaluated: the account cannot be called compliant "
            "until they run."
        )
    extra = f" ({_plural(below, 'finding')} below the threshold)" if below else ""
    return f"No new or expired finding at {threshold}{extra}."


@dataclass(frozen=True, slots=True)
class RowGroup:
    """The findings to act on of one check, in page order: the first ``listed`` are laid out
    when the page opens (the template writes them), the rest wait in a ``<template>``
    (:meth:`waiting`)."""

    check: str
    title: str
    findings: list[Finding]
    listed: int
    threshold: int  # the rank of the gate's severity: rows below it say so
    accounts: bool  # several accounts: each row says which

    @property
    def deferred(self) -> int:
        return len(self.findings) - self.listed

    def waiting(self) -> Iterator[Markup]:
        """The rows past the first, a thousand at a time, in the compact form the page's
        script completes when it shows one (its check, title, severity and status cells)."""
        rest = self.findings[self.listed :]
        once = _Once()  # the cells that repeat from row to row, escaped once
        for start in range(0, len(rest), 1000):
            chunk = rest[start : start + 1000]
            rows = "".join(_waiting_row(f, self.threshold, once, self.accounts) for f in chunk)
            yield Markup(rows)  # noqa: S704 - every value in it went through _escape


class _Once(dict[str, str]):
    """A value -> the value escaped, each once."""

    def __missing__(self, value: str) -> str:
        made = self[value] = _escape(value)
        return made


def _waiting_row(f: Finding, threshold: int, once: _Once, accounts: bool) -> str:
    """One waiting row: its filter attributes, its resource (plain: the script adds the type
    and the line breaks) and its message. Every value goes through :func:`_escape` (control
    characters replaced, then escaped as markupsafe escapes), as the template's finalize and
    autoescape would; only this function's own markup is not escaped. Plain strings: 100,000
    of these are made for a large page. Tests render hostile findings waiting, and compare a
    waiting row, once shown, with a listed one."""
    below = ' class="below"' if _RANK[f.severity] < threshold else ""
    account = f' data-account="{once[f.account_id]}"' if accounts else ""
    message = _escape(f.message)
    e = f.exception
    if f.status is Status.EXPIRED and e is not None:
        ticket = f", ticket {_escape(e.ticket)}" if e.ticket else ""
        message += (
            f'<span class="sub expired-exc">Expired exception: “{_escape(e.reason)}”, owner '
            f"{_escape(e.owner)}{ticket}</span>"
        )
    return (
        f'<tr data-severity="{once[f.severity]}" data-status="{STATUS_KEY[f.status]}" '
        f'data-type="{once[f.resource_type]}"{account}{below}><td>{_escape(f.resource)}</td>'
        f"<td>{message}</td></tr>\n"
    )


def _escape(value: str) -> str:
    """markupsafe's escaping (``& < > " '``), after :func:`_clean`, as plain text."""
    value = _clean(value)
    if not ("&" in value or "<" in value or ">" in value or '"' in value or "'" in value):
        return value  # (five C-level searches cost less than one regex search)
    return (
        value.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&#34;")
        .replace("'", "&#39;")
    )


def row_groups(
    failing: Sequence[Finding], threshold: int, first: int, accounts: bool
) -> list[RowGroup]:
    """``failing`` (sorted) cut into runs of one check each."""
    groups: list[RowGroup] = []
    start = 0
    for at in range(1, len(failing) + 1):
        if at == len(failing) or failing[at].check != failing[start].check:
            rows = list(failing[start:at])
            head = rows[0]
            listed = min(first, len(rows))
            groups.append(RowGroup(head.check, head.title, rows, listed, threshold, accounts))
            start = at
    return groups


def _by_place(f: Finding) -> tuple[str, str, str]:
    return (f.check, f.resource, f.account_id)


_STACK = (("new", Status.FAIL), ("expired", Status.EXPIRED))


def _bar_chart(
    rows: Iterable[tuple[str, str]], counts: Counter[tuple[str, Status]]
) -> charts.BarChart:
    return charts.bar_chart(
        [
            (
                label,
                key,
                [("new", counts[key, Status.FAIL]), ("expired", counts[key, Status.EXPIRED])],
            )
            for label, key in rows
        ]
    )


def _chart_desc(chart: charts.BarChart) -> str:
    """The chart's numbers as a sentence, for screen readers."""
    return (
        "; ".join(
            f"{row.full_label}: {row.total}"
            + (
                " (" + ", ".join(f"{seg.value} {seg.kind}" for seg in row.segments) + ")"
                if len(row.segments) > 1
                else ""
            )
            for row in chart.rows
        )
        + "."
    )


_SEVERITY = attrgetter("severity")
_TYPE = attrgetter("resource_type")
_ACCOUNT = attrgetter("account_id")
_KEYS = ("new", "expired")
_PLACE = attrgetter("check", "resource", "account_id", "status")


def _count(key: attrgetter[Any], findings: Iterable[Finding]) -> Iterable[tuple[Any, int]]:
    """How many findings have each value of ``key``, counted in C."""
    return Counter(map(key, findings)).items()


def _by_severity_then_place(failing: list[Finding]) -> list[Finding]:
    """Most severe first, then by check, resource, account and status: each severity's
    findings sorted on their own (a key made in C), as one sort on (-rank, place) would."""
    by_rank: dict[int, list[Finding]] = {}
    for f in failing:
        by_rank.setdefault(_RANK[f.severity], []).append(f)
    return [f for rank in sorted(by_rank, reverse=True) for f in sorted(by_rank[rank], key=_PLACE)]


def build_context(
    verdict: Verdict,
    context: ReportContext,
    max_rows: int = MAX_ROWS,
    page_rows: int = PAGE_ROWS,
) -> dict[str, Any]:
    """Everything the template reads, sorted and counted. Counts and charts cover every
    finding; the findings to act on are all in the page (up to ``page_rows``), the first
    ``FIRST_ROWS`` of each check laid out; each table of remarks lists at most ``max_rows``; a
    table says how many it left out."""
    style, script = _asset("report.css"), _asset("report.js")
    catalogue = dict(context.checks)
    listed = verdict.non_passing
    failing = _by_severity_then_place([f for f in listed if f.status in FAILING])
    accepted = sorted((f for f in listed if f.status is Status.ACCEPTED), key=_by_place)
    not_evaluated = sorted((f for f in listed if f.status is Status.ERROR), key=_by_place)
    threshold = verdict.fail_on.rank
    blocking = sum(1 for f in failing if _RANK[f.severity] >= threshold)
    if verdict.plan is not None:  # a plan fails only on what it introduces
        blocking = len(verdict.blocking)
    accounts = verdict.accounts or (verdict,)
    stats = check_stats(verdict, catalogue)

    by_severity = Counter(
        {(sev.value, status): n for (sev, status), n in _count(_SEVERITY_STATUS, failing)}
    )
    severity_chart = _bar_chart(((SEVERITY_LABEL[s], s.value) for s in SEVERITIES), by_severity)
    family = {s.info.id: s.info.family or "other" for s in stats}
    by_family: Counter[tuple[str, Status]] = Counter()
    for (check, status), n in _count(_CHECK_STATUS, failing):
        by_family[family.get(check, "other"), status] += n
    families = sorted(
        dict.fromkeys([*family.values(), *(fam for fam, _ in by_family)]),
        key=lambda fam: (-(by_family[fam, Status.FAIL] + by_family[fam, Status.EXPIRED]), fam),
    )
    family_chart = _bar_chart(((fam, fam) for fam in families), by_family)
    groups: dict[str, list[CheckStat]] = {}
    for s in stats:
        groups.setdefault(s.info.family or "other", []).append(s)

    history = None
    if context.history is not None:
        history = [*context.history, entry_for(verdict)][-HISTORY_LIMIT:]
    shown = failing[:page_rows]
    judged = verdict.today

    def days_left(f: Finding) -> int:
        return (f.exception.expires - judged).days if f.exception else 0

    return {
        "v": verdict,
        "style": style,
        "script": script,
        "csp": content_security_policy(style, script),
        "many_accounts": len(accounts) > 1,
        "accounts": accounts,
        "account_ids": [a.account_id for a in accounts],
        "counts": verdict.counts,
        "verdict_label": VERDICT_LABEL[verdict.status],
        "headline": _headline(verdict, blocking, len(failing) - blocking),
        "blocking": blocking,
        "threshold_rank": threshold,
        "rank": _RANK,
        "failing": failing,
        "failing_rows": shown,
        "failing_groups": row_groups(shown, threshold, FIRST_ROWS, len(accounts) > 1),
        "first_rows": FIRST_ROWS,
        "failing_cut": max(len(failing) - page_rows, 0),
        "accepted": accepted,
        "accepted_rows": accepted[:max_rows],
        "accepted_cut": max(len(accepted) - max_rows, 0),
        "not_evaluated": not_evaluated,
        "not_evaluated_rows": not_evaluated[:max_rows],
        "not_evaluated_cut": max(len(not_evaluated) - max_rows, 0),
        "expiring": sorted(
            verdict.expiring(),
            key=lambda f: (f.exception.expires if f.exception else judged, *_by_place(f)),
        ),
        "stale": sorted(verdict.stale, key=lambda e: (e.check, e.resource, e.source)),
        "errors": sorted(
            verdict.collection_errors,
            key=lambda e: (e.account_id, e.source, e.operation, e.region, e.code),
        ),
        "stats": stats,
        "stat_groups": list(groups.items()),
        "severity_chart": severity_chart,
        "family_chart": family_chart,
        "severity_desc": _chart_desc(severity_chart),
        "family_desc": _chart_desc(family_chart),
        "history": history,
        "trend": charts.line_chart(history) if history else None,
        "since": verdict.since,
        "plan": verdict.plan,
        "plan_introduced": _plural(len(verdict.plan.introduced), "finding")
        if verdict.plan is not None
        else "",
        # The filters offer what the listed rows hold.
        "filter_severity": _options(
            (s.value for s in map(_SEVERITY, shown)), [s.value for s in SEVERITIES]
        ),
        "filter_status": _options(map(STATUS_KEY.__getitem__, map(_STATUS, shown)), _KEYS),
        "filter_check": _options(map(_CHECK, shown)),
        "filter_type": _options(map(_TYPE, shown)),
        "filter_account": _options(map(_ACCOUNT, shown)) if len(accounts) > 1 else [],
        "severity_label": SEVERITY_LABEL,
        "status_label": STATUS_LABEL,
        "status_key": STATUS_KEY,
        "generated": _when(verdict.generated_at),
        "days_left": days_left,
        "plural": _plural,
        "when": _when,
    }


def render_html(verdict: Verdict, context: ReportContext) -> str:
    """The whole page. Deterministic: the same verdict and context give the same bytes."""
    return "".join(iter_html(verdict, context))


def iter_html(verdict: Verdict, context: ReportContext) -> Iterator[str]:
    """The page in pieces, as the template makes them (written as it goes: a page of 100,000
    findings is never whole in memory)."""
    template = _environment().get_template("report.html.j2")
    batch: list[str] = []
    size = 0
    for piece in template.generate(build_context(verdict, context)):
        batch.append(piece)
        size += len(piece)
        if size >= 1 << 20:
            yield "".join(batch)
            batch, size = [], 0
    yield "".join(batch)
